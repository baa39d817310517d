package view

import (
	"fmt"

	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"gloss/app/live"
	"gloss/shared/httpapi"
)

// Account is the user's own page (/account): change the password, and
// create or revoke API tokens for scripts.
type Account struct {
	app.Compo
	me       httpapi.Me
	tokens   []httpapi.APIToken
	newToken httpapi.NewToken // the token just created, shown once
	loaded   bool
	err      string
	notice   string
}

// OnNav loads the user and their tokens.
func (a *Account) OnNav(ctx app.Context) { a.load(ctx) }

func (a *Account) load(ctx app.Context) {
	var ts []httpapi.APIToken
	loadPage(ctx, cachedUser, func(httpapi.Me) error { return live.GetJSON("/api/tokens", &ts) },
		func(ctx app.Context, m httpapi.Me, err error) {
			if err != nil {
				a.err = err.Error()
				return
			}
			a.me, a.tokens, a.loaded = m, ts, true
		})
}

func (a *Account) changePassword(ctx app.Context, e app.Event) {
	cur, next, again := inputValue("current-password"), inputValue("new-password"), inputValue("new-password-again")
	if next != again {
		a.err, a.notice = "The two new passwords differ.", ""
		return
	}
	ctx.Async(func() {
		var res httpapi.PasswordAnswer
		err := live.SendJSON("POST", "/api/me/password", httpapi.PasswordRequest{Current: cur, New: next}, &res)
		ctx.Dispatch(func(ctx app.Context) {
			if err != nil {
				a.err, a.notice = err.Error(), ""
				return
			}
			live.SetCSRF(res.CSRF)
			forgetMe(ctx) // it holds the old session's token
			for _, id := range []string{"current-password", "new-password", "new-password-again"} {
				clearInput(id)
			}
			a.err, a.notice = "", "Password changed. Your other sessions (other browsers) have been logged out."
		})
	})
}

func (a *Account) createToken(ctx app.Context, e app.Event) {
	label := inputValue("token-label")
	ctx.Async(func() {
		var t httpapi.NewToken
		err := live.SendJSON("POST", "/api/tokens", httpapi.CreateTokenRequest{Label: label}, &t)
		ctx.Dispatch(func(ctx app.Context) {
			if err != nil {
				a.err, a.notice = err.Error(), ""
				return
			}
			clearInput("token-label")
			a.err, a.notice, a.newToken = "", "", t
			a.load(ctx)
		})
	})
}

func (a *Account) revoke(ctx app.Context, id int64) {
	ctx.Async(func() {
		err := live.SendJSON("DELETE", fmt.Sprintf("/api/tokens/%d", id), nil, nil)
		ctx.Dispatch(func(ctx app.Context) {
			if err != nil {
				a.err = err.Error()
				return
			}
			if a.newToken.ID == id {
				a.newToken = httpapi.NewToken{}
			}
			a.load(ctx)
		})
	})
}

// Render draws the page.
func (a *Account) Render() app.UI {
	ready := "0"
	if a.loaded {
		ready = "1"
	}
	return app.Div().Class("account-page").DataSet("ready", ready).Body(
		topBar(a.me.User.Name),
		app.Main().Class("page").Body(
			app.H1().Text("Your account"),
			messages("account-error", a.err, "account-notice", a.notice),
			app.Section().Class("panel").Body(
				app.H2().Text("Password"),
				app.Div().ID("password-form").Class("stacked-form").Body(
					app.Label().For("current-password").Text("Current password"),
					app.Input().ID("current-password").Type("password").Required(true).Attr("autocomplete", "current-password"),
					app.Label().For("new-password").Text("New password (at least 8 characters)"),
					app.Input().ID("new-password").Type("password").Required(true).Attr("autocomplete", "new-password"),
					app.Label().For("new-password-again").Text("New password again"),
					app.Input().ID("new-password-again").Type("password").Required(true).Attr("autocomplete", "new-password"),
					app.Button().ID("change-password").Type("button").Text("Change password").OnClick(a.changePassword),
				),
			),
			app.Section().Class("panel").Body(
				app.H2().Text("API tokens"),
				app.P().Class("muted").Text("A token lets a script act as you: send it as the header Authorization: Bearer <token>. "+
					"It is shown once, when created; revoke it when the script no longer needs it."),
				app.Div().ID("token-form").Class("inline-form").Body(
					app.Label().For("token-label").Text("What is it for?"),
					app.Input().ID("token-label").Type("text").Placeholder("e.g. nightly export").Required(true).MaxLength(100),
					app.Button().ID("create-token").Type("button").Text("Create token").OnClick(a.createToken),
				),
				app.If(a.newToken.Token != "", app.Div().ID("new-token").Class("notice-ok").Body(
					app.P().Text("Your new token for \""+a.newToken.Label+"\" — copy it now, it will not be shown again:"),
					app.Span().Class("token").Text(a.newToken.Token),
				)),
				app.If(a.loaded && len(a.tokens) == 0, app.P().Class("muted").Text("You have no API tokens.")),
				app.If(len(a.tokens) > 0, app.Table().Class("grid").Body(
					app.Tr().Class("head").Body(app.Th().Text("Token"), app.Th().Text("Created"), app.Th()),
					app.Range(a.tokens).Slice(func(i int) app.UI {
						t := a.tokens[i]
						return app.Tr().Body(
							app.Td().Text(t.Label),
							app.Td().Text(t.Created.Local().Format("2006-01-02 15:04")),
							app.Td().Body(app.Button().Class("link danger").Text("Revoke").
								OnClick(func(ctx app.Context, e app.Event) { a.revoke(ctx, t.ID) }, t.ID)),
						)
					}),
				)),
			),
		),
	)
}

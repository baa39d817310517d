package view

import (
	"fmt"

	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"gloss/app/live"
	"gloss/shared/httpapi"
	"gloss/shared/model"
)

// Admin is the site administration page (/admin): create projects and
// accounts. Only site admins may use it; the server enforces that, the
// page just says so.
type Admin struct {
	app.Compo
	me       httpapi.Me
	projects []httpapi.ProjectEntry
	users    []httpapi.Account
	loaded   bool
	err      string
	notice   string
}

// OnNav loads the projects and accounts.
func (a *Admin) OnNav(ctx app.Context) { a.load(ctx) }

func (a *Admin) load(ctx app.Context) {
	var ps []httpapi.ProjectEntry
	var us []httpapi.Account
	loadPage(ctx, cachedUser, func(m httpapi.Me) error {
		if !m.SiteAdmin {
			return nil
		}
		if err := live.GetJSON("/api/projects", &ps); err != nil {
			return err
		}
		return live.GetJSON("/api/users", &us)
	}, func(ctx app.Context, m httpapi.Me, err error) {
		if err != nil {
			a.err = err.Error()
			return
		}
		a.me, a.projects, a.users, a.loaded = m, ps, us, true
	})
}

// The pages' forms are not <form> elements: go-app runs event handlers
// after the browser's event has returned, too late for preventDefault, so
// a submit would reload the page with the fields (passwords!) in the URL.
// Buttons of type "button" read the fields when clicked.

// inputValue reads a form field's current value from the DOM.
func inputValue(id string) string { return app.Window().GetElementByID(id).Get("value").String() }

func clearInput(id string) { app.Window().GetElementByID(id).Set("value", "") }

func (a *Admin) createProject(ctx app.Context, e app.Event) {
	name := inputValue("project-name")
	ctx.Async(func() {
		var p model.Project
		err := live.SendJSON("POST", "/api/projects", httpapi.CreateProjectRequest{Name: name}, &p)
		ctx.Dispatch(func(ctx app.Context) {
			if err != nil {
				a.err = err.Error()
				return
			}
			ctx.Navigate(fmt.Sprintf("/projects/%d/settings", p.ID))
		})
	})
}

func (a *Admin) createUser(ctx app.Context, e app.Event) {
	req := httpapi.CreateUserRequest{
		Name:      inputValue("user-name"),
		Password:  inputValue("user-password"),
		SiteAdmin: app.Window().GetElementByID("user-site-admin").Get("checked").Bool(),
	}
	ctx.Async(func() {
		var u httpapi.Account
		err := live.SendJSON("POST", "/api/users", req, &u)
		ctx.Dispatch(func(ctx app.Context) {
			if err != nil {
				a.err, a.notice = err.Error(), ""
				return
			}
			clearInput("user-name")
			clearInput("user-password")
			a.err = ""
			a.notice = fmt.Sprintf("Created %s. They can log in now, and change the password under their name at the top right. "+
				"Add them to a project under its Settings → Members.", u.Name)
			a.load(ctx)
		})
	})
}

// join makes the site admin an admin of a project they are not in, to
// look after it.
func (a *Admin) join(ctx app.Context, id int64) {
	ctx.Async(func() {
		err := live.SendJSON("POST", fmt.Sprintf("/api/projects/%d/members", id), httpapi.SetMemberRequest{Name: a.me.User.Name, Role: model.RoleAdmin}, nil)
		ctx.Dispatch(func(ctx app.Context) {
			if err != nil {
				a.err = err.Error()
				return
			}
			ctx.Navigate(fmt.Sprintf("/projects/%d/settings", id))
		})
	})
}

// Render draws the page.
func (a *Admin) Render() app.UI {
	ready := "0"
	if a.loaded {
		ready = "1"
	}
	var body app.UI
	switch {
	case !a.loaded:
		body = app.P().Class("loading").Text("Loading…")
	case !a.me.SiteAdmin:
		body = app.P().Class("error").Text("Only site admins can create projects and accounts. Ask one, or run gloss user admin -name " + a.me.User.Name + " on the server.")
	default:
		body = app.Div().Body(
			app.Section().Class("panel").Body(
				app.H2().Text("Projects"),
				app.Div().ID("new-project").Class("inline-form").Body(
					app.Label().For("project-name").Text("New project"),
					app.Input().ID("project-name").Type("text").Placeholder("e.g. Election coverage 2024").Required(true).MaxLength(100),
					app.Button().ID("create-project").Type("button").Text("Create").OnClick(a.createProject),
				),
				app.P().Class("muted").Text("A new project starts with the default labels (claim, figure, attribution) and you as its admin."),
				app.Ul().Class("plain").Body(
					app.Range(a.projects).Slice(func(i int) app.UI {
						p := a.projects[i]
						var action app.UI
						if p.Role == model.RoleAdmin {
							action = app.A().Href(fmt.Sprintf("/projects/%d/settings", p.ID)).Text("Settings")
						} else {
							action = app.Button().Class("link").Text("Join as admin").
								OnClick(func(ctx app.Context, e app.Event) { a.join(ctx, p.ID) }, p.ID)
						}
						role := "not a member"
						if p.Role != "" {
							role = "your role: " + string(p.Role)
						}
						return app.Li().Body(app.Span().Class("strong").Text(p.Name), app.Span().Class("muted").Text(" · "+role+" · "), action)
					}),
				),
			),
			app.Section().Class("panel").Body(
				app.H2().Text("Accounts"),
				app.Div().ID("new-user").Class("stacked-form").Body(
					app.Label().For("user-name").Text("User name (letters, digits, - and _; it also names their annotation layer)"),
					app.Input().ID("user-name").Type("text").Required(true).MaxLength(40).AutoComplete(false),
					app.Label().For("user-password").Text("Initial password (at least 8 characters)"),
					app.Input().ID("user-password").Type("password").Required(true).Attr("autocomplete", "new-password"),
					app.Label().Class("check").Body(
						app.Input().ID("user-site-admin").Type("checkbox"),
						app.Text(" site admin (may create projects and accounts)"),
					),
					app.Button().ID("create-user").Type("button").Text("Create account").OnClick(a.createUser),
				),
				app.Table().Class("grid").Body(
					app.Tr().Class("head").Body(app.Th().Text("User"), app.Th().Text("Site admin")),
					app.Range(a.users).Slice(func(i int) app.UI {
						u := a.users[i]
						admin := ""
						if u.SiteAdmin {
							admin = "yes"
						}
						return app.Tr().Body(app.Td().Text(u.Name), app.Td().Text(admin))
					}),
				),
			),
		)
	}
	return app.Div().Class("admin-page").DataSet("ready", ready).Body(
		topBar(a.me.User.Name),
		app.Main().Class("page").Body(
			app.H1().Text("Site administration"),
			messages("admin-error", a.err, "admin-notice", a.notice),
			body,
		),
	)
}

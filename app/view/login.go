package view

import (
	"github.com/maxence-charriere/go-app/v9/pkg/app"
)

// Login is the login page. Its form posts straight to /api/login, so it
// works before the wasm has loaded; errors come back as ?error=code.
type Login struct {
	app.Compo
	errCode string
	next    string
	mounted bool

	// What was typed into the server's pre-rendered form before the wasm
	// took over, and where the caret was: the wasm's form replaces that
	// one and starts with these.
	name, password string
	focus          string
}

// OnInit runs before the first render, while the pre-rendered form is
// still in the page: what the user typed there is carried over (on a
// slow first visit they type before the wasm has loaded). After a failed
// login the user name comes back from the attempt (gloss.js keeps it).
func (l *Login) OnInit() {
	if !app.IsClient {
		return
	}
	doc := app.Window().Get("document")
	for _, f := range []struct {
		id string
		to *string
	}{{"name", &l.name}, {"password", &l.password}} {
		if el := doc.Call("getElementById", f.id); el.Truthy() {
			*f.to = el.Get("value").String()
		}
	}
	if a := doc.Get("activeElement"); a.Truthy() {
		if id := a.Get("id").String(); id == "name" || id == "password" || id == "login" {
			l.focus = id
		}
	}
	if l.name == "" {
		if v := app.Window().Call("glossLoginName"); v.Truthy() {
			l.name = v.String()
		}
	}
}

// OnMount marks the page as live: the server's pre-rendered copy of the
// form is replaced when the wasm mounts, so tests (and scripts) wait for
// data-ready="1" before typing into it. The focus goes where the user
// was, else to the first empty field (autofocus does nothing on a form
// the wasm inserts).
func (l *Login) OnMount(ctx app.Context) {
	l.mounted = true
	focus := l.focus
	if focus == "" {
		focus = "name"
		if l.name != "" {
			focus = "password"
		}
	}
	ctx.Defer(func(app.Context) {
		if el := app.Window().GetElementByID(focus); el.Truthy() {
			el.Call("focus")
		}
	})
}

// OnNav reads the error and return path from the URL.
func (l *Login) OnNav(ctx app.Context) {
	q := ctx.Page().URL().Query()
	l.errCode, l.next = q.Get("error"), q.Get("next")
}

func (l *Login) errText() string {
	switch l.errCode {
	case "":
		return ""
	case "bad_credentials":
		return "Wrong user name or password."
	case "rate_limited":
		return "Too many attempts. Wait a minute and try again."
	}
	return "Login failed. Try again."
}

// Render draws the form.
func (l *Login) Render() app.UI {
	ready := "0"
	if l.mounted {
		ready = "1"
	}
	return app.Main().Class("login").DataSet("ready", ready).Body(
		app.H1().Body(app.Span().Class("logo").Text("Gloss")),
		app.P().Class("tagline").Text("Claims, figures and attributions in the news — annotated together."),
		app.If(l.errText() != "", app.P().Class("error").ID("login-error").Text(l.errText())),
		app.Form().Method("post").Action("/api/login").Body(
			app.Label().For("name").Text("User name"),
			app.Input().ID("name").Name("name").Type("text").AutoComplete(true).AutoFocus(true).Required(true).Value(l.name).
				OnInput(func(ctx app.Context, e app.Event) { l.name = ctx.JSSrc().Get("value").String() }),
			app.Label().For("password").Text("Password"),
			app.Input().ID("password").Name("password").Type("password").Required(true).Value(l.password).
				OnInput(func(ctx app.Context, e app.Event) { l.password = ctx.JSSrc().Get("value").String() }),
			app.Input().Type("hidden").Name("next").Value(l.next),
			app.Button().ID("login").Type("submit").Text("Log in"),
		),
		app.P().Class("hint").Text("Demo: alice or bob (annotators), rita (reviewer), admin — password gloss-demo."),
	)
}

package view

import (
	"errors"
	"fmt"

	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"gloss/app/live"
	"gloss/shared/model"
)

type docInfo struct {
	ID          int64  `json:"id"`
	Name        string `json:"name"`
	Chars       int    `json:"chars"`
	Annotations int    `json:"annotations"`
}

type projectInfo struct {
	model.Project
	Role      model.Role `json:"role"`
	Documents []docInfo  `json:"documents"`
}

type me struct {
	User     model.User    `json:"user"`
	Projects []projectInfo `json:"projects"`
}

// Home lists the user's projects and their documents.
type Home struct {
	app.Compo
	me     me
	loaded bool
	err    string
}

// OnNav loads the user's projects.
func (h *Home) OnNav(ctx app.Context) {
	ctx.Async(func() {
		var m me
		err := live.FetchJSON("/api/me", &m)
		ctx.Dispatch(func(ctx app.Context) {
			if errors.Is(err, live.ErrUnauthenticated) {
				ctx.Navigate("/login")
				return
			}
			if err != nil {
				h.err = err.Error()
				return
			}
			h.me, h.loaded = m, true
		})
	})
}

// Render draws the project list.
func (h *Home) Render() app.UI {
	ready := "0"
	if h.loaded {
		ready = "1"
	}
	return app.Div().Class("home").DataSet("ready", ready).Body(
		topBar(h.me.User.Name),
		app.Main().Class("projects").Body(
			app.If(h.err != "", app.P().Class("error").Text(h.err)),
			app.If(h.loaded && len(h.me.Projects) == 0, app.P().Text("You are not a member of any project yet.")),
			app.Range(h.me.Projects).Slice(func(i int) app.UI {
				p := h.me.Projects[i]
				return app.Section().Class("project").Body(
					app.H2().Text(p.Name),
					app.P().Class("muted").Text(fmt.Sprintf("Your role: %s · %d documents", p.Role, len(p.Documents))),
					app.Ul().Class("doclist").Body(
						app.Range(p.Documents).Slice(func(j int) app.UI {
							d := p.Documents[j]
							return app.Li().Body(
								app.A().Href(fmt.Sprintf("/doc/%d", d.ID)).Class("doclink").Text(d.Name),
								app.Span().Class("muted").Text(fmt.Sprintf(" %d characters · %d annotations", d.Chars, d.Annotations)),
							)
						}),
					),
					app.A().Class("export").Href(fmt.Sprintf("/api/projects/%d/export?format=jsonl", p.ID)).Text("Export JSONL"),
				)
			}),
		),
	)
}

// topBar is the bar over every signed-in page.
func topBar(user string) app.UI {
	return app.Header().Class("topbar").Body(
		app.A().Href("/").Class("logo").Text("Gloss"),
		app.Span().Class("spacer"),
		app.If(user != "", app.Span().Class("who").Text(user)),
		app.Form().Method("post").Action("/api/logout").Body(app.Button().Class("link").Type("submit").Text("Log out")),
	)
}

package view

import (
	"fmt"
	"strings"

	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"gloss/app/live"
	"gloss/shared/httpapi"
	"gloss/shared/model"
)

// Home lists the user's projects and their documents, with what is
// assigned to them, and links to the pages their roles open.
type Home struct {
	app.Compo
	me     httpapi.Me
	loaded bool
	err    string
	// Per project: the document list's search text and filter
	// (docFilters).
	query  map[int64]string
	filter map[int64]string
	// stories lists each project's stories (GET /api/projects/{id}/stories).
	stories map[int64][]httpapi.Story
}

// docFilters are the document list's filters: value and label.
var docFilters = [][2]string{{"", "all documents"}, {"assigned", "assigned to me"}, {"todo", "assigned to me, not done"}, {"done", "done"}}

// shownDocs are the project's documents that match its search and filter.
func (h *Home) shownDocs(p httpapi.MyProject) []httpapi.MyDoc {
	q := strings.ToLower(strings.TrimSpace(h.query[p.ID]))
	f := h.filter[p.ID]
	var out []httpapi.MyDoc
	for _, d := range p.Documents {
		if q != "" && !strings.Contains(strings.ToLower(d.Name), q) {
			continue
		}
		switch {
		case f == "assigned" && !d.Assigned, f == "todo" && (!d.Assigned || d.Done), f == "done" && !d.Done:
			continue
		}
		out = append(out, d)
	}
	return out
}

// OnNav loads the user's projects.
func (h *Home) OnNav(ctx app.Context) { h.load(ctx) }

func (h *Home) load(ctx app.Context) {
	// Fresh: the project list's counts come with the user.
	loadPage(ctx, freshUser, nil, func(ctx app.Context, m httpapi.Me, err error) {
		if err != nil {
			h.err = err.Error()
			return
		}
		h.me, h.loaded, h.err = m, true, ""
		h.loadStories(ctx)
	})
}

// loadStories fetches the stories of the user's projects. A project
// whose stories cannot be read just shows none: the list is a shortcut.
func (h *Home) loadStories(ctx app.Context) {
	ids := make([]int64, len(h.me.Projects))
	for i, p := range h.me.Projects {
		ids[i] = p.ID
	}
	ctx.Async(func() {
		got := make(map[int64][]httpapi.Story, len(ids))
		for _, id := range ids {
			var ss []httpapi.Story
			if err := live.GetJSON(fmt.Sprintf("/api/projects/%d/stories", id), &ss); err == nil {
				got[id] = ss
			}
		}
		ctx.Dispatch(func(ctx app.Context) { h.stories = got })
	})
}

// setDone marks a document done (or not) for the user.
func (h *Home) setDone(ctx app.Context, doc int64, done bool) {
	ctx.Async(func() {
		err := live.SendJSON("POST", fmt.Sprintf("/api/documents/%d/done", doc), httpapi.Done{Done: done}, nil)
		ctx.Dispatch(func(ctx app.Context) {
			if err != nil {
				h.err = err.Error()
				return
			}
			h.load(ctx)
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
			messages("", h.err, "", ""),
			app.If(h.me.SiteAdmin, app.P().Body(
				app.A().ID("admin-link").Href("/admin").Text("Site administration: projects and accounts"),
			)),
			app.If(h.loaded && len(h.me.Projects) == 0, app.P().Text("You are not a member of any project yet.")),
			app.Range(h.me.Projects).Slice(func(i int) app.UI { return h.project(h.me.Projects[i]) }),
		),
	)
}

func (h *Home) project(p httpapi.MyProject) app.UI {
	assigned, done := 0, 0
	for _, d := range p.Documents {
		if d.Assigned {
			assigned++
			if d.Done {
				done++
			}
		}
	}
	summary := fmt.Sprintf("Your role: %s · %d documents", p.Role, len(p.Documents))
	if assigned > 0 {
		summary += fmt.Sprintf(" · %d assigned to you, %d done", assigned, done)
	}
	canAnnotate := p.Role != model.RoleViewer
	shown := h.shownDocs(p)
	return app.Section().Class("project").DataSet("project", p.ID).Body(
		app.H2().Text(p.Name),
		app.P().Class("muted").Text(summary),
		app.P().Class("project-links").Body(
			app.If(p.Role == model.RoleAdmin,
				app.A().Class("settings-link").Href(fmt.Sprintf("/projects/%d/settings", p.ID)).Text("Settings")),
			app.If(p.Role == model.RoleAdmin || p.Role == model.RoleReviewer,
				app.A().Class("progress-link").Href(fmt.Sprintf("/projects/%d/settings?tab=progress", p.ID)).Text("Progress")),
			app.If(p.Role == model.RoleAdmin || p.Role == model.RoleReviewer,
				app.A().Class("agreement-link").Href(fmt.Sprintf("/projects/%d/agreement", p.ID)).Text("Agreement")),
			// download: go-app routes every other same-site link in-app,
			// where /api/... is an unknown page (its 404).
			app.A().Class("export").Href(fmt.Sprintf("/api/projects/%d/export?format=jsonl", p.ID)).Attr("download", "").Text("Export JSONL"),
		),
		h.storyList(p.ID),
		newGuidelines().Schema(p.Schema),
		app.Div().Class("docfind").Body(
			app.Label().For(fmt.Sprintf("doc-search-%d", p.ID)).Class("sr-only").Text("Search the documents of "+p.Name),
			app.Input().ID(fmt.Sprintf("doc-search-%d", p.ID)).Class("doc-search").Type("search").Placeholder("Find a document by title").
				Value(h.query[p.ID]).OnInput(func(ctx app.Context, e app.Event) {
				if h.query == nil {
					h.query = map[int64]string{}
				}
				h.query[p.ID] = ctx.JSSrc().Get("value").String()
			}, p.ID),
			app.Label().For(fmt.Sprintf("doc-filter-%d", p.ID)).Class("sr-only").Text("Show"),
			app.Select().ID(fmt.Sprintf("doc-filter-%d", p.ID)).Class("doc-filter").OnChange(func(ctx app.Context, e app.Event) {
				if h.filter == nil {
					h.filter = map[int64]string{}
				}
				h.filter[p.ID] = ctx.JSSrc().Get("value").String()
			}, p.ID).Body(
				app.Range(docFilters).Slice(func(i int) app.UI {
					return app.Option().Value(docFilters[i][0]).Selected(docFilters[i][0] == h.filter[p.ID]).Text(docFilters[i][1])
				}),
			),
			app.Span().Class("muted small").Text(fmt.Sprintf(" %d of %d", len(shown), len(p.Documents))),
		),
		app.Ul().Class("doclist").Body(
			app.Range(shown).Slice(func(j int) app.UI {
				d := shown[j]
				var status app.UI = app.Text("")
				switch {
				case d.Assigned && d.Done:
					status = app.Span().Class("badge done").Text("done")
				case d.Assigned:
					status = app.Span().Class("badge assigned").Text("assigned to you")
				}
				var toggle app.UI = app.Text("")
				if canAnnotate && d.Assigned {
					label := "Mark done"
					if d.Done {
						label = "Reopen"
					}
					toggle = app.Button().Class("link done-toggle").DataSet("doc", d.ID).Text(label).
						OnClick(func(ctx app.Context, e app.Event) { h.setDone(ctx, d.ID, !d.Done) }, d.ID, d.Done)
				}
				return app.Li().Body(
					app.A().Href(fmt.Sprintf("/doc/%d", d.ID)).Class("doclink").Text(d.Name),
					app.If(model.CanReview(p.Role), app.Text(" "),
						app.A().Href(fmt.Sprintf("/review/%d", d.ID)).Class("review-link small").Title("Compare the layers and adjudicate").Text("review")),
					app.Span().Class("muted").Text(fmt.Sprintf(" %d characters · %d annotations ", d.Chars, d.Annotations)),
					status, toggle,
				)
			}),
		),
	)
}

// storyList links a project's stories to their story views.
func (h *Home) storyList(project int64) app.UI {
	ss := h.stories[project]
	return app.Div().Class("stories").Body(
		app.If(len(ss) > 0, app.Span().Class("muted").Text("Stories: ")),
		app.Range(ss).Slice(func(i int) app.UI {
			s := ss[i]
			return app.Span().Body(
				app.A().Class("story-link").DataSet("story", s.ID).Href(storyHref(s.ID)).
					Title("Compare the figures of this story's articles").Text(s.Name),
				app.Span().Class("muted small").Text(fmt.Sprintf(" (%d articles) ", len(s.Documents))),
			)
		}),
	)
}

// topBar is the bar over every signed-in page.
func topBar(user string) app.UI {
	return app.Header().Class("topbar").Body(
		app.A().Href("/").Class("logo").Text("Gloss"),
		app.Span().Class("spacer"),
		app.If(user != "", app.A().Class("who").Href("/account").Title("Your account: password, API tokens").Text(user)),
		app.Button().ID("logout").Class("link").Type("button").Text("Log out").OnClick(logout),
	)
}

// logout ends the session (a POST with the CSRF token, which a plain form
// could not send) and goes to the login page whatever the answer.
func logout(ctx app.Context, e app.Event) {
	ctx.Async(func() {
		live.SendJSON("POST", "/api/logout", nil, nil)
		live.SetCSRF("")
		ctx.Dispatch(func(ctx app.Context) { app.Window().Get("location").Set("href", "/login") })
	})
}

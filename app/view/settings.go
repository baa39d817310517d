package view

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"gloss/app/live"
	"gloss/shared/httpapi"
	"gloss/shared/model"
)

// ProjectSettings is a project's administration (/projects/{id}/settings):
// tabs for the label schema, members, documents and their assignment,
// import, progress and options. Admins see every tab, reviewers only progress.
// Each tab is its own component and loads its own data when shown.
type ProjectSettings struct {
	app.Compo
	id      int64
	project model.Project
	role    model.Role
	user    string
	tab     string
	loaded  bool
	err     string
}

// settingsTabs are the tabs in order, with their titles.
var settingsTabs = []struct{ id, title string }{
	{"schema", "Labels"},
	{"members", "Members"},
	{"documents", "Documents & assignment"},
	{"import", "Import"},
	{"progress", "Progress"},
	{"options", "Options"},
}

// OnNav reads the project and tab from the URL and loads the project.
func (s *ProjectSettings) OnNav(ctx app.Context) {
	u := ctx.Page().URL()
	id, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimPrefix(u.Path, "/projects/"), "/settings"), 10, 64)
	if err != nil {
		s.err = "no such project"
		return
	}
	s.id, s.tab = id, u.Query().Get("tab")
	var p httpapi.ProjectView
	loadPage(ctx, cachedUser, func(httpapi.Me) error { return live.GetJSON(fmt.Sprintf("/api/projects/%d", id), &p) },
		func(ctx app.Context, m httpapi.Me, err error) {
			if err != nil {
				s.err = err.Error()
				return
			}
			s.project, s.role, s.user, s.loaded = p.Project, p.Role, m.User.Name, true
			if !s.allowed(s.tab) {
				s.tab = s.firstTab()
			}
		})
}

// allowed reports whether the user's role opens tab.
func (s *ProjectSettings) allowed(tab string) bool {
	switch s.role {
	case model.RoleAdmin:
		for _, t := range settingsTabs {
			if t.id == tab {
				return true
			}
		}
	case model.RoleReviewer:
		return tab == "progress"
	}
	return false
}

func (s *ProjectSettings) firstTab() string {
	for _, t := range settingsTabs {
		if s.allowed(t.id) {
			return t.id
		}
	}
	return ""
}

// Render draws the tabs and the open one.
func (s *ProjectSettings) Render() app.UI {
	ready := "0"
	if s.loaded {
		ready = "1"
	}
	var content app.UI = app.P().Class("loading").Text("Loading…")
	if s.loaded {
		switch s.tab {
		case "schema":
			content = newSchemaEditor().Project(s.project).OnSaved(func(p model.Project) { s.project = p })
		case "members":
			content = newMembers().ProjectID(s.id).User(s.user)
		case "documents":
			content = newAssignments().ProjectID(s.id)
		case "import":
			content = newImporter().ProjectID(s.id)
		case "progress":
			content = newProgress().ProjectID(s.id)
		case "options":
			content = newProjectOptions().ProjectID(s.id)
		default:
			content = app.P().Class("error").Text("Only the project's admins (and, for progress, its reviewers) can open its settings.")
		}
	}
	return app.Div().Class("settings").DataSet("ready", ready).Body(
		topBar(s.user),
		app.Main().Class("page").Body(
			app.P().Body(app.A().Href("/").Text("← Projects")),
			app.H1().Text(s.project.Name),
			messages("", s.err, "", ""),
			app.Div().Class("tabs").Body(
				app.Range(settingsTabs).Slice(func(i int) app.UI {
					t := settingsTabs[i]
					if !s.allowed(t.id) {
						return app.Text("")
					}
					cls := "tab"
					if t.id == s.tab {
						cls += " active"
					}
					return app.Button().ID("tab-"+t.id).Class(cls).Type("button").Text(t.title).
						OnClick(func(ctx app.Context, e app.Event) {
							s.tab = t.id
							// Keep the tab in the URL for reloads and links, without a navigation.
							app.Window().Get("history").Call("replaceState", nil, "", fmt.Sprintf("/projects/%d/settings?tab=%s", s.id, t.id))
						}, t.id)
				}),
			),
			content,
		),
	)
}

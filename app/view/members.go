package view

import (
	"fmt"

	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"gloss/app/live"
	"gloss/shared/httpapi"
	"gloss/shared/model"
)

// Members lists a project's members with their roles, and adds, changes
// and removes them.
type Members struct {
	app.Compo
	IProjectID int64
	IUser      string

	members []httpapi.Member
	loaded  bool
	err     string
	notice  string
}

// roleHelp says what each role may do, as the server enforces it.
var roleHelp = []struct {
	role model.Role
	what string
}{
	{model.RoleAnnotator, "annotates in their own layer"},
	{model.RoleReviewer, "sees every layer, edits the gold layer, sees progress"},
	{model.RoleAdmin, "everything: labels, members, documents, import"},
	{model.RoleViewer, "reads only"},
}

func newMembers() *Members { return &Members{} }

// ProjectID sets the project.
func (m *Members) ProjectID(id int64) *Members { m.IProjectID = id; return m }

// User sets who is looking (to mark them in the list).
func (m *Members) User(name string) *Members { m.IUser = name; return m }

// OnMount loads the members.
func (m *Members) OnMount(ctx app.Context) { m.load(ctx) }

func (m *Members) load(ctx app.Context) {
	id := m.IProjectID
	ctx.Async(func() {
		var ms []httpapi.Member
		err := live.GetJSON(fmt.Sprintf("/api/projects/%d/members", id), &ms)
		ctx.Dispatch(func(ctx app.Context) {
			if err != nil {
				m.err = err.Error()
				return
			}
			m.members, m.loaded = ms, true
		})
	})
}

func (m *Members) set(ctx app.Context, name string, role model.Role, then func()) {
	ctx.Async(func() {
		err := live.SendJSON("POST", fmt.Sprintf("/api/projects/%d/members", m.IProjectID), httpapi.SetMemberRequest{Name: name, Role: role}, nil)
		ctx.Dispatch(func(ctx app.Context) {
			if err != nil {
				m.err, m.notice = err.Error(), ""
				m.load(ctx) // puts a refused role change back in the list
				return
			}
			m.err, m.notice = "", fmt.Sprintf("%s is now %s.", name, role)
			if then != nil {
				then()
			}
			m.load(ctx)
		})
	})
}

func (m *Members) remove(ctx app.Context, u model.User) {
	ctx.Async(func() {
		err := live.SendJSON("DELETE", fmt.Sprintf("/api/projects/%d/members/%d", m.IProjectID, u.ID), nil, nil)
		ctx.Dispatch(func(ctx app.Context) {
			if err != nil {
				m.err, m.notice = err.Error(), ""
				return
			}
			m.err, m.notice = "", u.Name+" was removed from the project; their annotations stay."
			m.load(ctx)
		})
	})
}

func (m *Members) add(ctx app.Context, e app.Event) {
	name := inputValue("member-name")
	role := model.Role(inputValue("member-role"))
	m.set(ctx, name, role, func() { clearInput("member-name") })
}

func roleSelect(id, label string, current model.Role, onChange app.EventHandler, scope ...any) app.UI {
	sel := app.Select().Class("role-select").Aria("label", label).OnChange(onChange, scope...)
	if id != "" {
		sel = sel.ID(id)
	}
	return sel.Body(
		app.Range(roleHelp).Slice(func(i int) app.UI {
			r := roleHelp[i].role
			return app.Option().Value(string(r)).Selected(r == current).Text(string(r))
		}),
	)
}

// Render draws the member table and the add form.
func (m *Members) Render() app.UI {
	ready := "0"
	if m.loaded {
		ready = "1"
	}
	return app.Section().Class("panel members").DataSet("ready", ready).Body(
		app.H2().Text("Members"),
		app.Ul().Class("muted small").Body(
			app.Range(roleHelp).Slice(func(i int) app.UI {
				return app.Li().Body(app.Span().Class("strong").Text(string(roleHelp[i].role)), app.Text(": "+roleHelp[i].what))
			}),
		),
		messages("members-error", m.err, "members-notice", m.notice),
		app.Table().Class("grid").Body(
			app.Tr().Class("head").Body(app.Th().Text("User"), app.Th().Text("Role"), app.Th()),
			app.Range(m.members).Slice(func(i int) app.UI {
				mb := m.members[i]
				name := mb.User.Name
				if name == m.IUser {
					name += " (you)"
				}
				return app.Tr().DataSet("member", mb.User.Name).Body(
					app.Td().Text(name),
					app.Td().Body(roleSelect("", "Role of "+mb.User.Name, mb.Role, func(ctx app.Context, e app.Event) {
						m.set(ctx, mb.User.Name, model.Role(ctx.JSSrc().Get("value").String()), nil)
					}, mb.User.ID, mb.Role)),
					app.Td().Body(app.Button().Class("link danger").Type("button").Text("Remove").
						OnClick(func(ctx app.Context, e app.Event) { m.remove(ctx, mb.User) }, mb.User.ID)),
				)
			}),
		),
		app.Div().ID("add-member").Class("inline-form").Body(
			app.Label().For("member-name").Text("Add"),
			app.Input().ID("member-name").Type("text").Placeholder("user name").Required(true),
			app.Label().For("member-role").Text("as"),
			roleSelect("member-role", "Role", model.RoleAnnotator, func(app.Context, app.Event) {}),
			app.Button().ID("add-member-button").Type("button").Text("Add member").OnClick(m.add),
		),
		app.P().Class("muted small").Text("Accounts are created by a site admin (Site administration, or gloss user add)."),
	)
}

package view

import (
	"fmt"

	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"gloss/app/live"
	"gloss/shared/httpapi"
	"gloss/shared/model"
)

// Assignments is a project's documents against the members who annotate:
// a tick gives a document to someone (or takes it back), and a "done"
// shows who has finished it.
type Assignments struct {
	app.Compo
	IProjectID int64

	docs    []httpapi.DocumentInfo
	people  []httpapi.Member // members who can be given documents (not viewers)
	byCell  map[string]httpapi.Assignment
	loaded  bool
	err     string
	working bool
}

func newAssignments() *Assignments { return &Assignments{} }

// ProjectID sets the project.
func (a *Assignments) ProjectID(id int64) *Assignments { a.IProjectID = id; return a }

// OnMount loads documents, members and assignments.
func (a *Assignments) OnMount(ctx app.Context) { a.load(ctx) }

func cellKey(doc int64, user string) string { return fmt.Sprintf("%d/%s", doc, user) }

func (a *Assignments) load(ctx app.Context) {
	id := a.IProjectID
	ctx.Async(func() {
		var docs []httpapi.DocumentInfo
		var ms []httpapi.Member
		var as []httpapi.Assignment
		err := live.GetJSON(fmt.Sprintf("/api/projects/%d/documents", id), &docs)
		if err == nil {
			err = live.GetJSON(fmt.Sprintf("/api/projects/%d/members", id), &ms)
		}
		if err == nil {
			err = live.GetJSON(fmt.Sprintf("/api/projects/%d/assignments", id), &as)
		}
		ctx.Dispatch(func(ctx app.Context) {
			if err != nil {
				a.err = err.Error()
				return
			}
			a.docs, a.people = docs, nil
			// Annotators first: they are who documents are usually given to.
			for _, want := range []model.Role{model.RoleAnnotator, model.RoleReviewer, model.RoleAdmin} {
				for _, m := range ms {
					if m.Role == want {
						a.people = append(a.people, m)
					}
				}
			}
			a.byCell = map[string]httpapi.Assignment{}
			for _, x := range as {
				a.byCell[cellKey(x.Document, x.User)] = x
			}
			a.loaded, a.working = true, false
		})
	})
}

func (a *Assignments) assign(ctx app.Context, user string, docs []int64, assigned bool) {
	a.working = true
	ctx.Async(func() {
		err := live.SendJSON("POST", fmt.Sprintf("/api/projects/%d/assignments", a.IProjectID),
			httpapi.AssignRequest{User: user, Documents: docs, Assigned: assigned}, nil)
		ctx.Dispatch(func(ctx app.Context) {
			if err != nil {
				a.err = err.Error()
			} else {
				a.err = ""
			}
			a.load(ctx)
		})
	})
}

func (a *Assignments) allDocs() []int64 {
	ids := make([]int64, len(a.docs))
	for i, d := range a.docs {
		ids[i] = d.ID
	}
	return ids
}

// Render draws the table.
func (a *Assignments) Render() app.UI {
	ready := "0"
	if a.loaded {
		ready = "1"
	}
	return app.Section().Class("panel assignments").DataSet("ready", ready).Body(
		app.H2().Text("Documents & assignment"),
		app.P().Class("muted").Text("Tick a box to give a document to someone; they see it as assigned on their project list and mark it done there."),
		messages("assign-error", a.err, "", ""),
		app.If(a.loaded && len(a.docs) == 0, app.P().Text("No documents yet: import some under Import.")),
		app.If(len(a.docs) > 0, app.Div().Class("scroll").Body(app.Table().Class("grid assign-table").Body(
			app.Tr().Class("head").Body(
				app.Th().Text("Document"),
				app.Range(a.people).Slice(func(i int) app.UI {
					p := a.people[i]
					return app.Th().Body(
						app.Div().Text(p.User.Name),
						app.Div().Class("muted small").Text(string(p.Role)),
						app.Button().Class("link small assign-all").DataSet("user", p.User.Name).Type("button").Disabled(a.working).Text("all").
							Title("Give every document to "+p.User.Name).
							OnClick(func(ctx app.Context, e app.Event) { a.assign(ctx, p.User.Name, a.allDocs(), true) }, p.User.Name),
					)
				}),
			),
			app.Range(a.docs).Slice(func(i int) app.UI {
				d := a.docs[i]
				return app.Tr().Body(
					app.Td().Body(app.A().Href(fmt.Sprintf("/doc/%d", d.ID)).Text(d.Name),
						app.Span().Class("muted small").Text(fmt.Sprintf(" %d chars", d.Chars))),
					app.Range(a.people).Slice(func(j int) app.UI {
						p := a.people[j]
						x, assigned := a.byCell[cellKey(d.ID, p.User.Name)]
						return app.Td().Class("cell").Body(
							app.Input().Type("checkbox").Class("assign").DataSet("doc", d.ID).DataSet("user", p.User.Name).
								Checked(assigned).Disabled(a.working).
								OnChange(func(ctx app.Context, e app.Event) {
									a.assign(ctx, p.User.Name, []int64{d.ID}, ctx.JSSrc().Get("checked").Bool())
								}, d.ID, p.User.Name),
							app.If(x.Done, app.Span().Class("badge done").Text("done")),
						)
					}),
				)
			}),
		))),
	)
}

package view

import (
	"fmt"
	"strconv"

	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"gloss/app/live"
	"gloss/shared/httpapi"
)

// Progress shows where a project stands: per annotator (assigned, done,
// in progress, not started; spans per label in their layer) and per
// document (each assignee's status; spans per label over all layers).
type Progress struct {
	app.Compo
	IProjectID int64

	report httpapi.Progress
	loaded bool
	err    string
}

func newProgress() *Progress { return &Progress{} }

// ProjectID sets the project.
func (p *Progress) ProjectID(id int64) *Progress { p.IProjectID = id; return p }

// OnMount loads the report.
func (p *Progress) OnMount(ctx app.Context) { p.load(ctx) }

func (p *Progress) load(ctx app.Context) {
	id := p.IProjectID
	ctx.Async(func() {
		var r httpapi.Progress
		err := live.GetJSON(fmt.Sprintf("/api/projects/%d/progress", id), &r)
		ctx.Dispatch(func(ctx app.Context) {
			if err != nil {
				p.err = err.Error()
				return
			}
			p.report, p.loaded, p.err = r, true, ""
		})
	})
}

var statusText = map[string]string{"done": "done", "in_progress": "in progress", "not_started": "not started"}

// Render draws the two tables.
func (p *Progress) Render() app.UI {
	ready := "0"
	if p.loaded {
		ready = "1"
	}
	r := p.report
	labelCells := func(spans map[string]int) []app.UI {
		cells := make([]app.UI, len(r.Labels))
		for i, l := range r.Labels {
			cells[i] = app.Td().Class("num").Text(strconv.Itoa(spans[l]))
		}
		return cells
	}
	// A node can appear in one place only: each table gets its own heads.
	labelHeads := func() []app.UI {
		heads := make([]app.UI, len(r.Labels))
		for i, l := range r.Labels {
			heads[i] = app.Th().Class("num").Text(l)
		}
		return heads
	}
	return app.Section().Class("panel progress").DataSet("ready", ready).Body(
		app.H2().Text("Progress"),
		app.If(p.err != "", app.P().Class("error").Text(p.err)),
		app.Button().Class("link").Type("button").Text("Refresh").OnClick(func(ctx app.Context, e app.Event) { p.load(ctx) }),
		app.H2().Class("sub").Text("By annotator"),
		app.If(p.loaded && len(r.Annotators) == 0, app.P().Class("muted").Text("No annotators yet.")),
		app.Div().Class("scroll").Body(app.Table().ID("progress-annotators").Class("grid").Body(
			app.Tr().Class("head").Body(append([]app.UI{
				app.Th().Text("Annotator"), app.Th().Class("num").Text("Assigned"), app.Th().Class("num").Text("Done"),
				app.Th().Class("num").Text("In progress"), app.Th().Class("num").Text("Not started"),
			}, labelHeads()...)...),
			app.Range(r.Annotators).Slice(func(i int) app.UI {
				a := r.Annotators[i]
				return app.Tr().DataSet("user", a.User).Body(append([]app.UI{
					app.Td().Text(a.User),
					app.Td().Class("num").Text(strconv.Itoa(a.Assigned)),
					app.Td().Class("num").Text(strconv.Itoa(a.Done)),
					app.Td().Class("num").Text(strconv.Itoa(a.InProgress)),
					app.Td().Class("num").Text(strconv.Itoa(a.NotStarted)),
				}, labelCells(a.Spans)...)...)
			}),
		)),
		app.H2().Class("sub").Text("By document"),
		app.Div().Class("scroll").Body(app.Table().ID("progress-documents").Class("grid").Body(
			app.Tr().Class("head").Body(append([]app.UI{
				app.Th().Text("Document"), app.Th().Text("Assignees"),
			}, append(labelHeads(), app.Th().Class("num").Text("gold"))...)...),
			app.Range(r.Documents).Slice(func(i int) app.UI {
				d := r.Documents[i]
				return app.Tr().DataSet("doc", d.ID).Body(append([]app.UI{
					app.Td().Body(app.A().Href(fmt.Sprintf("/doc/%d", d.ID)).Text(d.Name)),
					app.Td().Body(
						app.If(len(d.Assignees) == 0, app.Span().Class("muted").Text("not assigned")),
						app.Range(d.Assignees).Slice(func(j int) app.UI {
							s := d.Assignees[j]
							return app.Span().Class("badge " + s.Status).Title(fmt.Sprintf("%d span(s) in %s's layer", s.Spans, s.User)).
								Text(s.User + ": " + statusText[s.Status])
						}),
					),
				}, append(labelCells(d.Spans), app.Td().Class("num").Text(strconv.Itoa(d.Gold)))...)...)
			}),
		)),
	)
}

package view

import (
	"fmt"
	"net/url"
	"sort"

	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"gloss/shared/model"
)

// ExportDialog lets a user download the project's dataset: format,
// layer, labels, review statuses and whether to include only the open document.
type ExportDialog struct {
	app.Compo
	project int64
	doc     int64
	layers  []string
	schema  model.Schema
	onClose func()

	format  string
	layer   string
	labels  map[string]bool
	reviews map[string]bool
	thisDoc bool
}

// reviewStatuses are the review filter's choices, in the order offered.
var reviewStatuses = []string{string(model.ReviewUnreviewed), string(model.ReviewAccepted), string(model.ReviewRejected), string(model.ReviewEdited)}

func newExportDialog() *ExportDialog { return &ExportDialog{format: "jsonl", thisDoc: true} }

// Project sets the project and the open document.
func (x *ExportDialog) Project(project, doc int64) *ExportDialog {
	x.project, x.doc = project, doc
	return x
}

// Layers sets the layers offered (annotators present, plus gold).
func (x *ExportDialog) Layers(ls []string) *ExportDialog {
	x.layers = append([]string(nil), ls...)
	sort.Strings(x.layers)
	return x
}

// Schema sets the labels offered.
func (x *ExportDialog) Schema(s model.Schema) *ExportDialog { x.schema = s; return x }

// OnClose sets what closing the dialog does.
func (x *ExportDialog) OnClose(f func()) *ExportDialog { x.onClose = f; return x }

func (x *ExportDialog) href() string {
	q := url.Values{"format": {x.format}}
	if x.layer != "" {
		q.Set("layer", x.layer)
	}
	for _, l := range x.schema.Labels {
		if x.labels[l.Name] {
			q.Add("label", l.Name)
		}
	}
	for _, r := range reviewStatuses {
		if x.reviews[r] {
			q.Add("review", r)
		}
	}
	if x.thisDoc {
		q.Set("doc", fmt.Sprint(x.doc))
	}
	return fmt.Sprintf("/api/projects/%d/export?%s", x.project, q.Encode())
}

// OnMount puts the focus in the dialog (gloss.js keeps it there until
// it closes).
func (x *ExportDialog) OnMount(ctx app.Context) {
	ctx.Defer(func(app.Context) { app.Window().Call("glossFocus", "export-format") })
}

// Render draws the dialog.
func (x *ExportDialog) Render() app.UI {
	if x.labels == nil {
		x.labels = map[string]bool{}
	}
	if x.reviews == nil {
		x.reviews = map[string]bool{}
	}
	formats := [][2]string{
		{"jsonl", "JSONL (spaCy / doccano spans)"},
		{"conll", "CoNLL IOB2, one column per label"},
		{"w3c", "W3C Web Annotation (JSON-LD)"},
		{"brat", "brat standoff (.zip)"},
		{"card", "Dataset card (JSON)"},
	}
	return app.Div().ID("export").Class("overlay").Body(
		app.Div().Class("card").Attr("role", "dialog").Attr("aria-modal", "true").Attr("aria-labelledby", "export-title").Body(
			app.H2().ID("export-title").Text("Export dataset"),
			app.Label().For("export-format").Text("Format "),
			app.Select().ID("export-format").OnChange(func(ctx app.Context, e app.Event) { x.format = ctx.JSSrc().Get("value").String() }).Body(
				app.Range(formats).Slice(func(i int) app.UI {
					return app.Option().Value(formats[i][0]).Selected(formats[i][0] == x.format).Text(formats[i][1])
				}),
			),
			app.P().Body(
				app.Label().For("export-layer").Text("Layer "),
				app.Select().ID("export-layer").OnChange(func(ctx app.Context, e app.Event) { x.layer = ctx.JSSrc().Get("value").String() }).Body(
					app.Option().Value("").Selected(x.layer == "").Text("all layers"),
					app.Range(x.layers).Slice(func(i int) app.UI {
						return app.Option().Value(x.layers[i]).Selected(x.layers[i] == x.layer).Text(x.layers[i])
					}),
				),
			),
			app.P().Body(
				app.Text("Labels (none ticked = all): "),
				app.Range(x.schema.Labels).Slice(func(i int) app.UI {
					l := x.schema.Labels[i].Name
					return app.Label().Body(app.Input().Type("checkbox").Checked(x.labels[l]).
						OnChange(func(ctx app.Context, e app.Event) { x.labels[l] = ctx.JSSrc().Get("checked").Bool() }, l), app.Text(" "+l+" "))
				}),
			),
			app.P().Body(
				app.Text("Review status (none ticked = all): "),
				app.Range(reviewStatuses).Slice(func(i int) app.UI {
					r := reviewStatuses[i]
					return app.Label().Body(app.Input().Type("checkbox").Checked(x.reviews[r]).
						OnChange(func(ctx app.Context, e app.Event) { x.reviews[r] = ctx.JSSrc().Get("checked").Bool() }, r), app.Text(" "+r+" "))
				}),
			),
			app.P().Body(app.Label().Body(
				app.Input().Type("checkbox").Checked(x.thisDoc).OnChange(func(ctx app.Context, e app.Event) { x.thisDoc = ctx.JSSrc().Get("checked").Bool() }),
				app.Text(" only this document"),
			)),
			app.P().Body(
				app.A().ID("export-download").Class("button").Href(x.href()).Attr("download", "").Text("Download"),
				app.Text(" "),
				app.Button().Class("link").Text("Close").OnClick(func(ctx app.Context, e app.Event) {
					if x.onClose != nil {
						x.onClose()
					}
				}),
			),
		),
	)
}

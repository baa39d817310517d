package view

import (
	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"gloss/shared/model"
)

// Guidelines is a project's annotation manual in brief: each label with
// its colour, shortcut key and guideline, folded until opened.
type Guidelines struct {
	app.Compo
	ISchema model.Schema
}

func newGuidelines() *Guidelines { return &Guidelines{} }

// Schema sets the labels to list.
func (g *Guidelines) Schema(s model.Schema) *Guidelines { g.ISchema = s; return g }

// Render draws the panel.
func (g *Guidelines) Render() app.UI {
	return app.Details().Class("guidelines").Body(
		app.Summary().Text("Guidelines"),
		app.Div().Class("dl").Body(
			app.Range(g.ISchema.Labels).Slice(func(i int) app.UI {
				l := g.ISchema.Labels[i]
				key := ""
				if l.Key != "" {
					key = " (key " + l.Key + ")"
				}
				guideline := l.Guideline
				if guideline == "" {
					guideline = "No guideline yet."
				}
				return app.Div().Class("guideline").DataSet("label", l.Name).Body(
					app.Div().Class("dt").Body(app.Span().Class("tag").Style("--c", model.DisplayColor(l.Color)).Style("--ink", inkFor(l.Color)).Text(l.Name), app.Text(key)),
					app.Div().Class("dd").Text(guideline),
				)
			}),
			app.If(len(g.ISchema.Relations) > 0, app.Div().Class("guideline").Body(
				app.Div().Class("dt").Text("Relations"),
				app.Div().Class("dd").Text(joinComma(g.ISchema.Relations)),
			)),
		),
	)
}

func joinComma(xs []string) string {
	s := ""
	for i, x := range xs {
		if i > 0 {
			s += ", "
		}
		s += x
	}
	return s
}

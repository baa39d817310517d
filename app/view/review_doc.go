package view

import (
	"fmt"
	"strings"

	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"gloss/app/markup"
	"gloss/shared/model"
	"gloss/shared/review"
)

// The review page's document and side panel. The document is hand-built
// HTML (app/markup, which escapes everything) set through one app.Raw:
// a news article re-renders in a few milliseconds, and the page changes
// only on review actions.

// spanClasses returns the extra highlight classes by annotation ID:
// "dis" for a side of an open disagreement, "dis-ok" of a resolved one,
// "cur" for the current one's sides, "rej" for rejected spans, "gold" for
// gold spans.
func (r *Review) spanClasses() map[string]string {
	cls := map[string][]string{}
	for _, d := range r.result.Disagreements {
		c := "dis"
		if d.Resolved() {
			c = "dis-ok"
		}
		for _, side := range []*model.Annotation{d.A, d.B} {
			if side == nil {
				continue
			}
			cls[side.ID] = append(cls[side.ID], c)
			if d.Key() == r.cur {
				cls[side.ID] = append(cls[side.ID], "cur")
			}
		}
	}
	for id, rv := range r.sess.Reviews() {
		if rv.Status == model.ReviewRejected {
			cls[id] = append(cls[id], "rej")
		}
	}
	for _, g := range r.byLayer[model.GoldLayer] {
		cls[g.ID] = append(cls[g.ID], "gold")
	}
	out := make(map[string]string, len(cls))
	for id, cs := range cls {
		out[id] = strings.Join(cs, " ")
	}
	return out
}

// marks turns annotations into highlights; faded draws them lighter.
func (r *Review) marks(anns []model.Annotation, classes map[string]string, faded func(model.Annotation) bool) []markup.Mark {
	colors := map[string]string{}
	for _, l := range r.sess.Schema.Labels {
		colors[l.Name] = l.Color
	}
	out := make([]markup.Mark, len(anns))
	for i, a := range anns {
		out[i] = markup.Mark{ID: a.ID, Start: a.Start, End: a.End, Style: markup.Style{Color: colors[a.Label], Faded: faded(a)},
			Selected: a.ID == r.selected, Class: classes[a.ID]}
	}
	return out
}

// renderDoc builds the document's HTML for the mode.
func (r *Review) renderDoc() string {
	classes := r.spanClasses()
	never := func(model.Annotation) bool { return false }
	var b strings.Builder
	column := func(cls string, marks []markup.Mark) {
		by := markup.ByParagraph(r.paras, marks)
		b.WriteString(`<div class="paras `)
		b.WriteString(cls)
		b.WriteString(`">`)
		for i, p := range r.paras {
			b.WriteString(markup.Paragraph(p, by[i]))
		}
		b.WriteString(`</div>`)
	}
	switch r.mode {
	case modeSide:
		byA := markup.ByParagraph(r.paras, r.marks(r.byLayer[r.a], classes, never))
		byB := markup.ByParagraph(r.paras, r.marks(r.byLayer[r.b], classes, never))
		b.WriteString(`<div class="sbs"><div class="pair head"><div class="colhead">A · `)
		b.WriteString(markup.Escape(r.a))
		b.WriteString(`</div><div class="colhead">B · `)
		b.WriteString(markup.Escape(r.b))
		b.WriteString(`</div></div>`)
		for i, p := range r.paras {
			b.WriteString(`<div class="pair">`)
			b.WriteString(markup.Paragraph(p, byA[i]))
			b.WriteString(markup.Paragraph(p, byB[i]))
			b.WriteString(`</div>`)
		}
		b.WriteString(`</div>`)
	case modeAlone:
		layer := r.alone
		if layer == "" {
			layer = r.a
		}
		column("alone", r.marks(r.byLayer[layer], classes, never))
	default:
		// Every layer; the analysts' lighter than gold, so that what gold
		// already holds stands out.
		var all []model.Annotation
		for _, l := range r.layers {
			all = append(all, r.byLayer[l]...)
		}
		all = append(all, r.byLayer[model.GoldLayer]...)
		column("merged", r.marks(all, classes, func(a model.Annotation) bool { return a.Layer != model.GoldLayer }))
	}
	return `<div id="review-text" class="review-text">` + b.String() + `</div>`
}

// panel is the side panel: status, the current disagreement, the list,
// the selected span's thread and the gold layer.
func (r *Review) panel() app.UI {
	return app.Aside().Class("side review-side").Body(
		r.statusBox(),
		r.currentBox(),
		r.disagreementList(),
		r.threadBox(),
		r.goldList(),
	)
}

var docStatusText = map[model.DocStatus]string{
	model.DocNotReviewed: "not reviewed",
	model.DocInReview:    "in review",
	model.DocAdjudicated: "adjudicated",
}

func (r *Review) statusBox() app.UI {
	s := r.sess
	st := s.DocReview().State()
	statuses := []model.DocStatus{model.DocNotReviewed, model.DocInReview, model.DocAdjudicated}
	open := r.result.Open()
	agreed := 0
	for _, d := range r.result.Agreed {
		if !d.Resolved() {
			agreed++
		}
	}
	count := fmt.Sprintf("%d disagreements between %s and %s · %d open", len(r.result.Disagreements), orNone(r.a), orNone(r.b), open)
	return app.Div().Class("review-status").Body(
		app.Label().Body(
			app.Text("Document: "),
			app.Select().ID("docstatus").DataSet("status", string(st)).Disabled(!model.CanReview(s.You.Role)).
				OnChange(func(ctx app.Context, e app.Event) { r.setDocStatus(model.DocStatus(ctx.JSSrc().Get("value").String())) }).
				Body(app.Range(statuses).Slice(func(i int) app.UI {
					return app.Option().Value(string(statuses[i])).Selected(statuses[i] == st).Text(docStatusText[statuses[i]])
				})),
		),
		app.P().ID("dis-count").DataSet("open", open).DataSet("total", len(r.result.Disagreements)).Text(count),
		app.If(open == 0 && len(r.result.Disagreements) > 0 && st != model.DocAdjudicated,
			app.P().Class("small muted").Text("Every disagreement is resolved: set the document to adjudicated when gold is complete.")),
		app.If(agreed > 0 && model.CanReview(s.You.Role),
			app.Button().ID("accept-agreed").Class("small").Title("Copy every span A and B agree on into gold").
				Text(fmt.Sprintf("Accept the %d spans both agree on", agreed)).
				OnClick(func(ctx app.Context, e app.Event) { r.acceptAgreed() })),
	)
}

func orNone(layer string) string {
	if layer == "" {
		return "—"
	}
	return layer
}

var kindText = map[review.Kind]string{
	review.KindLabel:    "Same span, different labels",
	review.KindBoundary: "Overlapping spans, different boundaries",
	review.KindOnlyA:    "Only in A",
	review.KindOnlyB:    "Only in B",
}

var resolutionText = map[review.Resolution]string{
	review.Open:             "open",
	review.ResolvedA:        "gold has A's version",
	review.ResolvedB:        "gold has B's version",
	review.ResolvedGold:     "gold has its own version",
	review.ResolvedRejected: "rejected",
}

// sideUI shows one side of a disagreement.
func (r *Review) sideUI(name, layer string, a *model.Annotation) app.UI {
	if a == nil {
		return app.Div().Class("dside none").Body(app.Span().Class("muted").Text(name + " · " + orNone(layer) + ": nothing here"))
	}
	status := ""
	if rv, ok := r.sess.Review(a.ID); ok && rv.Status != model.ReviewUnreviewed {
		status = string(rv.Status)
	}
	ann := *a
	return app.Div().Class("dside").DataSet("id", a.ID).OnClick(func(ctx app.Context, e app.Event) { r.selectAnn(ann.ID) }, ann.ID).Body(
		app.Span().Class("muted").Text(name+" · "+layer+" "),
		app.Span().Class("tag").Style("--c", r.labelColor(a.Label)).Style("--ink", inkFor(r.labelColor(a.Label))).Text(a.Label),
		app.Text(" "),
		app.Q().Text(model.Clip(a.Quote, 140)),
		app.If(status != "", app.Span().Class("rstatus "+status).Text(status)),
		app.If(r.sess.CommentCount(a.ID) > 0, app.Span().Class("ccount").Text(fmt.Sprintf("💬 %d", r.sess.CommentCount(a.ID)))),
	)
}

func (r *Review) labelColor(label string) string {
	if l, ok := r.sess.Schema.Label(label); ok {
		return model.DisplayColor(l.Color)
	}
	return model.FallbackColor
}

func (r *Review) currentBox() app.UI {
	d, ok := r.current()
	if !ok {
		hint := "Press n for the first disagreement."
		if len(r.result.Disagreements) == 0 {
			hint = "No disagreements between these layers."
		}
		return app.Div().ID("cur-dis").Class("curdis empty").Body(app.P().Class("muted").Text(hint))
	}
	can := model.CanReview(r.sess.You.Role)
	btn := func(id, key, label string, enabled bool, f func()) app.UI {
		return app.Button().ID(id).Class("small").Disabled(!enabled || !can).Title(label+" ("+key+")").
			Body(app.Span().Class("key").Text(key), app.Text(" "+label)).
			OnClick(func(ctx app.Context, e app.Event) { f() })
	}
	return app.Div().ID("cur-dis").Class("curdis").DataSet("key", d.Key()).DataSet("kind", string(d.Kind)).
		DataSet("resolution", string(d.Resolution)).Body(
		app.P().Class("strong").Text(kindText[d.Kind]),
		r.sideUI("A", r.a, d.A),
		r.sideUI("B", r.b, d.B),
		app.P().ID("cur-resolution").Class("small").Text("Status: "+resolutionText[d.Resolution]),
		app.Div().Class("actions").Body(
			btn("accept-a", "a", "accept A", d.A != nil, func() { r.acceptSide(true) }),
			btn("accept-b", "b", "accept B", d.B != nil, func() { r.acceptSide(false) }),
			btn("edit-gold", "e", "edit", true, func() { r.choosing = true }),
			btn("reject", "x", "reject", true, r.rejectCurrent),
		),
		app.If(r.choosing, app.Div().ID("label-choice").Class("label-choice").Body(
			app.Span().Class("small muted").Text("Gold label: "),
			app.Range(r.sess.Schema.Labels).Slice(func(i int) app.UI {
				l := r.sess.Schema.Labels[i]
				return app.Button().Class("label-btn").DataSet("label", l.Name).Style("--c", model.DisplayColor(l.Color)).
					OnClick(func(ctx app.Context, e app.Event) { r.editCurrent(l.Name) }, l.Name).
					Body(app.Span().Class("key").Text(l.Key), app.Span().Text(l.Name))
			}),
			app.Span().Class("small muted").Text(" Esc cancels"),
		)),
	)
}

func (r *Review) disagreementList() app.UI {
	ds := r.result.Disagreements
	return app.Div().Body(
		app.H2().Text(fmt.Sprintf("Disagreements (%d)", len(ds))),
		app.Ol().ID("dislist").Class("annlist dislist").Body(
			app.Range(ds).Slice(func(i int) app.UI {
				d := ds[i]
				cls := "ann dis " + string(d.Kind)
				if d.Resolved() {
					cls += " resolved"
				}
				if d.Key() == r.cur {
					cls += " sel"
				}
				side := d.A
				if side == nil {
					side = d.B
				}
				labels := ""
				for _, x := range []*model.Annotation{d.A, d.B} {
					if labels != "" {
						labels += " / "
					}
					if x == nil {
						labels += "—"
					} else {
						labels += x.Label
					}
				}
				key := d.Key()
				return app.Li().Class(cls).DataSet("key", key).DataSet("resolution", string(d.Resolution)).
					OnClick(func(ctx app.Context, e app.Event) { r.goTo(key) }, key).Body(
					app.Span().Class("kind small muted").Text(kindText[d.Kind]+": "),
					app.Span().Class("labels").Text(labels+" "),
					app.Q().Text(model.Clip(side.Quote, 60)),
					app.Span().Class("res small").Text(" · "+resolutionText[d.Resolution]),
				)
			}),
		),
	)
}

func (r *Review) threadBox() app.UI {
	a, ok := r.sess.Annotation(r.selected)
	if !ok {
		return app.P().Class("muted small").Text("Select a span (click it, or move to a disagreement) to see its comments.")
	}
	return app.Div().Class("review-thread").Body(
		app.P().Class("small muted").Body(
			app.Text("Thread of "+a.Layer+"'s "),
			app.Span().Class("tag").Style("--c", r.labelColor(a.Label)).Style("--ink", inkFor(r.labelColor(a.Label))).Text(a.Label),
			app.Text(" "),
			app.Q().Text(model.Clip(a.Quote, 80)),
		),
		threadFor(r.sess, a.ID),
	)
}

func (r *Review) goldList() app.UI {
	gold := r.byLayer[model.GoldLayer]
	return app.Div().Body(
		app.H2().Text(fmt.Sprintf("Gold (%d)", len(gold))),
		app.Ol().ID("goldlist").Class("annlist").Body(
			app.Range(gold).Slice(func(i int) app.UI {
				g := gold[i]
				prov := "made by " + g.Author
				if rv, ok := r.sess.Review(g.ID); ok && rv.Source != "" {
					prov = fmt.Sprintf("%s from %s's span by %s", rv.Status, rv.Proposer, rv.Reviewer)
				}
				cls := "ann"
				if g.ID == r.selected {
					cls += " sel"
				}
				id := g.ID
				return app.Li().Class(cls).DataSet("id", g.ID).OnClick(func(ctx app.Context, e app.Event) { r.selectAnn(id) }, id).Body(
					app.Span().Class("tag").Style("--c", r.labelColor(g.Label)).Style("--ink", inkFor(r.labelColor(g.Label))).Text(g.Label),
					app.Text(" "),
					app.Q().Text(model.Clip(g.Quote, 80)),
					app.Span().Class("by").Text(" "+prov),
				)
			}),
		),
	)
}

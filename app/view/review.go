package view

import (
	"fmt"

	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"gloss/app/markup"
	"gloss/shared/model"
	"gloss/shared/review"
)

// Review is the reviewer's page of one document (/review/{id}): the
// analysts' layers shown one alone, two side by side or all merged with
// their disagreements marked, the list of disagreements between layer A
// and layer B, and the gold layer being built. Keyboard-first
// (review_keys.go): n / p move through the disagreements, a / b accept A's
// or B's version into gold, e edits (a label key picks gold's label), x
// rejects, Esc cancels. Everything is an op on the same live session as
// the desk, so two reviewers, and the analysts, see it happen.
//
// Reviewers and admins only: the server refuses everyone else's review
// ops, and the page says so instead of offering them.
type Review struct {
	app.Compo

	docPage

	mode     string // modeMerged, modeSide or modeAlone
	layerA   string // chosen layers; "" picks the first annotator layers
	layerB   string
	alone    string // the layer shown alone
	cur      string // the current disagreement's Key
	selected string // the annotation whose thread the panel shows
	choosing bool   // after e: the next label key sets gold's label
	showHelp bool

	// What the last render was computed from, and its costly parts.
	lastKey  reviewKey
	paras    []markup.Para
	parasFor string
	layers   []string
	byLayer  map[string][]model.Annotation
	a, b     string // the layers compared
	result   review.Result
	docHTML  string
}

// Page modes.
const (
	modeMerged = "merged"
	modeSide   = "side"
	modeAlone  = "alone"
)

type reviewKey struct {
	ver                        int
	mode, a, b, alone, cur, id string
}

// OnNav opens the live session of the document in the URL.
func (r *Review) OnNav(ctx app.Context) {
	if _, ok := r.navigate(ctx, "/review/"); !ok {
		return
	}
	r.cur, r.selected, r.choosing = "", "", false
	if r.mode == "" {
		r.mode = modeMerged
	}
	r.lastKey = reviewKey{}
	r.start(ctx, func() {}, r.onKey)
}

// OnDismount ends the session and drops the key listener.
func (r *Review) OnDismount() { r.stop() }

// compute brings the comparison and the document HTML up to date.
func (r *Review) compute() {
	s := r.sess
	if r.parasFor != s.Document.Text || r.paras == nil {
		r.paras, r.parasFor = markup.Paragraphs(s.Document.Text), s.Document.Text
	}
	key := reviewKey{ver: s.Version(), mode: r.mode, a: r.layerA, b: r.layerB, alone: r.alone, cur: r.cur, id: r.selected}
	if key == r.lastKey && r.docHTML != "" {
		return
	}
	r.lastKey = key
	r.layers, r.byLayer = review.Layers(s.Annotations())
	r.a, r.b = r.pickLayers()
	r.result = review.Compare(r.byLayer[r.a], r.byLayer[r.b], r.byLayer[model.GoldLayer], s.Reviews())
	if r.cur != "" {
		if _, ok := r.current(); !ok {
			r.cur = ""
		}
	}
	r.docHTML = r.renderDoc()
}

// pickLayers returns the layers to compare: the chosen ones if they are
// still there, else the first two annotator layers.
func (r *Review) pickLayers() (string, string) {
	has := func(l string) bool {
		for _, x := range r.layers {
			if x == l {
				return true
			}
		}
		return false
	}
	a, b := r.layerA, r.layerB
	if !has(a) {
		a = ""
	}
	if !has(b) || b == a {
		b = ""
	}
	for _, l := range r.layers {
		if a == "" && l != b {
			a = l
		} else if b == "" && l != a {
			b = l
		}
	}
	return a, b
}

// current returns the current disagreement.
func (r *Review) current() (review.Disagreement, bool) {
	for _, d := range r.result.Disagreements {
		if d.Key() == r.cur {
			return d, true
		}
	}
	return review.Disagreement{}, false
}

// Render draws the page.
func (r *Review) Render() app.UI {
	s := r.sess
	if s == nil || !s.Ready {
		return loadingView("review", s)
	}
	r.compute()
	canReview := model.CanReview(s.You.Role)
	return app.Div().Class("review desk").DataSet("ready", "1").DataSet("status", s.Status.String()).DataSet("mode", r.mode).Body(
		topBar(s.You.User),
		r.toolbar(),
		app.If(!canReview, app.P().ID("review-forbidden").Class("notice-warn").
			Text("You may read this page, but only reviewers and admins adjudicate: your review actions would be refused.")),
		app.Div().Class("workspace").Body(
			app.Article().ID("doc").Class("doc review-doc").TabIndex(0).Aria("label", "Document text").OnClick(r.onDocClick).Body(
				app.H1().Class("doctitle").Text(s.Document.Name),
				app.Raw(r.docHTML),
			),
			r.panel(),
		),
		app.If(r.showHelp, r.help()),
	)
}

func (r *Review) toolbar() app.UI {
	s := r.sess
	conn, notice := r.connState()
	modeBtn := func(mode, key, label string) app.UI {
		cls := "tab"
		if r.mode == mode {
			cls += " active"
		}
		return app.Button().Class(cls).DataSet("mode", mode).Title(label+" ("+key+")").Text(label).
			OnClick(func(ctx app.Context, e app.Event) { r.setMode(mode) }, mode)
	}
	layerSelect := func(id, value string, set func(string), includeGold bool) app.UI {
		opts := append([]string(nil), r.layers...)
		if includeGold {
			opts = append(opts, model.GoldLayer)
		}
		return app.Select().ID(id).OnChange(func(ctx app.Context, e app.Event) { set(ctx.JSSrc().Get("value").String()) }).Body(
			app.Range(opts).Slice(func(i int) app.UI {
				return app.Option().Value(opts[i]).Selected(opts[i] == value).Text(opts[i])
			}),
		)
	}
	alone := r.alone
	if alone == "" {
		alone = r.a
	}
	return app.Div().Class("toolbar keep-sel").Body(
		app.Div().Class("modes").Body(
			modeBtn(modeMerged, "m", "merged"),
			modeBtn(modeSide, "s", "side by side"),
			modeBtn(modeAlone, "l", "one layer"),
		),
		app.If(r.mode == modeAlone, app.Label().Class("small").Body(app.Text("layer "),
			layerSelect("layer-alone", alone, func(v string) { r.alone = v }, true))),
		app.If(r.mode != modeAlone, app.Span().Class("small").Body(
			app.Label().Body(app.Text("A "), layerSelect("layer-a", r.a, func(v string) { r.layerA = v; r.cur = "" }, false)),
			app.Text(" "),
			app.Label().Body(app.Text("B "), layerSelect("layer-b", r.b, func(v string) { r.layerB = v; r.cur = "" }, false)),
		)),
		app.Span().Class("spacer"),
		app.Div().Class("presence").Body(
			app.Range(s.Members).Slice(func(i int) app.UI {
				m := s.Members[i]
				return app.Span().Class("member").Style("--c", model.DisplayColor(m.Color)).Title(m.User + " (" + m.Role + ")").Text(m.User)
			}),
		),
		conn,
		app.A().Class("link").Href(fmt.Sprintf("/doc/%d", r.docID)).Title("The annotator's view of this document").Text("desk"),
		app.Button().Class("link").Title("Keyboard shortcuts (?)").Text("?").OnClick(func(ctx app.Context, e app.Event) { r.showHelp = true }),
		notice,
	)
}

func (r *Review) setMode(mode string) {
	r.mode = mode
	if mode == modeAlone && r.alone == "" {
		r.alone = r.a
	}
}

func (r *Review) help() app.UI {
	row := func(keys, what string) app.UI {
		return app.Tr().Body(app.Td().Body(app.Kbd().Text(keys)), app.Td().Text(what))
	}
	rows := []app.UI{
		row("n / p", "next / previous disagreement"),
		row("a / b", "accept A's / B's version into gold (the other is rejected)"),
		row("e, then a label key", "put the current span into gold with that label"),
		row("x", "reject every side of the current disagreement"),
		row("label key", "with text selected: a new gold span; with a gold span selected: relabel it"),
		row("Delete", "delete the selected gold span"),
		row("c", "comment on the selected span"),
		row("m / s / l", "merged / side by side / one layer"),
		row("Esc", "cancel, clear the selection, close this"),
	}
	for _, l := range r.sess.Schema.Labels {
		rows = append(rows, row(l.Key, l.Name))
	}
	return app.Div().ID("shortcuts").Class("overlay").OnClick(func(ctx app.Context, e app.Event) { r.showHelp = false }).Body(
		app.Div().Class("card").Body(app.H2().Text("Review shortcuts"), app.Table().Body(rows...)),
	)
}

package view

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"gloss/app/live"
	"gloss/shared/httpapi"
)

// Matrix metrics: which pairwise score colours the matrix.
const (
	metricKappa = "kappa"
	metricF1    = "f1"
)

// reviewFirst is how many of the lowest-agreement documents the list
// shows before "Show all".
const reviewFirst = 20

// labelSeries are the per-label bars: alpha and overlap F1, in two
// viridis colours far apart in lightness.
var labelSeries = []barSeries{
	{Key: "alpha", Short: "α", Name: "Krippendorff's alpha", Color: "#3b528b"},
	{Key: "overlap_f1", Short: "F1", Name: "overlap F1", Color: "#5ec962"},
}

// Dashboard is the reviewer's agreement dashboard
// (/projects/{id}/agreement): the overall figures, an annotator ×
// annotator matrix of pairwise kappa or overlap F1 (for all labels or
// one), per-label bars of alpha and overlap F1, and the documents with
// the lowest agreement, to review first. Reviewers and admins only; the
// server refuses everyone else and the page shows its message.
type Dashboard struct {
	app.Compo
	id      int64
	user    string
	report  httpapi.AgreementReport
	metric  string // metricKappa or metricF1
	label   string // the matrix's label; "" for all labels
	showAll bool
	loaded  bool
	err     string
}

// OnNav reads the project from the URL and loads the report.
func (d *Dashboard) OnNav(ctx app.Context) {
	path := ctx.Page().URL().Path
	id, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimPrefix(path, "/projects/"), "/agreement"), 10, 64)
	if err != nil {
		d.err = "no such project"
		return
	}
	if id != d.id { // another project: nothing of the last one stays
		d.report, d.label, d.showAll, d.loaded, d.err = httpapi.AgreementReport{}, "", false, false, ""
	}
	d.id = id
	if d.metric == "" {
		d.metric = metricKappa
	}
	loadPage(ctx, cachedUser, nil, func(ctx app.Context, m httpapi.Me, err error) {
		if err == nil {
			d.user = m.User.Name
		}
	})
	d.load(ctx)
}

// load fetches the report; the server computes it afresh every time.
func (d *Dashboard) load(ctx app.Context) {
	id := d.id
	ctx.Async(func() {
		var r httpapi.AgreementReport
		err := live.GetJSON(fmt.Sprintf("/api/projects/%d/agreement", id), &r)
		ctx.Dispatch(func(ctx app.Context) {
			if errors.Is(err, live.ErrUnauthenticated) {
				ctx.Navigate(fmt.Sprintf("/login?next=/projects/%d/agreement", id))
				return
			}
			if err != nil {
				d.err = err.Error()
				return
			}
			d.report, d.loaded, d.err = r, true, ""
			if d.summary(d.label) == nil {
				d.label = "" // the label is gone since the last load
			}
		})
	})
}

// summary returns the report's summary for label ("" for all labels),
// or nil if no annotator used label.
func (d *Dashboard) summary(label string) *httpapi.AgreementSummary {
	if label == "" {
		return &d.report.Overall
	}
	for i := range d.report.Labels {
		if d.report.Labels[i].Label == label {
			return &d.report.Labels[i]
		}
	}
	return nil
}

// Render draws the page.
func (d *Dashboard) Render() app.UI {
	ready := "0"
	if d.loaded {
		ready = "1"
	}
	title := "Agreement"
	if d.report.Project.Name != "" {
		title += ": " + d.report.Project.Name
	}
	var body []app.UI
	if d.loaded {
		body = []app.UI{d.overall(), d.matrix(), d.labels(), d.documents()}
	} else if d.err == "" {
		body = []app.UI{app.P().Class("loading").Text("Computing agreement…")}
	}
	return app.Div().Class("dashboard").DataSet("ready", ready).Body(
		topBar(d.user),
		app.Main().Class("page").Body(append([]app.UI{
			app.P().Body(app.A().Href("/").Text("← Projects")),
			app.H1().Text(title),
			app.If(d.err != "", app.P().ID("dashboard-error").Class("error").Text(d.err)),
		}, body...)...),
	)
}

// overall is the table of project-wide figures.
func (d *Dashboard) overall() app.UI {
	r, all := d.report, d.report.Overall
	row := func(id, name, value, help string) app.UI {
		return app.Tr().Body(app.Th().Text(name), app.Td().ID(id).Class("num").Text(value), app.Td().Class("muted").Text(help))
	}
	annotators := strings.Join(r.Annotators, ", ")
	if annotators == "" {
		annotators = "none yet"
	}
	if len(r.Excluded) > 0 {
		annotators += " (not counted: " + strings.Join(r.Excluded, ", ") + ", imported or suggested)"
	}
	return app.Section().ID("overall").Class("panel").Body(
		app.H2().Text("Over the project"),
		app.Table().Class("grid").Body(
			row("overall-annotators", "Annotators", strconv.Itoa(len(r.Annotators)), annotators),
			row("overall-documents", "Documents", strconv.Itoa(r.Documents), fmt.Sprintf("%d tokens", r.Tokens)),
			row("overall-alpha", "Krippendorff's α", scoreText(all.Alpha), "nominal, tokens as units, all annotators"),
			row("overall-kappa", "Cohen's κ (mean of pairs)", scoreText(all.MeanKappa), "token labels, pairs who shared a document"),
			row("overall-exact", "Span F1, exact match", scoreText(all.ExactF1), "same label, same bounds; summed over pairs"),
			row("overall-overlap", "Span F1, overlap match", scoreText(all.OverlapF1), "same label, overlapping; summed over pairs"),
		),
		app.If(len(r.Annotators) < 2,
			app.P().Class("muted").Text("Agreement needs two annotators who annotated the same document. "+
				"An annotator counts as having annotated a document once their layer has an annotation in it.")),
	)
}

// matrix is the annotator × annotator matrix with its metric and label
// choices.
func (d *Dashboard) matrix() app.UI {
	names := d.report.Annotators
	s := d.summary(d.label)
	if s == nil {
		s = &d.report.Overall
	}
	index := make(map[string]int, len(names))
	for i, n := range names {
		index[n] = i
	}
	cells := make([][]matrixValue, len(names))
	for i := range cells {
		cells[i] = make([]matrixValue, len(names))
	}
	metric, low := "Cohen's κ", "≤0"
	if d.metric == metricF1 {
		metric, low = "overlap F1", "0"
	}
	if d.label != "" {
		metric += " (" + d.label + ")"
	}
	for _, p := range s.Pairs {
		i, okA := index[p.A]
		j, okB := index[p.B]
		if !okA || !okB {
			continue
		}
		v := p.Kappa
		if d.metric == metricF1 {
			v = p.OverlapF1
		}
		note := fmt.Sprintf("over %d shared document(s)", p.Docs)
		cells[i][j] = matrixValue{Value: v, Note: note}
		cells[j][i] = matrixValue{Value: v, Note: note}
	}
	tab := func(id, key, text string) app.UI {
		cls := "tab"
		if d.metric == key {
			cls += " active"
		}
		return app.Button().ID(id).Class(cls).Type("button").Text(text).
			OnClick(func(ctx app.Context, e app.Event) { d.metric = key }, key)
	}
	var chart app.UI = app.P().Class("muted").Text("No annotator pairs yet.")
	if len(names) >= 2 {
		chart = app.Div().ID("matrix").Class("scroll").Body(app.Raw(matrixSVG(names, cells, metric, low)))
	}
	return app.Section().ID("matrix-panel").Class("panel").Body(
		app.H2().Text("Annotator × annotator"),
		app.Div().Class("tabs").Body(
			tab("metric-kappa", metricKappa, "Cohen's κ (tokens)"),
			tab("metric-f1", metricF1, "Overlap F1 (spans)"),
		),
		app.P().Body(
			app.Label().For("matrix-label").Text("Labels: "),
			app.Select().ID("matrix-label").OnChange(func(ctx app.Context, e app.Event) {
				d.label = ctx.JSSrc().Get("value").String()
			}).Body(
				app.Option().Value("").Selected(d.label == "").Text("all labels"),
				app.Range(d.report.Labels).Slice(func(i int) app.UI {
					l := d.report.Labels[i].Label
					return app.Option().Value(l).Selected(d.label == l).Text(l)
				}),
			),
		),
		chart,
		app.P().Class("muted small").Text("Each cell is the pair's score over the documents both annotated, printed in the cell; "+
			"darker is lower. n/a: undefined (no shared document, or nothing to tell apart)."),
	)
}

// labels is the per-label bar chart.
func (d *Dashboard) labels() app.UI {
	var chart app.UI = app.P().Class("muted").Text("No labelled spans yet.")
	if len(d.report.Labels) > 0 {
		groups := make([]barGroup, len(d.report.Labels))
		for i, l := range d.report.Labels {
			groups[i] = barGroup{Label: l.Label, Values: []*float64{l.Alpha, l.OverlapF1}}
		}
		chart = app.Div().ID("label-bars").Class("scroll").Body(app.Raw(barsSVG(groups, labelSeries)))
	}
	return app.Section().ID("labels-panel").Class("panel").Body(
		app.H2().Text("Per label"),
		chart,
		app.P().Class("muted small").Text("Per label, a token either has the label or not. Bars run from 0 to 1; "+
			"a negative alpha (worse than chance) draws no bar but is printed."),
	)
}

// documents lists the documents lowest agreement first, as the server
// sorts them (undefined last).
func (d *Dashboard) documents() app.UI {
	docs := d.report.ByDocument
	shown := docs
	if !d.showAll && len(shown) > reviewFirst {
		shown = shown[:reviewFirst]
	}
	return app.Section().ID("documents-panel").Class("panel").Body(
		app.H2().Text("Review first: lowest agreement"),
		app.If(len(docs) == 0, app.P().Class("muted").Text("No documents yet.")),
		app.Ol().ID("lowest").Body(
			app.Range(shown).Slice(func(i int) app.UI {
				doc := shown[i]
				return app.Li().DataSet("doc", doc.ID).Body(
					app.A().Href(fmt.Sprintf("/doc/%d", doc.ID)).Text(doc.Name),
					app.Span().Class("muted").Text(fmt.Sprintf(" α %s · overlap F1 %s · %d annotator(s)",
						scoreText(doc.Alpha), scoreText(doc.OverlapF1), doc.Annotators)),
				)
			}),
		),
		app.If(len(shown) < len(docs),
			app.Button().ID("show-all").Class("link").Type("button").Text(fmt.Sprintf("Show all %d", len(docs))).
				OnClick(func(ctx app.Context, e app.Event) { d.showAll = true })),
		app.P().Class("muted small").Text("Sorted by alpha, then overlap F1; documents with fewer than two annotators come last."),
		app.Button().ID("refresh").Class("link").Type("button").Text("Recompute").
			OnClick(func(ctx app.Context, e app.Event) { d.load(ctx) }),
	)
}

package browsertest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"gloss/shared/model"
	"gloss/shared/protocol"
	"gloss/shared/textpos"
)

// dashSpan is a crafted annotation in layer (the annotator's name).
type dashSpan struct {
	layer, label string
	start, end   int
}

// addAnnotatedDoc adds a document to the demo project with spans
// committed through its op log, and returns its id.
func addAnnotatedDoc(t *testing.T, srv *server, name, text string, spans []dashSpan) int64 {
	t.Helper()
	ctx := context.Background()
	docs, err := srv.st.AddDocuments(ctx, 1, []model.Document{{Name: name, Text: text}})
	if err != nil {
		t.Fatal(err)
	}
	id := docs[0].ID
	tx := textpos.New(text)
	now := time.Now().UTC()
	var ops []protocol.Op
	for i, s := range spans {
		q, err := tx.Slice(s.start, s.end)
		if err != nil {
			t.Fatal(err)
		}
		a := model.Annotation{ID: fmt.Sprintf("%s-%d", name, i), Document: id, Layer: s.layer, Label: s.label,
			Start: s.start, End: s.end, Quote: q, Author: s.layer, Version: 1, Created: now, Updated: now}
		ops = append(ops, protocol.Op{ID: "seed-" + a.ID, Kind: protocol.KindAdd, Ann: &a, User: s.layer, Time: now.UnixMilli()})
	}
	if _, err := srv.st.Commit(ctx, id, ops); err != nil {
		t.Fatal(err)
	}
	return id
}

// The hostile annotator and label of TestAgreementDashboard: markup that
// must stay text.
const (
	hostileAnnotator = `<img src=x onerror="window.pwned=1">`
	hostileLabel     = `"><svg onload="window.pwned=1">`
)

// TestAgreementDashboard: the reviewer opens the agreement dashboard of a
// crafted case (the one server/internal/api's TestAgreementCrafted works
// out by hand) and sees its figures: the matrix cell alice × bob, the
// lowest-agreement list in order, the per-label bars; markup in names
// stays text. An annotator is refused.
func TestAgreementDashboard(t *testing.T) {
	srv := startServer(t)
	// Annotators are people: carol and the hostile name get accounts
	// (a layer named after no account is an imported machine layer).
	for _, name := range []string{"carol", hostileAnnotator} {
		if _, err := srv.st.CreateUser(context.Background(), name, []byte("not a real hash")); err != nil {
			t.Fatal(err)
		}
	}
	// The demo's two articles (ids 1, 2) have no annotations.
	docA := addAnnotatedDoc(t, srv, "agree-A", "Officials denied it.", []dashSpan{
		{"alice", "claim", 10, 19}, {"bob", "claim", 10, 19},
	})
	docB := addAnnotatedDoc(t, srv, "agree-B", "Police said two men fled.", []dashSpan{
		{"alice", "attribution", 0, 6}, {"alice", "figure", 12, 19},
		{"bob", "attribution", 0, 6}, {"bob", "figure", 12, 15},
		{"carol", "attribution", 0, 11},
		{model.GoldLayer, "claim", 0, 25},
	})
	docE := addAnnotatedDoc(t, srv, "agree-E", "Nobody else read this.", []dashSpan{
		{hostileAnnotator, hostileLabel, 0, 6},
	})

	b := newBrowser(t)
	b.login(srv.URL, "rita")
	b.do(chromedp.Navigate(srv.URL + "/projects/1/agreement"))
	b.waitFor(`document.querySelector('.dashboard[data-ready="1"] #matrix svg.matrix') !== null`)

	cell := func(a, b string) string {
		return fmt.Sprintf(`[...document.querySelectorAll('#matrix g.cell')].find(g => g.dataset.a === %q && g.dataset.b === %q).querySelector('text').textContent`, a, b)
	}
	text := func(js string) string { return eval[string](b, js) }
	// Cohen's kappa first: alice–bob 53/63, alice–carol 2/11, bob–carol 1/3.
	for _, c := range []struct{ a, b, want string }{
		{"alice", "bob", "0.84"}, {"bob", "alice", "0.84"}, {"alice", "carol", "0.18"}, {"bob", "carol", "0.33"},
		{"alice", hostileAnnotator, "n/a"}, // never shared a document
	} {
		if got := text(cell(c.a, c.b)); got != c.want {
			t.Errorf("kappa cell %s × %s shows %q, want %q", c.a, c.b, got, c.want)
		}
	}
	// Overall: alpha 26/41, overlap F1 10/12, exact F1 4/12.
	for id, want := range map[string]string{"overall-alpha": "0.63", "overall-overlap": "0.83", "overall-exact": "0.33", "overall-annotators": "4"} {
		if got := text(fmt.Sprintf(`document.getElementById(%q).textContent`, id)); got != want {
			t.Errorf("#%s shows %q, want %q", id, got, want)
		}
	}

	// The toggle recolours the matrix by overlap F1.
	b.do(chromedp.Click(chromedp.ID("metric-f1")))
	b.waitFor(cell("alice", "bob") + ` === '1.00'`)
	if got := text(cell("alice", "carol")); got != "0.67" {
		t.Errorf("overlap F1 cell alice × carol shows %q, want 0.67", got)
	}
	// One label: alice's figure "two men" has no counterpart in carol's layer.
	b.do(chromedp.SetValue(chromedp.ID("matrix-label"), "figure"))
	eval[bool](b, `document.getElementById('matrix-label').dispatchEvent(new Event('change')) || true`)
	b.waitFor(cell("alice", "carol") + ` === '0.00'`)
	if got := text(cell("alice", "bob")); got != "1.00" {
		t.Errorf("figure overlap F1 cell alice × bob shows %q, want 1.00", got)
	}

	// Per-label bars: figure alpha 19/69, overlap F1 1/2.
	bar := func(label, series string) string {
		return fmt.Sprintf(`[...document.querySelectorAll('#label-bars g.bar-group')].find(g => g.dataset.label === %q).querySelector('g.bar[data-series=%q] text').textContent`, label, series)
	}
	if got := text(bar("figure", "alpha")); got != "α 0.28" {
		t.Errorf("figure alpha bar shows %q, want α 0.28", got)
	}
	if got := text(bar("figure", "overlap_f1")); got != "F1 0.50" {
		t.Errorf("figure overlap F1 bar shows %q, want F1 0.50", got)
	}
	if got := text(bar(hostileLabel, "alpha")); got != "α n/a" {
		t.Errorf("hostile label's alpha bar shows %q, want α n/a", got)
	}

	// Lowest agreement first: B (alpha 38/89), A (1), then the documents
	// with fewer than two annotators, by id.
	order := eval[[]string](b, `[...document.querySelectorAll('#lowest li a')].map(a => a.getAttribute('href'))`)
	want := []string{fmt.Sprintf("/doc/%d", docB), fmt.Sprintf("/doc/%d", docA), "/doc/1", "/doc/2", fmt.Sprintf("/doc/%d", docE)}
	if fmt.Sprint(order) != fmt.Sprint(want) {
		t.Errorf("review-first list %v, want %v", order, want)
	}
	if got := text(`document.querySelector('#lowest li').textContent`); got != "agree-B α 0.43 · overlap F1 0.78 · 3 annotator(s)" {
		t.Errorf("first document reads %q", got)
	}
	if got := text(`document.querySelector('#lowest li:last-child').textContent`); got != "agree-E α n/a · overlap F1 n/a · 1 annotator(s)" {
		t.Errorf("last document reads %q", got)
	}

	// Markup in names is text: no element made from it, no script run.
	if eval[bool](b, `window.pwned !== undefined || document.querySelector('#matrix img, #label-bars img, #matrix svg svg, #label-bars svg svg') !== null`) {
		t.Error("a name became markup")
	}
	titles := eval[[]string](b, `[...document.querySelectorAll('#matrix text.row-label title')].map(t => t.textContent)`)
	if fmt.Sprint(titles) != fmt.Sprint([]string{hostileAnnotator, "alice", "bob", "carol"}) {
		t.Errorf("row labels %q", titles)
	}

	// A link goes to the document.
	b.do(chromedp.Click(chromedp.CSS(`#lowest li:first-child a`)))
	b.waitFor(fmt.Sprintf(`location.pathname === '/doc/%d' && document.querySelector('.desk[data-ready="1"]') !== null`, docB))

	// An annotator gets the server's refusal, not figures.
	a := newBrowser(t)
	a.login(srv.URL, "alice")
	a.do(chromedp.Navigate(srv.URL + "/projects/1/agreement"))
	a.waitFor(`document.getElementById('dashboard-error') !== null`)
	if eval[bool](a, `document.querySelector('#matrix, #lowest') !== null`) {
		t.Error("an annotator sees the dashboard")
	}
}

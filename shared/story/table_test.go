package story

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math/rand"
	"slices"
	"strings"
	"testing"
	"time"

	"gloss/shared/model"
)

func ann(id, layer, label string, start, end int, attrs *model.Attrs) model.Annotation {
	return model.Annotation{ID: id, Layer: layer, Label: label, Start: start, End: end, Quote: id, Attrs: attrs}
}

func fattrs(q string, v float64, quantity string) *model.Attrs {
	return &model.Attrs{Value: num(v), Qualifier: q, Quantity: quantity, Unit: "people"}
}

func src(id, layer, from, to string) model.Relation {
	return model.Relation{ID: id, Layer: layer, Type: RelationSource, From: from, To: to}
}

func TestAttributed(t *testing.T) {
	anns := []model.Annotation{
		ann("claim", "alice", LabelClaim, 10, 50, nil),
		ann("fig-in", "bob", LabelFigure, 20, 30, nil),       // inside alice's sourced claim: attributed across layers
		ann("fig-edge", "alice", LabelFigure, 10, 50, nil),   // same span as the claim: contained
		ann("fig-out", "alice", LabelFigure, 45, 55, nil),    // crosses the claim's end
		ann("fig-direct", "alice", LabelFigure, 60, 65, nil), // linked itself
		ann("attr", "alice", LabelAttribution, 0, 8, nil),
		ann("lonely", "alice", LabelClaim, 70, 90, nil), // "Business Times has been able to verify"
		ann("s-claim", SuggestLayer, LabelClaim, 100, 140, nil),
		ann("s-fig", SuggestLayer, LabelFigure, 110, 120, nil),
		ann("h-fig", "alice", LabelFigure, 110, 120, nil), // a machine link does not vouch for it
		ann("s-attr", SuggestLayer, LabelAttribution, 141, 150, nil),
		ann("h-claim2", "alice", LabelClaim, 100, 140, nil), // nor for an analyst's claim at the same span
	}
	rels := []model.Relation{
		src("r1", "alice", "attr", "claim"),
		src("r2", "alice", "attr", "fig-direct"),
		src("r3", SuggestLayer, "s-attr", "s-claim"),
		src("r4", SuggestLayer, "s-attr", "h-claim2"),
		src("r5", "alice", "attr", "gone"),                                    // dangling
		{ID: "r6", Layer: "alice", Type: "other", From: "attr", To: "lonely"}, // not a source relation
	}
	want := map[string]bool{
		"claim": true, "fig-in": true, "fig-edge": true, "fig-out": false, "fig-direct": true, "lonely": false,
		"s-claim": true, "s-fig": true, "h-fig": false, "h-claim2": false,
	}
	got := Attributed(anns, rels)
	for id, w := range want {
		if got[id] != w {
			t.Errorf("Attributed[%s] = %v, want %v", id, got[id], w)
		}
	}
	if _, ok := got["attr"]; ok {
		t.Error("an attribution has an attributed flag; only claims and figures do")
	}
}

func TestSourceName(t *testing.T) {
	cue := func(start, end int) *model.Attrs { return &model.Attrs{Cue: &[2]int{start, end}} }
	tests := []struct {
		quote string
		attrs *model.Attrs
		want  string
	}{
		{"CNN reported", cue(104, 112), "CNN"},
		{"according to US officials", cue(100, 112), "US officials"},
		{"said Colin P Clarke, a counterterrorism analyst", cue(100, 104), "Colin P Clarke, a counterterrorism analyst"},
		{"the Russian Health Ministry told TASS", cue(128, 132), "the Russian Health Ministry"},
		{"CNN reported", nil, "CNN"},
		{"according to the NYT", nil, "the NYT"},
		{"said Andrey Vorobyov", nil, "Andrey Vorobyov"},
		{"Reuters", nil, "Reuters"},
	}
	for _, tc := range tests {
		a := model.Annotation{Start: 100, End: 100 + len([]rune(tc.quote)), Quote: tc.quote, Attrs: tc.attrs}
		if got := sourceName(&a); got != tc.want {
			t.Errorf("sourceName(%q) = %q, want %q", tc.quote, got, tc.want)
		}
	}
}

func TestBuildLayers(t *testing.T) {
	// Document 1: gold says 40, alice 45, the import 50, the suggester 55
	// at another span and 40 at gold's span (taken, so hidden). Only gold
	// is compared. Document 2: only a suggestion, 41: compared, conflicts.
	d1 := Document{ID: 1, Name: "one", Annotations: []model.Annotation{
		ann("sg-a", SuggestLayer, LabelFigure, 0, 5, fattrs("", 40, "killed")),
		ann("sg-b", SuggestLayer, LabelFigure, 30, 35, fattrs("", 55, "killed")),
		ann("imp", "import", LabelFigure, 20, 25, fattrs("", 50, "deaths")),
		ann("al", "alice", LabelFigure, 10, 15, fattrs("", 45, "dead")),
		ann("gd", model.GoldLayer, LabelFigure, 0, 5, fattrs("", 40, "dead")),
		ann("aa", "aaron", LabelFigure, 40, 45, fattrs("", 47, "died")),
	}}
	d2 := Document{ID: 2, Name: "two", Annotations: []model.Annotation{
		ann("sg-c", SuggestLayer, LabelFigure, 0, 5, fattrs("", 41, "dead")),
		ann("sg-d", SuggestLayer, LabelFigure, 9, 12, fattrs("", 41, "dead")),
	}}
	tb := Build(Story{Documents: []Document{d1, d2}})
	if len(tb.Rows) != 1 {
		t.Fatalf("%d rows, want 1: %s", len(tb.Rows), describe(tb))
	}
	r := tb.Rows[0]
	var order []string
	for _, f := range r.Cells[0].Figures {
		order = append(order, fmt.Sprintf("%s:%v", f.ID, f.Counted))
	}
	if got, want := strings.Join(order, " "), "gd:true aa:false al:false imp:false sg-b:false"; got != want {
		t.Errorf("cell order = %s, want %s", got, want)
	}
	if !r.Conflict || r.Dispute != "40 (one) vs 41 (two)" {
		t.Errorf("conflict = %v, dispute %q; want 40 (one) vs 41 (two)", r.Conflict, r.Dispute)
	}
	if r.Conservative == nil || r.Conservative.ID != "gd" {
		t.Errorf("conservative = %+v, want gd", r.Conservative)
	}
	if c := r.Cells[1].Figures; len(c) != 2 || c[0].Class != ClassSuggestion || !c[0].Counted {
		t.Errorf("document two's cell = %+v", c)
	}
}

func TestBuildSameDocumentNotDisputed(t *testing.T) {
	// An article quoting an earlier attack's toll does not dispute itself.
	d := Document{ID: 1, Annotations: []model.Annotation{
		ann("f1", "alice", LabelFigure, 0, 5, fattrs("at least", 40, "dead")),
		ann("f2", "alice", LabelFigure, 10, 15, fattrs("at least", 103, "killed")),
	}}
	e := Document{ID: 2, Annotations: []model.Annotation{
		ann("f3", "bob", LabelFigure, 0, 5, fattrs("at least", 40, "dead")),
	}}
	tb := Build(Story{Documents: []Document{d}})
	if tb.Rows[0].Conflict {
		t.Error("one document's two figures conflict")
	}
	tb = Build(Story{Documents: []Document{d, e}})
	if !tb.Rows[0].Conflict {
		t.Error("103 in one document vs 40 in another should conflict")
	}
	if f := tb.Rows[0].Cells[0].Figures; f[0].Disputed || !f[1].Disputed {
		t.Errorf("disputed flags: 40 %v (agrees with doc 2), 103 %v", f[0].Disputed, f[1].Disputed)
	}
}

func TestExportCSVAndJSONL(t *testing.T) {
	st := demoStory(t)
	// Hostile text in the fields that carry it.
	st.Name = "Crocus, \"City\" Hall\nattack"
	st.Documents[0].Outlet = "=cmd|' /C calc'!A0"
	tb := Build(st)
	rows := Rows(tb)
	if len(rows) != 13 {
		t.Fatalf("%d rows, want 13 (one per figure shown)", len(rows))
	}
	var buf bytes.Buffer
	if err := WriteCSV(&buf, rows); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatalf("read back: %v", err)
	}
	if strings.Join(recs[0], ",") != "story,quantity,value,low,high,qualifier,unit,document,outlet,published,source,layer,conflict" {
		t.Errorf("header = %v", recs[0])
	}
	first := map[string]string{}
	for i, h := range recs[0] {
		first[h] = recs[1][i]
	}
	want := map[string]string{"story": st.Name, "quantity": "dead", "value": "40", "low": "", "high": "", "qualifier": "at least",
		"unit": "people", "document": "Moscow concert hall attack", "outlet": "", "published": "2024-03-22T21:00:00Z",
		"source": "CNN", "layer": "alice", "conflict": "true"}
	for k, v := range want {
		if first[k] != v {
			t.Errorf("first row %s = %q, want %q", k, first[k], v)
		}
	}
	conflicts := 0
	for _, r := range recs[1:] {
		if len(r) != 13 {
			t.Fatalf("row has %d fields", len(r))
		}
		if r[12] == "true" {
			conflicts++
		}
	}
	if conflicts != 5 { // 40, 60 dead; 115, 145, 145 hospitalised
		t.Errorf("%d conflict rows, want 5", conflicts)
	}

	buf.Reset()
	if err := WriteJSONL(&buf, rows); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != len(rows) {
		t.Fatalf("%d lines, want %d", len(lines), len(rows))
	}
	var obj map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &obj); err != nil {
		t.Fatal(err)
	}
	for _, k := range FigureColumns {
		if _, ok := obj[k]; !ok {
			t.Errorf("JSONL object lacks %q: %s", k, lines[0])
		}
	}
	if obj["value"] != 40.0 || obj["low"] != nil || obj["conflict"] != true || obj["story"] != st.Name {
		t.Errorf("JSONL first row = %s", lines[0])
	}
}

// benchStory is 50 documents with 40 figures each (2,000), a claim and
// an attribution per four figures, across three layers, quantities and
// qualifiers drawn at random.
func benchStory() Story {
	rng := rand.New(rand.NewSource(1))
	quantities := []string{"dead", "killed", "injured", "hospitalized", "in serious condition", "evacuated", "missing", "", "arrested"}
	qualifiers := []string{"", "at least", "more than", "about", "up to", "nearly"}
	layers := []string{"gold", "alice", "bob", SuggestLayer}
	st := Story{ID: 1, Name: "bench"}
	for d := 0; d < 50; d++ {
		doc := Document{ID: int64(d + 1), Name: fmt.Sprintf("doc %d", d), Outlet: "outlet", Published: time.Unix(int64(d)*3600, 0)}
		for i := 0; i < 40; i++ {
			pos := i * 100
			layer := layers[rng.Intn(len(layers))]
			id := fmt.Sprintf("f%d-%d", d, i)
			doc.Annotations = append(doc.Annotations, model.Annotation{ID: id, Layer: layer, Label: LabelFigure,
				Start: pos + 10, End: pos + 30, Quote: "some people",
				Attrs: &model.Attrs{Value: num(float64(10 + rng.Intn(200))), Qualifier: qualifiers[rng.Intn(len(qualifiers))],
					Unit: "people", Quantity: quantities[rng.Intn(len(quantities))]}})
			if i%4 == 0 {
				c, a := fmt.Sprintf("c%d-%d", d, i), fmt.Sprintf("a%d-%d", d, i)
				doc.Annotations = append(doc.Annotations,
					model.Annotation{ID: c, Layer: layer, Label: LabelClaim, Start: pos, End: pos + 80, Quote: "claim"},
					model.Annotation{ID: a, Layer: layer, Label: LabelAttribution, Start: pos + 81, End: pos + 95, Quote: "officials said"})
				doc.Relations = append(doc.Relations, model.Relation{ID: "r" + c, Layer: layer, Type: RelationSource, From: a, To: c})
			}
		}
		st.Documents = append(st.Documents, doc)
	}
	return st
}

func BenchmarkBuild50Docs2000Figures(b *testing.B) {
	st := benchStory()
	b.ReportAllocs()
	for b.Loop() {
		Build(st)
	}
}

func TestBuildReadsFiguresWithoutFields(t *testing.T) {
	// Spans tagged before structured fields existed still compare.
	plain := func(id, layer, quote string) model.Annotation {
		return model.Annotation{ID: id, Layer: layer, Label: LabelFigure, Start: 0, End: len(quote), Quote: quote}
	}
	tb := Build(Story{Documents: []Document{
		{ID: 1, Name: "a", Annotations: []model.Annotation{plain("f1", "alice", "at least 40 people dead")}},
		{ID: 2, Name: "b", Annotations: []model.Annotation{plain("f2", "bob", "at least 60 people killed")}},
	}})
	if len(tb.Rows) != 1 || tb.Rows[0].Quantity != Dead || !tb.Rows[0].Conflict {
		t.Fatalf("want one conflicting dead row:\n%s", describe(tb))
	}
	if d := tb.Rows[0].Dispute; d != "at least 40 (a) vs at least 60 (b)" {
		t.Errorf("dispute = %q", d)
	}
}

func TestBuilderMatchesBuild(t *testing.T) {
	st := demoStory(t)
	b := NewBuilder(st.ID, st.Name)
	for _, d := range st.Documents {
		b.Set(d)
	}
	want := describe(Build(st))
	if got := describe(b.Table()); got != want {
		t.Fatalf("builder table differs from Build:\n%s\nwant\n%s", got, want)
	}
	// A second table is the same: settling one does not leak into the next.
	if got := describe(b.Table()); got != want {
		t.Fatalf("second builder table differs:\n%s", got)
	}

	// Bob corrects his toll to 40: the dead row agrees, live.
	bob := st.Documents[0]
	bob.Annotations = slices.Clone(bob.Annotations)
	for i, a := range bob.Annotations {
		if a.ID == "b-f1" {
			at := *a.Attrs
			at.Value = num(40)
			bob.Annotations[i].Attrs = &at
		}
	}
	b.Set(bob)
	st2 := st
	st2.Documents = []Document{bob, st.Documents[1]}
	tb := b.Table()
	edited := describe(tb)
	if got, want := edited, describe(Build(st2)); got != want {
		t.Fatalf("after the edit:\n%s\nwant\n%s", got, want)
	}
	for _, r := range tb.Rows {
		if r.Quantity == Dead && r.Conflict {
			t.Error("dead row still in conflict after bob's correction")
		}
	}
	// Mutating the caller's attrs afterwards does not reach the builder.
	for _, a := range bob.Annotations {
		if a.ID == "b-f1" {
			*a.Attrs.Value = 999
		}
	}
	if got := describe(b.Table()); got != edited {
		t.Fatalf("the caller's later change reached the builder:\n%s", got)
	}

	b.Remove(2)
	b.Rename("renamed")
	tb = b.Table()
	if len(tb.Columns) != 1 || tb.Columns[0].Document != 1 || tb.Name != "renamed" {
		t.Fatalf("after Remove: columns %+v name %q", tb.Columns, tb.Name)
	}
	for _, r := range tb.Rows {
		if r.Conflict {
			t.Errorf("one document left, yet row %q conflicts", r.Label)
		}
	}
}

// BenchmarkBuilderOneDocChanged is the live path: one figure of one of
// the 50 documents is corrected, the table is laid out again.
func BenchmarkBuilderOneDocChanged(b *testing.B) {
	st := benchStory()
	bl := NewBuilder(st.ID, st.Name)
	for _, d := range st.Documents {
		bl.Set(d)
	}
	bl.Table()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		d := st.Documents[i%len(st.Documents)]
		d.Annotations = slices.Clone(d.Annotations)
		at := *d.Annotations[0].Attrs
		at.Value = num(float64(1000 + i))
		d.Annotations[0].Attrs = &at
		bl.Set(d)
		bl.Table()
		i++
	}
}

func TestFromModel(t *testing.T) {
	d := FromModel(model.Document{ID: 4, Name: "n", Meta: map[string]string{"outlet": " CNN ", "published": "2024-03-22"}}, nil, nil)
	if d.ID != 4 || d.Outlet != "CNN" || !d.Published.Equal(time.Date(2024, 3, 22, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("FromModel = %+v", d)
	}
	for in, ok := range map[string]bool{"2024-03-22T21:00:00Z": true, "2024-03-22T21:00:00+03:00": true,
		"2024-03-22 21:00": true, "22/03/2024": false, "": false} {
		if _, got := ParsePublished(in); got != ok {
			t.Errorf("ParsePublished(%q) ok = %v, want %v", in, got, ok)
		}
	}
}

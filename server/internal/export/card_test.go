package export

import (
	"bytes"
	"encoding/json"
	"math"
	"slices"
	"strings"
	"testing"

	"gloss/shared/model"
)

func TestCard(t *testing.T) {
	docs := demoDocs(t)
	stats, err := CountStats(Docs(docs), demoOptions())
	if err != nil {
		t.Fatal(err)
	}
	if stats.Documents != 4 || stats.Annotations != 17 || stats.Relations != 3 ||
		stats.Labels["figure"]["alice"] != 5 || stats.Labels["attribution"]["gold"] != 1 || stats.RelationTypes["source"]["bob"] != 1 {
		t.Errorf("stats %+v", stats)
	}

	var b bytes.Buffer
	if err := WriteCard(&b, demoProject(), stats, demoOptions()); err != nil {
		t.Fatal(err)
	}
	md := b.String()
	for _, want := range []string{
		"# Crocus City Hall coverage — dataset card",
		"Exported from Gloss v0.9.0-test on 2024-04-01T12:00:00Z.",
		"| 4 | 7166 | 17 | 3 |",
		"| claim | A statement presented as fact that could be checked. | 6 | alice 3, bob 3 |",
		"| source | 3 | alice 2, bob 1 |",
		"| gold | 1 | 0 |",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("card lacks %q:\n%s", want, md)
		}
	}

	// Names and guidelines are user input: they must not break the table
	// or smuggle HTML into a rendered README.
	hostile := demoProject()
	hostile.Name = "News | <script>alert(1)</script>\nInjected"
	hostile.Schema.Labels = append(hostile.Schema.Labels, model.Label{Name: "a|b", Guideline: "line\nbreak & <b>"})
	b.Reset()
	stats.Labels["a|b"] = map[string]int{"eve\t<i>": 2}
	if err := WriteCard(&b, hostile, stats, demoOptions()); err != nil {
		t.Fatal(err)
	}
	md = b.String()
	for _, bad := range []string{"<script>", "<b>", "<i>", "\nInjected", "a|b"} {
		if strings.Contains(md, bad) {
			t.Errorf("card contains %q:\n%s", bad, md)
		}
	}
	if !strings.Contains(md, `| a\|b | line break &amp; &lt;b&gt; | 2 | eve &lt;i&gt; 2 |`) {
		t.Errorf("hostile label row missing:\n%s", md)
	}
}

func TestCardFiltered(t *testing.T) {
	opt := demoOptions()
	opt.Layers = []string{"bob"}
	opt.Labels = []string{"claim"}
	out := string(export(t, FormatCard, demoDocs(t), opt))
	for _, want := range []string{`"layers": [` + "\n    \"bob\"\n  ]", `"annotations": 3,`, `"relations": 0,`, `"name": "claim"`} {
		if !strings.Contains(out, want) {
			t.Errorf("card lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, `"name": "figure"`) {
		t.Errorf("card lists a label the filter excludes:\n%s", out)
	}
}

// TestCardAgreement pins the agreement figures of a crafted case: alice
// and bob agree on "aa" (claim) and each tags a different word as figure.
// Gold is left out; a document only carol annotated adds an annotator but
// no pair.
func TestCardAgreement(t *testing.T) {
	span := func(doc int64, id, layer, label string, s, e int) model.Annotation {
		return model.Annotation{ID: id, Document: doc, Layer: layer, Label: label, Start: s, End: e, Quote: "aa bb cc"[s:e], Author: layer, Version: 1}
	}
	docs := []Doc{{
		Document: model.Document{ID: 1, Name: "one", Text: "aa bb cc"},
		Annotations: []model.Annotation{
			span(1, "a1", "alice", "claim", 0, 2), span(1, "a2", "alice", "figure", 3, 5),
			span(1, "b1", "bob", "claim", 0, 2), span(1, "b2", "bob", "figure", 6, 8),
			span(1, "g1", model.GoldLayer, "attribution", 0, 8),
		},
	}, {
		Document:    model.Document{ID: 2, Name: "two", Text: "aa bb cc"},
		Annotations: []model.Annotation{span(2, "c1", "carol", "claim", 0, 2)},
	}}
	var c card
	if err := json.Unmarshal(export(t, FormatCard, docs, demoOptions()), &c); err != nil {
		t.Fatal(err)
	}
	ag := c.Agreement
	if ag == nil {
		t.Fatal("no agreement in the card")
	}
	near := func(p *float64, want float64) bool { return p != nil && math.Abs(*p-want) < 1e-9 }
	if !slices.Equal(ag.Annotators, []string{"alice", "bob", "carol"}) || ag.Documents != 1 || ag.Tokens != 3 ||
		!near(ag.Alpha, 1.0/6) || !near(ag.OverlapF1, 0.5) || !near(ag.ExactF1, 0.5) || len(ag.Labels) != 2 ||
		ag.Labels[0].Label != "claim" || !near(ag.Labels[0].Alpha, 1) || ag.Labels[1].Label != "figure" || !near(ag.Labels[1].Alpha, -0.25) {
		b, _ := json.Marshal(ag)
		t.Errorf("agreement %s", b)
	}
	stats, err := CountStats(Docs(docs), demoOptions())
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := WriteCard(&b, demoProject(), stats, demoOptions()); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"| Krippendorff's alpha (tokens) | 0.167 |", "| Span F1, exact | 0.500 |", "| figure | -0.250 |"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("Markdown card lacks %q:\n%s", want, b.String())
		}
	}

	// One annotator (gold does not count): no agreement, null / n/a.
	opt := demoOptions()
	opt.Layers = []string{"alice", model.GoldLayer}
	out := string(export(t, FormatCard, docs, opt))
	if !strings.Contains(out, `"agreement": null`) {
		t.Errorf("single-annotator card:\n%s", out)
	}
	stats, _ = CountStats(Docs(docs), opt)
	b.Reset()
	if err := WriteCard(&b, demoProject(), stats, opt); err != nil || !strings.Contains(b.String(), "## Agreement\n\nn/a") {
		t.Errorf("single-annotator Markdown card (%v):\n%s", err, b.String())
	}
	// Two annotators who never share a document: figures undefined.
	opt.Layers = []string{"alice", "carol"}
	if err := json.Unmarshal(export(t, FormatCard, docs, opt), &c); err != nil {
		t.Fatal(err)
	}
	if c.Agreement == nil || c.Agreement.Alpha != nil || c.Agreement.ExactF1 != nil || c.Agreement.Documents != 0 {
		t.Errorf("disjoint annotators: %+v", c.Agreement)
	}
}

// TestCardHumansOnly (issue 13, bug 6): an imported machine layer and the
// suggestions are not annotators: with alice and a model layer agreeing
// perfectly, the card has no agreement (one human), and the model's
// author is listed as a machine.
func TestCardHumansOnly(t *testing.T) {
	span := func(id, layer string, s, e int) model.Annotation {
		return model.Annotation{ID: id, Document: 1, Layer: layer, Label: "claim", Start: s, End: e, Quote: "aa bb cc"[s:e], Author: layer, Version: 1}
	}
	docs := []Doc{{
		Document: model.Document{ID: 1, Name: "one", Text: "aa bb cc"},
		Annotations: []model.Annotation{span("a1", "alice", 0, 2), span("m1", "model-v1", 0, 2),
			span("s1", model.SuggestionsLayer, 0, 2)},
	}}
	opt := demoOptions()
	opt.IsAccount = func(n string) bool { return n == "alice" || n == "bob" }
	var c card
	if err := json.Unmarshal(export(t, FormatCard, docs, opt), &c); err != nil {
		t.Fatal(err)
	}
	if c.Agreement != nil {
		t.Errorf("agreement between alice and machines: %+v", c.Agreement)
	}
	kinds := map[string]model.LayerKind{}
	for _, a := range c.Annotators {
		kinds[a.Name] = a.Kind
	}
	if kinds["alice"] != model.LayerHuman || kinds["model-v1"] != model.LayerMachine || kinds[model.SuggestionsLayer] != model.LayerSuggestions {
		t.Errorf("annotator kinds %v", kinds)
	}
	// Without the accounts (nil), the model layer counts as before.
	opt.IsAccount = nil
	if err := json.Unmarshal(export(t, FormatCard, docs, opt), &c); err != nil {
		t.Fatal(err)
	}
	if c.Agreement == nil || !slices.Equal(c.Agreement.Annotators, []string{"alice", "model-v1"}) {
		t.Errorf("without accounts: %+v", c.Agreement)
	}
}

package export

import (
	"bytes"
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

package view

import (
	"encoding/json"
	"html"
	"regexp"
	"testing"

	"gloss/shared/model"
)

// The pre-render tells web/gloss.js the label keys (data-keys), escaped,
// lower-cased, the first label of a key winning as in LabelForKey.
func TestRenderDocumentLabelKeys(t *testing.T) {
	schema := model.Schema{Labels: []model.Label{
		{Name: `say "<b>" & 'go'`, Color: "#0072B2", Key: "Q"},
		{Name: "figure", Color: "#D55E00", Key: "2"},
		{Name: "second q", Color: "#009E73", Key: "q"},
		{Name: "no key", Color: "#009E73"},
	}}
	out := RenderDocument(Prerender{Document: model.Document{ID: 1, Text: "Some text."}, Schema: schema, Layer: "alice"})
	m := regexp.MustCompile(`<div id="gloss-pre"[^>]* data-keys="([^"<>]*)"`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no data-keys attribute on #gloss-pre:\n%s", out)
	}
	var keys map[string]string
	if err := json.Unmarshal([]byte(html.UnescapeString(m[1])), &keys); err != nil {
		t.Fatalf("data-keys %q: %v", m[1], err)
	}
	want := map[string]string{"q": `say "<b>" & 'go'`, "2": "figure"}
	if len(keys) != len(want) || keys["q"] != want["q"] || keys["2"] != want["2"] {
		t.Fatalf("data-keys = %v, want %v", keys, want)
	}
}

package view

import (
	"strings"
	"testing"

	"gloss/shared/model"
)

func TestUnattributedOf(t *testing.T) {
	anns := []model.Annotation{
		{ID: "claim", Layer: "alice", Label: "claim", Start: 0, End: 50},
		{ID: "fig-in", Layer: "bob", Label: "figure", Start: 10, End: 20},
		{ID: "attr", Layer: "alice", Label: "attribution", Start: 60, End: 70},
		{ID: "bt", Layer: "alice", Label: "claim", Start: 80, End: 140}, // "Business Times has been able to verify…"
		{ID: "fig-out", Layer: "alice", Label: "figure", Start: 100, End: 110},
		{ID: "sugg", Layer: model.SuggestLayer, Label: "figure", Start: 120, End: 130},
	}
	rels := []model.Relation{{ID: "r", Layer: "alice", Type: "source", From: "attr", To: "claim"}}
	got := unattributedOf(anns, rels)
	want := map[string]bool{"bt": true, "fig-out": true}
	if len(got) != len(want) {
		t.Fatalf("unattributed = %v, want %v", got, want)
	}
	for id := range want {
		if !got[id] {
			t.Errorf("%s is not unattributed: %v", id, got)
		}
	}
}

// The pre-render draws the "no source" marker as the desk does, so the
// adopted paragraphs need no redraw.
func TestRenderDocumentMarksUnattributed(t *testing.T) {
	text := "CNN reported at least 40 dead. Business Times has been able to verify the claim."
	anns := []model.Annotation{
		{ID: "attr", Layer: "alice", Label: "attribution", Start: 0, End: 12, Quote: "CNN reported"},
		{ID: "f40", Layer: "alice", Label: "figure", Start: 13, End: 29, Quote: "at least 40 dead"},
		{ID: "bt", Layer: "alice", Label: "claim", Start: 31, End: 81},
	}
	rels := []model.Relation{{ID: "r", Layer: "alice", Type: "source", From: "attr", To: "f40"}}
	html := RenderDocument(Prerender{Document: model.Document{ID: 1, Text: text}, Schema: model.DefaultSchema(), Layer: "alice",
		Annotations: anns, Relations: rels})
	if n := strings.Count(html, "unattributed"); n != 1 {
		t.Errorf("%d unattributed marks, want 1 (the Business Times claim):\n%s", n, html)
	}
	if !strings.Contains(html, `claim · alice · no source`) || strings.Contains(html, `figure · alice · no source`) {
		t.Errorf("titles wrong:\n%s", html)
	}
}

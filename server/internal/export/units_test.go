package export

import (
	"encoding/json"
	"strings"
	"testing"

	"gloss/shared/model"
)

// TestCardCountsCoNLLTokens: the dataset card's agreement is measured
// over the tokens the CoNLL export writes. The card used to count its own
// units, which split "Ctrl\x01char" as one token where CoNLL has two, so
// its token count (and alpha) disagreed with the file beside it.
func TestCardCountsCoNLLTokens(t *testing.T) {
	doc := Doc{Document: model.Document{ID: 1, ProjectID: 7, Name: "units", Text: hostileText}}
	for i, layer := range []string{"alice", "bob"} {
		s, e := find(t, hostileText, "Ctrl\x01char", "")
		doc.Annotations = append(doc.Annotations, model.Annotation{ID: layer, Document: 1, Layer: layer, Label: "claim",
			Start: s, End: e - i, Quote: string([]rune(hostileText)[s : e-i]), Author: layer, Version: 1, Created: annotated, Updated: annotated})
	}
	docs := []Doc{doc}
	var card struct {
		Agreement struct {
			Tokens int `json:"tokens"`
		} `json:"agreement"`
	}
	if err := json.Unmarshal(export(t, FormatCard, docs, demoOptions()), &card); err != nil {
		t.Fatal(err)
	}
	lines := 0
	for _, l := range strings.Split(string(export(t, FormatCoNLL, docs, demoOptions())), "\n") {
		if l != "" && !strings.HasPrefix(l, "#") && !strings.HasPrefix(l, "-DOCSTART-") {
			lines++
		}
	}
	if card.Agreement.Tokens != lines || lines == 0 {
		t.Errorf("card counts %d tokens, the CoNLL export writes %d", card.Agreement.Tokens, lines)
	}
}

package importer

import (
	"errors"
	"strings"
	"testing"
)

// TestMetaKeptAsWritten: the upload path reads JSONL with export's record
// decoder, so meta numbers keep their digits. The importer's own parser
// went through float64 and turned 12345678901234567890 into
// 12345678901234567000 and 1.10 into 1.1.
func TestMetaKeptAsWritten(t *testing.T) {
	data := `{"text":"abc","meta":{"n":12345678901234567890,"f":1.10,"s":"x","o":{"a": [1, 2]}}}`
	docs, err := Parse([]File{{Name: "m.jsonl", Data: []byte(data)}}, opts())
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"n": "12345678901234567890", "f": "1.10", "s": "x", "o": `{"a":[1,2]}`, "source": "m.jsonl:1"}
	for k, v := range want {
		if got := docs[0].Meta[k]; got != v {
			t.Errorf("meta %q = %q, want %q", k, got, v)
		}
	}
}

// TestSpanAttrsKept: a JSONL upload's figure and attribution fields (as
// `gloss suggest` and the JSONL export write them) reach the stored
// annotations, and bad ones are refused with the span named.
func TestSpanAttrsKept(t *testing.T) {
	data := `{"text":"CNN reported at least 40 dead.","spans":[` +
		`{"start":0,"end":12,"label":"attribution","cue":[4,12]},` +
		`{"start":13,"end":29,"label":"figure","value":40,"qualifier":"at least","unit":"","quantity":"dead"}]}`
	docs, err := Parse([]File{{Name: "s.jsonl", Data: []byte(data)}}, opts())
	if err != nil {
		t.Fatal(err)
	}
	anns := docs[0].Annotations
	if len(anns) != 2 || anns[0].Attrs == nil || anns[0].Attrs.Cue == nil || *anns[0].Attrs.Cue != [2]int{4, 12} {
		t.Fatalf("attribution attrs = %+v", anns)
	}
	if a := anns[1].Attrs; a == nil || a.Value == nil || *a.Value != 40 || a.Qualifier != "at least" || a.Quantity != "dead" {
		t.Fatalf("figure attrs = %+v", a)
	}
	bad := `{"text":"CNN reported.","spans":[{"start":0,"end":3,"label":"attribution","cue":[4,12]}]}`
	if _, err := Parse([]File{{Name: "b.jsonl", Data: []byte(bad)}}, opts()); err == nil {
		t.Fatal("a cue outside its span was imported")
	}
}

// TestStoryFields: a JSONL record's top-level title, outlet and published
// reach the document's metadata (overriding meta's), the title names an
// unnamed document, and a publication time the story view cannot read is
// refused with the line named.
func TestStoryFields(t *testing.T) {
	data := `{"text":"abc","title":"Moscow attack","outlet":" CNN ","published":"2024-03-22T21:00:00Z","meta":{"outlet":"old"}}` + "\n" +
		`{"text":"def","name":"kept","meta":{"published":"2024-03-23"}}`
	docs, err := Parse([]File{{Name: "s.jsonl", Data: []byte(data)}}, opts())
	if err != nil {
		t.Fatal(err)
	}
	if m := docs[0].Meta; m["title"] != "Moscow attack" || m["outlet"] != "CNN" || m["published"] != "2024-03-22T21:00:00Z" || docs[0].Name != "Moscow attack" {
		t.Errorf("first document = %q %v", docs[0].Name, m)
	}
	if m := docs[1].Meta; m["published"] != "2024-03-23" || docs[1].Name != "kept" {
		t.Errorf("second document = %q %v", docs[1].Name, m)
	}
	_, err = Parse([]File{{Name: "b.jsonl", Data: []byte(`{"text":"x"}` + "\n" + `{"text":"y","published":"last Friday"}`)}}, opts())
	var ie *Error
	if !errors.As(err, &ie) || ie.Line != 2 || !strings.Contains(err.Error(), "published") {
		t.Errorf("a bad publication time: %v", err)
	}
}

package model

import (
	"errors"
	"testing"

	"gloss/shared/textpos"
)

func TestValidateAnnotation(t *testing.T) {
	text := textpos.New("ISIS.\u00a0\n\nRegional governor 😀 said 東京 e\u0301.")
	schema := DefaultSchema()
	ok := Annotation{ID: "a1", Label: "claim", Start: 8, End: 25, Quote: "Regional governor"}
	tests := []struct {
		name string
		mod  func(a *Annotation)
		code string
	}{
		{"valid", func(a *Annotation) {}, ""},
		{"after emoji", func(a *Annotation) { a.Start, a.End, a.Quote = 26, 35, "😀 said 東京" }, ""},
		{"nbsp", func(a *Annotation) { a.Start, a.End, a.Quote = 4, 6, ".\u00a0" }, ""},
		{"combining", func(a *Annotation) { a.Start, a.End, a.Quote = 36, 38, "e\u0301" }, ""},
		{"empty", func(a *Annotation) { a.End = a.Start; a.Quote = "" }, CodeSpanEmpty},
		{"reversed", func(a *Annotation) { a.End = 2 }, CodeSpanEmpty},
		{"negative", func(a *Annotation) { a.Start = -1 }, CodeSpanOutOfRange},
		{"past end", func(a *Annotation) { a.End = 1000 }, CodeSpanOutOfRange},
		{"quote mismatch", func(a *Annotation) { a.Quote = "regional governor" }, CodeQuoteMismatch},
		{"utf-16 offsets", func(a *Annotation) { a.Start, a.End, a.Quote = 27, 36, "😀 said 東京" }, CodeQuoteMismatch},
		{"unknown label", func(a *Annotation) { a.Label = "<b>opinion</b>" }, CodeUnknownLabel},
		{"bad id", func(a *Annotation) { a.ID = "x\"><script>" }, CodeBadID},
		{"empty id", func(a *Annotation) { a.ID = "" }, CodeBadID},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := ok
			tc.mod(&a)
			err := ValidateAnnotation(text, schema, a)
			if tc.code == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			var ve *Error
			if !errors.As(err, &ve) || ve.Code != tc.code {
				t.Fatalf("err = %v, want code %s", err, tc.code)
			}
		})
	}
}

func TestSchemaLookups(t *testing.T) {
	s := DefaultSchema()
	if l, ok := s.LabelForKey("2"); !ok || l.Name != "figure" {
		t.Errorf("LabelForKey(2) = %v, %v", l, ok)
	}
	if _, ok := s.LabelForKey("9"); ok {
		t.Error("LabelForKey(9) found a label")
	}
	if !s.HasRelation("source") || s.HasRelation("cause") {
		t.Error("HasRelation wrong")
	}
}

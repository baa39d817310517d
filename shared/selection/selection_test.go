package selection

import (
	"testing"
	"unicode/utf16"

	"gloss/shared/textpos"
)

// u16 is the UTF-16 length of s, as the browser's Range.toString().length.
func u16(s string) int { return len(utf16.Encode([]rune(s))) }

func TestSpan(t *testing.T) {
	text := "Business Times verified it.\u00a0\n\nRegional governor 😀 Andrey said 東京 e\u0301t\u00e9 שלום ok.\nLast"
	doc := textpos.New(text)
	paras := textpos.Paragraphs(text)
	if len(paras) != 3 {
		t.Fatalf("paragraphs = %d, want 3", len(paras))
	}
	p1 := paras[1].Text.String()
	at := func(para int, prefix string) Point { return Point{Para: para, UTF16: u16(prefix)} }
	tests := []struct {
		name     string
		from, to Point
		snap     bool
		want     string
	}{
		{"after nbsp paragraph", at(1, ""), at(1, "Regional governor"), false, "Regional governor"},
		{"across emoji", at(1, "Regional governor "), at(1, "Regional governor 😀 Andrey"), false, "😀 Andrey"},
		{"cjk after emoji", at(1, "Regional governor 😀 Andrey said "), at(1, "Regional governor 😀 Andrey said 東京"), false, "東京"},
		{"combining mark", at(1, "Regional governor 😀 Andrey said 東京 "), at(1, "Regional governor 😀 Andrey said 東京 e\u0301t\u00e9"), false, "e\u0301t\u00e9"},
		{"rtl", at(1, "Regional governor 😀 Andrey said 東京 e\u0301t\u00e9 "), at(1, "Regional governor 😀 Andrey said 東京 e\u0301t\u00e9 שלום"), false, "שלום"},
		{"nbsp trimmed", at(0, "Business Times verified "), at(0, "Business Times verified it.\u00a0"), false, "it."},
		{"backwards", at(1, "Regional governor"), at(1, ""), false, "Regional governor"},
		{"snap grows to words", at(1, "Regional gov"), at(1, "Regional governor 😀 And"), true, "governor 😀 Andrey"},
		{"across paragraphs", at(1, "Regional governor 😀 Andrey said 東京 e\u0301t\u00e9 שלום "), at(2, "Last"), false, "ok.\nLast"},
		{"whole paragraph", at(1, ""), at(1, p1), false, p1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, e, q, err := Span(doc, paras, tc.from, tc.to, tc.snap)
			if err != nil {
				t.Fatal(err)
			}
			if q != tc.want {
				t.Fatalf("quote = %q, want %q", q, tc.want)
			}
			if got := string([]rune(text)[s:e]); got != q {
				t.Fatalf("text[%d:%d] = %q, quote %q", s, e, got, q)
			}
		})
	}
	if _, _, _, err := Span(doc, paras, at(0, "Business"), at(0, "Business "), false); err != ErrEmpty {
		t.Errorf("whitespace-only selection: err = %v, want ErrEmpty", err)
	}
	if _, _, _, err := Span(doc, paras, Point{Para: 9}, at(0, ""), false); err == nil {
		t.Error("bad paragraph accepted")
	}
}

package agreement

import (
	"reflect"
	"strings"
	"testing"
	"unicode"

	"gloss/shared/model"
	"gloss/shared/textpos"
)

func TestSpanF1(t *testing.T) {
	claim := func(s, e int) Span { return Span{s, e, "claim"} }
	tests := []struct {
		name           string
		a, b           []Span
		exact, overlap SpanCounts
	}{
		{"identical", []Span{claim(0, 5)}, []Span{claim(0, 5)}, SpanCounts{1, 0, 0}, SpanCounts{1, 0, 0}},
		{"boundary off by one", []Span{claim(0, 5)}, []Span{claim(0, 6)}, SpanCounts{0, 1, 1}, SpanCounts{1, 0, 0}},
		{"adjacent spans do not overlap", []Span{claim(0, 5)}, []Span{claim(5, 8)}, SpanCounts{0, 1, 1}, SpanCounts{0, 1, 1}},
		{"label must match", []Span{claim(0, 5)}, []Span{{0, 5, "figure"}}, SpanCounts{0, 1, 1}, SpanCounts{0, 1, 1}},
		{"one to one", []Span{claim(0, 10)}, []Span{claim(0, 4), claim(5, 10)}, SpanCounts{0, 2, 1}, SpanCounts{1, 1, 0}},
		{"duplicates match once", []Span{claim(0, 5), claim(0, 5)}, []Span{claim(0, 5)}, SpanCounts{1, 0, 1}, SpanCounts{1, 0, 1}},
		// Greedy by largest overlap would pair [0,10) with [2,11) and stop
		// at one match; the maximum matching finds two.
		{"maximum matching", []Span{claim(0, 10), claim(8, 12)}, []Span{claim(2, 11), claim(0, 3)}, SpanCounts{0, 2, 2}, SpanCounts{2, 0, 0}},
		{"no spans", nil, nil, SpanCounts{}, SpanCounts{}},
		{"only A marked", []Span{claim(0, 5)}, nil, SpanCounts{0, 0, 1}, SpanCounts{0, 0, 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, m := range []struct {
				mode Match
				want SpanCounts
			}{{Exact, tc.exact}, {Overlap, tc.overlap}} {
				got, _ := SpanF1(tc.a, tc.b, m.mode)
				if got != m.want {
					t.Errorf("SpanF1(mode %d) = %+v, want %+v", m.mode, got, m.want)
				}
			}
		})
	}
	t.Run("scores", func(t *testing.T) {
		_, by := SpanF1([]Span{claim(0, 10)}, []Span{claim(0, 4), claim(5, 10), {0, 3, "figure"}}, Overlap)
		c, f := by["claim"], by["figure"]
		if !near(c.Precision(), 0.5, true) || !near(c.Recall(), 1, true) || !near(c.F1(), 2.0/3, true) {
			t.Errorf("claim P/R/F1 = %+v %+v %+v, want 0.5 1 0.667", c.Precision(), c.Recall(), c.F1())
		}
		if !near(f.Precision(), 0, true) || !near(f.Recall(), 1, false) || !near(f.F1(), 0, true) {
			t.Errorf("figure P/R/F1 = %+v %+v %+v, want 0, undefined, 0", f.Precision(), f.Recall(), f.F1())
		}
		if got := (SpanCounts{}).F1(); !near(got, 1, false) {
			t.Errorf("F1 of no spans = %+v, want undefined", got)
		}
	})
}

func TestTokenize(t *testing.T) {
	tests := []struct {
		text string
		want string // tokens joined by "|"
	}{
		{"", ""},
		{"Police said 40 people died.", "Police|said|40|people|died|."},
		{"U.S.-led  strikes", "U|.|S|.|-|led|strikes"},
		{" \ta\u00a0b\n", "a|b"},
		{"€5m (£4m)", "€|5m|(|£|4m|)"},
		{"Zu\u0308rich's", "Zu\u0308rich|'|s"},
		{"hi😀!", "hi|😀|!"},
		{"a\xffb", "a|\ufffd|b"}, // an invalid byte decodes to U+FFFD, a symbol
	}
	for _, tc := range tests {
		t.Run(tc.text, func(t *testing.T) {
			runes := []rune(tc.text)
			var got []string
			for _, tok := range Tokenize(tc.text) {
				got = append(got, string(runes[tok.Start:tok.End]))
			}
			if s := strings.Join(got, "|"); s != tc.want {
				t.Errorf("Tokenize = %q, want %q", s, tc.want)
			}
		})
	}
}

func TestLabelTokens(t *testing.T) {
	// Police said 40 people died .
	toks := Tokenize("Police said 40 people died.")
	tests := []struct {
		name  string
		spans []Span
		want  []string
	}{
		{"shortest span wins", []Span{{0, 27, "claim"}, {12, 21, "figure"}}, []string{"claim", "claim", "figure", "figure", "claim", "claim"}},
		{"tie goes to first label", []Span{{0, 6, "b"}, {0, 6, "a"}}, []string{"a", "", "", "", "", ""}},
		{"partial word counts", []Span{{2, 4, "x"}, {26, 27, "y"}}, []string{"x", "", "", "", "", "y"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := labelTokens(toks, tc.spans).best; !reflect.DeepEqual(got, tc.want) {
				t.Errorf("best = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestSpansByLayer(t *testing.T) {
	got := SpansByLayer([]model.Annotation{
		{Layer: "ann", Label: "claim", Start: 0, End: 4},
		{Layer: "bob", Label: "figure", Start: 2, End: 3},
		{Layer: "ann", Label: "figure", Start: 1, End: 2},
	})
	want := map[string][]Span{"ann": {{0, 4, "claim"}, {1, 2, "figure"}}, "bob": {{2, 3, "figure"}}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("SpansByLayer = %v, want %v", got, want)
	}
}

// FuzzTokenize checks that tokens are non-empty, ordered, disjoint, inside
// the text and free of whitespace.
func FuzzTokenize(f *testing.F) {
	f.Add("Police said 40 people died.")
	f.Add("U.S.-led\u00a0strikes 😀 a\xffb")
	f.Fuzz(func(t *testing.T, text string) {
		runes := []rune(text)
		prev := 0
		for _, tok := range Tokenize(text) {
			if tok.Start < prev || tok.End <= tok.Start || tok.End > textpos.CodePointLen(text) {
				t.Fatalf("bad token %+v after %d in %q", tok, prev, text)
			}
			if strings.IndexFunc(string(runes[tok.Start:tok.End]), unicode.IsSpace) >= 0 {
				t.Fatalf("token %+v of %q holds whitespace", tok, text)
			}
			prev = tok.End
		}
	})
}

// FuzzSpanF1 checks that matching is symmetric and that exact matches are
// also overlap matches.
func FuzzSpanF1(f *testing.F) {
	f.Add([]byte{0, 10, 8, 4, 2, 9, 0, 3})
	f.Fuzz(func(t *testing.T, data []byte) {
		var a, b []Span
		for i := 0; i+1 < len(data); i += 2 {
			s := Span{int(data[i] % 16), int(data[i]%16) + 1 + int(data[i+1]%8), string('a' + rune(data[i+1]%2))}
			if i%4 == 0 {
				a = append(a, s)
			} else {
				b = append(b, s)
			}
		}
		for _, m := range []Match{Exact, Overlap} {
			ab, _ := SpanF1(a, b, m)
			ba, _ := SpanF1(b, a, m)
			if ab != (SpanCounts{ba.TP, ba.FN, ba.FP}) {
				t.Fatalf("mode %d: SpanF1(a,b) = %+v but SpanF1(b,a) = %+v", m, ab, ba)
			}
		}
		ex, _ := SpanF1(a, b, Exact)
		ov, _ := SpanF1(a, b, Overlap)
		if ex.TP > ov.TP {
			t.Fatalf("exact TP %d > overlap TP %d for a=%v b=%v", ex.TP, ov.TP, a, b)
		}
	})
}

package tokens

import (
	"strings"
	"testing"
)

// TestSplit moved here from server/internal/export's conll_test.go with
// the tokenizer.
func TestSplit(t *testing.T) {
	tests := []struct {
		text string
		want string // tokens separated by spaces, sentences by " | "
	}{
		{"Moscow: The ISIS has claimed", "Moscow : The ISIS has claimed"},
		{"at least 40 people dead and over 100 wounded, CNN reported.\nA group", "at least 40 people dead and over 100 wounded , CNN reported . | A group"},
		{"by ISIS.\u00a0\n\nRegional governor", "by ISIS . | Regional governor"},
		{"ISIS-affiliated news agency", "ISIS - affiliated news agency"},
		{"the U.S. government", "the U . S . | government"},
		{"3.5 million", "3 . 5 million"},
		{`"terrible tragedy" and`, `" terrible tragedy " and`},
		{`a fire." They`, `a fire . " They`},
		{"Really?! Yes", "Really ? ! | Yes"},
		{"Iran's former", "Iran ' s former"},
		{"café e\u0301t\u00e9", "café e\u0301t\u00e9"},
		{"Fans 😀 cheered 👍🏽!", "Fans 😀 cheered 👍 🏽 !"},
		{"zero\u200bwidth join\u200ded", "zero width join\u200ded"},
		{"ctrl\x01char\ttab\u2028next", "ctrl char tab | next"},
		{"line\r\nbreak", "line | break"},
		{"  \n  ", ""},
		{"", ""},
	}
	for _, tc := range tests {
		var b strings.Builder
		for _, tok := range Split(tc.text) {
			if b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(tc.text[tok.BStart:tok.BEnd])
			if tok.SentenceEnd {
				b.WriteString(" |")
			}
		}
		got := strings.TrimSuffix(b.String(), " |")
		if got != tc.want {
			t.Errorf("Split(%q) = %q, want %q", tc.text, got, tc.want)
		}
	}
}

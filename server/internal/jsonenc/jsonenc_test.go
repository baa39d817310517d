package jsonenc

import (
	"encoding/json"
	"testing"
)

var cases = []string{
	"",
	"plain ASCII",
	`"quoted" \ back\slash /slash`,
	"<script>alert('x')</script> & more",
	"\x00\x01\x07\b\t\n\v\f\r\x1b\x1f\x7f",
	"ISIS.\u00a0\n\nRegional",
	"😀 東京 e\u0301 \u2028 \u2029 \ufeff \ufffd",
	"bad \xff utf-8 \xc3\x28 \xe2\x82 end \xed\xa0\x80",
	"trailing \xe2",
	"tab\tnew\nline\r\b\f", "Zürich 🌊 “quotes” 中文", "\xed\xa0\x80 surrogate",
}

// TestAppendString: the same bytes as json.Marshal of the string.
func TestAppendString(t *testing.T) {
	for _, s := range cases {
		want, _ := json.Marshal(s)
		if got := AppendString(nil, s); string(got) != string(want) {
			t.Errorf("AppendString(%q) = %s, json.Marshal %s", s, got, want)
		}
	}
}

func FuzzAppendString(f *testing.F) {
	for _, s := range cases {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, _ := json.Marshal(s)
		if got := AppendString([]byte("x"), s); string(got[1:]) != string(want) {
			t.Fatalf("AppendString(%q) = %s, json.Marshal %s", s, got[1:], want)
		}
	})
}

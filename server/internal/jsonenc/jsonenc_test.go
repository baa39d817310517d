package jsonenc

import (
	"encoding/json"
	"testing"
)

var cases = []string{
	"", "plain", `say "no"`, `back\slash`, "<script>&</script>", "tab\tnew\nline\r\b\f", "\x00\x01\x1f\x7f",
	"Zürich 🌊 “quotes” 中文", "e\u0301", "\u00a0nbsp", "\u2028\u2029", "bad \xff\xfe utf8", "\xed\xa0\x80 surrogate",
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

package protocol

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// TestDecodeErrorClipsByCharacter: an error message quotes at most 40
// characters of what the client sent, cut between characters. It used
// to cut at 40 bytes, so a name in a non-Latin script came back with a
// broken character ("\xc3…").
func TestDecodeErrorClipsByCharacter(t *testing.T) {
	long := "a" + strings.Repeat("é", 45)
	_, err := Decode([]byte(`{"type":"` + long + `"}`))
	if err == nil {
		t.Fatal("Decode accepted an unknown type")
	}
	msg := err.Error()
	if want := `"a` + strings.Repeat("é", 39) + `…"`; !strings.Contains(msg, want) {
		t.Errorf("message %q does not quote %q", msg, want)
	}
	if strings.Contains(msg, `\x`) || !utf8.ValidString(msg) {
		t.Errorf("message %q quotes a broken character", msg)
	}
}

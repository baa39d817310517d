package main

import (
	"strings"
	"testing"

	"gloss/shared/model"
	"gloss/shared/protocol"
	"gloss/shared/textpos"
)

// TestGlossOps holds the hand-built op messages to what json.Marshal
// writes for the same protocol.Message, over quotes that need escapes
// (HTML characters, quotes, U+2028, outside the BMP) and versions with
// and without omitempty.
func TestGlossOps(t *testing.T) {
	text := strings.Repeat("Zürich said <b>“40 & more”</b> \"x\\y\" \u2028 line 🌊 — end. ", 10)
	w := glossWire{textpos.New(text)}
	ref := func(kind, label string, opID, annID string, version int64, start int) []byte {
		start %= w.text.Len() - 20
		q, _ := w.text.Slice(start, start+8)
		return mustJSON(protocol.Message{Type: protocol.TypeOp, Op: &protocol.Op{ID: opID, Kind: kind, Version: version,
			Ann: &model.Annotation{ID: annID, Label: label, Start: start, End: start + 8, Quote: q}}})
	}
	for start := range w.text.Len() {
		for _, version := range []int64{0, 1, 123456789} {
			opID, annID := "s12_1795975575039725793_7", "c12-"+string(rune('0'+start%10))
			if got, want := w.relabel(opID, annID, version, start), ref(protocol.KindUpdate, "figure", opID, annID, version, start); string(got) != string(want) {
				t.Fatalf("relabel at %d, version %d:\n got %s\nwant %s", start, version, got, want)
			}
			if version == 0 {
				if got, want := w.add(opID, annID, start), ref(protocol.KindAdd, "claim", opID, annID, 0, start); string(got) != string(want) {
					t.Fatalf("add at %d:\n got %s\nwant %s", start, got, want)
				}
			}
			want := mustJSON(protocol.Message{Type: protocol.TypeOp, Op: &protocol.Op{ID: opID, Kind: protocol.KindDelete, Target: annID, Version: version}})
			if got := del(opID, annID, version); string(got) != string(want) {
				t.Fatalf("delete, version %d:\n got %s\nwant %s", version, got, want)
			}
		}
	}
}

func TestParseOpID(t *testing.T) {
	for _, tc := range []struct {
		id     string
		sender int
		at     int64
		ok     bool
	}{
		{`12_1795975575039725793_7","kind"`, 12, 1795975575039725793, true},
		{`0_5_0`, 0, 5, true},
		{`3_1795975575039725793_`, 3, 1795975575039725793, true},
		{`3_1795975575039725793`, 0, 0, false},    // no third part
		{`3_17959755750397257930_1`, 0, 0, false}, // 20 digits: not a time
		{`_5_1`, 0, 0, false},
		{`3__1`, 0, 0, false},
		{`x3_5_1`, 0, 0, false},
		{`3_5x_1`, 0, 0, false},
		{``, 0, 0, false},
	} {
		s, at, ok := parseOpID([]byte(tc.id))
		if s != tc.sender || at != tc.at || ok != tc.ok {
			t.Errorf("parseOpID(%q) = %d, %d, %v; want %d, %d, %v", tc.id, s, at, ok, tc.sender, tc.at, tc.ok)
		}
	}
}

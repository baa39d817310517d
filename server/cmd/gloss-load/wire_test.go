package main

import (
	"fmt"
	"math/rand/v2"
	"strconv"
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
		{`3_9223372036854775807_1`, 3, 9223372036854775807, true},
		{`3_9223372036854775808_1`, 0, 0, false}, // more than an int64
		{`3_1795975575/39725793_1`, 0, 0, false},
		{`3_179597557503972579:_1`, 0, 0, false},
		{`3_0000000000000000001_1`, 3, 1, true},
		{`3_17959755750397 5793_1`, 0, 0, false},
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

// TestCutNumber holds the eight-digits-at-a-time read of a send time to
// the digit loop's, over times of every magnitude and digits that are
// almost digits.
func TestCutNumber(t *testing.T) {
	slow := func(b []byte) (int64, bool) { // 1 to 19 digits, then "_"
		num, _, found := strings.Cut(string(b), "_")
		if !found || len(num) == 0 || len(num) > 19 || strings.ContainsAny(num, "+-") {
			return 0, false
		}
		n, err := strconv.ParseInt(num, 10, 64)
		if err != nil {
			return 0, false
		}
		return n, true
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 100000 {
		b := []byte(fmt.Sprintf("%019d_7", rng.Uint64()>>uint(rng.IntN(64))))
		if i%3 == 0 { // one byte just outside the digits
			b[rng.IntN(19)] = "/:\x00 \xb0"[rng.IntN(5)]
		}
		n, rest, ok := cutNumber(b)
		want, wantOK := slow(b)
		if n != want || ok != wantOK || (ok && string(rest) != "7") {
			t.Fatalf("cutNumber(%q) = %d, %q, %v; want %d, %v", b, n, rest, ok, want, wantOK)
		}
	}
}

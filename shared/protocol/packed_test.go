package protocol

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"gloss/shared/model"
	"gloss/shared/textpos"
)

func TestPackRoundTrip(t *testing.T) {
	text := "Markets 📈 rallied in 東京, e\u0301, \u00a0said officials."
	tx := textpos.New(text)
	now := time.UnixMilli(1795999921120).UTC()
	mk := func(id, layer, label string, s, e int) model.Annotation {
		q, _ := tx.Slice(s, e)
		return model.Annotation{ID: id, Document: 7, Layer: layer, Label: label, Start: s, End: e, Quote: q, Author: layer, Version: 3, Created: now, Updated: now.Add(time.Second)}
	}
	anns := []model.Annotation{
		mk("a1", "alice", "claim", 0, 17),
		mk("a2", "tab\there\\and\nnewline", "figure", 8, 9),
		mk("a3", "gold", "two words", 22, 24),
	}
	got, err := UnpackAnnotations(PackAnnotations(anns), tx, 7)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, anns) {
		t.Fatalf("round trip:\n got %+v\nwant %+v", got, anns)
	}
	if empty, err := UnpackAnnotations("", tx, 7); err != nil || len(empty) != 0 {
		t.Fatalf("empty: %v %v", empty, err)
	}
}

func TestUnpackErrors(t *testing.T) {
	tx := textpos.New("short")
	for _, bad := range []string{
		"a\tb\tc\t0\t2\tx\t1\t0\t0",            // no newline
		"a\tb\tc\t0\t2\tx\t1\t0\n",             // 8 fields
		"a\tb\tc\t0\t99\tx\t1\t0\t0\n",         // out of range
		"a\tb\tc\tzero\t2\tx\t1\t0\t0\n",       // bad number
		strings.Repeat("a\t", 9) + "1\t2\t3\n", // too many fields
	} {
		if _, err := UnpackAnnotations(bad, tx, 1); err == nil {
			t.Errorf("UnpackAnnotations(%q) accepted", bad)
		}
	}
}

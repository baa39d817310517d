package storetest

import (
	"reflect"
	"testing"

	"gloss/server/internal/store"
)

// testDocSeqs: DocSeqs is each document's seq after its commits (0
// before any), leaves out documents that do not exist, and reads more
// documents than fit one statement.
func testDocSeqs(t *testing.T, s store.Store) {
	ctx := t.Context()
	a := newDoc(t, s, "0123456789")
	b := newDoc(t, s, "0123456789")
	fresh := newDoc(t, s, "0123456789")
	commit(t, s, a, addOp("x", ann(a, "a", "claim", 0, 1, "0")), addOp("y", ann(a, "b", "claim", 1, 2, "1")))
	commit(t, s, a, addOp("z", ann(a, "c", "claim", 2, 3, "2")))
	commit(t, s, b, addOp("w", ann(b, "a", "claim", 0, 1, "0")))

	missing := fresh + 1000
	many := []int64{b}
	for i := range int64(1200) {
		many = append(many, missing+i)
	}
	many = append(many, a)
	tests := []struct {
		name string
		ids  []int64
		want map[int64]int64
	}{
		{"none", nil, map[int64]int64{}},
		{"all", []int64{a, b, fresh}, map[int64]int64{a: 3, b: 1, fresh: 0}},
		{"missing left out", []int64{missing, b}, map[int64]int64{b: 1}},
		{"many", many, map[int64]int64{a: 3, b: 1}},
	}
	for _, tc := range tests {
		got, err := s.DocSeqs(ctx, tc.ids)
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("DocSeqs(%s) = %v, %v; want %v", tc.name, got, err, tc.want)
		}
	}
	// The seq is the one the document's snapshot carries: what a cache
	// of snapshots compares with.
	snap, err := s.Snapshot(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := s.DocSeqs(ctx, []int64{a}); got[a] != snap.Seq {
		t.Errorf("DocSeqs = %d, snapshot seq %d", got[a], snap.Seq)
	}
}

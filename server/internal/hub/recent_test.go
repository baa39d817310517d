package hub

import (
	"fmt"
	"testing"

	"gloss/shared/protocol"
)

// TestRecentOps checks the room's memory of recent op ids: it holds the
// latest n ids (the oldest go first once it is full, however many times
// it wraps), a repeated id is not added twice, and it grows only with the
// ops it has seen.
func TestRecentOps(t *testing.T) {
	for _, tc := range []struct {
		n, ops int
	}{
		{n: 1, ops: 3},
		{n: 4, ops: 2},
		{n: 4, ops: 4},
		{n: 4, ops: 11},
		{n: 4096, ops: 10},
	} {
		t.Run(fmt.Sprintf("n=%d ops=%d", tc.n, tc.ops), func(t *testing.T) {
			r := newRecentOps(tc.n)
			for i := range tc.ops {
				op := protocol.Op{ID: fmt.Sprintf("op%d", i), Kind: protocol.KindDelete, Target: "a", Seq: int64(i + 1)}
				r.add(op)
				r.add(op) // a retry's commit: no second entry
			}
			kept := min(tc.n, tc.ops)
			if len(r.byID) != kept || len(r.ring) != kept {
				t.Fatalf("%d ids, ring of %d; want %d", len(r.byID), len(r.ring), kept)
			}
			for i := range tc.ops {
				info, ok := r.byID[fmt.Sprintf("op%d", i)]
				if want := i >= tc.ops-kept; ok != want {
					t.Fatalf("op%d kept %v, want %v", i, ok, want)
				}
				if ok && info.seq != int64(i+1) {
					t.Fatalf("op%d seq %d, want %d", i, info.seq, i+1)
				}
			}
		})
	}
}

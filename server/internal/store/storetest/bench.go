package storetest

import (
	"context"
	"fmt"
	"testing"

	"gloss/server/internal/store"
	"gloss/shared/protocol"
)

// BenchmarkCommitCycle measures Commit under the load of the sync
// benchmark (gloss-load's saturating mode): clients that each cycle add →
// relabel → delete of one annotation, their ops grouped by the hub into
// batches of n. Every batch mixes the three kinds about equally, as a
// room's does. Besides ns/op (one op = one batch) it reports wall and CPU
// time per op of the batch (cpu-ns/each: this process's user + system
// time, which the fsync of each commit hardly adds to). IDs are spread
// like the random ones clients make: a batch's rows land on as many pages.
func BenchmarkCommitCycle(b *testing.B, open func(b *testing.B) store.Store) {
	for _, n := range []int{10, 50} {
		b.Run(fmt.Sprintf("ops=%d", n), func(b *testing.B) {
			s := open(b)
			defer s.Close()
			ctx := context.Background()
			docID := newDoc(b, s, "benchmark text")
			// Client j is at step (j + round) % 3 of its cycle on
			// annotation cur[j]; before the first round, the clients that
			// start mid-cycle get their annotation as that step needs it.
			cur := make([]string, n)
			var setup []protocol.Op
			for j := range cur {
				cur[j] = "s" + spreadID(j)
				a := ann(docID, cur[j], "claim", 0, 9, "benchmark")
				if j%3 != 0 {
					setup = append(setup, addOp("add-"+cur[j], a))
				}
				if j%3 == 2 {
					a.Version = 1
					setup = append(setup, updateOp("update-"+cur[j], a, "source"))
				}
			}
			if _, err := s.Commit(ctx, docID, setup); err != nil {
				b.Fatal(err)
			}
			ops := make([]protocol.Op, n)
			round, next := 0, 0
			cpu0 := cpuTime()
			for b.Loop() {
				for j := range ops {
					opID := spreadID(next)
					next++
					switch (j + round) % 3 {
					case 0:
						cur[j] = opID
						ops[j] = addOp(opID, ann(docID, cur[j], "claim", 0, 9, "benchmark"))
					case 1:
						a := ann(docID, cur[j], "claim", 0, 9, "benchmark")
						a.Version = 1
						ops[j] = updateOp(opID, a, "source")
					case 2:
						ops[j] = deleteOp(opID, cur[j], 2)
					}
				}
				if _, err := s.Commit(ctx, docID, ops); err != nil {
					b.Fatal(err)
				}
				round++
			}
			cpu := cpuTime() - cpu0
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(next), "ns/each")
			if cpu > 0 {
				b.ReportMetric(float64(cpu.Nanoseconds())/float64(next), "cpu-ns/each")
			}
		})
	}
}

// spreadID is the ith of IDs that, like the random ones clients make, land
// all over an index rather than at its end.
func spreadID(i int) string {
	return fmt.Sprintf("%016x", uint64(i+1)*0x9e3779b97f4a7c15)
}

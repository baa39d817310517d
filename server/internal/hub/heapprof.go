//go:build unix

package hub

import (
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"syscall"
)

// Benchmark-only switches, for breaking down the idle memory per
// connection of a real `gloss serve` process (see BENCHMARKS.md, "Live
// sync"). With GLOSS_BENCH_HEAPPROFILE=FILE in its environment, the
// server records every allocation and, whenever it gets SIGUSR1, collects
// and writes a heap profile to FILE. Recording every allocation costs
// memory of its own, and the collection changes what it measures, so
// GLOSS_BENCH_MEMSTATS=FILE does neither: on SIGUSR1 it writes only what
// both write besides, the runtime's memory statistics as they stand (to
// FILE.txt: the resident set less what they account for is memory
// outside the Go runtime, SQLite's) and the goroutines' stacks (to
// FILE.goroutines: what runs during a burst of connections). Unset,
// nothing happens.
func init() {
	path, profile := os.Getenv("GLOSS_BENCH_HEAPPROFILE"), true
	if path == "" {
		path, profile = os.Getenv("GLOSS_BENCH_MEMSTATS"), false
	}
	if path == "" {
		return
	}
	if profile {
		runtime.MemProfileRate = 1
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGUSR1)
	go func() {
		for range sig {
			if g, err := os.Create(path + ".goroutines"); err == nil {
				pprof.Lookup("goroutine").WriteTo(g, 1)
				g.Close()
			}
			if profile {
				runtime.GC()
				if f, err := os.Create(path); err == nil {
					pprof.Lookup("heap").WriteTo(f, 0)
					f.Close()
				}
			}
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			os.WriteFile(path+".txt", fmt.Appendf(nil, "HeapAlloc %d\nHeapInuse %d\nHeapIdle %d\nHeapReleased %d\nStackInuse %d\nMSpanInuse %d\nGCSys %d\nOtherSys %d\nSys %d\nNextGC %d\nNumGC %d\nNumGoroutine %d\n",
				ms.HeapAlloc, ms.HeapInuse, ms.HeapIdle, ms.HeapReleased, ms.StackInuse, ms.MSpanInuse, ms.GCSys, ms.OtherSys, ms.Sys, ms.NextGC, ms.NumGC, runtime.NumGoroutine()), 0o644)
		}
	}()
}

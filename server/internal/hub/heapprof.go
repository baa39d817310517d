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

// A benchmark-only switch: with GLOSS_BENCH_HEAPPROFILE=FILE in its
// environment, the server records every allocation and writes a heap
// profile to FILE whenever it gets SIGUSR1 — how the idle memory per
// connection of a real `gloss serve` process is broken down (see
// BENCHMARKS.md, "Live sync"), with the runtime's memory statistics in
// FILE.txt. Unset, nothing happens.
func init() {
	path := os.Getenv("GLOSS_BENCH_HEAPPROFILE")
	if path == "" {
		return
	}
	runtime.MemProfileRate = 1
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGUSR1)
	go func() {
		for range sig {
			runtime.GC()
			f, err := os.Create(path)
			if err != nil {
				continue
			}
			pprof.Lookup("heap").WriteTo(f, 0)
			f.Close()
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			os.WriteFile(path+".txt", fmt.Appendf(nil, "HeapInuse %d\nHeapIdle %d\nHeapReleased %d\nStackInuse %d\nMSpanInuse %d\nGCSys %d\nOtherSys %d\nSys %d\nNextGC %d\nNumGoroutine %d\n",
				ms.HeapInuse, ms.HeapIdle, ms.HeapReleased, ms.StackInuse, ms.MSpanInuse, ms.GCSys, ms.OtherSys, ms.Sys, ms.NextGC, runtime.NumGoroutine()), 0o644)
		}
	}()
}

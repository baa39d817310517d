//go:build unix

package hub

import (
	"os"
	"os/signal"
	"runtime/pprof"
	"runtime/trace"
	"syscall"
)

// A benchmark-only switch, like GLOSS_BENCH_HEAPPROFILE: with
// GLOSS_BENCH_CPUPROFILE=FILE in its environment, the server starts a CPU
// profile on SIGUSR2 and writes it to FILE on the next SIGUSR2 — how a
// measured interval of `gloss serve` under gloss-load is broken down by Go
// function (perf cannot follow goroutine stacks across morestack and into
// the callers of short-lived goroutines). GLOSS_BENCH_TRACE=FILE does
// the same with an execution trace (`go tool trace`: where the room
// goroutine waits, and for what). Unset, nothing happens.
func init() {
	start, stop := pprof.StartCPUProfile, pprof.StopCPUProfile
	path := os.Getenv("GLOSS_BENCH_CPUPROFILE")
	if t := os.Getenv("GLOSS_BENCH_TRACE"); t != "" {
		path, start, stop = t, trace.Start, trace.Stop
	}
	if path == "" {
		return
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGUSR2)
	go func() {
		var f *os.File
		for range sig {
			if f != nil {
				stop()
				f.Close()
				f = nil
				continue
			}
			var err error
			if f, err = os.Create(path); err != nil {
				f = nil
				continue
			}
			if start(f) != nil {
				f.Close()
				f = nil
			}
		}
	}()
}

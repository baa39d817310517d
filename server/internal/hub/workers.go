package hub

import (
	"sync/atomic"
	"time"
)

// goWork runs f on a goroutine that finished a task before and waits for
// the next, or on a new one. The hub's short tasks — a connection's read
// (readReady), a chunk of a broadcast's writes (flushAll) — come thousands
// of times a second under load, and a new goroutine for each starts on a
// small stack that grows, copied, to the depth of JSON decoding or a
// socket write every time: newstack and newproc were 8 % of the server's
// CPU in a profile of the saturating load (BENCHMARKS.md). A worker waits
// workerIdle for its next task and then ends, so an idle server holds
// none; at most maxWorkers wait at once (a burst of reads, all the
// clients of a room readable together, starts that many).
func goWork(f func()) {
	select {
	case work <- f:
	default:
		go worker(f)
	}
}

const (
	maxWorkers = 256
	workerIdle = 2 * time.Second
)

var (
	work    = make(chan func()) // unbuffered: a task goes only to a waiting worker
	waiting atomic.Int32
)

func worker(f func()) {
	var idle *time.Timer
	for {
		f()
		if waiting.Add(1) > maxWorkers {
			waiting.Add(-1)
			return
		}
		if idle == nil {
			idle = time.NewTimer(workerIdle)
		} else {
			idle.Reset(workerIdle)
		}
		select {
		case f = <-work:
			waiting.Add(-1)
		case <-idle.C:
			waiting.Add(-1)
			return
		}
	}
}

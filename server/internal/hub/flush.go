package hub

import (
	"runtime"
	"sync"
)

// inlineFlushes is how many clients' deliveries the room writes itself;
// beyond it, the flusher writes them. One or two writes (a sender's ack,
// a refusal) cost less than waking another goroutine.
const inlineFlushes = 4

// flushYield is how many clients the flusher writes to before it lets
// the other goroutines run if the room has ops waiting: on a server with
// one core, the room can then start its next commit, whose fsync waits
// off the CPU while the flusher goes on writing. (It does not yield
// otherwise: a yielding goroutine waits in the global run queue, behind
// a burst of readers, while its clients' deliveries age.)
const flushYield = 32

// flusher writes the deliveries the room has queued for its clients
// (see client.flush), on a goroutine that runs only while there is
// something to write: the room hands it the clients that are due and goes
// back to committing. A client handed over twice before its turn is
// written once, with both deliveries; handing over a client whose queue
// another writer took meanwhile costs a lock.
type flusher struct {
	inbox   chan opReq // the room's
	mu      sync.Mutex
	due     []*client
	running bool
}

// add hands cs over to be written, and starts the flusher's goroutine
// unless it runs.
func (f *flusher) add(cs []*client) {
	f.mu.Lock()
	f.due = append(f.due, cs...)
	start := !f.running
	f.running = true
	f.mu.Unlock()
	if start {
		go f.run()
	}
}

func (f *flusher) run() {
	var cs []*client
	for {
		f.mu.Lock()
		cs, f.due = f.due, cs[:0]
		if len(cs) == 0 {
			f.running = false
			f.due = nil // a burst is over; do not keep its list
			f.mu.Unlock()
			return
		}
		f.mu.Unlock()
		for i, c := range cs {
			if i > 0 && i%flushYield == 0 && len(f.inbox) > 0 {
				runtime.Gosched()
			}
			c.flush()
		}
		clear(cs)
	}
}

package hub

// inlineFlushes is how many clients' deliveries the room writes itself;
// beyond it, goroutines write them (flushChunks). One or two writes (a
// sender's ack, a refusal) cost less than starting a goroutine.
const inlineFlushes = 4

// flushChunk is how many clients one writing goroutine of a broadcast
// takes: ≈ 16 writes of ≈ 10 µs on loopback, so that on a server with one
// core the scheduler can run the readers and the room between chunks —
// the room then starts its next commit, whose fsync waits off the CPU
// while the rest of the broadcast is written — and on a server with more
// cores the chunks are written in parallel. (One goroutine per client
// costs more to start than its write; one goroutine for the whole
// broadcast holds the core for milliseconds, and readers wait behind it.)
const flushChunk = 16

// flushChunks has cs's queued deliveries written (client.flush), by a
// goroutine per flushChunk clients. A client whose queue another writer
// took meanwhile costs a lock; what is queued for a client by the time
// its turn comes, from this broadcast and any later one, goes in one
// writev. r counts the goroutines until they are done (see
// room.awaitBroadcast).
func (r *room) flushChunks(cs []*client) {
	r.writers.Add(int32((len(cs) + flushChunk - 1) / flushChunk))
	for len(cs) > 0 {
		n := min(len(cs), flushChunk)
		chunk := cs[:n:n]
		goWork(func() { r.flushAll(chunk) })
		cs = cs[n:]
	}
}

func (r *room) flushAll(cs []*client) {
	for _, c := range cs {
		c.flush()
	}
	if r.writers.Add(-1) == 0 {
		select {
		case r.written <- struct{}{}:
		default: // a signal is pending already
		}
	}
}

// awaitBroadcast waits, before the room takes its next batch, until the
// previous broadcast is written or enough ops wait to fill a batch worth
// starting now (a quarter of the clients'). Taking a batch while the
// acks of the broadcast are still going out would commit only the ops of
// the clients written first — small batches, each written to every
// client — whereas their fsync overlaps the writes only when the disk is
// slow; waiting keeps batches as large as what arrives meanwhile.
func (r *room) awaitBroadcast() {
	enough := max(1, len(r.clients)/4)
	for r.writers.Load() > 0 && len(r.inbox) < enough {
		select {
		case <-r.written:
		case <-r.quit:
			return
		}
	}
}

package hub

import (
	"context"

	"gloss/shared/protocol"
)

// Acknowledging after the disk, without waiting for it.
//
// With a store that can commit now and sync later
// (store.UnsyncedCommitter: SQLite), the room commits a batch, starts a
// sync of the store on another goroutine and goes on resolving and
// committing the next batch while the disk works; what a batch delivers
// (its broadcast, acks and refusals) waits in pending until a sync that
// started after its commit has returned. With one fsync in flight at a
// time, a sync covers every batch committed while the one before it ran,
// so the disk's latency is shared as group commit shares it, and the
// room's core is not idle while it waits.
//
// Deliveries leave in the order the batches were resolved: a batch with
// nothing to commit (refusals) waits behind those ahead of it. Whatever else shows the
// room's state to someone — a welcome, ops from the log, a story
// socket's call, a change of rights — settles first: it waits for the
// syncs and delivers everything pending, so nobody sees an op the disk
// does not have.
//
// With a store that syncs in its commit (PostgreSQL, test stores), every
// delivery goes out at once.

// pendingOut is a batch's outcome; commit says it waits for a sync.
type pendingOut struct {
	out    outcome
	commit bool
}

// commit commits a batch's ops, without waiting for the disk if the store
// can sync apart.
func (r *room) commit(ctx context.Context, ops []protocol.Op) (int64, error) {
	if s := r.hub.syncer; s != nil {
		return s.CommitUnsynced(ctx, r.doc, ops)
	}
	return r.hub.store.Commit(ctx, r.doc, ops)
}

// after delivers a batch's outcome, now or once it may: commit says the
// batch committed ops (with commit, they are not synced yet), or acks
// retries of ops committed before, which a sync must cover too: a retry
// may be of an op whose sync is still running, or of one whose sync failed
// (the store then fails every sync, and the retry is never acknowledged).
func (r *room) after(commit bool, out outcome) {
	if r.hub.syncer == nil || (!commit && len(r.pending) == 0) {
		r.emit([]outcome{out})
		return
	}
	r.pending = append(r.pending, pendingOut{out, commit})
	r.startSync()
}

// startSync starts a sync covering every pending delivery, unless one is
// running (the next starts when it returns).
func (r *room) startSync() {
	if r.syncing > 0 || len(r.pending) == 0 {
		return
	}
	r.syncing = len(r.pending)
	syncer, done := r.hub.syncer, r.synced
	goWork(func() { done <- syncer.SyncCommits() })
}

// onSynced takes a sync's result: the deliveries it covered go out, and
// those behind them that need no sync of their own; a sync starts for the
// rest.
func (r *room) onSynced(err error) {
	n := r.syncing
	r.syncing = 0
	if err != nil {
		r.syncFailed(err)
		return
	}
	for n < len(r.pending) && !r.pending[n].commit {
		n++
	}
	// Everything the sync made deliverable goes to each client as one
	// delivery: under load a sync covers several batches, and a delivery
	// to every client costs a queue operation each.
	outs := make([]outcome, n)
	for i, p := range r.pending[:n] {
		outs[i] = p.out
	}
	clear(r.pending[:n]) // they hold frames
	r.pending = append(r.pending[:0], r.pending[n:]...)
	r.emit(outs)
	r.startSync()
}

// awaitSync waits, before the room takes its next batch, until the
// running sync has returned or enough ops wait (a quarter of the
// clients') to fill a batch worth committing now. A commit started while
// a sync runs is not synced any sooner — the next sync starts when this
// one returns — and every commit writes the pages all commits touch (the
// document's row, the op log's last page, the indexes') to the WAL again:
// at 200 clients, batches taken as they came cost ≈ 20 % more CPU per op
// than those that wait (A/B in BENCHMARKS.md). Meanwhile the room's core
// reads, writes the last deliveries and syncs.
func (r *room) awaitSync() {
	enough := max(1, len(r.clients)/4)
	for r.syncing > 0 && len(r.inbox) < enough {
		select {
		case err := <-r.synced:
			r.onSynced(err)
		case <-r.quit:
			return
		}
	}
}

// settle waits until nothing is pending.
func (r *room) settle() {
	for r.syncing > 0 {
		r.onSynced(<-r.synced)
	}
}

// syncFailed gives up on the room when the disk could not take its
// commits (the store refuses further commits: store.UnsyncedCommitter).
// Nothing pending is delivered: the ops were never acknowledged, and
// their senders keep them. The clients are sent away with the code that
// says "reconnect"; their next hello finds the document unavailable until
// the server has restarted and read its file again.
func (r *room) syncFailed(err error) {
	r.hub.log.Error("hub: sync commits: the document is unavailable until a restart", "doc", r.doc, "err", err)
	clear(r.pending)
	r.pending = r.pending[:0]
	r.loadErr = err
	for c := range r.clients {
		c.closeWith(protocol.CloseRestart, "the server cannot save edits")
		delete(r.clients, c)
	}
	r.closeWatchers(protocol.CloseRestart, "the server cannot save edits")
}

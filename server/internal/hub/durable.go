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

// pendingOut is a batch's outcome and the number of the last commit
// (or acked retry) it waits for: it goes out once a sync that started
// after that one has returned.
type pendingOut struct {
	out  outcome
	need int64
}

// syncResult is a sync's answer: every commit up to upTo is on disk, or err.
type syncResult struct {
	upTo int64
	err  error
}

// maxSyncs is how many syncs of a room may be in flight. A second one
// lets the batch committed while the first runs be on its way to the disk
// at once, instead of after it: at 50 clients, each waiting for its ack,
// the room's core had nothing to do for a fifth of the time while one
// sync at a time ran (an execution trace, BENCHMARKS.md).
const maxSyncs = 2

// commit commits a batch's ops, without waiting for the disk if the store
// can sync apart.
func (r *room) commit(ctx context.Context, ops []protocol.Op) (int64, error) {
	if s := r.hub.syncer; s != nil {
		return s.CommitUnsynced(ctx, r.doc, ops, r.rights) // checks the senders' rights are r.rights'
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
	if commit {
		r.commits++
	}
	r.pending = append(r.pending, pendingOut{out, r.commits})
	r.startSync()
}

// startSync starts a sync covering every commit so far, unless one
// started since the last commit or maxSyncs are running.
func (r *room) startSync() {
	if r.syncs >= maxSyncs || r.syncStarted >= r.commits {
		return
	}
	r.syncs++
	r.syncStarted = r.commits
	upTo, syncer, done := r.commits, r.hub.syncer, r.synced
	goWork(func() { done <- syncResult{upTo, syncer.SyncCommits()} })
}

// onSynced takes a sync's result: the deliveries it covers go out, in
// order, and a sync starts for what was committed since it started.
func (r *room) onSynced(res syncResult) {
	r.syncs--
	if r.syncBroken {
		return // a sync failed before: the room is given up
	}
	if res.err != nil {
		r.syncBroken = true
		r.syncFailed(res.err)
		return
	}
	r.syncedUpTo = max(r.syncedUpTo, res.upTo)
	n := 0
	for n < len(r.pending) && r.pending[n].need <= r.syncedUpTo {
		n++
	}
	if n > 0 {
		// Everything the sync made deliverable goes to each client as
		// one delivery: under load a sync covers several batches, and a
		// delivery to every client costs a queue operation each.
		outs := make([]outcome, n)
		for i, p := range r.pending[:n] {
			outs[i] = p.out
		}
		clear(r.pending[:n]) // they hold frames
		r.pending = append(r.pending[:0], r.pending[n:]...)
		r.emit(outs)
	}
	r.startSync()
}

// awaitSync waits, before the room takes its next batch, while maxSyncs
// are running, until one returns or enough ops wait (a quarter of the
// clients') to fill a batch worth committing now. A commit made then would
// not be synced any sooner — its sync starts when one returns — and every
// commit writes the pages all commits touch (the document's row, the op
// log's last page, the indexes') to the WAL again: at 200 clients,
// batches taken as they came cost ≈ 20 % more CPU per op than those that
// wait (A/B in BENCHMARKS.md). Meanwhile the room's core reads, writes the
// last deliveries and syncs.
func (r *room) awaitSync() {
	enough := max(1, len(r.clients)/4)
	for r.syncs >= maxSyncs && len(r.inbox) < enough {
		select {
		case res := <-r.synced:
			r.onSynced(res)
		case <-r.quit:
			return
		}
	}
}

// settle waits until nothing is pending.
func (r *room) settle() {
	for r.syncs > 0 {
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

package hub

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"runtime"
	"sort"
	"sync/atomic"
	"time"

	"gloss/server/internal/store"
	"gloss/shared/docstate"
	"gloss/shared/model"
	"gloss/shared/protocol"
	"gloss/shared/textpos"
)

// room serialises everything that happens to one document. Its run
// goroutine is the only one that touches state, clients and members, so
// none of them needs a lock; connections talk to it through channels.
type room struct {
	hub *Hub
	doc int64

	users   int           // guarded by hub.mu
	quit    chan struct{} // closed (under hub.mu) when the room must stop
	stopped chan struct{} // closed when run has returned

	join  chan joinReq
	leave chan *client
	inbox chan opReq
	sel   chan selReq
	// wake tells the room to look at the op log: notified holds the
	// highest seq another instance is known to have committed, check asks
	// for a look whatever the seq (a catch-up after the notifications may
	// have been lost, or the periodic poll).
	wake     chan struct{}
	notified atomic.Int64
	check    atomic.Bool
	// recheck asks the room (with wake) to re-check every connection's
	// rights and the project's schema now: something changed them.
	recheck atomic.Bool
	// kick carries a user id whose connections must end (DisconnectUser).
	kick chan int64
	// calls runs functions in the room (story sockets, Hub.Clients and
	// Hub.Watchers).
	calls chan func()

	// Owned by run.
	document model.Document
	text     *textpos.Text
	paras    []textpos.Para // text's paragraphs, split on the first op placed by "at16" (at16.go)
	schema   model.Schema
	state    *docstate.State
	clients  map[*client]protocol.Member
	loadErr  error
	// rights is the rights epoch every client of the room was checked
	// at (-1: some were not).
	rights  int64
	journal journal // what the batch being committed changed in state
	// welcomes are the shared snapshot welcomes, plain and compact, one
	// pair per view (everything, or one blind annotator's: blind.go); a
	// schema change or reload drops them.
	welcomes map[model.View]*[2]sharedWelcome
	// layerOf is the layer of every annotation, relation and comment the
	// room has seen, by id (a comment's is its annotation's), kept after
	// they are deleted: ops that name them only by id are judged by it.
	layerOf map[string]string
	recent  *recentOps // the latest committed op ids, for retries
	// watchers are the story sockets following the document (story.go).
	watchers map[*client]*watcher

	// Presence is coalesced: at most one broadcast per presenceInterval,
	// so that a burst of joins (every client reconnecting after a restart)
	// costs a few broadcasts instead of one per join to every client.
	lastPresence time.Time
	presenceDue  <-chan time.Time // non-nil while a broadcast is scheduled

	// writers counts the goroutines writing a broadcast (flush.go);
	// written is signalled when the count drops to zero.
	writers atomic.Int32
	written chan struct{}

	// pending are the deliveries of committed batches that wait for the
	// disk, in order (durable.go). commits numbers the commits (and acked
	// retries); syncs are running, the last started covers syncStarted,
	// those returned on synced cover syncedUpTo.
	pending     []pendingOut
	commits     int64
	syncs       int
	syncStarted int64
	syncedUpTo  int64
	syncBroken  bool // a sync failed (syncFailed)
	synced      chan syncResult
}

// presenceInterval is the shortest time between two presence broadcasts
// of a room.
const presenceInterval = 50 * time.Millisecond

type joinReq struct {
	c       *client
	epoch   string
	since   int64
	compact bool // the client takes a packed snapshot (protocol.PackAnnotations)
}

type opReq struct {
	c  *client
	op *protocol.Op
}

type selReq struct {
	c          *client
	start, end int
}

func newRoom(h *Hub, doc int64) *room {
	return &room{
		hub: h, doc: doc,
		quit:    make(chan struct{}),
		stopped: make(chan struct{}),
		join:    make(chan joinReq),
		leave:   make(chan *client),
		inbox:   make(chan opReq, h.cfg.MaxBatch*4),
		sel:     make(chan selReq, 64),
		wake:    make(chan struct{}, 1),
		kick:    make(chan int64),
		calls:   make(chan func(), 4),
		written: make(chan struct{}, 1),
		synced:  make(chan syncResult, maxSyncs),
	}
}

func (r *room) load(ctx context.Context) error {
	d, err := r.hub.store.Document(ctx, r.doc)
	if err != nil {
		return err
	}
	p, err := r.hub.store.Project(ctx, d.ProjectID)
	if err != nil {
		return err
	}
	snap, err := r.hub.store.Snapshot(ctx, r.doc)
	if err != nil {
		return err
	}
	r.document, r.schema, r.text, r.paras = d, p.Schema, textpos.New(d.Text), nil
	r.state = docstate.New()
	r.state.Reset(snap.Seq, snap.Annotations, snap.Relations)
	r.state.SetReview(snap.Reviews, snap.Comments, snap.DocReview)
	r.noteState()
	// The log's tail, so that retries after a restart are known at once.
	n := r.hub.cfg.RecentOps
	tail, err := r.hub.store.OpsSince(ctx, r.doc, max(0, snap.Seq-int64(n)), n)
	if err != nil {
		return err
	}
	for _, op := range tail {
		r.recent.add(op)
	}
	return nil
}

// reload re-reads the state from the store when the room cannot follow
// the op log step by step (see resync).
func (r *room) reload(ctx context.Context) error {
	snap, err := r.hub.store.Snapshot(ctx, r.doc)
	if err != nil {
		return err
	}
	r.state.Reset(snap.Seq, snap.Annotations, snap.Relations)
	r.state.SetReview(snap.Reviews, snap.Comments, snap.DocReview)
	r.noteState()
	r.welcomes = nil
	return nil
}

func (r *room) run() {
	defer close(r.stopped)
	ctx := r.hub.ctx
	r.clients = map[*client]protocol.Member{}
	r.recent = newRecentOps(r.hub.cfg.RecentOps)
	r.loadErr = r.load(ctx)
	if r.loadErr != nil {
		r.hub.log.Error("hub: load document", "doc", r.doc, "err", r.loadErr)
	}
	batch := make([]opReq, 0, r.hub.cfg.MaxBatch)
	for {
		select {
		case <-r.quit:
			r.settle()
			for c := range r.clients {
				c.closeWith(protocol.CloseRestart, "server restarting")
			}
			return
		case j := <-r.join:
			r.settle() // a welcome shows only what is on disk
			r.handleJoin(ctx, j)
		case c := <-r.leave:
			if _, ok := r.clients[c]; ok {
				delete(r.clients, c)
				r.presenceChanged()
			}
		case s := <-r.sel:
			if r.text == nil || s.start < 0 || s.end < s.start || s.end > r.text.Len() {
				continue // not a place in this text: not relayed
			}
			if m, ok := r.clients[s.c]; ok {
				m.Start, m.End = s.start, s.end
				r.clients[s.c] = m
				r.presenceChanged()
			}
		case <-r.presenceDue:
			r.presenceDue = nil
			r.broadcastPresence()
		case res := <-r.synced:
			r.onSynced(res)
		case <-r.wake:
			if r.loadErr != nil {
				continue
			}
			if r.recheck.Swap(false) {
				if err := r.recheckRights(ctx); err != nil {
					r.hub.log.Warn("hub: re-check rights", "doc", r.doc, "err", err)
					r.recheck.Store(true) // the next batch or poll tries again
				}
			}
			if r.check.Swap(false) || r.notified.Load() > r.state.Seq {
				if err := r.pull(ctx); err != nil {
					r.hub.log.Warn("hub: catch up with the op log", "doc", r.doc, "err", err)
				}
			}
		case f := <-r.calls:
			r.settle()
			f()
		case uid := <-r.kick:
			r.settle()
			for c := range r.clients {
				if c.user.ID == uid {
					c.closeWith(protocol.CloseRestart, "credentials changed: reconnect")
				}
			}
			r.kickWatchers(uid)
		case req := <-r.inbox:
			// Group commit: take whatever else is already queued, up to
			// MaxBatch, and commit it all in one transaction. Under light
			// load batches are single ops and latency is one fsync; under
			// heavy load the fsync is shared.
			batch = append(batch[:0], req)
			// Let the connections' readers that are ready to run queue
			// their ops first: on a server with one core they cannot run
			// while this goroutine does, and every op that joins this
			// batch shares its commit and, above all, its delivery (one
			// write per client per batch).
			runtime.Gosched()
			r.awaitSync()
			r.awaitBroadcast()
		drain:
			for len(batch) < cap(batch) {
				select {
				case req := <-r.inbox:
					batch = append(batch, req)
				default:
					break drain
				}
			}
			r.apply(ctx, batch)
		}
	}
}

func (r *room) handleJoin(ctx context.Context, j joinReq) {
	c := j.c
	if r.loadErr != nil {
		code := protocol.CodeInternal
		if errors.Is(r.loadErr, store.ErrNotFound) {
			code = protocol.CodeNotFound
		}
		c.sendError("", code, "the document could not be loaded")
		if code == protocol.CodeNotFound {
			c.closeWith(protocol.CloseNotFound, "document unavailable")
		} else {
			c.closeWith(protocol.CloseRestart, "document unavailable; try again")
		}
		return
	}
	// The schema goes with every welcome, resume included: it may have
	// changed while the client was away.
	c.view = r.viewOf(c)
	w := protocol.Message{Type: protocol.TypeWelcome, Doc: r.doc, Epoch: r.hub.store.Epoch(), Seq: r.state.Seq, Schema: &r.schema,
		You: &protocol.You{User: c.user.Name, Role: c.role, Layer: model.DefaultLayer(c.role, c.user.Name), Blind: c.view.Blind}}
	if c.view.Blind {
		w.Epoch += blindEpoch
	}
	resumed := false
	if !c.view.Blind && j.since > 0 && j.epoch == r.hub.store.Epoch() && j.since <= r.state.Seq && r.state.Seq-j.since <= int64(r.hub.cfg.ResumeLimit) {
		ops, err := r.hub.store.OpsSince(ctx, r.doc, j.since, r.hub.cfg.ResumeLimit)
		if err == nil && int64(len(ops)) == r.state.Seq-j.since {
			w.Ops, resumed = ops, true
		} else if err != nil {
			r.hub.log.Error("hub: resume", "doc", r.doc, "err", err)
		}
	}
	if resumed {
		if !c.sendMsg(w) {
			return
		}
	} else if !c.send(r.snapshotWelcome(w, j.compact, c.view)) {
		return
	}
	if c.checked != r.rights {
		r.rights = -1 // the next batch checks everyone at the current epoch
	}
	r.clients[c] = protocol.Member{User: c.user.Name, Role: string(c.role), Color: colorFor(c.user.Name)}
	r.presenceChanged()
}

// snapshotWelcome returns the frame of a snapshot welcome w, in two
// parts: the frame header with the client's own "you", then the rest of
// the message, which is encoded once per state (seq, schema) and shape
// (compact or not) and view and shared by every client that joins
// meanwhile — its queue holds a reference, not a copy, so that a crowd of
// clients that join a large document (and maybe never read) costs one
// copy of it. A blind view's snapshot holds only what the view sees.
func (r *room) snapshotWelcome(w protocol.Message, compact bool, v model.View) [][]byte {
	k := 0
	if compact {
		k = 1
	}
	if r.welcomes == nil {
		r.welcomes = map[model.View]*[2]sharedWelcome{}
	}
	pair := r.welcomes[v]
	if pair == nil || pair[k].seq != r.state.Seq {
		// About to encode: drop the other views' outdated encodings
		// (blind annotators who left), so the cache holds one state.
		for ov, p := range r.welcomes {
			if ov != v && p[0].seq != r.state.Seq && p[1].seq != r.state.Seq {
				delete(r.welcomes, ov)
			}
		}
	}
	if pair == nil {
		pair = &[2]sharedWelcome{}
		r.welcomes[v] = pair
	}
	cached := &pair[k]
	if cached.body == nil || cached.seq != r.state.Seq {
		you := w.You
		w.You = nil
		doc := r.document
		w.Document, w.Snapshot = &doc, true
		w.Annotations, w.Relations, w.Reviews, w.Comments = v.Filter(r.state.Annotations(), r.state.Relations(),
			r.state.SortedReviews(), r.state.SortedComments())
		if r.state.DocReview != (model.DocReview{}) {
			dr := r.state.DocReview
			w.DocReview = &dr
		}
		if compact {
			w.Packed, w.Annotations = protocol.PackAnnotations(w.Annotations), nil
		}
		body, err := json.Marshal(w)
		if err != nil {
			r.hub.log.Error("hub: encode welcome", "err", err)
			return nil
		}
		*cached = sharedWelcome{seq: r.state.Seq, body: body[1:]} // without its "{"
		w.You = you
	}
	you, _ := json.Marshal(w.You)
	head := make([]byte, 0, 16+len(you))
	head = append(head, `{"you":`...)
	head = append(append(head, you...), ',')
	n := len(head) + len(cached.body)
	return [][]byte{append(frameHeader(n, len(head)), head...), cached.body}
}

// sharedWelcome is a snapshot welcome's encoding at seq, minus its "you".
type sharedWelcome struct {
	seq  int64
	body []byte
}

// apply resolves, commits and broadcasts a batch of ops. Answers that
// are not acks (refusals, acks of retries) are held back with the acks
// until the outcome of the commit is known, and each client gets
// everything the batch has for it as one delivery.
//
// The ops are applied to the room's state as they are resolved (each is
// checked against the state with the earlier ones applied), under a
// journal: if the commit fails, the state is rolled back to what the
// store holds, every op of the batch is answered "internal" (retryable),
// and the clients' retries start from a clean slate.
func (r *room) apply(ctx context.Context, batch []opReq) {
	if r.loadErr != nil {
		r.failAll(batch, nil, "the document could not be loaded")
		return
	}
	// With a store that checks the rights epoch in its commit
	// (UnsyncedCommitter), a batch that commits needs no read of its own;
	// one that commits nothing is checked before it is answered. Either
	// way the ops of connections already closing (rights taken away at
	// the last check, too slow, gone) are dropped now.
	checked := r.hub.syncer == nil
	if checked {
		var err error
		if batch, _, err = r.authorise(ctx, batch); err != nil {
			r.rightsUnchecked(batch, nil, err)
			return
		}
	} else {
		batch = openOnly(batch)
	}
	moves := 0
	seen := map[string]ackInfo{}
	for _, q := range batch {
		if a, ok := r.recent.byID[q.op.ID]; ok {
			seen[q.op.ID] = a
		}
	}
	for attempt := 0; ; attempt++ {
		// A retried op may have been committed beyond what the room has
		// broadcast (a commit whose answer was lost): broadcast up to it
		// first, so that its ack follows the op, as everywhere.
		if behind(seen, r.state.Seq) {
			if err := r.pull(ctx); err != nil {
				r.hub.log.Error("hub: catch up before acking a retry", "doc", r.doc, "err", err)
				r.failAll(batch, seen, "could not check the op; retry")
				return
			}
		}
		base := r.state.Seq
		r.journal.begin(r.state)
		res := r.resolve(batch, seen)
		if len(res.refused) > 0 && attempt < 2 {
			// A refused op may be a retry of one committed long ago (or by
			// another instance): the store has the last word.
			found, err := r.lookup(ctx, res.refused)
			if err != nil {
				r.journal.rollback(r.state)
				r.hub.log.Error("hub: op seqs", "doc", r.doc, "err", err)
				r.failAll(batch, seen, "could not check the op; retry")
				return
			}
			if len(found) > 0 {
				r.journal.rollback(r.state)
				maps.Copy(seen, found)
				continue
			}
		}
		if len(res.accepted) == 0 {
			if !checked {
				// Refusals (one may show a span's current state) and
				// acks go to senders that keep their rights.
				checked = true
				kept, moved, err := r.authorise(ctx, batch)
				if err != nil {
					r.journal.rollback(r.state)
					r.rightsUnchecked(batch, seen, err)
					return
				}
				if moved {
					r.journal.rollback(r.state)
					batch = kept
					continue
				}
			}
			r.after(res.retried, outcome{replies: res.replies})
			return
		}
		first, err := r.commit(ctx, res.accepted)
		if err == nil {
			if first != base+1 {
				// Another instance committed ops base+1…first-1 meanwhile.
				// Take ours back, broadcast theirs from the op log in order,
				// then apply ours at the seqs they got: every seq reaches
				// every client once, in order.
				r.journal.rollback(r.state)
				if err := r.pullUpTo(ctx, first-1); err != nil {
					r.resync(ctx, "hub: fetch ops of another instance: "+err.Error())
					return
				}
				for i := range res.accepted {
					res.accepted[i].Seq = first + int64(i)
					r.state.Apply(res.accepted[i])
				}
			}
			for _, op := range res.accepted {
				r.recent.add(op)
			}
			r.after(true, r.prepare(res))
			return
		}
		r.journal.rollback(r.state)
		var moved *store.RightsMovedError
		if errors.As(err, &moved) && moves < maxRightsMoves {
			// Rights changed since the room last checked its clients:
			// check them again, drop the ops of those that lost them.
			moves++
			if err := r.recheckRightsAt(ctx, moved.Epoch); err != nil {
				r.rightsUnchecked(batch, seen, err)
				return
			}
			batch, checked = openOnly(batch), true
			continue
		}
		if errors.Is(err, store.ErrStale) && attempt < 2 {
			// Another instance got there first, or an op id is known to
			// the store: catch up from the op log and resolve again.
			if perr := r.pull(ctx); perr == nil {
				found, lerr := r.lookup(ctx, unseen(batch, seen))
				if lerr == nil {
					maps.Copy(seen, found)
					continue
				}
			}
		}
		r.hub.log.Error("hub: commit", "doc", r.doc, "ops", len(res.accepted), "err", err)
		r.failAll(batch, seen, "the edit could not be saved; retry")
		return
	}
}

// rightsUnchecked answers a batch whose senders' rights could not be
// checked (a store error): every op "internal", to be sent again.
func (r *room) rightsUnchecked(batch []opReq, seen map[string]ackInfo, err error) {
	r.hub.log.Error("hub: check rights", "doc", r.doc, "err", err)
	r.failAll(batch, seen, "could not check your rights; retry")
}

// maxRightsMoves is how many times a batch is checked again and retried
// because rights changed while it was being committed (a burst of
// membership changes, say) before its senders are told to retry.
const maxRightsMoves = 8

// authorise makes sure that the senders of a batch still have the rights
// they were welcomed with: it reads the rights epoch (one cheap query) and,
// only if it moved since the room's clients were checked, checks them all
// again (moved). It returns the ops of the senders that keep their rights;
// the others' connections are closing, and their ops are dropped
// unanswered (never acked: the client re-sends them after reconnecting,
// and is refused at hello).
func (r *room) authorise(ctx context.Context, batch []opReq) (kept []opReq, moved bool, err error) {
	epoch, err := r.hub.store.RightsEpoch(ctx)
	if err != nil {
		return batch, false, err
	}
	if epoch != r.rights {
		if err := r.recheckRightsAt(ctx, epoch); err != nil {
			return batch, false, err
		}
		moved = true
	}
	return openOnly(batch), moved, nil
}

// openOnly returns the ops of batch whose senders' connections are not
// closing, in place.
func openOnly(batch []opReq) []opReq {
	kept := batch[:0]
	for _, q := range batch {
		if !q.c.isClosing() {
			kept = append(kept, q)
		}
	}
	return kept
}

// recheckRights re-checks every connection's rights and the schema now.
func (r *room) recheckRights(ctx context.Context) error {
	epoch, err := r.hub.store.RightsEpoch(ctx)
	if err != nil {
		return err
	}
	return r.recheckRightsAt(ctx, epoch)
}

// recheckRightsAt checks every client of the room again as of the rights
// epoch: a revoked credential closes its socket with 4401, a membership
// that ended with 4403, a changed role with 4001 (the reconnect's welcome
// says the new role); a changed label schema closes every socket with
// 4001 (the welcome carries it); so does a change of what a client may see
// (blind annotation: the settings, a done mark). On a store error nothing is decided and
// r.rights stays, so the check runs again.
func (r *room) recheckRightsAt(ctx context.Context, epoch int64) error {
	r.settle() // what was sent before the change of rights goes out first
	p, err := r.hub.store.Project(ctx, r.document.ProjectID)
	if err != nil {
		return err
	}
	roles := map[int64]model.Role{}
	type verdict struct {
		code int
		text string
	}
	closes := map[*client]verdict{}
	for c := range r.clients {
		if c.isClosing() {
			continue
		}
		if err := c.checkCredential(ctx); errors.Is(err, ErrRevoked) {
			closes[c] = verdict{protocol.CloseUnauthenticated, "log in again"}
			continue
		} else if err != nil {
			return err
		}
		role, ok := roles[c.user.ID]
		if !ok {
			role, err = r.hub.store.Role(ctx, p.ID, c.user.ID)
			if errors.Is(err, store.ErrNotFound) {
				role, err = "", nil
			}
			if err != nil {
				return err
			}
			roles[c.user.ID] = role
		}
		switch role {
		case "":
			closes[c] = verdict{protocol.CloseForbidden, "you are no longer a member of this project"}
		case c.role:
		default:
			closes[c] = verdict{protocol.CloseRestart, "your role changed: reconnect"}
		}
	}
	// Blind annotation: the settings or a done mark may have changed what
	// a client sees. Its socket closes, and the reconnect's welcome is a
	// snapshot of its new view.
	set, err := r.hub.store.ProjectSettings(ctx, p.ID)
	if err != nil {
		return err
	}
	dones := map[int64]bool{}
	for c := range r.clients {
		if _, closing := closes[c]; closing || c.isClosing() {
			continue
		}
		done := false
		if set.Blind && c.role == model.RoleAnnotator {
			var ok bool
			if done, ok = dones[c.user.ID]; !ok {
				if done, err = r.hub.store.Done(ctx, r.doc, c.user.ID); err != nil {
					return err
				}
				dones[c.user.ID] = done
			}
		}
		c.settings, c.markedDone = set, done
		if r.viewOf(c) != c.view {
			closes[c] = verdict{protocol.CloseRestart, "what you may see of this document changed: reconnect"}
		}
	}
	schemaChanged := !sameSchema(p.Schema, r.schema)
	if schemaChanged {
		r.schema, r.welcomes = p.Schema, nil
		if err := r.pull(ctx); err != nil { // the relabel/delete ops the change committed
			r.hub.log.Warn("hub: pull after a schema change", "doc", r.doc, "err", err)
		}
	}
	for c := range r.clients {
		if v, ok := closes[c]; ok {
			c.closeWith(v.code, v.text)
		} else if schemaChanged {
			c.closeWith(protocol.CloseRestart, "project settings changed")
		} else {
			continue
		}
		delete(r.clients, c)
		r.presenceChanged()
	}
	if err := r.recheckWatchers(ctx, set); err != nil {
		return err
	}
	r.rights = epoch
	return nil
}

func sameSchema(a, b model.Schema) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}

// behind reports whether a retried op's seq is beyond seq.
func behind(seen map[string]ackInfo, seq int64) bool {
	for _, a := range seen {
		if a.seq > seq {
			return true
		}
	}
	return false
}

// unseen returns the op ids of the batch that seen does not hold.
func unseen(batch []opReq, seen map[string]ackInfo) []string {
	var ids []string
	for _, q := range batch {
		if _, ok := seen[q.op.ID]; !ok {
			ids = append(ids, q.op.ID)
		}
	}
	return ids
}

// lookup asks the store which of ids are committed, and with what acks.
// It is the slow path of the retry check (see recentOps): it runs only
// for ops that were refused or whose commit was.
func (r *room) lookup(ctx context.Context, ids []string) (map[string]ackInfo, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	seqs, err := r.hub.store.OpSeqs(ctx, r.doc, ids)
	if err != nil || len(seqs) == 0 {
		return nil, err
	}
	out := make(map[string]ackInfo, len(seqs))
	for id, seq := range seqs {
		ops, err := r.hub.store.OpsSince(ctx, r.doc, seq-1, 1)
		if err != nil {
			return nil, err
		}
		if len(ops) != 1 || ops[0].ID != id {
			return nil, fmt.Errorf("hub: op %q is not at seq %d of the log", id, seq)
		}
		out[id] = ackInfo{seq, annVersion(ops[0]), fingerprint(ops[0])}
		r.recent.add(ops[0])
	}
	return out, nil
}

// failAll answers every op of a batch that could not be committed with
// an internal error, except retries of ops committed earlier (in seen)
// that the room has broadcast, which get their acks.
func (r *room) failAll(batch []opReq, seen map[string]ackInfo, text string) {
	replies := map[*client][][]byte{}
	retried := false
	for _, q := range batch {
		var f []byte
		if a, ok := seen[q.op.ID]; ok && r.state != nil && a.seq <= r.state.Seq && fingerprint(*q.op) == a.fp {
			f, retried = r.ackFrame(q.op.ID, a), true
		} else {
			f = errorFrame(q.op.ID, protocol.CodeInternal, text, nil, false)
		}
		replies[q.c] = append(replies[q.c], f)
	}
	r.after(retried, outcome{replies: replies})
}

func (r *room) ackFrame(opID string, a ackInfo) []byte {
	return encodeAck(opID, a.seq, a.version)
}

// resolved is a batch after resolve: the ops to commit, who sent them,
// the answers for everyone else, and copies of accepted ops sent twice
// within the batch (a client re-sending after a reconnect while the
// first copy was still queued), to be acked with the seq of the original.
type resolved struct {
	accepted []protocol.Op
	senders  []*client
	replies  map[*client][][]byte
	dups     []dupOp
	refused  []string // ids of refused ops, for the store's word on retries
	// retried says replies ack ops committed before (retries). Such an
	// ack waits for a sync like a commit's: the op may be one whose sync
	// has not returned, or failed (durable.go).
	retried bool
}

type dupOp struct {
	c   *client
	idx int // in accepted
}

// resolve checks each op of the batch in order against the state with
// the earlier ones applied. Accepted ops are applied to r.state under
// r.journal; the caller rolls them back if the commit fails.
func (r *room) resolve(batch []opReq, seen map[string]ackInfo) resolved {
	now := time.Now() // Resolve keeps it to the millisecond, as the store does
	res := resolved{
		accepted: make([]protocol.Op, 0, len(batch)),
		senders:  make([]*client, 0, len(batch)),
		replies:  map[*client][][]byte{},
	}
	inBatch := map[string]int{}
	for _, q := range batch {
		if rej := r.placeAt16(q.op); rej != nil {
			res.replies[q.c] = append(res.replies[q.c], errorFrame(q.op.ID, rej.Code, rej.Message, nil, false))
			continue
		}
		if a, dup := seen[q.op.ID]; dup {
			if fingerprint(*q.op) != a.fp {
				// Not a retry: another op reusing a committed op's id. It
				// must not be acked as if it were stored.
				res.replies[q.c] = append(res.replies[q.c], errorFrame(q.op.ID, protocol.CodeDuplicateID, "this op id was used by another op", nil, false))
				continue
			}
			// A retry of an op we already committed: its ack was lost.
			res.replies[q.c] = append(res.replies[q.c], r.ackFrame(q.op.ID, a))
			res.retried = true
			continue
		}
		if i, dup := inBatch[q.op.ID]; dup {
			if fingerprint(*q.op) != fingerprint(res.accepted[i]) {
				res.replies[q.c] = append(res.replies[q.c], errorFrame(q.op.ID, protocol.CodeDuplicateID, "this op id was used by another op", nil, false))
				continue
			}
			res.dups = append(res.dups, dupOp{q.c, i})
			continue
		}
		if r.hiddenRef(q.c.view, *q.op) {
			// Blind: what the op names is not there for this client.
			res.replies[q.c] = append(res.replies[q.c], errorFrame(q.op.ID, protocol.CodeNotFound, "there is no such annotation", nil, true))
			res.refused = append(res.refused, q.op.ID)
			continue
		}
		out, err := r.state.Resolve(*q.op, r.text, r.schema, r.doc, docstate.Actor{User: q.c.user.Name, Role: q.c.role}, now)
		if err != nil {
			var f []byte
			var rej *docstate.Rejection
			if errors.As(err, &rej) {
				f = errorFrame(q.op.ID, rej.Code, rej.Message, rej.Current, rej.Code == protocol.CodeNotFound)
			} else {
				f = errorFrame(q.op.ID, protocol.CodeInternal, "internal error", nil, false)
			}
			res.replies[q.c] = append(res.replies[q.c], f)
			res.refused = append(res.refused, q.op.ID)
			continue
		}
		out.Seq = r.state.Seq + 1 // Commit assigns the same, or apply re-applies
		r.journal.record(r.state, out)
		r.state.Apply(out)
		inBatch[q.op.ID] = len(res.accepted)
		res.accepted = append(res.accepted, out)
		res.senders = append(res.senders, q.c)
	}
	return res
}

// publish broadcasts each committed op to everyone, sender included (the
// broadcast is how every client's state advances), and acks it to its
// sender. Each op is encoded once for all clients; the acks follow the
// ops in the sender's delivery, so by the time the sender drops its
// pending copy it already holds the op.
//
// A blind client gets, in place of each op its view does not see, a
// hidden op with the same seq (blind.go).
func (r *room) publish(res resolved) { r.emit([]outcome{r.prepare(res)}) }

// prepare is publish in two steps: what the room's state must know of the
// ops now (their layers) and their encoding, then the returned outcome,
// whose delivery may wait for the disk (durable.go).
func (r *room) prepare(res resolved) outcome {
	frames := make([][]byte, 0, len(res.accepted))
	layers := make([][]string, 0, len(res.accepted))
	reviewed := false
	for i := range res.accepted {
		op := res.accepted[i]
		r.noteLayers(op)
		layers = append(layers, r.layersOf(op))
		reviewed = reviewed || op.DocReview != nil
		frames = append(frames, r.opFrame(&res.accepted[i]))
	}
	// Encoded when a blind client needs one: the hidden stand-in, and the
	// op without its sender's name (who dismissed a suggestion is another
	// annotator's judgement).
	hidden, anon := make([][]byte, len(frames)), make([][]byte, len(frames))
	framesFor := func(c *client) [][]byte {
		if !c.view.Blind {
			return frames
		}
		out := make([][]byte, len(frames))
		for i := range frames {
			if seesAll(c.view, layers[i]) {
				out[i] = frames[i]
				if u := res.accepted[i].User; u != "" && u != c.user.Name {
					if anon[i] == nil {
						op := res.accepted[i]
						op.User = ""
						anon[i] = r.opFrame(&op)
					}
					out[i] = anon[i]
				}
				continue
			}
			if hidden[i] == nil {
				hidden[i] = r.opFrame(&protocol.Op{Kind: protocol.KindHidden, Seq: res.accepted[i].Seq})
			}
			out[i] = hidden[i]
		}
		return out
	}
	ack := func(c *client, op protocol.Op) {
		if c != nil {
			res.replies[c] = append(res.replies[c], encodeAck(op.ID, op.Seq, annVersion(op)))
		}
	}
	for i, op := range res.accepted {
		ack(res.senders[i], op)
	}
	for _, d := range res.dups {
		ack(d.c, res.accepted[d.idx])
	}
	return outcome{framesFor: framesFor, replies: res.replies, after: func() {
		r.tellWatchers(res.accepted, layers)
		if reviewed {
			r.reviewChanged()
		}
	}}
}

// outcome is what a batch delivers: the broadcast frames for each client
// (nil: none), the replies to some, and what follows the delivery.
type outcome struct {
	framesFor func(*client) [][]byte
	replies   map[*client][][]byte
	after     func()
}

// emit delivers outcomes in order, to each client as one delivery.
func (r *room) emit(outs []outcome) {
	var parts [][][]byte
	r.deliverParts(func(c *client) [][][]byte {
		parts = parts[:0]
		for _, o := range outs {
			if o.framesFor != nil {
				parts = append(parts, o.framesFor(c))
			}
			parts = append(parts, o.replies[c])
		}
		return parts
	})
	for _, o := range outs {
		if o.after != nil {
			o.after()
		}
	}
}

// deliverParts queues, for every client of the room, the frame lists
// partsFor returns for it (enqueue copies them) as one delivery.
//
// It queues every client's delivery first, then has the due ones (no
// writer running) written: here if they are few (an ack, a refusal),
// else by short-lived goroutines (flushChunks), so that the room does not
// spend a write system call per client — ≈ 10 µs each on loopback —
// before it can commit the next batch; what queues for a client meanwhile
// goes out with it in the same writev.
func (r *room) deliverParts(partsFor func(*client) [][][]byte) {
	due := make([]*client, 0, len(r.clients)) // the chunks keep it: not reused
	for c := range r.clients {
		parts := partsFor(c)
		empty := true
		for _, p := range parts {
			empty = empty && len(p) == 0
		}
		if empty {
			continue
		}
		ok, d := c.enqueue(parts)
		if !ok {
			// Closing (too slow, or gone): it takes no more, and the
			// others see it leave now rather than when its socket ends.
			delete(r.clients, c)
			r.presenceChanged()
			continue
		}
		if d {
			due = append(due, c)
		}
	}
	if len(due) > inlineFlushes {
		r.flushChunks(due)
		return
	}
	for _, c := range due {
		c.flush()
	}
}

func (r *room) opFrame(op *protocol.Op) []byte {
	f, err := encodeOp(op)
	if err != nil {
		r.hub.log.Error("hub: encode op", "kind", op.Kind, "err", err)
	}
	return f
}

func (r *room) frame(m protocol.Message) []byte {
	f, err := encode(m)
	if err != nil {
		r.hub.log.Error("hub: encode message", "type", m.Type, "err", err)
	}
	return f
}

// pull reads the ops after the room's seq from the op log (committed by
// another instance, or by a commit whose answer was lost) and broadcasts
// them in order. It is how the room follows the log: never by reloading
// the current state, which would skip the ops in between.
func (r *room) pull(ctx context.Context) error {
	return r.pullUpTo(ctx, -1)
}

// pullUpTo pulls up to seq upTo, or everything if upTo < 0.
func (r *room) pullUpTo(ctx context.Context, upTo int64) error {
	r.settle() // the log's ops go out after the room's own
	for upTo < 0 || r.state.Seq < upTo {
		limit := r.hub.cfg.ResumeLimit
		if upTo >= 0 {
			limit = int(min(int64(limit), upTo-r.state.Seq))
		}
		ops, err := r.hub.store.OpsSince(ctx, r.doc, r.state.Seq, limit)
		if err != nil {
			return fmt.Errorf("hub: pull ops: %w", err)
		}
		for i, op := range ops {
			if op.Seq != r.state.Seq+1 {
				r.publishRemote(ops[:i])
				r.resync(ctx, "hub: pull: gap in the op log")
				return fmt.Errorf("hub: gap in the op log at seq %d", r.state.Seq+1)
			}
			r.state.Apply(op)
			r.recent.add(op)
		}
		r.publishRemote(ops)
		if len(ops) < limit {
			if upTo >= 0 && r.state.Seq < upTo {
				return fmt.Errorf("hub: op log ends at seq %d, want %d", r.state.Seq, upTo)
			}
			return nil
		}
	}
	return nil
}

func (r *room) publishRemote(ops []protocol.Op) {
	if len(ops) > 0 {
		r.publish(resolved{accepted: ops, senders: make([]*client, len(ops)), replies: map[*client][][]byte{}})
	}
}

// resync reloads the state when the room cannot follow the op log step
// by step, and has every client reconnect: they resume from the store,
// which has every op, instead of seeing a gap.
func (r *room) resync(ctx context.Context, why string) {
	r.settle()
	r.hub.log.Error(why, "doc", r.doc)
	if err := r.reload(ctx); err != nil {
		r.hub.log.Error("hub: reload", "doc", r.doc, "err", err)
	}
	for c := range r.clients {
		c.closeWith(protocol.CloseRestart, "resynchronising")
	}
	r.closeWatchers(protocol.CloseRestart, "resynchronising")
}

func annVersion(op protocol.Op) int64 {
	switch {
	case op.Ann != nil:
		return op.Ann.Version
	case op.Rel != nil:
		return op.Rel.Version
	}
	return 0
}

// presenceChanged broadcasts presence now, or schedules the broadcast if
// the last one was less than presenceInterval ago.
func (r *room) presenceChanged() {
	if r.presenceDue != nil {
		return // scheduled; it will send the state of then
	}
	wait := time.Until(r.lastPresence.Add(presenceInterval))
	if wait <= 0 {
		r.broadcastPresence()
		return
	}
	r.presenceDue = time.After(wait)
}

func (r *room) broadcastPresence() {
	r.lastPresence = time.Now()
	members := make([]protocol.Member, 0, len(r.clients))
	seen := map[string]bool{}
	for _, m := range r.clients {
		if seen[m.User] {
			continue // one entry per user, however many tabs they have open
		}
		seen[m.User] = true
		members = append(members, m)
	}
	sort.Slice(members, func(i, j int) bool { return members[i].User < members[j].User })
	f, err := encode(protocol.Message{Type: protocol.TypePresence, Members: members})
	if err != nil {
		return
	}
	// A blind annotator is shown alone: who else is on the document, and
	// where, is the others' work too.
	alone := map[string][]byte{}
	parts := make([][][]byte, 1)
	r.deliverParts(func(c *client) [][][]byte {
		parts[0] = presenceFor(c, f, members, alone)
		return parts
	})
}

// presenceFor is the presence frame for c: f, or for a blind annotator
// the members that are its own user (alone caches them by user).
func presenceFor(c *client, f []byte, members []protocol.Member, alone map[string][]byte) [][]byte {
	if !c.view.Blind {
		return [][]byte{f}
	}
	if a, ok := alone[c.user.Name]; ok {
		return [][]byte{a}
	}
	var own []protocol.Member
	for _, m := range members {
		if m.User == c.user.Name {
			own = append(own, m)
		}
	}
	a, _ := encode(protocol.Message{Type: protocol.TypePresence, Members: own})
	alone[c.user.Name] = a
	return [][]byte{a}
}

// errorFrame encodes an error message.
func errorFrame(opID, code, text string, current *model.Annotation, deleted bool) []byte {
	f, _ := encode(protocol.Message{Type: protocol.TypeError, OpID: opID, Code: code, Text: text, Current: current, Deleted: deleted})
	return f
}

// presenceColors are distinguishable under common colour blindness and
// differ from the label colours' role (they mark people, not labels).
var presenceColors = []string{"#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000", "#999999", "#882255", "#44AA99"}

func colorFor(user string) string {
	var h uint32 = 2166136261
	for i := 0; i < len(user); i++ {
		h = (h ^ uint32(user[i])) * 16777619
	}
	return presenceColors[h%uint32(len(presenceColors))]
}

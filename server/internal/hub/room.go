package hub

import (
	"context"
	"errors"
	"sort"
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

	join   chan joinReq
	leave  chan *client
	inbox  chan opReq
	sel    chan selReq
	remote chan int64
	// projectChanged carries a project id whose schema or members changed.
	projectChanged chan int64
	// kick carries a user id whose connections must end (DisconnectUser).
	kick chan int64

	// Owned by run.
	document model.Document
	text     *textpos.Text
	schema   model.Schema
	state    *docstate.State
	clients  map[*client]protocol.Member
	loadErr  error

	// Presence is coalesced: at most one broadcast per presenceInterval,
	// so that a burst of joins (every client reconnecting after a restart)
	// costs a few broadcasts instead of one per join to every client.
	lastPresence time.Time
	presenceDue  <-chan time.Time // non-nil while a broadcast is scheduled
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
		quit:           make(chan struct{}),
		stopped:        make(chan struct{}),
		join:           make(chan joinReq),
		leave:          make(chan *client),
		inbox:          make(chan opReq, h.cfg.MaxBatch*4),
		sel:            make(chan selReq, 64),
		remote:         make(chan int64, 1),
		projectChanged: make(chan int64, 1),
		kick:           make(chan int64),
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
	r.document, r.schema, r.text = d, p.Schema, textpos.New(d.Text)
	r.state = docstate.New()
	r.state.Reset(snap.Seq, snap.Annotations, snap.Relations)
	r.state.SetReview(snap.Reviews, snap.Comments, snap.DocReview)
	return nil
}

// reload re-reads the state from the store after a failed commit or a
// commit by another instance made the cache untrustworthy.
func (r *room) reload(ctx context.Context) error {
	snap, err := r.hub.store.Snapshot(ctx, r.doc)
	if err != nil {
		return err
	}
	r.state.Reset(snap.Seq, snap.Annotations, snap.Relations)
	r.state.SetReview(snap.Reviews, snap.Comments, snap.DocReview)
	return nil
}

func (r *room) run() {
	defer close(r.stopped)
	ctx := r.hub.ctx
	r.clients = map[*client]protocol.Member{}
	r.loadErr = r.load(ctx)
	if r.loadErr != nil {
		r.hub.log.Error("hub: load document", "doc", r.doc, "err", r.loadErr)
	}
	batch := make([]opReq, 0, r.hub.cfg.MaxBatch)
	for {
		select {
		case <-r.quit:
			for c := range r.clients {
				c.closeWith(protocol.CloseRestart, "server restarting")
			}
			return
		case j := <-r.join:
			r.handleJoin(ctx, j)
		case c := <-r.leave:
			if _, ok := r.clients[c]; ok {
				delete(r.clients, c)
				r.presenceChanged()
			}
		case s := <-r.sel:
			if m, ok := r.clients[s.c]; ok {
				m.Start, m.End = s.start, s.end
				r.clients[s.c] = m
				r.presenceChanged()
			}
		case <-r.presenceDue:
			r.presenceDue = nil
			r.broadcastPresence()
		case seq := <-r.remote:
			if r.state != nil && seq > r.state.Seq {
				r.pull(ctx)
			}
		case uid := <-r.kick:
			for c := range r.clients {
				if c.user.ID == uid {
					c.closeWith(protocol.CloseRestart, "credentials changed: reconnect")
				}
			}
		case pid := <-r.projectChanged:
			if r.loadErr != nil || pid != r.document.ProjectID {
				continue
			}
			if p, err := r.hub.store.Project(ctx, pid); err == nil {
				r.schema = p.Schema
			}
			r.pull(ctx) // the relabel/delete ops the schema change committed
			for c := range r.clients {
				c.closeWith(protocol.CloseRestart, "project settings changed")
			}
		case req := <-r.inbox:
			// Group commit: take whatever else is already queued, up to
			// MaxBatch, and commit it all in one transaction. Under light
			// load batches are single ops and latency is one fsync; under
			// heavy load the fsync is shared.
			batch = append(batch[:0], req)
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
	w := protocol.Message{Type: protocol.TypeWelcome, Doc: r.doc, Epoch: r.hub.store.Epoch(), Seq: r.state.Seq, Schema: &r.schema,
		You: &protocol.You{User: c.user.Name, Role: c.role, Layer: model.DefaultLayer(c.role, c.user.Name)}}
	resumed := false
	if j.since > 0 && j.epoch == r.hub.store.Epoch() && j.since <= r.state.Seq && r.state.Seq-j.since <= int64(r.hub.cfg.ResumeLimit) {
		ops, err := r.hub.store.OpsSince(ctx, r.doc, j.since, r.hub.cfg.ResumeLimit)
		if err == nil && int64(len(ops)) == r.state.Seq-j.since {
			w.Ops, resumed = ops, true
		} else if err != nil {
			r.hub.log.Error("hub: resume", "doc", r.doc, "err", err)
		}
	}
	if !resumed {
		doc := r.document
		w.Document, w.Snapshot = &doc, true
		w.Annotations, w.Relations = r.state.Annotations(), r.state.Relations()
		w.Reviews, w.Comments = r.state.SortedReviews(), r.state.SortedComments()
		if r.state.DocReview != (model.DocReview{}) {
			dr := r.state.DocReview
			w.DocReview = &dr
		}
		if j.compact {
			w.Packed, w.Annotations = protocol.PackAnnotations(w.Annotations), nil
		}
	}
	if !c.sendMsg(w) {
		return
	}
	r.clients[c] = protocol.Member{User: c.user.Name, Role: string(c.role), Color: colorFor(c.user.Name)}
	r.presenceChanged()
}

// apply resolves, commits and broadcasts a batch of ops. Answers that
// are not acks (refusals, acks of retries) are held back with the acks
// until the outcome of the commit is known, and each client gets
// everything the batch has for it as one delivery.
func (r *room) apply(ctx context.Context, batch []opReq) {
	if r.loadErr != nil {
		r.failAll(batch, nil, "the document could not be loaded")
		return
	}
	ids := make([]string, len(batch))
	for i, q := range batch {
		ids[i] = q.op.ID
	}
	seen, err := r.hub.store.OpSeqs(ctx, r.doc, ids)
	if err != nil {
		r.hub.log.Error("hub: op seqs", "doc", r.doc, "err", err)
		r.failAll(batch, nil, "could not check the op; retry")
		return
	}
	for attempt := 0; ; attempt++ {
		res := r.resolve(batch, seen)
		if len(res.accepted) == 0 {
			r.deliver(nil, res.replies)
			return
		}
		want := res.accepted[0].Seq
		first, err := r.hub.store.Commit(ctx, r.doc, res.accepted)
		if err == nil {
			if first != want {
				// Another instance committed ops want…first-1 in between;
				// our cache and our clients missed them. Clients get them
				// before ours, so that every seq arrives, in order.
				r.catchUp(ctx, want-1, first-1)
			}
			r.publish(res)
			return
		}
		// The cache is suspect (another instance wrote, or the store
		// failed mid-way): reload and, for a stale cache, try once more.
		if rerr := r.reload(ctx); rerr != nil {
			r.hub.log.Error("hub: reload after failed commit", "doc", r.doc, "err", rerr)
		}
		if errors.Is(err, store.ErrStale) && attempt == 0 {
			if seen, err = r.hub.store.OpSeqs(ctx, r.doc, ids); err == nil {
				continue
			}
		}
		r.hub.log.Error("hub: commit", "doc", r.doc, "ops", len(res.accepted), "err", err)
		r.failAll(batch, seen, "the edit could not be saved; retry")
		return
	}
}

// failAll answers every op of a batch that could not be committed with
// an internal error, except retries of ops committed earlier (in seen),
// which get their acks.
func (r *room) failAll(batch []opReq, seen map[string]int64, text string) {
	replies := map[*client][][]byte{}
	for _, q := range batch {
		var f []byte
		if seq, ok := seen[q.op.ID]; ok {
			f = r.frame(protocol.Message{Type: protocol.TypeAck, OpID: q.op.ID, Seq: seq})
		} else {
			f = errorFrame(q.op.ID, protocol.CodeInternal, text, nil, false)
		}
		replies[q.c] = append(replies[q.c], f)
	}
	r.deliver(nil, replies)
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
}

type dupOp struct {
	c   *client
	idx int // in accepted
}

// resolve checks each op of the batch in order against the state with
// the earlier ones applied. Accepted ops are applied to r.state; if the
// commit fails, the caller reloads the state.
func (r *room) resolve(batch []opReq, seen map[string]int64) resolved {
	now := time.Now() // Resolve keeps it to the millisecond, as the store does
	res := resolved{
		accepted: make([]protocol.Op, 0, len(batch)),
		senders:  make([]*client, 0, len(batch)),
		replies:  map[*client][][]byte{},
	}
	inBatch := map[string]int{}
	for _, q := range batch {
		if seq, dup := seen[q.op.ID]; dup {
			// A retry of an op we already committed: its ack was lost.
			res.replies[q.c] = append(res.replies[q.c], r.frame(protocol.Message{Type: protocol.TypeAck, OpID: q.op.ID, Seq: seq}))
			continue
		}
		if i, dup := inBatch[q.op.ID]; dup {
			res.dups = append(res.dups, dupOp{q.c, i})
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
			continue
		}
		out.Seq = r.state.Seq + 1 // provisional: Commit assigns the real one
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
func (r *room) publish(res resolved) {
	frames := make([][]byte, 0, len(res.accepted))
	for i := range res.accepted {
		frames = append(frames, r.frame(protocol.Message{Type: protocol.TypeOp, Op: &res.accepted[i]}))
	}
	ack := func(c *client, op protocol.Op) {
		if c != nil {
			res.replies[c] = append(res.replies[c], r.frame(protocol.Message{Type: protocol.TypeAck, OpID: op.ID, Seq: op.Seq, Version: annVersion(op)}))
		}
	}
	for i, op := range res.accepted {
		ack(res.senders[i], op)
	}
	for _, d := range res.dups {
		ack(d.c, res.accepted[d.idx])
	}
	r.deliver(frames, res.replies)
}

// deliver queues, for every client of the room, the broadcast frames
// followed by its own replies, as one delivery.
func (r *room) deliver(frames [][]byte, replies map[*client][][]byte) {
	for c := range r.clients {
		own := replies[c]
		if len(frames) == 0 && len(own) == 0 {
			continue
		}
		c.send(frames, own)
	}
}

func (r *room) frame(m protocol.Message) []byte {
	f, err := encode(m)
	if err != nil {
		r.hub.log.Error("hub: encode message", "type", m.Type, "err", err)
	}
	return f
}

// pull fetches ops committed by another server instance and broadcasts them.
func (r *room) pull(ctx context.Context) {
	for {
		ops, err := r.hub.store.OpsSince(ctx, r.doc, r.state.Seq, r.hub.cfg.ResumeLimit)
		if err != nil {
			r.hub.log.Error("hub: pull remote ops", "doc", r.doc, "err", err)
			return
		}
		for _, op := range ops {
			if op.Seq != r.state.Seq+1 {
				r.resync(ctx, "hub: pull: gap in the op log")
				return
			}
			r.state.Apply(op)
		}
		r.publish(resolved{accepted: ops, senders: make([]*client, len(ops)), replies: map[*client][][]byte{}})
		if len(ops) < r.hub.cfg.ResumeLimit {
			return
		}
	}
}

// catchUp broadcasts the ops after seq since up to seq upTo, committed by
// another instance while our cache did not know, and reloads the state
// (which holds our own batch with provisional seqs).
func (r *room) catchUp(ctx context.Context, since, upTo int64) {
	ops, err := r.hub.store.OpsSince(ctx, r.doc, since, int(upTo-since))
	if err != nil || int64(len(ops)) != upTo-since {
		r.resync(ctx, "hub: fetch ops of another instance")
		return
	}
	if err := r.reload(ctx); err != nil {
		r.resync(ctx, "hub: reload")
		return
	}
	r.publish(resolved{accepted: ops, senders: make([]*client, len(ops)), replies: map[*client][][]byte{}})
}

// resync reloads the state when the room cannot follow the op log step
// by step, and has every client reconnect: they resume from the store,
// which has every op, instead of seeing a gap.
func (r *room) resync(ctx context.Context, why string) {
	r.hub.log.Error(why, "doc", r.doc)
	if err := r.reload(ctx); err != nil {
		r.hub.log.Error("hub: reload", "doc", r.doc, "err", err)
	}
	for c := range r.clients {
		c.closeWith(protocol.CloseRestart, "resynchronising")
	}
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
	r.deliver([][]byte{f}, nil)
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

package hub

import (
	"context"
	"encoding/json"
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

	users int           // guarded by hub.mu
	quit  chan struct{} // closed (under hub.mu) when the room must stop

	join   chan joinReq
	leave  chan *client
	inbox  chan opReq
	sel    chan selReq
	remote chan int64

	// Owned by run.
	document model.Document
	text     *textpos.Text
	schema   model.Schema
	state    *docstate.State
	clients  map[*client]protocol.Member
	loadErr  error
}

type joinReq struct {
	c     *client
	epoch string
	since int64
}

type opReq struct {
	c  *client
	op protocol.Op
}

type selReq struct {
	c          *client
	start, end int
}

func newRoom(h *Hub, doc int64) *room {
	return &room{
		hub: h, doc: doc,
		quit:   make(chan struct{}),
		join:   make(chan joinReq),
		leave:  make(chan *client),
		inbox:  make(chan opReq, h.cfg.MaxBatch*4),
		sel:    make(chan selReq, 64),
		remote: make(chan int64, 1),
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
	return nil
}

func (r *room) run() {
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
				r.broadcastPresence()
			}
		case s := <-r.sel:
			if m, ok := r.clients[s.c]; ok {
				m.Start, m.End = s.start, s.end
				r.clients[s.c] = m
				r.broadcastPresence()
			}
		case seq := <-r.remote:
			if r.state != nil && seq > r.state.Seq {
				r.pull(ctx)
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
		c.closeWith(protocol.CloseNotFound, "document unavailable")
		return
	}
	w := protocol.Message{Type: protocol.TypeWelcome, Doc: r.doc, Epoch: r.hub.store.Epoch(), Seq: r.state.Seq,
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
		w.Document, w.Schema, w.Snapshot = &doc, &r.schema, true
		w.Annotations, w.Relations = r.state.Annotations(), r.state.Relations()
	}
	if !c.sendMsg(w) {
		return
	}
	r.clients[c] = protocol.Member{User: c.user.Name, Role: string(c.role), Color: colorFor(c.user.Name)}
	r.broadcastPresence()
}

// apply resolves, commits and broadcasts a batch of ops.
func (r *room) apply(ctx context.Context, batch []opReq) {
	if r.loadErr != nil {
		for _, q := range batch {
			q.c.sendError(q.op.ID, protocol.CodeInternal, "the document could not be loaded")
		}
		return
	}
	ids := make([]string, len(batch))
	for i, q := range batch {
		ids[i] = q.op.ID
	}
	seen, err := r.hub.store.OpSeqs(ctx, r.doc, ids)
	if err != nil {
		r.hub.log.Error("hub: op seqs", "doc", r.doc, "err", err)
		for _, q := range batch {
			q.c.sendError(q.op.ID, protocol.CodeInternal, "could not check the op; retry")
		}
		return
	}
	for attempt := 0; ; attempt++ {
		accepted, senders := r.resolve(batch, seen)
		if len(accepted) == 0 {
			return
		}
		want := accepted[0].Seq
		first, err := r.hub.store.Commit(ctx, r.doc, accepted)
		if err == nil {
			if first != want {
				// Another instance committed in between; our cache missed
				// its ops. Resync (its ops reach clients through pull).
				if rerr := r.reload(ctx); rerr != nil {
					r.hub.log.Error("hub: reload", "doc", r.doc, "err", rerr)
				}
			}
			r.publish(accepted, senders)
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
		r.hub.log.Error("hub: commit", "doc", r.doc, "ops", len(accepted), "err", err)
		for _, c := range senders {
			if c != nil {
				c.sendError("", protocol.CodeInternal, "the edit could not be saved; it will be retried")
			}
		}
		return
	}
}

// resolve checks each op of the batch in order against the state with
// the earlier ones applied, answering duplicates and refusals at once.
// Accepted ops are applied to r.state; if the commit fails, the caller
// reloads the state.
func (r *room) resolve(batch []opReq, seen map[string]int64) ([]protocol.Op, []*client) {
	now := time.Now()
	accepted := make([]protocol.Op, 0, len(batch))
	senders := make([]*client, 0, len(batch))
	inBatch := map[string]bool{}
	for _, q := range batch {
		if seq, dup := seen[q.op.ID]; dup {
			// A retry of an op we already committed: its ack was lost.
			q.c.sendMsg(protocol.Message{Type: protocol.TypeAck, OpID: q.op.ID, Seq: seq})
			continue
		}
		if inBatch[q.op.ID] {
			q.c.sendError(q.op.ID, protocol.CodeDuplicateID, "op id sent twice in a row; the first is being applied")
			continue
		}
		out, err := r.state.Resolve(q.op, r.text, r.schema, r.doc, docstate.Actor{User: q.c.user.Name, Role: q.c.role}, now)
		if err != nil {
			var rej *docstate.Rejection
			if errors.As(err, &rej) {
				q.c.enqueue(errorMsg(q.op.ID, rej.Code, rej.Message, rej.Current, rej.Code == protocol.CodeNotFound))
			} else {
				q.c.sendError(q.op.ID, protocol.CodeInternal, "internal error")
			}
			continue
		}
		out.Seq = r.state.Seq + 1 // provisional: Commit assigns the real one
		r.state.Apply(out)
		inBatch[q.op.ID] = true
		accepted = append(accepted, out)
		senders = append(senders, q.c)
	}
	return accepted, senders
}

// publish broadcasts each op to everyone, sender included (the broadcast
// is how every client's state advances), then acks it to its sender (the
// ack tells the sender which pending edit it was).
func (r *room) publish(ops []protocol.Op, senders []*client) {
	for i, op := range ops {
		op := op
		data, err := json.Marshal(protocol.Message{Type: protocol.TypeOp, Op: &op})
		if err != nil {
			r.hub.log.Error("hub: encode op", "err", err)
			continue
		}
		for c := range r.clients {
			c.enqueue(data)
		}
		// The ack follows the op in the sender's queue, so by the time
		// the sender drops its pending copy it already holds the op.
		if c := senders[i]; c != nil {
			c.sendMsg(protocol.Message{Type: protocol.TypeAck, OpID: op.ID, Seq: op.Seq, Version: annVersion(op)})
		}
	}
}

// pull fetches ops committed by another server instance and broadcasts them.
func (r *room) pull(ctx context.Context) {
	ops, err := r.hub.store.OpsSince(ctx, r.doc, r.state.Seq, r.hub.cfg.ResumeLimit)
	if err != nil {
		r.hub.log.Error("hub: pull remote ops", "doc", r.doc, "err", err)
		return
	}
	for _, op := range ops {
		if op.Seq != r.state.Seq+1 {
			// A gap means we cannot follow op by op; start over from a snapshot.
			if err := r.reload(ctx); err != nil {
				r.hub.log.Error("hub: reload", "doc", r.doc, "err", err)
			}
			return
		}
		r.state.Apply(op)
	}
	r.publish(ops, make([]*client, len(ops)))
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

func (r *room) broadcastPresence() {
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
	data, err := json.Marshal(protocol.Message{Type: protocol.TypePresence, Members: members})
	if err != nil {
		return
	}
	for c := range r.clients {
		c.enqueue(data)
	}
}

func errorMsg(opID, code, text string, current *model.Annotation, deleted bool) []byte {
	data, _ := json.Marshal(protocol.Message{Type: protocol.TypeError, OpID: opID, Code: code, Text: text, Current: current, Deleted: deleted})
	return data
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

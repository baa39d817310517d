package hub

import (
	"context"
	"errors"
	"time"

	"gloss/server/internal/store"
	"gloss/shared/model"
	"gloss/shared/protocol"
)

// A story socket follows every document of a story on one connection,
// read-only: the story view compares figures across up to 50 articles,
// and a socket per article would pass the per-user cap (MaxConnsPerUser)
// and cost a welcome snapshot each for state the page already holds.
//
// Its hello names the story and, per document, the seq the client has.
// The connection then watches each document's room: the room sends it,
// tagged with the document, the ops after that seq (or a snapshot), then
// every op it publishes — its own commits and those it pulls from the op
// log (another instance's), exactly as to a document socket, with blind
// annotation's filter applied per document. A watcher is no member of the
// room's clients: it is not in presence, sends no ops and holds no
// selection. It counts once toward the per-user cap, as any connection.

// storyWatch is what a story socket watches: set by its reader at hello,
// read by the same reader's end (endRead), never by anyone else.
type storyWatch struct {
	id    int64
	rooms []*room // acquired, in the story's order: left and released at the end
}

// watcher is one story socket's watch of one room's document. Owned by
// the room.
type watcher struct {
	settings model.Settings
	done     bool       // the user marked the document done (blind annotation)
	view     model.View // what the user sees of the document now
}

// storyHello checks that the user may watch story m.Story, tells the
// client so (the story's welcome), and has each document's room welcome
// the socket as a watcher. The rights epoch and the credential are
// checked already (hello). It reports whether the socket is watching.
func (c *client) storyHello(ctx context.Context, m protocol.Message) bool {
	st, err := c.hub.store.Story(ctx, m.Story)
	if errors.Is(err, store.ErrNotFound) {
		c.sendError("", protocol.CodeNotFound, "no such story")
		c.closeWith(protocol.CloseNotFound, "no such story")
		return false
	}
	if err != nil {
		c.hub.log.Error("hub: story hello: story", "story", m.Story, "err", err)
		c.closeWith(protocol.CloseRestart, "try again")
		return false
	}
	role, err := c.hub.store.Role(ctx, st.Project, c.user.ID)
	if err != nil {
		// As for a document: "forbidden" whether or not it exists.
		c.sendError("", protocol.CodeForbidden, "you are not a member of this story's project")
		c.closeWith(protocol.CloseForbidden, "forbidden")
		return false
	}
	c.role = role
	set, err := c.hub.store.ProjectSettings(ctx, st.Project)
	if err != nil {
		c.hub.log.Error("hub: story hello: settings", "story", m.Story, "err", err)
		c.closeWith(protocol.CloseRestart, "try again")
		return false
	}
	ws := make([]*watcher, len(st.Documents))
	for i, d := range st.Documents {
		ws[i] = &watcher{settings: set}
		if set.Blind && role == model.RoleAnnotator {
			if ws[i].done, err = c.hub.store.Done(ctx, d.ID, c.user.ID); err != nil {
				c.hub.log.Error("hub: story hello: done", "doc", d.ID, "err", err)
				c.closeWith(protocol.CloseRestart, "try again")
				return false
			}
		}
	}
	c.story = &storyWatch{id: st.ID}
	epoch := c.hub.store.Epoch()
	if !c.sendMsg(protocol.Message{Type: protocol.TypeWelcome, Story: st.ID, Epoch: epoch,
		You: &protocol.You{User: c.user.Name, Role: role, Layer: model.DefaultLayer(role, c.user.Name)}}) {
		return false
	}
	c.lastRead.Store(time.Now().UnixNano())
	c.joined.Store(true) // from now on the wheel expects pongs
	// A client's epoch other than the store's (a restored database) makes
	// its seqs meaningless: every document is sent whole. No epoch is the
	// first connection, whose seqs come from this server's state read.
	trust := m.Epoch == "" || m.Epoch == epoch
	for i, d := range st.Documents {
		r, err := c.hub.acquire(d.ID)
		if err != nil {
			c.closeWith(protocol.CloseRestart, "server restarting")
			return false
		}
		c.story.rooms = append(c.story.rooms, r)
		since, ok := m.Seqs[d.ID]
		if !trust || !ok {
			since = -1 // nothing to resume from
		}
		w := ws[i]
		select {
		case r.calls <- func() { r.addWatcher(c, w, since) }:
		case <-r.quit:
			c.closeWith(protocol.CloseRestart, "server restarting")
			return false
		case <-c.doneChan():
			return false
		}
	}
	return true
}

// storyMessage answers what a story socket sends after its hello: it
// only watches.
func (c *client) storyMessage(m protocol.Message) {
	switch m.Type {
	case protocol.TypeHello:
		c.sendError("", protocol.CodeWrongDocument, "this connection already watches a story; open a new one")
	case protocol.TypeOp:
		c.sendError(m.Op.ID, protocol.CodeReadOnly, "a story socket only watches: edit on the document's own socket")
	}
	// select: a story watcher has no selection to show.
}

// leaveStory takes a story socket out of its rooms (endRead).
func (c *client) leaveStory() {
	for _, r := range c.story.rooms {
		select {
		case r.calls <- func() { delete(r.watchers, c) }:
		case <-r.quit:
		}
		c.hub.release(r)
	}
}

// addWatcher welcomes story socket c to the room's document with the ops
// after since (0: every op; the document may have none) or, when it
// cannot resume (blind, too far behind, ahead of the log, since < 0:
// nothing to resume from), a snapshot; from then on the room
// sends it every op it publishes (tellWatchers). Run by the room.
func (r *room) addWatcher(c *client, w *watcher, since int64) {
	if c.isClosing() {
		return
	}
	if r.loadErr != nil {
		if errors.Is(r.loadErr, store.ErrNotFound) {
			// Gone meanwhile: the story view goes on without it.
			c.send([][]byte{r.frame(protocol.Message{Type: protocol.TypeError, Doc: r.doc, Code: protocol.CodeNotFound, Text: "no such document"})})
			return
		}
		c.closeWith(protocol.CloseRestart, "document unavailable; try again")
		return
	}
	if r.watchers == nil {
		r.watchers = map[*client]*watcher{}
	}
	w.view = model.ViewOf(w.settings, c.role, c.user.Name, w.done, r.state.DocReview)
	seq, epoch := r.state.Seq, r.hub.store.Epoch()
	limit := int64(r.hub.cfg.ResumeLimit)
	sent := false
	if !w.view.Blind && since >= 0 && since <= seq && seq-since <= limit {
		ops, err := r.hub.store.OpsSince(r.hub.ctx, r.doc, since, int(limit))
		if err == nil && int64(len(ops)) == seq-since {
			if !c.sendMsg(protocol.Message{Type: protocol.TypeWelcome, Doc: r.doc, Epoch: epoch, Seq: seq, Ops: ops}) {
				return
			}
			sent = true
		} else if err != nil {
			r.hub.log.Error("hub: story resume", "doc", r.doc, "err", err)
		}
	}
	if !sent {
		// The document socket's snapshot, shared with its clients: the
		// same shape (schema, you) as handleJoin's.
		you := &protocol.You{User: c.user.Name, Role: c.role, Layer: model.DefaultLayer(c.role, c.user.Name), Blind: w.view.Blind}
		m := protocol.Message{Type: protocol.TypeWelcome, Doc: r.doc, Epoch: epoch, Seq: seq, Schema: &r.schema, You: you}
		if w.view.Blind {
			m.Epoch += blindEpoch
		}
		if !c.send(r.snapshotWelcome(m, false, w.view)) {
			return
		}
	}
	if c.checked != r.rights {
		r.rights = -1 // the next batch checks everyone at the current epoch
	}
	r.watchers[c] = w
}

// tellWatchers sends the room's story watchers the ops it publishes, each
// tagged with the document and, for a blind view, filtered as publish
// filters them for a document socket: a hidden op in place of one the
// view does not see, a visible one without another user's name. layers
// are publish's, op by op. Run by the room.
func (r *room) tellWatchers(ops []protocol.Op, layers [][]string) {
	if len(r.watchers) == 0 {
		return
	}
	tagged, hidden, anon := make([][]byte, len(ops)), make([][]byte, len(ops)), make([][]byte, len(ops))
	enc := func(cache [][]byte, i int, op protocol.Op) []byte {
		if cache[i] == nil {
			cache[i] = r.frame(protocol.Message{Type: protocol.TypeOp, Doc: r.doc, Op: &op})
		}
		return cache[i]
	}
	var all [][]byte // for the watchers who see everything: shared
	for c, w := range r.watchers {
		var out [][]byte
		if !w.view.Blind {
			if all == nil {
				all = make([][]byte, len(ops))
				for i := range ops {
					all[i] = enc(tagged, i, ops[i])
				}
			}
			out = all
		} else {
			out = make([][]byte, len(ops))
			for i, op := range ops {
				switch {
				case !seesAll(w.view, layers[i]):
					out[i] = enc(hidden, i, protocol.Op{Kind: protocol.KindHidden, Seq: op.Seq})
				case op.User != "" && op.User != c.user.Name:
					op.User = ""
					out[i] = enc(anon, i, op)
				default:
					out[i] = enc(tagged, i, op)
				}
			}
		}
		if !c.send(out) {
			delete(r.watchers, c) // closing: too slow, or gone
		}
	}
}

// closeWatchers ends every story socket watching the room (the room
// resynchronises: they resume from the store).
func (r *room) closeWatchers(code int, text string) {
	for c := range r.watchers {
		c.closeWith(code, text)
		delete(r.watchers, c)
	}
}

// kickWatchers ends the story sockets of user uid (DisconnectUser).
func (r *room) kickWatchers(uid int64) {
	for c := range r.watchers {
		if c.user.ID == uid {
			c.closeWith(protocol.CloseRestart, "credentials changed: reconnect")
			delete(r.watchers, c)
		}
	}
}

// rejudgeWatchers closes the story sockets whose view of the document
// changed (its review status moved: blind annotation ends or starts), as
// reviewChanged does for document sockets; the reconnect's welcome for
// it is a snapshot of the new view.
func (r *room) rejudgeWatchers() {
	for c, w := range r.watchers {
		if model.ViewOf(w.settings, c.role, c.user.Name, w.done, r.state.DocReview) != w.view {
			c.closeWith(protocol.CloseRestart, "what you may see of this story changed: reconnect")
			delete(r.watchers, c)
		}
	}
}

// recheckWatchers checks every story watcher of the room again, as
// recheckRightsAt checks the room's clients: a revoked credential closes
// the socket with 4401, a membership that ended with 4403, a changed role
// or view (settings, done mark) with 4001. On a store error nothing is
// decided.
func (r *room) recheckWatchers(ctx context.Context, set model.Settings) error {
	for c, w := range r.watchers {
		if c.isClosing() {
			delete(r.watchers, c)
			continue
		}
		code, text := 0, ""
		if err := c.checkCredential(ctx); errors.Is(err, ErrRevoked) {
			code, text = protocol.CloseUnauthenticated, "log in again"
		} else if err != nil {
			return err
		}
		if code == 0 {
			role, err := r.hub.store.Role(ctx, r.document.ProjectID, c.user.ID)
			switch {
			case errors.Is(err, store.ErrNotFound):
				code, text = protocol.CloseForbidden, "you are no longer a member of this project"
			case err != nil:
				return err
			case role != c.role:
				code, text = protocol.CloseRestart, "your role changed: reconnect"
			}
		}
		if code == 0 {
			done := false
			if set.Blind && c.role == model.RoleAnnotator {
				var err error
				if done, err = r.hub.store.Done(ctx, r.doc, c.user.ID); err != nil {
					return err
				}
			}
			w.settings, w.done = set, done
			if model.ViewOf(set, c.role, c.user.Name, done, r.state.DocReview) != w.view {
				code, text = protocol.CloseRestart, "what you may see of this story changed: reconnect"
			}
		}
		if code != 0 {
			c.closeWith(code, text)
			delete(r.watchers, c)
		}
	}
	return nil
}

// Watchers returns how many story sockets watch doc's room, for tests.
func (h *Hub) Watchers(doc int64) int {
	return h.countIn(doc, func(r *room) int { return len(r.watchers) })
}

package live

import (
	"encoding/json"
	"strconv"
	"time"

	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"gloss/app/optimistic"
	"gloss/shared/httpapi"
	"gloss/shared/protocol"
)

// StorySession follows every document of a story on one read-only
// websocket (PROTOCOL.md, "Story sockets"): the story view's 50 articles
// cost one socket of the user's capped few and no welcome snapshots, as
// the page already holds each document's state (GET
// /api/stories/{id}/state). Its hello sends the seq of each document's
// state; the server answers with the ops since, then every op, tagged with
// its document. It reconnects as a document Session does (backoff) and
// resumes from the seqs it has reached. All its fields change only on the
// UI goroutine.
type StorySession struct {
	story   int64
	changed func(doc int64)

	socket
	closed bool
	epoch  string // the store's, from the story's welcome

	docs     map[int64]*optimistic.Doc
	welcomed map[int64]bool // on this connection

	// Status is the connection's; Live is true once every document has
	// been welcomed on the current connection.
	Status  Status
	Live    bool
	Notices []Notice
}

// OpenStory starts the session of story id from the documents' states as
// the page loaded them. dispatch must run its function on the UI
// goroutine; changed is called there with a document whose state changed,
// or with 0 when the session's status did.
func OpenStory(id int64, docs []httpapi.StoryDocState, dispatch func(func()), changed func(doc int64)) *StorySession {
	s := &StorySession{story: id, socket: socket{dispatch: dispatch}, changed: changed, docs: make(map[int64]*optimistic.Doc, len(docs))}
	for _, ds := range docs {
		d := optimistic.New(ds.ID)
		d.Welcome(protocol.Message{Type: protocol.TypeWelcome, Doc: ds.ID, Snapshot: true, Seq: ds.Seq, Annotations: ds.Annotations, Relations: ds.Relations})
		s.docs[ds.ID] = d
	}
	// As a document session: leaving the page ends the socket now, and
	// the network coming back reconnects at once.
	s.closeOnPageHide()
	s.listenWindow("online", app.FuncOf(func(app.Value, []app.Value) any {
		s.dispatch(func() {
			if !s.closed && s.Status != Connected && s.Status != Stopped {
				s.attempt = 0
				s.connect()
			}
		})
		return nil
	}))
	s.connect()
	return s
}

// Doc is document id's state as the session follows it (nil: not in the
// story).
func (s *StorySession) Doc(id int64) *optimistic.Doc { return s.docs[id] }

// Close ends the session for good (the page was left).
func (s *StorySession) Close() {
	s.closed = true
	s.stopRetry()
	s.dropWS()
	s.releaseWindow()
}

func (s *StorySession) connect() {
	if s.closed {
		return
	}
	s.dropWS()
	s.welcomed, s.Live = map[int64]bool{}, false
	ws := app.Window().Get("WebSocket").New(socketURL())
	s.ws = ws
	fn := func(f func(args []app.Value)) app.Func { return s.handler(ws, f) }
	ws.Set("onopen", fn(func([]app.Value) {
		seqs := make(map[int64]int64, len(s.docs))
		for id, d := range s.docs {
			seqs[id] = d.Seq()
		}
		s.send(protocol.Message{Type: protocol.TypeHello, Proto: protocol.Version, Story: s.story, Epoch: s.epoch, Seqs: seqs})
	}))
	ws.Set("onmessage", fn(func(args []app.Value) {
		var m protocol.Message
		if json.Unmarshal([]byte(args[0].Get("data").String()), &m) == nil {
			s.handle(m)
		}
	}))
	ws.Set("onclose", fn(func(args []app.Value) {
		s.onClose(args[0].Get("code").Int(), args[0].Get("reason").String())
	}))
}

func (s *StorySession) send(m protocol.Message) {
	if s.ws == nil || s.ws.Get("readyState").Int() != 1 {
		return
	}
	if data, err := json.Marshal(m); err == nil {
		s.ws.Call("send", string(data))
	}
}

// handle acts on one message: the story's welcome, then each document's
// welcome (the ops it missed, or its state whole) and its ops.
func (s *StorySession) handle(m protocol.Message) {
	switch m.Type {
	case protocol.TypeWelcome:
		if m.Doc == 0 {
			s.epoch, s.Status, s.attempt = m.Epoch, Connected, 0
			s.Live = len(s.docs) == 0 // else once every document is welcomed
			s.changed(0)
			return
		}
		d := s.docs[m.Doc]
		if d == nil {
			return
		}
		changed := false
		if m.Snapshot {
			if err := d.Welcome(m); err != nil {
				s.notice(protocol.CodeInternal, "Could not read a document's annotations: "+err.Error())
			}
			changed = true
		}
		for _, op := range m.Ops { // a resume: only what was missed
			if !d.Confirm(op) {
				s.gap()
				return
			}
			changed = true
		}
		s.welcomed[m.Doc] = true
		if changed {
			s.changed(m.Doc)
		}
		if !s.Live && len(s.welcomed) == len(s.docs) {
			s.Live = true
			s.changed(0)
		}
	case protocol.TypeOp:
		d := s.docs[m.Doc]
		if m.Op == nil || d == nil {
			return
		}
		if !d.Confirm(*m.Op) {
			s.gap()
			return
		}
		s.changed(m.Doc)
	case protocol.TypeError:
		s.notice(m.Code, m.Text)
		if m.Doc != 0 && !s.welcomed[m.Doc] {
			s.welcomed[m.Doc] = true // refused (gone): not waited for
		}
		s.changed(0)
	}
}

// gap: an op does not follow the seq a document is at. Its state would be
// wrong: reconnect and resume.
func (s *StorySession) gap() {
	s.dropWS()
	s.onClose(protocol.CloseSlow, "gap")
}

func (s *StorySession) onClose(code int, reason string) {
	s.dropWS()
	if s.closed {
		return
	}
	s.Live = false
	if !protocol.ShouldReconnect(code) {
		s.Status = Stopped
		text := stopText(code, reason)
		switch code {
		case protocol.CloseForbidden:
			text = "You are not a member of this story's project."
		case protocol.CloseNotFound:
			text = "This story does not exist."
		}
		s.notice(strconv.Itoa(code), text)
		s.changed(0)
		afterStop(code)
		return
	}
	s.Status = retryStatus()
	s.changed(0)
	s.reconnectLater(s.connect)
}

func (s *StorySession) notice(code, text string) {
	s.Notices = append(s.Notices, Notice{Code: code, Text: text, At: time.Now()})
	if len(s.Notices) > 5 {
		s.Notices = s.Notices[len(s.Notices)-5:]
	}
}

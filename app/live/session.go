// Package live is the browser's side of live sync and all of its server
// talk: a websocket session per open document that reconnects with
// backoff, resumes from its last seq, keeps unacknowledged edits (also
// across reloads, in localStorage) and re-sends them, and folds the op
// stream into a document state the view renders.
package live

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"gloss/app/optimistic"
	"gloss/shared/model"
	"gloss/shared/protocol"
)

// Status is the connection state shown to the user.
type Status int

// Connection states.
const (
	Connecting   Status = iota // first connection attempt
	Connected                  // welcome received; edits flow
	Reconnecting               // lost; retrying with backoff
	Offline                    // the browser says there is no network
	Stopped                    // the server said stop (login, access, version)
)

func (s Status) String() string {
	return [...]string{"connecting", "connected", "reconnecting", "offline", "stopped"}[s]
}

// Notice is a message for the user: a refused edit, a conflict.
type Notice struct {
	Code string
	Text string
	At   time.Time
}

// Session is one document's live connection. All its fields change only
// on the UI goroutine: socket callbacks hand their work to dispatch.
type Session struct {
	doc     int64
	changed func()

	socket
	closed bool

	// Doc is the document as this user sees it: confirmed state with
	// the unacknowledged edits folded over it.
	*optimistic.Doc

	// Ready is true once the first welcome has arrived.
	Ready   bool
	Status  Status
	Schema  model.Schema
	Members []protocol.Member
	Notices []Notice
	epoch   string
	// owner is the user the pending edits are theirs: they are kept in
	// localStorage under that user's name and sent only on that user's
	// connection (another user of the same browser never sends them).
	owner string
	// retry re-sends edits the server could not commit (code internal)
	// after a backoff; retries counts failures since the last ack.
	retry   *time.Timer
	retries int
	sel     [2]int // the selection last sent for presence

	// The tags web/gloss.js sent before the desk was live (early.go): the
	// page's preconnect object (window.glossPre) until then, the tags'
	// annotation IDs by op ID and in order, how many came back committed,
	// and the op IDs refused before the session took them over.
	pre            app.Value
	earlyAnns      map[string]string
	earlyOrder     []string
	earlyConfirmed int
	earlyFailed    map[string]bool

	// held are messages decoded but not handled yet, in the order they
	// came: a large welcome is handled after the browser has had a turn
	// (receiveValue), and whatever follows it waits behind it.
	held []protocol.Message
}

// Open starts a session. dispatch must run its function on the UI
// goroutine (ctx.Dispatch); changed is called there after every change.
func Open(doc int64, dispatch func(func()), changed func()) *Session {
	s := &Session{doc: doc, socket: socket{dispatch: dispatch}, changed: changed, Doc: optimistic.New(doc)}
	on := func(event string, fn func()) {
		s.listenWindow(event, app.FuncOf(func(app.Value, []app.Value) any { s.dispatch(fn); return nil }))
	}
	s.closeOnPageHide()
	on("online", func() { s.reconnectNow() })
	on("offline", func() {
		if s.Status != Stopped {
			s.Status = Offline
			s.changed()
		}
	})
	s.connect()
	return s
}

// Close ends the session for good (the view was dismounted).
func (s *Session) Close() {
	s.closed = true
	s.stopRetry()
	if s.retry != nil {
		s.retry.Stop()
	}
	s.dropSocket()
	s.releaseWindow()
}

// dropSocket drops the socket and the messages held from it.
func (s *Session) dropSocket() {
	s.dropWS()
	s.held = nil
}

func (s *Session) connect() {
	if s.closed {
		return
	}
	s.dropSocket()
	// Adopt the socket web/gloss.js opened at page load, if it is for
	// this document: its hello is sent and the welcome may be waiting.
	if pre := app.Window().Get("glossPre"); pre.Truthy() && !pre.Get("taken").Truthy() && pre.Get("doc").Int() == int(s.doc) && s.Seq() == 0 && len(s.PendingOps()) == 0 {
		// The page keeps sending label keys on it until the desk is
		// live (early.go).
		pre.Set("taken", true)
		s.pre = pre
		ws := pre.Get("ws")
		s.ws = ws
		// The welcome waiting in the page's queue is most of a second of
		// Go's work on a large document (decoding it, then the desk's
		// first render). It is read after the browser has had a turn
		// (AfterYield): a key pressed meanwhile is taken by the page
		// script and committed at once, instead of waiting behind all of
		// it. Until then the page's own handlers keep queueing what
		// arrives, so nothing is read out of order.
		AfterYield(s.dispatch, func() {
			if s.closed || s.ws == nil || !s.ws.Equal(ws) {
				return
			}
			s.listen(ws)
			q := pre.Get("queue")
			for i := 0; i < q.Length(); i++ {
				s.receiveValue(q.Index(i))
			}
			if closed := pre.Get("closed"); closed.Truthy() {
				s.onClose(closed.Get("code").Int(), closed.Get("reason").String())
			}
		})
		return
	}
	s.ws = app.Window().Get("WebSocket").New(socketURL())
	s.listen(s.ws)
}

// listen makes the session the handler of ws's events.
func (s *Session) listen(ws app.Value) {
	fn := func(f func(args []app.Value)) app.Func { return s.handler(ws, f) }
	ws.Set("onopen", fn(func([]app.Value) {
		s.sendMsg(protocol.Message{Type: protocol.TypeHello, Proto: protocol.Version, Doc: s.doc, Epoch: s.epoch, Since: s.Seq(), Compact: true})
	}))
	ws.Set("onmessage", fn(func(args []app.Value) {
		s.receiveValue(args[0].Get("data"))
	}))
	ws.Set("onclose", fn(func(args []app.Value) {
		s.onClose(args[0].Get("code").Int(), args[0].Get("reason").String())
	}))
	if ws.Get("readyState").Int() != 0 {
		ws.Set("onopen", nil) // already open: the page script said hello
	}
}

// AfterYield runs f through dispatch (on the UI goroutine) once the
// browser's event loop has had a turn: a task posted with setTimeout.
// In Go's wasm the browser runs nothing — no input, no frame — until
// every goroutine is blocked, so a long start-up split at AfterYield
// lets keys and clicks through between its parts.
func AfterYield(dispatch func(func()), f func()) {
	var cb app.Func
	cb = app.FuncOf(func(app.Value, []app.Value) any {
		cb.Release()
		dispatch(f)
		return nil
	})
	app.Window().Call("setTimeout", cb, 0)
}

func (s *Session) onClose(code int, reason string) {
	s.handleHeld() // they came before the close
	s.dropSocket()
	if s.closed {
		return
	}
	if !protocol.ShouldReconnect(code) {
		s.Status = Stopped
		s.notice(strconv.Itoa(code), stopText(code, reason))
		s.changed()
		afterStop(code)
		return
	}
	s.Status = retryStatus()
	s.changed()
	s.reconnectLater(s.connect)
}

func (s *Session) reconnectNow() {
	if s.closed || s.Status == Connected || s.Status == Stopped {
		return
	}
	s.attempt = 0
	s.stopRetry()
	s.connect()
}

func stopText(code int, reason string) string {
	switch code {
	case protocol.CloseUnauthenticated:
		return "Your session has ended: log in again."
	case protocol.CloseForbidden:
		return "You are not a member of this document's project."
	case protocol.CloseNotFound:
		return "This document does not exist."
	case protocol.CloseProtocol:
		return "Gloss was upgraded: reloading."
	}
	return fmt.Sprintf("Disconnected (%d %s)", code, reason)
}

func (s *Session) sendMsg(m protocol.Message) bool {
	if s.ws == nil || s.ws.Get("readyState").Int() != 1 {
		return false
	}
	data, err := json.Marshal(m)
	if err != nil {
		return false
	}
	if len(data) > protocol.MaxMessage {
		s.notice(protocol.CodeTooLarge, "This edit is too large to send.")
		return false
	}
	s.ws.Call("send", string(data))
	return true
}

// bigWelcome is the size from which a welcome is decoded by splitting
// (see receiveValue).
const bigWelcome = 32 << 10

// receiveValue handles one websocket message, a JS string. A large
// welcome (a snapshot: the document's text and its packed annotations,
// hundreds of KB) is parsed by the browser's native JSON.parse, its two
// big strings taken out as they are, and only the small rest decoded by
// encoding/json: in wasm, encoding/json scans and unquotes every byte of
// it, which was the largest part of opening a 5,000-span document.
func (s *Session) receiveValue(v app.Value) {
	// syscall/js refuses Get and Call on a primitive string: its methods
	// are called through String.prototype (charAt past the end is "").
	// The field order is the server's to choose (the hub writes a
	// welcome's "you" first, before the part it shares between clients),
	// so the type is read after the parse.
	str := app.Window().Get("String").Get("prototype")
	if str.Get("charAt").Call("call", v, bigWelcome).String() == "" {
		s.receive(v.String())
		return
	}
	JSON := app.Window().Get("JSON")
	obj := JSON.Call("parse", v)
	if obj.Get("type").String() != protocol.TypeWelcome {
		s.receive(v.String())
		return
	}
	var packed, text string
	hasText := false
	if p := obj.Get("packed"); p.Type() == app.TypeString {
		packed = p.String()
		obj.Delete("packed")
	}
	if d := obj.Get("document"); d.Truthy() {
		if t := d.Get("text"); t.Type() == app.TypeString {
			text, hasText = t.String(), true
			d.Delete("text")
		}
	}
	var m protocol.Message
	if err := json.Unmarshal([]byte(JSON.Call("stringify", obj).String()), &m); err != nil {
		return
	}
	m.Packed = packed
	if m.Document != nil && hasText {
		m.Document.Text = text
	}
	// Decoding took a while and folding it into the state takes as long
	// again: the browser gets its turn in between (AfterYield).
	s.held = append(s.held, m)
	if len(s.held) == 1 {
		ws := s.ws
		AfterYield(s.dispatch, func() {
			if s.ws != nil && s.ws.Equal(ws) {
				s.handleHeld()
			}
		})
	}
}

func (s *Session) receive(data string) {
	var m protocol.Message
	if err := json.Unmarshal([]byte(data), &m); err != nil {
		return
	}
	if len(s.held) > 0 {
		s.held = append(s.held, m) // after the welcome being handled
		return
	}
	s.handle(m)
}

// handleHeld handles the held messages, in order.
func (s *Session) handleHeld() {
	for len(s.held) > 0 {
		m := s.held[0]
		s.held = s.held[1:]
		s.handle(m)
	}
	s.held = nil
}

// handle acts on one decoded message.
func (s *Session) handle(m protocol.Message) {
	switch m.Type {
	case protocol.TypeWelcome:
		s.welcome(m)
	case protocol.TypeOp:
		if m.Op == nil {
			return
		}
		n := len(s.PendingOps())
		if !s.Confirm(*m.Op) {
			// A gap: our view would be wrong. Reconnect and resume.
			s.dropSocket()
			s.onClose(protocol.CloseSlow, "gap")
			return
		}
		if len(s.PendingOps()) != n { // our own op came back
			s.savePending()
		}
		if _, ok := s.earlyAnns[m.Op.ID]; ok {
			s.earlyConfirmed++ // a tag web/gloss.js sent (early.go)
		}
	case protocol.TypeAck:
		s.ack(m.OpID)
		s.retries = 0
	case protocol.TypeError:
		if m.Code == protocol.CodeInternal && m.OpID != "" && s.HasPending(m.OpID) {
			// Not applied, not refused: the server could not commit.
			// Keep the edit and send it again (PROTOCOL.md).
			s.notice(m.Code, "Gloss could not save your edit just now; it is kept and will be sent again.")
			s.retryLater()
		} else if m.OpID != "" && (s.ack(m.OpID) || s.earlyAnns[m.OpID] != "") {
			s.notice(m.Code, conflictText(m))
		} else if m.OpID != "" && s.pre != nil && m.Code != protocol.CodeInternal {
			// Maybe a tag the page sent and the session has not taken
			// over yet (early.go): refused all the same.
			if s.earlyFailed == nil {
				s.earlyFailed = map[string]bool{}
			}
			s.earlyFailed[m.OpID] = true
			s.notice(m.Code, conflictText(m))
		} else {
			s.notice(m.Code, m.Text)
		}
	case protocol.TypePresence:
		s.Members = m.Members
	}
	s.changed()
}

func conflictText(m protocol.Message) string {
	switch m.Code {
	case protocol.CodeConflict:
		who := "someone"
		if m.Current != nil {
			who = m.Current.Author
		}
		return fmt.Sprintf("Your edit was not applied: %s changed this span first. Showing the current version.", who)
	case protocol.CodeNotFound:
		return "Your edit was not applied: the span was deleted meanwhile."
	}
	return "Your edit was refused: " + m.Text
}

func (s *Session) welcome(m protocol.Message) {
	if err := s.Doc.Welcome(m); err != nil {
		s.notice(protocol.CodeInternal, "Could not read the document's annotations: "+err.Error())
		return
	}
	if m.Schema != nil {
		s.Schema = *m.Schema // also on resume: labels may have changed meanwhile
	}
	if m.You != nil {
		s.You = *m.You
	}
	if s.owner != s.You.User {
		// This connection's user (first welcome, or another user logged
		// in on this browser): their own unsent edits, none of another's,
		// which stay stored under that user's name.
		s.owner = s.You.User
		s.SetPending(s.loadPending())
	}
	s.epoch = m.Epoch
	s.sel = [2]int{} // a new connection starts with no selection
	s.Ready, s.Status, s.attempt = true, Connected, 0
	// Re-send what was never acknowledged; the server answers ops it
	// already applied with their original ack.
	for _, op := range s.PendingOps() {
		s.sendMsg(protocol.Message{Type: protocol.TypeOp, Op: &op})
	}
	// Then take over the tags the page sent (or could not send) before.
	s.AdoptEarly()
}

// Submit queues an edit: it shows at once (optimistically), is kept until
// acknowledged, and is sent now or after the next reconnect.
func (s *Session) Submit(op protocol.Op) {
	if op.ID == "" {
		op.ID = NewID()
	}
	s.Doc.Submit(op)
	s.savePending()
	if s.Status == Connected {
		s.sendMsg(protocol.Message{Type: protocol.TypeOp, Op: &op})
	}
	s.changed()
}

// Select tells the others where this user is selecting; (0, 0) says
// nowhere, which clears the outline the others draw. Only changes are
// sent.
func (s *Session) Select(start, end int) {
	if end <= start {
		start, end = 0, 0
	}
	if s.Status == Connected && [2]int{start, end} != s.sel {
		if s.sendMsg(protocol.Message{Type: protocol.TypeSelect, Start: start, End: end}) {
			s.sel = [2]int{start, end}
		}
	}
}

// Pending is the number of edits not yet acknowledged.
func (s *Session) Pending() int { return len(s.PendingOps()) }

// ack retires a pending edit (acknowledged or refused) and forgets it in
// storage; it reports whether the edit was pending.
func (s *Session) ack(opID string) bool {
	if !s.Doc.Ack(opID) {
		return false
	}
	s.savePending()
	return true
}

func (s *Session) notice(code, text string) {
	s.Notices = append(s.Notices, Notice{Code: code, Text: text, At: time.Now()})
	if len(s.Notices) > 5 {
		s.Notices = s.Notices[len(s.Notices)-5:]
	}
}

// DismissNotices clears the notices.
func (s *Session) DismissNotices() { s.Notices = nil }

// retryLater re-sends every pending edit after a backoff (1 s doubling to
// 30 s), once per burst of failures: the server answers those it did
// commit meanwhile with their ack.
func (s *Session) retryLater() {
	if s.retry != nil {
		return // one is scheduled
	}
	d := time.Duration(math.Min(30000, 1000*math.Pow(2, float64(min(s.retries, 5))))) * time.Millisecond
	s.retries++
	s.retry = time.AfterFunc(d, func() {
		s.dispatch(func() {
			s.retry = nil
			if s.closed || s.Status != Connected {
				return // the next welcome re-sends them
			}
			for _, op := range s.PendingOps() {
				s.sendMsg(protocol.Message{Type: protocol.TypeOp, Op: &op})
			}
		})
	})
}

// storageKey names the unsent edits of the owner on this document.
func (s *Session) storageKey() string {
	return "gloss-pending-" + strconv.FormatInt(s.doc, 10) + "-" + s.owner
}

// savePending keeps unacknowledged edits in localStorage, so that closing
// the tab while offline does not lose them.
func (s *Session) savePending() {
	ls := app.Window().Get("localStorage")
	if !ls.Truthy() || s.owner == "" {
		return
	}
	if len(s.PendingOps()) == 0 {
		ls.Call("removeItem", s.storageKey())
		return
	}
	if b, err := json.Marshal(s.PendingOps()); err == nil {
		ls.Call("setItem", s.storageKey(), string(b))
	}
}

// loadPending returns the owner's stored unsent edits.
func (s *Session) loadPending() []protocol.Op {
	ls := app.Window().Get("localStorage")
	if !ls.Truthy() || s.owner == "" {
		return nil
	}
	v := ls.Call("getItem", s.storageKey())
	if !v.Truthy() {
		return nil
	}
	var ops []protocol.Op
	if json.Unmarshal([]byte(v.String()), &ops) != nil {
		return nil
	}
	return ops
}

// NewID returns a random ID for an op, annotation or relation.
func NewID() string {
	b := make([]byte, 9)
	rand.Read(b)
	return hex.EncodeToString(b)
}

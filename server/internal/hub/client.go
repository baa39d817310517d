package hub

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gorilla/websocket"

	"gloss/server/internal/jsonenc"
	"gloss/server/internal/store"
	"gloss/shared/model"
	"gloss/shared/protocol"
)

// Timing of a connection, as in gorilla's chat example.
const (
	writeWait  = 10 * time.Second    // time allowed to write one delivery
	pongWait   = 60 * time.Second    // time allowed between pongs from the peer
	pingPeriod = (pongWait * 9) / 10 // must be less than pongWait
	helloWait  = 15 * time.Second    // time allowed between upgrade and hello
	closeGrace = 2 * time.Second     // time allowed for the peer to answer a close frame
)

// client is one websocket connection. One reader at a time reads nc,
// and only while there is something to read (read.go); writePump is the
// only writer of data, and runs only while there is something to write;
// out is the bounded queue between the room (and the reader's error
// replies) and writePump.
type client struct {
	hub  *Hub
	nc   net.Conn        // the hijacked connection; gorilla's Conn is dropped after the upgrade
	raw  syscall.RawConn // nc's, for writes that must not wait (nil: none)
	user model.User
	role model.Role
	room *room // set by the reader's hello, then fixed
	// story is set instead of room by a story hello (story.go).
	story *storyWatch
	// cred re-checks the credential the socket was opened with (nil: no
	// credential to check); checked is the rights epoch (see
	// store.RightsEpoch) its rights were last checked at.
	cred    Credential
	checked int64
	addr    string // the client's address, for the per-address cap
	// settings and markedDone are what blind annotation needs to know
	// besides the document (blind.go): read at hello, then owned by the
	// room, which re-reads them when the rights epoch moves; view is what
	// the room decided this client sees (owned by the room).
	settings   model.Settings
	markedDone bool
	view       model.View

	// The op rate's token bucket; only the reader touches it. tokensAt
	// is a mono time, as are oldest and pinged: a time.Time is 24 bytes,
	// and every byte of this struct is paid per idle connection.
	// closeCode (set, under mu, before done is closed) shares the word of
	// tokens.
	tokens    float32
	closeCode int32
	tokensAt  int64

	// out holds framed messages waiting for writePump, queued in
	// deliveries: everything one event of the room (a commit, a presence
	// change, a welcome) has for this client. The queue is a slice that
	// grows only as far as a client falls behind, and writePump is started
	// when it stops being empty and ends when it has emptied it, so an idle
	// connection holds no goroutine (the reader, too, runs only while
	// there is something to read: read.go) and next to no memory.
	// SendQueue bounds the queue in deliveries. reading and readStopped
	// are the reader's state: a reader goroutine runs; reading is over
	// (finish closes the socket).
	mu          sync.Mutex
	out         [][]byte
	deliveries  int   // in out
	outBytes    int   // in out
	firstBytes  int   // of the first delivery in out
	oldest      int64 // when the first delivery in out was queued (mono)
	writing     bool  // writePump is running (for good once closing)
	pingDue     bool  // writePump should send a ping
	broken      bool  // a write failed: the stream may hold half a frame
	closing     bool  // done is closed; writePump sends the close frame
	reading     bool
	readStopped bool
	polled      bool // the poller watches nc (else readLoop reads it)
	readEnded   bool // reading is over (endRead is done)

	// The hub's wheel (Hub.wheel) pings the connection and ends it when
	// the peer is silent: lastRead is when a frame last came in (unix ns,
	// 0: none yet), joined is set once the hello has joined a room,
	// pinged is the wheel's own: when the connection opened, then when
	// the wheel last pinged it (mono).
	lastRead atomic.Int64
	joined   atomic.Bool
	readEnd  atomic.Bool // endRead has begun
	pinged   int64
	watch    uint64 // the poller's id of the connection (from watches)

	// done and readDone are made only when somebody waits for them (see
	// doneChan and readOver), under mu: two channels are 192 bytes that
	// an idle connection would hold for nothing.
	done      chan struct{} // closed when the connection must end (closing)
	closeText string
	readDone  chan struct{} // closed when reading is over
}

// mono returns t as nanoseconds since the process started, read from the
// monotonic clock (t from time.Now): what the client keeps of a time, in
// 8 bytes, and a wall clock that jumps does not move.
func mono(t time.Time) int64 { return int64(t.Sub(monoStart)) }

var monoStart = time.Now()

// closedChan is what doneChan and readOver return once what they wait
// for has happened.
var closedChan = func() chan struct{} {
	ch := make(chan struct{})
	close(ch)
	return ch
}()

// doneChan returns a channel that is closed when the connection must end
// (closeWith). Only the reader waits on it (a hello or an op waiting for
// its room), so it is made then, not with the connection; see dropDone.
func (c *client) doneChan() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	return lazyChan(c.closing, &c.done)
}

// dropDone lets go of the channel doneChan made, once the reader that
// asked for it no longer waits on it: a connection that idles after its
// hello holds none.
func (c *client) dropDone() {
	c.mu.Lock()
	if !c.closing {
		c.done = nil
	}
	c.mu.Unlock()
}

// readOver returns a channel that is closed when reading is over
// (endRead); finish waits on it.
func (c *client) readOver() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	return lazyChan(c.readEnded, &c.readDone)
}

// lazyChan returns a closed channel if over, else *ch, made on first use
// (its closer closes it only if it was made). c.mu is held.
func lazyChan(over bool, ch *chan struct{}) <-chan struct{} {
	if over {
		return closedChan
	}
	if *ch == nil {
		*ch = make(chan struct{})
	}
	return *ch
}

// watches numbers connections for the poller.
var watches atomic.Uint64

// Serve takes over a websocket connection of an authenticated user. The
// caller has upgraded the request and checked the session or token; cred
// checks it again, at hello and whenever rights change while the socket
// is open. The hello decides the document, and membership of its project
// is checked here, before any op. Serve returns at once; the connection
// is read when it has something to read and written when there is
// something to write (see read.go), until it ends: the HTTP handler's
// goroutine, with its grown stack and the server's per-request buffers,
// is not held for the hours a connection may stay open, and neither is
// any other goroutine while the connection idles.
func (h *Hub) Serve(conn *websocket.Conn, user model.User, opt ServeOptions) {
	now := time.Now()
	c := &client{hub: h, nc: conn.NetConn(), user: user, cred: opt.Credential, addr: opt.Addr,
		tokens: float32(h.cfg.OpBurst), tokensAt: mono(now), pinged: mono(now), watch: watches.Add(1)}
	if c.addr == "" {
		c.addr, _, _ = net.SplitHostPort(c.nc.RemoteAddr().String())
	}
	if sc, ok := c.nc.(syscall.Conn); ok {
		c.raw, _ = sc.SyscallConn()
	}
	refuse := func(code int, text string) {
		conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, text), time.Now().Add(writeWait))
		conn.Close()
	}
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		refuse(protocol.CloseRestart, "server restarting")
		return
	}
	if (h.cfg.MaxConnsPerUser >= 0 && h.perUser[user.ID] >= h.cfg.MaxConnsPerUser) ||
		(h.cfg.MaxConnsPerAddr >= 0 && h.perAddr[c.addr] >= h.cfg.MaxConnsPerAddr) {
		h.mu.Unlock()
		h.log.Warn("hub: connection cap reached", "user", user.Name, "addr", c.addr)
		refuse(protocol.CloseTooMany, "too many connections")
		return
	}
	h.conns[c] = struct{}{}
	h.perUser[user.ID]++
	h.perAddr[c.addr]++
	h.connsWG.Add(1)
	h.mu.Unlock()
	c.nc.SetReadDeadline(time.Time{})
	if h.poller != nil && h.poller.add(c) == nil {
		c.mu.Lock()
		c.polled = true
		stopped := c.readStopped
		c.mu.Unlock()
		if stopped { // finish ran meanwhile, maybe before add
			h.poller.remove(c)
		}
		return
	}
	c.mu.Lock()
	c.reading = true // for good: readLoop reads until the end
	c.mu.Unlock()
	go c.readLoop()
}

// send queues one delivery, the frames of parts in order, without
// blocking. A client that is not keeping up — SendQueue deliveries, or
// MaxQueueBytes, still waiting, or a delivery waiting for MaxQueueDelay
// because the writer is stuck in a write the peer does not read — is
// disconnected with CloseSlow (it will resume) rather than allowed to
// stall the room or pile up memory. The bytes and the age matter when the
// peer stops reading: the kernel's socket buffers take megabytes before a
// write blocks, and then every delivery waits behind it.
func (c *client) send(parts ...[][]byte) bool {
	ok, due := c.enqueue(parts)
	if due {
		c.flush()
	}
	return ok
}

// enqueue queues one delivery, the frames of parts in order, without
// writing it, or ends a client that is not keeping up (see send). It
// reports whether the client took the delivery and whether it is due: no
// writer runs, so somebody must call flush. The room queues a broadcast
// to every client first and then decides who writes it (deliverParts).
func (c *client) enqueue(parts [][][]byte) (ok, due bool) {
	n, frames := 0, 0
	for _, p := range parts {
		frames += len(p)
		for _, f := range p {
			n += len(f)
		}
	}
	now := mono(time.Now())
	c.mu.Lock()
	if c.closing {
		c.mu.Unlock()
		return false, false
	}
	cfg := &c.hub.cfg
	// The first delivery waiting does not count towards the bytes: one
	// large message (a snapshot welcome) is no sign of a slow client.
	if c.deliveries >= cfg.SendQueue || (c.deliveries > 0 && (c.outBytes-c.firstBytes+n > cfg.MaxQueueBytes || time.Duration(now-c.oldest) > cfg.MaxQueueDelay)) {
		c.mu.Unlock()
		c.closeWith(protocol.CloseSlow, "too slow: reconnect and resume")
		return false, false
	}
	// One allocation for a broadcast's frames, not one per doubling:
	// flush takes the queue away, so every broadcast starts an empty one.
	c.out = slices.Grow(c.out, frames)
	for _, p := range parts {
		c.out = append(c.out, p...)
	}
	if c.deliveries == 0 {
		c.oldest, c.firstBytes = now, n
	}
	c.deliveries++
	c.outBytes += n
	if c.raw == nil {
		c.startWriting()
	}
	due = !c.writing
	c.mu.Unlock()
	return true, due
}

// flush writes what is queued now, on the calling goroutine, as much as
// the socket takes without waiting — usually all of it, in one writev,
// however many deliveries are queued — and leaves the rest to writePump.
// If a writer runs already, it has the queue and flush does nothing.
// Writing on the caller's goroutine means a broadcast to hundreds of
// clients costs a writev each, not a goroutine each, and an idle
// connection's writes (presence) start no goroutine. The caller is the
// writer meanwhile (writing), so frames stay whole and in order.
func (c *client) flush() {
	c.mu.Lock()
	if c.writing || c.closing || len(c.out) == 0 {
		c.mu.Unlock()
		return
	}
	c.writing = true
	out, oldest := c.out, c.oldest
	c.out, c.deliveries, c.outBytes = nil, 0, 0
	c.mu.Unlock()
	c.nc.SetWriteDeadline(time.Time{}) // an expired one would fail the write
	rest, err := writeNow(c.raw, out)
	c.mu.Lock()
	switch {
	case err != nil:
		c.broken = true
		go c.writePump() // hands the writer's role on; it finishes once closing
		c.mu.Unlock()
		c.closeWith(websocket.CloseAbnormalClosure, "")
		return
	case len(rest) > 0:
		left := 0
		for _, f := range rest {
			left += len(f)
		}
		c.out = append(rest, c.out...)
		c.deliveries++
		c.outBytes += left
		c.oldest, c.firstBytes = oldest, left
		go c.writePump()
	case len(c.out) > 0 || c.pingDue || c.closing:
		go c.writePump()
	default:
		c.writing = false
	}
	c.mu.Unlock()
}

// startWriting starts writePump unless it is running. c.mu is held.
func (c *client) startWriting() {
	if !c.writing {
		c.writing = true
		go c.writePump()
	}
}

// ping has writePump send a ping; the hub's wheel calls it every
// pingPeriod.
func (c *client) ping() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closing {
		return
	}
	c.pingDue = true
	c.startWriting()
}

func (c *client) sendMsg(m protocol.Message) bool {
	f, err := encode(m)
	if err != nil {
		c.hub.log.Error("hub: encode message", "type", m.Type, "err", err)
		return false
	}
	return c.send([][]byte{f})
}

func (c *client) sendError(opID, code, text string) {
	c.send([][]byte{errorFrame(opID, code, text, nil, false)})
}

// closeWith ends the connection with a close code; writePump sends it.
func (c *client) closeWith(code int, text string) {
	c.mu.Lock()
	if !c.closing { // the first call decides
		c.closeCode, c.closeText = int32(code), text
		c.closing = true
		if c.done != nil {
			close(c.done)
		}
		c.startWriting()
	}
	c.mu.Unlock()
}

// handle acts on one message from the peer; if the connection must end,
// it says so with closeWith.
func (c *client) handle(data []byte) {
	m, err := protocol.Decode(data)
	if err != nil {
		var de *protocol.DecodeError
		if errors.As(err, &de) {
			c.sendError(opIDIn(data), de.Code, de.Message)
			return // the connection survives a bad message: nothing was applied
		}
		c.closeWith(protocol.CloseProtocol, "undecodable message")
		return
	}
	if c.story != nil {
		c.storyMessage(m)
		return
	}
	if c.room == nil && m.Type != protocol.TypeHello {
		c.sendError(opIDOf(m), protocol.CodeNoHello, "send hello before anything else")
		return
	}
	switch m.Type {
	case protocol.TypeHello:
		if c.room != nil {
			c.sendError("", protocol.CodeWrongDocument, "this connection is already on a document; open a new one")
			return
		}
		c.hello(m)
	case protocol.TypeOp:
		if !c.allowOp(time.Now()) {
			c.sendError(m.Op.ID, protocol.CodeRateLimited, "too many ops at once: slow down, then re-send")
			return
		}
		if (m.Op.Ann != nil && m.Op.Ann.Document != 0 && m.Op.Ann.Document != c.room.doc) ||
			(m.Op.Rel != nil && m.Op.Rel.Document != 0 && m.Op.Rel.Document != c.room.doc) ||
			(m.Doc != 0 && m.Doc != c.room.doc) {
			c.sendError(m.Op.ID, protocol.CodeWrongDocument, "the op names another document than this connection's")
			return
		}
		select {
		case c.room.inbox <- opReq{c: c, op: m.Op}:
		case <-c.room.quit:
			// Let the room finish its batch and send its acks first.
			<-c.room.stopped
			c.closeWith(protocol.CloseRestart, "server restarting")
		case <-c.doneChan(): // kept for the next op: a busy connection
		}
	case protocol.TypeSelect:
		select {
		case c.room.sel <- selReq{c: c, start: m.Start, end: m.End}:
		default: // presence is best effort
		}
	}
}

func opIDOf(m protocol.Message) string {
	if m.Op != nil {
		return m.Op.ID
	}
	return ""
}

// opIDIn digs the op ID out of a message that failed to decode, so that
// the client can match the refusal to its pending op instead of re-sending
// it forever. Only IDs that are valid are echoed.
func opIDIn(data []byte) string {
	var probe struct {
		Op struct {
			ID string `json:"id"`
		} `json:"op"`
	}
	if json.Unmarshal(data, &probe) != nil || !model.ValidID(probe.Op.ID) {
		return ""
	}
	return probe.Op.ID
}

// hello checks the protocol version and the user's membership of the
// document's project, then joins the room. It reports whether it joined;
// if not, the connection is closing.
func (c *client) hello(m protocol.Message) bool {
	if m.Proto != protocol.Version {
		c.sendError("", protocol.CodeProtoVersion, "this server speaks protocol 1; reload the page")
		c.closeWith(protocol.CloseProtocol, "unsupported protocol version")
		return false
	}
	ctx, cancel := context.WithTimeout(c.hub.ctx, 10*time.Second)
	defer cancel()
	// Rights as of now, not as of the upgrade: the epoch first, so that a
	// change after these checks moves it and the room checks again.
	epoch, err := c.hub.store.RightsEpoch(ctx)
	if err == nil {
		err = c.checkCredential(ctx)
	}
	if errors.Is(err, ErrRevoked) {
		c.sendError("", protocol.CodeForbidden, "your login or token is no longer valid")
		c.closeWith(protocol.CloseUnauthenticated, "log in again")
		return false
	}
	if err != nil {
		c.hub.log.Error("hub: hello: rights", "err", err)
		c.closeWith(protocol.CloseRestart, "try again")
		return false
	}
	c.checked = epoch
	if m.Story != 0 {
		return c.storyHello(ctx, m)
	}
	project, err := c.projectOf(ctx, m.Doc)
	if errors.Is(err, store.ErrNotFound) {
		c.sendError("", protocol.CodeNotFound, "no such document")
		c.closeWith(protocol.CloseNotFound, "no such document")
		return false
	}
	if err != nil {
		c.hub.log.Error("hub: hello: document", "doc", m.Doc, "err", err)
		c.closeWith(protocol.CloseRestart, "try again")
		return false
	}
	role, err := c.hub.store.Role(ctx, project, c.user.ID)
	if err != nil {
		// Not a member: say "forbidden" whether or not the document exists
		// elsewhere, and never send its text.
		c.sendError("", protocol.CodeForbidden, "you are not a member of this document's project")
		c.closeWith(protocol.CloseForbidden, "forbidden")
		return false
	}
	c.role = role
	if err := c.readView(ctx, project, m.Doc); err != nil {
		c.hub.log.Error("hub: hello: view", "doc", m.Doc, "err", err)
		c.closeWith(protocol.CloseRestart, "try again")
		return false
	}
	cancel() // its timer need not wait with the hello for the room
	r, err := c.hub.acquire(m.Doc)
	if err != nil {
		c.closeWith(protocol.CloseRestart, "server restarting")
		return false
	}
	c.hub.mu.Lock()
	if c.hub.rooms[m.Doc] == r {
		c.hub.projects[m.Doc] = project
	}
	c.hub.mu.Unlock()
	c.room = r
	c.lastRead.Store(time.Now().UnixNano())
	c.joined.Store(true) // from now on the wheel expects pongs
	defer c.dropDone()
	select {
	case r.join <- joinReq{c: c, epoch: m.Epoch, since: m.Since, compact: m.Compact}:
		return true
	case <-r.quit:
		c.closeWith(protocol.CloseRestart, "server restarting")
		return false
	case <-c.doneChan():
		return false
	}
}

// projectOf returns the project of a document. A document never moves
// to another project, nor goes, so while its room is open the project a
// hello found is known (Hub.projects), and a hello to an open room does
// not read the document, text and all, for it: in a burst of hellos to
// one document, that was a copy of its text (three, with the driver's)
// per connection.
func (c *client) projectOf(ctx context.Context, doc int64) (int64, error) {
	c.hub.mu.Lock()
	project, ok := c.hub.projects[doc]
	c.hub.mu.Unlock()
	if ok {
		return project, nil
	}
	d, err := c.hub.store.Document(ctx, doc)
	return d.ProjectID, err
}

// ServeOptions are what Serve knows of a connection besides its user.
type ServeOptions struct {
	// Credential re-checks the session or token the socket was opened
	// with; nil: nothing to re-check.
	Credential Credential
	// Addr is the client's address for the per-address cap; the
	// connection's remote host by default.
	Addr string
}

// allowOp takes a token from the op rate's bucket.
func (c *client) allowOp(now time.Time) bool {
	cfg := &c.hub.cfg
	if cfg.OpRate < 0 {
		return true
	}
	ns := mono(now)
	c.tokens = float32(min(float64(cfg.OpBurst), float64(c.tokens)+time.Duration(ns-c.tokensAt).Seconds()*cfg.OpRate))
	c.tokensAt = ns
	if c.tokens < 1 {
		return false
	}
	c.tokens--
	return true
}

// Credential re-checks a socket's credential (its session or API token):
// nil if it still stands, ErrRevoked if it is gone (logged out, expired,
// revoked, password changed), another error if that cannot be known now
// (the database is down): then nothing is decided.
type Credential func(ctx context.Context) error

// ErrRevoked is what a Credential returns for a credential that is gone.
var ErrRevoked = errors.New("hub: credential revoked")

func (c *client) checkCredential(ctx context.Context) error {
	if c.cred == nil {
		return nil
	}
	return c.cred(ctx)
}

func (c *client) isClosing() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closing
}

// writePump writes what is queued, and a ping if one is due, until
// nothing is left, and ends; send or the wheel's ping start it again. Once the
// connection is closing, it finishes (see finish) and is not started again.
//
// It writes data frames itself, straight to the network connection:
// everything queued goes out in one writev, where gorilla's WriteMessage
// would make a system call per message. Each write holds whole frames, so
// the pongs the reader writes cannot land inside one.
func (c *client) writePump() {
	var spare [][]byte
	for {
		c.mu.Lock()
		if c.closing { // takes priority: a slow client gets no more data
			broken := c.broken
			c.mu.Unlock()
			c.finish(broken)
			return
		}
		out, ping := c.out, c.pingDue
		if len(out) == 0 && !ping {
			c.writing = false
			c.mu.Unlock()
			return
		}
		c.out, c.deliveries, c.outBytes, c.pingDue = spare, 0, 0, false
		c.mu.Unlock()
		if err := c.write(out); err != nil {
			c.setBroken()
			c.closeWith(websocket.CloseAbnormalClosure, "")
			continue
		}
		clear(out)
		if spare = out[:0]; cap(spare) > 64 {
			spare = nil // a burst is over; do not keep its queue
		}
		if ping {
			if err := c.writeControl(websocket.PingMessage, nil); err != nil {
				c.setBroken()
				c.closeWith(websocket.CloseAbnormalClosure, "")
			}
		}
	}
}

func (c *client) setBroken() {
	c.mu.Lock()
	c.broken = true
	c.mu.Unlock()
}

// finish flushes what is queued (a final error message, acks before a
// restart) unless the peer is too slow to take it or the connection is
// broken, sends the close frame, gives the reader closeGrace to read the
// peer's answer, and closes the connection.
func (c *client) finish(broken bool) {
	c.mu.Lock()
	out := c.out
	c.out = nil
	c.mu.Unlock()
	var grace time.Duration
	code := int(c.closeCode)
	if !broken && code != websocket.CloseAbnormalClosure && (code == protocol.CloseSlow || c.write(out) == nil) {
		msg := websocket.FormatCloseMessage(code, c.closeText)
		if c.writeControl(websocket.CloseMessage, msg) == nil {
			grace = closeGrace
		}
	}
	if grace > 0 {
		t := time.NewTimer(grace)
		select {
		case <-c.readOver():
		case <-t.C:
		}
		t.Stop()
	}
	c.mu.Lock()
	c.readStopped = true
	reading := c.reading
	c.mu.Unlock()
	if c.hub.poller != nil {
		c.hub.poller.remove(c)
	}
	c.nc.Close() // a reader still in a read returns, and ends reading
	if !reading {
		c.endRead()
	}
	<-c.readOver()
}

// write writes frames in one go.
func (c *client) write(frames [][]byte) error {
	if len(frames) == 0 {
		return nil
	}
	c.nc.SetWriteDeadline(time.Now().Add(writeWait))
	bufs := net.Buffers(frames)
	_, err := bufs.WriteTo(c.nc)
	return err
}

// encode returns m as a websocket text frame, ready to write to any
// number of clients.
func encode(m protocol.Message) ([]byte, error) {
	data, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	return frame(data), nil
}

// encodeOp is encode of an op message, written by jsonenc.AppendOp when
// it can (most ops live sync broadcasts): every committed op is encoded
// once per batch, and encoding/json's reflection over Message was 8 % of
// the server's CPU under the saturating load.
func encodeOp(op *protocol.Op) ([]byte, error) {
	b := make([]byte, 0, 448)
	b = append(b, `{"type":"op","op":`...)
	if b, ok := jsonenc.AppendOp(b, *op); ok {
		return frame(append(b, '}')), nil
	}
	return encode(protocol.Message{Type: protocol.TypeOp, Op: op})
}

// encodeAck is encode of an ack message, without reflection.
func encodeAck(opID string, seq, version int64) []byte {
	b := make([]byte, 0, 96)
	b = append(b, `{"type":"ack"`...)
	if opID != "" {
		b = append(b, `,"opId":`...)
		b = jsonenc.AppendString(b, opID)
	}
	if seq != 0 {
		b = append(b, `,"seq":`...)
		b = strconv.AppendInt(b, seq, 10)
	}
	if version != 0 {
		b = append(b, `,"version":`...)
		b = strconv.AppendInt(b, version, 10)
	}
	return frame(append(b, '}'))
}

// frame puts a server-to-client (unmasked) text frame header before data
// (RFC 6455 section 5.2).
func frame(data []byte) []byte {
	return append(frameHeader(len(data), len(data)), data...)
}

// frameHeader returns the header of a text frame of n bytes, with room
// for extra bytes after it.
func frameHeader(n, extra int) []byte {
	var f []byte
	switch {
	case n < 126:
		f = make([]byte, 2, 2+extra)
		f[1] = byte(n)
	case n < 1<<16:
		f = make([]byte, 4, 4+extra)
		f[1] = 126
		f[2], f[3] = byte(n>>8), byte(n)
	default:
		f = make([]byte, 10, 10+extra)
		f[1] = 127
		for i := 0; i < 8; i++ {
			f[9-i] = byte(n >> (8 * i))
		}
	}
	f[0] = 0x80 | websocket.TextMessage // FIN, text
	return f
}

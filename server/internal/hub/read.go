package hub

import (
	"bufio"
	"encoding/binary"
	"errors"
	"io"
	"runtime/debug"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"gloss/shared/protocol"
)

// Reading. An idle connection holds no goroutine and no read buffer:
// the poller (poll_linux.go) watches its socket, and when the socket is
// readable a short-lived goroutine (readReady) borrows a buffered reader,
// reads and handles whole messages until nothing is buffered, returns the
// reader and asks the poller to watch again. Only one such goroutine runs
// per connection at a time (the poller's watch is one-shot and re-armed
// only when the goroutine is done), so messages are handled in order. Where
// there is no poller (another OS, a connection without a file descriptor),
// one goroutine per connection reads for the connection's life (readLoop).
//
// The frames are read here rather than by gorilla: gorilla's reader keeps
// its buffer and state for the connection's life, and whether it holds
// the start of the next message cannot be asked, which the poller must
// know before it waits.

// readers are the buffered readers connections borrow while reading.
// 1 KiB takes a few ops (≈ 200–400 bytes each) in one read; a larger
// payload is read past the buffer, straight into the message. (The pool
// keeps what a burst of readers used until the next collections: small
// buffers keep that small.)
var readers = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, 1024) }}

func putReader(br *bufio.Reader) {
	br.Reset(nil)
	readers.Put(br)
}

// readable is called by the poller when the socket has something to read
// (or has failed): it starts a reader unless one runs or reading is over.
func (c *client) readable() {
	c.mu.Lock()
	if c.readStopped || c.reading {
		c.mu.Unlock()
		return
	}
	c.reading = true
	c.mu.Unlock()
	if c.lastRead.Load() == 0 {
		// A hello: its store queries grow the stack, and a worker would
		// keep that stack for the next task and the burst's other hellos
		// would each grow another worker's.
		go c.readReady()
		return
	}
	goWork(c.readReady)
}

// readReady reads and handles messages until none is buffered, then
// hands the connection back to the poller.
func (c *client) readReady() {
	br := readers.Get().(*bufio.Reader)
	br.Reset(c.nc)
	more := true
	for more && br != nil {
		var msg []byte
		msg, more = c.readGuarded(br)
		if !more || br.Buffered() == 0 {
			// Nothing more to read now: the buffer goes back before the
			// message is handled, which may wait (a hello for the store
			// and its room, an op for room in the room's inbox).
			putReader(br)
			br = nil
		}
		if msg != nil && !c.handleGuarded(msg) {
			more = false
		}
	}
	if br != nil {
		putReader(br)
	}
	if !more {
		c.endRead()
		return
	}
	c.mu.Lock()
	c.reading = false
	stopped := c.readStopped
	c.mu.Unlock()
	if stopped || c.hub.poller.rearm(c) != nil {
		c.endRead()
	}
}

// readLoop is the reader of a connection the poller cannot watch.
func (c *client) readLoop() {
	br := bufio.NewReaderSize(c.nc, 512)
	for {
		msg, more := c.readGuarded(br)
		if !more || (msg != nil && !c.handleGuarded(msg)) {
			break
		}
	}
	c.endRead()
}

// readGuarded and handleGuarded are readMessage and handle that turn a
// panic on one connection's input into that connection's end: a bug that
// some message reaches must not take every other connection and the
// server with it. What was committed stays committed; the client
// reconnects and catches up. They report whether reading goes on.
func (c *client) readGuarded(br *bufio.Reader) (msg []byte, more bool) {
	defer c.recoverRead(&more)
	return c.readMessage(br)
}

func (c *client) handleGuarded(msg []byte) (more bool) {
	defer c.recoverRead(&more)
	c.handle(msg)
	return true
}

func (c *client) recoverRead(more *bool) {
	if r := recover(); r != nil {
		c.hub.log.Error("hub: panic reading a message; connection closed", "user", c.user.Name, "panic", r, "stack", string(debug.Stack()))
		c.closeWith(websocket.CloseInternalServerErr, "internal error")
		*more = false
	}
}

// endRead is what happens once reading is over: the client leaves its
// room and the hub, and the connection closes (if it is not closing
// already). It runs once, on whichever goroutine sees the end first;
// another that calls it returns at once (finish waits with readOver).
func (c *client) endRead() {
	if c.readEnd.Swap(true) {
		return
	}
	if c.room != nil {
		select {
		case c.room.leave <- c:
		case <-c.room.quit:
		}
		c.hub.release(c.room)
	}
	if c.story != nil {
		c.leaveStory()
	}
	c.closeWith(websocket.CloseNormalClosure, "")
	h := c.hub
	h.mu.Lock()
	delete(h.conns, c)
	if h.perUser[c.user.ID]--; h.perUser[c.user.ID] <= 0 {
		delete(h.perUser, c.user.ID)
	}
	if h.perAddr[c.addr]--; h.perAddr[c.addr] <= 0 {
		delete(h.perAddr, c.addr)
	}
	h.mu.Unlock()
	h.connsWG.Done()
	c.mu.Lock()
	c.readEnded = true
	if c.readDone != nil {
		close(c.readDone)
	}
	c.mu.Unlock()
}

// errFrame is a frame that breaks RFC 6455: the connection closes with
// CloseProtocolError.
var errFrame = errors.New("hub: bad websocket frame")

// readMessage reads one message (answering the control frames before and
// within it) and returns it for handle, and whether reading goes on. Once
// the connection is closing it drops messages (returns none) and stops
// at the peer's close frame: closing a socket with unread data resets it,
// and the reset can destroy our close frame before the peer reads it.
func (c *client) readMessage(br *bufio.Reader) ([]byte, bool) {
	var msg []byte
	started := false
	for {
		if !c.isClosing() {
			c.nc.SetReadDeadline(time.Now().Add(pongWait))
		}
		fin, op, payload, err := c.readFrame(br, len(msg))
		if err != nil {
			switch {
			case errors.Is(err, websocket.ErrReadLimit):
				c.closeWith(websocket.CloseMessageTooBig, "message too large")
			case errors.Is(err, errFrame):
				c.closeWith(websocket.CloseProtocolError, "bad frame")
			}
			return nil, false
		}
		c.lastRead.Store(time.Now().UnixNano())
		switch op {
		case websocket.CloseMessage:
			if !c.isClosing() {
				// The peer closes: echo its code, as RFC 6455 asks.
				code := websocket.CloseNoStatusReceived
				switch {
				case len(payload) == 1:
					code = websocket.CloseProtocolError
				case len(payload) >= 2:
					code = int(binary.BigEndian.Uint16(payload))
					if !validCloseCode(code) {
						code = websocket.CloseProtocolError
					}
				}
				c.closeWith(code, "")
			}
			return nil, false
		case websocket.PingMessage:
			// Queued, not written here: the writer alone writes, so
			// that a frame it left half written is finished first.
			c.send([][]byte{controlFrame(websocket.PongMessage, payload)})
			continue
		case websocket.PongMessage:
			continue
		case websocket.TextMessage, websocket.BinaryMessage:
			if started {
				return nil, c.badFrame()
			}
			started = true
		case 0: // continuation
			if !started {
				return nil, c.badFrame()
			}
		default:
			return nil, c.badFrame()
		}
		if msg == nil && fin {
			msg = payload // the common case: one frame, no copy
		} else {
			msg = append(msg, payload...)
		}
		if fin {
			break
		}
	}
	if c.isClosing() {
		return nil, true // closing: drop it, read on until the peer's close
	}
	return msg, true
}

// validCloseCode tells the codes a peer may send in a close frame (RFC
// 6455 section 7.4): anything else is a protocol error, never echoed.
func validCloseCode(code int) bool {
	switch {
	case code >= 1000 && code <= 1003, code >= 1007 && code <= 1014:
		return true
	case code >= 3000 && code <= 4999:
		return true
	}
	return false
}

func (c *client) badFrame() bool {
	c.closeWith(websocket.CloseProtocolError, "bad frame")
	return false
}

// readFrame reads one client-to-server frame (RFC 6455 section 5.2):
// masked, without extensions, control frames short and unfragmented, and
// the message so far (have bytes) within protocol.MaxMessage.
func (c *client) readFrame(br *bufio.Reader, have int) (fin bool, op int, payload []byte, err error) {
	var h [14]byte
	if _, err = io.ReadFull(br, h[:2]); err != nil {
		return
	}
	fin, op = h[0]&0x80 != 0, int(h[0]&0x0f)
	masked, n := h[1]&0x80 != 0, uint64(h[1]&0x7f)
	if h[0]&0x70 != 0 || !masked {
		err = errFrame
		return
	}
	control := op >= websocket.CloseMessage
	switch {
	case control && (n > 125 || !fin):
		err = errFrame
		return
	case n == 126:
		if _, err = io.ReadFull(br, h[2:4]); err != nil {
			return
		}
		n = uint64(binary.BigEndian.Uint16(h[2:4]))
	case n == 127:
		if _, err = io.ReadFull(br, h[2:10]); err != nil {
			return
		}
		n = binary.BigEndian.Uint64(h[2:10])
	}
	// n alone first: a 64-bit length plus what came before can wrap past
	// 2^64 to a small sum, and a length that passed would be allocated.
	if !control && (n > protocol.MaxMessage || n+uint64(have) > protocol.MaxMessage) {
		err = websocket.ErrReadLimit
		return
	}
	var key [4]byte
	if _, err = io.ReadFull(br, key[:]); err != nil {
		return
	}
	payload = make([]byte, n)
	if _, err = io.ReadFull(br, payload); err != nil {
		return
	}
	for i := range payload {
		payload[i] ^= key[i&3]
	}
	return
}

// writeControl writes a control frame (ping, close) in one write, so
// that it never lands inside a data frame; only the writer calls it.
func (c *client) writeControl(op int, payload []byte) error {
	c.nc.SetWriteDeadline(time.Now().Add(writeWait))
	_, err := c.nc.Write(controlFrame(op, payload))
	return err
}

// controlFrame returns a server-to-client control frame.
func controlFrame(op int, payload []byte) []byte {
	f := make([]byte, 2, 2+len(payload))
	f[0], f[1] = 0x80|byte(op), byte(len(payload))
	return append(f, payload...)
}

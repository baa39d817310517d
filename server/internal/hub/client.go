package hub

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"gloss/server/internal/store"
	"gloss/shared/model"
	"gloss/shared/protocol"
)

// Timing of a connection, as in gorilla's chat example.
const (
	writeWait  = 10 * time.Second    // time allowed to write one message
	pongWait   = 60 * time.Second    // time allowed between pongs from the peer
	pingPeriod = (pongWait * 9) / 10 // must be less than pongWait
	helloWait  = 15 * time.Second    // time allowed between upgrade and hello
)

// client is one websocket connection. readPump is the only reader of
// conn, writePump the only writer; send is the bounded queue between the
// room (and readPump's error replies) and writePump.
type client struct {
	hub  *Hub
	conn *websocket.Conn
	user model.User
	role model.Role
	room *room

	send chan []byte

	closeOnce sync.Once
	done      chan struct{} // closed when the connection must end
	closeCode int           // set before done is closed
	closeText string
}

// Serve runs a websocket connection for an authenticated user until it
// ends. The caller has upgraded the request and checked the session; the
// hello decides the document, and membership of its project is checked
// here, before any op.
func (h *Hub) Serve(conn *websocket.Conn, user model.User) {
	c := &client{hub: h, conn: conn, user: user, send: make(chan []byte, h.cfg.SendQueue), done: make(chan struct{})}
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(protocol.CloseRestart, "server restarting"), time.Now().Add(writeWait))
		conn.Close()
		return
	}
	h.wg.Add(1)
	h.mu.Unlock()
	defer h.wg.Done()
	go c.writePump()
	c.readPump()
}

// send queues data without blocking. A full queue means the peer is not
// keeping up: it is disconnected with CloseSlow (it will resume) rather
// than allowed to stall the room.
func (c *client) enqueue(data []byte) bool {
	select {
	case <-c.done:
		return false
	default:
	}
	select {
	case c.send <- data:
		return true
	default:
		c.closeWith(protocol.CloseSlow, "too slow: reconnect and resume")
		return false
	}
}

func (c *client) sendMsg(m protocol.Message) bool {
	data, err := json.Marshal(m)
	if err != nil {
		c.hub.log.Error("hub: encode message", "type", m.Type, "err", err)
		return false
	}
	return c.enqueue(data)
}

func (c *client) sendError(opID, code, text string) {
	c.enqueue(errorMsg(opID, code, text, nil, false))
}

// closeWith ends the connection with a close code; writePump sends it.
func (c *client) closeWith(code int, text string) {
	c.closeOnce.Do(func() {
		c.closeCode, c.closeText = code, text
		close(c.done)
	})
}

// readPump reads messages until the connection fails or must end, and
// hands hello, ops and selections to the room.
func (c *client) readPump() {
	defer func() {
		if c.room != nil {
			select {
			case c.room.leave <- c:
			case <-c.room.quit:
			}
			c.hub.release(c.room)
		}
		c.closeWith(websocket.CloseNormalClosure, "")
	}()
	c.conn.SetReadLimit(protocol.MaxMessage)
	c.conn.SetReadDeadline(time.Now().Add(helloWait))
	c.conn.SetPongHandler(func(string) error { return c.conn.SetReadDeadline(time.Now().Add(pongWait)) })
	for {
		_, data, err := c.conn.ReadMessage()
		if err != nil {
			if errors.Is(err, websocket.ErrReadLimit) {
				c.closeWith(websocket.CloseMessageTooBig, "message too large")
			}
			return
		}
		m, err := protocol.Decode(data)
		if err != nil {
			var de *protocol.DecodeError
			if errors.As(err, &de) {
				c.sendError("", de.Code, de.Message)
				continue // the connection survives a bad message: nothing was applied
			}
			return
		}
		if c.room == nil && m.Type != protocol.TypeHello {
			c.sendError(opIDOf(m), protocol.CodeNoHello, "send hello before anything else")
			continue
		}
		switch m.Type {
		case protocol.TypeHello:
			if c.room != nil {
				c.sendError("", protocol.CodeWrongDocument, "this connection is already on a document; open a new one")
				continue
			}
			if !c.hello(m) {
				return
			}
			c.conn.SetReadDeadline(time.Now().Add(pongWait))
		case protocol.TypeOp:
			if (m.Op.Ann != nil && m.Op.Ann.Document != 0 && m.Op.Ann.Document != c.room.doc) ||
				(m.Op.Rel != nil && m.Op.Rel.Document != 0 && m.Op.Rel.Document != c.room.doc) ||
				(m.Doc != 0 && m.Doc != c.room.doc) {
				c.sendError(m.Op.ID, protocol.CodeWrongDocument, "the op names another document than this connection's")
				continue
			}
			select {
			case c.room.inbox <- opReq{c: c, op: *m.Op}:
			case <-c.room.quit:
				return
			case <-c.done:
				return
			}
		case protocol.TypeSelect:
			select {
			case c.room.sel <- selReq{c: c, start: m.Start, end: m.End}:
			default: // presence is best effort
			}
		}
	}
}

func opIDOf(m protocol.Message) string {
	if m.Op != nil {
		return m.Op.ID
	}
	return ""
}

// hello checks the protocol version and the user's membership of the
// document's project, then joins the room. It reports whether the
// connection may go on.
func (c *client) hello(m protocol.Message) bool {
	if m.Proto != protocol.Version {
		c.sendError("", protocol.CodeProtoVersion, "this server speaks protocol 1; reload the page")
		c.closeWith(protocol.CloseProtocol, "unsupported protocol version")
		return false
	}
	ctx, cancel := context.WithTimeout(c.hub.ctx, 10*time.Second)
	defer cancel()
	doc, err := c.hub.store.Document(ctx, m.Doc)
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
	role, err := c.hub.store.Role(ctx, doc.ProjectID, c.user.ID)
	if err != nil {
		// Not a member: say "forbidden" whether or not the document exists
		// elsewhere, and never send its text.
		c.sendError("", protocol.CodeForbidden, "you are not a member of this document's project")
		c.closeWith(protocol.CloseForbidden, "forbidden")
		return false
	}
	c.role = role
	r, err := c.hub.acquire(m.Doc)
	if err != nil {
		c.closeWith(protocol.CloseRestart, "server restarting")
		return false
	}
	c.room = r
	select {
	case r.join <- joinReq{c: c, epoch: m.Epoch, since: m.Since}:
		return true
	case <-r.quit:
		return false
	case <-c.done:
		return false
	}
}

// writePump writes queued messages and pings until the connection ends,
// then sends the close frame.
func (c *client) writePump() {
	ticker := time.NewTicker(pingPeriod)
	defer func() {
		ticker.Stop()
		c.conn.Close()
	}()
	for {
		select {
		case data := <-c.send:
			c.conn.SetWriteDeadline(time.Now().Add(writeWait))
			if err := c.conn.WriteMessage(websocket.TextMessage, data); err != nil {
				c.closeWith(websocket.CloseAbnormalClosure, "")
				return
			}
		case <-ticker.C:
			c.conn.SetWriteDeadline(time.Now().Add(writeWait))
			if err := c.conn.WriteMessage(websocket.PingMessage, nil); err != nil {
				c.closeWith(websocket.CloseAbnormalClosure, "")
				return
			}
		case <-c.done:
			// Flush what is queued (a final error message, say) unless
			// the reason is that the peer is too slow to take it.
			if c.closeCode != protocol.CloseSlow {
			flush:
				for {
					select {
					case data := <-c.send:
						c.conn.SetWriteDeadline(time.Now().Add(writeWait))
						if c.conn.WriteMessage(websocket.TextMessage, data) != nil {
							break flush
						}
					default:
						break flush
					}
				}
			}
			if c.closeCode != websocket.CloseAbnormalClosure {
				c.conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(c.closeCode, c.closeText), time.Now().Add(writeWait))
			}
			return
		}
	}
}

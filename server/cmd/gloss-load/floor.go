package main

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"strconv"

	"github.com/gorilla/websocket"
)

// The floor is what live sync would cost with nothing but a broadcast: a
// bare gorilla websocket hub as in gorilla's chat example (one hub
// goroutine, a buffered channel and a write pump per connection, no store,
// no state), speaking just enough of Gloss's protocol for the same load
// clients: hello → welcome, op → the op to every client of the document
// and an ack to its sender. It runs as its own process (`gloss-load floor`),
// pinned like the server, so that the ratios compare like with like.

type floorClient struct {
	conn *websocket.Conn
	send chan []byte
	doc  string
}

type floorMsg struct {
	from *floorClient
	data []byte
}

type floorHub struct {
	join  chan *floorClient
	leave chan *floorClient
	in    chan floorMsg
	docs  map[string]map[*floorClient]bool
	seq   int64
}

func runFloor(addr string) error {
	h := &floorHub{join: make(chan *floorClient), leave: make(chan *floorClient), in: make(chan floorMsg, 256),
		docs: map[string]map[*floorClient]bool{}}
	go h.run()
	up := websocket.Upgrader{ReadBufferSize: 1024, WriteBufferSize: 1024}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {})
	mux.HandleFunc("GET /ws", func(w http.ResponseWriter, r *http.Request) {
		conn, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		c := &floorClient{conn: conn, send: make(chan []byte, 256)}
		go c.writePump()
		go c.readPump(h)
	})
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	fmt.Println("listening", ln.Addr())
	return http.Serve(ln, mux)
}

func (h *floorHub) run() {
	for {
		select {
		case c := <-h.join:
			if h.docs[c.doc] == nil {
				h.docs[c.doc] = map[*floorClient]bool{}
			}
			h.docs[c.doc][c] = true
		case c := <-h.leave:
			if h.docs[c.doc][c] {
				delete(h.docs[c.doc], c)
				close(c.send)
			}
		case m := <-h.in:
			h.seq++
			id := opID(m.data, []byte(`{"type":"op","op":{"id":"`))
			for c := range h.docs[m.from.doc] {
				select {
				case c.send <- m.data:
				default:
					delete(h.docs[c.doc], c)
					close(c.send)
				}
			}
			if h.docs[m.from.doc][m.from] {
				select {
				case m.from.send <- []byte(`{"type":"ack","opId":"` + id + `","seq":` + strconv.FormatInt(h.seq, 10) + `,"version":1}`):
				default:
				}
			}
		}
	}
}

func (c *floorClient) readPump(h *floorHub) {
	defer func() { h.leave <- c; c.conn.Close() }()
	for {
		_, data, err := c.conn.ReadMessage()
		if err != nil {
			return
		}
		switch {
		case bytes.HasPrefix(data, []byte(`{"type":"hello"`)):
			// The document is the hello's "doc" number.
			i := bytes.Index(data, []byte(`"doc":`))
			if i < 0 {
				return
			}
			j := i + 6
			for j < len(data) && data[j] >= '0' && data[j] <= '9' {
				j++
			}
			c.doc = string(data[i+6 : j])
			h.join <- c
			c.send <- []byte(`{"type":"welcome","doc":` + c.doc + `}`)
		case bytes.HasPrefix(data, []byte(`{"type":"op"`)):
			h.in <- floorMsg{c, data}
		}
	}
}

func (c *floorClient) writePump() {
	for m := range c.send {
		if err := c.conn.WriteMessage(websocket.TextMessage, m); err != nil {
			break
		}
	}
	c.conn.Close()
}

// opID returns what follows prefix in msg up to the next quote.
func opID(msg, prefix []byte) string {
	if !bytes.HasPrefix(msg, prefix) {
		return ""
	}
	rest := msg[len(prefix):]
	if end := bytes.IndexByte(rest, '"'); end >= 0 {
		return string(rest[:end])
	}
	return ""
}

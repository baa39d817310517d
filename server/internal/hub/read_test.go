package hub_test

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"testing"

	"github.com/gorilla/websocket"

	"gloss/server/internal/hub"
	"gloss/server/internal/synctest"
	"gloss/shared/model"
	"gloss/shared/protocol"
)

// clientFrame returns a masked client-to-server frame (RFC 6455 5.2).
func clientFrame(fin bool, op int, payload []byte) []byte {
	b0 := byte(op)
	if fin {
		b0 |= 0x80
	}
	f := []byte{b0}
	switch n := len(payload); {
	case n < 126:
		f = append(f, 0x80|byte(n))
	case n < 1<<16:
		f = append(f, 0x80|126, byte(n>>8), byte(n))
	default:
		f = append(f, 0x80|127)
		f = binary.BigEndian.AppendUint64(f, uint64(n))
	}
	key := [4]byte{0x12, 0x34, 0x56, 0x78}
	f = append(f, key[:]...)
	for i, b := range payload {
		f = append(f, b^key[i&3])
	}
	return f
}

// TestRawFrames, with the poller and with a reading goroutine per
// connection, writes frames to the server's reader byte by byte as a
// browser may send them, and checks what it makes of them: several
// messages in one write, a message fragmented around a ping, a frame cut
// in two writes, and frames that break the protocol.
func TestRawFrames(t *testing.T) {
	for _, perConn := range []bool{false, true} {
		t.Run(fmt.Sprintf("reader per connection %v", perConn), func(t *testing.T) {
			rawFrames(t, synctest.NewServer(t, synctest.Options{Hub: hub.Config{ReaderPerConn: perConn}}))
		})
	}
}

func rawFrames(t *testing.T, s *synctest.Server) {
	s.AddUser("alice", model.RoleAnnotator)
	text, doc := s.Doc.Text, s.Doc.ID
	op := func(id string, start int) []byte {
		return raw(synctest.Add(id, id, "claim", text, start, start+3))
	}
	helloFrame := clientFrame(true, websocket.TextMessage, raw(hello(doc)))
	cases := []struct {
		name   string
		writes [][]byte // each written in one go
		ackOf  string   // the op whose ack must come, or
		closed int      // the close code that must come
	}{
		{"hello and op in one write", [][]byte{append(helloFrame, clientFrame(true, websocket.TextMessage, op("one", 0))...)}, "one", 0},
		{"fragmented around a ping", func() [][]byte {
			m := op("two", 4)
			return [][]byte{helloFrame, bytes.Join([][]byte{
				clientFrame(false, websocket.TextMessage, m[:10]),
				clientFrame(true, websocket.PingMessage, []byte("hi")),
				clientFrame(false, 0, m[10:20]),
				clientFrame(true, 0, m[20:]),
			}, nil)}
		}(), "two", 0},
		{"frame cut in two writes", func() [][]byte {
			f := clientFrame(true, websocket.TextMessage, op("three", 8))
			return [][]byte{helloFrame, f[:7], f[7:]}
		}(), "three", 0},
		{"unmasked frame", [][]byte{helloFrame, {0x81, 0x02, '{', '}'}}, "", websocket.CloseProtocolError},
		{"continuation first", [][]byte{helloFrame, clientFrame(true, 0, []byte("{}"))}, "", websocket.CloseProtocolError},
		{"reserved close code", [][]byte{helloFrame, clientFrame(true, websocket.CloseMessage, []byte{0x03, 0xed})}, "", websocket.CloseProtocolError}, // 1005 may not be sent
		{"close code echoed", [][]byte{helloFrame, clientFrame(true, websocket.CloseMessage, []byte{0x0f, 0xa1, 'b', 'y'})}, "", 4001},
		{"too large", [][]byte{helloFrame, clientFrame(true, websocket.TextMessage, make([]byte, protocol.MaxMessage+1))}, "", websocket.CloseMessageTooBig},
		// A continuation whose 64-bit length, added to what came before,
		// wraps past 2^64 to a small number: refused, not allocated.
		{"length that wraps", [][]byte{helloFrame, append(clientFrame(false, websocket.TextMessage, []byte("{}")),
			0x80, 0x80|127, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4)}, "", websocket.CloseMessageTooBig},
		{"length with the top bit set", [][]byte{helloFrame, {0x81, 0x80 | 127, 0x80, 0, 0, 0, 0, 0, 0, 1}}, "", websocket.CloseMessageTooBig},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := dial(t, s.URL("alice"), nil)
			for _, w := range tc.writes {
				if _, err := c.Conn.NetConn().Write(w); err != nil {
					t.Fatal(err)
				}
			}
			if tc.closed != 0 {
				code, err := c.AwaitClose(wait)
				if err != nil || code != tc.closed {
					t.Fatalf("close code %d (%v), want %d", code, err, tc.closed)
				}
				return
			}
			r := await(t, c, "answer to "+tc.ackOf, func(r protocol.Message) bool {
				return (r.Type == protocol.TypeAck || r.Type == protocol.TypeError) && r.OpID == tc.ackOf
			})
			if r.Type != protocol.TypeAck {
				t.Fatalf("got %s %s (%s), want ack", r.Type, r.Code, r.Text)
			}
		})
	}
}

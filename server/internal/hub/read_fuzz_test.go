package hub

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/gorilla/websocket"

	"gloss/shared/protocol"
)

// FuzzReadFrame feeds arbitrary bytes to the frame reader, which sees
// whatever a peer sends before anything else checks it: it must never
// panic, never return more than the message limit allows, and either
// read a frame or say why not.
func FuzzReadFrame(f *testing.F) {
	f.Add([]byte{0x81, 0x82, 1, 2, 3, 4, 'a' ^ 1, 'b' ^ 2}, 0)
	f.Add([]byte{0x00, 0x80 | 127, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4}, 2)
	f.Add([]byte{0x89, 0x80 | 126, 0, 200, 1, 2, 3, 4}, 0)
	f.Add([]byte{0x81, 0x02, '{', '}'}, 0)
	f.Fuzz(func(t *testing.T, data []byte, have int) {
		if have < 0 || have > protocol.MaxMessage {
			return
		}
		var c client
		_, op, payload, err := c.readFrame(bufio.NewReader(bytes.NewReader(data)), have)
		switch {
		case err == nil:
			if op < websocket.CloseMessage && len(payload)+have > protocol.MaxMessage {
				t.Fatalf("data frame of %d bytes after %d accepted", len(payload), have)
			}
			if op >= websocket.CloseMessage && len(payload) > 125 {
				t.Fatalf("control frame of %d bytes accepted", len(payload))
			}
		case errors.Is(err, errFrame), errors.Is(err, websocket.ErrReadLimit),
			errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		default:
			t.Fatalf("unexpected error %v", err)
		}
	})
}

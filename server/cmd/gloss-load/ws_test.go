package main

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// serverFrame is a frame as a server sends it: unmasked.
func serverFrame(fin bool, op byte, p []byte) []byte {
	b0 := op
	if fin {
		b0 |= 0x80
	}
	b := []byte{b0}
	switch n := len(p); {
	case n < 126:
		b = append(b, byte(n))
	case n <= 0xffff:
		b = append(b, 126)
		b = binary.BigEndian.AppendUint16(b, uint16(n))
	default:
		b = append(b, 127)
		b = binary.BigEndian.AppendUint64(b, uint64(n))
	}
	return append(b, p...)
}

// chunks is a reader that returns its chunks one read each: a stream as
// the socket delivers it, cut anywhere.
type chunks struct{ cs [][]byte }

func (r *chunks) Read(p []byte) (int, error) {
	if len(r.cs) == 0 {
		return 0, io.EOF
	}
	n := copy(p, r.cs[0])
	if r.cs[0] = r.cs[0][n:]; len(r.cs[0]) == 0 {
		r.cs = r.cs[1:]
	}
	return n, nil
}

// cut splits b at the given offsets.
func cut(b []byte, at ...int) [][]byte {
	var cs [][]byte
	last := 0
	for _, a := range at {
		cs = append(cs, b[last:a])
		last = a
	}
	return append(cs, b[last:])
}

type got struct {
	op byte
	p  string
}

// TestFrameReader reads streams of server frames, cut across reads in
// every way that matters, and checks the messages and control frames
// that come out, and the error that ends the stream.
func TestFrameReader(t *testing.T) {
	big16 := strings.Repeat("m", 300)    // a 16-bit length
	big64 := strings.Repeat("L", 70000)  // a 64-bit length, larger than the first buffer
	huge := strings.Repeat("H", 600<<10) // larger than the largest read buffer
	frag := func(fin bool, op byte, s string) []byte { return serverFrame(fin, op, []byte(s)) }
	cat := func(bs ...[]byte) []byte { return bytes.Join(bs, nil) }
	three := cat(frag(true, opText, "a"), frag(true, opBinary, "bc"), frag(true, opText, ""))
	fragmented := cat(frag(false, opText, "he"), frag(false, opContinuation, "ll"), frag(true, opContinuation, "o"))
	interleaved := cat(frag(false, opBinary, "x"), frag(true, opPing, "p1"), frag(false, opContinuation, "y"),
		frag(true, opPong, ""), frag(true, opContinuation, "z"), frag(true, opText, "after"))
	withClose := cat(frag(true, opText, "last"), frag(true, opClose, "\x03\xe8bye"), frag(true, opText, "never read"))
	lengths := cat(frag(true, opText, big16), frag(true, opBinary, big64), frag(true, opText, "small"))

	for _, tc := range []struct {
		name    string
		reads   [][]byte
		want    []got
		wantErr error
	}{
		{"one read, three messages", [][]byte{three}, []got{{opText, "a"}, {opBinary, "bc"}, {opText, ""}}, io.EOF},
		{"a byte a read", cut(three, 1, 2, 3, 4, 5, 6, 7, 8), []got{{opText, "a"}, {opBinary, "bc"}, {opText, ""}}, io.EOF},
		{"split in the header", cut(lengths, 1, 3, 303, 306, 310), []got{{opText, big16}, {opBinary, big64}, {opText, "small"}}, io.EOF},
		{"split in the payload", cut(lengths, 100, 5000, 70100), []got{{opText, big16}, {opBinary, big64}, {opText, "small"}}, io.EOF},
		{"16- and 64-bit lengths in one read", [][]byte{lengths}, []got{{opText, big16}, {opBinary, big64}, {opText, "small"}}, io.EOF},
		{"fragmented", [][]byte{fragmented}, []got{{opText, "hello"}}, io.EOF},
		{"fragmented, cut everywhere", cut(fragmented, 1, 3, 4, 5, 6, 7, 8, 9, 10), []got{{opText, "hello"}}, io.EOF},
		{"control frames between fragments", cut(interleaved, 4, 9), []got{{opPing, "p1"}, {opPong, ""}, {opBinary, "xyz"}, {opText, "after"}}, io.EOF},
		{"close", [][]byte{withClose}, []got{{opText, "last"}, {opClose, "\x03\xe8bye"}, {opText, "never read"}}, io.EOF},
		{"larger than the largest buffer", cut(frag(true, opBinary, huge), 2, 9, 1000), []got{{opBinary, huge}}, io.EOF},
		{"ends inside a frame", [][]byte{frag(true, opText, "cut short")[:6]}, nil, io.EOF},
		{"masked", [][]byte{{0x81, 0x81, 1, 2, 3, 4, 'a'}}, nil, errProtocol},
		{"reserved bit", [][]byte{{0xc1, 1, 'a'}}, nil, errProtocol},
		{"unknown opcode", [][]byte{frag(true, 0x3, "x")}, nil, errProtocol},
		{"continuation without a start", [][]byte{frag(true, opContinuation, "x")}, nil, errProtocol},
		{"new message inside a fragmented one", [][]byte{cat(frag(false, opText, "a"), frag(true, opText, "b"))}, nil, errProtocol},
		{"fragmented ping", [][]byte{frag(false, opPing, "p")}, nil, errProtocol},
		{"too large", [][]byte{{0x82, 127, 0, 0, 0, 0, 0x10, 0, 0, 0}}, nil, errFrameTooLarge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fr := newFrameReader(&chunks{tc.reads})
			var msgs []got
			var err error
			for {
				var op byte
				var p []byte
				if op, p, err = fr.next(); err != nil {
					break
				}
				msgs = append(msgs, got{op, string(p)})
			}
			if len(msgs) != len(tc.want) {
				t.Fatalf("%d messages, want %d", len(msgs), len(tc.want))
			}
			for i := range msgs {
				if msgs[i].op != tc.want[i].op || msgs[i].p != tc.want[i].p {
					t.Errorf("message %d: op %d, %d bytes %.20q…; want op %d, %d bytes %.20q…", i, msgs[i].op, len(msgs[i].p), msgs[i].p, tc.want[i].op, len(tc.want[i].p), tc.want[i].p)
				}
			}
			if !errors.Is(err, tc.wantErr) {
				t.Errorf("ended with %v, want %v", err, tc.wantErr)
			}
		})
	}
}

// TestWSConn runs the client against gorilla's server: the upgrade, bytes
// the server sends right after the 101 (in the same read as the
// response), masked frames of every length class both ways, a ping
// answered by a pong, and the close.
func TestWSConn(t *testing.T) {
	sizes := []int{0, 5, 125, 126, 300, 65535, 65536, 200000}
	pong := make(chan string, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer tok" {
			http.Error(w, "no token", http.StatusUnauthorized)
			return
		}
		up := websocket.Upgrader{}
		conn, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer conn.Close()
		pinged := make(chan struct{})
		conn.SetPongHandler(func(s string) error { pong <- s; close(pinged); return nil })
		conn.WriteMessage(websocket.TextMessage, []byte("early")) // before the client writes
		for range sizes {
			typ, p, err := conn.ReadMessage()
			if err != nil {
				return
			}
			conn.WriteMessage(typ, p)
		}
		conn.WriteControl(websocket.PingMessage, []byte("are you there"), time.Now().Add(time.Second))
		conn.WriteMessage(websocket.BinaryMessage, []byte("after the ping"))
		read := make(chan error)
		go func() { // the pong goes to the handler; the close answer ends the read
			_, _, err := conn.ReadMessage()
			read <- err
		}()
		<-pinged
		conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, "bye"), time.Now().Add(time.Second))
		if err := <-read; !websocket.IsCloseError(err, websocket.CloseNormalClosure) {
			t.Errorf("server: the client's close answer: %v", err)
		}
	}))
	defer srv.Close()
	addr := strings.TrimPrefix(srv.URL, "http://")

	if _, err := dialWS(addr, "/", nil, 5*time.Second); err == nil || !strings.Contains(err.Error(), "401") {
		t.Errorf("dial without the token: %v, want the 401", err)
	}
	c, err := dialWS(addr, "/", http.Header{"Authorization": {"Bearer tok"}}, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	expect := func(want string) {
		t.Helper()
		msg, at, err := c.next()
		if err != nil || string(msg) != want || at == 0 {
			t.Fatalf("read %d bytes %.20q… at %d, %v; want %d bytes %.20q…", len(msg), msg, at, err, len(want), want)
		}
	}
	expect("early")
	for i, n := range sizes {
		p := strings.Repeat(string(rune('a'+i)), n)
		op := byte(opText)
		if i%2 == 1 {
			op = opBinary
		}
		if err := c.write(op, []byte(p)); err != nil {
			t.Fatal(err)
		}
		expect(p)
	}
	expect("after the ping")
	if s := <-pong; s != "are you there" {
		t.Errorf("pong %q", s)
	}
	if _, _, err := c.next(); !errors.Is(err, errClosed) {
		t.Errorf("after the close frame: %v, want errClosed", err)
	}
}

// TestWSConnEarlyBytes has a server send its first frames in the same
// write as the 101 response: the client's HTTP reader holds them, and
// they must not be lost.
func TestWSConnEarlyBytes(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		nc, err := ln.Accept()
		if err != nil {
			return
		}
		defer nc.Close()
		req, err := http.ReadRequest(bufio.NewReader(nc))
		if err != nil {
			return
		}
		resp := "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: " +
			acceptKey(req.Header.Get("Sec-WebSocket-Key")) + "\r\n\r\n"
		out := append([]byte(resp), serverFrame(true, opText, []byte("first"))...)
		out = append(out, serverFrame(false, opText, []byte("sec"))...)
		nc.Write(out)
		nc.Write(serverFrame(true, opContinuation, []byte("ond")))
		io.Copy(io.Discard, nc)
	}()
	c, err := dialWS(ln.Addr().String(), "/", nil, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.nc.SetReadDeadline(time.Now().Add(5 * time.Second)) // lost bytes fail the test, not hang it
	for _, want := range []string{"first", "second"} {
		if msg, _, err := c.next(); err != nil || string(msg) != want {
			t.Fatalf("read %q, %v; want %q", msg, err, want)
		}
	}
}

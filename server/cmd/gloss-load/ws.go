package main

import (
	"bufio"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/bits"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// The load clients speak websocket themselves (RFC 6455, client side, no
// extensions) rather than through gorilla's Conn: a server at saturation
// sends every client hundreds of thousands of messages a second, and
// gorilla reads each one through NextReader and several small Reads,
// which cost the tool more CPU than the servers it measures could spare
// on a shared machine. wsConn reads the stream in large chunks and cuts
// the messages out of them in place, without allocating.

// Websocket opcodes (RFC 6455 §5.2).
const (
	opContinuation = 0x0
	opText         = 0x1
	opBinary       = 0x2
	opClose        = 0x8
	opPing         = 0x9
	opPong         = 0xa
)

const (
	readBufMin     = 16 << 10  // a client's first read buffer
	readBufMax     = 256 << 10 // how far it grows when reads fill it
	maxMessageSize = 64 << 20  // a larger frame or message is a broken stream
)

var (
	errFrameTooLarge = errors.New("websocket: message too large")
	errProtocol      = errors.New("websocket: protocol error")
	errClosed        = errors.New("websocket: closed by the server")
)

// wsConn is a client websocket connection. One goroutine reads (next);
// writes, from any goroutine, are serialized by wmu.
type wsConn struct {
	nc net.Conn
	io io.ReadWriter // nc's raw reads and writes (rawio_linux.go)
	fr *frameReader

	wmu  sync.Mutex
	wbuf []byte
}

// dialWS opens a websocket to ws://addr+path with the extra header h. It
// does the HTTP upgrade itself, on the bufio.Reader whose bytes past the
// 101 response (the server may send at once) become the frame reader's
// first.
func dialWS(addr, path string, h http.Header, timeout time.Duration) (*wsConn, error) {
	nc, err := net.DialTimeout("tcp", addr, timeout)
	if err != nil {
		return nil, fmt.Errorf("websocket dial %s: %w", addr, err)
	}
	c, err := handshake(nc, addr, path, h, timeout)
	if err != nil {
		nc.Close()
		return nil, fmt.Errorf("websocket dial %s%s: %w", addr, path, err)
	}
	return c, nil
}

func handshake(nc net.Conn, host, path string, h http.Header, timeout time.Duration) (*wsConn, error) {
	nc.SetDeadline(time.Now().Add(timeout))
	var nonce [16]byte
	rand.Read(nonce[:])
	key := base64.StdEncoding.EncodeToString(nonce[:])
	var req strings.Builder
	fmt.Fprintf(&req, "GET %s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n", path, host, key)
	h.Write(&req)
	req.WriteString("\r\n")
	if _, err := io.WriteString(nc, req.String()); err != nil {
		return nil, err
	}
	br := bufio.NewReaderSize(nc, readBufMin)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		return nil, fmt.Errorf("read the upgrade response: %w", err)
	}
	if resp.StatusCode != http.StatusSwitchingProtocols {
		return nil, fmt.Errorf("upgrade refused: %s", resp.Status)
	}
	if !strings.EqualFold(resp.Header.Get("Upgrade"), "websocket") || resp.Header.Get("Sec-WebSocket-Accept") != acceptKey(key) {
		return nil, fmt.Errorf("bad upgrade response (Upgrade %q, Sec-WebSocket-Accept %q)", resp.Header.Get("Upgrade"), resp.Header.Get("Sec-WebSocket-Accept"))
	}
	nc.SetDeadline(time.Time{})
	rw := newRawIO(nc)
	fr := newFrameReader(rw)
	if n := br.Buffered(); n > 0 {
		early, _ := br.Peek(n)
		fr.preload(early)
	}
	return &wsConn{nc: nc, io: rw, fr: fr}, nil
}

func acceptKey(key string) string {
	sum := sha1.Sum([]byte(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))
	return base64.StdEncoding.EncodeToString(sum[:])
}

// write sends p as one masked frame of opcode op (client frames must be
// masked, RFC 6455 §5.3) in one write call.
func (c *wsConn) write(op byte, p []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.wbuf = appendFrame(c.wbuf[:0], op, p, mrand.Uint32())
	_, err := c.io.Write(c.wbuf)
	return err
}

// appendFrame appends a final, masked frame with mask key mask.
func appendFrame(b []byte, op byte, p []byte, mask uint32) []byte {
	b = append(b, 0x80|op)
	switch n := len(p); {
	case n < 126:
		b = append(b, 0x80|byte(n))
	case n <= 0xffff:
		b = append(b, 0x80|126)
		b = binary.BigEndian.AppendUint16(b, uint16(n))
	default:
		b = append(b, 0x80|127)
		b = binary.BigEndian.AppendUint64(b, uint64(n))
	}
	b = binary.BigEndian.AppendUint32(b, mask)
	start := len(b)
	b = append(b, p...)
	var key [4]byte
	binary.BigEndian.PutUint32(key[:], mask)
	for i := range b[start:] {
		b[start+i] ^= key[i&3]
	}
	return b
}

// next returns the next text or binary message, valid until the next
// call, and the time (unix ns) of the read that completed it. It answers
// pings and a close (after which it returns errClosed).
func (c *wsConn) next() (msg []byte, at int64, err error) {
	for {
		op, p, err := c.fr.next()
		if err != nil {
			return nil, 0, err
		}
		switch op {
		case opText, opBinary:
			return p, c.fr.now, nil
		case opPing:
			if err := c.write(opPong, p); err != nil {
				return nil, 0, err
			}
		case opClose:
			code := p
			if len(code) > 2 {
				code = code[:2]
			}
			c.write(opClose, code)
			return nil, 0, errClosed
		}
	}
}

func (c *wsConn) Close() error { return c.nc.Close() }

// frameReader cuts server→client frames (unmasked) out of large reads
// from r: a frame may end in a later read, and a read may hold many
// frames. Fragmented messages are put together; control frames (which may
// come between fragments) are returned as they come.
type frameReader struct {
	r          io.Reader
	buf        []byte
	start, end int   // unread bytes: buf[start:end]
	now        int64 // unix ns of the last read from r

	full  bool         // the last read filled the buffer
	reads atomic.Int64 // reads from r: what the tool's cost per read is
	// idle, if set, is called before each read from r: the reader has
	// taken everything that came, and may publish what it counted.
	idle func()

	frag   []byte // a fragmented message so far
	fragOp byte   // its opcode, 0 when none is under way
}

func newFrameReader(r io.Reader) *frameReader { return &frameReader{r: r} }

// preload puts bytes already read from the connection before any others.
func (f *frameReader) preload(p []byte) {
	f.buf = append(make([]byte, 0, max(readBufMin, len(p))), p...)
	f.buf = f.buf[:cap(f.buf)]
	f.end = len(p)
	f.now = time.Now().UnixNano()
}

// next returns the next whole message (text or binary, its fragments put
// together) or control frame, and its opcode. The payload is valid until
// the next call.
func (f *frameReader) next() (op byte, payload []byte, err error) {
	for {
		fr, size, err := parseFrame(f.buf[f.start:f.end])
		if err != nil {
			return 0, nil, err
		}
		if size == 0 || size > f.end-f.start { // the frame is not whole yet
			if err := f.fill(size); err != nil {
				return 0, nil, err
			}
			continue
		}
		f.start += size
		switch op, p := fr.op, fr.payload; {
		case op >= opClose: // control frames are never fragmented
			if !fr.fin || len(p) > 125 {
				return 0, nil, errProtocol
			}
			return op, p, nil
		case op == opContinuation:
			if f.fragOp == 0 {
				return 0, nil, errProtocol
			}
			if len(f.frag)+len(p) > maxMessageSize {
				return 0, nil, errFrameTooLarge
			}
			f.frag = append(f.frag, p...)
			if fr.fin {
				op, f.fragOp = f.fragOp, 0
				return op, f.frag, nil
			}
		case op == opText || op == opBinary:
			if f.fragOp != 0 {
				return 0, nil, errProtocol
			}
			if fr.fin {
				return op, p, nil
			}
			f.fragOp, f.frag = op, append(f.frag[:0], p...)
		default:
			return 0, nil, errProtocol
		}
	}
}

// fill reads more from r after the unread bytes, making room first: the
// unread bytes move to the front, and the buffer grows when the frame
// under way (size: its whole length, 0 when not known yet) does not fit
// or the last read filled the buffer (the server sends faster than one
// buffer a read).
func (f *frameReader) fill(size int) error {
	want := max(readBufMin, size)
	if f.full {
		want = max(want, min(2*len(f.buf), readBufMax))
	}
	if want > len(f.buf) {
		nb := make([]byte, 1<<bits.Len(uint(want-1)))
		f.end = copy(nb, f.buf[f.start:f.end])
		f.buf, f.start = nb, 0
	} else if f.start > 0 {
		f.end = copy(f.buf, f.buf[f.start:f.end])
		f.start = 0
	}
	if f.idle != nil {
		f.idle()
	}
	n, err := f.r.Read(f.buf[f.end:])
	f.reads.Add(1)
	f.full = f.end+n == len(f.buf)
	if n > 0 {
		f.end += n
		f.now = time.Now().UnixNano()
		return nil
	}
	if err == nil {
		err = io.ErrNoProgress
	}
	return err
}

// frame is one websocket frame; its payload points into the read buffer.
type frame struct {
	fin     bool
	op      byte
	payload []byte
}

// parseFrame reads the frame at the start of b. size is the frame's whole
// length (header and payload), 0 while b does not hold its header; the
// frame is read only when 0 < size <= len(b). Server frames are unmasked:
// a masked one, or one with reserved bits set (no extension is agreed), is
// an error.
func parseFrame(b []byte) (f frame, size int, err error) {
	if len(b) < 2 {
		return frame{}, 0, nil
	}
	if b[0]&0x70 != 0 || b[1]&0x80 != 0 {
		return frame{}, 0, errProtocol
	}
	hdr, n := 2, uint64(b[1]&0x7f)
	switch n {
	case 126:
		if len(b) < 4 {
			return frame{}, 0, nil
		}
		hdr, n = 4, uint64(binary.BigEndian.Uint16(b[2:]))
	case 127:
		if len(b) < 10 {
			return frame{}, 0, nil
		}
		hdr, n = 10, binary.BigEndian.Uint64(b[2:])
	}
	if n > maxMessageSize {
		return frame{}, 0, errFrameTooLarge
	}
	size = hdr + int(n)
	if len(b) < size {
		return frame{}, size, nil
	}
	return frame{fin: b[0]&0x80 != 0, op: b[0] & 0x0f, payload: b[hdr:size:size]}, size, nil
}

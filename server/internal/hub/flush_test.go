//go:build linux

package hub

import (
	"bytes"
	"io"
	"net"
	"syscall"
	"testing"
	"time"
)

// loopbackClient returns a client whose connection is one end of a TCP
// loopback connection, and the other end.
func loopbackClient(t *testing.T) (*client, net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, _ := ln.Accept()
		accepted <- c
	}()
	peer, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	nc := <-accepted
	if nc == nil {
		t.Fatal("accept failed")
	}
	t.Cleanup(func() { nc.Close(); peer.Close() })
	c := &client{hub: &Hub{cfg: Config{}.withDefaults()}, nc: nc, done: make(chan struct{}), readDone: make(chan struct{})}
	if c.raw, err = nc.(syscall.Conn).SyscallConn(); err != nil {
		t.Fatal(err)
	}
	return c, peer
}

// TestFlush checks the room's way of writing a broadcast: deliveries are
// queued without being written, and one flush writes everything queued,
// in order, whoever queued it — or nothing if another writer has the
// queue.
func TestFlush(t *testing.T) {
	deliveries := [][][][]byte{
		{{[]byte("op1"), []byte("op2")}, {[]byte("ack1")}},
		{{[]byte("presence")}, nil},
		{nil, {[]byte("error")}},
	}
	var want []byte
	for _, d := range deliveries {
		for _, p := range d {
			want = append(want, bytes.Join(p, nil)...)
		}
	}
	tests := []struct {
		name    string
		writing bool // another writer runs
	}{
		{"queued deliveries in one flush", false},
		{"a writer has the queue", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, peer := loopbackClient(t)
			c.writing = tt.writing
			for i, d := range deliveries {
				ok, due := c.enqueue(d)
				if !ok || due == tt.writing {
					t.Fatalf("delivery %d: enqueue = %v, %v; want true, %v", i, ok, due, !tt.writing)
				}
			}
			c.flush()
			c.mu.Lock()
			left, deliveriesLeft, writing := len(c.out), c.deliveries, c.writing
			c.mu.Unlock()
			if tt.writing {
				if left == 0 || deliveriesLeft != len(deliveries) || !writing {
					t.Fatalf("flush took the queue of another writer: %d frames, %d deliveries left", left, deliveriesLeft)
				}
				return
			}
			if left != 0 || deliveriesLeft != 0 || writing {
				t.Fatalf("after flush: %d frames, %d deliveries queued, writing %v; want none", left, deliveriesLeft, writing)
			}
			peer.SetReadDeadline(time.Now().Add(10 * time.Second))
			got := make([]byte, len(want))
			if _, err := io.ReadFull(peer, got); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("peer read %q, want %q", got, want)
			}
		})
	}
}

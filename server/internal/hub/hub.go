// Package hub runs live sync: one room per open document applies ops in
// order (store commit, then broadcast), and one client per websocket
// connection pumps messages in and out. The shape is gorilla/websocket's
// chat example — a read pump and a write pump per connection, a hub of
// rooms — plus what the example leaves out: stopping, resume, bounded
// queues and group commit. Each op is encoded once for all clients, and
// a write pump runs only while it has something to write, so that an idle
// connection costs one goroutine blocked in a read.
package hub

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"gloss/server/internal/store"
	"gloss/shared/protocol"
)

// Config tunes the hub; zero values mean the defaults below.
type Config struct {
	// SendQueue is how many deliveries may wait for one slow connection
	// before it is closed with CloseSlow. A delivery is what one event of
	// the room has for the connection: the ops of a commit with their
	// acks, a presence update, a welcome, an error. Counting deliveries
	// rather than messages keeps a burst (one commit of 256 ops) from
	// cutting off clients that keep up.
	SendQueue int
	// MaxBatch bounds how many ops share one store transaction.
	MaxBatch int
	// ResumeLimit is how many missed ops a resume replays; further behind,
	// the client gets a snapshot.
	ResumeLimit int
}

func (c Config) withDefaults() Config {
	if c.SendQueue == 0 {
		c.SendQueue = 512
	}
	if c.MaxBatch == 0 {
		c.MaxBatch = 256
	}
	if c.ResumeLimit == 0 {
		c.ResumeLimit = 2000
	}
	return c
}

// Hub owns the rooms. Rooms are created on first join and removed when
// their last client leaves.
type Hub struct {
	store store.Store
	log   *slog.Logger
	cfg   Config

	mu      sync.Mutex
	rooms   map[int64]*room
	conns   map[*client]struct{} // every connection, with or without a room
	closed  bool
	roomsWG sync.WaitGroup
	connsWG sync.WaitGroup
	ctx     context.Context
	cancel  context.CancelFunc
}

// ErrClosed is returned for work offered to a hub that is shutting down.
var ErrClosed = errors.New("hub: closed")

// New returns a hub that commits through st.
func New(st store.Store, log *slog.Logger, cfg Config) *Hub {
	ctx, cancel := context.WithCancel(context.Background())
	h := &Hub{store: st, log: log, cfg: cfg.withDefaults(), rooms: map[int64]*room{}, conns: map[*client]struct{}{}, ctx: ctx, cancel: cancel}
	return h
}

// acquire returns the running room of doc, starting it if needed, and
// counts the caller as a user of it until release.
func (h *Hub) acquire(doc int64) (*room, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return nil, ErrClosed
	}
	r := h.rooms[doc]
	if r == nil {
		r = newRoom(h, doc)
		h.rooms[doc] = r
		h.roomsWG.Add(1)
		go func() {
			defer h.roomsWG.Done()
			r.run()
		}()
	}
	r.users++
	return r, nil
}

// release undoes acquire. The last user out stops the room, so an idle
// document holds no memory.
func (h *Hub) release(r *room) {
	h.mu.Lock()
	defer h.mu.Unlock()
	r.users--
	if r.users == 0 && h.rooms[r.doc] == r {
		delete(h.rooms, r.doc)
		close(r.quit)
	}
}

// Notify tells the hub that another server instance committed ops to doc
// up to seq (PostgreSQL LISTEN/NOTIFY); the room, if open here, pulls and
// broadcasts them.
func (h *Hub) Notify(doc, seq int64) {
	h.mu.Lock()
	r := h.rooms[doc]
	h.mu.Unlock()
	if r == nil {
		return
	}
	select {
	case r.remote <- seq:
	default: // a pull is already pending; it will fetch everything up to date
	}
}

// Close stops every room and closes every connection with CloseRestart,
// which tells clients to reconnect. Ops already acknowledged are
// committed; ops queued but not yet committed were never acknowledged, so
// clients re-send them after reconnecting. Rooms finish the batch they are
// committing, and its acks are flushed before the close frame.
func (h *Hub) Close() {
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return
	}
	h.closed = true
	for doc, r := range h.rooms {
		delete(h.rooms, doc)
		close(r.quit)
	}
	h.mu.Unlock()
	deadline := time.After(5 * time.Second)
	if !wait(&h.roomsWG, deadline) {
		h.log.Warn("hub: close timed out waiting for rooms")
	}
	// Rooms have closed their clients; this reaches the rest (no hello yet).
	h.mu.Lock()
	for c := range h.conns {
		c.closeWith(protocol.CloseRestart, "server restarting")
	}
	h.mu.Unlock()
	if !wait(&h.connsWG, deadline) {
		h.log.Warn("hub: close timed out waiting for connections")
	}
	h.cancel()
}

// wait waits for wg until deadline fires and reports whether wg finished.
func wait(wg *sync.WaitGroup, deadline <-chan time.Time) bool {
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
		return true
	case <-deadline:
		return false
	}
}

// Package hub runs live sync: one room per open document applies ops in
// order (store commit, then broadcast), and one client per websocket
// connection pumps messages in and out. The shape is gorilla/websocket's
// chat example — a read pump and a write pump per connection, a hub of
// rooms — plus what the example leaves out: stopping, resume, bounded
// queues and group commit. Each op is encoded once for all clients, and
// a connection has a reader only while it has something to read and a
// writer only while it has something to write, so that an idle connection
// holds no goroutine (read.go).
package hub

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"os"
	"sync"
	"time"

	"github.com/gorilla/websocket"

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
	// RecentOps is how many of a document's latest op ids its room keeps
	// to answer retries without asking the store.
	RecentOps int
	// Poll is how often every room compares its seq with the op log's, a
	// safety net under the notifications of other instances (which are
	// lost while the notification connection is down). Negative: never.
	Poll time.Duration
	// MaxQueueBytes and MaxQueueDelay bound a connection's send queue in
	// bytes and in the age of its oldest delivery, as SendQueue bounds it
	// in deliveries: a client that lets either pass is closed with
	// CloseSlow.
	MaxQueueBytes int
	MaxQueueDelay time.Duration
	// OpRate and OpBurst rate-limit each connection's ops (a token
	// bucket: OpRate a second on average, OpBurst at once); an op over
	// the limit is refused with rate_limited. Negative OpRate: no limit.
	OpRate  float64
	OpBurst int
	// MaxConnsPerUser and MaxConnsPerAddr cap the open websockets of one
	// user and of one client address; one more is closed with
	// CloseTooMany. Negative: no cap.
	MaxConnsPerUser int
	MaxConnsPerAddr int
	// ReaderPerConn has a goroutine read each connection for its life,
	// as on systems without epoll, instead of the poller starting a
	// reader only when a socket is readable (read.go).
	ReaderPerConn bool
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
	if c.RecentOps == 0 {
		c.RecentOps = 4096
	}
	if c.Poll == 0 {
		c.Poll = 1500 * time.Millisecond
	}
	if c.MaxQueueBytes == 0 {
		c.MaxQueueBytes = 1 << 20
	}
	if c.MaxQueueDelay == 0 {
		c.MaxQueueDelay = 5 * time.Second
	}
	if c.OpRate == 0 {
		c.OpRate = 100 // a person tags a few spans a second; a script should batch or slow down
	}
	if c.OpBurst == 0 {
		c.OpBurst = 400
	}
	if c.MaxConnsPerUser == 0 {
		c.MaxConnsPerUser = 32 // tabs and documents one person has open
	}
	if c.MaxConnsPerAddr == 0 {
		c.MaxConnsPerAddr = 512 // an office behind one NAT address
	}
	return c
}

// Hub owns the rooms. Rooms are created on first join and removed when
// their last client leaves.
type Hub struct {
	store store.Store
	// syncer is store when it can commit now and sync later (durable.go).
	syncer store.UnsyncedCommitter
	log    *slog.Logger
	cfg    Config

	mu      sync.Mutex
	rooms   map[int64]*room
	conns   map[*client]struct{} // every connection, with or without a room
	perUser map[int64]int        // open connections by user
	perAddr map[string]int       // open connections by client address
	closed  bool
	roomsWG sync.WaitGroup
	connsWG sync.WaitGroup
	ctx     context.Context
	cancel  context.CancelFunc
	poller  poller // nil: a goroutine reads each connection

	// projects holds the project of each document in rooms, as a hello
	// found it (see client.projectOf); under mu.
	projects map[int64]int64
}

// ErrClosed is returned for work offered to a hub that is shutting down.
var ErrClosed = errors.New("hub: closed")

// New returns a hub that commits through st.
func New(st store.Store, log *slog.Logger, cfg Config) *Hub {
	ctx, cancel := context.WithCancel(context.Background())
	h := &Hub{store: st, log: log, cfg: cfg.withDefaults(), rooms: map[int64]*room{}, projects: map[int64]int64{}, conns: map[*client]struct{}{},
		perUser: map[int64]int{}, perAddr: map[string]int{}, ctx: ctx, cancel: cancel}
	h.syncer, _ = st.(store.UnsyncedCommitter)
	// A benchmark-only switch, for the A/B of BENCHMARKS.md: every commit
	// waits for the disk before the room goes on.
	if os.Getenv("GLOSS_BENCH_SYNC_IN_COMMIT") != "" {
		h.syncer = nil
	}
	if !h.cfg.ReaderPerConn {
		h.poller = newPoller()
	}
	go h.wheel()
	if h.cfg.Poll > 0 {
		go h.poll()
	}
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
		delete(h.projects, r.doc)
		close(r.quit)
	}
}

// Notify tells the hub that a server instance committed ops to doc up to
// seq (PostgreSQL LISTEN/NOTIFY); the room, if open here and behind, reads
// them from the op log and broadcasts them. Notify(0, 0) means that
// notifications may have been lost: every room catches up.
func (h *Hub) Notify(doc, seq int64) {
	if doc == 0 {
		h.catchUpAll()
		return
	}
	h.mu.Lock()
	r := h.rooms[doc]
	h.mu.Unlock()
	if r == nil {
		return
	}
	for {
		n := r.notified.Load()
		if seq <= n || r.notified.CompareAndSwap(n, seq) {
			break
		}
	}
	r.wakeUp()
}

// Clients returns how many connections are in doc's room (those whose
// hello it has welcomed), for tests and metrics.
func (h *Hub) Clients(doc int64) int {
	return h.countIn(doc, func(r *room) int { return len(r.clients) })
}

// countIn returns f of doc's room, run in the room; 0 if no room is open.
func (h *Hub) countIn(doc int64, f func(*room) int) int {
	h.mu.Lock()
	r := h.rooms[doc]
	h.mu.Unlock()
	if r == nil {
		return 0
	}
	n := make(chan int, 1)
	select {
	case r.calls <- func() { n <- f(r) }:
	case <-r.stopped:
		return 0
	}
	select {
	case k := <-n:
		return k
	case <-r.stopped:
		return 0
	}
}

// openRooms returns the rooms open now. The list is a copy, so the
// caller may block on a room without holding the hub's lock.
func (h *Hub) openRooms() []*room {
	h.mu.Lock()
	defer h.mu.Unlock()
	rooms := make([]*room, 0, len(h.rooms))
	for _, r := range h.rooms {
		rooms = append(rooms, r)
	}
	return rooms
}

// catchUpAll has every room compare its seq with the op log's.
func (h *Hub) catchUpAll() {
	for _, r := range h.openRooms() {
		r.check.Store(true)
		r.wakeUp()
	}
}

func (r *room) wakeUp() {
	select {
	case r.wake <- struct{}{}:
	default: // a look is pending; it reads everything up to date
	}
}

// poll is the safety net under notifications: every cfg.Poll each room
// compares its seq with the op log's (one indexed read that finds nothing
// when the room is up to date).
func (h *Hub) poll() {
	t := time.NewTicker(h.cfg.Poll)
	defer t.Stop()
	// Rights changed by another process (the CLI, another instance):
	// close the affected sockets now, not at their next op (which is
	// checked anyway). The first read, at once and with time to spare,
	// is the baseline: a change before the first tick must count as one.
	// A read that failed (a busy database) may hide a change: the next
	// successful one re-checks the rooms whatever it reads.
	rights, missed := int64(-1), false
	readRights := func(timeout time.Duration) {
		ctx, cancel := context.WithTimeout(h.ctx, timeout)
		n, err := h.store.RightsEpoch(ctx)
		cancel()
		if err != nil {
			missed = true
			return
		}
		if n != rights || missed {
			if rights >= 0 || missed {
				h.recheckAll()
			}
			rights, missed = n, false
		}
	}
	readRights(10 * time.Second)
	for {
		select {
		case <-h.ctx.Done():
			return
		case <-t.C:
			h.catchUpAll()
			readRights(h.cfg.Poll)
		}
	}
}

// wheelTick is how often the wheel looks at every connection.
const wheelTick = time.Second

// wheel keeps every connection's time, in place of a timer and read
// deadlines per connection: it pings each joined one every pingPeriod and
// closes one whose peer has sent nothing for pongWait (or nothing at all
// within helloWait). A reader blocked in the middle of a message has its
// own read deadline.
func (h *Hub) wheel() {
	t := time.NewTicker(wheelTick)
	defer t.Stop()
	var due, silent []*client
	for {
		select {
		case <-h.ctx.Done():
			return
		case now := <-t.C:
			h.mu.Lock()
			for c := range h.conns {
				if last := c.lastRead.Load(); (last == 0 && time.Duration(mono(now)-c.pinged) > helloWait) ||
					(last != 0 && now.Sub(time.Unix(0, last)) > pongWait) {
					silent = append(silent, c)
					continue
				}
				if c.joined.Load() && time.Duration(mono(now)-c.pinged) >= pingPeriod {
					c.pinged = mono(now)
					due = append(due, c)
				}
			}
			h.mu.Unlock()
			for _, c := range due {
				c.ping()
			}
			for _, c := range silent {
				// A reader at work (a hello's queries, an op waiting for
				// room in the room's inbox) is not a silent peer.
				c.mu.Lock()
				busy := c.reading && c.polled
				c.mu.Unlock()
				if !busy {
					c.closeWith(websocket.CloseNormalClosure, "")
				}
			}
			clear(due)
			clear(silent)
			due, silent = due[:0], silent[:0]
		}
	}
}

// Follow listens for the commits of every instance (n is the store's
// Notifier) until ctx ends, and re-establishes the subscription with
// backoff whenever it drops (a database restart, a network failure).
// Listen calls Notify(0, 0) each time it is subscribed, so every
// (re)start catches every room up with what was committed meanwhile.
func (h *Hub) Follow(ctx context.Context, n store.Notifier) {
	const first, most = 100 * time.Millisecond, 5 * time.Second
	delay := first
	for {
		began := time.Now()
		err := n.Listen(ctx, h.Notify)
		if ctx.Err() != nil {
			return
		}
		if time.Since(began) > time.Minute {
			delay = first // it was up for a while: this is a new outage
		}
		h.log.Warn("hub: listening for other instances' commits stopped; retrying", "err", err, "in", delay)
		select {
		case <-ctx.Done():
			return
		case <-time.After(delay/2 + rand.N(delay/2+1)):
		}
		delay = min(2*delay, most)
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

package hub_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"gloss/server/internal/hub"
	"gloss/server/internal/store"
	"gloss/server/internal/store/pgtest"
	"gloss/server/internal/synctest"
	"gloss/shared/model"
	"gloss/shared/protocol"
)

// pgInstances starts two server instances on one new database of a
// PostgreSQL server of their own (returned, to be stopped or restarted),
// the poll off: what one commits, the other hears of by notification only.
func pgInstances(t *testing.T) (pg *pgtest.Server, a, b *synctest.Server) {
	t.Helper()
	pg = pgtest.Start(t)
	dsn := pg.Database(t)
	open := func() store.Store {
		st, err := store.OpenPostgres(context.Background(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	cfg := hub.Config{Poll: -1}
	a = synctest.NewServer(t, synctest.Options{Store: open(), Hub: cfg})
	return pg, a, a.Instance(open(), synctest.Options{Hub: cfg})
}

// TestInstancesPostgres runs two server instances on one PostgreSQL
// database, with clients on both editing one document, and checks the
// promise of the op log: every client sees every seq once and in order
// (its replica fails on a gap or a repeat), every acknowledged op is in
// the log at the seq its ack named and none is there twice, and every
// client ends with the store's state. "steady" has no fault: no client may
// even be asked to reconnect. "restart" crashes PostgreSQL (pg_ctl -m
// immediate) and starts it again mid-load: clients ride it out with
// retries of their ops ("internal") and reconnects ("4001"), no one is
// told to stop (a 44xx close), and the instances hear of each other again
// through their re-established notification connections — the poll is
// off, so that it cannot stand in for them.
func TestInstancesPostgres(t *testing.T) {
	cases := []struct {
		name    string
		restart bool
	}{
		{"steady", false},
		{"restart", true},
	}
	perInstance, opsEach := 10, 60
	if testing.Short() {
		perInstance, opsEach = 5, 30
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			pg, a, b := pgInstances(t)
			instances := []*synctest.Server{a, b}

			var acked atomic.Int64
			restartAt := int64(len(instances) * perInstance * opsEach / 3)
			restarted := make(chan error, 1)
			var once sync.Once
			progress := func() {
				if tc.restart && acked.Add(1) == restartAt {
					once.Do(func() {
						go func() {
							err := pg.Stop()
							if err == nil {
								err = pg.Restart()
							}
							restarted <- err
						}()
					})
				}
			}
			var ws []*loadWorker
			var wg sync.WaitGroup
			for i := range len(instances) * perInstance {
				s := instances[i%len(instances)]
				user := fmt.Sprintf("u%d", i)
				a.AddUser(user, model.RoleAnnotator)
				w := &loadWorker{t: t, s: s, idx: i, user: user, text: []rune(a.Doc.Text), ops: opsEach,
					rng: rand.New(rand.NewPCG(uint64(i), 7)), acked: map[string]int64{}, progress: progress}
				ws = append(ws, w)
			}
			for _, w := range ws {
				wg.Add(1)
				go func() {
					defer wg.Done()
					if err := w.run(); err != nil {
						t.Errorf("client %d on instance %d: %v", w.idx, w.idx%2, err)
					}
				}()
			}
			wg.Wait()
			if tc.restart {
				if err := <-restarted; err != nil {
					t.Fatal(err)
				}
			}
			if t.Failed() {
				return
			}
			snap := a.Snapshot(a.Doc.ID)
			log, err := a.Store.OpsSince(context.Background(), a.Doc.ID, 0, len(ws)*opsEach+1)
			if err != nil {
				t.Fatal(err)
			}
			inLog := map[string]int64{}
			for i, op := range log {
				if op.Seq != int64(i+1) {
					t.Fatalf("op log has seq %d at position %d", op.Seq, i)
				}
				if _, dup := inLog[op.ID]; dup {
					t.Fatalf("op %s is in the log twice", op.ID)
				}
				inLog[op.ID] = op.Seq
			}
			total, retries, reconnects := 0, 0, 0
			for _, w := range ws {
				if err := w.c.AwaitSeq(snap.Seq, wait); err != nil {
					t.Fatalf("client %d: %v", w.idx, err)
				}
				if d := w.c.Replica.Diff(snap); d != "" {
					t.Fatalf("client %d differs from the store: %s", w.idx, d)
				}
				for id, seq := range w.acked {
					if inLog[id] != seq {
						t.Fatalf("op %s was acknowledged with seq %d, the log has it at %d", id, seq, inLog[id])
					}
				}
				total += len(w.acked)
				retries += w.retries
				reconnects += w.reconnects
			}
			if total != len(log) || total != len(ws)*opsEach {
				t.Fatalf("%d ops acknowledged, %d in the log, %d sent", total, len(log), len(ws)*opsEach)
			}
			if !tc.restart && reconnects > 0 {
				t.Fatalf("%d reconnects without any fault", reconnects)
			}
			t.Logf("%d clients on %d instances: %d ops, %d retried, %d reconnects", len(ws), len(instances), total, retries, reconnects)
		})
	}
}

// loadWorker is a client that behaves as app/live does: it keeps a
// couple of adds in flight, re-sends an op refused with "internal" after
// a short backoff, and on a close that says "reconnect" reconnects,
// resumes from its last seq and re-sends what is unacknowledged. Any other
// refusal or close fails it.
type loadWorker struct {
	t        *testing.T
	s        *synctest.Server
	idx      int
	user     string
	text     []rune
	rng      *rand.Rand
	ops      int
	progress func() // called after each ack

	c          *synctest.Client
	n          int
	pending    []protocol.Message // in sending order
	acked      map[string]int64
	retries    int
	reconnects int
}

const loadWindow = 2

func (w *loadWorker) run() error {
	if err := w.connect(nil); err != nil {
		return err
	}
	for w.n < w.ops || len(w.pending) > 0 {
		for len(w.pending) < loadWindow && w.n < w.ops {
			w.n++
			start := w.rng.IntN(len(w.text) - 30)
			id := fmt.Sprintf("c%d-%d", w.idx, w.n)
			m := synctest.Add(id, id, "claim", string(w.text), start, start+1+w.rng.IntN(30))
			w.pending = append(w.pending, m)
			w.c.Send(m) // a failed send shows as the connection's end below
		}
		m, err := w.c.Next(wait)
		if err != nil {
			if err := w.reconnectAfter(err); err != nil {
				return err
			}
			continue
		}
		switch m.Type {
		case protocol.TypeAck:
			i := w.pendingIndex(m.OpID)
			if i < 0 {
				return fmt.Errorf("ack of op %q, which is not pending", m.OpID)
			}
			if m.Seq > w.c.Replica.State.Seq {
				return fmt.Errorf("ack of %s with seq %d before the op", m.OpID, m.Seq)
			}
			w.acked[m.OpID] = m.Seq
			w.pending = append(w.pending[:i], w.pending[i+1:]...)
			w.progress()
		case protocol.TypeError:
			i := w.pendingIndex(m.OpID)
			if i < 0 || m.Code != protocol.CodeInternal {
				return fmt.Errorf("op %q refused: %s %s", m.OpID, m.Code, m.Text)
			}
			w.retries++
			time.Sleep(time.Duration(20+w.rng.IntN(80)) * time.Millisecond) // the client's backoff
			w.c.Send(w.pending[i])
		}
	}
	return nil
}

func (w *loadWorker) pendingIndex(id string) int {
	for i, m := range w.pending {
		if m.Op.ID == id {
			return i
		}
	}
	return -1
}

// reconnectAfter handles the end of the connection (err from Next).
func (w *loadWorker) reconnectAfter(err error) error {
	var ce *websocket.CloseError
	if errors.As(err, &ce) && !protocol.ShouldReconnect(ce.Code) {
		return fmt.Errorf("told to stop: %w", err)
	}
	if errors.Is(err, synctest.ErrTimeout) {
		return err
	}
	w.reconnects++
	return w.connect(w.c.Replica)
}

// connect connects and says hello, resuming r, trying again with backoff
// while the server says to; then it re-sends every pending op.
func (w *loadWorker) connect(r *synctest.Replica) error {
	deadline := time.Now().Add(wait)
	for delay := 20 * time.Millisecond; ; delay = min(2*delay, time.Second) {
		if w.c != nil {
			w.c.Drop()
		}
		c, err := synctest.Dial(context.Background(), w.s.URL(w.user), synctest.DialOptions{Replica: r})
		if err != nil {
			return err
		}
		w.c = c
		var epoch string
		var since int64
		if r != nil {
			epoch, since = r.Epoch, r.State.Seq
		}
		_, err = c.Hello(w.s.Doc.ID, epoch, since, wait)
		if err == nil {
			break
		}
		var ce *websocket.CloseError
		var se *synctest.ServerError
		switch {
		case errors.As(err, &ce) && protocol.ShouldReconnect(ce.Code):
		case errors.As(err, &se) && se.Msg.Code == protocol.CodeInternal:
		default:
			return fmt.Errorf("hello: %w", err)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("hello: still failing after %v: %w", wait, err)
		}
		time.Sleep(delay/2 + rand.N(delay/2)) // the client's backoff
	}
	w.t.Cleanup(w.c.Drop)
	for _, m := range w.pending {
		w.c.Send(m)
	}
	return nil
}

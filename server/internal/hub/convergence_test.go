package hub_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"gloss/server/internal/synctest"
	"gloss/shared/model"
	"gloss/shared/protocol"
)

// TestConvergence has many clients edit one document at once, on purpose
// over each other's feet: several tabs per user edit a shared set of
// annotation IDs, so adds collide and updates and deletes go stale; and
// clients drop their connections at random, resume from their last seq
// and re-send what was not acknowledged. In the end every client's
// state, built only from what it received, equals the store's, and every
// op was acknowledged exactly once (with the seq it has in the op log) or
// refused with an error code (and is not in the log).
func TestConvergence(t *testing.T) {
	clients, opsEach := 50, 200
	if testing.Short() {
		clients, opsEach = 20, 50
	}
	const users = 10 // so five tabs per user compete for the same annotations
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)

	s := synctest.NewServer(t, synctest.Options{})
	for u := range users {
		s.AddUser(fmt.Sprintf("u%d", u), model.RoleAnnotator)
	}
	ws := make([]*worker, clients)
	var wg sync.WaitGroup
	start := time.Now()
	for i := range ws {
		w := &worker{t: t, s: s, idx: i, user: fmt.Sprintf("u%d", i%users), text: []rune(s.Doc.Text),
			rng: rand.New(rand.NewPCG(seed, uint64(i))), ops: opsEach,
			pending: map[string]protocol.Message{}, acked: map[string]int64{}, refused: map[string]string{}}
		ws[i] = w
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := w.run(); err != nil {
				t.Errorf("client %d (%s): %v", w.idx, w.user, err)
			}
		}()
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	elapsed := time.Since(start)

	snap := s.Snapshot(s.Doc.ID)
	log, err := s.Store.OpsSince(context.Background(), s.Doc.ID, 0, clients*opsEach+1)
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
	acked, refused, drops := 0, map[string]int{}, 0
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
		for id, code := range w.refused {
			if _, ok := inLog[id]; ok {
				t.Fatalf("op %s was refused (%s) but is in the log", id, code)
			}
			refused[code]++
		}
		acked += len(w.acked)
		drops += w.drops
	}
	if acked != len(log) {
		t.Fatalf("%d ops acknowledged, %d in the log", acked, len(log))
	}
	t.Logf("%d clients × %d ops in %v: %d applied, refused %v, %d reconnects; %d annotations at the end",
		clients, opsEach, elapsed.Round(time.Millisecond), acked, refused, drops, len(snap.Annotations))
	if refused[protocol.CodeConflict] == 0 || refused[protocol.CodeDuplicateID] == 0 {
		t.Errorf("no version or ID conflicts happened; the test is not testing them")
	}
}

// worker is one client of TestConvergence: it sends its ops one to three
// at a time and waits for their answers, dropping its connection now and
// then.
type worker struct {
	t    *testing.T
	s    *synctest.Server
	idx  int
	user string
	text []rune
	rng  *rand.Rand
	ops  int // left to make

	c       *synctest.Client
	n       int                         // ops made
	pending map[string]protocol.Message // sent, not yet answered
	order   []string                    // pending in sending order, for re-sending
	acked   map[string]int64
	refused map[string]string
	drops   int
}

const dropChance = 0.02 // per op sent; a fiftieth of that per message received

func (w *worker) run() error {
	if err := w.connect(nil); err != nil {
		return err
	}
	for w.ops > 0 || len(w.pending) > 0 {
		for k := 1 + w.rng.IntN(3); k > 0 && w.ops > 0; k-- {
			m := w.makeOp()
			w.ops--
			w.pending[m.Op.ID] = m
			w.order = append(w.order, m.Op.ID)
			if err := w.c.Send(m); err != nil {
				return err
			}
			if w.rng.Float64() < dropChance {
				if err := w.reconnect(); err != nil {
					return err
				}
			}
		}
		for len(w.pending) > 0 {
			m, err := w.c.Next(wait)
			if err != nil {
				return err
			}
			if err := w.answer(m); err != nil {
				return err
			}
			if w.rng.Float64() < dropChance/50 {
				if err := w.reconnect(); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func (w *worker) connect(r *synctest.Replica) error {
	c, err := synctest.Dial(context.Background(), w.s.URL(w.user), synctest.DialOptions{Replica: r})
	if err != nil {
		return err
	}
	w.c = c
	w.t.Cleanup(c.Drop)
	var epoch string
	var since int64
	if r != nil {
		epoch, since = r.Epoch, r.State.Seq
	}
	_, err = c.Hello(w.s.Doc.ID, epoch, since, wait)
	return err
}

// reconnect drops the connection without a word, connects again resuming
// from the last seq seen, and re-sends every unanswered op with its ID.
func (w *worker) reconnect() error {
	w.drops++
	w.c.Drop()
	if err := w.connect(w.c.Replica); err != nil {
		return fmt.Errorf("reconnect: %w", err)
	}
	for _, id := range w.order {
		if m, ok := w.pending[id]; ok {
			if err := w.c.Send(m); err != nil {
				return err
			}
		}
	}
	return nil
}

func (w *worker) answer(m protocol.Message) error {
	switch m.Type {
	case protocol.TypeAck:
		if _, ok := w.pending[m.OpID]; !ok {
			return fmt.Errorf("ack of op %q, which is not pending (acked before: %v)", m.OpID, w.acked[m.OpID] != 0)
		}
		if m.Seq > w.c.Replica.State.Seq {
			return fmt.Errorf("ack of %s with seq %d before the op", m.OpID, m.Seq)
		}
		w.acked[m.OpID] = m.Seq
	case protocol.TypeError:
		if _, ok := w.pending[m.OpID]; !ok {
			return fmt.Errorf("error %s (%s) for op %q, which is not pending", m.Code, m.Text, m.OpID)
		}
		switch m.Code {
		case protocol.CodeConflict, protocol.CodeNotFound, protocol.CodeDuplicateID, protocol.CodeForbidden:
		default:
			return fmt.Errorf("op %s refused with %s: %s", m.OpID, m.Code, m.Text)
		}
		w.refused[m.OpID] = m.Code
	default:
		return nil
	}
	delete(w.pending, m.OpID)
	if len(w.pending) == 0 {
		w.order = w.order[:0]
	}
	return nil
}

// makeOp picks an edit against what the client currently sees, which may
// be out of date: that is where the conflicts come from.
func (w *worker) makeOp() protocol.Message {
	w.n++
	opID := fmt.Sprintf("c%d-%d", w.idx, w.n)
	var mine, others []model.Annotation
	for _, a := range w.c.Replica.State.Annotations() {
		if a.Layer == w.user {
			mine = append(mine, a)
		} else {
			others = append(others, a)
		}
	}
	p := w.rng.Float64()
	switch {
	case p < 0.4 || len(mine) == 0:
		annID := fmt.Sprintf("c%d-a%d", w.idx, w.n)
		if w.rng.IntN(2) == 0 {
			annID = fmt.Sprintf("%s-shared%d", w.user, w.rng.IntN(6))
		}
		start, end := w.span()
		return synctest.Add(opID, annID, w.label(), string(w.text), start, end)
	case p < 0.55:
		return synctest.Relabel(opID, mine[w.rng.IntN(len(mine))], w.label())
	case p < 0.7:
		a := mine[w.rng.IntN(len(mine))]
		start, end := w.span()
		return synctest.Update(opID, a.ID, a.Version, a.Label, string(w.text), start, end)
	case p < 0.97 || len(others) == 0:
		a := mine[w.rng.IntN(len(mine))]
		return synctest.Delete(opID, a.ID, a.Version)
	default: // someone else's annotation: forbidden
		a := others[w.rng.IntN(len(others))]
		return synctest.Delete(opID, a.ID, a.Version)
	}
}

func (w *worker) span() (int, int) {
	start := w.rng.IntN(len(w.text) - 30)
	return start, start + 1 + w.rng.IntN(30)
}

var labels = []string{"claim", "figure", "attribution"}

func (w *worker) label() string { return labels[w.rng.IntN(len(labels))] }

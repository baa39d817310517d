package hub_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"gloss/server/internal/hub"
	"gloss/server/internal/synctest"
	"gloss/shared/model"
	"gloss/shared/protocol"
)

// TestSlowClient floods a document while one client never reads: it is
// closed with CloseSlow once its queue is full, and meanwhile the room
// goes on at full speed for everyone else, who receive every op. The slow
// client then resumes where its stream broke off.
func TestSlowClient(t *testing.T) {
	s := synctest.NewServer(t, synctest.Options{Hub: hub.Config{SendQueue: 8}})
	s.AddUser("alice", model.RoleAnnotator)
	s.AddUser("bob", model.RoleAnnotator)
	s.AddUser("slow", model.RoleAnnotator)
	text, doc := s.Doc.Text, s.Doc.ID
	a := connect(t, s, "alice", doc)
	b := connect(t, s, "bob", doc)

	// Small socket buffers on both ends stand in for a slow network, so
	// that the kernel cannot absorb the whole flood.
	slow, err := synctest.Dial(context.Background(), s.SlowURL("slow", 4096), synctest.DialOptions{ReadBuffer: 4096})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(slow.Drop)
	if err := slow.Send(hello(doc)); err != nil { // and no reading, ever, until the flood is over
		t.Fatal(err)
	}
	await(t, b, "slow client's presence", func(m protocol.Message) bool {
		return m.Type == protocol.TypePresence && len(m.Members) == 3
	})

	// Alice floods: she keeps window ops in flight, sending the next as
	// soon as one is acknowledged, so that the ops spread over many
	// commits (a client's queue counts deliveries, one per commit).
	// Few enough that the flood ends well within the server's write deadline
	// (writeWait) even under -race on a busy machine: the slow client must
	// be cut by its queue, not by a write timing out (close 1006).
	const n, window = 400, 16
	sent, acks := 0, 0
	sendNext := func() {
		i := sent
		sent++
		if err := a.Send(synctest.Add(fmt.Sprintf("op%d", i), fmt.Sprintf("a%d", i), "claim", text, i%900, i%900+20)); err != nil {
			t.Fatal(err)
		}
	}
	for range window {
		sendNext()
	}
	await(t, a, "all acks", func(m protocol.Message) bool {
		if m.Type == protocol.TypeError {
			t.Fatalf("op %s refused: %s", m.OpID, m.Code)
		}
		if m.Type == protocol.TypeAck {
			acks++
			if sent < n {
				sendNext()
			}
		}
		return acks == n
	})
	if err := b.AwaitSeq(n, wait); err != nil {
		t.Fatalf("bob: %v", err)
	}

	// Only now does the slow client read: what it was sent before it was
	// cut off (in order, without gaps — its replica checks), then CloseSlow.
	code, err := slow.AwaitClose(wait)
	if err != nil {
		t.Fatal(err)
	}
	if code != protocol.CloseSlow {
		t.Fatalf("slow client closed with %d, want %d", code, protocol.CloseSlow)
	}
	got := slow.Replica.State.Seq
	if got >= n {
		t.Fatalf("slow client received all %d ops; the flood did not fill its queue", n)
	}
	again := dial(t, s.URL("slow"), slow.Replica)
	if _, err := again.Hello(doc, slow.Replica.Epoch, got, wait); err != nil {
		t.Fatal(err)
	}
	checkSameAsStore(t, s, doc, a, b, again)
	t.Logf("slow client was cut off after %d of %d ops and resumed", got, n)
}

// TestStalledReader has a client stop reading while the others edit,
// with a send queue far from full in deliveries: it is closed with
// CloseSlow once what waits for it passes the queue's bound in bytes, or
// once a delivery has waited too long, not left to the kernel's buffers
// and a TCP timeout. The others go on undisturbed.
func TestStalledReader(t *testing.T) {
	cases := []struct {
		name string
		cfg  hub.Config
	}{
		{"bytes", hub.Config{SendQueue: 100000, MaxQueueBytes: 32 << 10, MaxQueueDelay: time.Hour}},
		{"time", hub.Config{SendQueue: 100000, MaxQueueBytes: 1 << 30, MaxQueueDelay: 200 * time.Millisecond}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := synctest.NewServer(t, synctest.Options{Hub: tc.cfg})
			s.AddUser("alice", model.RoleAnnotator)
			s.AddUser("slow", model.RoleAnnotator)
			text, doc := s.Doc.Text, s.Doc.ID
			a := connect(t, s, "alice", doc)
			slow, err := synctest.Dial(context.Background(), s.SlowURL("slow", 4096), synctest.DialOptions{ReadBuffer: 4096})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(slow.Drop)
			if err := slow.Send(hello(doc)); err != nil {
				t.Fatal(err)
			}
			await(t, a, "slow client's presence", func(m protocol.Message) bool {
				return m.Type == protocol.TypePresence && len(m.Members) == 2
			})
			// One op at a time, so that each is a delivery of its own,
			// until the room drops the stalled client (its presence goes):
			// far fewer than the queue's SendQueue deliveries.
			const n = 5000
			sent, cut := 0, false
			for ; sent < n && !cut; sent++ {
				id := fmt.Sprintf("op%d", sent)
				if err := a.Send(synctest.Add(id, fmt.Sprintf("a%d", sent), "claim", text, sent%900, sent%900+20)); err != nil {
					t.Fatal(err)
				}
				await(t, a, "ack of "+id, func(m protocol.Message) bool {
					if m.Type == protocol.TypePresence && len(m.Members) == 1 {
						cut = true
					}
					return m.Type == protocol.TypeAck && m.OpID == id
				})
			}
			if !cut {
				t.Fatalf("the stalled client was not cut off after %d ops", n)
			}
			// Only now does it read: what it was sent, then CloseSlow.
			code, err := slow.AwaitClose(wait)
			if err != nil {
				t.Fatal(err)
			}
			if code != protocol.CloseSlow {
				t.Fatalf("stalled client closed with %d, want %d", code, protocol.CloseSlow)
			}
			t.Logf("stalled client cut off after %d ops, having received %d", sent, slow.Replica.State.Seq)
		})
	}
}

package store_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"gloss/server/internal/store"
	"gloss/server/internal/store/pgtest"
	"gloss/server/internal/store/storetest"
	"gloss/shared/model"
	"gloss/shared/protocol"
)

// TestMain shares one PostgreSQL server among the package's tests; it
// starts only if a test asks for it.
func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

func openPostgres(tb testing.TB, dsn string) *store.Postgres {
	tb.Helper()
	p, err := store.OpenPostgres(tb.Context(), dsn)
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

// The implementations that several server instances share must say so.
var _ store.Notifier = (*store.Postgres)(nil)

func TestPostgres(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return openPostgres(t, pgtest.New(t)) })
}

// TestPostgresOpen starts several instances on one new database at once,
// as a deployment does: they take turns migrating, agree on one epoch, and
// a later open (another deploy) keeps data and epoch.
func TestPostgresOpen(t *testing.T) {
	dsn := pgtest.New(t)
	const instances = 4
	stores := make([]*store.Postgres, instances)
	errs := make([]error, instances)
	var wg sync.WaitGroup
	for i := range instances {
		wg.Go(func() { stores[i], errs[i] = store.OpenPostgres(t.Context(), dsn) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("instance %d: %v", i, err)
		}
		defer stores[i].Close()
	}
	epoch := stores[0].Epoch()
	for i, s := range stores {
		if s.Epoch() != epoch {
			t.Errorf("instance %d has epoch %q, instance 0 %q", i, s.Epoch(), epoch)
		}
	}
	if _, err := stores[1].CreateUser(t.Context(), "alice", []byte("h")); err != nil {
		t.Fatal(err)
	}
	again := openPostgres(t, dsn)
	defer again.Close()
	if again.Epoch() != epoch {
		t.Errorf("epoch %q after reopening, was %q", again.Epoch(), epoch)
	}
	if _, _, err := again.UserByName(t.Context(), "alice"); err != nil {
		t.Errorf("user lost on reopening: %v", err)
	}
}

// TestPostgresInstances commits to one document from two instances at
// once: the database, not either process, orders the ops.
func TestPostgresInstances(t *testing.T) {
	dsn := pgtest.New(t)
	a, b := openPostgres(t, dsn), openPostgres(t, dsn)
	defer a.Close()
	defer b.Close()
	d := newDocument(t, a)
	const perInstance = 40
	var wg sync.WaitGroup
	for i, s := range []*store.Postgres{a, b} {
		wg.Go(func() {
			for j := range perInstance {
				id := fmt.Sprintf("i%d-%d", i, j)
				if _, err := s.Commit(t.Context(), d, []protocol.Op{addOp(d, id)}); err != nil {
					t.Errorf("instance %d: %v", i, err)
					return
				}
			}
		})
	}
	wg.Wait()
	ops, err := b.OpsSince(t.Context(), d, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if len(ops) != 2*perInstance {
		t.Fatalf("%d ops in the log, want %d", len(ops), 2*perInstance)
	}
	for i, op := range ops {
		if op.Seq != int64(i+1) {
			t.Fatalf("log position %d holds seq %d", i, op.Seq)
		}
	}
	// A retry on the other instance is recognised as already applied.
	_, err = a.Commit(t.Context(), d, []protocol.Op{addOp(d, "i1-0")})
	if !errors.Is(err, store.ErrStale) {
		t.Errorf("retry of an op committed by the other instance: %v, want ErrStale", err)
	}
}

// TestPostgresListen checks that an instance hears of the commits of
// another, and only of those that were committed.
func TestPostgresListen(t *testing.T) {
	dsn := pgtest.New(t)
	writer, reader := openPostgres(t, dsn), openPostgres(t, dsn)
	defer writer.Close()
	defer reader.Close()
	d := newDocument(t, writer)

	type note struct{ doc, seq int64 }
	notes := make(chan note, 16)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- reader.Listen(ctx, func(doc, seq int64) { notes <- note{doc, seq} }) }()
	next := func() note {
		t.Helper()
		select {
		case n := <-notes:
			return n
		case err := <-done:
			t.Fatalf("Listen returned: %v", err)
		case <-time.After(10 * time.Second):
			t.Fatal("no notification within 10s")
		}
		return note{}
	}
	if n := next(); n != (note{}) {
		t.Fatalf("first call %v, want the subscribed signal (0, 0)", n)
	}

	if _, err := writer.Commit(t.Context(), d, []protocol.Op{addOp(d, "a"), addOp(d, "b")}); err != nil {
		t.Fatal(err)
	}
	if n := next(); n != (note{d, 2}) {
		t.Errorf("after a commit of seqs 1–2: %v, want {%d 2}", n, d)
	}
	// A refused commit is rolled back with its NOTIFY; the next
	// notification is the following successful commit.
	if _, err := writer.Commit(t.Context(), d, []protocol.Op{addOp(d, "c"), addOp(d, "a")}); !errors.Is(err, store.ErrStale) {
		t.Fatalf("duplicate commit: %v, want ErrStale", err)
	}
	if _, err := writer.Commit(t.Context(), d, []protocol.Op{addOp(d, "d")}); err != nil {
		t.Fatal(err)
	}
	if n := next(); n != (note{d, 3}) {
		t.Errorf("after a refused commit and a commit of seq 3: %v, want {%d 3}", n, d)
	}

	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Listen after cancel returned %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Listen did not return after its context was cancelled")
	}
}

func BenchmarkCommitPostgres(b *testing.B) {
	storetest.BenchmarkCommit(b, func(b *testing.B) store.Store { return openPostgres(b, pgtest.New(b)) })
}

func newDocument(t *testing.T, s store.Store) int64 {
	t.Helper()
	p, err := s.CreateProject(t.Context(), "p", model.DefaultSchema())
	if err != nil {
		t.Fatal(err)
	}
	docs, err := s.AddDocuments(t.Context(), p.ID, []model.Document{{Name: "d", Text: "text"}})
	if err != nil {
		t.Fatal(err)
	}
	return docs[0].ID
}

// addOp adds an annotation whose ID is the op's.
func addOp(docID int64, id string) protocol.Op {
	a := model.Annotation{ID: id, Document: docID, Layer: "ann1", Label: "claim", Start: 0, End: 4, Quote: "text", Author: "ann1", Version: 1}
	return protocol.Op{ID: id, Kind: protocol.KindAdd, Ann: &a, User: "ann1"}
}

// TestPostgresDurability: a server (here, a session setting in the DSN)
// with synchronous_commit off is refused unless the operator accepts the
// risk, and then warned about.
func TestPostgresDurability(t *testing.T) {
	dsn := pgtest.New(t)
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	async := dsn + sep + "options=" + strings.ReplaceAll(url.QueryEscape("-c synchronous_commit=off"), "+", "%20")
	if _, err := store.OpenPostgres(t.Context(), async); !errors.Is(err, store.ErrNotDurable) {
		t.Fatalf("open with synchronous_commit off: %v, want ErrNotDurable", err)
	}
	var warned string
	p, err := store.OpenPostgresWith(t.Context(), async, store.PostgresOptions{AllowNonDurable: true, Warn: func(m string) { warned = m }})
	if err != nil {
		t.Fatal(err)
	}
	p.Close()
	if !strings.Contains(warned, "synchronous_commit") {
		t.Errorf("warning = %q", warned)
	}
	p, err = store.OpenPostgres(t.Context(), dsn)
	if err != nil {
		t.Fatalf("a durable server was refused: %v", err)
	}
	p.Close()
}

func BenchmarkCommitCyclePostgres(b *testing.B) {
	storetest.BenchmarkCommitCycle(b, func(b *testing.B) store.Store { return openPostgres(b, pgtest.New(b)) })
}

package store_test

import (
	"path/filepath"
	"syscall"
	"testing"

	"gloss/server/internal/store"
	"gloss/server/internal/store/storetest"
)

// openSQLite opens a new database file in the test's temporary directory.
func openSQLite(tb testing.TB) *store.SQLite {
	tb.Helper()
	s, err := store.OpenSQLite(tb.Context(), filepath.Join(tb.TempDir(), "gloss.db"))
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// openAt opens the database file at path, closed when the test ends.
func openAt(t *testing.T, path string) *store.SQLite {
	t.Helper()
	s, err := store.OpenSQLite(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// reopen closes s, which must close cleanly, and opens its file again.
func reopen(t *testing.T, s *store.SQLite, path string) *store.SQLite {
	t.Helper()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return openAt(t, path)
}

func TestSQLite(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return openSQLite(t) })
}

// TestSQLiteReopen checks that reopening keeps the data and the epoch and
// that migrating an up-to-date file changes nothing.
func TestSQLiteReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "gloss.db")
	s := openAt(t, path)
	if _, err := s.CreateUser(t.Context(), "alice", []byte("h")); err != nil {
		t.Fatal(err)
	}
	epoch := s.Epoch()
	s = reopen(t, s, path)
	if s.Epoch() != epoch {
		t.Errorf("epoch %q after reopening, was %q", s.Epoch(), epoch)
	}
	if _, _, err := s.UserByName(t.Context(), "alice"); err != nil {
		t.Errorf("user lost on reopening: %v", err)
	}
}

func BenchmarkCommitSQLite(b *testing.B) {
	storetest.BenchmarkCommit(b, func(b *testing.B) store.Store { return openSQLite(b) })
}

func BenchmarkCommitCycleSQLite(b *testing.B) {
	storetest.BenchmarkCommitCycle(b, func(b *testing.B) store.Store { return openSQLite(b) })
}

// TestSQLiteUnsynced runs storetest.Unsynced on SQLite and checks what
// it cannot see from outside: the writer connection is back at
// synchronous=FULL after each unsynced commit (every other write relies
// on it), and what was synced is there after the file is opened again.
func TestSQLiteUnsynced(t *testing.T) {
	path := filepath.Join(t.TempDir(), "gloss.db")
	s := openAt(t, path)
	storetest.Unsynced(t, s, func() {
		if v, err := store.WriterSynchronous(t.Context(), s); err != nil || v != 2 {
			t.Errorf("the writer's synchronous is %d (%v) after unsynced commits, want 2 (FULL)", v, err)
		}
		store.BreakWALSync(s, syscall.EIO)
	})
	s = reopen(t, s, path)
	ops, err := s.OpsSince(t.Context(), 1, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(ops) < 4 || ops[0].ID != "op-a" || ops[3].ID != "op-d" {
		t.Errorf("after reopening, the op log holds %d ops, want op-a…op-d first", len(ops))
	}
}

package store_test

import (
	"path/filepath"
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

func TestSQLite(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return openSQLite(t) })
}

// TestSQLiteReopen checks that reopening keeps the data and the epoch and
// that migrating an up-to-date file changes nothing.
func TestSQLiteReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "gloss.db")
	s, err := store.OpenSQLite(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateUser(t.Context(), "alice", []byte("h")); err != nil {
		t.Fatal(err)
	}
	epoch := s.Epoch()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = store.OpenSQLite(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
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

package store

import (
	"context"
	"os"
)

// BreakWALSync makes every later fsync of s's WAL fail with err, as a
// disk that lost a write does.
func BreakWALSync(s *SQLite, err error) {
	s.wal.mu.Lock()
	defer s.wal.mu.Unlock()
	s.wal.fsync = func(*os.File) error { return err }
}

// WriterSynchronous is the synchronous pragma of s's writer connection
// (2: FULL), as every write but CommitUnsynced's finds it.
func WriterSynchronous(ctx context.Context, s *SQLite) (int, error) {
	var v int
	err := s.w.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&v)
	return v, err
}

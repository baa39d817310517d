package store

import (
	"context"
	"database/sql/driver"
	"errors"
	"log/slog"
	"time"
)

// SQLite opens a file it may not write (its mode, a read-only mount) read
// only, silently, and that connection stays read-only for its life: every
// write then fails with "attempt to write a readonly database" even after
// the file has become writable again. The write connection is therefore
// watched: while it is read-only, it is discarded with backoff, so that the
// next write opens a fresh connection, which can write once the file can be
// written. Meanwhile reads work, writes fail with an error (the hub answers
// `internal` and the browser keeps its ops), and the server recovers without
// a restart. A full disk needs no such help: SQLite rolls the transaction
// back and the next one succeeds once there is room.

// Intervals of the watcher: the check while writable is one cheap call on
// the idle write connection; while read-only it backs off from fast to slow.
const (
	recoverCheck   = 2 * time.Second
	recoverFastest = 100 * time.Millisecond
	recoverSlowest = 5 * time.Second
)

// watchWritable starts the watcher; the returned function stops it. Its
// first look is taken after recoverCheck, not at once: a look at start
// competes with the first writes for the connection, and the hub tests'
// timing showed it.
func (s *SQLite) watchWritable(path string) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	readOnly, wait := false, recoverCheck
	go func() {
		defer close(done)
		for {
			select {
			case <-ctx.Done():
				return
			case <-time.After(wait):
			}
			// The writer never checkpoints (sqlite_sync.go): what other
			// writes than the hub's add to the WAL is copied back here.
			s.wal.checkpoint(ctx)
			ro, err := s.discardIfReadOnly(ctx)
			switch {
			case err != nil:
				wait = recoverCheck // closed, or busy: look again later
			case ro:
				if !readOnly {
					slog.Error("store: database opened read-only: writes fail until it is writable again", "path", path)
				}
				readOnly = true
				wait = min(max(2*wait, recoverFastest), recoverSlowest)
			default:
				if readOnly {
					slog.Info("store: database writable again", "path", path)
				}
				readOnly = false
				wait = recoverCheck
			}
		}
	}()
	return func() { cancel(); <-done }
}

// discardIfReadOnly reports whether the write connection is read-only and,
// if so, makes database/sql discard it (ErrBadConn from Raw does).
func (s *SQLite) discardIfReadOnly(ctx context.Context) (bool, error) {
	c, err := s.w.Conn(ctx)
	if err != nil {
		return false, err
	}
	defer c.Close()
	ro := false
	err = c.Raw(func(dc any) error {
		r, ok := dc.(interface{ IsReadOnly(string) (bool, error) })
		if !ok {
			return nil
		}
		var err error
		if ro, err = r.IsReadOnly("main"); err != nil {
			return err
		}
		if ro {
			return driver.ErrBadConn
		}
		return nil
	})
	if errors.Is(err, driver.ErrBadConn) {
		err = nil
	}
	return ro, err
}

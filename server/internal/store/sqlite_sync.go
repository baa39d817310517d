package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"

	"gloss/shared/protocol"
)

// UnsyncedCommitter is a store whose commits can be made durable after
// they are made: CommitUnsynced commits as Commit does (the ops are in the
// op log and the state, readable by everyone) but returns before the disk
// has them, and SyncCommits returns once every commit that returned
// before it was called is on disk. The hub commits a batch, starts the
// sync, and resolves and commits the next batch while the disk works; it
// acknowledges and broadcasts a batch only when a sync that covers it has
// returned, so an acknowledged edit is as durable as with Commit.
//
// Once SyncCommits has failed it fails for good, and so does
// CommitUnsynced: after a failed fsync the kernel may have dropped the
// pages it could not write and reads no longer show what is on disk, so
// nothing more may be acknowledged until the server restarts and reads
// the file again (PostgreSQL's answer to the same problem).
//
// CommitUnsynced also checks, in its transaction, that the rights epoch
// (Store.RightsEpoch) is still rights, the epoch its caller checked the
// ops' senders at: if it moved, it commits nothing and returns a
// *RightsMovedError. The hub then needs no read of the epoch of its own
// before each batch.
type UnsyncedCommitter interface {
	CommitUnsynced(ctx context.Context, docID int64, ops []protocol.Op, rights int64) (int64, error)
	SyncCommits() error
}

// walSync is SQLite's side of UnsyncedCommitter. The writer connection
// runs with synchronous=FULL, as every write but CommitUnsynced's needs;
// CommitUnsynced switches it to OFF for its transaction and back, so the
// commit writes its WAL frames without waiting for them, and SyncCommits
// fsyncs the WAL file itself.
//
// A checkpoint copies WAL frames into the database file and lets the next
// writer start the WAL over; done with synchronous=OFF it would neither
// sync the WAL before copying (a power cut could leave half a
// transaction's pages in the database file) nor the database before the
// WAL is overwritten. So the writer never checkpoints
// (wal_autocheckpoint=0): checkpoints are PASSIVE ones on pin, a reader
// connection with synchronous=FULL, after every ckptEvery unsynced commits
// and on the store's watcher's tick (sqlite_recover.go), beside the
// writer. pin also keeps the WAL file from being removed while the store
// is open (SQLite removes it when its last connection closes).
type walSync struct {
	path string

	mu     sync.RWMutex          // guards f: held shared by syncs, exclusively to open it again
	f      *os.File              // the WAL file, for fsync
	ring   *ringSyncer           // fsync without a thread (fsync_linux.go), or nil
	fsync  func(*os.File) error  // the ring's fsync, or the file's Sync
	failed atomic.Pointer[error] // sticky: see UnsyncedCommitter

	// The writer connection's prepared pragmas, for the driver connection
	// dc (a connection the read-only watcher replaced is prepared again).
	pragmaMu  sync.Mutex
	dc        any
	off, full driver.Stmt

	pinMu         sync.Mutex // one checkpoint at a time on pin
	pin           *sql.Conn
	unsynced      atomic.Int64 // unsynced commits since the last checkpoint
	checkpointing atomic.Bool
}

// ckptEvery is how many unsynced commits trigger a checkpoint: a commit
// of a batch writes a few WAL pages, so this is near SQLite's automatic
// checkpoint at 1,000 pages.
const ckptEvery = 1024

func openWALSync(ctx context.Context, path string, r *sql.DB) (*walSync, error) {
	pin, err := r.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: open %s: pin a reader: %w", path, err)
	}
	// A read makes the connection open the WAL and hold its share of it.
	if _, err := pin.ExecContext(ctx, "SELECT count(*) FROM sqlite_master"); err != nil {
		pin.Close()
		return nil, fmt.Errorf("store: open %s: pin a reader: %w", path, err)
	}
	w := &walSync{path: path + "-wal", pin: pin}
	if _, err := w.file(); err != nil {
		// A database opened read-only (sqlite_recover.go) may have none
		// yet; the first sync opens it.
		slog.Debug("store: open the WAL for syncs", "err", err)
	}
	w.fsync = (*os.File).Sync
	if ring, err := newRingSyncer(); err == nil {
		w.ring = ring
		w.fsync = func(f *os.File) error { return ring.fsync(f.Fd()) }
	} else {
		slog.Debug("store: WAL syncs hold a thread", "err", err)
	}
	return w, nil
}

// current reports whether f is the WAL file SQLite writes.
func (w *walSync) current(f *os.File) bool {
	if f == nil {
		return false
	}
	fi, ferr := f.Stat()
	pi, perr := os.Stat(w.path)
	return ferr == nil && perr == nil && os.SameFile(fi, pi)
}

// file is the WAL file, opened again if SQLite replaced it (after every
// connection was closed and one opened again: the recovery watcher's).
// Called with mu held, or before w is shared.
func (w *walSync) file() (*os.File, error) {
	if w.current(w.f) {
		return w.f, nil
	}
	if w.f != nil {
		w.f.Close()
		w.f = nil
	}
	// Read-only is enough for fsync, and works on a file SQLite opened
	// read-only.
	f, err := os.Open(w.path)
	if err != nil {
		return nil, fmt.Errorf("store: open the WAL: %w", err)
	}
	w.f = f
	return f, nil
}

// CommitUnsynced implements UnsyncedCommitter.
func (s *SQLite) CommitUnsynced(ctx context.Context, docID int64, ops []protocol.Op, rights int64) (int64, error) {
	w := s.wal
	if err := w.err(); err != nil {
		return 0, err
	}
	stmt, err := s.writerRights(ctx)
	if err != nil {
		return 0, err
	}
	conn, err := s.w.Conn(ctx)
	if err != nil {
		return 0, fmt.Errorf("store: commit ops: %w", err)
	}
	first, unprepared, err := s.commitUnsyncedOn(ctx, conn, docID, ops, &rightsCheck{stmt, rights})
	conn.Close()
	if err != nil {
		return 0, err
	}
	s.prepareAll(ctx, unprepared)
	return first, nil
}

func (s *SQLite) commitUnsyncedOn(ctx context.Context, conn *sql.Conn, docID int64, ops []protocol.Op, rights *rightsCheck) (int64, []rowsKey, error) {
	w := s.wal
	if err := w.setSync(ctx, conn, false); err != nil {
		return 0, nil, fmt.Errorf("store: commit ops: synchronous off: %w", err)
	}
	first, unprepared, err := s.commit(ctx, conn.BeginTx, docID, ops, rights)
	if serr := w.setSync(ctx, conn, true); serr != nil {
		// The connection must not take another write with the sync off:
		// database/sql discards a connection whose Raw says ErrBadConn.
		conn.Raw(func(any) error { return driver.ErrBadConn })
		if err == nil {
			// Committed, and the WAL sync that follows covers it.
			slog.Error("store: writer: synchronous back on", "err", serr)
		}
	}
	if err == nil {
		w.unsynced.Add(1)
	}
	return first, unprepared, err
}

// setSync sets the writer connection's synchronous pragma (on: FULL),
// with statements prepared once per driver connection.
func (w *walSync) setSync(ctx context.Context, conn *sql.Conn, on bool) error {
	return conn.Raw(func(dc any) error {
		w.pragmaMu.Lock()
		defer w.pragmaMu.Unlock()
		if dc != w.dc {
			p, ok := dc.(driver.ConnPrepareContext)
			if !ok {
				return errors.New("the SQLite driver cannot prepare statements")
			}
			off, err := p.PrepareContext(ctx, "PRAGMA synchronous=OFF")
			if err != nil {
				return err
			}
			full, err := p.PrepareContext(ctx, "PRAGMA synchronous=FULL")
			if err != nil {
				off.Close()
				return err
			}
			w.dc, w.off, w.full = dc, off, full
		}
		st := w.off
		if on {
			st = w.full
		}
		x, ok := st.(driver.StmtExecContext)
		if !ok {
			return errors.New("the SQLite driver cannot run a prepared statement")
		}
		_, err := x.ExecContext(ctx, nil)
		return err
	})
}

// SyncCommits implements UnsyncedCommitter.
func (s *SQLite) SyncCommits() error { return s.wal.sync() }

func (w *walSync) err() error {
	if e := w.failed.Load(); e != nil {
		return *e
	}
	return nil
}

// sync fsyncs the WAL. Several may run at once (rooms of several
// documents; a room with a sync in flight starts the next): each covers
// what was written before it started.
func (w *walSync) sync() error {
	if err := w.err(); err != nil {
		return err
	}
	w.mu.RLock()
	var err error
	if w.current(w.f) {
		err = w.fsync(w.f)
		w.mu.RUnlock()
	} else {
		w.mu.RUnlock()
		w.mu.Lock()
		f, ferr := w.file()
		if ferr == nil {
			err = w.fsync(f)
		}
		w.mu.Unlock()
		if ferr != nil {
			// Not an fsync that failed: nothing was dropped, a later
			// sync may succeed and cover the same commits.
			return ferr
		}
	}
	if err != nil {
		err = fmt.Errorf("store: sync the WAL (commits are refused until the server restarts): %w", err)
		w.failed.Store(&err)
		slog.Error(err.Error())
		return err
	}
	if w.unsynced.Load() >= ckptEvery && w.checkpointing.CompareAndSwap(false, true) {
		go func() {
			defer w.checkpointing.Store(false)
			w.checkpoint(context.Background())
		}()
	}
	return nil
}

// checkpoint runs a PASSIVE checkpoint on pin (synchronous=FULL: the WAL
// is synced before its frames are copied, the database after).
func (w *walSync) checkpoint(ctx context.Context) {
	w.pinMu.Lock()
	defer w.pinMu.Unlock()
	if w.pin == nil {
		return
	}
	w.unsynced.Store(0)
	if _, err := w.pin.ExecContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)"); err != nil {
		slog.Warn("store: checkpoint", "err", err)
	}
}

func (w *walSync) close() error {
	w.pinMu.Lock()
	defer w.pinMu.Unlock()
	if w.pin == nil {
		return nil // closed before
	}
	err := w.pin.Close()
	w.pin = nil
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.f != nil {
		err = errors.Join(err, w.f.Close())
		w.f = nil
	}
	if w.ring != nil {
		w.ring.close()
		w.ring = nil
	}
	return err
}

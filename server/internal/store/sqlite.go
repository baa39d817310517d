package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"

	_ "modernc.org/sqlite" // registers the "sqlite" driver (pure Go, no cgo)
)

// SQLite is the embedded store. Durability: WAL journal with
// synchronous=FULL, so a commit is on disk (the WAL is fsynced) before
// Commit returns; CommitUnsynced and SyncCommits split the two
// (sqlite_sync.go), and the hub acknowledges an op only after the sync.
// Throughput comes from group commit in the hub (many ops share one
// transaction) and from syncing while the next batch is worked on, not
// from relaxing the fsync.
//
// Writes go through a single connection (SQLite has one writer at a time
// anyway, and queueing in Go is cheaper than SQLITE_BUSY retries), in
// transactions that BEGIN IMMEDIATE, so a transaction holds the database
// from its first read; reads use a pool that WAL lets run beside the
// writer.
type SQLite struct {
	*db
	wal  *walSync
	stop func() // stops the watcher of the write connection (sqlite_recover.go)
}

var sqliteDialect = &dialect{
	bytes:            func(s string) any { return s },
	snapshotTx:       &sql.TxOptions{ReadOnly: true},
	migrations:       "sqlite",
	schemaVersion:    sqliteSchemaVersion,
	setSchemaVersion: sqliteSetSchemaVersion,
	rightsDDL:        sqliteRightsDDL,
	updateFrom:       true,
}

// OpenSQLite opens (creating if needed) the database file at path and
// migrates it to the current schema.
func OpenSQLite(ctx context.Context, path string) (*SQLite, error) {
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("store: create data directory: %w", err)
		}
	}
	q := url.Values{}
	for _, p := range []string{"journal_mode(WAL)", "synchronous(FULL)", "busy_timeout(10000)", "foreign_keys(1)"} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	dsn := "file:" + path + "?" + q.Encode()
	// The writer keeps statement journals in memory (temp_store MEMORY).
	// Commit inserts a batch's rows in one statement (apply.go), and a
	// statement inserting many rows into a table with a foreign key keeps
	// a copy of each page it changes, to undo only itself; past 64 KiB (a
	// batch whose rows land on 16 pages) SQLite moves it to a temporary
	// file: an open and a write per page, which cost more than the
	// statements saved.
	q.Add("_pragma", "temp_store(2)")
	// The writer never checkpoints: walSync's checkpoints do (sqlite_sync.go).
	q.Add("_pragma", "wal_autocheckpoint(0)")
	w, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	r, err := sql.Open("sqlite", dsn)
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	r.SetMaxOpenConns(8)
	s, err := open(ctx, sqliteDialect, w, r)
	if err != nil {
		return nil, err
	}
	wal, err := openWALSync(ctx, path, r)
	if err != nil {
		s.Close()
		return nil, err
	}
	st := &SQLite{db: s, wal: wal}
	st.stop = st.watchWritable(path)
	return st, nil
}

// Close implements Store.
func (s *SQLite) Close() error {
	if s.stop != nil {
		s.stop()
	}
	return errors.Join(s.wal.close(), s.db.Close())
}

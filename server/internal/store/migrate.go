package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"path"
	"strconv"
	"strings"
)

// migrationFiles are the schema's migrations, one directory per dialect:
// NNNN_name.sql, applied in order. A database records how many it has had
// (SQLite in PRAGMA user_version, PostgreSQL in the schema_version table,
// as they always have). Never edit one that has shipped: add another, to
// both directories under the same number.
//
//go:embed migrations
var migrationFiles embed.FS

// migrations returns a dialect's migrations in order, checking that they
// are numbered 1, 2, … without a gap.
func migrations(dir string) ([]string, error) {
	entries, err := migrationFiles.ReadDir(path.Join("migrations", dir))
	if err != nil {
		return nil, fmt.Errorf("store: migrations: %w", err)
	}
	var out []string
	for _, e := range entries {
		n, _, _ := strings.Cut(e.Name(), "_")
		if v, err := strconv.Atoi(n); err != nil || v != len(out)+1 {
			return nil, fmt.Errorf("store: migration %s/%s is out of sequence", dir, e.Name())
		}
		b, err := migrationFiles.ReadFile(path.Join("migrations", dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("store: migrations: %w", err)
		}
		out = append(out, string(b))
	}
	return out, nil
}

// migrate brings the schema up to date in one transaction (a failed
// migration leaves nothing behind), then reads or creates the epoch.
// PostgreSQL instances started together take turns under an advisory
// lock instead of racing to create the same tables.
func (s *db) migrate(ctx context.Context) error {
	ms, err := migrations(s.d.migrations)
	if err != nil {
		return err
	}
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	defer tx.Rollback()
	if s.d.lockMigrations != "" {
		if _, err := tx.ExecContext(ctx, s.d.lockMigrations); err != nil {
			return fmt.Errorf("store: migrate: lock: %w", err)
		}
	}
	v, err := s.d.schemaVersion(ctx, tx)
	if err != nil {
		return fmt.Errorf("store: read schema version: %w", err)
	}
	if v > len(ms) {
		return fmt.Errorf("store: database schema version %d is newer than this server's %d", v, len(ms))
	}
	for i := v; i < len(ms); i++ {
		if _, err := tx.ExecContext(ctx, ms[i]); err != nil {
			return fmt.Errorf("store: migration %d: %w", i+1, err)
		}
	}
	if v < len(ms) {
		if err := s.d.setSchemaVersion(ctx, tx, len(ms)); err != nil {
			return fmt.Errorf("store: write schema version: %w", err)
		}
	}
	// Read first, write only when there is none: a database opened on a
	// file it cannot write (yet) must still open (sqlite_recover.go).
	err = tx.QueryRowContext(ctx, s.q(qEpoch)).Scan(&s.epoch)
	if errors.Is(err, sql.ErrNoRows) {
		if _, err := tx.ExecContext(ctx, s.q(qInsertEpoch), newEpoch()); err != nil {
			return fmt.Errorf("store: epoch: %w", err)
		}
		err = tx.QueryRowContext(ctx, s.q(qEpoch)).Scan(&s.epoch)
	}
	if err != nil {
		return fmt.Errorf("store: epoch: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: migrate: commit: %w", err)
	}
	return nil
}

var (
	qInsertEpoch = sqlText("INSERT INTO meta (key, value) VALUES ('epoch', ?) ON CONFLICT (key) DO NOTHING")
	qEpoch       = sqlText("SELECT value FROM meta WHERE key = 'epoch'")
)

func sqliteSchemaVersion(ctx context.Context, tx *sql.Tx) (int, error) {
	var v int
	err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v)
	return v, err
}

func sqliteSetSchemaVersion(ctx context.Context, tx *sql.Tx, v int) error {
	_, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", v))
	return err
}

func postgresSchemaVersion(ctx context.Context, tx *sql.Tx) (int, error) {
	if _, err := tx.ExecContext(ctx, "CREATE TABLE IF NOT EXISTS schema_version (version integer NOT NULL)"); err != nil {
		return 0, err
	}
	var v int
	err := tx.QueryRowContext(ctx, "SELECT version FROM schema_version").Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		_, err = tx.ExecContext(ctx, "INSERT INTO schema_version (version) VALUES (0)")
	}
	return v, err
}

func postgresSetSchemaVersion(ctx context.Context, tx *sql.Tx, v int) error {
	_, err := tx.ExecContext(ctx, "UPDATE schema_version SET version = $1", v)
	return err
}

func newEpoch() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}

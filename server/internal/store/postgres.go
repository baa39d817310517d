package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"

	"gloss/shared/protocol"
)

// Postgres is the store for several server instances behind a load
// balancer. They share the database, so the database, not a process, must
// give each document one op order: Commit locks the document's row for the
// length of its transaction, and the seq it reads under that lock is the
// one every instance agrees on. Commit also notifies the other instances
// (see Listen).
//
// Semantics are those of SQLite, down to the encoding: document text and
// annotation quotes are bytea, because a Go string may hold invalid UTF-8
// and NUL bytes that a text column refuses; times are unix milliseconds,
// the precision of the wire format and of SQLite; strings that are sorted
// use COLLATE "C", SQLite's and Go's byte order, whatever the database's
// locale.
//
// Queries go through database/sql (pgx's stdlib driver over a pgxpool, so
// that pgxpool settings in the DSN work); Commit and Listen use pgx
// itself, for a batch and for LISTEN.
type Postgres struct {
	*db
	pool *pgxpool.Pool
}

// notifyChannel is the LISTEN/NOTIFY channel of committed ops; a payload
// is "docID:seq".
const notifyChannel = "gloss_ops"

// migrateLock is the advisory lock key under which instances migrate, so
// that instances started together take turns instead of racing to create
// the same tables. Any constant no other application on the database uses.
const migrateLock = 0x676c6f7373 // "gloss"

var postgresDialect = &dialect{
	dollar:           true,
	collate:          ` COLLATE "C"`,
	forUpdate:        " FOR UPDATE",
	bytes:            func(s string) any { return []byte(s) },
	snapshotTx:       &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true},
	notify:           notifyChannel,
	migrations:       "postgres",
	lockMigrations:   "SELECT pg_advisory_xact_lock(" + strconv.Itoa(migrateLock) + ")",
	schemaVersion:    postgresSchemaVersion,
	setSchemaVersion: postgresSetSchemaVersion,
	rightsDDL:        postgresRightsDDL,
}

// OpenPostgres connects to the database at dsn (a postgres:// URL or
// key=value string; pgxpool settings such as pool_max_conns work) and
// migrates it to the current schema.
func OpenPostgres(ctx context.Context, dsn string) (*Postgres, error) {
	return OpenPostgresWith(ctx, dsn, PostgresOptions{})
}

// PostgresOptions are the choices OpenPostgresWith leaves to the operator.
type PostgresOptions struct {
	// AllowNonDurable opens a server that does not make commits durable
	// (synchronous_commit or fsync off), with a loud warning through
	// Warn, instead of refusing: Gloss acks an edit only after its commit,
	// and on such a server an acked edit can be lost in a crash.
	AllowNonDurable bool
	Warn            func(msg string)
}

// ErrNotDurable is why OpenPostgres refuses a server whose commits are
// not durable.
var ErrNotDurable = errors.New("store: postgres commits are not durable")

// OpenPostgresWith is OpenPostgres with options.
func OpenPostgresWith(ctx context.Context, dsn string, opt PostgresOptions) (*Postgres, error) {
	pool, err := pgxpool.New(ctx, dsn)
	if err != nil {
		return nil, fmt.Errorf("store: open postgres: %w", err)
	}
	if err := checkDurable(ctx, pool, opt); err != nil {
		pool.Close()
		return nil, err
	}
	sqlDB := stdlib.OpenDBFromPool(pool)
	s, err := open(ctx, postgresDialect, sqlDB, sqlDB)
	if err != nil {
		pool.Close()
		return nil, err
	}
	return &Postgres{db: s, pool: pool}, nil
}

// checkDurable reads the settings that decide whether a commit survives a
// crash, as the connections Gloss will use see them (a DSN's options or
// the role's settings can change them per session).
func checkDurable(ctx context.Context, pool *pgxpool.Pool, opt PostgresOptions) error {
	var sync, fsync string
	if err := pool.QueryRow(ctx, "SELECT current_setting('synchronous_commit'), current_setting('fsync')").Scan(&sync, &fsync); err != nil {
		return fmt.Errorf("store: open postgres: read durability settings: %w", err)
	}
	if sync != "off" && fsync != "off" {
		return nil
	}
	msg := fmt.Sprintf("synchronous_commit is %q and fsync is %q: an acknowledged edit can be lost if the database crashes", sync, fsync)
	if !opt.AllowNonDurable {
		return fmt.Errorf("%w: %s (turn them on, or start with -pg-allow-nondurable to accept the risk)", ErrNotDurable, msg)
	}
	if opt.Warn != nil {
		opt.Warn("WARNING: " + msg)
	}
	return nil
}

// Close implements Store.
func (p *Postgres) Close() error {
	err := p.db.Close()
	p.pool.Close()
	return err
}

// Commit implements Store. After the row lock, all the statements of the
// ops go to the server in one round trip (a pgx batch of the same steps
// SQLite runs one by one) instead of two per op; with the lock and the
// commit's fsync paid once, a group commit of 64 ops costs about five
// single ones (see BenchmarkCommitPostgres). The NOTIFY is part of the
// transaction, so listeners hear of the ops only if they are committed.
func (p *Postgres) Commit(ctx context.Context, docID int64, ops []protocol.Op) (int64, error) {
	tx, err := p.pool.Begin(ctx)
	if err != nil {
		return 0, fmt.Errorf("store: commit ops: begin: %w", err)
	}
	defer tx.Rollback(ctx)
	var seq int64
	if err := tx.QueryRow(ctx, p.q(qLockSeq), docID).Scan(&seq); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return 0, fmt.Errorf("store: commit ops to document %d: %w", docID, ErrNotFound)
		}
		return 0, fmt.Errorf("store: commit ops: read seq: %w", err)
	}
	if len(ops) == 0 {
		return seq + 1, nil
	}
	steps, err := p.commitSteps(docID, seq, ops)
	if err != nil {
		return 0, err
	}
	var b pgx.Batch
	for _, st := range steps {
		b.Queue(p.text(st), st.args...)
	}
	br := tx.SendBatch(ctx, &b)
	for _, st := range steps {
		ct, err := br.Exec()
		if err := st.check(ct.RowsAffected(), err); err != nil {
			br.Close()
			return 0, err
		}
	}
	if err := br.Close(); err != nil {
		return 0, fmt.Errorf("store: commit ops: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return 0, fmt.Errorf("store: commit ops: %w", err)
	}
	return seq + 1, nil
}

// Listen implements Notifier. It holds a connection of its own, not one
// of the pool's, for as long as it listens; Close does not end it, ctx does.
func (p *Postgres) Listen(ctx context.Context, fn func(docID, seq int64)) error {
	conn, err := pgx.ConnectConfig(ctx, p.pool.Config().ConnConfig)
	if err != nil {
		return fmt.Errorf("store: listen: connect: %w", err)
	}
	defer func() {
		// ctx may be done already; closing still deserves a moment.
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		conn.Close(cctx)
	}()
	if _, err := conn.Exec(ctx, "LISTEN "+notifyChannel); err != nil {
		return fmt.Errorf("store: listen: %w", err)
	}
	fn(0, 0)
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return fmt.Errorf("store: listen: %w", ctx.Err())
			}
			return fmt.Errorf("store: listen: %w", err)
		}
		if docID, seq, ok := parseNotification(n.Payload); ok {
			fn(docID, seq)
		}
	}
}

// parseNotification reads a "docID:seq" payload. Anything else on the
// channel (a hand-made NOTIFY) is ignored rather than trusted.
func parseNotification(payload string) (docID, seq int64, ok bool) {
	d, s, found := strings.Cut(payload, ":")
	if !found {
		return 0, 0, false
	}
	docID, err1 := strconv.ParseInt(d, 10, 64)
	seq, err2 := strconv.ParseInt(s, 10, 64)
	if err1 != nil || err2 != nil || docID <= 0 || seq <= 0 {
		return 0, 0, false
	}
	return docID, seq, true
}

package store

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
)

// stmtCache prepares each distinct query text once on a database and lends
// transactions their copy of it. SQLite's Commit runs the same handful of
// statements for every op; compiling them anew each time was ≈14 % of the
// server's CPU under load (issue 16). Only constant query texts go through
// it, so the map stays small.
type stmtCache struct {
	db *sql.DB
	mu sync.Mutex
	m  map[string]*sql.Stmt
}

func newStmtCache(db *sql.DB) *stmtCache {
	return &stmtCache{db: db, m: map[string]*sql.Stmt{}}
}

func (c *stmtCache) get(ctx context.Context, query string) (*sql.Stmt, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if st, ok := c.m[query]; ok {
		return st, nil
	}
	st, err := c.db.PrepareContext(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("store: prepare: %w", err)
	}
	c.m[query] = st
	return st, nil
}

// close releases every prepared statement.
func (c *stmtCache) close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	var first error
	for q, st := range c.m {
		if err := st.Close(); err != nil && first == nil {
			first = err
		}
		delete(c.m, q)
	}
	return first
}

// preparedTx runs a transaction's statements through a stmtCache;
// database/sql keeps a statement prepared per connection, so with the
// single writer connection each query is compiled once, not per op.
type preparedTx struct {
	tx *sql.Tx
	c  *stmtCache
}

// ExecContext implements execer.
func (p preparedTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	st, err := p.c.get(ctx, query)
	if err != nil {
		return nil, err
	}
	return p.tx.StmtContext(ctx, st).ExecContext(ctx, args...)
}

// QueryRowContext runs a one-row query through the cache.
func (p preparedTx) QueryRowContext(ctx context.Context, query string, args ...any) (*sql.Row, error) {
	st, err := p.c.get(ctx, query)
	if err != nil {
		return nil, err
	}
	return p.tx.StmtContext(ctx, st).QueryRowContext(ctx, args...), nil
}

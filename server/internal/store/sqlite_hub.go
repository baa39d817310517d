package store

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
)

// The rights epoch (see Store.RightsEpoch) is kept by triggers, so that
// every writer of the database bumps it — this process, another, the CLI
// — whatever code path changes a right. The triggers are installed on the
// first call, idempotently, rather than by a migration.

// sqliteRightsDDL creates the counter and its triggers.
const sqliteRightsDDL = `
CREATE TABLE IF NOT EXISTS rights_epoch (id INTEGER PRIMARY KEY CHECK (id = 1), n INTEGER NOT NULL);
INSERT OR IGNORE INTO rights_epoch (id, n) VALUES (1, 0);
CREATE TRIGGER IF NOT EXISTS rights_members_insert AFTER INSERT ON members BEGIN UPDATE rights_epoch SET n = n + 1; END;
CREATE TRIGGER IF NOT EXISTS rights_members_update AFTER UPDATE ON members BEGIN UPDATE rights_epoch SET n = n + 1; END;
CREATE TRIGGER IF NOT EXISTS rights_members_delete AFTER DELETE ON members BEGIN UPDATE rights_epoch SET n = n + 1; END;
CREATE TRIGGER IF NOT EXISTS rights_users_update AFTER UPDATE OF pw, site_admin ON users BEGIN UPDATE rights_epoch SET n = n + 1; END;
CREATE TRIGGER IF NOT EXISTS rights_users_delete AFTER DELETE ON users BEGIN UPDATE rights_epoch SET n = n + 1; END;
CREATE TRIGGER IF NOT EXISTS rights_sessions_delete AFTER DELETE ON sessions BEGIN UPDATE rights_epoch SET n = n + 1; END;
CREATE TRIGGER IF NOT EXISTS rights_tokens_delete AFTER DELETE ON api_tokens BEGIN UPDATE rights_epoch SET n = n + 1; END;
CREATE TRIGGER IF NOT EXISTS rights_projects_update AFTER UPDATE OF schema ON projects BEGIN UPDATE rights_epoch SET n = n + 1; END;
`

// rightsReady holds the stores whose triggers are installed: for SQLite,
// with the prepared read of the epoch, which live sync runs once per
// batch of ops (preparing it each time would cost more than the read).
var rightsReady sync.Map

// RightsEpoch implements Store.
func (s *SQLite) RightsEpoch(ctx context.Context) (int64, error) {
	v, ok := rightsReady.Load(s)
	if !ok {
		if _, err := s.w.ExecContext(ctx, sqliteRightsDDL+sqliteBlindDDL); err != nil {
			return 0, fmt.Errorf("store: install rights epoch: %w", err)
		}
		stmt, err := s.r.PrepareContext(ctx, "SELECT n FROM rights_epoch WHERE id = 1")
		if err != nil {
			return 0, fmt.Errorf("store: rights epoch: %w", err)
		}
		if v, ok = rightsReady.LoadOrStore(s, stmt); ok {
			stmt.Close()
		} else {
			v = stmt
		}
	}
	var n int64
	if err := v.(*sql.Stmt).QueryRowContext(ctx).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: rights epoch: %w", err)
	}
	return n, nil
}

package store

import (
	"context"
	"fmt"
)

// postgresRightsDDL creates the rights epoch and its triggers (see
// sqlite_hub.go), under an advisory lock: instances starting together
// would otherwise race on CREATE OR REPLACE.
var postgresRightsDDL = []string{
	`SELECT pg_advisory_xact_lock(` + fmt.Sprint(migrateLock+1) + `)`,
	`CREATE TABLE IF NOT EXISTS rights_epoch (id int PRIMARY KEY CHECK (id = 1), n bigint NOT NULL)`,
	`INSERT INTO rights_epoch (id, n) VALUES (1, 0) ON CONFLICT DO NOTHING`,
	`CREATE OR REPLACE FUNCTION gloss_rights_bump() RETURNS trigger LANGUAGE plpgsql AS
		$$ BEGIN UPDATE rights_epoch SET n = n + 1 WHERE id = 1; RETURN NULL; END $$`,
	`CREATE OR REPLACE TRIGGER rights_members AFTER INSERT OR UPDATE OR DELETE ON members
		FOR EACH STATEMENT EXECUTE FUNCTION gloss_rights_bump()`,
	`CREATE OR REPLACE TRIGGER rights_users AFTER UPDATE OF pw, site_admin OR DELETE ON users
		FOR EACH STATEMENT EXECUTE FUNCTION gloss_rights_bump()`,
	`CREATE OR REPLACE TRIGGER rights_sessions AFTER DELETE ON sessions
		FOR EACH STATEMENT EXECUTE FUNCTION gloss_rights_bump()`,
	`CREATE OR REPLACE TRIGGER rights_tokens AFTER DELETE ON api_tokens
		FOR EACH STATEMENT EXECUTE FUNCTION gloss_rights_bump()`,
	`CREATE OR REPLACE TRIGGER rights_projects AFTER UPDATE OF schema ON projects
		FOR EACH STATEMENT EXECUTE FUNCTION gloss_rights_bump()`,
}

// RightsEpoch implements Store.
func (p *Postgres) RightsEpoch(ctx context.Context) (int64, error) {
	if _, ok := rightsReady.Load(p); !ok {
		tx, err := p.pool.Begin(ctx)
		if err != nil {
			return 0, fmt.Errorf("store: install rights epoch: %w", err)
		}
		defer tx.Rollback(ctx)
		for _, q := range postgresRightsDDL {
			if _, err := tx.Exec(ctx, q); err != nil {
				return 0, fmt.Errorf("store: install rights epoch: %w", err)
			}
		}
		if err := tx.Commit(ctx); err != nil {
			return 0, fmt.Errorf("store: install rights epoch: %w", err)
		}
		rightsReady.Store(p, struct{}{})
	}
	var n int64
	if err := p.pool.QueryRow(ctx, "SELECT n FROM rights_epoch WHERE id = 1").Scan(&n); err != nil {
		return 0, fmt.Errorf("store: rights epoch: %w", err)
	}
	return n, nil
}

package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// The triggers of sqlite_blind.go: settings and done move the rights
// epoch.
func init() {
	postgresRightsDDL = append(postgresRightsDDL,
		`CREATE OR REPLACE TRIGGER rights_settings AFTER INSERT OR UPDATE ON project_settings
		FOR EACH STATEMENT EXECUTE FUNCTION gloss_rights_bump()`,
		`CREATE OR REPLACE TRIGGER rights_done AFTER INSERT OR UPDATE OF done OR DELETE ON assignments
		FOR EACH STATEMENT EXECUTE FUNCTION gloss_rights_bump()`,
	)
}

// Done implements Store.
func (p *Postgres) Done(ctx context.Context, docID, userID int64) (bool, error) {
	var done bool
	err := p.pool.QueryRow(ctx, "SELECT done FROM assignments WHERE doc_id = $1 AND user_id = $2", docID, userID).Scan(&done)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("store: done: %w", err)
	}
	return done, nil
}

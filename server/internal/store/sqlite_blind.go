package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Blind annotation (model.ViewOf) depends on the project's settings and
// on whether an annotator marked a document done. A change of either
// moves the rights epoch, like a change of role, so that every instance's
// open rooms re-check what each connection may see.
const sqliteBlindDDL = `
CREATE TRIGGER IF NOT EXISTS rights_settings_insert AFTER INSERT ON project_settings BEGIN UPDATE rights_epoch SET n = n + 1; END;
CREATE TRIGGER IF NOT EXISTS rights_settings_update AFTER UPDATE ON project_settings BEGIN UPDATE rights_epoch SET n = n + 1; END;
CREATE TRIGGER IF NOT EXISTS rights_done_insert AFTER INSERT ON assignments WHEN NEW.done BEGIN UPDATE rights_epoch SET n = n + 1; END;
CREATE TRIGGER IF NOT EXISTS rights_done_update AFTER UPDATE OF done ON assignments WHEN OLD.done <> NEW.done BEGIN UPDATE rights_epoch SET n = n + 1; END;
CREATE TRIGGER IF NOT EXISTS rights_done_delete AFTER DELETE ON assignments WHEN OLD.done BEGIN UPDATE rights_epoch SET n = n + 1; END;
`

// Done implements Store.
func (s *SQLite) Done(ctx context.Context, docID, userID int64) (bool, error) {
	var done bool
	err := s.r.QueryRowContext(ctx, "SELECT done FROM assignments WHERE doc_id = ? AND user_id = ?", docID, userID).Scan(&done)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("store: done: %w", err)
	}
	return done, nil
}

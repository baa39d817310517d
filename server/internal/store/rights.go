package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// The rights epoch (see Store.RightsEpoch) is kept by triggers, so that
// every writer of the database bumps it — this process, another, the CLI
// — whatever code path changes a right. The triggers are installed on the
// first call, idempotently, rather than by a migration.

// sqliteRightsDDL creates the counter and its triggers.
var sqliteRightsDDL = []string{`
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
-- Blind annotation (model.ViewOf) depends on the project's settings and on
-- whether an annotator marked a document done: a change of either moves
-- the epoch too, so that open rooms re-check what each connection sees.
CREATE TRIGGER IF NOT EXISTS rights_settings_insert AFTER INSERT ON project_settings BEGIN UPDATE rights_epoch SET n = n + 1; END;
CREATE TRIGGER IF NOT EXISTS rights_settings_update AFTER UPDATE ON project_settings BEGIN UPDATE rights_epoch SET n = n + 1; END;
CREATE TRIGGER IF NOT EXISTS rights_done_insert AFTER INSERT ON assignments WHEN NEW.done BEGIN UPDATE rights_epoch SET n = n + 1; END;
CREATE TRIGGER IF NOT EXISTS rights_done_update AFTER UPDATE OF done ON assignments WHEN OLD.done <> NEW.done BEGIN UPDATE rights_epoch SET n = n + 1; END;
CREATE TRIGGER IF NOT EXISTS rights_done_delete AFTER DELETE ON assignments WHEN OLD.done BEGIN UPDATE rights_epoch SET n = n + 1; END;
`}

// postgresRightsDDL is the same for PostgreSQL, under an advisory lock:
// instances starting together would otherwise race on CREATE OR REPLACE.
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
	`CREATE OR REPLACE TRIGGER rights_settings AFTER INSERT OR UPDATE ON project_settings
		FOR EACH STATEMENT EXECUTE FUNCTION gloss_rights_bump()`,
	`CREATE OR REPLACE TRIGGER rights_done AFTER INSERT OR UPDATE OF done OR DELETE ON assignments
		FOR EACH STATEMENT EXECUTE FUNCTION gloss_rights_bump()`,
}

var qRightsEpoch = sqlText("SELECT n FROM rights_epoch WHERE id = 1")

// RightsEpoch implements Store. Live sync reads it once per batch of ops,
// so the read is prepared (once the triggers are installed).
func (s *db) RightsEpoch(ctx context.Context) (int64, error) {
	s.rightsMu.Lock()
	stmt := s.rights
	if stmt == nil {
		err := s.inTx(ctx, "install rights epoch", func(tx *sql.Tx) error {
			for _, q := range s.d.rightsDDL {
				if _, err := tx.ExecContext(ctx, q); err != nil {
					return fmt.Errorf("store: install rights epoch: %w", err)
				}
			}
			return nil
		})
		if err == nil {
			stmt, err = s.r.PrepareContext(ctx, s.q(qRightsEpoch))
		}
		if err != nil {
			s.rightsMu.Unlock()
			return 0, fmt.Errorf("store: rights epoch: %w", err)
		}
		s.rights = stmt
	}
	s.rightsMu.Unlock()
	var n int64
	if err := stmt.QueryRowContext(ctx).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: rights epoch: %w", err)
	}
	return n, nil
}

// RightsMovedError is CommitUnsynced's answer when the rights epoch is
// no longer the one its caller checked its connections at: nothing was
// committed, and Epoch is the epoch now. The caller checks its
// connections again at Epoch and commits what they may still send.
type RightsMovedError struct{ Epoch int64 }

func (e *RightsMovedError) Error() string {
	return fmt.Sprintf("store: commit ops: the rights epoch moved to %d", e.Epoch)
}

// qLockSeqRights is lockSeq's read with the rights epoch beside the seq,
// for commits that check it: one statement, where a read of its own cost
// as much as the one the room made before each batch.
var qLockSeqRights = sqlText("SELECT seq, (SELECT n FROM rights_epoch WHERE id = 1) FROM documents WHERE id = ?{LOCK}")

// rightsCheck is a commit's check that the rights epoch is still epoch,
// read by stmt (qLockSeqRights, prepared on the writer).
type rightsCheck struct {
	stmt  *sql.Stmt
	epoch int64
}

// writerRights returns qLockSeqRights prepared on the writer (installing
// the rights epoch first if need be). It is prepared outside any
// transaction: see db.ops.
func (s *db) writerRights(ctx context.Context) (*sql.Stmt, error) {
	s.rightsMu.Lock()
	stmt := s.wrights
	s.rightsMu.Unlock()
	if stmt != nil {
		return stmt, nil
	}
	if _, err := s.RightsEpoch(ctx); err != nil { // installs it
		return nil, err
	}
	stmt, err := s.w.PrepareContext(ctx, s.q(qLockSeqRights))
	if err != nil {
		return nil, fmt.Errorf("store: rights epoch: %w", err)
	}
	s.rightsMu.Lock()
	defer s.rightsMu.Unlock()
	if s.wrights != nil { // another commit prepared it meanwhile
		stmt.Close()
		return s.wrights, nil
	}
	s.wrights = stmt
	return stmt, nil
}

var qDone = sqlText("SELECT done FROM assignments WHERE doc_id = ? AND user_id = ?")

// Done implements Store.
func (s *db) Done(ctx context.Context, docID, userID int64) (bool, error) {
	var done bool
	err := s.r.QueryRowContext(ctx, s.q(qDone), docID, userID).Scan(&done)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("store: done: %w", err)
	}
	return done, nil
}

package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"gloss/shared/model"
	"gloss/shared/protocol"
)

// db is the store over database/sql that SQLite and Postgres share: every
// method but PostgreSQL's batched Commit and its LISTEN is here, written
// once; d says what differs.
type db struct {
	d *dialect
	// w takes the writes and r the reads: for SQLite one writer
	// connection beside a pool of readers, for PostgreSQL one pool.
	w, r  *sql.DB
	texts []string // queries rebound for d, by query
	// ops are the statements of Commit, prepared when the store opens:
	// preparing lazily inside a transaction would wait for the single
	// SQLite writer connection that the transaction itself holds.
	ops map[query]*sql.Stmt
	// rowsStmts (rowsKey → *sql.Stmt) are the rowsQuery statements
	// prepared so far, rowsTexts (rowsKey → string) their texts.
	rowsStmts, rowsTexts sync.Map
	epoch                string

	rightsMu sync.Mutex
	rights   *sql.Stmt // the prepared read of the rights epoch, once installed
	wrights  *sql.Stmt // qLockSeqRights on the writer, for commits (writerRights)
}

// open rebinds the queries for d, migrates and prepares Commit's
// statements.
func open(ctx context.Context, d *dialect, w, r *sql.DB) (*db, error) {
	s := &db{d: d, w: w, r: r, texts: make([]string, len(queries)), ops: map[query]*sql.Stmt{}}
	for i, q := range queries {
		s.texts[i] = d.rebind(q)
	}
	if err := s.migrate(ctx); err != nil {
		s.Close()
		return nil, err
	}
	for _, q := range opQueries {
		stmt, err := s.w.PrepareContext(ctx, s.q(q))
		if err != nil {
			s.Close()
			return nil, fmt.Errorf("store: prepare %q: %w", s.q(q), err)
		}
		s.ops[q] = stmt
	}
	for _, rq := range rowsQueries {
		if err := s.prepareRows(ctx, rowsKey{rq, 1}); err != nil {
			s.Close()
			return nil, err
		}
	}
	return s, nil
}

// q is a query's text in the store's dialect.
func (s *db) q(q query) string { return s.texts[q] }

// Epoch implements Store.
func (s *db) Epoch() string { return s.epoch }

// Close implements Store.
func (s *db) Close() error {
	var errs []error
	for _, stmt := range s.ops {
		errs = append(errs, stmt.Close())
	}
	s.rowsStmts.Range(func(_, v any) bool {
		errs = append(errs, v.(*sql.Stmt).Close())
		return true
	})
	s.rightsMu.Lock()
	for _, st := range []*sql.Stmt{s.rights, s.wrights} {
		if st != nil {
			errs = append(errs, st.Close())
		}
	}
	s.rightsMu.Unlock()
	errs = append(errs, s.w.Close())
	if s.r != s.w {
		errs = append(errs, s.r.Close())
	}
	return errors.Join(errs...)
}

func ms(t time.Time) int64 { return t.UnixMilli() }

func fromMS(v int64) time.Time { return time.UnixMilli(v).UTC() }

// execOne runs a write that must change a row, else ErrNotFound.
func (s *db) execOne(ctx context.Context, notFound string, q query, args ...any) error {
	res, err := s.w.ExecContext(ctx, s.q(q), args...)
	if err != nil {
		return fmt.Errorf("store: %s: %w", notFound, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("store: %s: %w", notFound, err)
	} else if n == 0 {
		return fmt.Errorf("store: %s: %w", notFound, ErrNotFound)
	}
	return nil
}

var (
	qCreateUser     = sqlText("INSERT INTO users (name, pw, created) VALUES (?, ?, ?) RETURNING id")
	qUserByName     = sqlText("SELECT id, pw FROM users WHERE name = ?")
	qSetPassword    = sqlText("UPDATE users SET pw = ? WHERE id = ?")
	qSetSiteAdmin   = sqlText("UPDATE users SET site_admin = ? WHERE id = ?")
	qUsers          = sqlText("SELECT id, name, site_admin FROM users ORDER BY name{C}")
	qCreateSession  = sqlText("INSERT INTO sessions (token, user_id, expires) VALUES (?, ?, ?)")
	qSessionByToken = sqlText(`SELECT u.id, u.name, u.site_admin, s.expires FROM sessions s JOIN users u ON u.id = s.user_id
		WHERE s.token = ? AND s.expires > ?`)
	qDeleteSession  = sqlText("DELETE FROM sessions WHERE token = ?")
	qDeleteSessions = sqlText("DELETE FROM sessions WHERE user_id = ?")
	qDeleteExpired  = sqlText("DELETE FROM sessions WHERE expires <= ?")
)

// CreateUser implements Store.
func (s *db) CreateUser(ctx context.Context, name string, hash []byte) (model.User, error) {
	u := model.User{Name: name}
	err := s.w.QueryRowContext(ctx, s.q(qCreateUser), name, hash, ms(time.Now())).Scan(&u.ID)
	if isUnique(err) {
		return model.User{}, fmt.Errorf("store: create user %q: %w", name, ErrExists)
	}
	if err != nil {
		return model.User{}, fmt.Errorf("store: create user: %w", err)
	}
	return u, nil
}

// UserByName implements Store.
func (s *db) UserByName(ctx context.Context, name string) (model.User, []byte, error) {
	u := model.User{Name: name}
	var hash []byte
	err := s.r.QueryRowContext(ctx, s.q(qUserByName), name).Scan(&u.ID, &hash)
	if errors.Is(err, sql.ErrNoRows) {
		return u, nil, fmt.Errorf("store: user %q: %w", name, ErrNotFound)
	}
	if err != nil {
		return u, nil, fmt.Errorf("store: user by name: %w", err)
	}
	return u, hash, nil
}

// SetPassword implements Store.
func (s *db) SetPassword(ctx context.Context, userID int64, hash []byte) error {
	return s.execOne(ctx, fmt.Sprintf("set password of user %d", userID), qSetPassword, hash, userID)
}

// SetSiteAdmin implements Store.
func (s *db) SetSiteAdmin(ctx context.Context, userID int64, admin bool) error {
	return s.execOne(ctx, fmt.Sprintf("set site admin of user %d", userID), qSetSiteAdmin, admin, userID)
}

// Users implements Store.
func (s *db) Users(ctx context.Context) ([]Account, error) {
	out := []Account{}
	err := scanAll(ctx, s.r, "users", s.q(qUsers), nil, func(rows *sql.Rows) error {
		var a Account
		err := rows.Scan(&a.ID, &a.Name, &a.SiteAdmin)
		out = append(out, a)
		return err
	})
	return out, err
}

// CreateSession implements Store.
func (s *db) CreateSession(ctx context.Context, token []byte, userID int64, expires time.Time) error {
	if _, err := s.w.ExecContext(ctx, s.q(qCreateSession), token, userID, ms(expires)); err != nil {
		return fmt.Errorf("store: create session: %w", err)
	}
	return nil
}

// SessionByToken implements Store. Expired sessions are not found.
func (s *db) SessionByToken(ctx context.Context, token []byte) (Session, error) {
	var sess Session
	var exp int64
	err := s.r.QueryRowContext(ctx, s.q(qSessionByToken), token, ms(time.Now())).Scan(&sess.User.ID, &sess.User.Name, &sess.SiteAdmin, &exp)
	if errors.Is(err, sql.ErrNoRows) {
		return sess, fmt.Errorf("store: session: %w", ErrNotFound)
	}
	if err != nil {
		return sess, fmt.Errorf("store: session: %w", err)
	}
	sess.Expires = fromMS(exp)
	return sess, nil
}

// DeleteSession implements Store.
func (s *db) DeleteSession(ctx context.Context, token []byte) error {
	if _, err := s.w.ExecContext(ctx, s.q(qDeleteSession), token); err != nil {
		return fmt.Errorf("store: delete session: %w", err)
	}
	return nil
}

// DeleteSessions implements Store.
func (s *db) DeleteSessions(ctx context.Context, userID int64) error {
	if _, err := s.w.ExecContext(ctx, s.q(qDeleteSessions), userID); err != nil {
		return fmt.Errorf("store: delete sessions: %w", err)
	}
	return nil
}

// DeleteExpiredSessions implements Store.
func (s *db) DeleteExpiredSessions(ctx context.Context, now time.Time) (int64, error) {
	res, err := s.w.ExecContext(ctx, s.q(qDeleteExpired), ms(now))
	if err != nil {
		return 0, fmt.Errorf("store: delete expired sessions: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("store: delete expired sessions: %w", err)
	}
	return n, nil
}

var (
	qUserName          = sqlText("SELECT name FROM users WHERE id = ?")
	qCreateToken       = sqlText("INSERT INTO api_tokens (user_id, label, hash, created) VALUES (?, ?, ?, ?) RETURNING id")
	tokenCols          = "SELECT t.id, t.user_id, u.name, t.label, t.created FROM api_tokens t JOIN users u ON u.id = t.user_id"
	qTokens            = sqlText(tokenCols + " WHERE ? = 0 OR t.user_id = ? ORDER BY t.id")
	qToken             = sqlText(tokenCols + " WHERE t.id = ?")
	qDeleteToken       = sqlText("DELETE FROM api_tokens WHERE id = ?")
	qSessionByAPIToken = sqlText("SELECT u.id, u.name, u.site_admin FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.hash = ?")
)

// CreateAPIToken implements Store.
func (s *db) CreateAPIToken(ctx context.Context, userID int64, label string, hash []byte) (APIToken, error) {
	t := APIToken{UserID: userID, Label: label, Created: nowMS()}
	err := s.w.QueryRowContext(ctx, s.q(qUserName), userID).Scan(&t.User)
	if err == nil {
		err = s.w.QueryRowContext(ctx, s.q(qCreateToken), userID, label, hash, ms(t.Created)).Scan(&t.ID)
	}
	switch {
	case errors.Is(err, sql.ErrNoRows) || isForeignKey(err):
		return t, fmt.Errorf("store: create token for user %d: %w", userID, ErrNotFound)
	case isUnique(err):
		return t, fmt.Errorf("store: create token: %w", ErrExists)
	case err != nil:
		return t, fmt.Errorf("store: create token: %w", err)
	}
	return t, nil
}

func (s *db) tokens(ctx context.Context, q query, args ...any) ([]APIToken, error) {
	out := []APIToken{}
	err := scanAll(ctx, s.r, "tokens", s.q(q), args, func(rows *sql.Rows) error {
		var t APIToken
		var c int64
		err := rows.Scan(&t.ID, &t.UserID, &t.User, &t.Label, &c)
		t.Created = fromMS(c)
		out = append(out, t)
		return err
	})
	return out, err
}

// APITokens implements Store.
func (s *db) APITokens(ctx context.Context, userID int64) ([]APIToken, error) {
	return s.tokens(ctx, qTokens, userID, userID)
}

// APIToken implements Store.
func (s *db) APIToken(ctx context.Context, id int64) (APIToken, error) {
	ts, err := s.tokens(ctx, qToken, id)
	if err != nil {
		return APIToken{}, err
	}
	if len(ts) == 0 {
		return APIToken{}, fmt.Errorf("store: token %d: %w", id, ErrNotFound)
	}
	return ts[0], nil
}

// DeleteAPIToken implements Store.
func (s *db) DeleteAPIToken(ctx context.Context, id int64) error {
	return s.execOne(ctx, fmt.Sprintf("delete token %d", id), qDeleteToken, id)
}

// SessionByAPIToken implements Store.
func (s *db) SessionByAPIToken(ctx context.Context, hash []byte) (Session, error) {
	var sess Session
	err := s.r.QueryRowContext(ctx, s.q(qSessionByAPIToken), hash).Scan(&sess.User.ID, &sess.User.Name, &sess.SiteAdmin)
	if errors.Is(err, sql.ErrNoRows) {
		return sess, fmt.Errorf("store: token: %w", ErrNotFound)
	}
	if err != nil {
		return sess, fmt.Errorf("store: token: %w", err)
	}
	return sess, nil
}

var (
	qCreateProject = sqlText("INSERT INTO projects (name, schema) VALUES (?, ?) RETURNING id")
	qInsertMember  = sqlText("INSERT INTO members (project_id, user_id, role) VALUES (?, ?, ?)")
	qProject       = sqlText("SELECT id, name, schema FROM projects WHERE id = ?")
	qProjects      = sqlText("SELECT id, name, schema FROM projects ORDER BY id")
	qSetMember     = sqlText(`INSERT INTO members (project_id, user_id, role) VALUES (?, ?, ?)
		ON CONFLICT (project_id, user_id) DO UPDATE SET role = excluded.role`)
	qRole        = sqlText("SELECT role FROM members WHERE project_id = ? AND user_id = ?")
	qMemberships = sqlText(`SELECT p.id, p.name, p.schema, m.role FROM members m JOIN projects p ON p.id = m.project_id
		WHERE m.user_id = ? ORDER BY p.id`)
	qMembers = sqlText(`SELECT u.id, u.name, m.role FROM members m JOIN users u ON u.id = m.user_id
		WHERE m.project_id = ? ORDER BY u.name{C}`)
	qRemoveMember      = sqlText("DELETE FROM members WHERE project_id = ? AND user_id = ?")
	qRemoveAssignments = sqlText("DELETE FROM assignments WHERE user_id = ? AND doc_id IN (SELECT id FROM documents WHERE project_id = ?)")
)

// CreateProject implements Store.
func (s *db) CreateProject(ctx context.Context, name string, schema model.Schema, admins ...int64) (model.Project, error) {
	b, err := json.Marshal(schema)
	if err != nil {
		return model.Project{}, fmt.Errorf("store: encode schema: %w", err)
	}
	p := model.Project{Name: name, Schema: schema}
	err = s.inTx(ctx, "create project", func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, s.q(qCreateProject), name, string(b)).Scan(&p.ID); err != nil {
			return fmt.Errorf("store: create project: %w", err)
		}
		for _, u := range admins {
			if _, err := tx.ExecContext(ctx, s.q(qInsertMember), p.ID, u, string(model.RoleAdmin)); err != nil {
				return fmt.Errorf("store: create project: admin %d: %w", u, err)
			}
		}
		return nil
	})
	if err != nil {
		return model.Project{}, err
	}
	return p, nil
}

// inTx runs fn in a write transaction and commits it if fn succeeds.
func (s *db) inTx(ctx context.Context, what string, fn func(tx *sql.Tx) error) error {
	return s.inTxOn(ctx, s.w.BeginTx, what, fn)
}

// beginFunc starts a write transaction: the writer pool's BeginTx, or a
// connection's taken from it (sqlite_sync.go).
type beginFunc func(context.Context, *sql.TxOptions) (*sql.Tx, error)

// inTxOn is inTx in a transaction that begin starts.
func (s *db) inTxOn(ctx context.Context, begin beginFunc, what string, fn func(tx *sql.Tx) error) error {
	tx, err := begin(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: %s: %w", what, err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: %s: commit: %w", what, err)
	}
	return nil
}

// scanProject reads id, name, schema.
func scanProject(row interface{ Scan(...any) error }, p *model.Project, more ...any) error {
	var schema string
	if err := row.Scan(append([]any{&p.ID, &p.Name, &schema}, more...)...); err != nil {
		return err
	}
	if err := json.Unmarshal([]byte(schema), &p.Schema); err != nil {
		return fmt.Errorf("project %d schema: %w", p.ID, err)
	}
	return nil
}

// Project implements Store.
func (s *db) Project(ctx context.Context, id int64) (model.Project, error) {
	p := model.Project{ID: id}
	err := scanProject(s.r.QueryRowContext(ctx, s.q(qProject), id), &p)
	if errors.Is(err, sql.ErrNoRows) {
		return p, fmt.Errorf("store: project %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return p, fmt.Errorf("store: project: %w", err)
	}
	return p, nil
}

// Projects implements Store.
func (s *db) Projects(ctx context.Context) ([]model.Project, error) {
	out := []model.Project{}
	err := scanAll(ctx, s.r, "projects", s.q(qProjects), nil, func(rows *sql.Rows) error {
		var p model.Project
		err := scanProject(rows, &p)
		out = append(out, p)
		return err
	})
	return out, err
}

// SetMember implements Store.
func (s *db) SetMember(ctx context.Context, projectID, userID int64, role model.Role) error {
	if _, err := s.w.ExecContext(ctx, s.q(qSetMember), projectID, userID, string(role)); err != nil {
		return fmt.Errorf("store: set member: %w", err)
	}
	return nil
}

// Role implements Store.
func (s *db) Role(ctx context.Context, projectID, userID int64) (model.Role, error) {
	var role string
	err := s.r.QueryRowContext(ctx, s.q(qRole), projectID, userID).Scan(&role)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("store: role of user %d in project %d: %w", userID, projectID, ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("store: role: %w", err)
	}
	return model.Role(role), nil
}

// Memberships implements Store.
func (s *db) Memberships(ctx context.Context, userID int64) ([]Member, error) {
	out := []Member{}
	err := scanAll(ctx, s.r, "memberships", s.q(qMemberships), []any{userID}, func(rows *sql.Rows) error {
		var m Member
		var role string
		err := scanProject(rows, &m.Project, &role)
		m.Role = model.Role(role)
		out = append(out, m)
		return err
	})
	return out, err
}

// Members implements Store.
func (s *db) Members(ctx context.Context, projectID int64) ([]ProjectMember, error) {
	out := []ProjectMember{}
	err := scanAll(ctx, s.r, "members", s.q(qMembers), []any{projectID}, func(rows *sql.Rows) error {
		var m ProjectMember
		var role string
		err := rows.Scan(&m.User.ID, &m.User.Name, &role)
		m.Role = model.Role(role)
		out = append(out, m)
		return err
	})
	return out, err
}

// RemoveMember implements Store.
func (s *db) RemoveMember(ctx context.Context, projectID, userID int64) error {
	return s.inTx(ctx, "remove member", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(qRemoveMember), projectID, userID)
		if err != nil {
			return fmt.Errorf("store: remove member: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("store: remove member: %w", err)
		} else if n == 0 {
			return fmt.Errorf("store: user %d in project %d: %w", userID, projectID, ErrNotFound)
		}
		if _, err := tx.ExecContext(ctx, s.q(qRemoveAssignments), userID, projectID); err != nil {
			return fmt.Errorf("store: remove member's assignments: %w", err)
		}
		return nil
	})
}

var (
	qInsertDocument = sqlText("INSERT INTO documents (project_id, name, text, chars, meta) VALUES (?, ?, ?, ?, ?) RETURNING id")
	qDocument       = sqlText("SELECT project_id, name, text, meta FROM documents WHERE id = ?")
	qDocuments      = sqlText(`SELECT d.id, d.name, d.chars, (SELECT count(*) FROM annotations a WHERE a.doc_id = d.id)
		FROM documents d WHERE d.project_id = ? ORDER BY d.id`)
)

// AddDocuments implements Store.
func (s *db) AddDocuments(ctx context.Context, projectID int64, docs []model.Document) ([]model.Document, error) {
	nd := make([]NewDocument, len(docs))
	for i, d := range docs {
		nd[i].Document = d
	}
	return s.ImportDocuments(ctx, projectID, nd)
}

// ImportDocuments implements Store.
func (s *db) ImportDocuments(ctx context.Context, projectID int64, docs []NewDocument) ([]model.Document, error) {
	out := make([]model.Document, len(docs))
	err := s.inTx(ctx, "add documents", func(tx *sql.Tx) error {
		for i, nd := range docs {
			d := nd.Document
			meta, err := json.Marshal(d.Meta)
			if err != nil {
				return fmt.Errorf("store: add document %q meta: %w", d.Name, err)
			}
			if d.Meta == nil {
				meta = []byte("{}")
			}
			if err := tx.QueryRowContext(ctx, s.q(qInsertDocument), projectID, d.Name, []byte(d.Text), utf8.RuneCountInString(d.Text), string(meta)).Scan(&d.ID); err != nil {
				return fmt.Errorf("store: add document %q: %w", d.Name, err)
			}
			d.ProjectID = projectID
			out[i] = d
			if len(nd.Annotations) > 0 {
				steps, err := s.commitSteps(d.ID, 0, importOps(d.ID, nd.Annotations))
				if err == nil {
					_, err = s.execSteps(ctx, tx, steps)
				}
				if err != nil {
					return fmt.Errorf("store: add document %q: %w", d.Name, err)
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Document implements Store.
func (s *db) Document(ctx context.Context, id int64) (model.Document, error) {
	d := model.Document{ID: id}
	var text []byte
	var meta string
	err := s.r.QueryRowContext(ctx, s.q(qDocument), id).Scan(&d.ProjectID, &d.Name, &text, &meta)
	if errors.Is(err, sql.ErrNoRows) {
		return d, fmt.Errorf("store: document %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return d, fmt.Errorf("store: document: %w", err)
	}
	d.Text = string(text)
	if err := json.Unmarshal([]byte(meta), &d.Meta); err != nil {
		return d, fmt.Errorf("store: document %d meta: %w", id, err)
	}
	return d, nil
}

// Documents implements Store.
func (s *db) Documents(ctx context.Context, projectID int64) ([]DocumentInfo, error) {
	out := []DocumentInfo{}
	err := scanAll(ctx, s.r, "documents", s.q(qDocuments), []any{projectID}, func(rows *sql.Rows) error {
		var d DocumentInfo
		err := rows.Scan(&d.ID, &d.Name, &d.Chars, &d.Annotations)
		out = append(out, d)
		return err
	})
	return out, err
}

var (
	qSetAssigned = sqlText(`INSERT INTO assignments (doc_id, user_id, done, updated) VALUES (?, ?, ?, ?)
		ON CONFLICT (doc_id, user_id) DO NOTHING`)
	qUnassign = sqlText("DELETE FROM assignments WHERE doc_id = ? AND user_id = ?")
	qSetDone  = sqlText(`INSERT INTO assignments (doc_id, user_id, done, updated) VALUES (?, ?, ?, ?)
		ON CONFLICT (doc_id, user_id) DO UPDATE SET done = excluded.done, updated = excluded.updated`)
	qMarkDone    = sqlText("UPDATE assignments SET done = ?, updated = ? WHERE doc_id = ? AND user_id = ?")
	qAssignments = sqlText(`SELECT s.doc_id, s.user_id, u.name, s.done, s.updated FROM assignments s
		JOIN documents d ON d.id = s.doc_id JOIN users u ON u.id = s.user_id
		WHERE d.project_id = ? ORDER BY s.doc_id, u.name{C}`)
	qSpanCounts = sqlText(`SELECT a.doc_id, a.layer, a.label, count(*) FROM annotations a
		JOIN documents d ON d.id = a.doc_id WHERE d.project_id = ?
		GROUP BY a.doc_id, a.layer, a.label ORDER BY a.doc_id, a.layer{C}, a.label{C}`)
	qProjectSettings = sqlText(`SELECT COALESCE((SELECT settings FROM project_settings WHERE project_id = p.id), '{}')
		FROM projects p WHERE p.id = ?`)
	qSetProjectSettings = sqlText(`INSERT INTO project_settings (project_id, settings) VALUES (?, ?)
		ON CONFLICT (project_id) DO UPDATE SET settings = excluded.settings`)
)

// SetAssigned implements Store.
func (s *db) SetAssigned(ctx context.Context, docID, userID int64, assigned bool) error {
	var err error
	if assigned {
		_, err = s.w.ExecContext(ctx, s.q(qSetAssigned), docID, userID, false, ms(time.Now()))
	} else {
		_, err = s.w.ExecContext(ctx, s.q(qUnassign), docID, userID)
	}
	if isForeignKey(err) {
		return fmt.Errorf("store: assign document %d to user %d: %w", docID, userID, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("store: assign: %w", err)
	}
	return nil
}

// SetDone implements Store.
func (s *db) SetDone(ctx context.Context, docID, userID int64, done bool) error {
	_, err := s.w.ExecContext(ctx, s.q(qSetDone), docID, userID, done, ms(time.Now()))
	if isForeignKey(err) {
		return fmt.Errorf("store: mark document %d done for user %d: %w", docID, userID, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("store: mark done: %w", err)
	}
	return nil
}

// MarkDone implements Store.
func (s *db) MarkDone(ctx context.Context, docID, userID int64, done bool) error {
	return s.execOne(ctx, fmt.Sprintf("mark document %d done for user %d: not assigned", docID, userID), qMarkDone, done, ms(time.Now()), docID, userID)
}

// Assignments implements Store.
func (s *db) Assignments(ctx context.Context, projectID int64) ([]Assignment, error) {
	out := []Assignment{}
	err := scanAll(ctx, s.r, "assignments", s.q(qAssignments), []any{projectID}, func(rows *sql.Rows) error {
		var a Assignment
		var u int64
		err := rows.Scan(&a.Document, &a.UserID, &a.User, &a.Done, &u)
		a.Updated = fromMS(u)
		out = append(out, a)
		return err
	})
	return out, err
}

// SpanCounts implements Store.
func (s *db) SpanCounts(ctx context.Context, projectID int64) ([]SpanCount, error) {
	out := []SpanCount{}
	err := scanAll(ctx, s.r, "span counts", s.q(qSpanCounts), []any{projectID}, func(rows *sql.Rows) error {
		var c SpanCount
		err := rows.Scan(&c.Document, &c.Layer, &c.Label, &c.Count)
		out = append(out, c)
		return err
	})
	return out, err
}

// ProjectSettings implements Store.
func (s *db) ProjectSettings(ctx context.Context, projectID int64) (model.Settings, error) {
	var js string
	var out model.Settings
	err := s.r.QueryRowContext(ctx, s.q(qProjectSettings), projectID).Scan(&js)
	if errors.Is(err, sql.ErrNoRows) {
		return out, fmt.Errorf("store: project %d: %w", projectID, ErrNotFound)
	}
	if err != nil {
		return out, fmt.Errorf("store: project settings: %w", err)
	}
	if err := json.Unmarshal([]byte(js), &out); err != nil {
		return out, fmt.Errorf("store: project %d settings: %w", projectID, err)
	}
	return out, nil
}

// SetProjectSettings implements Store.
func (s *db) SetProjectSettings(ctx context.Context, projectID int64, st model.Settings) error {
	js, err := json.Marshal(st)
	if err != nil {
		return fmt.Errorf("store: encode settings: %w", err)
	}
	_, err = s.w.ExecContext(ctx, s.q(qSetProjectSettings), projectID, string(js))
	if isForeignKey(err) {
		return fmt.Errorf("store: project %d: %w", projectID, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("store: set project settings: %w", err)
	}
	return nil
}

var (
	qDocSeq         = sqlText("SELECT seq FROM documents WHERE id = ?")
	qSnapshotAnns   = sqlText("SELECT " + annCols("") + ` FROM annotations WHERE doc_id = ? ORDER BY start, "end" DESC, id{C}`)
	qSnapshotRels   = sqlText("SELECT id, layer, type, from_id, to_id, author, version, created FROM relations WHERE doc_id = ? ORDER BY id{C}")
	qSnapshotReview = sqlText("SELECT ann_id, status, reviewer, reviewed_at, source, proposer, gold FROM reviews WHERE doc_id = ? ORDER BY ann_id{C}")
	qSnapshotComms  = sqlText("SELECT id, target, text, author, created FROM comments WHERE doc_id = ? ORDER BY created, id{C}")
	qSnapshotDocRev = sqlText("SELECT status, reviewer, reviewed_at FROM doc_reviews WHERE doc_id = ?")
	qOpsSince       = sqlText("SELECT body FROM ops WHERE doc_id = ? AND seq > ? ORDER BY seq LIMIT ?")
)

// annCols are the columns scanAnn reads, of the table aliased p.
func annCols(p string) string {
	return strings.NewReplacer("_.", p).Replace(`_.id, _.layer, _.label, _.start, _."end", _.quote, _.author, _.version, _.created, _.updated, COALESCE(_.attrs, '')`)
}

// scanAnn reads annCols, after any more columns.
func scanAnn(rows *sql.Rows, a *model.Annotation, more ...any) error {
	var quote []byte
	var c, u int64
	var attrs string
	if err := rows.Scan(append(more, &a.ID, &a.Layer, &a.Label, &a.Start, &a.End, &quote, &a.Author, &a.Version, &c, &u, &attrs)...); err != nil {
		return err
	}
	a.Quote, a.Created, a.Updated = string(quote), fromMS(c), fromMS(u)
	var err error
	if a.Attrs, err = parseAttrs(attrs); err != nil {
		return fmt.Errorf("annotation %s: %w", a.ID, err)
	}
	return nil
}

// Snapshot implements Store. It reads in one transaction (repeatable
// read on PostgreSQL, where other instances commit meanwhile) so that
// the seq and every table agree.
func (s *db) Snapshot(ctx context.Context, docID int64) (Snapshot, error) {
	var snap Snapshot
	tx, err := s.r.BeginTx(ctx, s.d.snapshotTx)
	if err != nil {
		return snap, fmt.Errorf("store: snapshot: %w", err)
	}
	defer tx.Rollback()
	if err := tx.QueryRowContext(ctx, s.q(qDocSeq), docID).Scan(&snap.Seq); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return snap, fmt.Errorf("store: snapshot of document %d: %w", docID, ErrNotFound)
		}
		return snap, fmt.Errorf("store: snapshot: %w", err)
	}
	args := []any{docID}
	err = scanAll(ctx, tx, "snapshot annotations", s.q(qSnapshotAnns), args, func(rows *sql.Rows) error {
		a := model.Annotation{Document: docID}
		err := scanAnn(rows, &a)
		snap.Annotations = append(snap.Annotations, a)
		return err
	})
	if err != nil {
		return snap, err
	}
	err = scanAll(ctx, tx, "snapshot relations", s.q(qSnapshotRels), args, func(rows *sql.Rows) error {
		r := model.Relation{Document: docID}
		var c int64
		err := rows.Scan(&r.ID, &r.Layer, &r.Type, &r.From, &r.To, &r.Author, &r.Version, &c)
		r.Created = fromMS(c)
		snap.Relations = append(snap.Relations, r)
		return err
	})
	if err != nil {
		return snap, err
	}
	err = scanAll(ctx, tx, "snapshot reviews", s.q(qSnapshotReview), args, func(rows *sql.Rows) error {
		var r model.Review
		var status string
		var at int64
		err := rows.Scan(&r.Annotation, &status, &r.Reviewer, &at, &r.Source, &r.Proposer, &r.Gold)
		r.Status, r.Time = model.ReviewStatus(status), fromMS(at)
		snap.Reviews = append(snap.Reviews, r)
		return err
	})
	if err != nil {
		return snap, err
	}
	err = scanAll(ctx, tx, "snapshot comments", s.q(qSnapshotComms), args, func(rows *sql.Rows) error {
		c := model.Comment{Document: docID}
		var text []byte
		var created int64
		err := rows.Scan(&c.ID, &c.Target, &text, &c.Author, &created)
		c.Text, c.Created = string(text), fromMS(created)
		snap.Comments = append(snap.Comments, c)
		return err
	})
	if err != nil {
		return snap, err
	}
	var status string
	var at int64
	err = tx.QueryRowContext(ctx, s.q(qSnapshotDocRev), docID).Scan(&status, &snap.DocReview.Reviewer, &at)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		snap.DocReview = model.DocReview{}
	case err != nil:
		return snap, fmt.Errorf("store: snapshot document review status: %w", err)
	default:
		snap.DocReview.Status, snap.DocReview.Time = model.DocStatus(status), fromMS(at)
	}
	return snap, nil
}

// OpsSince implements Store.
func (s *db) OpsSince(ctx context.Context, docID, since int64, limit int) ([]protocol.Op, error) {
	var out []protocol.Op
	err := scanAll(ctx, s.r, "ops since", s.q(qOpsSince), []any{docID, since, limit}, func(rows *sql.Rows) error {
		var body string
		if err := rows.Scan(&body); err != nil {
			return err
		}
		op, err := decodeOp(body)
		out = append(out, op)
		return err
	})
	return out, err
}

// OpSeqs implements Store. It asks in chunks, under SQLite's limit of
// bound parameters.
func (s *db) OpSeqs(ctx context.Context, docID int64, opIDs []string) (map[string]int64, error) {
	return seqsByKey(ctx, s, "op seqs", func(in string) string {
		return "SELECT op_id, seq FROM ops WHERE doc_id = ? AND op_id IN (" + in + ")"
	}, []any{docID}, opIDs)
}

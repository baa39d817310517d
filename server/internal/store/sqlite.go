package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"gloss/shared/model"
	"gloss/shared/protocol"

	_ "modernc.org/sqlite" // registers the "sqlite" driver (pure Go, no cgo)
)

// SQLite is the embedded store. Durability: WAL journal with
// synchronous=FULL, so a commit is on disk (the WAL is fsynced) before
// Commit returns and an op is acknowledged. Throughput comes from group
// commit in the hub (many ops share one transaction), not from relaxing
// the fsync.
//
// Writes go through a single connection (SQLite has one writer at a time
// anyway, and queueing in Go is cheaper than SQLITE_BUSY retries); reads use
// a pool that WAL lets run beside the writer.
type SQLite struct {
	w, r  *sql.DB
	epoch string
	stop  func() // stops the watcher of the write connection (sqlite_recover.go)
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
	w, err := sql.Open("sqlite", dsn)
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
	s := &SQLite{w: w, r: r}
	if err := s.migrate(ctx); err != nil {
		s.Close()
		return nil, err
	}
	s.stop = s.watchWritable(path)
	return s, nil
}

var sqliteMigrations = []string{
	`CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
	CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, pw BLOB NOT NULL, created INTEGER NOT NULL);
	CREATE TABLE sessions (token BLOB PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE, expires INTEGER NOT NULL);
	CREATE TABLE projects (id INTEGER PRIMARY KEY, name TEXT NOT NULL, schema TEXT NOT NULL);
	CREATE TABLE members (project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
		user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE, role TEXT NOT NULL,
		PRIMARY KEY (project_id, user_id));
	CREATE TABLE documents (id INTEGER PRIMARY KEY, project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
		name TEXT NOT NULL, text BLOB NOT NULL, chars INTEGER NOT NULL, meta TEXT NOT NULL DEFAULT '{}', seq INTEGER NOT NULL DEFAULT 0);
	CREATE INDEX documents_project ON documents(project_id);
	CREATE TABLE annotations (doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE, id TEXT NOT NULL,
		layer TEXT NOT NULL, label TEXT NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL, quote TEXT NOT NULL,
		author TEXT NOT NULL, version INTEGER NOT NULL, created INTEGER NOT NULL, updated INTEGER NOT NULL,
		PRIMARY KEY (doc_id, id)) WITHOUT ROWID;
	CREATE TABLE relations (doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE, id TEXT NOT NULL,
		layer TEXT NOT NULL, type TEXT NOT NULL, from_id TEXT NOT NULL, to_id TEXT NOT NULL, author TEXT NOT NULL,
		version INTEGER NOT NULL, created INTEGER NOT NULL, PRIMARY KEY (doc_id, id)) WITHOUT ROWID;
	CREATE TABLE ops (doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE, seq INTEGER NOT NULL,
		op_id TEXT NOT NULL, body TEXT NOT NULL, PRIMARY KEY (doc_id, seq)) WITHOUT ROWID;
	CREATE UNIQUE INDEX ops_op_id ON ops(doc_id, op_id);`,
	// 2: site admins (the admins of existing projects become ones, as they
	// were the most trusted users before), API tokens, assignments.
	`ALTER TABLE users ADD COLUMN site_admin INTEGER NOT NULL DEFAULT 0;
	UPDATE users SET site_admin = 1 WHERE id IN (SELECT user_id FROM members WHERE role = 'admin');
	CREATE INDEX sessions_user ON sessions(user_id);
	CREATE TABLE api_tokens (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
		label TEXT NOT NULL, hash BLOB NOT NULL UNIQUE, created INTEGER NOT NULL);
	CREATE INDEX api_tokens_user ON api_tokens(user_id);
	CREATE TABLE assignments (doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
		user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE, done INTEGER NOT NULL DEFAULT 0,
		updated INTEGER NOT NULL, PRIMARY KEY (doc_id, user_id)) WITHOUT ROWID;
	CREATE INDEX assignments_user ON assignments(user_id);`,
	// 3: review and adjudication (review.go): review records by
	// annotation, comment threads, documents' review status.
	`CREATE TABLE reviews (doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE, ann_id TEXT NOT NULL,
		status TEXT NOT NULL, reviewer TEXT NOT NULL, reviewed_at INTEGER NOT NULL, source TEXT NOT NULL,
		proposer TEXT NOT NULL, gold TEXT NOT NULL, PRIMARY KEY (doc_id, ann_id)) WITHOUT ROWID;
	CREATE TABLE comments (doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE, id TEXT NOT NULL,
		target TEXT NOT NULL, text TEXT NOT NULL, author TEXT NOT NULL, created INTEGER NOT NULL,
		PRIMARY KEY (doc_id, id)) WITHOUT ROWID;
	CREATE INDEX comments_target ON comments(doc_id, target);
	CREATE TABLE doc_reviews (doc_id INTEGER PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
		status TEXT NOT NULL, reviewer TEXT NOT NULL, reviewed_at INTEGER NOT NULL);`,
	// 4: figures' and attributions' structured fields (model.Attrs) as
	// JSON, NULL when a span has none.
	`ALTER TABLE annotations ADD COLUMN attrs TEXT;`,
	// 5: project settings (settings.go), JSON; no row means defaults.
	`CREATE TABLE project_settings (project_id INTEGER PRIMARY KEY REFERENCES projects(id) ON DELETE CASCADE, settings TEXT NOT NULL);`,
}

func (s *SQLite) migrate(ctx context.Context) error {
	var v int
	if err := s.w.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return fmt.Errorf("store: read schema version: %w", err)
	}
	for i := v; i < len(sqliteMigrations); i++ {
		tx, err := s.w.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("store: migrate: %w", err)
		}
		if _, err := tx.ExecContext(ctx, sqliteMigrations[i]); err != nil {
			tx.Rollback()
			return fmt.Errorf("store: migration %d: %w", i+1, err)
		}
		if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", i+1)); err != nil {
			tx.Rollback()
			return fmt.Errorf("store: migration %d: %w", i+1, err)
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("store: migration %d: %w", i+1, err)
		}
	}
	err := s.r.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = 'epoch'").Scan(&s.epoch)
	if errors.Is(err, sql.ErrNoRows) {
		s.epoch = newEpoch()
		_, err = s.w.ExecContext(ctx, "INSERT INTO meta (key, value) VALUES ('epoch', ?)", s.epoch)
	}
	if err != nil {
		return fmt.Errorf("store: epoch: %w", err)
	}
	return nil
}

func newEpoch() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// Epoch implements Store.
func (s *SQLite) Epoch() string { return s.epoch }

// Close implements Store.
func (s *SQLite) Close() error {
	if s.stop != nil {
		s.stop()
	}
	err1 := s.w.Close()
	err2 := s.r.Close()
	return errors.Join(err1, err2)
}

func ms(t time.Time) int64 { return t.UnixMilli() }

func fromMS(v int64) time.Time { return time.UnixMilli(v).UTC() }

func isUnique(err error) bool {
	return err != nil && (strings.Contains(err.Error(), "UNIQUE constraint") || strings.Contains(err.Error(), "duplicate key"))
}

func isForeignKey(err error) bool {
	return err != nil && strings.Contains(err.Error(), "FOREIGN KEY constraint")
}

// placeholders returns "?,?,…" for n values and the values as arguments.
func placeholders[T any](vs []T) (string, []any) {
	args := make([]any, len(vs))
	for i, v := range vs {
		args[i] = v
	}
	return strings.TrimSuffix(strings.Repeat("?,", len(vs)), ","), args
}

// CreateUser implements Store.
func (s *SQLite) CreateUser(ctx context.Context, name string, hash []byte) (model.User, error) {
	res, err := s.w.ExecContext(ctx, "INSERT INTO users (name, pw, created) VALUES (?, ?, ?)", name, hash, ms(time.Now()))
	if isUnique(err) {
		return model.User{}, fmt.Errorf("store: create user %q: %w", name, ErrExists)
	}
	if err != nil {
		return model.User{}, fmt.Errorf("store: create user: %w", err)
	}
	id, _ := res.LastInsertId()
	return model.User{ID: id, Name: name}, nil
}

// UserByName implements Store.
func (s *SQLite) UserByName(ctx context.Context, name string) (model.User, []byte, error) {
	u := model.User{Name: name}
	var hash []byte
	err := s.r.QueryRowContext(ctx, "SELECT id, pw FROM users WHERE name = ?", name).Scan(&u.ID, &hash)
	if errors.Is(err, sql.ErrNoRows) {
		return u, nil, fmt.Errorf("store: user %q: %w", name, ErrNotFound)
	}
	if err != nil {
		return u, nil, fmt.Errorf("store: user by name: %w", err)
	}
	return u, hash, nil
}

// SetPassword implements Store.
func (s *SQLite) SetPassword(ctx context.Context, userID int64, hash []byte) error {
	res, err := s.w.ExecContext(ctx, "UPDATE users SET pw = ? WHERE id = ?", hash, userID)
	if err != nil {
		return fmt.Errorf("store: set password: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("store: set password of user %d: %w", userID, ErrNotFound)
	}
	return nil
}

// SetSiteAdmin implements Store.
func (s *SQLite) SetSiteAdmin(ctx context.Context, userID int64, admin bool) error {
	res, err := s.w.ExecContext(ctx, "UPDATE users SET site_admin = ? WHERE id = ?", admin, userID)
	if err != nil {
		return fmt.Errorf("store: set site admin: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("store: set site admin of user %d: %w", userID, ErrNotFound)
	}
	return nil
}

// Users implements Store.
func (s *SQLite) Users(ctx context.Context) ([]Account, error) {
	rows, err := s.r.QueryContext(ctx, "SELECT id, name, site_admin FROM users ORDER BY name")
	if err != nil {
		return nil, fmt.Errorf("store: users: %w", err)
	}
	defer rows.Close()
	out := []Account{}
	for rows.Next() {
		var a Account
		if err := rows.Scan(&a.ID, &a.Name, &a.SiteAdmin); err != nil {
			return nil, fmt.Errorf("store: users: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// CreateSession implements Store.
func (s *SQLite) CreateSession(ctx context.Context, token []byte, userID int64, expires time.Time) error {
	if _, err := s.w.ExecContext(ctx, "INSERT INTO sessions (token, user_id, expires) VALUES (?, ?, ?)", token, userID, ms(expires)); err != nil {
		return fmt.Errorf("store: create session: %w", err)
	}
	return nil
}

// SessionByToken implements Store. Expired sessions are not found.
func (s *SQLite) SessionByToken(ctx context.Context, token []byte) (Session, error) {
	var sess Session
	var exp int64
	err := s.r.QueryRowContext(ctx, `SELECT u.id, u.name, u.site_admin, s.expires FROM sessions s JOIN users u ON u.id = s.user_id
		WHERE s.token = ? AND s.expires > ?`, token, ms(time.Now())).Scan(&sess.User.ID, &sess.User.Name, &sess.SiteAdmin, &exp)
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
func (s *SQLite) DeleteSession(ctx context.Context, token []byte) error {
	if _, err := s.w.ExecContext(ctx, "DELETE FROM sessions WHERE token = ?", token); err != nil {
		return fmt.Errorf("store: delete session: %w", err)
	}
	return nil
}

// DeleteSessions implements Store.
func (s *SQLite) DeleteSessions(ctx context.Context, userID int64) error {
	if _, err := s.w.ExecContext(ctx, "DELETE FROM sessions WHERE user_id = ?", userID); err != nil {
		return fmt.Errorf("store: delete sessions: %w", err)
	}
	return nil
}

// CreateAPIToken implements Store.
func (s *SQLite) CreateAPIToken(ctx context.Context, userID int64, label string, hash []byte) (APIToken, error) {
	t := APIToken{UserID: userID, Label: label, Created: nowMS()}
	if err := s.w.QueryRowContext(ctx, "SELECT name FROM users WHERE id = ?", userID).Scan(&t.User); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return t, fmt.Errorf("store: create token for user %d: %w", userID, ErrNotFound)
		}
		return t, fmt.Errorf("store: create token: %w", err)
	}
	res, err := s.w.ExecContext(ctx, "INSERT INTO api_tokens (user_id, label, hash, created) VALUES (?, ?, ?, ?)", userID, label, hash, ms(t.Created))
	if isUnique(err) {
		return t, fmt.Errorf("store: create token: %w", ErrExists)
	}
	if err != nil {
		return t, fmt.Errorf("store: create token: %w", err)
	}
	t.ID, _ = res.LastInsertId()
	return t, nil
}

const sqliteTokenCols = "SELECT t.id, t.user_id, u.name, t.label, t.created FROM api_tokens t JOIN users u ON u.id = t.user_id"

func scanTokens(rows *sql.Rows) ([]APIToken, error) {
	defer rows.Close()
	out := []APIToken{}
	for rows.Next() {
		var t APIToken
		var c int64
		if err := rows.Scan(&t.ID, &t.UserID, &t.User, &t.Label, &c); err != nil {
			return nil, fmt.Errorf("store: tokens: %w", err)
		}
		t.Created = fromMS(c)
		out = append(out, t)
	}
	return out, rows.Err()
}

// APITokens implements Store.
func (s *SQLite) APITokens(ctx context.Context, userID int64) ([]APIToken, error) {
	rows, err := s.r.QueryContext(ctx, sqliteTokenCols+" WHERE ? = 0 OR t.user_id = ? ORDER BY t.id", userID, userID)
	if err != nil {
		return nil, fmt.Errorf("store: tokens: %w", err)
	}
	return scanTokens(rows)
}

// APIToken implements Store.
func (s *SQLite) APIToken(ctx context.Context, id int64) (APIToken, error) {
	rows, err := s.r.QueryContext(ctx, sqliteTokenCols+" WHERE t.id = ?", id)
	if err != nil {
		return APIToken{}, fmt.Errorf("store: token: %w", err)
	}
	ts, err := scanTokens(rows)
	if err != nil {
		return APIToken{}, err
	}
	if len(ts) == 0 {
		return APIToken{}, fmt.Errorf("store: token %d: %w", id, ErrNotFound)
	}
	return ts[0], nil
}

// DeleteAPIToken implements Store.
func (s *SQLite) DeleteAPIToken(ctx context.Context, id int64) error {
	res, err := s.w.ExecContext(ctx, "DELETE FROM api_tokens WHERE id = ?", id)
	if err != nil {
		return fmt.Errorf("store: delete token: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("store: delete token %d: %w", id, ErrNotFound)
	}
	return nil
}

// SessionByAPIToken implements Store.
func (s *SQLite) SessionByAPIToken(ctx context.Context, hash []byte) (Session, error) {
	var sess Session
	err := s.r.QueryRowContext(ctx, `SELECT u.id, u.name, u.site_admin FROM api_tokens t JOIN users u ON u.id = t.user_id
		WHERE t.hash = ?`, hash).Scan(&sess.User.ID, &sess.User.Name, &sess.SiteAdmin)
	if errors.Is(err, sql.ErrNoRows) {
		return sess, fmt.Errorf("store: token: %w", ErrNotFound)
	}
	if err != nil {
		return sess, fmt.Errorf("store: token: %w", err)
	}
	return sess, nil
}

// CreateProject implements Store.
func (s *SQLite) CreateProject(ctx context.Context, name string, schema model.Schema, admins ...int64) (model.Project, error) {
	b, err := json.Marshal(schema)
	if err != nil {
		return model.Project{}, fmt.Errorf("store: encode schema: %w", err)
	}
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return model.Project{}, fmt.Errorf("store: create project: %w", err)
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, "INSERT INTO projects (name, schema) VALUES (?, ?)", name, string(b))
	if err != nil {
		return model.Project{}, fmt.Errorf("store: create project: %w", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return model.Project{}, fmt.Errorf("store: create project: %w", err)
	}
	for _, u := range admins {
		if _, err := tx.ExecContext(ctx, "INSERT INTO members (project_id, user_id, role) VALUES (?, ?, ?)", id, u, string(model.RoleAdmin)); err != nil {
			return model.Project{}, fmt.Errorf("store: create project: admin %d: %w", u, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return model.Project{}, fmt.Errorf("store: create project: %w", err)
	}
	return model.Project{ID: id, Name: name, Schema: schema}, nil
}

// Project implements Store.
func (s *SQLite) Project(ctx context.Context, id int64) (model.Project, error) {
	p := model.Project{ID: id}
	var schema string
	err := s.r.QueryRowContext(ctx, "SELECT name, schema FROM projects WHERE id = ?", id).Scan(&p.Name, &schema)
	if errors.Is(err, sql.ErrNoRows) {
		return p, fmt.Errorf("store: project %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return p, fmt.Errorf("store: project: %w", err)
	}
	if err := json.Unmarshal([]byte(schema), &p.Schema); err != nil {
		return p, fmt.Errorf("store: project %d schema: %w", id, err)
	}
	return p, nil
}

// Projects implements Store.
func (s *SQLite) Projects(ctx context.Context) ([]model.Project, error) {
	rows, err := s.r.QueryContext(ctx, "SELECT id FROM projects ORDER BY id")
	if err != nil {
		return nil, fmt.Errorf("store: projects: %w", err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: projects: %w", err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	out := make([]model.Project, 0, len(ids))
	for _, id := range ids {
		p, err := s.Project(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// SetMember implements Store.
func (s *SQLite) SetMember(ctx context.Context, projectID, userID int64, role model.Role) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO members (project_id, user_id, role) VALUES (?, ?, ?)
		ON CONFLICT (project_id, user_id) DO UPDATE SET role = excluded.role`, projectID, userID, string(role))
	if err != nil {
		return fmt.Errorf("store: set member: %w", err)
	}
	return nil
}

// Role implements Store.
func (s *SQLite) Role(ctx context.Context, projectID, userID int64) (model.Role, error) {
	var role string
	err := s.r.QueryRowContext(ctx, "SELECT role FROM members WHERE project_id = ? AND user_id = ?", projectID, userID).Scan(&role)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("store: role of user %d in project %d: %w", userID, projectID, ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("store: role: %w", err)
	}
	return model.Role(role), nil
}

// Memberships implements Store.
func (s *SQLite) Memberships(ctx context.Context, userID int64) ([]Member, error) {
	rows, err := s.r.QueryContext(ctx, "SELECT project_id, role FROM members WHERE user_id = ? ORDER BY project_id", userID)
	if err != nil {
		return nil, fmt.Errorf("store: memberships: %w", err)
	}
	type pr struct {
		id   int64
		role string
	}
	var prs []pr
	for rows.Next() {
		var x pr
		if err := rows.Scan(&x.id, &x.role); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: memberships: %w", err)
		}
		prs = append(prs, x)
	}
	rows.Close()
	out := make([]Member, 0, len(prs))
	for _, x := range prs {
		p, err := s.Project(ctx, x.id)
		if err != nil {
			return nil, err
		}
		out = append(out, Member{Project: p, Role: model.Role(x.role)})
	}
	return out, nil
}

// Members implements Store.
func (s *SQLite) Members(ctx context.Context, projectID int64) ([]ProjectMember, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT u.id, u.name, m.role FROM members m JOIN users u ON u.id = m.user_id
		WHERE m.project_id = ? ORDER BY u.name`, projectID)
	if err != nil {
		return nil, fmt.Errorf("store: members: %w", err)
	}
	defer rows.Close()
	out := []ProjectMember{}
	for rows.Next() {
		var m ProjectMember
		var role string
		if err := rows.Scan(&m.User.ID, &m.User.Name, &role); err != nil {
			return nil, fmt.Errorf("store: members: %w", err)
		}
		m.Role = model.Role(role)
		out = append(out, m)
	}
	return out, rows.Err()
}

// RemoveMember implements Store.
func (s *SQLite) RemoveMember(ctx context.Context, projectID, userID int64) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: remove member: %w", err)
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, "DELETE FROM members WHERE project_id = ? AND user_id = ?", projectID, userID)
	if err != nil {
		return fmt.Errorf("store: remove member: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("store: user %d in project %d: %w", userID, projectID, ErrNotFound)
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM assignments WHERE user_id = ? AND doc_id IN (SELECT id FROM documents WHERE project_id = ?)", userID, projectID); err != nil {
		return fmt.Errorf("store: remove member's assignments: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: remove member: %w", err)
	}
	return nil
}

// AddDocuments implements Store.
func (s *SQLite) AddDocuments(ctx context.Context, projectID int64, docs []model.Document) ([]model.Document, error) {
	nd := make([]NewDocument, len(docs))
	for i, d := range docs {
		nd[i].Document = d
	}
	return s.ImportDocuments(ctx, projectID, nd)
}

// ImportDocuments implements Store.
func (s *SQLite) ImportDocuments(ctx context.Context, projectID int64, docs []NewDocument) ([]model.Document, error) {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("store: add documents: %w", err)
	}
	defer tx.Rollback()
	out := make([]model.Document, len(docs))
	for i, nd := range docs {
		d := nd.Document
		meta, err := json.Marshal(d.Meta)
		if err != nil {
			return nil, fmt.Errorf("store: add document %q meta: %w", d.Name, err)
		}
		if d.Meta == nil {
			meta = []byte("{}")
		}
		res, err := tx.ExecContext(ctx, "INSERT INTO documents (project_id, name, text, chars, meta) VALUES (?, ?, ?, ?, ?)",
			projectID, d.Name, []byte(d.Text), utf8.RuneCountInString(d.Text), string(meta))
		if err != nil {
			return nil, fmt.Errorf("store: add document %q: %w", d.Name, err)
		}
		d.ID, _ = res.LastInsertId()
		d.ProjectID = projectID
		out[i] = d
		if len(nd.Annotations) > 0 {
			if _, err := commitSQL(ctx, tx, d.ID, importOps(d.ID, nd.Annotations)); err != nil {
				return nil, fmt.Errorf("store: add document %q: %w", d.Name, err)
			}
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("store: add documents: commit: %w", err)
	}
	return out, nil
}

// Document implements Store.
func (s *SQLite) Document(ctx context.Context, id int64) (model.Document, error) {
	d := model.Document{ID: id}
	var text []byte
	var meta string
	err := s.r.QueryRowContext(ctx, "SELECT project_id, name, text, meta FROM documents WHERE id = ?", id).Scan(&d.ProjectID, &d.Name, &text, &meta)
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
func (s *SQLite) Documents(ctx context.Context, projectID int64) ([]DocumentInfo, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT d.id, d.name, d.chars, (SELECT count(*) FROM annotations a WHERE a.doc_id = d.id)
		FROM documents d WHERE d.project_id = ? ORDER BY d.id`, projectID)
	if err != nil {
		return nil, fmt.Errorf("store: documents: %w", err)
	}
	defer rows.Close()
	out := []DocumentInfo{}
	for rows.Next() {
		var d DocumentInfo
		if err := rows.Scan(&d.ID, &d.Name, &d.Chars, &d.Annotations); err != nil {
			return nil, fmt.Errorf("store: documents: %w", err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// Snapshot implements Store. It reads in one transaction so that the
// annotations, relations and seq agree.
func (s *SQLite) Snapshot(ctx context.Context, docID int64) (Snapshot, error) {
	var snap Snapshot
	tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return snap, fmt.Errorf("store: snapshot: %w", err)
	}
	defer tx.Rollback()
	if err := tx.QueryRowContext(ctx, "SELECT seq FROM documents WHERE id = ?", docID).Scan(&snap.Seq); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return snap, fmt.Errorf("store: snapshot of document %d: %w", docID, ErrNotFound)
		}
		return snap, fmt.Errorf("store: snapshot: %w", err)
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, layer, label, start, "end", quote, author, version, created, updated
		, COALESCE(attrs, '') FROM annotations WHERE doc_id = ? ORDER BY start, "end" DESC, id`, docID)
	if err != nil {
		return snap, fmt.Errorf("store: snapshot annotations: %w", err)
	}
	for rows.Next() {
		a := model.Annotation{Document: docID}
		var c, u int64
		var attrs string
		if err := rows.Scan(&a.ID, &a.Layer, &a.Label, &a.Start, &a.End, &a.Quote, &a.Author, &a.Version, &c, &u, &attrs); err != nil {
			rows.Close()
			return snap, fmt.Errorf("store: snapshot annotations: %w", err)
		}
		a.Created, a.Updated = fromMS(c), fromMS(u)
		var err error
		if a.Attrs, err = parseAttrs(attrs); err != nil {
			rows.Close()
			return snap, fmt.Errorf("store: snapshot annotation %s: %w", a.ID, err)
		}
		snap.Annotations = append(snap.Annotations, a)
	}
	rows.Close()
	rows, err = tx.QueryContext(ctx, `SELECT id, layer, type, from_id, to_id, author, version, created
		FROM relations WHERE doc_id = ? ORDER BY id`, docID)
	if err != nil {
		return snap, fmt.Errorf("store: snapshot relations: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		r := model.Relation{Document: docID}
		var c int64
		if err := rows.Scan(&r.ID, &r.Layer, &r.Type, &r.From, &r.To, &r.Author, &r.Version, &c); err != nil {
			return snap, fmt.Errorf("store: snapshot relations: %w", err)
		}
		r.Created = fromMS(c)
		snap.Relations = append(snap.Relations, r)
	}
	if err := rows.Err(); err != nil {
		return snap, fmt.Errorf("store: snapshot relations: %w", err)
	}
	return snap, snapshotReviewSQL(ctx, tx, docID, &snap)
}

// OpsSince implements Store.
func (s *SQLite) OpsSince(ctx context.Context, docID, since int64, limit int) ([]protocol.Op, error) {
	rows, err := s.r.QueryContext(ctx, "SELECT body FROM ops WHERE doc_id = ? AND seq > ? ORDER BY seq LIMIT ?", docID, since, limit)
	if err != nil {
		return nil, fmt.Errorf("store: ops since: %w", err)
	}
	defer rows.Close()
	var out []protocol.Op
	for rows.Next() {
		var body string
		if err := rows.Scan(&body); err != nil {
			return nil, fmt.Errorf("store: ops since: %w", err)
		}
		var op protocol.Op
		if err := json.Unmarshal([]byte(body), &op); err != nil {
			return nil, fmt.Errorf("store: decode op: %w", err)
		}
		out = append(out, op)
	}
	return out, rows.Err()
}

// OpSeqs implements Store.
func (s *SQLite) OpSeqs(ctx context.Context, docID int64, opIDs []string) (map[string]int64, error) {
	out := map[string]int64{}
	for len(opIDs) > 0 {
		n := min(len(opIDs), 500)
		chunk := opIDs[:n]
		opIDs = opIDs[n:]
		args := make([]any, 0, n+1)
		args = append(args, docID)
		for _, id := range chunk {
			args = append(args, id)
		}
		rows, err := s.r.QueryContext(ctx, "SELECT op_id, seq FROM ops WHERE doc_id = ? AND op_id IN (?"+strings.Repeat(",?", n-1)+")", args...)
		if err != nil {
			return nil, fmt.Errorf("store: op seqs: %w", err)
		}
		for rows.Next() {
			var id string
			var seq int64
			if err := rows.Scan(&id, &seq); err != nil {
				rows.Close()
				return nil, fmt.Errorf("store: op seqs: %w", err)
			}
			out[id] = seq
		}
		rows.Close()
	}
	return out, nil
}

// Commit implements Store.
func (s *SQLite) Commit(ctx context.Context, docID int64, ops []protocol.Op) (int64, error) {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("store: commit ops: begin: %w", err)
	}
	defer tx.Rollback()
	first, err := commitSQL(ctx, tx, docID, ops)
	if err != nil {
		return 0, err
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("store: commit ops: %w", err)
	}
	return first, nil
}

// commitSQL appends ops to a document's log inside tx, assigning seqs
// after its current one, and applies them; see Store.Commit.
func commitSQL(ctx context.Context, tx *sql.Tx, docID int64, ops []protocol.Op) (int64, error) {
	var seq int64
	if err := tx.QueryRowContext(ctx, "SELECT seq FROM documents WHERE id = ?", docID).Scan(&seq); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return 0, fmt.Errorf("store: commit ops to document %d: %w", docID, ErrNotFound)
		}
		return 0, fmt.Errorf("store: commit ops: read seq: %w", err)
	}
	first := seq + 1
	for i := range ops {
		seq++
		ops[i].Seq = seq
		if err := applySQL(ctx, tx, docID, ops[i]); err != nil {
			return 0, err
		}
	}
	if _, err := tx.ExecContext(ctx, "UPDATE documents SET seq = ? WHERE id = ?", seq, docID); err != nil {
		return 0, fmt.Errorf("store: commit ops: write seq: %w", err)
	}
	return first, nil
}

// execer is what applySQL needs of a transaction; Postgres's adapter
// provides the same with $n placeholders rewritten.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

func applySQL(ctx context.Context, tx execer, docID int64, op protocol.Op) error {
	body, err := json.Marshal(op)
	if err != nil {
		return fmt.Errorf("store: encode op: %w", err)
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO ops (doc_id, seq, op_id, body) VALUES (?, ?, ?, ?)", docID, op.Seq, op.ID, string(body)); err != nil {
		if isUnique(err) {
			return fmt.Errorf("store: op %q already applied: %w", op.ID, ErrStale)
		}
		return fmt.Errorf("store: append op: %w", err)
	}
	one := func(res sql.Result, err error, what string) error {
		if err != nil {
			if isUnique(err) {
				return fmt.Errorf("store: %s: %w", what, ErrStale)
			}
			return fmt.Errorf("store: %s: %w", what, err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return fmt.Errorf("store: %s: %w", what, ErrStale)
		}
		return nil
	}
	if done, err := applyReviewSQL(ctx, tx, docID, op); done || err != nil {
		return err
	}
	switch op.Kind {
	case protocol.KindAdd:
		a := op.Ann
		res, err := tx.ExecContext(ctx, `INSERT INTO annotations (doc_id, id, layer, label, start, "end", quote, author, version, created, updated, attrs)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, docID, a.ID, a.Layer, a.Label, a.Start, a.End, a.Quote, a.Author, a.Version, ms(a.Created), ms(a.Updated), attrsColumn(a.Attrs))
		return one(res, err, "insert annotation")
	case protocol.KindUpdate:
		a := op.Ann
		res, err := tx.ExecContext(ctx, `UPDATE annotations SET label = ?, start = ?, "end" = ?, quote = ?, version = ?, updated = ?, attrs = ?
			WHERE doc_id = ? AND id = ? AND version = ?`, a.Label, a.Start, a.End, a.Quote, a.Version, ms(a.Updated), attrsColumn(a.Attrs), docID, a.ID, op.Version)
		return one(res, err, "update annotation")
	case protocol.KindDelete:
		res, err := tx.ExecContext(ctx, "DELETE FROM annotations WHERE doc_id = ? AND id = ? AND version = ?", docID, op.Target, op.Version)
		if err := one(res, err, "delete annotation"); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, "DELETE FROM relations WHERE doc_id = ? AND (from_id = ? OR to_id = ?)", docID, op.Target, op.Target)
		if err != nil {
			return fmt.Errorf("store: delete relations of annotation: %w", err)
		}
		return nil
	case protocol.KindAddRelation:
		r := op.Rel
		res, err := tx.ExecContext(ctx, `INSERT INTO relations (doc_id, id, layer, type, from_id, to_id, author, version, created)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, docID, r.ID, r.Layer, r.Type, r.From, r.To, r.Author, r.Version, ms(r.Created))
		return one(res, err, "insert relation")
	case protocol.KindDeleteRelation:
		res, err := tx.ExecContext(ctx, "DELETE FROM relations WHERE doc_id = ? AND id = ? AND version = ?", docID, op.Target, op.Version)
		return one(res, err, "delete relation")
	}
	return fmt.Errorf("store: apply op: unknown kind %q", op.Kind)
}

// UpdateSchema implements Store.
func (s *SQLite) UpdateSchema(ctx context.Context, projectID int64, ch SchemaChange) (SchemaResult, error) {
	var res SchemaResult
	newSchema, err := json.Marshal(ch.Schema)
	if err != nil {
		return res, fmt.Errorf("store: encode schema: %w", err)
	}
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return res, fmt.Errorf("store: update schema: %w", err)
	}
	defer tx.Rollback()
	var oldJSON string
	if err := tx.QueryRowContext(ctx, "SELECT schema FROM projects WHERE id = ?", projectID).Scan(&oldJSON); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return res, fmt.Errorf("store: project %d: %w", projectID, ErrNotFound)
		}
		return res, fmt.Errorf("store: update schema: %w", err)
	}
	var old model.Schema
	if err := json.Unmarshal([]byte(oldJSON), &old); err != nil {
		return res, fmt.Errorf("store: project %d schema: %w", projectID, err)
	}
	plan := planSchema(old, ch)

	inUse := &InUseError{Labels: map[string]int{}, Relations: map[string]int{}}
	count := func(into map[string]int, query string, names []string) error {
		if len(names) == 0 {
			return nil
		}
		ph, args := placeholders(names)
		rows, err := tx.QueryContext(ctx, fmt.Sprintf(query, ph), append([]any{projectID}, args...)...)
		if err != nil {
			return fmt.Errorf("store: count uses: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var name string
			var n int
			if err := rows.Scan(&name, &n); err != nil {
				return fmt.Errorf("store: count uses: %w", err)
			}
			into[name] = n
		}
		return rows.Err()
	}
	if err := count(inUse.Labels, `SELECT a.label, count(*) FROM annotations a JOIN documents d ON d.id = a.doc_id
		WHERE d.project_id = ? AND a.label IN (%s) GROUP BY a.label`, plan.removedLabels); err != nil {
		return res, err
	}
	if err := count(inUse.Relations, `SELECT r.type, count(*) FROM relations r JOIN documents d ON d.id = r.doc_id
		WHERE d.project_id = ? AND r.type IN (%s) GROUP BY r.type`, plan.removedRels); err != nil {
		return res, err
	}
	if (len(inUse.Labels) > 0 || len(inUse.Relations) > 0) && !ch.DeleteInUse {
		return res, inUse
	}

	var rels []relRef
	if len(plan.removedRels) > 0 {
		ph, args := placeholders(plan.removedRels)
		rows, err := tx.QueryContext(ctx, `SELECT r.doc_id, r.id, r.version FROM relations r JOIN documents d ON d.id = r.doc_id
			WHERE d.project_id = ? AND r.type IN (`+ph+`) ORDER BY r.doc_id, r.id`, append([]any{projectID}, args...)...)
		if err != nil {
			return res, fmt.Errorf("store: update schema: relations: %w", err)
		}
		for rows.Next() {
			var r relRef
			if err := rows.Scan(&r.Doc, &r.ID, &r.Version); err != nil {
				rows.Close()
				return res, fmt.Errorf("store: update schema: relations: %w", err)
			}
			rels = append(rels, r)
		}
		rows.Close()
	}
	var anns []model.Annotation
	if labels := plan.touchedLabels(); len(labels) > 0 {
		ph, args := placeholders(labels)
		rows, err := tx.QueryContext(ctx, `SELECT a.doc_id, a.id, a.layer, a.label, a.start, a."end", a.quote, a.author, a.version, a.created, a.updated, COALESCE(a.attrs, '')
			FROM annotations a JOIN documents d ON d.id = a.doc_id
			WHERE d.project_id = ? AND a.label IN (`+ph+`) ORDER BY a.doc_id, a.id`, append([]any{projectID}, args...)...)
		if err != nil {
			return res, fmt.Errorf("store: update schema: annotations: %w", err)
		}
		for rows.Next() {
			var a model.Annotation
			var c, u int64
			var attrs string
			if err := rows.Scan(&a.Document, &a.ID, &a.Layer, &a.Label, &a.Start, &a.End, &a.Quote, &a.Author, &a.Version, &c, &u, &attrs); err != nil {
				rows.Close()
				return res, fmt.Errorf("store: update schema: annotations: %w", err)
			}
			if a.Attrs, err = parseAttrs(attrs); err != nil {
				rows.Close()
				return res, fmt.Errorf("store: update schema: annotation %s: %w", a.ID, err)
			}
			a.Created, a.Updated = fromMS(c), fromMS(u)
			anns = append(anns, a)
		}
		rows.Close()
	}
	byDoc, res := schemaOps(plan, anns, rels, ch.By, "schema-"+newEpoch(), nowMS())
	for _, doc := range res.Documents {
		if _, err := commitSQL(ctx, tx, doc, byDoc[doc]); err != nil {
			return SchemaResult{}, err
		}
	}
	if _, err := tx.ExecContext(ctx, "UPDATE projects SET schema = ? WHERE id = ?", string(newSchema), projectID); err != nil {
		return SchemaResult{}, fmt.Errorf("store: update schema: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return SchemaResult{}, fmt.Errorf("store: update schema: commit: %w", err)
	}
	return res, nil
}

// SetAssigned implements Store.
func (s *SQLite) SetAssigned(ctx context.Context, docID, userID int64, assigned bool) error {
	var err error
	if assigned {
		_, err = s.w.ExecContext(ctx, `INSERT INTO assignments (doc_id, user_id, done, updated) VALUES (?, ?, 0, ?)
			ON CONFLICT (doc_id, user_id) DO NOTHING`, docID, userID, ms(time.Now()))
	} else {
		_, err = s.w.ExecContext(ctx, "DELETE FROM assignments WHERE doc_id = ? AND user_id = ?", docID, userID)
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
func (s *SQLite) SetDone(ctx context.Context, docID, userID int64, done bool) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO assignments (doc_id, user_id, done, updated) VALUES (?, ?, ?, ?)
		ON CONFLICT (doc_id, user_id) DO UPDATE SET done = excluded.done, updated = excluded.updated`, docID, userID, done, ms(time.Now()))
	if isForeignKey(err) {
		return fmt.Errorf("store: mark document %d done for user %d: %w", docID, userID, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("store: mark done: %w", err)
	}
	return nil
}

// Assignments implements Store.
func (s *SQLite) Assignments(ctx context.Context, projectID int64) ([]Assignment, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT s.doc_id, s.user_id, u.name, s.done, s.updated FROM assignments s
		JOIN documents d ON d.id = s.doc_id JOIN users u ON u.id = s.user_id
		WHERE d.project_id = ? ORDER BY s.doc_id, u.name`, projectID)
	if err != nil {
		return nil, fmt.Errorf("store: assignments: %w", err)
	}
	defer rows.Close()
	out := []Assignment{}
	for rows.Next() {
		var a Assignment
		var u int64
		if err := rows.Scan(&a.Document, &a.UserID, &a.User, &a.Done, &u); err != nil {
			return nil, fmt.Errorf("store: assignments: %w", err)
		}
		a.Updated = fromMS(u)
		out = append(out, a)
	}
	return out, rows.Err()
}

// SpanCounts implements Store.
func (s *SQLite) SpanCounts(ctx context.Context, projectID int64) ([]SpanCount, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT a.doc_id, a.layer, a.label, count(*) FROM annotations a
		JOIN documents d ON d.id = a.doc_id WHERE d.project_id = ?
		GROUP BY a.doc_id, a.layer, a.label ORDER BY a.doc_id, a.layer, a.label`, projectID)
	if err != nil {
		return nil, fmt.Errorf("store: span counts: %w", err)
	}
	defer rows.Close()
	out := []SpanCount{}
	for rows.Next() {
		var c SpanCount
		if err := rows.Scan(&c.Document, &c.Layer, &c.Label, &c.Count); err != nil {
			return nil, fmt.Errorf("store: span counts: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

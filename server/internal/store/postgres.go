package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"gloss/shared/model"
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
type Postgres struct {
	pool  *pgxpool.Pool
	epoch string
}

// notifyChannel is the LISTEN/NOTIFY channel of committed ops; a payload
// is "docID:seq".
const notifyChannel = "gloss_ops"

// migrateLock is the advisory lock key under which instances migrate, so
// that instances started together take turns instead of racing to create
// the same tables. Any constant no other application on the database uses.
const migrateLock = 0x676c6f7373 // "gloss"

// SQLSTATEs of constraint failures.
const (
	uniqueViolation     = "23505"
	foreignKeyViolation = "23503"
)

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
	p := &Postgres{pool: pool}
	if err := p.migrate(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	return p, nil
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

// postgresMigrations are applied in order; schema_version holds how many
// have been. Never edit one that has shipped: append another.
var postgresMigrations = []string{
	`CREATE TABLE meta (key text PRIMARY KEY, value text NOT NULL);
	CREATE TABLE users (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL UNIQUE,
		pw bytea NOT NULL, created bigint NOT NULL);
	CREATE TABLE sessions (token bytea PRIMARY KEY, user_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
		expires bigint NOT NULL);
	CREATE INDEX sessions_user ON sessions(user_id);
	CREATE TABLE projects (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL, schema text NOT NULL);
	CREATE TABLE members (project_id bigint NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
		user_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE, role text NOT NULL,
		PRIMARY KEY (project_id, user_id));
	CREATE INDEX members_user ON members(user_id);
	CREATE TABLE documents (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
		project_id bigint NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
		name text NOT NULL, text bytea NOT NULL, chars integer NOT NULL, meta text NOT NULL DEFAULT '{}',
		seq bigint NOT NULL DEFAULT 0);
	CREATE INDEX documents_project ON documents(project_id);
	CREATE TABLE annotations (doc_id bigint NOT NULL REFERENCES documents(id) ON DELETE CASCADE, id text NOT NULL,
		layer text NOT NULL, label text NOT NULL, start integer NOT NULL, "end" integer NOT NULL, quote bytea NOT NULL,
		author text NOT NULL, version bigint NOT NULL, created bigint NOT NULL, updated bigint NOT NULL,
		PRIMARY KEY (doc_id, id));
	CREATE TABLE relations (doc_id bigint NOT NULL REFERENCES documents(id) ON DELETE CASCADE, id text NOT NULL,
		layer text NOT NULL, type text NOT NULL, from_id text NOT NULL, to_id text NOT NULL, author text NOT NULL,
		version bigint NOT NULL, created bigint NOT NULL, PRIMARY KEY (doc_id, id));
	CREATE TABLE ops (doc_id bigint NOT NULL REFERENCES documents(id) ON DELETE CASCADE, seq bigint NOT NULL,
		op_id text NOT NULL, body text NOT NULL, PRIMARY KEY (doc_id, seq), UNIQUE (doc_id, op_id));`,
	// 2: site admins (the admins of existing projects become ones, as they
	// were the most trusted users before), API tokens, assignments.
	`ALTER TABLE users ADD COLUMN site_admin boolean NOT NULL DEFAULT false;
	UPDATE users SET site_admin = true WHERE id IN (SELECT user_id FROM members WHERE role = 'admin');
	CREATE TABLE api_tokens (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
		user_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE, label text NOT NULL,
		hash bytea NOT NULL UNIQUE, created bigint NOT NULL);
	CREATE INDEX api_tokens_user ON api_tokens(user_id);
	CREATE TABLE assignments (doc_id bigint NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
		user_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE, done boolean NOT NULL DEFAULT false,
		updated bigint NOT NULL, PRIMARY KEY (doc_id, user_id));
	CREATE INDEX assignments_user ON assignments(user_id);`,
	// 3: review and adjudication (review.go): review records by
	// annotation, comment threads, documents' review status. Comment text
	// is bytea for the reason quotes are (see Postgres).
	`CREATE TABLE reviews (doc_id bigint NOT NULL REFERENCES documents(id) ON DELETE CASCADE, ann_id text NOT NULL,
		status text NOT NULL, reviewer text NOT NULL, reviewed_at bigint NOT NULL, source text NOT NULL,
		proposer text NOT NULL, gold text NOT NULL, PRIMARY KEY (doc_id, ann_id));
	CREATE TABLE comments (doc_id bigint NOT NULL REFERENCES documents(id) ON DELETE CASCADE, id text NOT NULL,
		target text NOT NULL, text bytea NOT NULL, author text NOT NULL, created bigint NOT NULL,
		PRIMARY KEY (doc_id, id));
	CREATE INDEX comments_target ON comments(doc_id, target);
	CREATE TABLE doc_reviews (doc_id bigint PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
		status text NOT NULL, reviewer text NOT NULL, reviewed_at bigint NOT NULL);`,
	// 4: figures' and attributions' structured fields (model.Attrs) as
	// JSON, NULL when a span has none.
	`ALTER TABLE annotations ADD COLUMN attrs text;`,
	// 5: project settings (settings.go), JSON; no row means defaults.
	`CREATE TABLE project_settings (project_id bigint PRIMARY KEY REFERENCES projects(id) ON DELETE CASCADE, settings text NOT NULL);`,
}

// migrate brings the schema up to date and reads (or creates) the epoch,
// all in one transaction: a failed migration leaves nothing behind.
func (p *Postgres) migrate(ctx context.Context) error {
	tx, err := p.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", int64(migrateLock)); err != nil {
		return fmt.Errorf("store: migrate: lock: %w", err)
	}
	if _, err := tx.Exec(ctx, "CREATE TABLE IF NOT EXISTS schema_version (version integer NOT NULL)"); err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	var v int
	err = tx.QueryRow(ctx, "SELECT version FROM schema_version").Scan(&v)
	if errors.Is(err, pgx.ErrNoRows) {
		_, err = tx.Exec(ctx, "INSERT INTO schema_version (version) VALUES (0)")
	}
	if err != nil {
		return fmt.Errorf("store: read schema version: %w", err)
	}
	if v > len(postgresMigrations) {
		return fmt.Errorf("store: database schema version %d is newer than this server's %d", v, len(postgresMigrations))
	}
	for i := v; i < len(postgresMigrations); i++ {
		if _, err := tx.Exec(ctx, postgresMigrations[i]); err != nil {
			return fmt.Errorf("store: migration %d: %w", i+1, err)
		}
	}
	if _, err := tx.Exec(ctx, "UPDATE schema_version SET version = $1", len(postgresMigrations)); err != nil {
		return fmt.Errorf("store: write schema version: %w", err)
	}
	if _, err := tx.Exec(ctx, "INSERT INTO meta (key, value) VALUES ('epoch', $1) ON CONFLICT (key) DO NOTHING", newEpoch()); err != nil {
		return fmt.Errorf("store: epoch: %w", err)
	}
	if err := tx.QueryRow(ctx, "SELECT value FROM meta WHERE key = 'epoch'").Scan(&p.epoch); err != nil {
		return fmt.Errorf("store: epoch: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("store: migrate: commit: %w", err)
	}
	return nil
}

// Epoch implements Store.
func (p *Postgres) Epoch() string { return p.epoch }

// Close implements Store.
func (p *Postgres) Close() error {
	p.pool.Close()
	return nil
}

func isPgUnique(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == uniqueViolation
}

func isPgForeignKey(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == foreignKeyViolation
}

// CreateUser implements Store.
func (p *Postgres) CreateUser(ctx context.Context, name string, hash []byte) (model.User, error) {
	u := model.User{Name: name}
	err := p.pool.QueryRow(ctx, "INSERT INTO users (name, pw, created) VALUES ($1, $2, $3) RETURNING id",
		name, hash, ms(time.Now())).Scan(&u.ID)
	if isPgUnique(err) {
		return model.User{}, fmt.Errorf("store: create user %q: %w", name, ErrExists)
	}
	if err != nil {
		return model.User{}, fmt.Errorf("store: create user: %w", err)
	}
	return u, nil
}

// UserByName implements Store.
func (p *Postgres) UserByName(ctx context.Context, name string) (model.User, []byte, error) {
	u := model.User{Name: name}
	var hash []byte
	err := p.pool.QueryRow(ctx, "SELECT id, pw FROM users WHERE name = $1", name).Scan(&u.ID, &hash)
	if errors.Is(err, pgx.ErrNoRows) {
		return u, nil, fmt.Errorf("store: user %q: %w", name, ErrNotFound)
	}
	if err != nil {
		return u, nil, fmt.Errorf("store: user by name: %w", err)
	}
	return u, hash, nil
}

// SetPassword implements Store.
func (p *Postgres) SetPassword(ctx context.Context, userID int64, hash []byte) error {
	ct, err := p.pool.Exec(ctx, "UPDATE users SET pw = $1 WHERE id = $2", hash, userID)
	if err != nil {
		return fmt.Errorf("store: set password: %w", err)
	}
	if ct.RowsAffected() == 0 {
		return fmt.Errorf("store: set password of user %d: %w", userID, ErrNotFound)
	}
	return nil
}

// SetSiteAdmin implements Store.
func (p *Postgres) SetSiteAdmin(ctx context.Context, userID int64, admin bool) error {
	ct, err := p.pool.Exec(ctx, "UPDATE users SET site_admin = $1 WHERE id = $2", admin, userID)
	if err != nil {
		return fmt.Errorf("store: set site admin: %w", err)
	}
	if ct.RowsAffected() == 0 {
		return fmt.Errorf("store: set site admin of user %d: %w", userID, ErrNotFound)
	}
	return nil
}

// Users implements Store.
func (p *Postgres) Users(ctx context.Context) ([]Account, error) {
	rows, err := p.pool.Query(ctx, `SELECT id, name, site_admin FROM users ORDER BY name COLLATE "C"`)
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
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: users: %w", err)
	}
	return out, nil
}

// CreateSession implements Store.
func (p *Postgres) CreateSession(ctx context.Context, token []byte, userID int64, expires time.Time) error {
	if _, err := p.pool.Exec(ctx, "INSERT INTO sessions (token, user_id, expires) VALUES ($1, $2, $3)", token, userID, ms(expires)); err != nil {
		return fmt.Errorf("store: create session: %w", err)
	}
	return nil
}

// SessionByToken implements Store. Expired sessions are not found.
func (p *Postgres) SessionByToken(ctx context.Context, token []byte) (Session, error) {
	var sess Session
	var exp int64
	err := p.pool.QueryRow(ctx, `SELECT u.id, u.name, u.site_admin, s.expires FROM sessions s JOIN users u ON u.id = s.user_id
		WHERE s.token = $1 AND s.expires > $2`, token, ms(time.Now())).Scan(&sess.User.ID, &sess.User.Name, &sess.SiteAdmin, &exp)
	if errors.Is(err, pgx.ErrNoRows) {
		return sess, fmt.Errorf("store: session: %w", ErrNotFound)
	}
	if err != nil {
		return sess, fmt.Errorf("store: session: %w", err)
	}
	sess.Expires = fromMS(exp)
	return sess, nil
}

// DeleteSession implements Store.
func (p *Postgres) DeleteSession(ctx context.Context, token []byte) error {
	if _, err := p.pool.Exec(ctx, "DELETE FROM sessions WHERE token = $1", token); err != nil {
		return fmt.Errorf("store: delete session: %w", err)
	}
	return nil
}

// DeleteSessions implements Store.
func (p *Postgres) DeleteSessions(ctx context.Context, userID int64) error {
	if _, err := p.pool.Exec(ctx, "DELETE FROM sessions WHERE user_id = $1", userID); err != nil {
		return fmt.Errorf("store: delete sessions: %w", err)
	}
	return nil
}

// CreateAPIToken implements Store.
func (p *Postgres) CreateAPIToken(ctx context.Context, userID int64, label string, hash []byte) (APIToken, error) {
	t := APIToken{UserID: userID, Label: label, Created: nowMS()}
	err := p.pool.QueryRow(ctx, `INSERT INTO api_tokens (user_id, label, hash, created) VALUES ($1, $2, $3, $4)
		RETURNING id, (SELECT name FROM users WHERE id = $1)`, userID, label, hash, ms(t.Created)).Scan(&t.ID, &t.User)
	switch {
	case isPgForeignKey(err):
		return t, fmt.Errorf("store: create token for user %d: %w", userID, ErrNotFound)
	case isPgUnique(err):
		return t, fmt.Errorf("store: create token: %w", ErrExists)
	case err != nil:
		return t, fmt.Errorf("store: create token: %w", err)
	}
	return t, nil
}

const pgTokenCols = "SELECT t.id, t.user_id, u.name, t.label, t.created FROM api_tokens t JOIN users u ON u.id = t.user_id"

func scanPgTokens(rows pgx.Rows) ([]APIToken, error) {
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
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: tokens: %w", err)
	}
	return out, nil
}

// APITokens implements Store.
func (p *Postgres) APITokens(ctx context.Context, userID int64) ([]APIToken, error) {
	rows, err := p.pool.Query(ctx, pgTokenCols+" WHERE $1 = 0 OR t.user_id = $1 ORDER BY t.id", userID)
	if err != nil {
		return nil, fmt.Errorf("store: tokens: %w", err)
	}
	return scanPgTokens(rows)
}

// APIToken implements Store.
func (p *Postgres) APIToken(ctx context.Context, id int64) (APIToken, error) {
	rows, err := p.pool.Query(ctx, pgTokenCols+" WHERE t.id = $1", id)
	if err != nil {
		return APIToken{}, fmt.Errorf("store: token: %w", err)
	}
	ts, err := scanPgTokens(rows)
	if err != nil {
		return APIToken{}, err
	}
	if len(ts) == 0 {
		return APIToken{}, fmt.Errorf("store: token %d: %w", id, ErrNotFound)
	}
	return ts[0], nil
}

// DeleteAPIToken implements Store.
func (p *Postgres) DeleteAPIToken(ctx context.Context, id int64) error {
	ct, err := p.pool.Exec(ctx, "DELETE FROM api_tokens WHERE id = $1", id)
	if err != nil {
		return fmt.Errorf("store: delete token: %w", err)
	}
	if ct.RowsAffected() == 0 {
		return fmt.Errorf("store: delete token %d: %w", id, ErrNotFound)
	}
	return nil
}

// SessionByAPIToken implements Store.
func (p *Postgres) SessionByAPIToken(ctx context.Context, hash []byte) (Session, error) {
	var sess Session
	err := p.pool.QueryRow(ctx, `SELECT u.id, u.name, u.site_admin FROM api_tokens t JOIN users u ON u.id = t.user_id
		WHERE t.hash = $1`, hash).Scan(&sess.User.ID, &sess.User.Name, &sess.SiteAdmin)
	if errors.Is(err, pgx.ErrNoRows) {
		return sess, fmt.Errorf("store: token: %w", ErrNotFound)
	}
	if err != nil {
		return sess, fmt.Errorf("store: token: %w", err)
	}
	return sess, nil
}

// CreateProject implements Store.
func (p *Postgres) CreateProject(ctx context.Context, name string, schema model.Schema, admins ...int64) (model.Project, error) {
	b, err := json.Marshal(schema)
	if err != nil {
		return model.Project{}, fmt.Errorf("store: encode schema: %w", err)
	}
	pr := model.Project{Name: name, Schema: schema}
	err = pgx.BeginFunc(ctx, p.pool, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, "INSERT INTO projects (name, schema) VALUES ($1, $2) RETURNING id", name, string(b)).Scan(&pr.ID); err != nil {
			return err
		}
		for _, u := range admins {
			if _, err := tx.Exec(ctx, "INSERT INTO members (project_id, user_id, role) VALUES ($1, $2, $3)", pr.ID, u, string(model.RoleAdmin)); err != nil {
				return fmt.Errorf("admin %d: %w", u, err)
			}
		}
		return nil
	})
	if err != nil {
		return model.Project{}, fmt.Errorf("store: create project: %w", err)
	}
	return pr, nil
}

// Project implements Store.
func (p *Postgres) Project(ctx context.Context, id int64) (model.Project, error) {
	pr := model.Project{ID: id}
	var schema string
	err := p.pool.QueryRow(ctx, "SELECT name, schema FROM projects WHERE id = $1", id).Scan(&pr.Name, &schema)
	if errors.Is(err, pgx.ErrNoRows) {
		return pr, fmt.Errorf("store: project %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return pr, fmt.Errorf("store: project: %w", err)
	}
	if err := json.Unmarshal([]byte(schema), &pr.Schema); err != nil {
		return pr, fmt.Errorf("store: project %d schema: %w", id, err)
	}
	return pr, nil
}

// Projects implements Store.
func (p *Postgres) Projects(ctx context.Context) ([]model.Project, error) {
	rows, err := p.pool.Query(ctx, "SELECT id, name, schema FROM projects ORDER BY id")
	if err != nil {
		return nil, fmt.Errorf("store: projects: %w", err)
	}
	defer rows.Close()
	out := []model.Project{}
	for rows.Next() {
		var pr model.Project
		var schema string
		if err := rows.Scan(&pr.ID, &pr.Name, &schema); err != nil {
			return nil, fmt.Errorf("store: projects: %w", err)
		}
		if err := json.Unmarshal([]byte(schema), &pr.Schema); err != nil {
			return nil, fmt.Errorf("store: project %d schema: %w", pr.ID, err)
		}
		out = append(out, pr)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: projects: %w", err)
	}
	return out, nil
}

// SetMember implements Store.
func (p *Postgres) SetMember(ctx context.Context, projectID, userID int64, role model.Role) error {
	_, err := p.pool.Exec(ctx, `INSERT INTO members (project_id, user_id, role) VALUES ($1, $2, $3)
		ON CONFLICT (project_id, user_id) DO UPDATE SET role = excluded.role`, projectID, userID, string(role))
	if err != nil {
		return fmt.Errorf("store: set member: %w", err)
	}
	return nil
}

// Role implements Store.
func (p *Postgres) Role(ctx context.Context, projectID, userID int64) (model.Role, error) {
	var role string
	err := p.pool.QueryRow(ctx, "SELECT role FROM members WHERE project_id = $1 AND user_id = $2", projectID, userID).Scan(&role)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", fmt.Errorf("store: role of user %d in project %d: %w", userID, projectID, ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("store: role: %w", err)
	}
	return model.Role(role), nil
}

// Memberships implements Store.
func (p *Postgres) Memberships(ctx context.Context, userID int64) ([]Member, error) {
	rows, err := p.pool.Query(ctx, `SELECT p.id, p.name, p.schema, m.role FROM members m JOIN projects p ON p.id = m.project_id
		WHERE m.user_id = $1 ORDER BY p.id`, userID)
	if err != nil {
		return nil, fmt.Errorf("store: memberships: %w", err)
	}
	defer rows.Close()
	out := []Member{}
	for rows.Next() {
		var m Member
		var schema, role string
		if err := rows.Scan(&m.Project.ID, &m.Project.Name, &schema, &role); err != nil {
			return nil, fmt.Errorf("store: memberships: %w", err)
		}
		if err := json.Unmarshal([]byte(schema), &m.Project.Schema); err != nil {
			return nil, fmt.Errorf("store: project %d schema: %w", m.Project.ID, err)
		}
		m.Role = model.Role(role)
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: memberships: %w", err)
	}
	return out, nil
}

// Members implements Store.
func (p *Postgres) Members(ctx context.Context, projectID int64) ([]ProjectMember, error) {
	rows, err := p.pool.Query(ctx, `SELECT u.id, u.name, m.role FROM members m JOIN users u ON u.id = m.user_id
		WHERE m.project_id = $1 ORDER BY u.name COLLATE "C"`, projectID)
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
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: members: %w", err)
	}
	return out, nil
}

// RemoveMember implements Store.
func (p *Postgres) RemoveMember(ctx context.Context, projectID, userID int64) error {
	tx, err := p.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("store: remove member: %w", err)
	}
	defer tx.Rollback(ctx)
	ct, err := tx.Exec(ctx, "DELETE FROM members WHERE project_id = $1 AND user_id = $2", projectID, userID)
	if err != nil {
		return fmt.Errorf("store: remove member: %w", err)
	}
	if ct.RowsAffected() == 0 {
		return fmt.Errorf("store: user %d in project %d: %w", userID, projectID, ErrNotFound)
	}
	if _, err := tx.Exec(ctx, "DELETE FROM assignments WHERE user_id = $1 AND doc_id IN (SELECT id FROM documents WHERE project_id = $2)", userID, projectID); err != nil {
		return fmt.Errorf("store: remove member's assignments: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("store: remove member: %w", err)
	}
	return nil
}

// AddDocuments implements Store.
func (p *Postgres) AddDocuments(ctx context.Context, projectID int64, docs []model.Document) ([]model.Document, error) {
	nd := make([]NewDocument, len(docs))
	for i, d := range docs {
		nd[i].Document = d
	}
	return p.ImportDocuments(ctx, projectID, nd)
}

// ImportDocuments implements Store.
func (p *Postgres) ImportDocuments(ctx context.Context, projectID int64, docs []NewDocument) ([]model.Document, error) {
	tx, err := p.pool.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: add documents: %w", err)
	}
	defer tx.Rollback(ctx)
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
		err = tx.QueryRow(ctx, "INSERT INTO documents (project_id, name, text, chars, meta) VALUES ($1, $2, $3, $4, $5) RETURNING id",
			projectID, d.Name, []byte(d.Text), utf8.RuneCountInString(d.Text), string(meta)).Scan(&d.ID)
		if err != nil {
			return nil, fmt.Errorf("store: add document %q: %w", d.Name, err)
		}
		d.ProjectID = projectID
		out[i] = d
		if len(nd.Annotations) > 0 {
			var b pgBatch
			if err := b.commit(d.ID, 0, importOps(d.ID, nd.Annotations)); err != nil {
				return nil, err
			}
			if err := b.send(ctx, tx); err != nil {
				return nil, fmt.Errorf("store: add document %q: %w", d.Name, err)
			}
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("store: add documents: commit: %w", err)
	}
	return out, nil
}

// Document implements Store.
func (p *Postgres) Document(ctx context.Context, id int64) (model.Document, error) {
	d := model.Document{ID: id}
	var text []byte
	var meta string
	err := p.pool.QueryRow(ctx, "SELECT project_id, name, text, meta FROM documents WHERE id = $1", id).Scan(&d.ProjectID, &d.Name, &text, &meta)
	if errors.Is(err, pgx.ErrNoRows) {
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
func (p *Postgres) Documents(ctx context.Context, projectID int64) ([]DocumentInfo, error) {
	rows, err := p.pool.Query(ctx, `SELECT d.id, d.name, d.chars, (SELECT count(*) FROM annotations a WHERE a.doc_id = d.id)
		FROM documents d WHERE d.project_id = $1 ORDER BY d.id`, projectID)
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
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: documents: %w", err)
	}
	return out, nil
}

// Snapshot implements Store. It reads in one repeatable-read transaction so
// that the annotations, relations and seq agree even while other instances
// commit.
func (p *Postgres) Snapshot(ctx context.Context, docID int64) (Snapshot, error) {
	var snap Snapshot
	tx, err := p.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return snap, fmt.Errorf("store: snapshot: %w", err)
	}
	defer tx.Rollback(ctx)
	if err := tx.QueryRow(ctx, "SELECT seq FROM documents WHERE id = $1", docID).Scan(&snap.Seq); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return snap, fmt.Errorf("store: snapshot of document %d: %w", docID, ErrNotFound)
		}
		return snap, fmt.Errorf("store: snapshot: %w", err)
	}
	rows, err := tx.Query(ctx, `SELECT id, layer, label, start, "end", quote, author, version, created, updated
		, COALESCE(attrs, '') FROM annotations WHERE doc_id = $1 ORDER BY start, "end" DESC, id COLLATE "C"`, docID)
	if err != nil {
		return snap, fmt.Errorf("store: snapshot annotations: %w", err)
	}
	for rows.Next() {
		a := model.Annotation{Document: docID}
		var quote []byte
		var c, u int64
		var attrs string
		if err := rows.Scan(&a.ID, &a.Layer, &a.Label, &a.Start, &a.End, &quote, &a.Author, &a.Version, &c, &u, &attrs); err != nil {
			rows.Close()
			return snap, fmt.Errorf("store: snapshot annotations: %w", err)
		}
		a.Quote, a.Created, a.Updated = string(quote), fromMS(c), fromMS(u)
		var err error
		if a.Attrs, err = parseAttrs(attrs); err != nil {
			rows.Close()
			return snap, fmt.Errorf("store: snapshot annotation %s: %w", a.ID, err)
		}
		snap.Annotations = append(snap.Annotations, a)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return snap, fmt.Errorf("store: snapshot annotations: %w", err)
	}
	rows, err = tx.Query(ctx, `SELECT id, layer, type, from_id, to_id, author, version, created
		FROM relations WHERE doc_id = $1 ORDER BY id COLLATE "C"`, docID)
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
	return snap, snapshotReviewPostgres(ctx, tx, docID, &snap)
}

// OpsSince implements Store.
func (p *Postgres) OpsSince(ctx context.Context, docID, since int64, limit int) ([]protocol.Op, error) {
	rows, err := p.pool.Query(ctx, "SELECT body FROM ops WHERE doc_id = $1 AND seq > $2 ORDER BY seq LIMIT $3", docID, since, limit)
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
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: ops since: %w", err)
	}
	return out, nil
}

// OpSeqs implements Store.
func (p *Postgres) OpSeqs(ctx context.Context, docID int64, opIDs []string) (map[string]int64, error) {
	out := map[string]int64{}
	if len(opIDs) == 0 {
		return out, nil
	}
	rows, err := p.pool.Query(ctx, "SELECT op_id, seq FROM ops WHERE doc_id = $1 AND op_id = ANY($2)", docID, opIDs)
	if err != nil {
		return nil, fmt.Errorf("store: op seqs: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var seq int64
		if err := rows.Scan(&id, &seq); err != nil {
			return nil, fmt.Errorf("store: op seqs: %w", err)
		}
		out[id] = seq
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: op seqs: %w", err)
	}
	return out, nil
}

// Commit implements Store. After the row lock, all the statements of the
// ops go to the server in one round trip (a pgx batch) instead of two per
// op; with the lock and the commit's fsync paid once, a group commit of 64
// ops costs about five single ones (see BenchmarkCommitPostgres). The
// NOTIFY is part of the transaction, so listeners hear of the ops only if
// they are committed.
func (p *Postgres) Commit(ctx context.Context, docID int64, ops []protocol.Op) (int64, error) {
	tx, err := p.pool.Begin(ctx)
	if err != nil {
		return 0, fmt.Errorf("store: commit ops: begin: %w", err)
	}
	defer tx.Rollback(ctx)
	var seq int64
	if err := tx.QueryRow(ctx, "SELECT seq FROM documents WHERE id = $1 FOR UPDATE", docID).Scan(&seq); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return 0, fmt.Errorf("store: commit ops to document %d: %w", docID, ErrNotFound)
		}
		return 0, fmt.Errorf("store: commit ops: read seq: %w", err)
	}
	first := seq + 1
	if len(ops) == 0 {
		return first, nil
	}
	var b pgBatch
	if err := b.commit(docID, seq, ops); err != nil {
		return 0, err
	}
	if err := b.send(ctx, tx); err != nil {
		return 0, err
	}
	if err := tx.Commit(ctx); err != nil {
		return 0, fmt.Errorf("store: commit ops: %w", err)
	}
	return first, nil
}

// rowCheck says how many rows a queued statement must affect.
type rowCheck bool

const (
	anyRows rowCheck = false
	oneRow  rowCheck = true // a conditional write: zero rows means the caller's version is stale
)

// pgBatch collects a Commit's statements with what each must achieve.
type pgBatch struct {
	batch pgx.Batch
	steps []pgStep
}

type pgStep struct {
	what  string
	check rowCheck
}

func (b *pgBatch) queue(check rowCheck, what, sql string, args ...any) {
	b.batch.Queue(sql, args...)
	b.steps = append(b.steps, pgStep{what, check})
}

// commit queues the statements that append ops to a document's log after
// seq, the document's current seq read under its row lock: each op's,
// the new seq and the notification of other instances.
func (b *pgBatch) commit(docID, seq int64, ops []protocol.Op) error {
	for i := range ops {
		seq++
		ops[i].Seq = seq
		if err := b.apply(docID, ops[i]); err != nil {
			return err
		}
	}
	b.queue(anyRows, "write seq", "UPDATE documents SET seq = $1 WHERE id = $2", seq, docID)
	if notifyInCommit { // postgres_bench.go
		b.queue(anyRows, "notify", "SELECT pg_notify($1, $2)", notifyChannel, strconv.FormatInt(docID, 10)+":"+strconv.FormatInt(seq, 10))
	}
	return nil
}

// apply queues op's statements: the op log row and the change to the
// current state, as applySQL does for SQLite.
func (b *pgBatch) apply(docID int64, op protocol.Op) error {
	body, err := json.Marshal(op)
	if err != nil {
		return fmt.Errorf("store: encode op: %w", err)
	}
	b.queue(oneRow, fmt.Sprintf("append op %q", op.ID), "INSERT INTO ops (doc_id, seq, op_id, body) VALUES ($1, $2, $3, $4)",
		docID, op.Seq, op.ID, string(body))
	if b.applyReview(docID, op) {
		return nil
	}
	switch op.Kind {
	case protocol.KindAdd:
		a := op.Ann
		b.queue(oneRow, "insert annotation", `INSERT INTO annotations (doc_id, id, layer, label, start, "end", quote, author, version, created, updated, attrs)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
			docID, a.ID, a.Layer, a.Label, a.Start, a.End, []byte(a.Quote), a.Author, a.Version, ms(a.Created), ms(a.Updated), attrsColumn(a.Attrs))
	case protocol.KindUpdate:
		a := op.Ann
		b.queue(oneRow, "update annotation", `UPDATE annotations SET label = $1, start = $2, "end" = $3, quote = $4, version = $5, updated = $6, attrs = $7
			WHERE doc_id = $8 AND id = $9 AND version = $10`,
			a.Label, a.Start, a.End, []byte(a.Quote), a.Version, ms(a.Updated), attrsColumn(a.Attrs), docID, a.ID, op.Version)
	case protocol.KindDelete:
		b.queue(oneRow, "delete annotation", "DELETE FROM annotations WHERE doc_id = $1 AND id = $2 AND version = $3", docID, op.Target, op.Version)
		b.queue(anyRows, "delete relations of annotation", "DELETE FROM relations WHERE doc_id = $1 AND (from_id = $2 OR to_id = $2)", docID, op.Target)
	case protocol.KindAddRelation:
		r := op.Rel
		b.queue(oneRow, "insert relation", `INSERT INTO relations (doc_id, id, layer, type, from_id, to_id, author, version, created)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			docID, r.ID, r.Layer, r.Type, r.From, r.To, r.Author, r.Version, ms(r.Created))
	case protocol.KindDeleteRelation:
		b.queue(oneRow, "delete relation", "DELETE FROM relations WHERE doc_id = $1 AND id = $2 AND version = $3", docID, op.Target, op.Version)
	default:
		return fmt.Errorf("store: apply op: unknown kind %q", op.Kind)
	}
	return nil
}

// send runs the batch in tx and checks each statement's result in order.
// The first failure is returned; the caller rolls back, so nothing of the
// batch is written.
func (b *pgBatch) send(ctx context.Context, tx pgx.Tx) (err error) {
	br := tx.SendBatch(ctx, &b.batch)
	defer func() {
		if cerr := br.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("store: commit ops: %w", cerr)
		}
	}()
	for _, s := range b.steps {
		ct, err := br.Exec()
		if isPgUnique(err) {
			return fmt.Errorf("store: %s: %w", s.what, ErrStale)
		}
		if err != nil {
			return fmt.Errorf("store: %s: %w", s.what, err)
		}
		if s.check == oneRow && ct.RowsAffected() != 1 {
			return fmt.Errorf("store: %s: %w", s.what, ErrStale)
		}
	}
	return nil
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

// UpdateSchema implements Store. It locks the project's row, then every
// document of the project in ID order (Commit locks one document at a
// time, so the two cannot deadlock), so that no op commits between
// counting the annotations a change touches and rewriting them.
func (p *Postgres) UpdateSchema(ctx context.Context, projectID int64, ch SchemaChange) (SchemaResult, error) {
	var res SchemaResult
	newSchema, err := json.Marshal(ch.Schema)
	if err != nil {
		return res, fmt.Errorf("store: encode schema: %w", err)
	}
	tx, err := p.pool.Begin(ctx)
	if err != nil {
		return res, fmt.Errorf("store: update schema: %w", err)
	}
	defer tx.Rollback(ctx)
	var oldJSON string
	if err := tx.QueryRow(ctx, "SELECT schema FROM projects WHERE id = $1 FOR UPDATE", projectID).Scan(&oldJSON); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return res, fmt.Errorf("store: project %d: %w", projectID, ErrNotFound)
		}
		return res, fmt.Errorf("store: update schema: %w", err)
	}
	var old model.Schema
	if err := json.Unmarshal([]byte(oldJSON), &old); err != nil {
		return res, fmt.Errorf("store: project %d schema: %w", projectID, err)
	}
	plan := planSchema(old, ch)
	seqs := map[int64]int64{}
	if len(plan.touchedLabels())+len(plan.removedRels) > 0 {
		rows, err := tx.Query(ctx, "SELECT id, seq FROM documents WHERE project_id = $1 ORDER BY id FOR UPDATE", projectID)
		if err != nil {
			return res, fmt.Errorf("store: update schema: lock documents: %w", err)
		}
		for rows.Next() {
			var id, seq int64
			if err := rows.Scan(&id, &seq); err != nil {
				rows.Close()
				return res, fmt.Errorf("store: update schema: lock documents: %w", err)
			}
			seqs[id] = seq
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return res, fmt.Errorf("store: update schema: lock documents: %w", err)
		}
	}

	inUse := &InUseError{Labels: map[string]int{}, Relations: map[string]int{}}
	count := func(into map[string]int, query string, names []string) error {
		if len(names) == 0 {
			return nil
		}
		rows, err := tx.Query(ctx, query, projectID, names)
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
		WHERE d.project_id = $1 AND a.label = ANY($2) GROUP BY a.label`, plan.removedLabels); err != nil {
		return res, err
	}
	if err := count(inUse.Relations, `SELECT r.type, count(*) FROM relations r JOIN documents d ON d.id = r.doc_id
		WHERE d.project_id = $1 AND r.type = ANY($2) GROUP BY r.type`, plan.removedRels); err != nil {
		return res, err
	}
	if (len(inUse.Labels) > 0 || len(inUse.Relations) > 0) && !ch.DeleteInUse {
		return res, inUse
	}

	var rels []relRef
	if len(plan.removedRels) > 0 {
		rows, err := tx.Query(ctx, `SELECT r.doc_id, r.id, r.version FROM relations r JOIN documents d ON d.id = r.doc_id
			WHERE d.project_id = $1 AND r.type = ANY($2) ORDER BY r.doc_id, r.id COLLATE "C"`, projectID, plan.removedRels)
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
		if err := rows.Err(); err != nil {
			return res, fmt.Errorf("store: update schema: relations: %w", err)
		}
	}
	var anns []model.Annotation
	if labels := plan.touchedLabels(); len(labels) > 0 {
		rows, err := tx.Query(ctx, `SELECT a.doc_id, a.id, a.layer, a.label, a.start, a."end", a.quote, a.author, a.version, a.created, a.updated, COALESCE(a.attrs, '')
			FROM annotations a JOIN documents d ON d.id = a.doc_id
			WHERE d.project_id = $1 AND a.label = ANY($2) ORDER BY a.doc_id, a.id COLLATE "C"`, projectID, labels)
		if err != nil {
			return res, fmt.Errorf("store: update schema: annotations: %w", err)
		}
		for rows.Next() {
			var a model.Annotation
			var quote []byte
			var c, u int64
			var attrs string
			if err := rows.Scan(&a.Document, &a.ID, &a.Layer, &a.Label, &a.Start, &a.End, &quote, &a.Author, &a.Version, &c, &u, &attrs); err != nil {
				rows.Close()
				return res, fmt.Errorf("store: update schema: annotations: %w", err)
			}
			if a.Attrs, err = parseAttrs(attrs); err != nil {
				rows.Close()
				return res, fmt.Errorf("store: update schema: annotation %s: %w", a.ID, err)
			}
			a.Quote, a.Created, a.Updated = string(quote), fromMS(c), fromMS(u)
			anns = append(anns, a)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return res, fmt.Errorf("store: update schema: annotations: %w", err)
		}
	}
	byDoc, res := schemaOps(plan, anns, rels, ch.By, "schema-"+newEpoch(), nowMS())
	var b pgBatch
	for _, doc := range res.Documents {
		if err := b.commit(doc, seqs[doc], byDoc[doc]); err != nil {
			return SchemaResult{}, err
		}
	}
	b.queue(oneRow, "write schema", "UPDATE projects SET schema = $1 WHERE id = $2", string(newSchema), projectID)
	if err := b.send(ctx, tx); err != nil {
		return SchemaResult{}, err
	}
	if err := tx.Commit(ctx); err != nil {
		return SchemaResult{}, fmt.Errorf("store: update schema: commit: %w", err)
	}
	return res, nil
}

// SetAssigned implements Store.
func (p *Postgres) SetAssigned(ctx context.Context, docID, userID int64, assigned bool) error {
	var err error
	if assigned {
		_, err = p.pool.Exec(ctx, `INSERT INTO assignments (doc_id, user_id, done, updated) VALUES ($1, $2, false, $3)
			ON CONFLICT (doc_id, user_id) DO NOTHING`, docID, userID, ms(time.Now()))
	} else {
		_, err = p.pool.Exec(ctx, "DELETE FROM assignments WHERE doc_id = $1 AND user_id = $2", docID, userID)
	}
	if isPgForeignKey(err) {
		return fmt.Errorf("store: assign document %d to user %d: %w", docID, userID, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("store: assign: %w", err)
	}
	return nil
}

// SetDone implements Store.
func (p *Postgres) SetDone(ctx context.Context, docID, userID int64, done bool) error {
	_, err := p.pool.Exec(ctx, `INSERT INTO assignments (doc_id, user_id, done, updated) VALUES ($1, $2, $3, $4)
		ON CONFLICT (doc_id, user_id) DO UPDATE SET done = excluded.done, updated = excluded.updated`, docID, userID, done, ms(time.Now()))
	if isPgForeignKey(err) {
		return fmt.Errorf("store: mark document %d done for user %d: %w", docID, userID, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("store: mark done: %w", err)
	}
	return nil
}

// Assignments implements Store.
func (p *Postgres) Assignments(ctx context.Context, projectID int64) ([]Assignment, error) {
	rows, err := p.pool.Query(ctx, `SELECT s.doc_id, s.user_id, u.name, s.done, s.updated FROM assignments s
		JOIN documents d ON d.id = s.doc_id JOIN users u ON u.id = s.user_id
		WHERE d.project_id = $1 ORDER BY s.doc_id, u.name COLLATE "C"`, projectID)
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
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: assignments: %w", err)
	}
	return out, nil
}

// SpanCounts implements Store.
func (p *Postgres) SpanCounts(ctx context.Context, projectID int64) ([]SpanCount, error) {
	rows, err := p.pool.Query(ctx, `SELECT a.doc_id, a.layer, a.label, count(*) FROM annotations a
		JOIN documents d ON d.id = a.doc_id WHERE d.project_id = $1
		GROUP BY a.doc_id, a.layer, a.label ORDER BY a.doc_id, a.layer COLLATE "C", a.label COLLATE "C"`, projectID)
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
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: span counts: %w", err)
	}
	return out, nil
}

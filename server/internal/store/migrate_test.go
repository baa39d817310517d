package store

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5"

	"gloss/server/internal/store/pgtest"
)

// TestSQLiteUpgrade opens a database made by the first schema version (the
// walking skeleton) and checks that the upgrade keeps its data and makes
// its project admins site admins, the only admins it had.
func TestSQLiteUpgrade(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		migration(t, "sqlite", 0),
		"PRAGMA user_version = 1",
		"INSERT INTO users (id, name, pw, created) VALUES (1, 'boss', x'00', 0), (2, 'ann', x'00', 0)",
		`INSERT INTO projects (id, name, schema) VALUES (1, 'p', '{"labels":[],"relations":[]}')`,
		"INSERT INTO members (project_id, user_id, role) VALUES (1, 1, 'admin'), (1, 2, 'annotator')",
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	db.Close()

	s, err := OpenSQLite(ctx, path)
	if err != nil {
		t.Fatalf("upgrade: %v", err)
	}
	defer s.Close()
	users, err := s.Users(ctx)
	if err != nil || len(users) != 2 {
		t.Fatalf("users after the upgrade = %+v, %v", users, err)
	}
	for _, u := range users {
		if u.SiteAdmin != (u.Name == "boss") {
			t.Errorf("%s: site admin = %v", u.Name, u.SiteAdmin)
		}
	}
	if as, err := s.Assignments(ctx, 1); err != nil || len(as) != 0 {
		t.Errorf("assignments after the upgrade = %+v, %v", as, err)
	}
}

// TestPostgresUpgrade is TestSQLiteUpgrade on PostgreSQL.
func TestPostgresUpgrade(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.New(t)
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		"CREATE TABLE schema_version (version integer NOT NULL)",
		"INSERT INTO schema_version (version) VALUES (1)",
		migration(t, "postgres", 0),
		"INSERT INTO users (name, pw, created) VALUES ('boss', '\\x00', 0), ('ann', '\\x00', 0)",
		`INSERT INTO projects (name, schema) VALUES ('p', '{"labels":[],"relations":[]}')`,
		"INSERT INTO members (project_id, user_id, role) SELECT 1, id, CASE name WHEN 'boss' THEN 'admin' ELSE 'annotator' END FROM users",
	} {
		if _, err := conn.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	conn.Close(ctx)

	p, err := OpenPostgres(ctx, dsn)
	if err != nil {
		t.Fatalf("upgrade: %v", err)
	}
	defer p.Close()
	users, err := p.Users(ctx)
	if err != nil || len(users) != 2 {
		t.Fatalf("users after the upgrade = %+v, %v", users, err)
	}
	for _, u := range users {
		if u.SiteAdmin != (u.Name == "boss") {
			t.Errorf("%s: site admin = %v", u.Name, u.SiteAdmin)
		}
	}
}

// migration returns migration i (from 0) of a dialect.
func migration(t *testing.T, dir string, i int) string {
	t.Helper()
	ms, err := migrations(dir)
	if err != nil {
		t.Fatal(err)
	}
	return ms[i]
}

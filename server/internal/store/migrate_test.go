package store

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"gloss/server/internal/store/pgtest"
	"gloss/shared/docstate"
	"gloss/shared/model"
	"gloss/shared/protocol"
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

// TestOldOpRows writes an op log row as the store wrote them before the
// storage record (protocol.Op's wire JSON, no "v") next to new ones, on
// both dialects: OpsSince reads both, and the snapshot agrees.
func TestOldOpRows(t *testing.T) {
	for _, tc := range []struct {
		name string
		open func(t *testing.T) (Store, *db)
	}{
		{"sqlite", func(t *testing.T) (Store, *db) {
			s, err := OpenSQLite(t.Context(), filepath.Join(t.TempDir(), "g.db"))
			if err != nil {
				t.Fatal(err)
			}
			return s, s.db
		}},
		{"postgres", func(t *testing.T) (Store, *db) {
			p, err := OpenPostgres(t.Context(), pgtest.New(t))
			if err != nil {
				t.Fatal(err)
			}
			return p, p.db
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := t.Context()
			s, d := tc.open(t)
			defer s.Close()
			p, err := s.CreateProject(ctx, "p", model.DefaultSchema())
			if err != nil {
				t.Fatal(err)
			}
			docs, err := s.AddDocuments(ctx, p.ID, []model.Document{{Name: "d", Text: "CNN said so."}})
			if err != nil {
				t.Fatal(err)
			}
			doc := docs[0].ID
			old := fmt.Sprintf(`{"id":"op1","kind":"add","ann":{"id":"a1","doc":%d,"layer":"bob","label":"claim","start":0,"end":3,"quote":"CNN","author":"bob","version":1,"created":"2026-01-02T03:04:05Z","updated":"2026-01-02T03:04:05Z"},"seq":1,"user":"bob","time":1767323045000}`, doc)
			for _, q := range []string{
				"INSERT INTO ops (doc_id, seq, op_id, body) VALUES (?, 1, 'op1', ?)",
				`INSERT INTO annotations (doc_id, id, layer, label, start, "end", quote, author, version, created, updated) VALUES (?, 'a1', 'bob', 'claim', 0, 3, ?, 'bob', 1, 1767323045000, 1767323045000)`,
				"UPDATE documents SET seq = 1 WHERE id = ?",
			} {
				args := []any{doc}
				if strings.Contains(q, "body") {
					args = append(args, old)
				} else if strings.Contains(q, "quote") {
					args = append(args, d.d.bytes("CNN"))
				}
				if _, err := d.w.ExecContext(ctx, d.d.rebind(q), args...); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			a := model.Annotation{ID: "a2", Document: doc, Layer: "bob", Label: "claim", Start: 4, End: 8, Quote: "said", Author: "bob", Version: 1}
			if _, err := s.Commit(ctx, doc, []protocol.Op{{ID: "op2", Kind: protocol.KindAdd, Ann: &a, User: "bob"}}); err != nil {
				t.Fatal(err)
			}
			ops, err := s.OpsSince(ctx, doc, 0, 10)
			if err != nil || len(ops) != 2 {
				t.Fatalf("ops = %+v, %v", ops, err)
			}
			if o := ops[0]; o.ID != "op1" || o.Seq != 1 || o.Ann == nil || o.Ann.Quote != "CNN" || !o.Ann.Created.Equal(time.UnixMilli(1767323045000)) {
				t.Errorf("old row = %+v", o)
			}
			if o := ops[1]; o.ID != "op2" || o.Seq != 2 || o.Ann == nil || *o.Ann != a {
				t.Errorf("new row = %+v", o)
			}
			st := docstate.New()
			for _, op := range ops {
				st.Apply(op)
			}
			snap, err := s.Snapshot(ctx, doc)
			if err != nil || snap.Seq != 2 || !reflect.DeepEqual(snap.Annotations, st.Annotations()) {
				t.Errorf("snapshot %+v (%v) differs from the replay %+v", snap, err, st.Annotations())
			}
		})
	}
}

package store

import (
	"context"
	"path/filepath"
	"testing"

	"gloss/server/internal/store/pgtest"
	"gloss/shared/model"
)

// TestStoryCascades: the store has no API to delete documents or
// projects yet, but the schema must already do the right thing when
// they go (by hand or by a later feature): a deleted document leaves its
// story, a deleted project takes its stories along.
func TestStoryCascades(t *testing.T) {
	ctx := context.Background()
	sq, err := OpenSQLite(ctx, filepath.Join(t.TempDir(), "gloss.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer sq.Close()
	pg, err := OpenPostgres(ctx, pgtest.New(t))
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	for _, tc := range []struct {
		name string
		s    Store
		exec func(q string, id int64) error
	}{
		{"sqlite", sq, func(q string, id int64) error { _, err := sq.w.ExecContext(ctx, q, id); return err }},
		{"postgres", pg, func(q string, id int64) error {
			_, err := pg.pool.Exec(ctx, q, id)
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := tc.s
			p, err := s.CreateProject(ctx, "cascade", model.DefaultSchema())
			if err != nil {
				t.Fatal(err)
			}
			docs, err := s.AddDocuments(ctx, p.ID, []model.Document{{Name: "a", Text: "A."}, {Name: "b", Text: "B."}})
			if err != nil {
				t.Fatal(err)
			}
			st, err := s.CreateStory(ctx, p.ID, "s", []int64{docs[0].ID, docs[1].ID})
			if err != nil {
				t.Fatal(err)
			}
			q := "DELETE FROM documents WHERE id = ?"
			if tc.name == "postgres" {
				q = "DELETE FROM documents WHERE id = $1"
			}
			if err := tc.exec(q, docs[0].ID); err != nil {
				t.Fatal(err)
			}
			if st, err = s.Story(ctx, st.ID); err != nil || len(st.Documents) != 1 || st.Documents[0].ID != docs[1].ID {
				t.Errorf("story after deleting a document = %+v, %v", st, err)
			}
			q = "DELETE FROM projects WHERE id = ?"
			if tc.name == "postgres" {
				q = "DELETE FROM projects WHERE id = $1"
			}
			if err := tc.exec(q, p.ID); err != nil {
				t.Fatal(err)
			}
			if ss, err := s.Stories(ctx, p.ID); err != nil || len(ss) != 0 {
				t.Errorf("stories after deleting the project = %+v, %v", ss, err)
			}
		})
	}
}

package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// sqlQuerier is what the story reads need of a *sql.DB or *sql.Tx.
type sqlQuerier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// sqliteStories reads the stories matching where (a condition on s, the
// stories table) with their documents.
func sqliteStories(ctx context.Context, q sqlQuerier, where string, arg int64) ([]Story, error) {
	rows, err := q.QueryContext(ctx, fmt.Sprintf(`SELECT s.id, s.project_id, s.name, d.id, d.name, d.meta, substr(d.text, 1, %d)
		FROM stories s LEFT JOIN story_documents sd ON sd.story_id = s.id LEFT JOIN documents d ON d.id = sd.document_id
		WHERE %s ORDER BY s.id`, titlePrefix, where), arg)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Story{}
	for rows.Next() {
		var st Story
		var docID sql.NullInt64
		var name, meta sql.NullString
		var text []byte
		if err := rows.Scan(&st.ID, &st.Project, &st.Name, &docID, &name, &meta, &text); err != nil {
			return nil, err
		}
		if len(out) == 0 || out[len(out)-1].ID != st.ID {
			st.Documents = []StoryDocument{}
			out = append(out, st)
		}
		if !docID.Valid {
			continue
		}
		d, err := storyDoc(docID.Int64, name.String, meta.String, text)
		if err != nil {
			return nil, err
		}
		last := &out[len(out)-1]
		last.Documents = append(last.Documents, d)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		sortStoryDocs(out[i].Documents)
	}
	return out, nil
}

func sqliteStory(ctx context.Context, q sqlQuerier, id int64) (Story, error) {
	ss, err := sqliteStories(ctx, q, "s.id = ?", id)
	if err != nil {
		return Story{}, fmt.Errorf("store: story %d: %w", id, err)
	}
	if len(ss) == 0 {
		return Story{}, fmt.Errorf("store: story %d: %w", id, ErrNotFound)
	}
	return ss[0], nil
}

// CreateStory implements Store.
func (s *SQLite) CreateStory(ctx context.Context, projectID int64, name string, docs []int64) (Story, error) {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return Story{}, fmt.Errorf("store: create story: %w", err)
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, "INSERT INTO stories (project_id, name) VALUES (?, ?)", projectID, name)
	if isForeignKey(err) {
		return Story{}, fmt.Errorf("store: project %d: %w", projectID, ErrNotFound)
	}
	if err != nil {
		return Story{}, fmt.Errorf("store: create story: %w", err)
	}
	id, _ := res.LastInsertId()
	if err := sqliteSetStoryDocs(ctx, tx, projectID, id, docs); err != nil {
		return Story{}, err
	}
	st, err := sqliteStory(ctx, tx, id)
	if err != nil {
		return Story{}, err
	}
	if err := tx.Commit(); err != nil {
		return Story{}, fmt.Errorf("store: create story: commit: %w", err)
	}
	return st, nil
}

// sqliteSetStoryDocs makes docs the whole document list of story id of
// project projectID.
func sqliteSetStoryDocs(ctx context.Context, tx *sql.Tx, projectID, id int64, docs []int64) error {
	docs = uniqueIDs(docs)
	found := map[int64]bool{}
	if len(docs) > 0 {
		marks := strings.TrimSuffix(strings.Repeat("?,", len(docs)), ",")
		args := []any{projectID}
		for _, d := range docs {
			args = append(args, d)
		}
		rows, err := tx.QueryContext(ctx, "SELECT id FROM documents WHERE project_id = ? AND id IN ("+marks+")", args...)
		if err != nil {
			return fmt.Errorf("store: story documents: %w", err)
		}
		for rows.Next() {
			var d int64
			if err := rows.Scan(&d); err != nil {
				rows.Close()
				return fmt.Errorf("store: story documents: %w", err)
			}
			found[d] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("store: story documents: %w", err)
		}
		if err := otherProjectError(projectID, docs, found); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM story_documents WHERE story_id = ?", id); err != nil {
		return fmt.Errorf("store: story documents: %w", err)
	}
	for _, d := range docs {
		// A document of another story moves to this one.
		if _, err := tx.ExecContext(ctx, `INSERT INTO story_documents (document_id, story_id) VALUES (?, ?)
			ON CONFLICT (document_id) DO UPDATE SET story_id = excluded.story_id`, d, id); err != nil {
			return fmt.Errorf("store: story documents: %w", err)
		}
	}
	return nil
}

// Story implements Store.
func (s *SQLite) Story(ctx context.Context, id int64) (Story, error) {
	return sqliteStory(ctx, s.r, id)
}

// Stories implements Store.
func (s *SQLite) Stories(ctx context.Context, projectID int64) ([]Story, error) {
	ss, err := sqliteStories(ctx, s.r, "s.project_id = ?", projectID)
	if err != nil {
		return nil, fmt.Errorf("store: stories: %w", err)
	}
	return ss, nil
}

// UpdateStory implements Store.
func (s *SQLite) UpdateStory(ctx context.Context, id int64, change StoryChange) (Story, error) {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return Story{}, fmt.Errorf("store: update story: %w", err)
	}
	defer tx.Rollback()
	var projectID int64
	err = tx.QueryRowContext(ctx, "SELECT project_id FROM stories WHERE id = ?", id).Scan(&projectID)
	if errors.Is(err, sql.ErrNoRows) {
		return Story{}, fmt.Errorf("store: story %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return Story{}, fmt.Errorf("store: update story: %w", err)
	}
	if change.Name != nil {
		if _, err := tx.ExecContext(ctx, "UPDATE stories SET name = ? WHERE id = ?", *change.Name, id); err != nil {
			return Story{}, fmt.Errorf("store: rename story: %w", err)
		}
	}
	if change.Documents != nil {
		if err := sqliteSetStoryDocs(ctx, tx, projectID, id, *change.Documents); err != nil {
			return Story{}, err
		}
	}
	st, err := sqliteStory(ctx, tx, id)
	if err != nil {
		return Story{}, err
	}
	if err := tx.Commit(); err != nil {
		return Story{}, fmt.Errorf("store: update story: commit: %w", err)
	}
	return st, nil
}

// DeleteStory implements Store.
func (s *SQLite) DeleteStory(ctx context.Context, id int64) error {
	res, err := s.w.ExecContext(ctx, "DELETE FROM stories WHERE id = ?", id)
	if err != nil {
		return fmt.Errorf("store: delete story: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("store: story %d: %w", id, ErrNotFound)
	}
	return nil
}

// SetDocumentMeta implements Store.
func (s *SQLite) SetDocumentMeta(ctx context.Context, docID int64, changes map[string]string) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: document meta: %w", err)
	}
	defer tx.Rollback()
	var meta string
	err = tx.QueryRowContext(ctx, "SELECT meta FROM documents WHERE id = ?", docID).Scan(&meta)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("store: document %d: %w", docID, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("store: document meta: %w", err)
	}
	next, err := applyMeta(meta, changes)
	if err != nil {
		return fmt.Errorf("store: document %d meta: %w", docID, err)
	}
	if _, err := tx.ExecContext(ctx, "UPDATE documents SET meta = ? WHERE id = ?", next, docID); err != nil {
		return fmt.Errorf("store: document meta: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: document meta: commit: %w", err)
	}
	return nil
}

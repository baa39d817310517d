package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// pgQuerier is what the story reads need of the pool or a transaction.
type pgQuerier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// pgStories reads the stories matching where (a condition on s, the
// stories table) with their documents.
func pgStories(ctx context.Context, q pgQuerier, where string, arg int64) ([]Story, error) {
	rows, err := q.Query(ctx, fmt.Sprintf(`SELECT s.id, s.project_id, s.name, d.id, d.name, d.meta, substring(d.text from 1 for %d)
		FROM stories s LEFT JOIN story_documents sd ON sd.story_id = s.id LEFT JOIN documents d ON d.id = sd.document_id
		WHERE %s ORDER BY s.id`, titlePrefix, where), arg)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Story{}
	for rows.Next() {
		var st Story
		var docID *int64
		var name, meta *string
		var text []byte
		if err := rows.Scan(&st.ID, &st.Project, &st.Name, &docID, &name, &meta, &text); err != nil {
			return nil, err
		}
		if len(out) == 0 || out[len(out)-1].ID != st.ID {
			st.Documents = []StoryDocument{}
			out = append(out, st)
		}
		if docID == nil {
			continue
		}
		d, err := storyDoc(*docID, *name, *meta, text)
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

func pgStory(ctx context.Context, q pgQuerier, id int64) (Story, error) {
	ss, err := pgStories(ctx, q, "s.id = $1", id)
	if err != nil {
		return Story{}, fmt.Errorf("store: story %d: %w", id, err)
	}
	if len(ss) == 0 {
		return Story{}, fmt.Errorf("store: story %d: %w", id, ErrNotFound)
	}
	return ss[0], nil
}

// CreateStory implements Store.
func (p *Postgres) CreateStory(ctx context.Context, projectID int64, name string, docs []int64) (Story, error) {
	tx, err := p.pool.Begin(ctx)
	if err != nil {
		return Story{}, fmt.Errorf("store: create story: %w", err)
	}
	defer tx.Rollback(ctx)
	var id int64
	err = tx.QueryRow(ctx, "INSERT INTO stories (project_id, name) VALUES ($1, $2) RETURNING id", projectID, name).Scan(&id)
	if isPgForeignKey(err) {
		return Story{}, fmt.Errorf("store: project %d: %w", projectID, ErrNotFound)
	}
	if err != nil {
		return Story{}, fmt.Errorf("store: create story: %w", err)
	}
	if err := pgSetStoryDocs(ctx, tx, projectID, id, docs); err != nil {
		return Story{}, err
	}
	st, err := pgStory(ctx, tx, id)
	if err != nil {
		return Story{}, err
	}
	if err := tx.Commit(ctx); err != nil {
		return Story{}, fmt.Errorf("store: create story: commit: %w", err)
	}
	return st, nil
}

// pgSetStoryDocs makes docs the whole document list of story id of
// project projectID.
func pgSetStoryDocs(ctx context.Context, tx pgx.Tx, projectID, id int64, docs []int64) error {
	docs = uniqueIDs(docs)
	found := map[int64]bool{}
	if len(docs) > 0 {
		rows, err := tx.Query(ctx, "SELECT id FROM documents WHERE project_id = $1 AND id = ANY($2)", projectID, docs)
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
	if _, err := tx.Exec(ctx, "DELETE FROM story_documents WHERE story_id = $1", id); err != nil {
		return fmt.Errorf("store: story documents: %w", err)
	}
	for _, d := range docs {
		// A document of another story moves to this one.
		if _, err := tx.Exec(ctx, `INSERT INTO story_documents (document_id, story_id) VALUES ($1, $2)
			ON CONFLICT (document_id) DO UPDATE SET story_id = excluded.story_id`, d, id); err != nil {
			return fmt.Errorf("store: story documents: %w", err)
		}
	}
	return nil
}

// Story implements Store.
func (p *Postgres) Story(ctx context.Context, id int64) (Story, error) {
	return pgStory(ctx, p.pool, id)
}

// Stories implements Store.
func (p *Postgres) Stories(ctx context.Context, projectID int64) ([]Story, error) {
	ss, err := pgStories(ctx, p.pool, "s.project_id = $1", projectID)
	if err != nil {
		return nil, fmt.Errorf("store: stories: %w", err)
	}
	return ss, nil
}

// UpdateStory implements Store.
func (p *Postgres) UpdateStory(ctx context.Context, id int64, change StoryChange) (Story, error) {
	tx, err := p.pool.Begin(ctx)
	if err != nil {
		return Story{}, fmt.Errorf("store: update story: %w", err)
	}
	defer tx.Rollback(ctx)
	var projectID int64
	// The row lock orders concurrent changes of one story.
	err = tx.QueryRow(ctx, "SELECT project_id FROM stories WHERE id = $1 FOR UPDATE", id).Scan(&projectID)
	if errors.Is(err, pgx.ErrNoRows) {
		return Story{}, fmt.Errorf("store: story %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return Story{}, fmt.Errorf("store: update story: %w", err)
	}
	if change.Name != nil {
		if _, err := tx.Exec(ctx, "UPDATE stories SET name = $1 WHERE id = $2", *change.Name, id); err != nil {
			return Story{}, fmt.Errorf("store: rename story: %w", err)
		}
	}
	if change.Documents != nil {
		if err := pgSetStoryDocs(ctx, tx, projectID, id, *change.Documents); err != nil {
			return Story{}, err
		}
	}
	st, err := pgStory(ctx, tx, id)
	if err != nil {
		return Story{}, err
	}
	if err := tx.Commit(ctx); err != nil {
		return Story{}, fmt.Errorf("store: update story: commit: %w", err)
	}
	return st, nil
}

// DeleteStory implements Store.
func (p *Postgres) DeleteStory(ctx context.Context, id int64) error {
	tag, err := p.pool.Exec(ctx, "DELETE FROM stories WHERE id = $1", id)
	if err != nil {
		return fmt.Errorf("store: delete story: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("store: story %d: %w", id, ErrNotFound)
	}
	return nil
}

// SetDocumentMeta implements Store.
func (p *Postgres) SetDocumentMeta(ctx context.Context, docID int64, changes map[string]string) error {
	tx, err := p.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("store: document meta: %w", err)
	}
	defer tx.Rollback(ctx)
	var meta string
	err = tx.QueryRow(ctx, "SELECT meta FROM documents WHERE id = $1 FOR UPDATE", docID).Scan(&meta)
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("store: document %d: %w", docID, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("store: document meta: %w", err)
	}
	next, err := applyMeta(meta, changes)
	if err != nil {
		return fmt.Errorf("store: document %d meta: %w", docID, err)
	}
	if _, err := tx.Exec(ctx, "UPDATE documents SET meta = $1 WHERE id = $2", next, docID); err != nil {
		return fmt.Errorf("store: document meta: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("store: document meta: commit: %w", err)
	}
	return nil
}

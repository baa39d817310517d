package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
)

var (
	qStoriesWhere = `SELECT s.id, s.project_id, s.name, d.id, d.name, d.meta, substr(d.text, 1, ` + strconv.Itoa(titlePrefix) + `)
		FROM stories s LEFT JOIN story_documents sd ON sd.story_id = s.id LEFT JOIN documents d ON d.id = sd.document_id
		WHERE `
	qStory          = sqlText(qStoriesWhere + "s.id = ? ORDER BY s.id")
	qStories        = sqlText(qStoriesWhere + "s.project_id = ? ORDER BY s.id")
	qCreateStory    = sqlText("INSERT INTO stories (project_id, name) VALUES (?, ?) RETURNING id")
	qStoryProject   = sqlText("SELECT project_id FROM stories WHERE id = ?")
	qRenameStory    = sqlText("UPDATE stories SET name = ? WHERE id = ?")
	qDeleteStory    = sqlText("DELETE FROM stories WHERE id = ?")
	qClearStoryDocs = sqlText("DELETE FROM story_documents WHERE story_id = ?")
	// A document of another story moves to this one.
	qAddStoryDoc = sqlText(`INSERT INTO story_documents (document_id, story_id) VALUES (?, ?)
		ON CONFLICT (document_id) DO UPDATE SET story_id = excluded.story_id`)
	qDocumentMeta    = sqlText("SELECT meta FROM documents WHERE id = ?{LOCK}")
	qSetDocumentMeta = sqlText("UPDATE documents SET meta = ? WHERE id = ?")
)

// stories reads the stories a query selects, with their documents.
func (s *db) stories(ctx context.Context, q queryer, what string, query query, arg int64) ([]Story, error) {
	out := []Story{}
	err := scanAll(ctx, q, what, s.q(query), []any{arg}, func(rows *sql.Rows) error {
		var st Story
		var docID sql.NullInt64
		var name, meta sql.NullString
		var text []byte
		if err := rows.Scan(&st.ID, &st.Project, &st.Name, &docID, &name, &meta, &text); err != nil {
			return err
		}
		if len(out) == 0 || out[len(out)-1].ID != st.ID {
			st.Documents = []StoryDocument{}
			out = append(out, st)
		}
		if !docID.Valid {
			return nil
		}
		d, err := storyDoc(docID.Int64, name.String, meta.String, text)
		if err != nil {
			return err
		}
		last := &out[len(out)-1]
		last.Documents = append(last.Documents, d)
		return nil
	})
	if err != nil {
		return nil, err
	}
	for i := range out {
		sortStoryDocs(out[i].Documents)
	}
	return out, nil
}

func (s *db) story(ctx context.Context, q queryer, id int64) (Story, error) {
	ss, err := s.stories(ctx, q, "story "+strconv.FormatInt(id, 10), qStory, id)
	if err != nil {
		return Story{}, err
	}
	if len(ss) == 0 {
		return Story{}, fmt.Errorf("store: story %d: %w", id, ErrNotFound)
	}
	return ss[0], nil
}

// CreateStory implements Store.
func (s *db) CreateStory(ctx context.Context, projectID int64, name string, docs []int64) (Story, error) {
	var st Story
	err := s.inTx(ctx, "create story", func(tx *sql.Tx) error {
		var id int64
		err := tx.QueryRowContext(ctx, s.q(qCreateStory), projectID, name).Scan(&id)
		if isForeignKey(err) {
			return fmt.Errorf("store: project %d: %w", projectID, ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("store: create story: %w", err)
		}
		if err := s.setStoryDocs(ctx, tx, projectID, id, docs); err != nil {
			return err
		}
		st, err = s.story(ctx, tx, id)
		return err
	})
	return st, err
}

// setStoryDocs makes docs the whole document list of story id of project
// projectID; a document of another project refuses the whole change.
func (s *db) setStoryDocs(ctx context.Context, tx *sql.Tx, projectID, id int64, docs []int64) error {
	docs = uniqueIDs(docs)
	if len(docs) > 0 {
		marks, args := inList(docs)
		found := map[int64]bool{}
		err := scanAll(ctx, tx, "story documents", s.d.rebind("SELECT id FROM documents WHERE project_id = ? AND id IN ("+marks+")"),
			append([]any{projectID}, args...), func(rows *sql.Rows) error {
				var d int64
				if err := rows.Scan(&d); err != nil {
					return err
				}
				found[d] = true
				return nil
			})
		if err != nil {
			return err
		}
		if err := otherProjectError(projectID, docs, found); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, s.q(qClearStoryDocs), id); err != nil {
		return fmt.Errorf("store: story documents: %w", err)
	}
	for _, d := range docs {
		if _, err := tx.ExecContext(ctx, s.q(qAddStoryDoc), d, id); err != nil {
			return fmt.Errorf("store: story documents: %w", err)
		}
	}
	return nil
}

// Story implements Store.
func (s *db) Story(ctx context.Context, id int64) (Story, error) { return s.story(ctx, s.r, id) }

// Stories implements Store.
func (s *db) Stories(ctx context.Context, projectID int64) ([]Story, error) {
	return s.stories(ctx, s.r, "stories", qStories, projectID)
}

// UpdateStory implements Store.
func (s *db) UpdateStory(ctx context.Context, id int64, change StoryChange) (Story, error) {
	var st Story
	err := s.inTx(ctx, "update story", func(tx *sql.Tx) error {
		var projectID int64
		err := tx.QueryRowContext(ctx, s.q(qStoryProject), id).Scan(&projectID)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("store: story %d: %w", id, ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("store: update story: %w", err)
		}
		if change.Name != nil {
			if _, err := tx.ExecContext(ctx, s.q(qRenameStory), *change.Name, id); err != nil {
				return fmt.Errorf("store: rename story: %w", err)
			}
		}
		if change.Documents != nil {
			if err := s.setStoryDocs(ctx, tx, projectID, id, *change.Documents); err != nil {
				return err
			}
		}
		st, err = s.story(ctx, tx, id)
		return err
	})
	return st, err
}

// DeleteStory implements Store.
func (s *db) DeleteStory(ctx context.Context, id int64) error {
	return s.execOne(ctx, fmt.Sprintf("story %d", id), qDeleteStory, id)
}

// SetDocumentMeta implements Store.
func (s *db) SetDocumentMeta(ctx context.Context, docID int64, changes map[string]string) error {
	return s.inTx(ctx, "document meta", func(tx *sql.Tx) error {
		var meta string
		err := tx.QueryRowContext(ctx, s.q(qDocumentMeta), docID).Scan(&meta)
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
		if _, err := tx.ExecContext(ctx, s.q(qSetDocumentMeta), next, docID); err != nil {
			return fmt.Errorf("store: document meta: %w", err)
		}
		return nil
	})
}

package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"gloss/shared/model"
)

// ProjectSettings implements Store.
func (s *SQLite) ProjectSettings(ctx context.Context, projectID int64) (model.Settings, error) {
	var js string
	err := s.r.QueryRowContext(ctx, `SELECT COALESCE((SELECT settings FROM project_settings WHERE project_id = p.id), '{}')
		FROM projects p WHERE p.id = ?`, projectID).Scan(&js)
	if errors.Is(err, sql.ErrNoRows) {
		return model.Settings{}, fmt.Errorf("store: project %d: %w", projectID, ErrNotFound)
	}
	if err != nil {
		return model.Settings{}, fmt.Errorf("store: project settings: %w", err)
	}
	return decodeSettings(projectID, js)
}

// SetProjectSettings implements Store.
func (s *SQLite) SetProjectSettings(ctx context.Context, projectID int64, st model.Settings) error {
	js, err := encodeSettings(st)
	if err != nil {
		return err
	}
	_, err = s.w.ExecContext(ctx, `INSERT INTO project_settings (project_id, settings) VALUES (?, ?)
		ON CONFLICT (project_id) DO UPDATE SET settings = excluded.settings`, projectID, js)
	if isForeignKey(err) {
		return fmt.Errorf("store: project %d: %w", projectID, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("store: set project settings: %w", err)
	}
	return nil
}

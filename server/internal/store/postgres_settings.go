package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"gloss/shared/model"
)

// ProjectSettings implements Store.
func (p *Postgres) ProjectSettings(ctx context.Context, projectID int64) (model.Settings, error) {
	var js string
	err := p.pool.QueryRow(ctx, `SELECT COALESCE((SELECT settings FROM project_settings WHERE project_id = p.id), '{}')
		FROM projects p WHERE p.id = $1`, projectID).Scan(&js)
	if errors.Is(err, pgx.ErrNoRows) {
		return model.Settings{}, fmt.Errorf("store: project %d: %w", projectID, ErrNotFound)
	}
	if err != nil {
		return model.Settings{}, fmt.Errorf("store: project settings: %w", err)
	}
	return decodeSettings(projectID, js)
}

// SetProjectSettings implements Store.
func (p *Postgres) SetProjectSettings(ctx context.Context, projectID int64, st model.Settings) error {
	js, err := encodeSettings(st)
	if err != nil {
		return err
	}
	_, err = p.pool.Exec(ctx, `INSERT INTO project_settings (project_id, settings) VALUES ($1, $2)
		ON CONFLICT (project_id) DO UPDATE SET settings = excluded.settings`, projectID, js)
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "23503" {
		return fmt.Errorf("store: project %d: %w", projectID, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("store: set project settings: %w", err)
	}
	return nil
}

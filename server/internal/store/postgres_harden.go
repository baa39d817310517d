package store

import (
	"context"
	"fmt"
	"time"
)

// DeleteExpiredSessions implements Store.
func (p *Postgres) DeleteExpiredSessions(ctx context.Context, now time.Time) (int64, error) {
	tag, err := p.pool.Exec(ctx, "DELETE FROM sessions WHERE expires <= $1", ms(now))
	if err != nil {
		return 0, fmt.Errorf("store: delete expired sessions: %w", err)
	}
	return tag.RowsAffected(), nil
}

// MarkDone implements Store.
func (p *Postgres) MarkDone(ctx context.Context, docID, userID int64, done bool) error {
	tag, err := p.pool.Exec(ctx, "UPDATE assignments SET done = $1, updated = $2 WHERE doc_id = $3 AND user_id = $4", done, ms(time.Now()), docID, userID)
	if err != nil {
		return fmt.Errorf("store: mark done: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("store: mark document %d done for user %d: not assigned: %w", docID, userID, ErrNotFound)
	}
	return nil
}

package store

import (
	"context"
	"fmt"
	"time"
)

// DeleteExpiredSessions implements Store.
func (s *SQLite) DeleteExpiredSessions(ctx context.Context, now time.Time) (int64, error) {
	res, err := s.w.ExecContext(ctx, "DELETE FROM sessions WHERE expires <= ?", ms(now))
	if err != nil {
		return 0, fmt.Errorf("store: delete expired sessions: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("store: delete expired sessions: %w", err)
	}
	return n, nil
}

// MarkDone implements Store.
func (s *SQLite) MarkDone(ctx context.Context, docID, userID int64, done bool) error {
	res, err := s.w.ExecContext(ctx, "UPDATE assignments SET done = ?, updated = ? WHERE doc_id = ? AND user_id = ?", done, ms(time.Now()), docID, userID)
	if err != nil {
		return fmt.Errorf("store: mark done: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("store: mark done: %w", err)
	} else if n == 0 {
		return fmt.Errorf("store: mark document %d done for user %d: not assigned: %w", docID, userID, ErrNotFound)
	}
	return nil
}

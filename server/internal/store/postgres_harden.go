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

package store

import (
	"context"
	"database/sql"
)

// DocSeqs implements Store: one statement per 500 documents (bound
// parameters are limited in some drivers), not one per document — a
// story page checks its 50 articles on every request.
func (s *db) DocSeqs(ctx context.Context, docIDs []int64) (map[int64]int64, error) {
	out := make(map[int64]int64, len(docIDs))
	for len(docIDs) > 0 {
		n := min(len(docIDs), 500)
		in, args := inList(docIDs[:n])
		docIDs = docIDs[n:]
		err := scanAll(ctx, s.r, "document seqs", s.d.rebind("SELECT id, seq FROM documents WHERE id IN ("+in+")"), args, func(rows *sql.Rows) error {
			var id, seq int64
			err := rows.Scan(&id, &seq)
			out[id] = seq
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

package store

import (
	"context"
	"database/sql"
	"slices"
)

// DocSeqs implements Store: one statement per 500 documents (bound
// parameters are limited in some drivers), not one per document — a
// story page checks its 50 articles on every request.
func (s *db) DocSeqs(ctx context.Context, docIDs []int64) (map[int64]int64, error) {
	return seqsByKey(ctx, s, "document seqs", func(in string) string {
		return "SELECT id, seq FROM documents WHERE id IN (" + in + ")"
	}, nil, docIDs)
}

// seqsByKey reads the (key, seq) rows that query selects for keys, asked
// in chunks of 500 keys (under SQLite's limit of bound parameters):
// query gets the chunk's placeholders, pre are the arguments before them.
func seqsByKey[K comparable](ctx context.Context, s *db, what string, query func(in string) string, pre []any, keys []K) (map[K]int64, error) {
	out := make(map[K]int64, len(keys))
	for len(keys) > 0 {
		n := min(len(keys), 500)
		in, args := inList(keys[:n])
		keys = keys[n:]
		err := scanAll(ctx, s.r, what, s.d.rebind(query(in)), append(slices.Clip(pre), args...), func(rows *sql.Rows) error {
			var k K
			var seq int64
			err := rows.Scan(&k, &seq)
			out[k] = seq
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

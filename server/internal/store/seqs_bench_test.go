package store_test

import (
	"testing"

	"gloss/shared/model"
)

// BenchmarkStoryCheck: what the story page's cache does on each request
// to see which of a story's 50 articles moved — one OpsSince a document
// (as before) or one DocSeqs for all (SQLite).
func BenchmarkStoryCheck(b *testing.B) {
	s := openSQLite(b)
	ctx := b.Context()
	p, err := s.CreateProject(ctx, "p", model.DefaultSchema())
	if err != nil {
		b.Fatal(err)
	}
	docs := make([]model.Document, 50)
	for i := range docs {
		docs[i] = model.Document{Name: "d", Text: "some article text"}
	}
	added, err := s.AddDocuments(ctx, p.ID, docs)
	if err != nil {
		b.Fatal(err)
	}
	ids := make([]int64, len(added))
	for i, d := range added {
		ids[i] = d.ID
	}
	b.Run("OpsSince", func(b *testing.B) {
		for b.Loop() {
			for _, id := range ids {
				if _, err := s.OpsSince(ctx, id, 0, 1); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
	b.Run("DocSeqs", func(b *testing.B) {
		for b.Loop() {
			if _, err := s.DocSeqs(ctx, ids); err != nil {
				b.Fatal(err)
			}
		}
	})
}

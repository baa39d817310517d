package api

import (
	"context"
	"iter"
	"slices"

	"gloss/server/internal/export"
	"gloss/server/internal/store"
)

// DocsOf yields a project's documents with their current annotations one
// at a time, so an export holds one document in memory, not the project.
// The CLI uses it too. With only, just those documents of the project.
func DocsOf(ctx context.Context, st store.Store, projectID int64, only ...int64) iter.Seq2[export.Doc, error] {
	return func(yield func(export.Doc, error) bool) {
		infos, err := st.Documents(ctx, projectID)
		if err != nil {
			yield(export.Doc{}, err)
			return
		}
		for _, info := range infos {
			if len(only) > 0 && !slices.Contains(only, info.ID) {
				continue
			}
			d, err := st.Document(ctx, info.ID)
			if err != nil {
				yield(export.Doc{}, err)
				return
			}
			snap, err := st.Snapshot(ctx, info.ID)
			if err != nil {
				yield(export.Doc{}, err)
				return
			}
			if !yield(export.Doc{Document: d, Annotations: snap.Annotations, Relations: snap.Relations,
				Reviews: snap.Reviews, DocReview: snap.DocReview}, nil) {
				return
			}
		}
	}
}

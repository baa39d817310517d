package api

import (
	"context"
	"fmt"
	"iter"

	"gloss/server/internal/export"
	"gloss/server/internal/store"
	"gloss/shared/model"
)

// Blind annotation over HTTP: every read that returns a document's
// annotations (the pre-rendered page, exports, the document list's
// counts) applies the same rule as the hub's welcome (model.ViewOf).
// Agreement, progress and review figures are for reviewers and admins,
// who see everything.

// viewsOf returns, for user u with role in project projectID, their view
// of a document given its id and review status. It reads the settings
// and, only for an annotator under blind annotation, their done marks.
func viewsOf(ctx context.Context, st store.Store, projectID int64, role model.Role, u model.User) (func(doc int64, review model.DocReview) model.View, error) {
	set, err := st.ProjectSettings(ctx, projectID)
	if err != nil {
		return nil, fmt.Errorf("api: views: %w", err)
	}
	done := map[int64]bool{}
	if set.Blind && role == model.RoleAnnotator {
		as, err := st.Assignments(ctx, projectID)
		if err != nil {
			return nil, fmt.Errorf("api: views: %w", err)
		}
		for _, a := range as {
			if a.UserID == u.ID && a.Done {
				done[a.Document] = true
			}
		}
	}
	return func(doc int64, review model.DocReview) model.View {
		return model.ViewOf(set, role, u.Name, done[doc], review)
	}, nil
}

// blindDocs is docs as a member sees them: each filtered by their view.
func blindDocs(docs iter.Seq2[export.Doc, error], view func(int64, model.DocReview) model.View) iter.Seq2[export.Doc, error] {
	return func(yield func(export.Doc, error) bool) {
		for d, err := range docs {
			if err == nil {
				v := view(d.Document.ID, d.DocReview)
				d.Annotations, d.Relations, d.Reviews, _ = v.Filter(d.Annotations, d.Relations, d.Reviews, nil)
			}
			if !yield(d, err) {
				return
			}
		}
	}
}

// blindCounts replaces, in a blind annotator's document list, the count
// of annotations of every document they have not marked done by the
// count of what they may see of it (the review status is not read for a
// list: a document in review counts low for them, never high).
func blindCounts(ctx context.Context, st store.Store, projectID int64, docs []store.DocumentInfo, view func(int64, model.DocReview) model.View) error {
	blind := false
	for _, d := range docs {
		blind = blind || view(d.ID, model.DocReview{}).Blind
	}
	if !blind {
		return nil
	}
	counts, err := st.SpanCounts(ctx, projectID)
	if err != nil {
		return fmt.Errorf("api: span counts: %w", err)
	}
	seen := map[int64]int{}
	for _, c := range counts {
		if view(c.Document, model.DocReview{}).Sees(c.Layer) {
			seen[c.Document] += c.Count
		}
	}
	for i, d := range docs {
		if view(d.ID, model.DocReview{}).Blind {
			docs[i].Annotations = seen[d.ID]
		}
	}
	return nil
}

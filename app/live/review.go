package live

import (
	"time"

	"gloss/shared/docstate"
	"gloss/shared/model"
	"gloss/shared/protocol"
)

// This file is the session's view of review and adjudication: review
// records, comment threads and the document's review status, confirmed
// state with the pending ops folded over it, as rebuildOverlay does for
// annotations. The server's answer replaces the guess when it arrives.

// rebuildReviewOverlay folds the pending review ops and comments over the
// confirmed state. Called by rebuildOverlay, after the annotation overlay
// is built.
func (s *Session) rebuildReviewOverlay() {
	s.revOverlay = map[string]model.Review{}
	s.comOverlay = nil
	s.comHidden = map[string]bool{}
	s.docOverlay = nil
	s.counts = nil
	now := time.Now().UTC()
	for _, op := range s.pending {
		switch op.Kind {
		case protocol.KindAccept:
			src, ok := s.Annotation(op.Target)
			if !ok || op.Ann == nil {
				continue
			}
			st := model.ReviewAccepted
			if op.Ann.Label != src.Label || op.Ann.Start != src.Start || op.Ann.End != src.End {
				st = model.ReviewEdited
			}
			s.revOverlay[op.Ann.ID] = model.Review{Annotation: op.Ann.ID, Status: st, Reviewer: s.You.User, Time: now, Source: src.ID, Proposer: src.Author}
			s.revOverlay[src.ID] = model.Review{Annotation: src.ID, Status: st, Reviewer: s.You.User, Time: now, Gold: op.Ann.ID}
		case protocol.KindReview:
			s.revOverlay[op.Target] = model.Review{Annotation: op.Target, Status: model.ReviewStatus(op.Status), Reviewer: s.You.User, Time: now}
		case protocol.KindDelete:
			// A deleted gold copy makes its sources unreviewed again.
			for id, r := range s.Reviews() {
				if r.Gold == op.Target {
					s.revOverlay[id] = model.Review{Annotation: id, Status: model.ReviewUnreviewed, Reviewer: s.You.User, Time: now}
				}
			}
			delete(s.revOverlay, op.Target)
		case protocol.KindComment:
			if op.Comment != nil {
				c := *op.Comment
				c.Document, c.Author, c.Created = s.doc, s.You.User, now
				s.comOverlay = append(s.comOverlay, c)
			}
		case protocol.KindDeleteComment:
			s.comHidden[op.Target] = true
		case protocol.KindDocStatus:
			s.docOverlay = &model.DocReview{Status: model.DocStatus(op.Status), Reviewer: s.You.User, Time: now}
		}
	}
}

// Review returns the review record of an annotation, if it has one.
func (s *Session) Review(id string) (model.Review, bool) {
	if r, ok := s.revOverlay[id]; ok {
		return r, true
	}
	r, ok := s.state.Reviews[id]
	return r, ok
}

// Reviews returns every review record by annotation ID (a new map).
func (s *Session) Reviews() map[string]model.Review {
	out := make(map[string]model.Review, len(s.state.Reviews)+len(s.revOverlay))
	for id, r := range s.state.Reviews {
		out[id] = r
	}
	for id, r := range s.revOverlay {
		out[id] = r
	}
	return out
}

// DocReview is the document's review status.
func (s *Session) DocReview() model.DocReview {
	if s.docOverlay != nil {
		return *s.docOverlay
	}
	return s.state.DocReview
}

// Comments returns the thread of annotation target: confirmed comments
// oldest first, then the user's pending ones.
func (s *Session) Comments(target string) []model.Comment {
	var out []model.Comment
	for _, c := range s.state.Comments {
		if c.Target == target && !s.comHidden[c.ID] {
			out = append(out, c)
		}
	}
	docstate.SortComments(out)
	for _, c := range s.comOverlay {
		if c.Target == target {
			out = append(out, c)
		}
	}
	return out
}

// CommentCount is how many comments annotation target's thread has.
func (s *Session) CommentCount(target string) int {
	if s.counts == nil {
		s.counts = map[string]int{}
		for _, c := range s.state.Comments {
			if !s.comHidden[c.ID] {
				s.counts[c.Target]++
			}
		}
		for _, c := range s.comOverlay {
			s.counts[c.Target]++
		}
	}
	return s.counts[target]
}

// CommentPending reports whether comment id is not acknowledged yet.
func (s *Session) CommentPending(id string) bool {
	for _, c := range s.comOverlay {
		if c.ID == id {
			return true
		}
	}
	return false
}

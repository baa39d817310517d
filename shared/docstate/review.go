package docstate

import (
	"fmt"
	"sort"
	"time"

	"gloss/shared/model"
	"gloss/shared/protocol"
	"gloss/shared/textpos"
)

// This file holds the rules of review and adjudication: accepting an
// annotator's span into gold (with its provenance), rejecting it, comment
// threads, and the document's review status.
//
// Every change an op makes to review records is decided here, in Resolve,
// and travels in the resolved op (Op.Reviews, Op.DocReview): Apply and the
// store write those records as they are instead of working them out again.
// The only implied changes are the cascades of a delete: an annotation's
// own review record and comments go with it, as its relations do.

// SetReview fills in what Reset empties: the review records, comments and
// document review status of a snapshot.
func (s *State) SetReview(reviews []model.Review, comments []model.Comment, doc model.DocReview) {
	s.Reviews = make(map[string]model.Review, len(reviews))
	for _, r := range reviews {
		s.Reviews[r.Annotation] = r
	}
	s.Comments = make(map[string]model.Comment, len(comments))
	for _, c := range comments {
		s.Comments[c.ID] = c
	}
	s.DocReview = doc
}

// SortedReviews returns the review records by annotation ID.
func (s *State) SortedReviews() []model.Review {
	out := make([]model.Review, 0, len(s.Reviews))
	for _, r := range s.Reviews {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Annotation < out[j].Annotation })
	return out
}

// SortedComments returns the comments in the order of their threads
// (SortComments).
func (s *State) SortedComments() []model.Comment {
	out := make([]model.Comment, 0, len(s.Comments))
	for _, c := range s.Comments {
		out = append(out, c)
	}
	SortComments(out)
	return out
}

// SortComments sorts comments as threads read: oldest first, then by ID.
func SortComments(cs []model.Comment) {
	sort.Slice(cs, func(i, j int) bool {
		if !cs[i].Created.Equal(cs[j].Created) {
			return cs[i].Created.Before(cs[j].Created)
		}
		return cs[i].ID < cs[j].ID
	})
}

func (s *State) resolveReview(op protocol.Op, out protocol.Op, text *textpos.Text, schema model.Schema, doc int64, who Actor, now time.Time) (protocol.Op, error) {
	t := now.UTC()
	switch op.Kind {
	case protocol.KindReview, protocol.KindAccept:
		if !model.CanReview(who.Role) {
			return out, reject(protocol.CodeForbidden, "only reviewers and admins can review annotations; you are %s here", who.Role.Article())
		}
		src, ok := s.Anns[op.Target]
		if !ok {
			return out, reject(protocol.CodeNotFound, "annotation %q does not exist (deleted?)", op.Target)
		}
		if src.Layer == model.GoldLayer {
			return out, reject(protocol.CodeBadTarget, "annotation %q is a gold span: edit or delete it instead", src.ID)
		}
		if op.Version != src.Version {
			c := src
			return out, &Rejection{Code: protocol.CodeConflict, Message: fmt.Sprintf("annotation %q is at version %d, the review was made against %d", src.ID, src.Version, op.Version), Current: &c}
		}
		if g, ok := s.goldCopy(src.ID); ok {
			return out, &Rejection{Code: protocol.CodeAlreadyAccepted, Message: fmt.Sprintf("annotation %q is in gold as %q: delete the gold copy first", src.ID, g.ID), Current: &g}
		}
		out.Target, out.Version = src.ID, op.Version
		if op.Kind == protocol.KindReview {
			out.Status = op.Status
			out.Reviews = []model.Review{{Annotation: src.ID, Status: model.ReviewStatus(op.Status), Reviewer: who.User, Time: t}}
			if op.Status == string(model.ReviewAccepted) {
				// A span equal to one already in gold (both annotators
				// agree) is accepted into that gold span, not copied again.
				g, ok := s.equalGold(src)
				if !ok {
					return out, reject(protocol.CodeBadTarget, "annotation %q has no equal gold span: accept it into gold instead", src.ID)
				}
				out.Reviews[0].Gold = g.ID
			}
			out.DocReview = s.startReview(who, now)
			return out, nil
		}
		a := *op.Ann
		if a.Layer == "" {
			a.Layer = model.GoldLayer
		}
		if a.Layer != model.GoldLayer || !model.CanWrite(who.Role, who.User, a.Layer) {
			return out, reject(protocol.CodeForbidden, "accepting copies a span into gold; %s", layerRefusal(who, a.Layer))
		}
		if err := model.ValidateAnnotation(text, schema, a); err != nil {
			return out, asRejection(err)
		}
		if _, dup := s.Anns[a.ID]; dup {
			return out, reject(protocol.CodeDuplicateID, "annotation %q already exists", a.ID)
		}
		a.Document, a.Author, a.Version, a.Created, a.Updated = doc, who.User, 1, t, t
		status := model.ReviewAccepted
		if a.Label != src.Label || a.Start != src.Start || a.End != src.End {
			status = model.ReviewEdited
		}
		out.Ann = &a
		out.Reviews = []model.Review{
			{Annotation: a.ID, Status: status, Reviewer: who.User, Time: t, Source: src.ID, Proposer: src.Author},
			{Annotation: src.ID, Status: status, Reviewer: who.User, Time: t, Gold: a.ID},
		}
		out.DocReview = s.startReview(who, now)
	case protocol.KindComment:
		if !model.CanComment(who.Role) {
			return out, reject(protocol.CodeForbidden, "as %s you can read the comments but not write any", who.Role.Article())
		}
		c := *op.Comment
		if err := model.ValidateComment(c); err != nil {
			return out, asRejection(err)
		}
		if _, dup := s.Comments[c.ID]; dup {
			return out, reject(protocol.CodeDuplicateID, "comment %q already exists", c.ID)
		}
		if _, ok := s.Anns[c.Target]; !ok {
			return out, reject(protocol.CodeNotFound, "annotation %q does not exist (deleted?)", c.Target)
		}
		c.Document, c.Author, c.Created = doc, who.User, t
		out.Comment = &c
	case protocol.KindDeleteComment:
		c, ok := s.Comments[op.Target]
		if !ok {
			return out, reject(protocol.CodeNotFound, "comment %q does not exist", op.Target)
		}
		if !model.CanComment(who.Role) || c.Author != who.User && who.Role != model.RoleAdmin {
			return out, reject(protocol.CodeForbidden, "only %s or an admin may delete this comment", c.Author)
		}
		out.Target = c.ID
	case protocol.KindDocStatus:
		if !model.CanReview(who.Role) {
			return out, reject(protocol.CodeForbidden, "only reviewers and admins can set the document's review status; you are %s here", who.Role.Article())
		}
		out.Status = op.Status
		out.DocReview = &model.DocReview{Status: model.DocStatus(op.Status), Reviewer: who.User, Time: t}
	}
	return out, nil
}

// goldCopy returns the gold copy an accept made of annotation id, if it
// still exists.
func (s *State) goldCopy(id string) (model.Annotation, bool) {
	r, ok := s.Reviews[id]
	if !ok || r.Gold == "" {
		return model.Annotation{}, false
	}
	g, ok := s.Anns[r.Gold]
	return g, ok
}

// equalGold returns the gold span with a's label and boundaries, if any
// (the lowest ID, so that every holder picks the same).
func (s *State) equalGold(a model.Annotation) (model.Annotation, bool) {
	var best model.Annotation
	found := false
	for _, g := range s.Anns {
		if g.Layer == model.GoldLayer && g.Label == a.Label && g.Start == a.Start && g.End == a.End && (!found || g.ID < best.ID) {
			best, found = g, true
		}
	}
	return best, found
}

// startReview is the document status an adjudicating op moves a document
// nobody has reviewed yet to: in review. Nil when the status stays.
func (s *State) startReview(who Actor, now time.Time) *model.DocReview {
	if s.DocReview.State() != model.DocNotReviewed {
		return nil
	}
	return &model.DocReview{Status: model.DocInReview, Reviewer: who.User, Time: now.UTC()}
}

// goldEdited returns the records that change when gold span cur becomes
// next: a copy that no longer equals its source is "edited", and so is the
// source's verdict. Who accepted it and when stay as they were.
func (s *State) goldEdited(cur, next model.Annotation) []model.Review {
	if cur.Label == next.Label && cur.Start == next.Start && cur.End == next.End {
		return nil
	}
	prov, ok := s.Reviews[cur.ID]
	if !ok || prov.Source == "" || prov.Status == model.ReviewEdited {
		return nil
	}
	prov.Status = model.ReviewEdited
	out := []model.Review{prov}
	// Every span accepted into it (its source, and equal spans accepted
	// with a review op) is now "edited" too.
	var srcs []model.Review
	for _, r := range s.Reviews {
		if r.Gold == cur.ID && r.Annotation != cur.ID {
			r.Status = model.ReviewEdited
			srcs = append(srcs, r)
		}
	}
	sort.Slice(srcs, func(i, j int) bool { return srcs[i].Annotation < srcs[j].Annotation })
	return append(out, srcs...)
}

// goldDeleted returns the records that change when gold span id is
// deleted: the spans it was accepted from are unreviewed again.
func (s *State) goldDeleted(id string, who Actor, now time.Time) []model.Review {
	var out []model.Review
	for _, r := range s.Reviews {
		if r.Gold == id {
			out = append(out, model.Review{Annotation: r.Annotation, Status: model.ReviewUnreviewed, Reviewer: who.User, Time: now.UTC()})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Annotation < out[j].Annotation })
	return out
}

func (s *State) applyComment(op protocol.Op) {
	if s.Comments == nil {
		s.Comments = map[string]model.Comment{}
	}
	switch op.Kind {
	case protocol.KindComment:
		if op.Comment != nil {
			s.Comments[op.Comment.ID] = *op.Comment
		}
	case protocol.KindDeleteComment:
		delete(s.Comments, op.Target)
	}
}

// applyReviews writes the review records and document status an op carries.
func (s *State) applyReviews(op protocol.Op) {
	if len(op.Reviews) > 0 && s.Reviews == nil {
		s.Reviews = map[string]model.Review{}
	}
	for _, r := range op.Reviews {
		s.Reviews[r.Annotation] = r
	}
	if op.DocReview != nil {
		s.DocReview = *op.DocReview
	}
}

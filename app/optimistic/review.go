package optimistic

import (
	"time"

	"gloss/shared/docstate"
	"gloss/shared/model"
	"gloss/shared/protocol"
)

// This file is the view of review and adjudication: review
// records, comment threads and the document's review status, confirmed
// state with the pending ops folded over it, as rebuild does for
// annotations. The server's answer replaces the guess when it arrives.

// rebuildReviewOverlay folds the pending review ops and comments over the
// confirmed state. Called by rebuild, after the annotation overlay
// is built.
func (d *Doc) rebuildReviewOverlay() {
	d.revOverlay = map[string]model.Review{}
	d.comOverlay = nil
	d.comHidden = map[string]bool{}
	d.docOverlay = nil
	d.counts = nil
	now := time.Now().UTC()
	for _, op := range d.pending {
		switch op.Kind {
		case protocol.KindAccept:
			src, ok := d.Annotation(op.Target)
			if !ok || op.Ann == nil {
				continue
			}
			st := model.ReviewAccepted
			if op.Ann.Label != src.Label || op.Ann.Start != src.Start || op.Ann.End != src.End {
				st = model.ReviewEdited
			}
			d.revOverlay[op.Ann.ID] = model.Review{Annotation: op.Ann.ID, Status: st, Reviewer: d.You.User, Time: now, Source: src.ID, Proposer: src.Author}
			d.revOverlay[src.ID] = model.Review{Annotation: src.ID, Status: st, Reviewer: d.You.User, Time: now, Gold: op.Ann.ID}
		case protocol.KindReview:
			d.revOverlay[op.Target] = model.Review{Annotation: op.Target, Status: model.ReviewStatus(op.Status), Reviewer: d.You.User, Time: now}
		case protocol.KindDelete:
			// A deleted gold copy makes its sources unreviewed again.
			for id, r := range d.Reviews() {
				if r.Gold == op.Target {
					d.revOverlay[id] = model.Review{Annotation: id, Status: model.ReviewUnreviewed, Reviewer: d.You.User, Time: now}
				}
			}
			delete(d.revOverlay, op.Target)
		case protocol.KindComment:
			if op.Comment != nil {
				c := *op.Comment
				c.Document, c.Author, c.Created = d.DocID, d.You.User, now
				d.comOverlay = append(d.comOverlay, c)
			}
		case protocol.KindDeleteComment:
			d.comHidden[op.Target] = true
		case protocol.KindDocStatus:
			d.docOverlay = &model.DocReview{Status: model.DocStatus(op.Status), Reviewer: d.You.User, Time: now}
		}
	}
}

// Review returns the review record of an annotation, if it has one.
func (d *Doc) Review(id string) (model.Review, bool) {
	if r, ok := d.revOverlay[id]; ok {
		return r, true
	}
	r, ok := d.state.Reviews[id]
	return r, ok
}

// Reviews returns every review record by annotation ID (a new map).
func (d *Doc) Reviews() map[string]model.Review {
	out := make(map[string]model.Review, len(d.state.Reviews)+len(d.revOverlay))
	for id, r := range d.state.Reviews {
		out[id] = r
	}
	for id, r := range d.revOverlay {
		out[id] = r
	}
	return out
}

// DocReview is the document's review status.
func (d *Doc) DocReview() model.DocReview {
	if d.docOverlay != nil {
		return *d.docOverlay
	}
	return d.state.DocReview
}

// Comments returns the thread of annotation target: confirmed comments
// oldest first, then the user's pending ones.
func (d *Doc) Comments(target string) []model.Comment {
	var out []model.Comment
	for _, c := range d.state.Comments {
		if c.Target == target && !d.comHidden[c.ID] {
			out = append(out, c)
		}
	}
	docstate.SortComments(out)
	for _, c := range d.comOverlay {
		if c.Target == target {
			out = append(out, c)
		}
	}
	return out
}

// CommentCount is how many comments annotation target's thread has.
func (d *Doc) CommentCount(target string) int {
	if d.counts == nil {
		d.counts = map[string]int{}
		for _, c := range d.state.Comments {
			if !d.comHidden[c.ID] {
				d.counts[c.Target]++
			}
		}
		for _, c := range d.comOverlay {
			d.counts[c.Target]++
		}
	}
	return d.counts[target]
}

// CommentPending reports whether comment id is not acknowledged yet.
func (d *Doc) CommentPending(id string) bool {
	for _, c := range d.comOverlay {
		if c.ID == id {
			return true
		}
	}
	return false
}

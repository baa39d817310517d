package model

import (
	"strings"
	"time"
	"unicode/utf8"
)

// ReviewStatus is where one annotation stands in adjudication.
type ReviewStatus string

// Review statuses. An annotation without a Review is unreviewed.
const (
	ReviewUnreviewed ReviewStatus = "unreviewed"
	// ReviewAccepted: copied into gold as it is (on an annotator's span),
	// or copied from an annotator's span unchanged (on a gold span).
	ReviewAccepted ReviewStatus = "accepted"
	// ReviewRejected: the reviewer decided the span does not belong in gold.
	ReviewRejected ReviewStatus = "rejected"
	// ReviewEdited: accepted with a change of label or boundaries, at once
	// or by a later edit of the gold copy.
	ReviewEdited ReviewStatus = "edited"
)

// Valid reports whether s is one of the known statuses.
func (s ReviewStatus) Valid() bool {
	switch s {
	case ReviewUnreviewed, ReviewAccepted, ReviewRejected, ReviewEdited:
		return true
	}
	return false
}

// Review is the adjudication record of one annotation, kept beside the
// annotation (not in it) so that annotations keep their shape on the wire
// and in every export.
//
// On an annotator's span it is the reviewer's verdict, and Gold names the
// gold copy an accept made. On a gold span made by accepting, it is the
// provenance: Source is the annotator's span it was copied from, Proposer
// that span's author, Reviewer who accepted it and Time when.
type Review struct {
	Annotation string       `json:"ann"`
	Status     ReviewStatus `json:"status"`
	Reviewer   string       `json:"reviewer"`
	Time       time.Time    `json:"time"`
	Source     string       `json:"source,omitempty"`
	Proposer   string       `json:"proposer,omitempty"`
	Gold       string       `json:"gold,omitempty"`
}

// DocStatus is where a whole document stands in review.
type DocStatus string

// Document review statuses. A document nobody reviewed has none, which
// reads as DocNotReviewed.
const (
	DocNotReviewed DocStatus = "not_reviewed"
	DocInReview    DocStatus = "in_review"
	DocAdjudicated DocStatus = "adjudicated"
)

// Valid reports whether s is one of the known statuses.
func (s DocStatus) Valid() bool {
	switch s {
	case DocNotReviewed, DocInReview, DocAdjudicated:
		return true
	}
	return false
}

// DocReview is a document's review status, who set it and when. The zero
// value is "not reviewed".
type DocReview struct {
	Status   DocStatus `json:"status"`
	Reviewer string    `json:"reviewer"`
	Time     time.Time `json:"time"`
}

// State returns the status, DocNotReviewed for the zero value.
func (d DocReview) State() DocStatus {
	if d.Status == "" {
		return DocNotReviewed
	}
	return d.Status
}

// Comment is one message in the thread of an annotation. Comments are
// never edited; their author (or an admin) may delete them.
type Comment struct {
	ID       string    `json:"id"`
	Document int64     `json:"doc"`
	Target   string    `json:"target"` // the annotation the thread is about
	Text     string    `json:"text"`
	Author   string    `json:"author"`
	Created  time.Time `json:"created"`
}

// MaxComment is the longest comment, in code points.
const MaxComment = 2000

// Validation codes of comments, sent in protocol error messages.
const (
	CodeCommentEmpty   = "comment_empty"
	CodeCommentTooLong = "comment_too_long"
)

// ValidateComment checks a comment's ID and text (not its target, which
// only the document state can check).
func ValidateComment(c Comment) error {
	if !ValidID(c.ID) {
		return errorf(CodeBadID, "comment id %q must be 1–64 letters, digits, '-' or '_'", clip(c.ID))
	}
	if strings.TrimSpace(c.Text) == "" {
		return errorf(CodeCommentEmpty, "a comment needs some text")
	}
	if n := utf8.RuneCountInString(c.Text); n > MaxComment {
		return errorf(CodeCommentTooLong, "a comment is at most %d characters; this one has %d", MaxComment, n)
	}
	return nil
}

// CanReview reports whether role may adjudicate: accept and reject
// annotators' spans and set a document's review status. Writing the gold
// layer itself is CanWrite's business.
func CanReview(role Role) bool {
	return role == RoleReviewer || role == RoleAdmin
}

// CanComment reports whether role may comment on annotations: everyone
// who may annotate or review. Viewers read threads but do not write.
func CanComment(role Role) bool {
	return role == RoleReviewer || role == RoleAdmin || role == RoleAnnotator
}

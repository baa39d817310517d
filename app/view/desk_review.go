package view

import (
	"strconv"
	"strings"

	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"gloss/app/live"
	"gloss/shared/model"
	"gloss/shared/protocol"
)

// What the desk shows of review: which spans have comments (a mark in the
// text and a count in the list), their review status in the list, and the
// selected span's comment thread in the side panel, so that annotators see
// what reviewers said about their spans and can answer.

// markClass is the extra class of an annotation's highlight.
func (d *Desk) markClass(id string) string {
	var cls []string
	if d.sess.CommentCount(id) > 0 {
		cls = append(cls, "noted")
	}
	// Not yet acknowledged: drawn dashed until the server has it.
	if d.sess.Unsaved(id) {
		cls = append(cls, "pending")
	}
	return strings.Join(cls, " ")
}

// writeReviewBadges writes an annotation's comment count and review status
// into its list entry.
func (d *Desk) writeReviewBadges(b *strings.Builder, id string) {
	if n := d.sess.CommentCount(id); n > 0 {
		b.WriteString(` <span class="ccount" title="comments">💬 `)
		b.WriteString(strconv.Itoa(n))
		b.WriteString(`</span>`)
	}
	if r, ok := d.sess.Review(id); ok && r.Status != model.ReviewUnreviewed && r.Status.Valid() {
		b.WriteString(` <span class="rstatus `)
		b.WriteString(string(r.Status))
		b.WriteString(`">`)
		b.WriteString(string(r.Status))
		b.WriteString(`</span>`)
	}
}

// commentPanel is the selected annotation's thread, or nothing.
func (d *Desk) commentPanel() app.UI {
	s := d.sess
	if _, ok := s.Annotation(d.selected); !ok {
		return app.Text("")
	}
	return threadFor(s, d.selected)
}

// threadFor builds the thread of annotation target for the session's
// user: posting and deleting submit ops like any edit.
func threadFor(s *live.Session, target string) app.UI {
	items := s.Comments(target)
	var pending []string
	for _, c := range items {
		if s.CommentPending(c.ID) {
			pending = append(pending, c.ID)
		}
	}
	return newThread().Of(target, items).As(s.You.User, s.You.Role).WithPending(pending).
		OnPost(func(target, text string) {
			s.Submit(protocol.Op{Kind: protocol.KindComment, Comment: &model.Comment{ID: live.NewID(), Target: target, Text: text}})
		}).
		OnRemove(func(id string) { s.Submit(protocol.Op{Kind: protocol.KindDeleteComment, Target: id}) })
}

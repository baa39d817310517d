package view

import (
	"strings"

	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"gloss/app/live"
	"gloss/shared/model"
	"gloss/shared/protocol"
	"gloss/shared/review"
	"gloss/shared/selection"
)

// The review page's keyboard map and its actions. Every action is made of
// ordinary ops (accept, review, add/update/delete in gold), sent in an
// order the server applies one after the other: e.g. to take B's version
// where gold holds A's, delete A's gold copy (which makes A unreviewed),
// accept B, reject A.

func (r *Review) onKey(ctx app.Context, e app.Event) {
	if !r.ready() || typing(e) {
		return
	}
	if e.Get("ctrlKey").Bool() || e.Get("metaKey").Bool() || e.Get("altKey").Bool() {
		return
	}
	key := e.Get("key").String()
	if r.choosing {
		switch key {
		case "Escape":
			r.choosing = false
		default:
			if l, ok := r.sess.Schema.LabelForKey(key); ok {
				e.PreventDefault()
				r.editCurrent(l.Name)
			}
		}
		return
	}
	switch key {
	case "n", "j":
		r.step(1)
	case "p", "k":
		r.step(-1)
	case "a":
		r.acceptSide(true)
	case "b":
		r.acceptSide(false)
	case "x":
		r.rejectCurrent()
	case "e":
		if _, ok := r.current(); ok {
			r.choosing = true
		}
	case "m":
		r.setMode(modeMerged)
	case "s":
		r.setMode(modeSide)
	case "l":
		r.setMode(modeAlone)
	case "c":
		if el := app.Window().GetElementByID("comment-text"); el.Truthy() {
			e.PreventDefault()
			el.Call("focus")
		}
	case "?":
		r.showHelp = !r.showHelp
	case "Escape":
		r.selected, r.showHelp = "", false
		app.Window().Call("glossClearSelection")
	case "Delete", "Backspace":
		if a, ok := r.sess.Annotation(r.selected); ok && a.Layer == model.GoldLayer {
			e.PreventDefault()
			r.sess.Submit(protocol.Op{Kind: protocol.KindDelete, Target: a.ID, Version: a.Version})
			r.selected = ""
		}
	default:
		if l, ok := r.sess.Schema.LabelForKey(key); ok {
			e.PreventDefault()
			r.applyLabel(l.Name)
		}
	}
}

// step moves to the next (or previous) disagreement in reading order,
// wrapping, and scrolls to it.
func (r *Review) step(dir int) {
	ds := r.result.Disagreements
	if len(ds) == 0 {
		return
	}
	i := -1
	for k, d := range ds {
		if d.Key() == r.cur {
			i = k
		}
	}
	switch {
	case i < 0 && dir > 0:
		i = 0
	case i < 0:
		i = len(ds) - 1
	default:
		i = (i + dir + len(ds)) % len(ds)
	}
	r.goTo(ds[i].Key())
}

// goTo makes a disagreement current, selects its first side and shows it.
func (r *Review) goTo(key string) {
	r.cur, r.choosing = key, false
	d, ok := r.current()
	if !ok {
		return
	}
	side := d.A
	if side == nil {
		side = d.B
	}
	r.selected = side.ID
	app.Window().Call("glossScrollTo", side.ID)
}

// selectAnn selects an annotation, and makes the disagreement it is a
// side of current.
func (r *Review) selectAnn(id string) {
	r.selected = id
	for _, d := range r.result.Disagreements {
		if d.A != nil && d.A.ID == id || d.B != nil && d.B.ID == id {
			r.cur = d.Key()
			return
		}
	}
}

// onDocClick selects the highlight under the pointer, cycling through the
// ones stacked there as the desk does.
func (r *Review) onDocClick(ctx app.Context, e app.Event) {
	if app.Window().Call("glossHasSelection").Bool() {
		return
	}
	el := e.Get("target").Call("closest", "[data-a]")
	if !el.Truthy() {
		return
	}
	ids := strings.Fields(el.Get("dataset").Get("a").String())
	next := ids[0]
	for i, id := range ids {
		if id == r.selected {
			next = ids[(i+1)%len(ids)]
		}
	}
	r.selectAnn(next)
}

// goldOf returns the live gold copy of annotation id, if it has one.
func (r *Review) goldOf(id string) (model.Annotation, model.ReviewStatus, bool) {
	rv, ok := r.sess.Review(id)
	if !ok || rv.Gold == "" {
		return model.Annotation{}, "", false
	}
	g, ok := r.sess.Annotation(rv.Gold)
	return g, rv.Status, ok
}

func (r *Review) deleteGold(g model.Annotation) {
	r.sess.Submit(protocol.Op{Kind: protocol.KindDelete, Target: g.ID, Version: g.Version})
}

// clearGold deletes the gold spans that stand for d, except keep's
// unchanged copy, and reports whether that copy is already there.
func (r *Review) clearGold(d review.Disagreement, keep *model.Annotation) bool {
	kept := false
	deleted := map[string]bool{}
	for _, side := range []*model.Annotation{d.A, d.B} {
		if side == nil {
			continue
		}
		g, st, ok := r.goldOf(side.ID)
		if !ok {
			continue
		}
		if keep != nil && side.ID == keep.ID && st == model.ReviewAccepted {
			kept = true
			continue
		}
		r.deleteGold(g)
		deleted[g.ID] = true
	}
	// A gold span made by hand where the sides are goes too: the choice
	// replaces it.
	if d.Gold != nil && !deleted[d.Gold.ID] {
		if rv, ok := r.sess.Review(d.Gold.ID); !ok || rv.Source == "" {
			if g, ok := r.sess.Annotation(d.Gold.ID); ok {
				r.deleteGold(g)
			}
		}
	}
	return kept
}

// reject marks a side rejected unless it is.
func (r *Review) reject(a *model.Annotation) {
	if a == nil {
		return
	}
	if rv, ok := r.sess.Review(a.ID); ok && rv.Status == model.ReviewRejected {
		return
	}
	cur, ok := r.sess.Annotation(a.ID)
	if !ok {
		return
	}
	r.sess.Submit(protocol.Op{Kind: protocol.KindReview, Target: cur.ID, Version: cur.Version, Status: string(model.ReviewRejected)})
}

// accept copies src into gold with label.
func (r *Review) accept(src *model.Annotation, label string) {
	cur, ok := r.sess.Annotation(src.ID)
	if !ok {
		return
	}
	r.sess.Submit(protocol.Op{Kind: protocol.KindAccept, Target: cur.ID, Version: cur.Version,
		Ann: &model.Annotation{ID: live.NewID(), Document: r.docID, Layer: model.GoldLayer, Label: label, Start: cur.Start, End: cur.End, Quote: cur.Quote}})
}

// acceptSide takes A's (or B's) version of the current disagreement into
// gold and rejects the other side.
func (r *Review) acceptSide(sideA bool) {
	d, ok := r.current()
	if !ok || !model.CanReview(r.sess.You.Role) {
		return
	}
	src, other := d.A, d.B
	if !sideA {
		src, other = d.B, d.A
	}
	if src == nil {
		return
	}
	if !r.clearGold(d, src) {
		r.accept(src, src.Label)
	}
	r.reject(other)
	r.selected = src.ID
}

// rejectCurrent rejects every side of the current disagreement, taking
// their gold copies out of gold.
func (r *Review) rejectCurrent() {
	d, ok := r.current()
	if !ok || !model.CanReview(r.sess.You.Role) {
		return
	}
	for _, side := range []*model.Annotation{d.A, d.B} {
		if side == nil {
			continue
		}
		if g, _, ok := r.goldOf(side.ID); ok {
			r.deleteGold(g)
		}
		r.reject(side)
	}
}

// editCurrent puts the current disagreement into gold with label: the
// gold span it has is relabelled; else the selected side (or A) is
// accepted with that label, and the other side rejected.
func (r *Review) editCurrent(label string) {
	r.choosing = false
	d, ok := r.current()
	if !ok || !model.CanReview(r.sess.You.Role) {
		return
	}
	if d.Gold != nil {
		if g, ok := r.sess.Annotation(d.Gold.ID); ok {
			if g.Label != label {
				next := g
				next.Label = label
				r.sess.Submit(protocol.Op{Kind: protocol.KindUpdate, Ann: &next, Version: g.Version})
			}
			r.selected = g.ID
			return
		}
	}
	src, other := d.A, d.B
	if src == nil || d.B != nil && r.selected == d.B.ID {
		src, other = d.B, d.A
	}
	r.accept(src, label)
	r.reject(other)
}

// acceptAgreed copies every span both layers agree on, and gold lacks,
// into gold.
func (r *Review) acceptAgreed() {
	if !model.CanReview(r.sess.You.Role) {
		return
	}
	for _, d := range r.result.Agreed {
		if d.A == nil {
			continue
		}
		if !d.Resolved() {
			r.accept(d.A, d.A.Label)
		} else {
			r.acceptIntoEqualGold(d.A)
		}
		// B's identical span is accepted too, into the same gold span:
		// review=accepted exports hold both annotators' copies.
		r.acceptIntoEqualGold(d.B)
	}
}

// acceptIntoEqualGold records a as accepted into the gold span equal to
// it (which the server finds), unless a is linked to a gold span already.
func (r *Review) acceptIntoEqualGold(a *model.Annotation) {
	if a == nil {
		return
	}
	if rv, ok := r.sess.Review(a.ID); ok && rv.Gold != "" {
		return
	}
	if cur, ok := r.sess.Annotation(a.ID); ok {
		r.sess.Submit(protocol.Op{Kind: protocol.KindReview, Target: cur.ID, Version: cur.Version, Status: string(model.ReviewAccepted)})
	}
}

func (r *Review) setDocStatus(st model.DocStatus) {
	if st != r.sess.DocReview().State() {
		r.sess.Submit(protocol.Op{Kind: protocol.KindDocStatus, Status: string(st)})
	}
}

// applyLabel makes the selected text a gold span, or relabels the
// selected gold span.
func (r *Review) applyLabel(label string) {
	s := r.sess
	if !model.CanWrite(s.You.Role, s.You.User, model.GoldLayer) {
		return
	}
	if start, end, quote, ok := r.domSelection(); ok {
		a := model.Annotation{ID: live.NewID(), Document: r.docID, Layer: model.GoldLayer, Label: label, Start: start, End: end, Quote: quote}
		s.Submit(protocol.Op{Kind: protocol.KindAdd, Ann: &a})
		app.Window().Call("glossClearSelection")
		r.selected = a.ID
		return
	}
	if a, ok := s.Annotation(r.selected); ok && a.Layer == model.GoldLayer && a.Label != label {
		next := a
		next.Label = label
		s.Submit(protocol.Op{Kind: protocol.KindUpdate, Ann: &next, Version: a.Version})
	}
}

// domSelection reads the browser selection as a document span.
func (r *Review) domSelection() (start, end int, quote string, ok bool) {
	v := app.Window().Call("glossSelection")
	if !v.Truthy() || r.sess.Text() == nil {
		return 0, 0, "", false
	}
	from := selection.Point{Para: v.Index(0).Int(), UTF16: v.Index(1).Int()}
	to := selection.Point{Para: v.Index(2).Int(), UTF16: v.Index(3).Int()}
	start, end, quote, err := selection.Span(r.sess.Text(), r.paras, from, to, false)
	if err != nil {
		return 0, 0, "", false
	}
	return start, end, quote, true
}

package view

import (
	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"gloss/app/live"
	"gloss/shared/model"
	"gloss/shared/protocol"
	"gloss/shared/selection"
)

// change is one undoable edit of the user's own: the annotation (and
// relations) before and after. Undo and redo do not replay ops; they
// compute the op that moves the current state to the recorded one, made
// against the current version, so an undo syncs like any other edit and
// loses to a concurrent edit by the same rules.
type change struct {
	annID             string
	before, after     *model.Annotation
	relID             string
	relBefore         *model.Relation
	relAfter          *model.Relation
	restoredRelations []model.Relation // relations a delete removed, restored by its undo
}

// submit sends an op and records it for undo.
func (d *Desk) submit(op protocol.Op, c change) {
	d.sess.Submit(op)
	d.undo = append(d.undo, c)
	if len(d.undo) > 200 {
		d.undo = d.undo[len(d.undo)-200:]
	}
	d.redo = nil
}

func annPtr(a model.Annotation, ok bool) *model.Annotation {
	if !ok {
		return nil
	}
	return &a
}

// moveAnn submits the op that turns annotation id's current state into
// target (nil: deleted). It reports whether an op was needed.
func (d *Desk) moveAnn(id string, target *model.Annotation) bool {
	cur, exists := d.sess.Annotation(id)
	switch {
	case target == nil && exists:
		d.sess.Submit(protocol.Op{Kind: protocol.KindDelete, Target: id, Version: cur.Version})
	case target != nil && !exists:
		a := *target
		d.sess.Submit(protocol.Op{Kind: protocol.KindAdd, Ann: &model.Annotation{ID: a.ID, Document: d.docID, Layer: a.Layer, Label: a.Label, Start: a.Start, End: a.End, Quote: a.Quote, Attrs: a.Attrs}})
	case target != nil && exists && (cur.Label != target.Label || cur.Start != target.Start || cur.End != target.End):
		next := cur
		next.Label, next.Start, next.End, next.Quote = target.Label, target.Start, target.End, target.Quote
		d.sess.Submit(protocol.Op{Kind: protocol.KindUpdate, Ann: &next, Version: cur.Version})
	default:
		return false
	}
	return true
}

func (d *Desk) moveRel(id string, target *model.Relation) {
	var cur *model.Relation
	for _, r := range d.sess.Relations() {
		if r.ID == id {
			r := r
			cur = &r
		}
	}
	switch {
	case target == nil && cur != nil:
		d.sess.Submit(protocol.Op{Kind: protocol.KindDeleteRelation, Target: id, Version: cur.Version})
	case target != nil && cur == nil:
		r := *target
		d.sess.Submit(protocol.Op{Kind: protocol.KindAddRelation, Rel: &model.Relation{ID: r.ID, Document: d.docID, Layer: r.Layer, Type: r.Type, From: r.From, To: r.To}})
	}
}

func (d *Desk) apply(c change, forward bool) {
	if c.annID != "" {
		if forward {
			d.moveAnn(c.annID, c.after)
		} else {
			d.moveAnn(c.annID, c.before)
			for _, r := range c.restoredRelations {
				r := r
				d.moveRel(r.ID, &r)
			}
		}
	}
	if c.relID != "" {
		if forward {
			d.moveRel(c.relID, c.relAfter)
		} else {
			d.moveRel(c.relID, c.relBefore)
		}
	}
}

// Undo reverts the user's last edit.
func (d *Desk) Undo() {
	if len(d.undo) == 0 {
		return
	}
	c := d.undo[len(d.undo)-1]
	d.undo = d.undo[:len(d.undo)-1]
	d.apply(c, false)
	d.redo = append(d.redo, c)
}

// Redo re-applies the last undone edit.
func (d *Desk) Redo() {
	if len(d.redo) == 0 {
		return
	}
	c := d.redo[len(d.redo)-1]
	d.redo = d.redo[:len(d.redo)-1]
	d.apply(c, true)
	d.undo = append(d.undo, c)
}

// domSelection reads the browser selection as a document span.
func (d *Desk) domSelection() (start, end int, quote string, ok bool) {
	v := app.Window().Call("glossSelection")
	if !v.Truthy() || d.sync.text == nil {
		return 0, 0, "", false
	}
	from := selection.Point{Para: v.Index(0).Int(), UTF16: v.Index(1).Int()}
	to := selection.Point{Para: v.Index(2).Int(), UTF16: v.Index(3).Int()}
	start, end, quote, err := selection.Span(d.sync.text, d.sync.paras, from, to, !d.noSnap)
	if err != nil {
		return 0, 0, "", false
	}
	return start, end, quote, true
}

// applyLabel tags the selected text with label, or relabels the selected
// annotation when no text is selected.
func (d *Desk) applyLabel(label string) {
	s := d.sess
	if start, end, quote, ok := d.domSelection(); ok {
		a := model.Annotation{ID: live.NewID(), Document: d.docID, Layer: s.You.Layer, Label: label, Start: start, End: end, Quote: quote}
		d.submit(protocol.Op{Kind: protocol.KindAdd, Ann: &a}, change{annID: a.ID, after: &a})
		app.Window().Call("glossClearSelection")
		d.selected = a.ID
		return
	}
	if a, ok := s.Annotation(d.selected); ok && a.Label != label {
		next := a
		next.Label = label
		d.submit(protocol.Op{Kind: protocol.KindUpdate, Ann: &next, Version: a.Version}, change{annID: a.ID, before: &a, after: &next})
	}
}

func (d *Desk) deleteSelected() {
	a, ok := d.sess.Annotation(d.selected)
	if !ok {
		return
	}
	var rels []model.Relation
	for _, r := range d.sess.Relations() {
		if r.From == a.ID || r.To == a.ID {
			rels = append(rels, r)
		}
	}
	d.submit(protocol.Op{Kind: protocol.KindDelete, Target: a.ID, Version: a.Version}, change{annID: a.ID, before: &a, restoredRelations: rels})
	d.selected = ""
}

// startLink enters relation mode from the selected annotation.
func (d *Desk) startLink() {
	if _, ok := d.sess.Annotation(d.selected); ok {
		d.linkFrom = d.selected
	}
}

// newRelType is the type a new relation gets: the one chosen in the
// toolbar if the schema still has it, else the schema's first.
func (d *Desk) newRelType() string {
	rs := d.sess.Schema.Relations
	if d.sess.Schema.HasRelation(d.relType) {
		return d.relType
	}
	if len(rs) > 0 {
		return rs[0]
	}
	return ""
}

// deleteRelation deletes relation id (undoably).
func (d *Desk) deleteRelation(id string) {
	for _, r := range d.sess.Relations() {
		if r.ID == id {
			r := r
			d.submit(protocol.Op{Kind: protocol.KindDeleteRelation, Target: r.ID, Version: r.Version}, change{relID: r.ID, relBefore: &r})
		}
	}
	if d.selRel == id {
		d.selRel = ""
	}
}

// finishLink creates a relation from linkFrom to the annotation to,
// of the type chosen in the toolbar (newRelType).
func (d *Desk) finishLink(to string) {
	from := d.linkFrom
	d.linkFrom = ""
	if from == "" || to == "" || from == to || len(d.sess.Schema.Relations) == 0 {
		return
	}
	r := model.Relation{ID: live.NewID(), Document: d.docID, Layer: d.sess.You.Layer, Type: d.newRelType(), From: from, To: to}
	d.submit(protocol.Op{Kind: protocol.KindAddRelation, Rel: &r}, change{relID: r.ID, relAfter: &r})
	d.selected = to
}

// step moves the selection to the next (or previous) visible annotation
// in reading order.
func (d *Desk) step(dir int) {
	anns := d.visible()
	if len(anns) == 0 {
		return
	}
	i := -1
	for k, a := range anns {
		if a.ID == d.selected {
			i = k
		}
	}
	switch {
	case i < 0 && dir > 0:
		i = 0
	case i < 0:
		i = len(anns) - 1
	default:
		i = (i + dir + len(anns)) % len(anns)
	}
	d.selected = anns[i].ID
	app.Window().Call("glossScrollTo", d.selected)
}

// Package optimistic is what a browser shows of one document while it
// edits: the state the server confirmed, with the user's unacknowledged
// ops folded over it. It holds no socket and touches no DOM, so the
// optimistic-sync rules (what a pending add, relabel, delete or review
// looks like, when an echo or an ack retires it, what a gap means) run
// and are tested natively; app/live wires it to the websocket.
package optimistic

import (
	"slices"
	"strings"

	"gloss/shared/docstate"
	"gloss/shared/model"
	"gloss/shared/protocol"
	"gloss/shared/textpos"
)

// Doc is one document's optimistic view. Not safe for concurrent use:
// the browser calls it from the UI goroutine only.
type Doc struct {
	// DocID is the document's ID; Document and You are set by the
	// welcome (Welcome).
	DocID    int64
	Document model.Document
	You      protocol.You

	state    *docstate.State
	text     *textpos.Text
	pending  []protocol.Op
	overlay  map[string]*model.Annotation // annotations touched by pending ops; nil = deleted
	roverlay map[string]*model.Relation
	// The optimistic view of review records and comments (review.go).
	revOverlay map[string]model.Review
	comOverlay []model.Comment
	comHidden  map[string]bool
	docOverlay *model.DocReview
	counts     map[string]int // comments per annotation, nil until asked

	// version counts changes of the view; sorted caches the view in
	// reading order for one version, since every render needs it and
	// sorting 5,000 annotations in wasm is not free.
	version   int
	sorted    []model.Annotation
	sortedVer int
	// base is the snapshot's annotations when they came in reading order
	// (the server sends them so), valid while the confirmed state is
	// still that snapshot's: the first render then needs no sort.
	base    []model.Annotation
	baseSeq int64

	// dirty holds the IDs of annotations whose view changed since the
	// last TakeDirty; dirtyAll means everything may have.
	dirty    map[string]bool
	dirtyAll bool
}

// New returns the empty view of document id.
func New(id int64) *Doc {
	d := &Doc{DocID: id, state: docstate.New()}
	d.rebuild()
	return d
}

// Seq is the seq of the last op in the confirmed state: a resume asks for
// the ops after it, and the desk compares it with the seq a pre-rendered
// page was made at.
func (d *Doc) Seq() int64 { return d.state.Seq }

// Text is the document text, indexed for offset conversion; nil before
// the first snapshot.
func (d *Doc) Text() *textpos.Text { return d.text }

// Version changes whenever the annotations or relations in view change.
func (d *Doc) Version() int { return d.version }

// Welcome takes the state a welcome carries: a snapshot replaces the
// confirmed state, a resume applies the missed ops. The pending ops stay
// and are folded over the result; the caller re-sends them.
func (d *Doc) Welcome(m protocol.Message) error {
	if m.Snapshot {
		if m.Document != nil {
			d.Document = *m.Document
			d.text = textpos.New(d.Document.Text)
		}
		anns := m.Annotations
		if m.Packed != "" && d.text != nil {
			var err error
			if anns, err = protocol.UnpackAnnotations(m.Packed, d.text, d.Document.ID); err != nil {
				return err
			}
		}
		d.state.Reset(m.Seq, anns, m.Relations)
		d.base = nil
		if slices.IsSortedFunc(anns, model.ReadingOrder) && len(d.state.Anns) == len(anns) {
			d.base, d.baseSeq = anns, m.Seq
		}
		var dr model.DocReview
		if m.DocReview != nil {
			dr = *m.DocReview
		}
		d.state.SetReview(m.Reviews, m.Comments, dr)
	} else {
		for _, op := range m.Ops {
			d.state.Apply(op)
		}
	}
	if m.You != nil {
		d.You = *m.You
	}
	d.dirtyAll = true
	d.rebuild()
	return nil
}

// Confirm applies an op the server committed and broadcast. It reports
// false, and changes nothing, when the op does not follow the confirmed
// seq: the view would be wrong, so the caller resumes. The user's own op
// coming back retires its pending copy, as its ack would (which follows):
// kept pending it would be folded over the state twice, and an edit made
// in between would name a version one too high.
func (d *Doc) Confirm(op protocol.Op) bool {
	if op.Seq != d.state.Seq+1 {
		return false
	}
	d.touch(op) // before Apply: a deleted comment's annotation is looked up
	d.state.Apply(op)
	if !d.Ack(op.ID) {
		d.rebuild()
	}
	return true
}

// Submit adds an edit of the user's: it shows at once and stays until
// Ack (or Confirm of its echo) retires it.
func (d *Doc) Submit(op protocol.Op) {
	d.pending = append(d.pending, op)
	d.touch(op)
	d.rebuild()
}

// Ack retires pending op id, acknowledged or refused; it reports whether
// the op was pending.
func (d *Doc) Ack(id string) bool {
	for i, op := range d.pending {
		if op.ID == id {
			d.touch(op)
			d.pending = append(d.pending[:i:i], d.pending[i+1:]...)
			d.rebuild()
			return true
		}
	}
	return false
}

// PendingOps returns the unacknowledged ops in the order they were made.
// The slice is shared: callers must not modify it.
func (d *Doc) PendingOps() []protocol.Op { return d.pending }

// SetPending replaces the pending ops (another user's session on the
// same browser, edits restored from storage).
func (d *Doc) SetPending(ops []protocol.Op) {
	d.pending = ops
	d.dirtyAll = true
	d.rebuild()
}

// HasPending reports whether op id is unacknowledged.
func (d *Doc) HasPending(id string) bool {
	for _, op := range d.pending {
		if op.ID == id {
			return true
		}
	}
	return false
}

// TakeDirty returns, and forgets, which annotations changed in view since
// the last call: their IDs, or all=true after a snapshot or resume.
func (d *Doc) TakeDirty() (ids []string, all bool) {
	for id := range d.dirty {
		ids = append(ids, id)
	}
	all = d.dirtyAll
	d.dirty, d.dirtyAll = nil, false
	return ids, all
}

// touch records the annotations an op changes.
func (d *Doc) touch(op protocol.Op) {
	if d.dirty == nil {
		d.dirty = map[string]bool{}
	}
	switch {
	case op.Ann != nil:
		d.dirty[op.Ann.ID] = true
		if op.Kind == protocol.KindAccept && op.Target != "" {
			d.dirty[op.Target] = true // its review mark shows
		}
	case op.Kind == protocol.KindDelete:
		d.dirty[op.Target] = true
	case op.Kind == protocol.KindReview:
		d.dirty[op.Target] = true
	case op.Kind == protocol.KindComment && op.Comment != nil:
		d.dirty[op.Comment.Target] = true // its comment count shows
	case op.Kind == protocol.KindDeleteComment:
		if c, ok := d.state.Comments[op.Target]; ok {
			d.dirty[c.Target] = true
		}
	}
}

// rebuild folds the pending ops over the confirmed state. An op folds as
// the server would resolve it, except for what only the server knows
// (times; the version it will assign is guessed as one more).
func (d *Doc) rebuild() {
	d.version++
	d.overlay = map[string]*model.Annotation{}
	d.roverlay = map[string]*model.Relation{}
	for _, op := range d.pending {
		switch op.Kind {
		case protocol.KindAdd:
			if op.Ann == nil {
				continue
			}
			a := *op.Ann
			if a.Layer == "" {
				a.Layer = d.You.Layer
			}
			if a.Attrs.IsZero() {
				a.Attrs = nil
			}
			a.Document, a.Author, a.Version = d.DocID, d.You.User, 1
			d.overlay[a.ID] = &a
		case protocol.KindUpdate:
			if op.Ann == nil {
				continue
			}
			if cur, ok := d.Annotation(op.Ann.ID); ok {
				cur.Label, cur.Start, cur.End, cur.Quote = op.Ann.Label, op.Ann.Start, op.Ann.End, op.Ann.Quote
				if op.Ann.Attrs != nil {
					// As the server resolves it: fields named replace
					// the span's (a corrected figure), none named keep
					// them, an empty set clears them.
					cur.Attrs = op.Ann.Attrs
					if cur.Attrs.IsZero() {
						cur.Attrs = nil
					}
				}
				cur.Version++
				d.overlay[cur.ID] = &cur
			}
		case protocol.KindDelete:
			d.overlay[op.Target] = nil
			// Its relations drop out of Relations, which shows only
			// relations whose both ends are in view.
		case protocol.KindAddRelation:
			if op.Rel == nil {
				continue
			}
			r := *op.Rel
			if r.Layer == "" {
				r.Layer = d.You.Layer
			}
			r.Document, r.Author, r.Version = d.DocID, d.You.User, 1
			d.roverlay[r.ID] = &r
		case protocol.KindDeleteRelation:
			d.roverlay[op.Target] = nil
		case protocol.KindAccept:
			if op.Ann == nil {
				continue
			}
			a := *op.Ann
			a.Layer, a.Author, a.Version = model.GoldLayer, d.You.User, 1
			d.overlay[a.ID] = &a
		}
	}
	d.rebuildReviewOverlay()
}

// Unsaved reports whether annotation id shows an edit of this user's that
// the server has not acknowledged yet (a new span, a relabel).
func (d *Doc) Unsaved(id string) bool {
	a, ok := d.overlay[id]
	return ok && a != nil
}

// IsPending reports whether an annotation has an unacknowledged edit.
func (d *Doc) IsPending(id string) bool {
	_, ok := d.overlay[id]
	return ok
}

// Annotation returns the current (optimistic) view of one annotation.
func (d *Doc) Annotation(id string) (model.Annotation, bool) {
	if a, ok := d.overlay[id]; ok {
		if a == nil {
			return model.Annotation{}, false
		}
		return *a, true
	}
	a, ok := d.state.Anns[id]
	return a, ok
}

// Annotations returns the optimistic view in reading order. The slice is
// shared until the next change: callers must not modify it.
func (d *Doc) Annotations() []model.Annotation {
	if d.sorted != nil && d.sortedVer == d.version {
		return d.sorted
	}
	if d.base != nil && d.baseSeq == d.state.Seq && len(d.overlay) == 0 {
		d.sorted, d.sortedVer = d.base, d.version
		return d.base
	}
	out := make([]model.Annotation, 0, len(d.state.Anns)+len(d.overlay))
	// The last list, with each annotation's current value, is already in
	// reading order but for the few that changed since: the sort then
	// only moves those (pdqsort finishes nearly sorted input in about one
	// pass), where the map's random order cost a full sort of 5,000
	// annotations on every relabel. Those new since the last list follow.
	prev := d.sorted
	if prev == nil {
		prev = d.base
	}
	inPrev := make(map[string]struct{}, len(prev))
	for _, a := range prev {
		if cur, ok := d.Annotation(a.ID); ok {
			if _, dup := inPrev[a.ID]; !dup {
				out = append(out, cur)
			}
		}
		inPrev[a.ID] = struct{}{}
	}
	for id, a := range d.state.Anns {
		if _, seen := inPrev[id]; seen {
			continue
		}
		if _, over := d.overlay[id]; !over {
			out = append(out, a)
		}
	}
	for id, a := range d.overlay {
		if _, seen := inPrev[id]; !seen && a != nil {
			out = append(out, *a)
		}
	}
	docstate.SortAnnotations(out)
	d.sorted, d.sortedVer = out, d.version
	return out
}

// Relations returns the optimistic view of the relations whose both ends
// exist, sorted by ID.
func (d *Doc) Relations() []model.Relation {
	var out []model.Relation
	add := func(r model.Relation) {
		if _, ok := d.Annotation(r.From); !ok {
			return
		}
		if _, ok := d.Annotation(r.To); !ok {
			return
		}
		out = append(out, r)
	}
	for id, r := range d.state.Rels {
		if _, over := d.roverlay[id]; !over {
			add(r)
		}
	}
	for _, r := range d.roverlay {
		if r != nil {
			add(*r)
		}
	}
	sortRelations(out)
	return out
}

func sortRelations(rs []model.Relation) {
	slices.SortFunc(rs, func(a, b model.Relation) int { return strings.Compare(a.ID, b.ID) })
}

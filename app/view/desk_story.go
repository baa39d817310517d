package view

import (
	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"gloss/app/markup"
	"gloss/shared/model"
	"gloss/shared/story"
)

// What the desk shows of the story view's questions: which claims and
// figures nobody sources (story.Attributed: no `source` relation points
// at them or at a claim containing them), and the annotation a story
// view's link names (/doc/{id}#ann-{ann}).

// noSourceTitle is what the marker says, on hover and to a screen reader.
const noSourceTitle = "no source: no source relation points at it or at a claim containing it"

// unattributedOf returns the IDs of the unattributed claims and figures
// among anns. Suggestions are left out: they are the machine's guesses,
// not the analysts' reading, and are not counted by the story view either.
func unattributedOf(anns []model.Annotation, rels []model.Relation) map[string]bool {
	out := map[string]bool{}
	for id, ok := range story.Attributed(anns, rels) {
		if !ok {
			out[id] = true
		}
	}
	for i := range anns {
		if anns[i].Layer == model.SuggestLayer {
			delete(out, anns[i].ID)
		}
	}
	return out
}

// unattributed returns the unattributed claims and figures of the
// session's view, worked out once per version: every render and every
// mark reads it, and a 5,000-span document must not pay for it per mark.
func (d *Desk) unattributed() map[string]bool {
	s := d.sess
	if d.unattr == nil || d.unattrVer != s.Version() {
		d.unattr, d.unattrVer = unattributedOf(s.Annotations(), s.Relations()), s.Version()
	}
	return d.unattr
}

// markUnattributed adds the "no source" marker to m: a class for the
// outline and words in its title.
func markUnattributed(m *markup.Mark) {
	if m.Class == "" {
		m.Class = "unattributed"
	} else {
		m.Class += " unattributed"
	}
	m.Title += " · no source"
}

// attributionChanges returns the annotations whose "no source" marker
// changed since the document was last drawn. A relation op changes the
// marker of spans the op does not name (a claim's figures), which the
// session's dirty set does not list.
func (d *Desk) attributionChanges() []string {
	st := &d.sync
	cur := d.unattributed()
	if st.unattrVer == d.unattrVer && st.unattr != nil {
		return nil
	}
	var ids []string
	for id := range cur {
		if !st.unattr[id] {
			ids = append(ids, id)
		}
	}
	for id := range st.unattr {
		if !cur[id] {
			ids = append(ids, id)
		}
	}
	st.unattr, st.unattrVer = cur, d.unattrVer
	return ids
}

// showFragment selects and scrolls to the annotation the URL names, once
// the document has it; an annotation that is not there is forgotten.
func (d *Desk) showFragment() {
	id := d.wantAnn
	d.wantAnn = ""
	if _, ok := d.sess.Annotation(id); !ok {
		return
	}
	d.selected, d.selRel, d.linkFrom = id, "", ""
	d.syncDoc()
	app.Window().Call("glossScrollTo", id)
	// This may run in a deferred call, after go-app's render: the list
	// and the thread must show the selection too.
	d.Update()
}

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
// session's view, brought up to date once per version by a
// story.Attribution, which works out again only what the change can have
// moved: every render and every mark reads it, and a relabel on a
// 5,000-span document must not pay for all of them.
func (d *Desk) unattributed() map[string]bool {
	s := d.sess
	if d.unattr == nil || d.attribution == nil {
		d.unattr, d.attribution, d.unattrVer = map[string]bool{}, story.NewAttribution(), s.Version()-1
		d.unattrDue = nil // another document's
	}
	if d.unattrVer != s.Version() {
		for _, id := range d.attribution.Update(s.Annotations(), s.Relations()) {
			// As unattributedOf: suggestions are not counted.
			if ok, counted := d.attribution.Attributed(id); counted && !ok && d.attribution.Layer(id) != model.SuggestLayer {
				d.unattr[id] = true
			} else {
				delete(d.unattr, id)
			}
			d.unattrDue = append(d.unattrDue, id)
		}
		d.unattrVer = s.Version()
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

// attributionChanges returns, and forgets, the claims and figures whose
// "no source" marker may have changed since the document was last drawn,
// so that only their paragraphs are drawn again. A relation op changes
// the marker of spans the op does not name (a claim's figures), which
// the session's dirty set does not list.
func (d *Desk) attributionChanges() []string {
	d.unattributed()
	ids := d.unattrDue
	d.unattrDue = nil
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

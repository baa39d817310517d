package view

import (
	"fmt"
	"slices"

	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"gloss/app/live"
	"gloss/app/markup"
	"gloss/shared/httpapi"
	"gloss/shared/model"
	"gloss/shared/protocol"
)

// isSuggestion reports whether id is a span of the machine suggest layer.
func (d *Desk) isSuggestion(id string) (model.Annotation, bool) {
	a, ok := d.sess.Annotation(id)
	if !ok || a.Layer != model.SuggestLayer {
		return model.Annotation{}, false
	}
	return a, true
}

// taken reports whether the user already has suggestion s's span with its
// label in their own layer; such a suggestion is hidden, so an accepted
// one disappears from the desk.
func (d *Desk) taken(s model.Annotation, own map[[2]int][]string) bool {
	for _, l := range own[[2]int{s.Start, s.End}] {
		if l == s.Label {
			return true
		}
	}
	return false
}

// ownSpans indexes the labels of the user's own layer by span.
func (d *Desk) ownSpans() map[[2]int][]string {
	own := map[[2]int][]string{}
	for _, a := range d.sess.Annotations() {
		if a.Layer == d.sess.You.Layer {
			k := [2]int{a.Start, a.End}
			own[k] = append(own[k], a.Label)
		}
	}
	return own
}

// hideTaken drops the suggestions the user has already taken.
func (d *Desk) hideTaken(anns []model.Annotation) []model.Annotation {
	if !slices.ContainsFunc(anns, func(a model.Annotation) bool { return a.Layer == model.SuggestLayer }) {
		return anns // nothing to drop: no copy
	}
	var own map[[2]int][]string
	out := anns[:0:0]
	for _, a := range anns {
		if a.Layer == model.SuggestLayer {
			if own == nil {
				own = d.ownSpans()
			}
			if d.taken(a, own) {
				continue
			}
		}
		out = append(out, a)
	}
	return out
}

// takeSuggestion copies suggestion id into the user's layer with label
// (the suggestion's own when empty): an ordinary add op, undoable, with
// provenance From = "suggest". It reports whether id was a suggestion.
func (d *Desk) takeSuggestion(id, label string) bool {
	s, ok := d.isSuggestion(id)
	if !ok {
		return false
	}
	if label == "" {
		label = s.Label
	}
	attrs := model.Attrs{}
	if s.Attrs != nil {
		attrs = *s.Attrs
	}
	attrs.From = "suggest"
	a := model.Annotation{ID: live.NewID(), Document: d.docID, Layer: d.sess.You.Layer, Label: label,
		Start: s.Start, End: s.End, Quote: s.Quote, Attrs: &attrs}
	d.submit(protocol.Op{Kind: protocol.KindAdd, Ann: &a}, change{annID: a.ID, after: &a})
	d.selected = a.ID
	return true
}

// dismissSuggestion deletes suggestion id (any annotator may). It is not
// put on the undo stack: only the suggester writes the suggest layer, so
// the server would refuse the add that undoes it; asking for suggestions
// again does not bring it back either (dismissed stays dismissed).
func (d *Desk) dismissSuggestion(id string) {
	s, ok := d.isSuggestion(id)
	if !ok {
		return
	}
	d.sess.Submit(protocol.Op{Kind: protocol.KindDelete, Target: s.ID, Version: s.Version})
	d.selected = ""
}

// acceptParagraph takes every visible suggestion of the selected span's
// paragraph.
func (d *Desk) acceptParagraph() {
	sel, ok := d.sess.Annotation(d.selected)
	if !ok || d.sync.paras == nil {
		return
	}
	p := markup.ParaAt(d.sync.paras, sel.Start)
	for _, a := range d.visible() {
		if a.Layer == model.SuggestLayer && markup.ParaAt(d.sync.paras, a.Start) == p {
			d.takeSuggestion(a.ID, "")
		}
	}
	d.selected = ""
}

// suggestClass marks suggestions for their dashed outline.
func suggestClass(a model.Annotation, class string) string {
	if a.Layer != model.SuggestLayer {
		return class
	}
	if class == "" {
		return "suggestion"
	}
	return class + " suggestion"
}

// suggestTools are the toolbar's suggestion buttons: run the suggester on
// this document (the new spans arrive through the live session, like any
// op) and take every suggestion of the selected span's paragraph.
func (d *Desk) suggestTools(canWrite bool) app.UI {
	return app.Span().Class("suggest-tools").Body(
		app.Button().ID("suggest-run").Class("link").Title("Propose figures and attributions (dashed spans)").
			Disabled(!canWrite).Text("suggest").OnClick(d.runSuggest),
		app.Button().ID("suggest-para").Class("link").Title("Take every suggestion of the selected span's paragraph (Shift+Enter)").
			Disabled(!canWrite).Text("take paragraph").OnClick(func(ctx app.Context, e app.Event) {
			defer d.syncDoc()
			d.acceptParagraph()
		}),
		app.If(d.suggestMsg != "", app.Span().ID("suggest-msg").Class("muted").Text(d.suggestMsg)),
	)
}

func (d *Desk) runSuggest(ctx app.Context, e app.Event) {
	d.suggestMsg = "suggesting…"
	id := d.docID
	ctx.Async(func() {
		var res httpapi.SuggestResult
		err := live.SendJSON("POST", fmt.Sprintf("/api/documents/%d/suggest", id), nil, &res)
		ctx.Dispatch(func(ctx app.Context) {
			switch {
			case err != nil:
				d.suggestMsg = "suggest failed: " + err.Error()
			case res.Added == 1:
				d.suggestMsg = "1 new suggestion"
			default:
				d.suggestMsg = fmt.Sprintf("%d new suggestions", res.Added)
			}
		})
	})
}

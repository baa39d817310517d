package view

import (
	"strings"

	"github.com/maxence-charriere/go-app/v9/pkg/app"
)

// onKey is the keyboard map of the desk; the ShortcutHelp overlay lists
// the same keys.
func (d *Desk) onKey(ctx app.Context, e app.Event) {
	if !d.ready() || !d.sync.ready {
		// Until the desk is live the keys are web/gloss.js's: it commits
		// a label key on the pre-render itself or keeps it for
		// replayEarlyKeys. Taking it here too would tag twice.
		return
	}
	// Paint the effect in this task, before go-app's next frame.
	defer d.syncDoc()
	defer d.sharePresence()
	key := e.Get("key").String()
	if d.showExport || d.showHelp {
		// A dialog is open: its controls have the keys; Esc closes it
		// and gives the focus back to what opened it.
		if key == "Escape" {
			d.closeDialogs()
		}
		return
	}
	if typing(e) {
		return
	}
	ctrl := e.Get("ctrlKey").Bool() || e.Get("metaKey").Bool()
	if ctrl {
		switch strings.ToLower(key) {
		case "z":
			e.PreventDefault()
			if e.Get("shiftKey").Bool() {
				d.Redo()
			} else {
				d.Undo()
			}
		case "y":
			e.PreventDefault()
			d.Redo()
		}
		return
	}
	if e.Get("altKey").Bool() {
		return
	}
	switch key {
	case "Escape":
		d.selected, d.selRel, d.linkFrom, d.showHelp = "", "", "", false
		app.Window().Call("glossClearSelection")
	case "Delete", "Backspace":
		switch {
		case d.selRel != "":
			e.PreventDefault()
			d.deleteRelation(d.selRel)
		case d.selected != "":
			e.PreventDefault()
			d.deleteSelected()
		}
	case "Tab":
		if !e.Get("defaultPrevented").Bool() {
			return // gloss.js let it move the focus (glossTabSteps)
		}
		if e.Get("shiftKey").Bool() {
			d.step(-1)
		} else {
			d.step(1)
		}
	case "ArrowRight", "ArrowDown":
		if d.selected != "" {
			e.PreventDefault()
			d.step(1)
		}
	case "ArrowLeft", "ArrowUp":
		if d.selected != "" {
			e.PreventDefault()
			d.step(-1)
		}
	case "Enter":
		if d.linkFrom == "" && e.Get("shiftKey").Bool() {
			e.PreventDefault()
			d.acceptParagraph()
		} else if d.linkFrom == "" && d.takeSuggestion(d.selected, "") {
			e.PreventDefault()
		} else if d.linkFrom != "" && d.selected != "" && d.selected != d.linkFrom {
			e.PreventDefault()
			d.finishLink(d.selected)
		}
	case "r":
		if d.linkFrom == "" {
			d.startLink()
		} else if d.selected != d.linkFrom {
			d.finishLink(d.selected)
		}
	case "x":
		d.dismissSuggestion(d.selected)
	case "w":
		d.noSnap = !d.noSnap
	case "/":
		e.PreventDefault()
		app.Window().Call("glossFocus", "search")
	case "?":
		d.showHelp = true
	default:
		if l, ok := d.sess.Schema.LabelForKey(key); ok {
			e.PreventDefault()
			if !d.takeSuggestion(d.selected, l.Name) {
				d.applyLabel(l.Name)
			}
		}
	}
}

// closeDialogs closes the export dialog and the shortcut list and puts
// the focus back on the button that opened the dialog.
func (d *Desk) closeDialogs() {
	if d.showExport {
		app.Window().Call("glossFocusWhenClosed", "export-open")
	}
	d.showExport, d.showHelp = false, false
}

// onDocClick selects the annotation under the pointer; clicking again
// cycles through the annotations stacked there, innermost first. In link
// mode the click picks the relation's target.
func (d *Desk) onDocClick(ctx app.Context, e app.Event) {
	defer d.syncDoc()
	if app.Window().Call("glossHasSelection").Bool() {
		return // the user was selecting text, not clicking a highlight
	}
	if arc := e.Get("target").Call("closest", "[data-rel]"); arc.Truthy() {
		d.selRel, d.selected = arc.Get("dataset").Get("rel").String(), ""
		return
	}
	d.selRel = ""
	el := e.Get("target").Call("closest", "[data-a]")
	if !el.Truthy() {
		d.selected = ""
		return
	}
	ids := strings.Fields(el.Get("dataset").Get("a").String())
	next := ids[0]
	for i, id := range ids {
		if id == d.selected {
			next = ids[(i+1)%len(ids)]
		}
	}
	if d.linkFrom != "" {
		for _, id := range ids {
			if id != d.linkFrom {
				d.finishLink(id)
				return
			}
		}
		return
	}
	d.selected = next
}

// onMouseUp shares the user's selection with the others (presence).
func (d *Desk) onMouseUp(ctx app.Context, e app.Event) { d.sharePresence() }

// sharePresence tells the others where this user's text selection is,
// or that there is none any more (a tag, Esc or a click cleared it), so
// that their outline of it does not go stale.
func (d *Desk) sharePresence() {
	if d.sess == nil || !d.sess.Ready {
		return
	}
	if start, end, _, ok := d.domSelection(); ok {
		d.sess.Select(start, end)
		return
	}
	d.sess.Select(0, 0)
}

// onRelListClick selects a relation from the list, or deletes it by its
// button.
func (d *Desk) onRelListClick(ctx app.Context, e app.Event) {
	defer d.syncDoc()
	if b := e.Get("target").Call("closest", "[data-del-rel]"); b.Truthy() {
		d.deleteRelation(b.Get("dataset").Get("delRel").String())
		return
	}
	if li := e.Get("target").Call("closest", "li[data-rel]"); li.Truthy() {
		d.selRel, d.selected = li.Get("dataset").Get("rel").String(), ""
	}
}

func (d *Desk) onListClick(ctx app.Context, e app.Event) {
	defer d.syncDoc()
	if e.Get("target").Call("closest", "[data-more]").Truthy() {
		d.listAll = true
		return
	}
	li := e.Get("target").Call("closest", "li[data-id]")
	if !li.Truthy() {
		return
	}
	id := li.Get("dataset").Get("id").String()
	if d.linkFrom != "" && id != d.linkFrom {
		d.finishLink(id)
		return
	}
	d.selected, d.selRel = id, ""
	app.Window().Call("glossScrollTo", d.selected)
}

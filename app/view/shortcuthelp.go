package view

import (
	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"gloss/shared/model"
)

// ShortcutHelp is the keyboard shortcut overlay (opened with ?).
type ShortcutHelp struct {
	app.Compo
	schema  model.Schema
	onClose func()
}

func newShortcutHelp() *ShortcutHelp { return &ShortcutHelp{} }

// Schema sets the label schema whose shortcut keys are listed.
func (h *ShortcutHelp) Schema(s model.Schema) *ShortcutHelp { h.schema = s; return h }

// OnClose sets what closing the overlay does.
func (h *ShortcutHelp) OnClose(f func()) *ShortcutHelp { h.onClose = f; return h }

// Render draws the overlay.
func (h *ShortcutHelp) Render() app.UI {
	row := func(keys, what string) app.UI {
		return app.Tr().Body(app.Td().Body(app.Kbd().Text(keys)), app.Td().Text(what))
	}
	rows := []app.UI{}
	for _, l := range h.schema.Labels {
		rows = append(rows, row(l.Key, "tag the selected text as "+l.Name+", or relabel the selected span"))
	}
	rows = append(rows,
		row("Tab / Shift+Tab", "next / previous annotation (also → ←)"),
		row("Delete", "delete the selected annotation"),
		row("Enter / label key", "take the selected suggestion (dashed) into your layer, with its label or that one"),
		row("Shift+Enter", "take every suggestion of the selected span's paragraph"),
		row("x", "dismiss the selected suggestion"),
		row("r", "link the selected span to another (then click it, or Tab to it and Enter)"),
		row("Ctrl+Z / Ctrl+Shift+Z", "undo / redo your own edits (synced like any edit)"),
		row("w", "toggle snapping selections to whole words"),
		row("/", "search the text and the annotations; Enter selects the next match"),
		row("Esc", "clear the selection, cancel linking, close this; then Shift+Tab leaves the text"),
		row("?", "show or hide this list"),
	)
	return app.Div().ID("shortcuts").Class("overlay").OnClick(func(ctx app.Context, e app.Event) {
		if h.onClose != nil {
			h.onClose()
		}
	}).Body(
		app.Div().Class("card").Body(
			app.H2().Text("Keyboard shortcuts"),
			app.Table().Body(rows...),
		),
	)
}

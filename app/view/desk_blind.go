package view

import (
	"fmt"

	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"gloss/app/live"
	"gloss/shared/httpapi"
)

// blindNotice tells an annotator under blind annotation why they see
// only their own spans, and lets them end it by marking the document
// done. The server decides (the welcome's you.blind) and enforces it;
// this only says so.
func (d *Desk) blindNotice() app.UI {
	if !d.sess.You.Blind {
		return app.Text("")
	}
	return app.Div().ID("blind-notice").Class("blind-notice").Aria("live", "polite").Body(
		app.Strong().Text("Blind annotation: "),
		app.Text("you see only your own spans until you mark this document done or a reviewer opens it. "),
		app.Button().ID("blind-done").Class("link").Title("Mark this document done: the other analysts' spans then show").
			Text("Mark done").OnClick(d.markDone),
		app.If(d.doneErr != "", app.Span().ID("blind-error").Class("error").Text(" "+d.doneErr)),
	)
}

// markDone marks the document done for the user; the server then closes
// the desk's socket and the reconnect shows every layer.
func (d *Desk) markDone(ctx app.Context, e app.Event) {
	doc := d.docID
	ctx.Async(func() {
		err := live.SendJSON("POST", fmt.Sprintf("/api/documents/%d/done", doc), httpapi.Done{Done: true}, nil)
		ctx.Dispatch(func(ctx app.Context) {
			d.doneErr = ""
			if err != nil {
				d.doneErr = err.Error()
			}
		})
	})
}

package view

import "github.com/maxence-charriere/go-app/v9/pkg/app"

// messages is the error and notice line of a page, in a container that
// is always there. go-app matches children by position: a message that
// appears before a form, without this container, shifts the form and
// remounts its inputs empty, wiping what the user typed. IDs may be "".
func messages(errID, err, noticeID, notice string) app.UI {
	p := func(id, class, text string) app.UI {
		el := app.P().Class(class).Text(text)
		if id != "" {
			el = el.ID(id)
		}
		if class == "error" {
			el = el.Attr("role", "alert")
		}
		return el
	}
	return app.Div().Class("messages").Attr("aria-live", "polite").Body(
		app.If(err != "", p(errID, "error", err)),
		app.If(notice != "", p(noticeID, "notice-ok", notice)),
	)
}

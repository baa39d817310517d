package view

import (
	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"gloss/app/live"
)

// loadingView is what a document page shows until its session's first
// welcome: the connection state and the last notice (e.g. why the server
// refused). class is the page's root class; data-ready stays "0".
func loadingView(class string, s *live.Session) app.UI {
	status := "connecting"
	if s != nil {
		status = s.Status.String()
	}
	var notice app.UI = app.Text("")
	if s != nil && len(s.Notices) > 0 {
		notice = app.P().Class("error").Text(s.Notices[len(s.Notices)-1].Text)
	}
	return app.Div().Class(class).DataSet("ready", "0").DataSet("status", status).Body(
		topBar(""),
		app.P().Class("loading").Text("Opening the document… ("+status+")"),
		notice,
	)
}

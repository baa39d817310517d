// Package view holds Gloss's go-app components, one per file. Routes is
// called both by the wasm entry point and by the server, which must know
// the same page paths to pre-render them (go-app answers 404 otherwise).
package view

import "github.com/maxence-charriere/go-app/v9/pkg/app"

// Routes registers every page.
func Routes() {
	app.Route("/", &Home{})
	app.Route("/login", &Login{})
	app.Route("/admin", &Admin{})
	app.Route("/account", &Account{})
	app.RouteWithRegexp(`^/projects/[0-9]+/settings$`, &ProjectSettings{})
	app.RouteWithRegexp(`^/doc/[0-9]+$`, &Desk{})
	app.RouteWithRegexp(`^/projects/[0-9]+/agreement$`, &Dashboard{})
	app.RouteWithRegexp(`^/review/[0-9]+$`, &Review{})
	app.RouteWithRegexp(`^/stories/[0-9]+$`, &StoryPage{})
}

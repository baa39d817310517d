package view

import (
	"errors"
	"net/url"

	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"gloss/app/live"
	"gloss/shared/httpapi"
)

// meState is the go-app state holding the signed-in user. Every page
// needs it (the name in the top bar, the CSRF token, roles); kept in
// state it is fetched once per page load, not once per page visited.
// Pages whose figures come with it (the project list's counts) ask for
// a fresh copy.
const meState = "gloss/me"

type cachedMe struct {
	Loaded bool
	Me     httpapi.Me
}

// Freshness of the user a page loads with.
const (
	cachedUser = false
	freshUser  = true
)

// loadPage loads what a page shows, the one way every page does: get runs
// off the UI goroutine with the signed-in user (cached in go-app's state
// unless fresh), then done runs on the UI goroutine with the outcome. A
// visitor whose session has ended is sent to the login page, which
// brings them back here, and done is not called.
func loadPage(ctx app.Context, fresh bool, get func(me httpapi.Me) error, done func(ctx app.Context, me httpapi.Me, err error)) {
	var c cachedMe
	if !fresh {
		ctx.GetState(meState, &c)
	}
	back := ctx.Page().URL().RequestURI()
	ctx.Async(func() {
		m, fetched := c.Me, false
		var err error
		if !c.Loaded {
			err = live.GetJSON("/api/me", &m)
			fetched = err == nil
		}
		if err == nil && get != nil {
			err = get(m)
		}
		ctx.Dispatch(func(ctx app.Context) {
			if errors.Is(err, live.ErrUnauthenticated) {
				ctx.DelState(meState)
				ctx.Navigate("/login?next=" + url.QueryEscape(back))
				return
			}
			if fetched {
				live.SetCSRF(m.CSRF)
				ctx.SetState(meState, cachedMe{Loaded: true, Me: m})
			}
			done(ctx, m, err)
		})
	})
}

// forgetMe drops the cached user: after a change the server made to it
// (a new password gives a new CSRF token).
func forgetMe(ctx app.Context) { ctx.DelState(meState) }

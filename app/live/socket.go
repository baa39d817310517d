package live

import (
	"time"

	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"gloss/shared/protocol"
)

// socket is what a session keeps of its websocket and of the browser's
// events it listens to. A document's Session and a StorySession open,
// drop and release them alike; only what they say on the socket differs.
// Its fields change only on the UI goroutine.
type socket struct {
	dispatch func(func()) // runs its function on the UI goroutine
	ws       app.Value
	funcs    []app.Func // ws's handlers, released when ws is dropped
	winFuncs []winListener
	attempt  int         // reconnect attempts since the last welcome
	timer    *time.Timer // the next attempt
}

// winListener is a listener the session added to the window.
type winListener struct {
	event string
	f     app.Func
}

// listenWindow adds f as the window's listener of event, until
// releaseWindow.
func (k *socket) listenWindow(event string, f app.Func) {
	k.winFuncs = append(k.winFuncs, winListener{event, f})
	app.Window().Call("addEventListener", event, f)
}

// closeOnPageHide closes the socket when the page is left (a navigation,
// closing the tab): a page kept in the back/forward cache would
// otherwise stay connected (and "present" on the others' desks). It runs
// in the event itself, not dispatched: after it the page is frozen.
// Coming back, the socket's close makes the session reconnect.
func (k *socket) closeOnPageHide() {
	k.listenWindow("pagehide", app.FuncOf(func(app.Value, []app.Value) any {
		if ws := k.ws; ws != nil && ws.Truthy() {
			ws.Call("close", 1000, "page left")
		}
		return nil
	}))
}

// handler returns a handler of an event of ws that runs f on the UI
// goroutine, unless ws has been dropped by then.
func (k *socket) handler(ws app.Value, f func(args []app.Value)) app.Func {
	g := app.FuncOf(func(_ app.Value, args []app.Value) any {
		k.dispatch(func() {
			if k.ws == nil || !k.ws.Equal(ws) {
				return // a callback of a socket already dropped
			}
			f(args)
		})
		return nil
	})
	k.funcs = append(k.funcs, g)
	return g
}

// dropWS closes the socket, if any, without its handlers hearing of it,
// and releases them.
func (k *socket) dropWS() {
	if k.ws != nil && k.ws.Truthy() {
		for _, ev := range []string{"onopen", "onmessage", "onclose", "onerror"} {
			k.ws.Set(ev, nil)
		}
		k.ws.Call("close")
	}
	k.ws = nil
	for _, f := range k.funcs {
		f.Release()
	}
	k.funcs = nil
}

// releaseWindow removes the window listeners and releases them (removed
// before released: a released function still listening throws on the
// next event).
func (k *socket) releaseWindow() {
	for _, l := range k.winFuncs {
		app.Window().Call("removeEventListener", l.event, l.f)
		l.f.Release()
	}
	k.winFuncs = nil
}

// reconnectLater has connect run, on the UI goroutine, after the backoff of the
// next attempt.
func (k *socket) reconnectLater(connect func()) {
	d := backoff(k.attempt)
	k.attempt++
	k.stopRetry()
	k.timer = time.AfterFunc(d, func() { k.dispatch(connect) })
}

// stopRetry cancels the next attempt, if one is waiting.
func (k *socket) stopRetry() {
	if k.timer != nil {
		k.timer.Stop()
	}
}

// retryStatus is a session's status while it waits to reconnect.
func retryStatus() Status {
	if !app.Window().Get("navigator").Get("onLine").Bool() {
		return Offline
	}
	return Reconnecting
}

// afterStop does what a close that ends a session asks of the page: log
// in again, or reload an upgraded Gloss.
func afterStop(code int) {
	switch code {
	case protocol.CloseUnauthenticated:
		app.Window().Get("location").Set("href", "/login?next="+app.Window().Get("location").Get("pathname").String())
	case protocol.CloseProtocol:
		app.Window().Get("location").Call("reload")
	}
}

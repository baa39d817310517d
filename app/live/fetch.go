package live

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/maxence-charriere/go-app/v9/pkg/app"
)

// ErrUnauthenticated is returned by FetchJSON on 401: the page should
// send the user to the login page.
var ErrUnauthenticated = errors.New("live: not logged in")

// FetchJSON GETs url with the browser's fetch (same-origin cookies) and
// decodes the JSON answer into v. It uses fetch rather than net/http to
// keep the HTTP client out of the wasm binary. It blocks; call it from
// ctx.Async.
func FetchJSON(url string, v any) error {
	type result struct {
		status int
		body   string
		err    error
	}
	done := make(chan result, 1)
	var onResp, onText, onErr app.Func
	release := func() {
		for _, f := range []app.Func{onResp, onText, onErr} {
			if f != nil {
				f.Release()
			}
		}
	}
	status := 0
	onErr = app.FuncOf(func(this app.Value, args []app.Value) any {
		msg := "network error"
		if len(args) > 0 && args[0].Truthy() {
			msg = args[0].Call("toString").String()
		}
		done <- result{err: fmt.Errorf("live: fetch %s: %s", url, msg)}
		return nil
	})
	onText = app.FuncOf(func(this app.Value, args []app.Value) any {
		done <- result{status: status, body: args[0].String()}
		return nil
	})
	onResp = app.FuncOf(func(this app.Value, args []app.Value) any {
		status = args[0].Get("status").Int()
		args[0].Call("text").Call("then", onText, onErr)
		return nil
	})
	opts := app.Window().Get("Object").New()
	opts.Set("credentials", "same-origin")
	app.Window().Call("fetch", url, opts).Call("then", onResp, onErr)
	r := <-done
	release()
	if r.err != nil {
		return r.err
	}
	if r.status == 401 {
		return ErrUnauthenticated
	}
	if r.status != 200 {
		var e struct{ Message string }
		json.Unmarshal([]byte(r.body), &e)
		return fmt.Errorf("live: %s: HTTP %d %s", url, r.status, e.Message)
	}
	if err := json.Unmarshal([]byte(r.body), v); err != nil {
		return fmt.Errorf("live: decode %s: %w", url, err)
	}
	return nil
}

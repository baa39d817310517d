package live

import (
	"encoding/json"
	"errors"
	"fmt"
	"sync"

	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"gloss/shared/httpapi"
)

// The pages' HTTP calls. They use the browser's fetch rather than
// net/http, which keeps the HTTP client out of the wasm binary, and send
// the CSRF header every state-changing request needs. All of them block:
// call them from ctx.Async.

// ErrUnauthenticated is returned on 401: the page should send the user to
// the login page.
var ErrUnauthenticated = errors.New("live: not logged in")

// APIError is a refusal from the server: its status and its error body
// (httpapi.Error: code, message and what some refusals carry besides).
type APIError struct {
	Status  int
	Refusal httpapi.Error
	// Body is the whole answer as it came.
	Body string
}

func (e *APIError) Error() string {
	if e.Refusal.Message != "" {
		return e.Refusal.Message
	}
	return fmt.Sprintf("the server answered %d", e.Status)
}

// ErrorCode returns the API error code of err, or "".
func ErrorCode(err error) string {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.Refusal.Code
	}
	return ""
}

var csrf struct {
	mu    sync.Mutex
	token string
}

// SetCSRF records the session's CSRF token (from GET /api/me or a
// password change).
func SetCSRF(token string) {
	csrf.mu.Lock()
	csrf.token = token
	csrf.mu.Unlock()
}

// csrfToken returns the session's CSRF token, asking the server if this
// page has not learnt it yet.
func csrfToken() (string, error) {
	csrf.mu.Lock()
	t := csrf.token
	csrf.mu.Unlock()
	if t != "" {
		return t, nil
	}
	var m httpapi.Me
	if err := GetJSON("/api/me", &m); err != nil {
		return "", err
	}
	SetCSRF(m.CSRF)
	return m.CSRF, nil
}

// GetJSON GETs url and decodes its JSON answer into out.
func GetJSON(url string, out any) error {
	return fetchJSON("GET", url, nil, out, "")
}

// SendJSON sends in as JSON with method to url, with the CSRF token, and
// decodes the answer into out (if not nil). A refusal for a stale CSRF
// token (another tab changed the password) is retried once with a fresh
// one.
func SendJSON(method, url string, in, out any) error {
	var body []byte
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			return err
		}
	}
	for attempt := 0; ; attempt++ {
		token, err := csrfToken()
		if err != nil {
			return err
		}
		err = fetchJSON(method, url, body, out, token)
		if ErrorCode(err) == "csrf" && attempt == 0 {
			SetCSRF("")
			continue
		}
		return err
	}
}

// fetchJSON is one fetch. A 401 is ErrUnauthenticated, other
// failures an *APIError.
func fetchJSON(method, url string, body []byte, out any, token string) error {
	type result struct {
		status int
		text   string
		err    error
	}
	done := make(chan result, 1)
	var onResp, onText, onErr app.Func
	status := 0
	onErr = app.FuncOf(func(this app.Value, args []app.Value) any {
		msg := "network error"
		if len(args) > 0 && args[0].Truthy() {
			msg = args[0].Call("toString").String()
		}
		done <- result{err: fmt.Errorf("%s %s: %s", method, url, msg)}
		return nil
	})
	onText = app.FuncOf(func(this app.Value, args []app.Value) any {
		done <- result{status: status, text: args[0].String()}
		return nil
	})
	onResp = app.FuncOf(func(this app.Value, args []app.Value) any {
		status = args[0].Get("status").Int()
		args[0].Call("text").Call("then", onText, onErr)
		return nil
	})
	opts := app.Window().Get("Object").New()
	opts.Set("method", method)
	opts.Set("credentials", "same-origin")
	headers := app.Window().Get("Object").New()
	headers.Set("Accept", "application/json")
	if token != "" {
		headers.Set("X-CSRF-Token", token)
	}
	if body != nil {
		headers.Set("Content-Type", "application/json")
		opts.Set("body", string(body))
	}
	opts.Set("headers", headers)
	app.Window().Call("fetch", url, opts).Call("then", onResp, onErr)
	r := <-done
	for _, f := range []app.Func{onResp, onText, onErr} {
		f.Release()
	}
	return decodeAnswer(r.status, r.text, r.err, out)
}

// decodeAnswer turns an HTTP answer into out or an error.
func decodeAnswer(status int, text string, err error, out any) error {
	if err != nil {
		return err
	}
	if status == 401 {
		return ErrUnauthenticated
	}
	if status < 200 || status > 299 {
		ae := &APIError{Status: status, Body: text}
		json.Unmarshal([]byte(text), &ae.Refusal)
		return ae
	}
	if out == nil || status == 204 {
		return nil
	}
	if err := json.Unmarshal([]byte(text), out); err != nil {
		return fmt.Errorf("could not read the server's answer: %w", err)
	}
	return nil
}

// Upload posts form (a FormData) to url with XMLHttpRequest, whose upload
// events fetch lacks, calling progress(sent, total) as the bytes go out.
// progress runs on a JS callback: it must not block (ctx.Dispatch).
func Upload(url string, form app.Value, progress func(sent, total int), out any) error {
	token, err := csrfToken()
	if err != nil {
		return err
	}
	type result struct {
		status int
		text   string
		err    error
	}
	done := make(chan result, 1)
	xhr := app.Window().Get("XMLHttpRequest").New()
	onProgress := app.FuncOf(func(this app.Value, args []app.Value) any {
		if e := args[0]; e.Get("lengthComputable").Bool() {
			progress(e.Get("loaded").Int(), e.Get("total").Int())
		}
		return nil
	})
	onLoad := app.FuncOf(func(this app.Value, args []app.Value) any {
		done <- result{status: xhr.Get("status").Int(), text: xhr.Get("responseText").String()}
		return nil
	})
	onError := app.FuncOf(func(this app.Value, args []app.Value) any {
		done <- result{err: errors.New("the upload failed: network error (is the server running?)")}
		return nil
	})
	xhr.Call("open", "POST", url)
	xhr.Call("setRequestHeader", "X-CSRF-Token", token)
	xhr.Call("setRequestHeader", "Accept", "application/json")
	xhr.Get("upload").Call("addEventListener", "progress", onProgress)
	xhr.Call("addEventListener", "load", onLoad)
	xhr.Call("addEventListener", "error", onError)
	xhr.Call("send", form)
	r := <-done
	for _, f := range []app.Func{onProgress, onLoad, onError} {
		f.Release()
	}
	return decodeAnswer(r.status, r.text, r.err, out)
}

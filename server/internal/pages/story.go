package pages

import (
	"bytes"
	"compress/gzip"
	"net/http"
)

// PrerenderedHTML is the HTML WithHTML put into r's page, if any: for a
// test of the API that serves pages without go-app.
func PrerenderedHTML(r *http.Request) (string, bool) {
	pre, ok := r.Context().Value(htmlKey{}).(prerendered)
	return pre.html, ok
}

// AfterPaintType is the type of a script the page holds back until its
// pre-rendered content is painted: gloss.js loads it then (from its
// data-src). A browser runs no script of a type it does not know.
const AfterPaintType = "text/x-gloss-after-paint"

// paintFirst adapts go-app's head for a page whose server-rendered
// content is its first view (the story table): that content is parsed,
// laid out and painted before the wasm takes any of the main thread. A
// trace of the 50-article story showed the 10 MB wasm preload's body
// handled on the main thread (≈ 90 ms, between parser chunks), gloss.js
// blocking the parser until read from the cache, and go-app's loader
// (app.js, deferred: it runs just before DOMContentLoaded) free to start
// the wasm's compile and Go's start-up before the table's first frame.
// So: no wasm preload, gloss.js deferred, app.js held back for gloss.js
// to load after the first paint. And gloss.js puts the table in, so the
// first paint waits for it: a deferred script is fetched at low
// priority, which Chromium holds back while the page loads (≈ 50–100 ms
// in a trace, read from the cache), so it is asked for at high priority,
// and go-app's wasm_exec.js, which deferred scripts would run before it
// and which only app.js needs, is held back with app.js (loaded in
// order). Tags it does not recognise are left as
// they are (go-app prints attributes in no fixed order: tags are matched
// by their attributes, not their text).
func paintFirst(page []byte) []byte {
	return rewriteHead(page, func(tag []byte) []byte {
		switch {
		case isTag(tag, "link", `rel="preload"`, `as="fetch"`):
			return nil // the wasm's preload: dropped with its line
		case isTag(tag, "script", `src="/wasm_exec.js"`):
			return heldScript(AfterPaintType, "/wasm_exec.js")
		case isTag(tag, "script", `src="/app.js"`):
			return heldScript(AfterPaintType, "/app.js")
		case isTag(tag, "script", `src="/web/gloss.js`):
			rest := bytes.Replace(tag[len("<script "):], []byte("defer "), nil, 1)
			return append([]byte(`<script defer fetchpriority="high" `), rest...)
		}
		return tag
	})
}

// compressPage gzips a page with a story table for a browser that takes
// it: the table is hundreds of KB of repetitive HTML, ≈ 20 times smaller
// gzipped — over a real network most of the page's load time — for ≈ 2
// ms of the server's time at BestSpeed.
func compressPage(w http.ResponseWriter, r *http.Request, body []byte) []byte {
	w.Header().Add("Vary", "Accept-Encoding")
	if !accepts(r.Header.Get("Accept-Encoding"), "gzip") {
		return body
	}
	var b bytes.Buffer
	b.Grow(len(body) / 8)
	zw, _ := gzip.NewWriterLevel(&b, gzip.BestSpeed)
	if _, err := zw.Write(body); err != nil {
		return body
	}
	if err := zw.Close(); err != nil {
		return body
	}
	w.Header().Set("Content-Encoding", "gzip")
	return b.Bytes()
}

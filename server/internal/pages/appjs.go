package pages

import (
	"bytes"
	"net/http"
	"strconv"
	"sync"
)

// streamingWasm serves go-app's /app.js with one change: its loader
// fetches the wasm with plain fetch() instead of go-app's
// fetchWithProgress, which wraps the response in a new Response built
// from a ReadableStream to count bytes for the progress label. Such a
// Response has no URL, and Chromium caches the compiled code of a
// streamed wasm module only for a response with one: with the wrapper,
// every new tab compiles the 9 MB module again. The progress label is
// not worth that (and a document page shows the pre-rendered text, not
// the label).
func streamingWasm(next http.Handler) http.Handler {
	var once sync.Once
	var body []byte
	var header http.Header
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/app.js" {
			next.ServeHTTP(w, r)
			return
		}
		once.Do(func() {
			rec := &recorder{header: http.Header{}, code: http.StatusOK}
			// Whole, whatever this request revalidates: go-app would
			// answer a matching If-None-Match with an empty 304, kept
			// here as every later request's app.js.
			full := r.Clone(r.Context())
			full.Header.Del("If-None-Match")
			next.ServeHTTP(rec, full)
			body, header = rewriteLoader(rec.buf.Bytes()), rec.header
		})
		for k, v := range header {
			w.Header()[k] = v
		}
		// go-app answers a revalidation of its other files with 304; so
		// does this one, or every page load (no longer served by go-app's
		// caching worker, see worker.go) downloads app.js again.
		if et := header.Get("ETag"); et != "" && r.Header.Get("If-None-Match") == et {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Del("Content-Encoding")
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.Write(body)
	})
}

// rewriteLoader replaces the wrapped fetch of go-app's loader; a loader
// it does not recognise is left as it is.
func rewriteLoader(js []byte) []byte {
	i := bytes.Index(js, []byte("fetchWithProgress(\""))
	if i < 0 {
		return js
	}
	end := bytes.Index(js[i:], []byte(", showProgress)"))
	if end < 0 {
		return js
	}
	url := js[i+len("fetchWithProgress(") : i+end]
	out := append([]byte(nil), js[:i]...)
	out = append(out, "fetch("...)
	out = append(out, url...)
	out = append(out, ")"...)
	return append(out, js[i+end+len(", showProgress)"):]...)
}

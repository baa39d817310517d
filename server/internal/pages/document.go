package pages

import (
	"bytes"
	"context"
	"net/http"
	"strconv"

	"gloss/app/view"
	"gloss/shared/model"
)

// Document is what the API hands the pages handler to pre-render a
// document view for one user (see WithDocument): only what that user may
// see.
type Document struct {
	Doc         model.Document
	Schema      model.Schema
	Seq         int64
	Layer       string
	Annotations []model.Annotation
	Relations   []model.Relation
	Comments    []model.Comment
}

type docKey struct{}
type htmlKey struct{}
type statusKey struct{}

// WithHTML returns r whose page is served with html (already escaped:
// made by the wasm's own pure markup code) in place of go-app's
// placeholder, as WithDocument does for a document: the story view's
// table, which the wasm then replaces with its live one.
func WithHTML(r *http.Request, html string) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), htmlKey{}, html))
}

// WithDocument returns r carrying d: its page is served with the
// document's text and highlights already in the HTML
// (view.RenderDocument, the code the wasm renders with), which the wasm
// then adopts.
func WithDocument(r *http.Request, d Document) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), docKey{}, d))
}

// WithStatus returns r whose page is answered with status code (e.g. 404
// for a document the user may not see: the page, without any text).
func WithStatus(r *http.Request, code int) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), statusKey{}, code))
}

// withDocument serves go-app's page and puts the pre-rendered document
// into its body, beside go-app's placeholder (which the wasm replaces
// when it starts) and before its loading overlay (which gloss.css hides
// while the pre-render is there).
func withDocument(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d, hasDoc := r.Context().Value(docKey{}).(Document)
		html, hasHTML := r.Context().Value(htmlKey{}).(string)
		code, hasCode := r.Context().Value(statusKey{}).(int)
		if !hasDoc && !hasHTML && !hasCode {
			next.ServeHTTP(w, r)
			return
		}
		// go-app tags its pages with an ETag of the app version and
		// answers If-None-Match with 304: a browser would then show the
		// document as it was at its last visit. A pre-rendered page is
		// per user and per state: never revalidated from cache.
		r = r.Clone(r.Context())
		r.Header.Del("If-None-Match")
		r.Header.Del("If-Modified-Since")
		rec := &recorder{header: http.Header{}, code: http.StatusOK}
		next.ServeHTTP(rec, r)
		body := rec.buf.Bytes()
		if hasDoc && rec.code == http.StatusOK {
			html := view.RenderDocument(view.Prerender{Document: d.Doc, Schema: d.Schema, Seq: d.Seq, Layer: d.Layer,
				Annotations: d.Annotations, Relations: d.Relations, Comments: d.Comments})
			body = splice(body, html)
		}
		if hasHTML && !hasDoc && rec.code == http.StatusOK {
			body = paintFirst(splice(body, html))
		}
		for k, v := range rec.header {
			w.Header()[k] = v
		}
		w.Header().Del("ETag")
		w.Header().Del("Last-Modified")
		w.Header().Set("Cache-Control", "no-store")
		if hasHTML && !hasDoc && rec.code == http.StatusOK {
			body = compressPage(w, r, body)
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		if hasCode {
			rec.code = code
		}
		w.WriteHeader(rec.code)
		w.Write(body)
	})
}

// recorder keeps a response in memory.
type recorder struct {
	header http.Header
	code   int
	buf    bytes.Buffer
	wrote  bool
}

func (r *recorder) Header() http.Header { return r.header }
func (r *recorder) WriteHeader(code int) {
	if !r.wrote {
		r.code, r.wrote = code, true
	}
}
func (r *recorder) Write(p []byte) (int, error) {
	r.wrote = true
	return r.buf.Write(p)
}

// splice puts the pre-rendered document before go-app's loading overlay
// and empties go-app's placeholder (the body's first element, which the
// wasm mounts the page into: it holds the server-side render of the
// desk's loading state, which would show above the document). A page not
// shaped as expected is left as it is.
func splice(page []byte, doc string) []byte {
	body := bytes.Index(page, []byte("<body"))
	if body < 0 {
		return page
	}
	open := bytes.Index(page[body:], []byte("<div"))
	// go-app prints attributes in no fixed order: find the loader by its
	// id, then the tag that holds it.
	id := bytes.Index(page, []byte(`id="app-wasm-loader"`))
	if open < 0 || id < 0 {
		return page
	}
	loader := bytes.LastIndex(page[:id], []byte("<aside"))
	if loader < body+open {
		return page
	}
	open += body
	out := make([]byte, 0, len(page)+len(doc))
	out = append(out, page[:open]...)
	out = append(out, "<div></div>"...)
	out = append(out, doc...)
	return append(out, page[loader:]...)
}

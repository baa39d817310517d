package pages

import (
	"bytes"
	"context"
	"html"
	"net/http"
	"strconv"

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

type htmlKey struct{}

// prerendered is what WithHTML puts into a request.
type prerendered struct {
	html    string
	loading Loading
	fetches []string // URLs the page's script fetches: preloaded in its head
}

// Loading says how a pre-rendered page starts the wasm.
type Loading int

const (
	// WasmEarly leaves go-app's head as it is: the wasm preloaded with
	// the page and started as soon as the page is parsed (the document
	// page's way until its paragraphs were fetched: FillFirst).
	WasmEarly Loading = iota
	// PaintFirst lets the pre-rendered content be parsed, laid out and
	// painted before the wasm takes any of the main thread (paintFirst):
	// the story page, a table to read first.
	PaintFirst
	// FillFirst preloads the wasm with the page but starts it (go-app's
	// loader) only once the paragraphs the page fetches are set and
	// painted (holdLoader): the document page, whose highlights are what
	// a user waits for, and whose first tags its own script sends.
	FillFirst
)

type statusKey struct{}

// WithHTML returns r whose page is served with html (already escaped:
// made by the wasm's own pure markup code, view.RenderDocument or
// view.RenderStory) in place of go-app's placeholder: the document,
// which the wasm adopts, or the story view's table, which it replaces
// with its live one.
//
// fetches are the URLs of what the page's script fetches at once (the
// document's paragraphs: view.RenderDocumentShell): the page's head
// preloads them, so their requests leave with the page's first bytes.
func WithHTML(r *http.Request, html string, l Loading, fetches ...string) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), htmlKey{}, prerendered{html, l, fetches}))
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
		pre, hasHTML := r.Context().Value(htmlKey{}).(prerendered)
		code, hasCode := r.Context().Value(statusKey{}).(int)
		if !hasHTML && !hasCode {
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
		if hasHTML && rec.code == http.StatusOK {
			body = splice(body, pre.html)
			body = preloadFetches(body, pre.fetches)
			switch pre.loading {
			case PaintFirst:
				body = paintFirst(body)
			case FillFirst:
				body = holdLoader(body)
			}
		}
		for k, v := range rec.header {
			w.Header()[k] = v
		}
		w.Header().Del("ETag")
		w.Header().Del("Last-Modified")
		w.Header().Set("Cache-Control", "no-store")
		if hasHTML && rec.code == http.StatusOK {
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

// preloadFetches puts a preload of each URL at the top of the page's
// head (after its charset), before go-app's style sheets and scripts:
// the request leaves as soon as the head's first bytes are scanned.
// crossorigin="anonymous" makes it the request a plain same-origin
// fetch() makes (mode cors, credentials same-origin), so that fetch
// takes the preloaded response instead of asking again.
func preloadFetches(page []byte, urls []string) []byte {
	if len(urls) == 0 {
		return page
	}
	at := bytes.Index(page, []byte("<head>"))
	if at < 0 {
		return page
	}
	at += len("<head>")
	if m := bytes.Index(page[at:], []byte("<meta charset=")); m >= 0 && m < 64 {
		if end := bytes.IndexByte(page[at+m:], '>'); end >= 0 {
			at += m + end + 1
		}
	}
	var links bytes.Buffer
	for _, u := range urls {
		links.WriteString("\n<link rel=\"preload\" as=\"fetch\" crossorigin=\"anonymous\" data-gloss-fetch href=\"")
		links.WriteString(html.EscapeString(u))
		links.WriteString("\">")
	}
	out := make([]byte, 0, len(page)+links.Len())
	out = append(out, page[:at]...)
	out = append(out, links.Bytes()...)
	return append(out, page[at:]...)
}

// ParasSeqHeader names the seq the paragraphs ServeParagraphs sends were
// drawn at (web/gloss.js sets it as the pre-render's data-seq: the page
// may have been made at an older one).
const ParasSeqHeader = "X-Gloss-Seq"

// ParasFromHeader names the index of the first paragraph ServeParagraphs
// sends: the page's own paragraphs are those before it (0: all of them,
// the page's to be replaced).
const ParasFromHeader = "X-Gloss-From"

// ServeParagraphs answers the document page's fetch of its paragraphs
// (html, drawn at seq, from paragraph from on): per user and per state,
// so never cached; gzipped when the browser takes it (≈ 11 times
// smaller).
func ServeParagraphs(w http.ResponseWriter, r *http.Request, html string, seq int64, from int) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set(ParasSeqHeader, strconv.FormatInt(seq, 10))
	w.Header().Set(ParasFromHeader, strconv.Itoa(from))
	body := compressPage(w, r, []byte(html))
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.Write(body)
}

// AfterFillType is the type of a script the document page holds back
// until its fetched paragraphs are set and painted: gloss.js
// (glossFetchParas) loads it then, from its data-src.
const AfterFillType = "text/x-gloss-after-fill"

// AfterFillRel is the rel the document page's wasm preload carries until
// its paragraphs are painted (a browser ignores a link of a rel it does
// not know): gloss.js makes it a preload then.
const AfterFillRel = "x-gloss-after-fill"

// holdLoader holds go-app's loader (app.js: it fetches, compiles and
// starts the wasm, and wasm_exec.js, which only it needs) back for
// gloss.js to load once the document's paragraphs are on screen, and the
// wasm's preload with it. A trace of the 5,000-span page showed the
// paragraphs' fetch, when it ended after the deferred loader had run,
// waiting for their first frame behind the wasm's instantiation and Go's
// start-up (seconds under load); and the preload's 10 MB body is handled
// on the main thread (6–10 ms a chunk, ≈ 100 ms in all) while the
// paragraphs are being fetched, set and painted — the story page drops
// it for the same reason (paintFirst). gloss.js is deferred (it loads
// the loader, so nothing can run before it): a script that blocks the
// parser kept the small page from being parsed — and its paragraphs from
// being set — until it and the style sheets had arrived. Tags it does
// not recognise are left as they are (go-app prints attributes in no
// fixed order: tags are matched by their attributes).
func holdLoader(page []byte) []byte {
	return rewriteHead(page, func(tag []byte) []byte {
		switch {
		case isTag(tag, "link", `rel="preload"`, `as="fetch"`, `href="/web/app.wasm`):
			return bytes.Replace(tag, []byte(`rel="preload"`), []byte(`rel="`+AfterFillRel+`"`), 1)
		case isTag(tag, "script", `src="/wasm_exec.js"`):
			return heldScript(AfterFillType, "/wasm_exec.js")
		case isTag(tag, "script", `src="/app.js"`):
			return heldScript(AfterFillType, "/app.js")
		case isTag(tag, "script", `src="/web/gloss.js`) && !bytes.Contains(tag, []byte(" defer")):
			return append([]byte("<script defer "), tag[len("<script "):]...)
		}
		return tag
	})
}

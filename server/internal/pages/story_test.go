package pages

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// paintFirst drops the wasm preload, holds app.js and wasm_exec.js back
// and defers gloss.js at high priority, whatever order go-app printed their attributes in, and
// touches nothing else.
func TestPaintFirst(t *testing.T) {
	for _, tc := range []struct{ name, head, want string }{
		{"go-app's order",
			"<link rel=\"stylesheet\" href=\"/web/gloss.css?v=1\">\n<script defer src=\"/wasm_exec.js\"></script>\n<script defer src=\"/app.js\"></script>\n<script src=\"/web/gloss.js?v=1\"></script>\n<link rel=\"preload\" as=\"fetch\" crossorigin=\"anonymous\" href=\"/web/app.wasm?v=1\">\n",
			"<link rel=\"stylesheet\" href=\"/web/gloss.css?v=1\">\n<script type=\"" + AfterPaintType + "\" data-src=\"/wasm_exec.js\"></script>\n<script type=\"" + AfterPaintType + "\" data-src=\"/app.js\"></script>\n<script defer fetchpriority=\"high\" src=\"/web/gloss.js?v=1\"></script>\n"},
		{"other orders",
			"<script src=\"/app.js\" defer></script><link href=\"/web/app.wasm?v=1\" as=\"fetch\" rel=\"preload\"><script defer src=\"/web/gloss.js?v=1\"></script><script src=\"/wasm_exec.js\" defer></script>",
			"<script type=\"" + AfterPaintType + "\" data-src=\"/app.js\"></script><script defer fetchpriority=\"high\" src=\"/web/gloss.js?v=1\"></script><script type=\"" + AfterPaintType + "\" data-src=\"/wasm_exec.js\"></script>"},
		{"a style preload stays", `<link as="style" rel="preload" href="/app.css">`, `<link as="style" rel="preload" href="/app.css">`},
	} {
		body := "<body><div id=\"gloss-pre\"><script src=\"/app.js\"></script></div></body></html>"
		got := string(paintFirst([]byte("<html><head>" + tc.head + "</head>" + body)))
		if want := "<html><head>" + tc.want + "</head>" + body; got != want {
			t.Errorf("%s:\n got %s\nwant %s", tc.name, got, want)
		}
	}
}

// Through go-app's page: the story page (WithHTML) is served with its
// table painted first; the document page keeps its wasm preload and
// go-app's loader.
func TestStoryPagePaintsFirst(t *testing.T) {
	h, err := New(webDir(t))
	if err != nil {
		t.Fatal(err)
	}
	get := func(path string, with func(*http.Request) *http.Request) string {
		t.Helper()
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, with(httptest.NewRequest("GET", path, nil)))
		b, _ := io.ReadAll(rec.Result().Body)
		if rec.Code != 200 {
			t.Fatalf("%s: %d", path, rec.Code)
		}
		return string(b)
	}
	story := get("/stories/1", func(r *http.Request) *http.Request {
		return WithHTML(r, `<div id="gloss-pre" class="storypage"></div>`, PaintFirst)
	})
	doc := get("/doc/1", func(r *http.Request) *http.Request {
		return WithHTML(r, `<div id="gloss-pre" class="desk"></div>`, WasmEarly)
	})
	// go-app prints attributes in no fixed order: tags are found by one
	// attribute and checked for the others.
	tag := func(page, attr string) string {
		i := strings.Index(page, attr)
		if i < 0 {
			return ""
		}
		return page[strings.LastIndex(page[:i], "<") : i+strings.Index(page[i:], ">")+1]
	}
	for _, c := range []struct {
		name, got, want string
	}{
		{"story: wasm preload", tag(story, `as="fetch"`), ""},
		{"story: go-app's loader", tag(story, `"/app.js"`), `<script type="` + AfterPaintType + `" data-src="/app.js">`},
		{"story: go-app's wasm_exec.js", tag(story, `"/wasm_exec.js"`), `<script type="` + AfterPaintType + `" data-src="/wasm_exec.js">`},
		{"story: gloss.js deferred, high priority", strings.Replace(tag(story, `/web/gloss.js`), ` defer fetchpriority="high"`, "", 1),
			strings.Replace(tag(doc, `/web/gloss.js`), " defer", "", 1)},
		{"document: wasm preload", fmt.Sprint(tag(doc, `as="fetch"`) != ""), "true"},
		{"document: go-app's loader", fmt.Sprint(strings.Contains(tag(doc, `"/app.js"`), "defer"), strings.Contains(doc, AfterPaintType)), "true false"},
	} {
		if c.got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, c.got, c.want)
		}
	}
	if !strings.Contains(story, `<div id="gloss-pre" class="storypage">`) {
		t.Errorf("the story page lost its table:\n%s", story)
	}
}

// A story page goes gzip-encoded to a browser that takes it, plain to
// one that does not.
func TestStoryPageCompressed(t *testing.T) {
	h, err := New(webDir(t))
	if err != nil {
		t.Fatal(err)
	}
	table := `<div id="gloss-pre" class="storypage">` + strings.Repeat(`<td class="story-cell"><a class="fig">40</a></td>`, 2000) + `</div>`
	for _, enc := range []string{"gzip, deflate, br", ""} {
		req := httptest.NewRequest("GET", "/stories/1", nil)
		if enc != "" {
			req.Header.Set("Accept-Encoding", enc)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, WithHTML(req, table, PaintFirst))
		res := rec.Result()
		body, _ := io.ReadAll(res.Body)
		if res.Header.Get("Vary") != "Accept-Encoding" {
			t.Errorf("Accept-Encoding %q: Vary %q", enc, res.Header.Get("Vary"))
		}
		if enc == "" {
			if res.Header.Get("Content-Encoding") != "" || !strings.Contains(string(body), table) {
				t.Errorf("plain: Content-Encoding %q, table in body %v", res.Header.Get("Content-Encoding"), strings.Contains(string(body), table))
			}
			continue
		}
		if res.Header.Get("Content-Encoding") != "gzip" || res.Header.Get("Content-Length") != fmt.Sprint(len(body)) {
			t.Fatalf("gzip: headers %v, body %d bytes", res.Header, len(body))
		}
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		plain, _ := io.ReadAll(zr)
		if !strings.Contains(string(plain), table) || len(body)*10 > len(plain) {
			t.Errorf("gzip: %d bytes for %d, table in it %v", len(body), len(plain), strings.Contains(string(plain), table))
		}
	}
}

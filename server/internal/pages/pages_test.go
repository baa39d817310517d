package pages

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func webDir(t *testing.T) string {
	dir := t.TempDir()
	for name, body := range map[string]string{"app.wasm": "\x00asm fake wasm", "gloss.css": "body{}", "gloss.js": "//"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var gz bytes.Buffer
	w := gzip.NewWriter(&gz)
	w.Write([]byte("\x00asm fake wasm"))
	w.Close()
	os.WriteFile(filepath.Join(dir, "app.wasm.gz"), gz.Bytes(), 0o644)
	return dir
}

func TestWasmServedCompressedAndVersioned(t *testing.T) {
	h, err := New(webDir(t))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	// The page names the wasm by content hash.
	resp, err := http.Get(srv.URL + "/app.js")
	if err != nil {
		t.Fatal(err)
	}
	js, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(js), "/web/app.wasm?v=") {
		t.Fatalf("app.js does not load a versioned wasm URL")
	}
	// Streamed from fetch() itself, so Chromium can cache the compiled
	// module (see appjs.go).
	if !strings.Contains(string(js), `instantiateStreaming(
      fetch("/web/app.wasm?v=`) || strings.Contains(string(js), `fetchWithProgress("/web/app.wasm`) {
		t.Errorf("app.js does not stream the wasm from fetch(): %s", js)
	}
	i := strings.Index(string(js), "/web/app.wasm?v=")
	url := string(js[i : i+len("/web/app.wasm?v=")+16])

	req, _ := http.NewRequest("GET", srv.URL+url, nil)
	req.Header.Set("Accept-Encoding", "gzip")
	tr := &http.Transport{DisableCompression: true}
	resp, err = (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.Header.Get("Content-Encoding") != "gzip" || resp.Header.Get("Content-Type") != "application/wasm" {
		t.Fatalf("headers %v", resp.Header)
	}
	if !strings.Contains(resp.Header.Get("Cache-Control"), "immutable") {
		t.Errorf("versioned wasm not cached immutably: %q", resp.Header.Get("Cache-Control"))
	}
	zr, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	plain, _ := io.ReadAll(zr)
	if string(plain) != "\x00asm fake wasm" {
		t.Fatalf("wasm body %q", plain)
	}
	// Unversioned or stale URLs must be revalidated.
	resp, _ = http.Get(srv.URL + "/web/gloss.js")
	resp.Body.Close()
	if resp.Header.Get("Cache-Control") != "no-cache" {
		t.Errorf("unversioned asset Cache-Control %q", resp.Header.Get("Cache-Control"))
	}
	for _, bad := range []string{"/web/../go.mod", "/web/%2e%2e/go.mod", "/web/"} {
		resp, _ = http.Get(srv.URL + bad)
		resp.Body.Close()
		if resp.StatusCode == 200 {
			t.Errorf("GET %s = 200", bad)
		}
	}
}

func TestMissingWasm(t *testing.T) {
	if _, err := New(t.TempDir()); err == nil || !strings.Contains(err.Error(), "make wasm") {
		t.Fatalf("err = %v, want a hint to run make wasm", err)
	}
}

// The browser build must not link the server: no gorilla, no SQL driver,
// nothing of gloss/server.
func TestWasmLinksNoServerCode(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	cmd := exec.Command("go", "list", "-deps", "gloss/app")
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, dep := range strings.Fields(string(out)) {
		// database/sql/driver (interfaces only) comes with go-app's uuid
		// dependency; database/sql itself must not.
		if dep == "database/sql" {
			t.Errorf("the wasm build links %s", dep)
		}
		for _, banned := range []string{"gloss/server", "github.com/gorilla/websocket", "modernc.org/sqlite", "github.com/jackc/pgx"} {
			if dep == banned || strings.HasPrefix(dep, banned+"/") {
				t.Errorf("the wasm build links %s", dep)
			}
		}
	}
}

// The wasm goes out brotli-compressed to browsers that take it (when the
// build made app.wasm.br), gzip to the others, plain to the rest.
func TestWasmEncodingNegotiated(t *testing.T) {
	dir := webDir(t)
	os.WriteFile(filepath.Join(dir, "app.wasm.br"), []byte("brotli bytes"), 0o644)
	h, err := New(dir)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	tr := &http.Transport{DisableCompression: true}
	for _, c := range []struct{ accept, enc string }{
		{"gzip, deflate, br, zstd", "br"},
		{"gzip, br;q=0", "gzip"},
		{"gzip", "gzip"},
		{"identity", ""},
		{"", ""},
	} {
		req, _ := http.NewRequest("GET", srv.URL+"/web/app.wasm", nil)
		req.Header.Set("Accept-Encoding", c.accept)
		resp, err := (&http.Client{Transport: tr}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if got := resp.Header.Get("Content-Encoding"); got != c.enc {
			t.Errorf("Accept-Encoding %q: Content-Encoding %q, want %q", c.accept, got, c.enc)
		}
		if c.enc == "br" && string(body) != "brotli bytes" || c.enc == "" && string(body) != "\x00asm fake wasm" {
			t.Errorf("Accept-Encoding %q: body %q", c.accept, body)
		}
	}
}

// go-app prints attributes in map order: the pre-render goes in whatever
// order the loader's class and id come.
func TestSpliceAttributeOrder(t *testing.T) {
	for _, loader := range []string{`<aside class="goapp-app-info" id="app-wasm-loader">`, `<aside id="app-wasm-loader" class="goapp-app-info">`} {
		page := "<html><head></head><body>\n<div class=\"desk\" data-ready=\"0\"><p>Opening…</p></div>\n" + loader + "<p>x</p></aside></body></html>"
		got := string(splice([]byte(page), `<div id="gloss-pre"></div>`))
		want := "<html><head></head><body>\n<div></div><div id=\"gloss-pre\"></div>" + loader + "<p>x</p></aside></body></html>"
		if got != want {
			t.Errorf("splice with %s:\n got %s\nwant %s", loader, got, want)
		}
	}
}

// holdLoader holds go-app's loader, wasm_exec.js and the wasm's preload
// back and defers gloss.js; other tags are left as they are.
func TestHoldLoader(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`<head><link rel="preload" as="fetch" crossorigin="anonymous" href="/web/app.wasm?v=1"><script defer src="/wasm_exec.js"></script><script src="/app.js" defer></script><script src="/web/gloss.js?v=1"></script></head><body><script src="/app.js"></script>`,
			`<head><link rel="x-gloss-after-fill" as="fetch" crossorigin="anonymous" href="/web/app.wasm?v=1"><script type="text/x-gloss-after-fill" data-src="/wasm_exec.js"></script><script type="text/x-gloss-after-fill" data-src="/app.js"></script><script defer src="/web/gloss.js?v=1"></script></head><body><script src="/app.js"></script>`},
		{`<head><script defer src="/web/gloss.js?v=1"></script></head>`, `<head><script defer src="/web/gloss.js?v=1"></script></head>`},
		{`<head><script defer src="/other.js"></script><link rel="preload" as="fetch" crossorigin="anonymous" data-gloss-fetch href="/doc/1/paras"></head>`,
			`<head><script defer src="/other.js"></script><link rel="preload" as="fetch" crossorigin="anonymous" data-gloss-fetch href="/doc/1/paras"></head>`},
		{`<head><script src="/app.js" defer>`, `<head><script src="/app.js" defer>`},
	} {
		if got := string(holdLoader([]byte(tc.in))); got != tc.want {
			t.Errorf("holdLoader(%s) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

// preloadFetches puts the preloads right after the charset.
func TestPreloadFetches(t *testing.T) {
	in := "<html><head>\n<meta charset=\"UTF-8\">\n<title>x</title></head>"
	want := "<html><head>\n<meta charset=\"UTF-8\">\n<link rel=\"preload\" as=\"fetch\" crossorigin=\"anonymous\" data-gloss-fetch href=\"/doc/1/paras?a=1&amp;b=2\">\n<title>x</title></head>"
	if got := string(preloadFetches([]byte(in), []string{"/doc/1/paras?a=1&b=2"})); got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	if got := string(preloadFetches([]byte(in), nil)); got != in {
		t.Errorf("no URLs: %s", got)
	}
}

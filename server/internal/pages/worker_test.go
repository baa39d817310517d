package pages

import (
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

// TestWorkerHasNoFetchHandler: the worker app.js registers is ours — it
// routes no request (no fetch listener, no respondWith), caches nothing,
// and deletes what go-app's worker cached.
func TestWorkerHasNoFetchHandler(t *testing.T) {
	h, err := New(webDir(t))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	get := func(path string) (string, *http.Response) {
		t.Helper()
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %s", path, resp.Status)
		}
		return string(b), resp
	}
	appJS, _ := get("/app.js")
	m := regexp.MustCompile(`serviceWorker\.register\(\s*"([^"]+)"`).FindStringSubmatch(appJS)
	if m == nil {
		t.Fatal("app.js registers no service worker: the checks below would test nothing")
	}
	js, resp := get(m[1])
	if ct := resp.Header.Get("Content-Type"); !strings.Contains(ct, "javascript") {
		t.Errorf("%s served as %q", m[1], ct)
	}
	for _, c := range []struct {
		what, pattern string
		want          bool
	}{
		{"a fetch listener", `addEventListener\(\s*["']fetch["']`, false},
		{"onfetch", `onfetch`, false},
		{"respondWith", `respondWith`, false},
		{"cache writes", `addAll|cache\.put|caches\.open`, false},
		{"go-app's cache deletion", `caches\.delete`, true},
		{"skipWaiting on install", `install[\s\S]*skipWaiting\(\)`, true},
		{"clients.claim on activate", `activate[\s\S]*clients\.claim\(\)`, true},
	} {
		if got := regexp.MustCompile(c.pattern).MatchString(js); got != c.want {
			t.Errorf("worker has %s: %v, want %v\n%s", c.what, got, c.want, js)
		}
	}
}

// TestAppJSRevalidated: app.js (rewritten in appjs.go) answers a
// revalidation with 304 like go-app's other files, now that no worker
// serves it from Cache Storage — also when a new server's first app.js
// request is such a revalidation (same build after a restart: same
// ETag), whose empty 304 must not become every later request's app.js.
func TestAppJSRevalidated(t *testing.T) {
	dir := webDir(t)
	serve := func() *httptest.Server {
		h, err := New(dir)
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(h)
		t.Cleanup(srv.Close)
		return srv
	}
	get := func(srv *httptest.Server, ifNoneMatch string) (*http.Response, string) {
		t.Helper()
		req, _ := http.NewRequest("GET", srv.URL+"/app.js", nil)
		if ifNoneMatch != "" {
			req.Header.Set("If-None-Match", ifNoneMatch)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp, string(body)
	}
	resp, _ := get(serve(), "")
	etag := resp.Header.Get("ETag")
	if resp.StatusCode != http.StatusOK || etag == "" {
		t.Fatalf("app.js: %s, ETag %q", resp.Status, etag)
	}
	restarted := serve()
	for _, tc := range []struct {
		ifNoneMatch string
		want        int
	}{
		{etag, http.StatusNotModified}, // the new server's first request
		{"", http.StatusOK},
		{`"other"`, http.StatusOK},
		{etag, http.StatusNotModified},
	} {
		resp, body := get(restarted, tc.ifNoneMatch)
		if resp.StatusCode != tc.want {
			t.Errorf("If-None-Match %q: %s, want %d", tc.ifNoneMatch, resp.Status, tc.want)
		}
		if tc.want == http.StatusOK && !strings.Contains(body, "serviceWorker") {
			t.Errorf("If-None-Match %q: body is not app.js: %.80q", tc.ifNoneMatch, body)
		}
	}
}

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

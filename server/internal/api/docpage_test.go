package api_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"gloss/server/internal/api"
	"gloss/server/internal/hub"
	"gloss/server/internal/pages"
	"gloss/server/internal/store/storetest"
	"gloss/shared/model"
	"gloss/shared/protocol"
)

// pagesServer serves the fixture's store with the real pages handler (a
// fake wasm), so that /doc/{id} carries the pre-render.
func pagesServer(t *testing.T, f *fixture) (*httptest.Server, *storetest.SnapshotCounter) {
	return pagesServerWith(t, f, api.Config{ToolVersion: "gloss test"})
}

func pagesServerWith(t *testing.T, f *fixture, cfg api.Config) (*httptest.Server, *storetest.SnapshotCounter) {
	dir := t.TempDir()
	var gz bytes.Buffer
	w := gzip.NewWriter(&gz)
	w.Write([]byte("\x00asm fake"))
	w.Close()
	for name, body := range map[string][]byte{"app.wasm": []byte("\x00asm fake"), "app.wasm.gz": gz.Bytes(), "gloss.css": nil, "gloss.js": nil} {
		if err := os.WriteFile(filepath.Join(dir, name), body, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	pg, err := pages.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	cs := &storetest.SnapshotCounter{Store: f.st}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	// The hub reads the store itself, uncounted: serving a page warms
	// the document's room (hub.Warm), whose snapshot read is not the
	// page's.
	h := hub.New(f.st, log, hub.Config{})
	srv := httptest.NewServer(api.New(cs, h, log, cfg, pg).Handler())
	t.Cleanup(func() { srv.Close(); h.Close() })
	return srv, cs
}

var dataA = regexp.MustCompile(`data-a="([^"]*)"`)

// TestDocPageCache: the document page is rendered once per state and
// view and then served from the cache without reading the snapshot; an
// op, a blind setting and another viewer each get their own, right
// page.
func TestDocPageCache(t *testing.T) {
	f := newFixture(t)
	srv, cs := pagesServer(t, f)
	ctx := context.Background()
	login := func(role string) *client {
		c := newClient(t, srv.URL)
		if st, _ := c.postLogin(roleUser[role], password, ""); st != http.StatusSeeOther {
			t.Fatalf("login %s: %d", role, st)
		}
		return c
	}
	alice, rita := login("annotator"), login("reviewer")
	admin := f.as("admin")
	// The page, with its paragraphs in it (a short document: all of
	// them, nothing to fetch).
	page := func(c *client) string {
		t.Helper()
		code, body := c.do("GET", fmt.Sprintf("/doc/%d", f.doc), nil)
		if code != 200 {
			t.Fatalf("GET /doc: %d", code)
		}
		if strings.Contains(string(body), "data-gloss-fetch") || !strings.Contains(string(body), `<div id="paras" class="paras"><p class="para" data-p="0">`) {
			t.Fatalf("the page does not carry its one paragraph: %s", body)
		}
		return string(body)
	}
	commit := func(id string, a model.Annotation) {
		t.Helper()
		if _, err := f.st.Commit(ctx, f.doc, []protocol.Op{{ID: id, Kind: protocol.KindAdd, Ann: &a, User: a.Author}}); err != nil {
			t.Fatal(err)
		}
	}
	type want struct {
		seq        int
		has, lacks []string
		snapshot   bool // read the snapshot (not served from the cache)
	}
	check := func(step, who string, c *client, w want) {
		t.Helper()
		before := cs.Snapshots.Load()
		html := page(c)
		if !strings.Contains(html, fmt.Sprintf(`data-seq="%d"`, w.seq)) {
			t.Errorf("%s: %s's page is not at seq %d", step, who, w.seq)
		}
		ids := map[string]bool{}
		for _, m := range dataA.FindAllStringSubmatch(html, -1) {
			for _, id := range strings.Fields(m[1]) {
				ids[id] = true
			}
		}
		for _, s := range w.has {
			if !ids[s] {
				t.Errorf("%s: %s's page lacks %s", step, who, s)
			}
		}
		for _, s := range w.lacks {
			if ids[s] {
				t.Errorf("%s: %s's page shows %s", step, who, s)
			}
		}
		if read := cs.Snapshots.Load() > before; read != w.snapshot {
			t.Errorf("%s: %s's page read the snapshot: %v, want %v", step, who, read, w.snapshot)
		}
	}
	check("first", "alice", alice, want{seq: 1, has: []string{"b1"}, snapshot: true})
	check("again", "alice", alice, want{seq: 1, has: []string{"b1"}})
	// rita sees the same layers but owns another one (bob's drawn faded
	// for both): her own render, then cached too.
	check("other viewer", "rita", rita, want{seq: 1, has: []string{"b1"}, snapshot: true})
	check("other viewer again", "rita", rita, want{seq: 1, has: []string{"b1"}})
	commit("b2", model.Annotation{ID: "b2", Document: f.doc, Layer: "bob", Label: "figure", Start: 15, End: 23, Quote: "at least", Author: "bob", Version: 1})
	check("after an op", "alice", alice, want{seq: 2, has: []string{"b1", "b2"}, snapshot: true})
	check("after an op, again", "alice", alice, want{seq: 2, has: []string{"b1", "b2"}})
	// Blind annotation: no op moves the seq, but alice's view changes.
	if code, body := admin.do("PUT", "/api/projects/1/settings", model.Settings{Blind: true}); code != 200 {
		t.Fatalf("blind on: %d %s", code, body)
	}
	check("blind", "alice", alice, want{seq: 2, lacks: []string{"b1", "b2"}, snapshot: true})
	check("blind, again", "alice", alice, want{seq: 2, lacks: []string{"b1", "b2"}})
	check("blind, reviewer", "rita", rita, want{seq: 2, has: []string{"b1", "b2"}, snapshot: true})
	commit("a1", model.Annotation{ID: "a1", Document: f.doc, Layer: "alice", Label: "claim", Start: 0, End: 9, Quote: "Officials", Author: "alice", Version: 1})
	check("blind, own op", "alice", alice, want{seq: 3, has: []string{"a1"}, lacks: []string{"b1", "b2"}, snapshot: true})
	check("blind, reviewer after the op", "rita", rita, want{seq: 3, has: []string{"a1", "b1", "b2"}, snapshot: true})
}

var (
	dataSrc  = regexp.MustCompile(`<div id="paras" class="paras" data-from="(\d+)" data-src="([^"]*)">`)
	paraOpen = regexp.MustCompile(`<p class="para" data-p="(\d+)">`)
)

// TestDocPageLong: a document longer than the page's share has none of
// its paragraphs in the page and fetches them all, preloaded (from 0, at
// the page's seq); the fetch also answers a page holding the first ones
// with the rest (from=K). If the document moved on since the page was
// drawn, the fetch answers all paragraphs at the new seq (from 0), which
// the page puts in place of its own; and an outsider gets nothing.
func TestDocPageLong(t *testing.T) {
	f := newFixture(t)
	text, err := os.ReadFile(filepath.Join("..", "..", "..", "sample", "demo", "000_307bc43b3c6d2c1a.txt"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	docs, err := f.st.AddDocuments(ctx, 1, []model.Document{{Name: "crocus", Text: string(text)}})
	if err != nil {
		t.Fatal(err)
	}
	doc := docs[0].ID
	srv, _ := pagesServerWith(t, f, api.Config{ToolVersion: "gloss test", InlineParas: 600})
	alice := newClient(t, srv.URL)
	if st, _ := alice.postLogin(roleUser["annotator"], password, ""); st != http.StatusSeeOther {
		t.Fatalf("login: %d", st)
	}
	get := func(c *client, path string) (int, http.Header, string) {
		t.Helper()
		resp, err := c.hc.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header, string(body)
	}
	indexes := func(html string) []string {
		var out []string
		for _, m := range paraOpen.FindAllStringSubmatch(html, -1) {
			out = append(out, m[1])
		}
		return out
	}
	code, _, page := get(alice, fmt.Sprintf("/doc/%d", doc))
	m := dataSrc.FindStringSubmatch(page)
	if code != 200 || m == nil {
		t.Fatalf("GET /doc: %d, no fetched #paras: %s", code, page)
	}
	from, src := m[1], strings.ReplaceAll(m[2], "&amp;", "&")
	if !strings.Contains(page, `data-gloss-fetch href="`+m[2]+`"`) {
		t.Errorf("the page does not preload %s", src)
	}
	if own := indexes(page); len(own) != 0 || from != "0" {
		t.Fatalf("the page holds paragraphs %v, says the fetched ones start at %s", own, from)
	}
	code, h, rest := get(alice, src)
	if code != 200 || h.Get(pages.ParasFromHeader) != from || h.Get(pages.ParasSeqHeader) != "0" {
		t.Fatalf("GET %s: %d, from %q seq %q", src, code, h.Get(pages.ParasFromHeader), h.Get(pages.ParasSeqHeader))
	}
	all := indexes(rest)
	if len(all) < 3 {
		t.Fatalf("only %d paragraphs", len(all))
	}
	for i, p := range all {
		if p != fmt.Sprint(i) {
			t.Fatalf("page + fetch give paragraphs %v", all)
		}
	}
	// A page holding the first two paragraphs asks for the rest.
	if code, h, part := get(alice, fmt.Sprintf("/doc/%d/paras?from=2&seq=0", doc)); code != 200 || h.Get(pages.ParasFromHeader) != "2" ||
		strings.Join(indexes(part), " ") != strings.Join(all[2:], " ") {
		t.Fatalf("GET from=2: %d, from %q, paragraphs %v", code, h.Get(pages.ParasFromHeader), indexes(part))
	}
	// An op after the page: the same fetch answers everything, at seq 1.
	a := model.Annotation{ID: "s1", Label: "claim", Start: 0, End: 4, Quote: string([]rune(string(text))[:4]), Layer: "bob", Author: "bob"}
	if _, err := f.st.Commit(ctx, doc, []protocol.Op{{ID: "s1", Kind: protocol.KindAdd, Ann: &a, User: "bob"}}); err != nil {
		t.Fatal(err)
	}
	code, h, rest = get(alice, src)
	if code != 200 || h.Get(pages.ParasFromHeader) != "0" || h.Get(pages.ParasSeqHeader) != "1" || len(indexes(rest)) != len(all) || !strings.Contains(rest, "s1") {
		t.Fatalf("after an op, GET %s: %d, from %q seq %q, %d paragraphs", src, code, h.Get(pages.ParasFromHeader), h.Get(pages.ParasSeqHeader), len(indexes(rest)))
	}
	// Someone of another project: 404, no text.
	eve := newClient(t, srv.URL)
	if st, _ := eve.postLogin(roleUser["outsider"], password, ""); st != http.StatusSeeOther {
		t.Fatalf("login: %d", st)
	}
	if code, _, body := get(eve, src); code != http.StatusNotFound || strings.Contains(body, "para") {
		t.Errorf("outsider: GET %s: %d %q", src, code, body)
	}
}

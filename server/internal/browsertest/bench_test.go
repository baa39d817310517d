package browsertest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"gloss/shared/model"
	"gloss/shared/protocol"
	"gloss/shared/textpos"
)

// loadWorkload puts ../shared/bench/workload-5000.json into the demo
// project as one document with its 5,000 spans in alice's layer, committed
// through the op log like any edit, and returns the document id.
func loadWorkload(tb testing.TB, srv *server, file string) (int64, int) {
	path := filepath.Join(repoRoot(), "..", "shared", "bench", file)
	raw, err := os.ReadFile(path)
	if err != nil {
		tb.Skipf("benchmark workload not found: %v", err)
	}
	var w struct {
		Text  string `json:"text"`
		Spans []struct {
			ID         string `json:"id"`
			Start, End int
			Label      string `json:"label"`
		} `json:"spans"`
	}
	if err := json.Unmarshal(raw, &w); err != nil {
		tb.Fatal(err)
	}
	ctx := context.Background()
	docs, err := srv.st.AddDocuments(ctx, 1, []model.Document{{Name: "workload", Text: w.Text}})
	if err != nil {
		tb.Fatal(err)
	}
	id := docs[0].ID
	tx := textpos.New(w.Text)
	now := time.Now().UTC()
	ops := make([]protocol.Op, 0, len(w.Spans))
	for i, s := range w.Spans {
		q, err := tx.Slice(s.Start, s.End)
		if err != nil {
			tb.Fatal(err)
		}
		a := model.Annotation{ID: s.ID, Document: id, Layer: "alice", Label: strings.ToLower(s.Label), Start: s.Start, End: s.End,
			Quote: q, Author: "alice", Version: 1, Created: now, Updated: now}
		ops = append(ops, protocol.Op{ID: fmt.Sprintf("load-%d", i), Kind: protocol.KindAdd, Ann: &a, User: "alice", Time: now.UnixMilli()})
	}
	if _, err := srv.st.Commit(ctx, id, ops); err != nil {
		tb.Fatal(err)
	}
	return id, len(w.Spans)
}

// BenchmarkRender5000 measures, in headless Chromium at 1280×800, from
// navigation start until all 5,000 highlights are in the DOM — in a fresh
// browser profile (cold: nothing cached) and then again in the same
// profile (warm) — and from a relabel key press until the change is
// painted. It reports medians; `make bench-render` runs it.
func BenchmarkRender5000(b *testing.B) {
	srv := startServer(b)
	id, n := loadWorkload(b, srv, "workload-5000.json")
	var cold, ready, relabel []float64
	// Log in once and hand the session cookie to each fresh browser: the
	// login rate limit would (rightly) stop a login per iteration.
	hc := httpLogin(b, srv.URL, "alice")
	u, _ := url.Parse(srv.URL)
	var session string
	for _, c := range hc.Jar.Cookies(u) {
		if c.Name == "gloss_session" {
			session = c.Value
		}
	}
	for i := 0; i < b.N; i++ {
		br := newBrowser(b)
		br.do(chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			_, err := chromedp.Call(ctx, network.SetCookie, network.SetCookieParams{Name: "gloss_session", Value: session, URL: srv.URL + "/"})
			return err
		}))
		// Cold: nothing cached, the wasm is downloaded and compiled.
		// Warm: the same page again, as a returning analyst opens it: the
		// wasm comes from the HTTP cache (its URL is versioned, immutable)
		// and V8's code cache; the document and its spans still come
		// fresh from the server.
		for _, into := range []*[]float64{&cold, &ready} {
			br.do(chromedp.Navigate(fmt.Sprintf("%s/doc/%d", srv.URL, id)))
			br.waitFor(`typeof window.glossReadyAt === 'number'`)
			*into = append(*into, eval[float64](br, `window.glossReadyAt`))
			// Every span is in the DOM.
			got := eval[int](br, `new Set([...document.querySelectorAll('#doc [data-a]')].flatMap(e => e.dataset.a.split(' '))).size`)
			if got != n {
				b.Fatalf("%d distinct highlights in the DOM, want %d", got, n)
			}
		}
		// Relabel: select a span, then time key press → next paint after
		// the DOM changed.
		br.do(chromedp.Click(chromedp.CSS(`#annlist li.ann:nth-child(40)`)))
		br.waitFor(`document.querySelector('#doc .seg.sel') !== null && document.querySelector('#annlist li.ann.sel') !== null`)
		label := eval[string](br, `document.querySelector('#annlist li.ann.sel .tag').textContent`)
		key := "1"
		if label == "claim" {
			key = "2"
		}
		eval[bool](br, `(() => {
		  window.glossPainted = undefined;
		  const doc = document.getElementById('doc');
		  document.addEventListener('keydown', (e) => { window.glossKeyAt = performance.now(); }, {capture: true, once: true});
		  const mo = new MutationObserver(() => { mo.disconnect(); requestAnimationFrame(() => { window.glossPainted = performance.now(); }); });
		  mo.observe(doc, {subtree: true, childList: true, attributes: true, characterData: true});
		  return true; })()`)
		br.key(key)
		br.waitFor(`typeof window.glossPainted === 'number'`)
		relabel = append(relabel, eval[float64](br, `window.glossPainted - window.glossKeyAt`))
		br.close() // one browser at a time, as one analyst's machine
	}
	b.ReportMetric(median(cold), "ms-cold-ready-median")
	b.ReportMetric(median(ready), "ms-ready-median")
	b.ReportMetric(median(relabel), "ms-relabel-median")
	b.ReportMetric(0, "ns/op")
	b.Logf("cold ready ms: %v; warm ready ms: %v; relabel ms: %v", cold, ready, relabel)
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	return s[len(s)/2]
}

package browsertest

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestParseCost is a tool, not a check: with GLOSS_TRACE=parse it times,
// in one tab, one innerHTML of the 5,000-span document's paragraphs as
// the desk draws them (the page's fetch: titles, "no source" classes)
// and as the plain-DOM baseline draws them (markup.MarksFrom: neither),
// alternately, with a forced layout after each: what the markup's
// difference costs, apart from everything else a page load does.
func TestParseCost(t *testing.T) {
	if os.Getenv("GLOSS_TRACE") != "parse" {
		t.Skip("a measuring tool: GLOSS_TRACE=parse")
	}
	srv := startServer(t)
	id, _ := loadWorkload(t, srv, "workload-5000.json")
	hc := httpLogin(t, srv.URL, "alice")
	desk := string(get(t, hc, fmt.Sprintf("%s/doc/%d/paras", srv.URL, id)))
	base := baselineFor(t, srv, id)
	baseFrag := string(get(t, http.DefaultClient, base+"/fragment"))
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<!DOCTYPE html><html><head><meta charset="utf-8"><link rel="stylesheet" href="/gloss.css"></head><body><div class="desk"><div class="workspace"><article id="doc" class="doc"><div id="paras" class="paras"></div></article></div></div></body></html>`)
	})
	mux.HandleFunc("/gloss.css", func(w http.ResponseWriter, r *http.Request) { http.ServeFile(w, r, repoRoot()+"/web/gloss.css") })
	mux.HandleFunc("/desk", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, desk) })
	mux.HandleFunc("/base", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, baseFrag) })
	hs := httptest.NewServer(mux)
	defer hs.Close()
	b := newBrowser(t)
	b.do(chromedp.Navigate(hs.URL))
	eval[bool](b, `(fetch("/desk").then(r => r.text()).then(d => fetch("/base").then(r => r.text()).then(x => { window.frags = {desk: d, base: x}; })), true)`)
	b.waitFor(`window.frags !== undefined`)
	t.Logf("bytes: desk %d, baseline %d", len(desk), len(baseFrag))
	res := eval[string](b, `(() => {
	  const paras = document.getElementById('paras'), out = {desk: [], base: []};
	  for (let i = 0; i < 30; i++) for (const k of (i % 2 ? ['desk', 'base'] : ['base', 'desk'])) {
	    paras.textContent = ''; paras.offsetHeight;
	    const t0 = performance.now();
	    paras.innerHTML = frags[k];
	    const t1 = performance.now();
	    paras.offsetHeight;
	    out[k].push([Math.round(t1 - t0), Math.round(performance.now() - t1)]);
	  }
	  const med = (xs) => xs.map((x) => x[0]).sort((a, b) => a - b)[xs.length >> 1];
	  return JSON.stringify({median: {desk: med(out.desk), base: med(out.base)}, runs: out}); })()`)
	t.Logf("[innerHTML ms, layout ms] per run: %s", res)
}

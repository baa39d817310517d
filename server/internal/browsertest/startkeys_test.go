package browsertest

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// startKeys is put into the page before its scripts: from Go's main on
// (window.glossMainAt is set first thing in main), at each turn the
// browser's event loop gets during the wasm's start-up, it selects the
// start of the next of four paragraphs of the pre-render and presses a
// label key, and records whether the desk was live then. Go's start-up
// yields (app/live AfterYield), so the keys land in its different stages:
// before the session read the welcome, while the desk prepares, after.
const startKeys = `(() => {
  const paras = [1, 3, 5, 7];
  window.startKeys = [];
  let main;
  const press = () => {
    if (window.startKeys.length === paras.length) return;
    const live = document.querySelector('.desk[data-ready="1"]') !== null;
    if (!live && !document.getElementById('gloss-pre')) { setTimeout(press, 0); return; }
    const p = paras[window.startKeys.length];
    if (!glossSetSelection(p, 0, p, 6)) { setTimeout(press, 0); return; }
    document.dispatchEvent(new KeyboardEvent('keydown', {key: '1', bubbles: true, cancelable: true}));
    window.startKeys.push({p, live, at: performance.now()});
    setTimeout(press, 0);
  };
  Object.defineProperty(window, 'glossMainAt', {
    configurable: true,
    get() { return main; },
    set(v) { main = v; setTimeout(press, 0); },
  });
})();`

// Label keys pressed while the wasm starts are committed once each and
// drawn once each on the live desk — none lost, none tagged twice —
// whichever stage of the start-up they fall in.
func TestKeysDuringStartup(t *testing.T) {
	srv := startServer(t)
	id, n := loadWorkload(t, srv, "workload-500.json")
	b := newBrowser(t)
	sessionCookie(t, b, srv.URL, "alice")
	b.do(chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: startKeys})
		return err
	}))
	navigateNoWait(b, fmt.Sprintf("%s/doc/%d", srv.URL, id))
	b.waitFor(`window.startKeys && window.startKeys.length === 4 && document.querySelector('.desk[data-ready="1"]') !== null`)
	before := eval[int](b, `window.startKeys.filter(k => !k.live).length`)
	t.Logf("keys: %s (desk live at %.0f ms)", eval[string](b, `JSON.stringify(window.startKeys.map(k => [k.p, k.live, Math.round(k.at)]))`),
		eval[float64](b, `window.glossReadyAt`))
	if before == 0 {
		t.Fatal("every key came after the desk was live: the test proves nothing")
	}
	b.waitFor(`document.querySelector('#conn').dataset.pending === '0'`)
	snap, err := srv.st.Snapshot(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.Annotations) != n+4 {
		t.Fatalf("store holds %d annotations, want %d + the 4 keys", len(snap.Annotations), n)
	}
	var added []string
	starts := map[int]bool{}
	for _, a := range snap.Annotations {
		if len(a.ID) == 18 { // made by the page or the desk (NewID), not the workload
			added = append(added, a.ID)
			starts[a.Start] = true
		}
	}
	if len(added) != 4 || len(starts) != 4 {
		t.Fatalf("new annotations %v at %d places, want 4 at 4", added, len(starts))
	}
	drawn := `new Set([...document.querySelectorAll('#doc [data-a]')].flatMap(e => e.dataset.a.split(' '))).size`
	b.waitFor(fmt.Sprintf(`%s === %d && document.querySelectorAll('#paras').length === 1`, drawn, n+4))
}

// startTasks is put into the page before its scripts: it records the
// main thread's long tasks (over 50 ms, the Long Tasks API) with their
// start and duration.
const startTasks = `(() => {
  window.startTasks = [];
  new PerformanceObserver((l) => {
    for (const e of l.getEntries()) window.startTasks.push([e.startTime, e.duration]);
  }).observe({type: 'longtask', buffered: true});
})();`

// TestStartupTasks is a tool, not a check (GLOSS_PROFILE=1): it opens
// the 5,000-span workload in new tabs of a browser that has the wasm
// cached (GLOSS_PROFILE_N times, default 5) and logs, for each, when Go's
// main started and the desk went live, and the main thread's longest task
// between the two: how long a key pressed during Go's start-up waits
// before the page can take it (web/gloss.js commits it then).
func TestStartupTasks(t *testing.T) {
	if os.Getenv("GLOSS_PROFILE") == "" {
		t.Skip("a measuring tool: GLOSS_PROFILE=1")
	}
	n := 5
	if v, err := strconv.Atoi(os.Getenv("GLOSS_PROFILE_N")); err == nil && v > 0 {
		n = v
	}
	srv := startServer(t)
	id, _ := loadWorkload(t, srv, "workload-5000.json")
	b := newBrowser(t)
	b.login(srv.URL, "alice")
	b.openDoc(srv.URL, id) // the wasm is cached from here on
	var longest, live []float64
	for i := 0; i < n; i++ {
		tab := newTab(b, 5000)
		tab.do(chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			_, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: startTasks})
			return err
		}))
		navigateNoWait(tab, fmt.Sprintf("%s/doc/%d", srv.URL, id))
		tab.waitFor(`typeof window.glossReadyAt === 'number'`)
		type res struct {
			Main, Live, Longest float64
			Tasks               int
			List                string
		}
		r := eval[res](tab, `(() => {
		  const main = window.glossMainAt, live = window.glossReadyAt;
		  const in_ = window.startTasks.filter(([s, d]) => s + d > main && s < live);
		  return {Main: main, Live: live, Tasks: in_.length, List: in_.map(([s, d]) => Math.round(s - main) + '+' + Math.round(d)).join(' '),
		    Longest: Math.max(0, ...in_.map(([s, d]) => Math.min(s + d, live) - Math.max(s, main)))};
		})()`)
		tab.close()
		t.Logf("main %4.0f  live %4.0f  (%4.0f after main)  tasks > 50 ms between: %d, longest %4.0f ms (from main + ms: %s)", r.Main, r.Live, r.Live-r.Main, r.Tasks, r.Longest, r.List)
		longest, live = append(longest, r.Longest), append(live, r.Live-r.Main)
	}
	t.Logf("medians: longest task %.0f ms, main → live %.0f ms", median(longest), median(live))
}

package browsertest

import (
	"context"
	"fmt"
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

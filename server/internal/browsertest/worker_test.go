package browsertest

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestNoRequestThroughServiceWorker: go-app's app.js still registers a
// service worker, but ours (server/internal/pages/worker.go) has no
// fetch handler — so in a tab it controls, neither the navigation nor
// any subresource is relayed through it (workerStart stays 0, where
// go-app's caching worker starts for each), the app still runs, and no
// copy of the app sits in Cache Storage.
func TestNoRequestThroughServiceWorker(t *testing.T) {
	srv := startServer(t)
	b := newBrowser(t)
	b.login(srv.URL, "alice")
	// The worker is installed, active, and has claimed this tab.
	state, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`navigator.serviceWorker.ready.then(r => r.active.scriptURL)`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(state, "/app-worker.js") {
		t.Fatalf("active worker is %q, want /app-worker.js", state)
	}
	b.waitFor(`navigator.serviceWorker.controller !== null`)

	// A new tab of the same profile: a navigation the worker controls.
	ctx, cancel := chromedp.NewContext(b.ctx)
	defer cancel()
	tab := &browser{ctx: ctx, t: t, close: cancel}
	tab.openDoc(srv.URL, 1)
	if !eval[bool](tab, `navigator.serviceWorker.controller !== null`) {
		t.Fatal("the new tab is not controlled by the worker: the checks below would test nothing")
	}
	relayed := eval[[]string](tab, `[...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')]
		.filter(e => e.workerStart > 0).map(e => e.name)`)
	if len(relayed) > 0 {
		t.Errorf("requests went through the service worker: %q", relayed)
	}
	if n := eval[int](tab, `performance.getEntriesByType('resource').length`); n == 0 {
		t.Error("no resource timing entries: the check above saw nothing")
	}
	cached, err := chromedp.Run(tab.ctx, chromedp.Evaluate[[]string](`caches.keys()`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	if len(cached) > 0 {
		t.Errorf("Cache Storage holds %q, want nothing", cached)
	}
}

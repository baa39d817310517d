package browsertest

import (
	"context"
	"net/http"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"gloss/server/internal/api"
)

// TestContentSecurityPolicy: pages carry the Content-Security-Policy, and
// the app loads and works under it — log in, open the desk, tag a span —
// without one violation (collected from the first script on).
func TestContentSecurityPolicy(t *testing.T) {
	srv := startServer(t)
	resp, err := http.Get(srv.URL + "/login")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := resp.Header.Get("Content-Security-Policy"); got != api.ContentSecurityPolicy {
		t.Fatalf("Content-Security-Policy = %q", got)
	}
	b := newBrowser(t)
	// Injected by the debugger, so not subject to the policy itself.
	b.do(chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{
			Source: `window.__csp = [];
				document.addEventListener('securitypolicyviolation', e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));`})
		return err
	}))
	b.login(srv.URL, "alice")
	b.openDoc(srv.URL, 2)
	const phrase = "Regional governor Andrey Vorobyov"
	b.selectText(phrase, 0)
	b.key("3")
	b.waitFor(segWith(phrase))
	b.waitFor(`document.querySelector('#conn').dataset.pending === '0'`)
	if v := eval[[]string](b, `window.__csp`); len(v) > 0 {
		t.Errorf("CSP violations: %v", v)
	}
}

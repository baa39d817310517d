package browsertest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// axeSource is axe-core (testdata/axe.min.js, MPL-2.0, see
// testdata/axe-core.LICENSE), read once.
var axeSource string

// axeCheck runs axe-core's WCAG 2.x A/AA rules on the page as it is and
// fails the test on any serious or critical violation, naming each with
// the elements it found.
func axeCheck(t *testing.T, b *browser, page string) {
	t.Helper()
	if axeSource == "" {
		src, err := os.ReadFile(filepath.Join(repoRoot(), "server", "internal", "browsertest", "testdata", "axe.min.js"))
		if err != nil {
			t.Fatal(err)
		}
		axeSource = string(src)
	}
	if _, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](axeSource+";\ntrue")); err != nil {
		t.Fatalf("load axe-core: %v", err)
	}
	const run = `axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}, resultTypes: ['violations']})
	  .then(r => r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
	  .map(v => v.impact + ' ' + v.id + ': ' + v.help + ' — ' + v.nodes.slice(0, 4).map(n => n.target.join(' ') + ' (' + (n.failureSummary || '').replace(/\s+/g, ' ').slice(0, 160) + ')').join('; ')))`
	got, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]string](run, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("axe on %s: %v", page, err)
	}
	if len(got) > 0 {
		t.Errorf("axe on %s: %d serious or critical violations:\n%s", page, len(got), strings.Join(got, "\n"))
	}
}

// TestAccessibility (issue 13): axe-core finds no serious or critical
// WCAG A/AA violation on the login, home, desk (with spans, a relation
// and the export dialog open), review and admin pages.
func TestAccessibility(t *testing.T) {
	srv := startServer(t)
	b := newBrowser(t)
	b.do(chromedp.Navigate(srv.URL + "/login"))
	b.waitFor(`document.querySelector('main.login[data-ready="1"]') !== null`)
	axeCheck(t, b, "login")

	b.login(srv.URL, "admin")
	axeCheck(t, b, "home")
	b.openDoc(srv.URL, 1)
	b.selectText("at least 40 people dead", 0)
	b.key("2")
	b.selectText("CNN reported", 0)
	b.key("3")
	b.waitFor(annCount + ` === 2`)
	b.waitFor(`document.querySelector('#conn').dataset.pending === '0'`)
	axeCheck(t, b, "desk")
	b.do(chromedp.Click(chromedp.ID("export-open")))
	b.waitFor(`document.querySelector('#export') !== null`)
	axeCheck(t, b, "export dialog")
	b.key("\x1b")

	b.do(chromedp.Navigate(srv.URL + "/review/1"))
	b.waitFor(`document.querySelector('.review[data-ready="1"]') !== null`)
	axeCheck(t, b, "review")

	b.do(chromedp.Navigate(srv.URL + "/admin"))
	b.waitFor(`document.querySelector('.admin-page[data-ready="1"] #user-name') !== null`)
	axeCheck(t, b, "admin")
	b.do(chromedp.Navigate(srv.URL + "/projects/1/settings?tab=members"))
	b.waitFor(`document.querySelector('.members[data-ready="1"]') !== null`)
	axeCheck(t, b, "project members")
}

package browsertest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"sort"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/tracing"
	"github.com/chromedp/chromedp"
)

// TestStoryTrace writes a Chrome performance trace of one warm new-tab
// load of the benchmark's story view to $GLOSS_STORY_TRACE (skipped
// without it): where the time from navigation to the painted table goes.
func TestStoryTrace(t *testing.T) {
	out := os.Getenv("GLOSS_STORY_TRACE")
	if out == "" {
		t.Skip("set GLOSS_STORY_TRACE to a file")
	}
	srv := startServer(t)
	story, _, _ := loadStory(t, srv)
	u := fmt.Sprintf("%s/stories/%d", srv.URL, story)
	br := newBrowser(t)
	sessionCookie(t, br, srv.URL, "bob")
	cold := storyTab(br)
	navigateNoWait(cold, u)
	cold.waitFor(`window.bench && window.bench.table > 0`)
	cold.close()

	tab := storyTab(br)
	// An experiment's extra style rules ($GLOSS_STORY_CSS), added before
	// the page's own: what a rule would save, without editing gloss.css.
	if css := os.Getenv("GLOSS_STORY_CSS"); css != "" {
		js, _ := json.Marshal(css)
		tab.do(chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			_, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{
				Source: fmt.Sprintf(`(() => { const s = new CSSStyleSheet(); s.replaceSync(%s); document.adoptedStyleSheets = [s]; })()`, js)})
			return err
		}))
	}
	var events []json.RawMessage
	done := make(chan struct{})
	if err := chromedp.Listen(tab.ctx, func(ev any) {
		switch ev := ev.(type) {
		case *tracing.EventDataCollected:
			for _, v := range ev.Value {
				events = append(events, json.RawMessage(v))
			}
		case *tracing.EventTracingComplete:
			close(done)
		}
	}); err != nil {
		t.Fatal(err)
	}
	tab.do(chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, tracing.Start, tracing.StartParams{TransferMode: tracing.StartTransferModeReportEvents, TraceConfig: &tracing.TraceConfig{
			IncludedCategories: []string{"devtools.timeline", "disabled-by-default-devtools.timeline", "v8.execute", "v8", "blink", "loading",
				"toplevel", "blink.user_timing", "navigation", "disabled-by-default-devtools.timeline.frame", "netlog", "browser", "wasm"},
		}})
		return err
	}))
	navigateNoWait(tab, u)
	tab.waitFor(`window.bench && window.bench.table > 0`)
	tab.waitFor(`document.querySelector('.storypage[data-live="1"]') !== null`)
	t.Logf("table painted at %.1f ms", eval[float64](tab, `window.bench.table`))
	t.Logf("navigation timing: %s", eval[string](tab, `JSON.stringify(performance.getEntriesByType('navigation')[0])`))
	tab.do(chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, tracing.End, cdp.Empty{})
		return err
	}))
	<-done
	b, err := json.Marshal(map[string]any{"traceEvents": events})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(out, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// BenchmarkStoryFirstPaint is BenchmarkStoryView's first figure alone
// (warm new tab: navigation start → table laid out and painted, as far as
// the window shows it), with the frame after the server's table was
// whole (whole: all 50 columns) and the navigation timing's medians beside it: where the time goes
// without the ops' 20 round trips per iteration.
func BenchmarkStoryFirstPaint(b *testing.B) {
	srv := startServer(b)
	story, _, _ := loadStory(b, srv)
	u := fmt.Sprintf("%s/stories/%d", srv.URL, story)
	br := newBrowser(b)
	hc := httpLogin(b, srv.URL, "bob")
	su, _ := url.Parse(srv.URL)
	for _, c := range hc.Jar.Cookies(su) {
		br.do(chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			_, err := chromedp.Call(ctx, network.SetCookie, network.SetCookieParams{Name: c.Name, Value: c.Value, URL: srv.URL + "/"})
			return err
		}))
	}
	cold := storyTab(br)
	navigateNoWait(cold, u)
	cold.waitFor(`window.bench && window.bench.table > 0`)
	cold.close()
	names := []string{"table", "whole", "responseStart", "responseEnd", "domInteractive", "domContentLoadedEventEnd"}
	got := map[string][]float64{}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		tab := storyTab(br)
		navigateNoWait(tab, u)
		tab.waitFor(`window.bench && window.bench.table > 0`)
		checkInView(b, tab)
		tab.waitFor(`window.bench.whole > 0`)
		m := eval[map[string]float64](tab, `(e => ({table: window.bench.table, whole: window.bench.whole, responseStart: e.responseStart, responseEnd: e.responseEnd,
			domInteractive: e.domInteractive, domContentLoadedEventEnd: e.domContentLoadedEventEnd}))(performance.getEntriesByType('navigation')[0])`)
		for _, n := range names {
			got[n] = append(got[n], m[n])
		}
		tab.close()
	}
	b.StopTimer()
	for _, n := range names {
		s := append([]float64(nil), got[n]...)
		sort.Float64s(s)
		b.Logf("%-26s median %7.1f ms (min %.1f, max %.1f, n %d)", n, median(s), s[0], s[len(s)-1], len(s))
	}
	sort.Float64s(got["table"])
	b.ReportMetric(median(got["table"]), "ms-table")
}

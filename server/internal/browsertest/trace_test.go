package browsertest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/tracing"
	"github.com/chromedp/chromedp"
)

// traceEvent is one event of Chromium's JSON trace format.
type traceEvent struct {
	Name string          `json:"name"`
	Cat  string          `json:"cat"`
	Ph   string          `json:"ph"`
	Ts   float64         `json:"ts"`   // µs
	Dur  float64         `json:"dur"`  // µs, for ph "X"
	Tdur float64         `json:"tdur"` // µs of the thread's CPU time, for ph "X"
	Pid  int             `json:"pid"`
	Tid  int             `json:"tid"`
	Args json.RawMessage `json:"args"`
}

// traceLoad records a Chromium trace of tab while it loads u until
// cond holds, and returns the trace's events.
func traceLoad(tab *browser, u, cond string) []traceEvent {
	var mu sync.Mutex
	var evs []traceEvent
	done := make(chan struct{})
	if err := chromedp.Listen(tab.ctx, func(ev any) {
		switch ev := ev.(type) {
		case *tracing.EventDataCollected:
			mu.Lock()
			for _, v := range ev.Value {
				var e traceEvent
				if json.Unmarshal(v, &e) == nil {
					evs = append(evs, e)
				}
			}
			mu.Unlock()
		case *tracing.EventTracingComplete:
			close(done)
		}
	}); err != nil {
		tab.t.Fatal(err)
	}
	tab.do(chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, tracing.Start, tracing.StartParams{TransferMode: tracing.StartTransferModeReportEvents,
			TraceConfig: &tracing.TraceConfig{IncludedCategories: []string{"devtools.timeline", "disabled-by-default-devtools.timeline",
				"blink.user_timing", "loading", "v8", "toplevel", "blink", "navigation", "disabled-by-default-v8.compile"}}})
		return err
	}))
	navigateNoWait(tab, u)
	tab.waitFor(cond)
	tab.do(chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, tracing.End, cdp.Empty{})
		return err
	}))
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		tab.t.Fatal("trace did not complete")
	}
	mu.Lock()
	defer mu.Unlock()
	return evs
}

// summarizeTrace reports the renderer main thread's work from
// navigation start to the user-timing mark "hl" (the probe sets it when
// the highlights are painted): the top-level tasks over 4 ms in order,
// and the time and count per event name.
// traceSummary is one load's figures (ms).
type traceSummary struct {
	nav struct {
		ResponseStart  float64 `json:"responseStart"`
		DomInteractive float64 `json:"domInteractive"`
	}
	hl, frameEnd                           float64
	parse, lifecycle, layout, style, paint float64
	parseN, lifecycleN                     int
	busy                                   float64 // top-level tasks
	cpu                                    float64 // their thread CPU time: what a loaded machine inflates least
}

func summarizeTrace(evs []traceEvent) (string, traceSummary) {
	var sum traceSummary
	var nav, hl float64
	main := map[[2]int]bool{}
	for _, e := range evs {
		if e.Name == "thread_name" && strings.Contains(string(e.Args), "CrRendererMain") {
			main[[2]int{e.Pid, e.Tid}] = true
		}
		if e.Name == "navigationStart" && nav == 0 && e.Ph == "R" {
			nav = e.Ts
		}
		if e.Name == "hl" {
			hl = e.Ts
		}
	}
	// The renderer of the page is the one that parsed HTML.
	var pid, tid int
	for _, e := range evs {
		if e.Name == "ParseHTML" && main[[2]int{e.Pid, e.Tid}] {
			pid, tid = e.Pid, e.Tid
			break
		}
	}
	if nav == 0 {
		for _, e := range evs {
			if e.Pid == pid && e.Name == "navigationStart" {
				nav = e.Ts
				break
			}
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "trace: %d events, navigationStart %.0f, hl at %.1f ms\n", len(evs), nav, (hl-nav)/1000)
	type agg struct {
		n     int
		total float64
	}
	byName := map[string]*agg{}
	type task struct {
		ts, dur, cpu float64
		top          string
	}
	var tasks []task
	var open []traceEvent // B events
	inWindow := func(ts float64) bool { return ts >= nav && (hl == 0 || ts <= hl) }
	sort.SliceStable(evs, func(i, j int) bool { return evs[i].Ts < evs[j].Ts })
	for _, e := range evs {
		if e.Pid != pid || e.Tid != tid || !inWindow(e.Ts) {
			continue
		}
		dur := e.Dur
		switch e.Ph {
		case "X":
		case "B":
			open = append(open, e)
			continue
		case "E":
			for i := len(open) - 1; i >= 0; i-- {
				if open[i].Name == e.Name {
					dur = e.Ts - open[i].Ts
					e.Ts = open[i].Ts
					open = append(open[:i], open[i+1:]...)
					break
				}
			}
		default:
			if e.Ph == "I" || e.Ph == "i" || e.Ph == "R" {
				a := byName["instant:"+e.Name]
				if a == nil {
					a = &agg{}
					byName["instant:"+e.Name] = a
				}
				a.n++
			}
			continue
		}
		a := byName[e.Name]
		if a == nil {
			a = &agg{}
			byName[e.Name] = a
		}
		a.n++
		a.total += dur
		if e.Name == "ThreadControllerImpl::RunTask" {
			sum.cpu += e.Tdur / 1000
		}
		if e.Name == "RunTask" || e.Name == "ThreadControllerImpl::RunTask" {
			if dur > 4000 {
				tasks = append(tasks, task{ts: e.Ts, dur: dur, cpu: e.Tdur})
			}
		}
	}
	// Name each long task by the events inside it that take most of it
	// (with a URL or a function's name when the event has one).
	for i := range tasks {
		var parts []string
		for _, e := range evs {
			if e.Pid != pid || e.Tid != tid || e.Ph != "X" || e.Name == "RunTask" || e.Name == "ThreadControllerImpl::RunTask" {
				continue
			}
			if e.Ts >= tasks[i].ts && e.Ts+e.Dur <= tasks[i].ts+tasks[i].dur && e.Dur > tasks[i].dur/4 && len(parts) < 8 {
				parts = append(parts, fmt.Sprintf("%s %.1f%s", e.Name, e.Dur/1000, argHint(e.Args)))
			}
		}
		tasks[i].top = strings.Join(parts, " > ")
	}
	// The measure (a requestAnimationFrame callback) runs before that
	// frame's style, layout and paint: when did that frame end?
	for _, e := range evs {
		if e.Pid == pid && e.Tid == tid && e.Ph == "X" && e.Name == "WebFrameWidgetImpl::UpdateLifecycle" && e.Ts >= hl && hl > 0 {
			fmt.Fprintf(&b, "the frame of hl: its lifecycle update took %.1f ms, ends at %.1f ms\n", e.Dur/1000, (e.Ts+e.Dur-nav)/1000)
			sum.frameEnd = (e.Ts + e.Dur - nav) / 1000
			break
		}
	}
	// GLOSS_TRACE_DUMP=from-to (ms): every main-thread event of that
	// window, for a closer look.
	var from, to float64
	if _, err := fmt.Sscanf(os.Getenv("GLOSS_TRACE_DUMP"), "%f-%f", &from, &to); err == nil {
		for _, e := range evs {
			at := (e.Ts - nav) / 1000
			if e.Pid == pid && e.Tid == tid && at >= from && at <= to && e.Name != "RunTask" && (e.Dur > 2000 || e.Ph != "X") {
				fmt.Fprintf(&b, "    %7.1f %6.1f %s %s %s %.200s\n", at, e.Dur/1000, e.Ph, e.Cat, e.Name, e.Args)
			}
		}
	}
	fmt.Fprintf(&b, "main-thread tasks > 4 ms (start ms, duration ms, CPU ms, biggest event):\n")
	for _, t := range tasks {
		fmt.Fprintf(&b, "  %7.1f %6.1f %6.1f  %s\n", (t.ts-nav)/1000, t.dur/1000, t.cpu/1000, t.top)
	}
	names := make([]string, 0, len(byName))
	for n := range byName {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool { return byName[names[i]].total > byName[names[j]].total })
	fmt.Fprintf(&b, "by event (count, total ms, main thread, navigation start → hl):\n")
	for _, n := range names {
		a := byName[n]
		if a.total < 1000 && !strings.HasPrefix(n, "instant:") && !interesting(n) {
			continue
		}
		fmt.Fprintf(&b, "  %-50s %5d %8.1f\n", n, a.n, a.total/1000)
	}
	get := func(name string) (float64, int) {
		if a := byName[name]; a != nil {
			return a.total / 1000, a.n
		}
		return 0, 0
	}
	sum.parse, sum.parseN = get("ParseHTML")
	sum.busy, _ = get("ThreadControllerImpl::RunTask")
	sum.lifecycle, sum.lifecycleN = get("WebFrameWidgetImpl::UpdateLifecycle")
	sum.layout, _ = get("Layout")
	sum.style, _ = get("UpdateLayoutTree")
	sum.paint, _ = get("LocalFrameView::RunPaintLifecyclePhase")
	return b.String(), sum
}

// argHint is what an event's arguments say of where it comes from: a
// URL, a function or a script.
func argHint(raw json.RawMessage) string {
	var a struct {
		Data struct {
			URL          string `json:"url"`
			FunctionName string `json:"functionName"`
			Type         string `json:"type"`
		} `json:"data"`
	}
	if json.Unmarshal(raw, &a) != nil {
		return ""
	}
	h := strings.TrimSpace(a.Data.Type + " " + a.Data.FunctionName + " " + a.Data.URL)
	if i := strings.Index(h, "127.0.0.1"); i >= 0 {
		h = h[:i] + h[min(len(h), i+16):]
	}
	if h == "" {
		return ""
	}
	return " [" + h + "]"
}

func interesting(n string) bool {
	switch n {
	case "ParseHTML", "Layout", "UpdateLayoutTree", "Paint", "PrePaint", "Layerize", "EvaluateScript", "v8.compile", "CompileScript", "FunctionCall", "ParseAuthorStyleSheet", "ScheduleStyleRecalculation", "InvalidateLayout":
		return true
	}
	return false
}

// TestTraceDocPage is a tool, not a check: with GLOSS_TRACE=1 it opens
// the 5,000-span workload cold and in a warm new tab, and the plain-DOM
// baseline, each under a Chromium trace, and logs where the main
// thread's time goes until the highlights are painted, with the
// navigation timing of the page.
func TestTraceDocPage(t *testing.T) {
	if os.Getenv("GLOSS_TRACE") == "" {
		t.Skip("a tracing tool: GLOSS_TRACE=1")
	}
	srv := startServer(t)
	id, n := loadWorkload(t, srv, "workload-5000.json")
	u := fmt.Sprintf("%s/doc/%d", srv.URL, id)
	hc := httpLogin(t, srv.URL, "alice")
	session := sessionIn(t, hc, srv.URL)
	// The server's time for the page, from a Go client.
	for i := 0; i < 3; i++ {
		start := time.Now()
		body := get(t, hc, u)
		t.Logf("GET %s: %d bytes in %v", u, len(body), time.Since(start))
		if i == 0 && os.Getenv("GLOSS_TRACE") == "page" {
			os.WriteFile(filepath.Join(os.TempDir(), "gloss-docpage.html"), body, 0o644)
		}
	}
	const mark = ` && (window.bench.marked || (performance.mark('hl', {startTime: window.bench.hl}), window.bench.marked = true))`
	navTiming := `JSON.stringify((e => ({responseStart: e.responseStart, responseEnd: e.responseEnd, domInteractive: e.domInteractive, dcl: e.domContentLoadedEventEnd, transfer: e.transferSize, decoded: e.decodedBodySize}))(performance.getEntriesByType('navigation')[0]))`
	// paras: the requests for the paragraphs (one: the preload, taken by
	// gloss.js's fetch) and when they were in.
	extra := `JSON.stringify({main: window.glossMainAt, ready: window.glossReadyAt, wasm: (performance.getEntriesByType('resource').find(e => e.name.includes('/web/app.wasm'))||{}).responseEnd, ` +
		`paras: performance.getEntriesByType('resource').filter(e => e.name.endsWith('/paras')).map(e => [Math.round(e.startTime), Math.round(e.responseEnd)]), longtasks: window.bench.long})`
	longTasks := `window.bench && (window.bench.long = []); try { new PerformanceObserver((l) => { for (const e of l.getEntries()) window.bench.long.push([Math.round(e.startTime), Math.round(e.duration)]); }).observe({type: 'longtask', buffered: true}); } catch (e) {}`
	base := baselineFor(t, srv, id)
	iters := 1
	fmt.Sscan(os.Getenv("GLOSS_TRACE_N"), &iters)
	verbose := os.Getenv("GLOSS_TRACE") == "v"
	rows := map[string][]traceSummary{}
	// GLOSS_TRACE_AB: the page's forms (pageForms), each cold and warm,
	// in the same browsers.
	type load struct{ which, u string }
	loads := []load{{"cold", u}, {"warm", u}}
	if os.Getenv("GLOSS_TRACE_AB") != "" {
		names, forms := pageForms(t, srv, id, hc)
		loads = nil
		for _, f := range names {
			loads = append(loads, load{f + " cold", fmt.Sprintf("%s/doc/%d", forms[f], id)}, load{f + " warm", fmt.Sprintf("%s/doc/%d", forms[f], id)})
		}
	}
	loads = append(loads, load{"baseline", base})
	for it := 0; it < iters; it++ {
		br := newBrowser(t)
		br.do(chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			_, err := chromedp.Call(ctx, network.SetCookie, network.SetCookieParams{Name: "gloss_session", Value: session, URL: srv.URL + "/"})
			return err
		}))
		for k := range loads {
			l := loads[(k+2*it)%len(loads)] // each form first in turn
			which, target := l.which, l.u
			tab := newTab(br, n)
			if which == "baseline" {
				tab.close()
				tab = newTab(br, 0)
				target = base
			}
			scripts := []string{longTasks}
			for _, src := range scripts {
				tab.do(chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
					_, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: src})
					return err
				}))
			}
			evs := traceLoad(tab, target, `window.bench && window.bench.hl > 0`+mark)
			text, sum := summarizeTrace(evs)
			sum.hl = eval[float64](tab, `window.bench.hl`)
			nav := eval[string](tab, navTiming)
			json.Unmarshal([]byte(nav), &sum.nav)
			rows[which] = append(rows[which], sum)
			if which != "baseline" {
				tab.waitFor(`typeof window.glossReadyAt === 'number'`)
				nav += " " + eval[string](tab, extra)
			}
			if verbose {
				t.Logf("%s: %s\n%s", which, nav, text)
			} else {
				t.Logf("%-10s %s", which, nav)
			}
			tab.close()
		}
		br.close()
	}
	for _, l := range loads {
		which := l.which
		var hl, cpu []float64
		for _, r := range rows[which] {
			t.Logf("%-16s responseStart %6.1f domInteractive %6.1f hl %6.1f frame-end %6.1f | busy %5.1f (CPU %5.1f), parse %5.1f ms in %2d, lifecycle %5.1f ms in %2d (layout %5.1f, style %5.1f, paint %5.1f) before hl",
				which, r.nav.ResponseStart, r.nav.DomInteractive, r.hl, r.frameEnd, r.busy, r.cpu, r.parse, r.parseN, r.lifecycle, r.lifecycleN, r.layout, r.style, r.paint)
			hl, cpu = append(hl, r.hl), append(cpu, r.cpu)
		}
		t.Logf("%-16s median hl %6.1f, main-thread CPU before hl %6.1f ms", which, median(hl), median(cpu))
	}
}

// TestCompareDataBlock is a tool, not a check: with GLOSS_TRACE=ab it
// loads the 5,000-span document in several forms, each through a proxy
// that rewrites the page as served (so all pay the same hop), each in
// fresh browsers, in turn, GLOSS_TRACE_N times, with the plain-DOM
// baseline in each browser, and logs the highlights-painted and
// frame-done times and their ratio to that browser's baseline: an A/B
// in the same conditions on a loaded machine. GLOSS_TRACE_AB lists the
// forms to compare (comma-separated; default: all):
//
//   - fetched: as served (the paragraphs fetched by gloss.js, deferred;
//     go-app's loader held until they are painted; the wasm preloaded);
//   - data block: the form before: the paragraphs inside the page as a
//     script data block set at the end of the parse, the loader deferred,
//     gloss.js blocking;
//   - not held: fetched, the loader deferred (not held), gloss.js blocking;
//   - no preload: fetched and held, without the wasm's preload.
func TestCompareDataBlock(t *testing.T) {
	if os.Getenv("GLOSS_TRACE") != "ab" {
		t.Skip("a comparison tool: GLOSS_TRACE=ab")
	}
	srv := startServer(t)
	id, n := loadWorkload(t, srv, "workload-5000.json")
	hc := httpLogin(t, srv.URL, "alice")
	session := sessionIn(t, hc, srv.URL)
	base := baselineFor(t, srv, id)
	names, variants := pageForms(t, srv, id, hc)
	iters := 3
	fmt.Sscan(os.Getenv("GLOSS_TRACE_N"), &iters)
	res := map[string][]float64{}
	add := func(k string, v float64) { res[k] = append(res[k], v) }
	for it := 0; it < iters; it++ {
		for k := range names {
			v := names[(k+it)%len(names)] // each form first in turn
			u := variants[v]
			br := newBrowser(t)
			br.do(chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
				_, err := chromedp.Call(ctx, network.SetCookie, network.SetCookieParams{Name: "gloss_session", Value: session, URL: u + "/"})
				return err
			}))
			tab := newTab(br, 0)
			navigateNoWait(tab, base)
			tab.waitFor(`window.bench && window.bench.hl > 0 && window.bench.hlDone > 0`)
			baseHL := eval[float64](tab, `window.bench.hl`)
			add(v+" | baseline", baseHL)
			tab.close()
			for _, which := range []string{"cold", "warm"} {
				tab := newTab(br, n)
				navigateNoWait(tab, fmt.Sprintf("%s/doc/%d", u, id))
				tab.waitFor(`typeof window.glossReadyAt === 'number'`)
				if !eval[bool](tab, `window.bench.hl > 0`) {
					t.Logf("%s, %s: no highlights painted before the desk was live (%.0f); counts %s, pre-render %s", v, which, eval[float64](tab, `window.glossReadyAt`),
						eval[string](tab, `JSON.stringify(window.bench.counts)`), eval[string](tab, `String(document.getElementById('gloss-pre'))`))
				}
				tab.waitFor(`window.bench && window.bench.hl > 0 && window.bench.hlDone > 0`)
				hl, done := eval[float64](tab, `window.bench.hl`), eval[float64](tab, `window.bench.hlDone`)
				add(v+" | "+which+" hl", hl)
				add(v+" | "+which+" done", done)
				add(v+" | "+which+" hl ÷ baseline", hl/baseHL)
				tab.waitFor(`typeof window.glossReadyAt === 'number'`)
				live := eval[float64](tab, `window.glossReadyAt`)
				add(v+" | "+which+" desk live", live)
				t.Logf("%s, %s: hl %.0f, done %.0f, desk live %.0f, baseline %.0f; seen %d; paragraphs fetched %s", v, which, hl, done, live, baseHL,
					eval[int](tab, `window.bench.seen`),
					eval[string](tab, `JSON.stringify(performance.getEntriesByType('resource').filter(e => e.name.endsWith('/paras')).map(e => [Math.round(e.startTime), Math.round(e.responseEnd)]))`))
				tab.close()
			}
			br.close()
		}
	}
	var la string
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		la = strings.TrimSpace(string(b))
	}
	t.Logf("%d rounds, load average now %s", iters, la)
	keys := make([]string, 0, len(res))
	for k := range res {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		s := append([]float64(nil), res[k]...)
		sort.Float64s(s)
		t.Logf("%-44s median %7.2f  min %7.2f  all %.2f", k, median(s), s[0], res[k])
	}
}

// pageForms serves the document page id in the forms TestCompareDataBlock
// describes, each through its own proxy, and returns their names (in
// GLOSS_TRACE_AB's order, or all) and base URLs.
func pageForms(t *testing.T, srv *server, id int64, hc *http.Client) ([]string, map[string]string) {
	su, _ := url.Parse(srv.URL)
	paras := string(get(t, hc, fmt.Sprintf("%s/doc/%d/paras", srv.URL, id)))
	wasmPreload := regexp.MustCompile(`\n<link rel="preload" as="fetch" crossorigin="anonymous" href="/web/app\.wasm[^"]*">`)
	noPreload := func(s string) string { return wasmPreload.ReplaceAllString(s, "") }
	// The loader deferred and gloss.js blocking, as before FillFirst.
	unhold := func(s string) string {
		s = strings.Replace(s, `<script defer src="/web/gloss.js`, `<script src="/web/gloss.js`, 1)
		return strings.Replace(s, `<script type="text/x-gloss-after-fill" data-src="/app.js">`, `<script src="/app.js" defer>`, 1)
	}
	rewrites := map[string]func(string) string{
		"fetched": func(s string) string { return s },
		"data block": func(s string) string {
			src := fmt.Sprintf("/doc/%d/paras", id)
			s = strings.Replace(s, "\n"+`<link rel="preload" as="fetch" crossorigin="anonymous" data-gloss-fetch href="`+src+`">`, "", 1)
			return unhold(strings.Replace(s, `<div id="paras" class="paras" data-src="`+src+`"></div>`,
				`<div id="paras" class="paras"></div><script type="text/html" data-fill="paras">`+paras+`</script>`, 1))
		},
		"not held":   unhold,
		"no preload": noPreload,
	}
	names := []string{"fetched", "data block", "not held", "no preload"}
	if v := os.Getenv("GLOSS_TRACE_AB"); v != "" {
		names = strings.Split(v, ",")
	}
	proxy := func(rewrite func(string) string) string {
		rp := httputil.NewSingleHostReverseProxy(su)
		director := rp.Director
		// The page uncompressed, to be rewritten.
		rp.Director = func(r *http.Request) { director(r); r.Header.Del("Accept-Encoding") }
		rp.ModifyResponse = func(r *http.Response) error {
			if r.Request.URL.Path != fmt.Sprintf("/doc/%d", id) {
				return nil
			}
			body, err := io.ReadAll(r.Body)
			r.Body.Close()
			if err != nil {
				return err
			}
			s := rewrite(string(body))
			r.Body = io.NopCloser(strings.NewReader(s))
			r.ContentLength = int64(len(s))
			r.Header.Set("Content-Length", strconv.Itoa(len(s)))
			return nil
		}
		p := httptest.NewServer(rp)
		t.Cleanup(p.Close)
		return p.URL
	}
	variants := map[string]string{}
	for _, name := range names {
		rw, ok := rewrites[name]
		if !ok {
			t.Fatalf("no form %q", name)
		}
		variants[name] = proxy(rw)
	}
	return names, variants
}

package browsertest

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/profiler"
	"github.com/chromedp/chromedp"
)

// TestProfileStartup is a tool, not a check: with GLOSS_PROFILE=1 (and a
// wasm built with its symbols: `make profile-render`) it opens the
// 5,000-span workload in a new tab of a browser that has the wasm cached,
// records a CPU profile of the page until the desk is live, and logs the
// functions by self and inclusive time — where Go's start-up goes.
func TestProfileStartup(t *testing.T) {
	if os.Getenv("GLOSS_PROFILE") == "" {
		t.Skip("a profiling tool: GLOSS_PROFILE=1 (make profile-render)")
	}
	srv := startServer(t)
	id, _ := loadWorkload(t, srv, "workload-5000.json")
	b := newBrowser(t)
	b.login(srv.URL, "alice")
	// Once, so that the new tab below finds the wasm cached.
	b.openDoc(srv.URL, id)
	tab := newTab(b, 5000)
	stop := startProfile(t, tab)
	navigateNoWait(tab, fmt.Sprintf("%s/doc/%d", srv.URL, id))
	tab.waitFor(`typeof window.glossReadyAt === 'number'`)
	t.Logf("main %.0f live %.0f", eval[float64](tab, `window.glossMainAt`), eval[float64](tab, `window.glossReadyAt`))
	stop()
}

// TestProfileRelabel profiles five relabels on the live desk of the
// 5,000-span document (GLOSS_PROFILE=1, with the wasm built with
// symbols as make profile-render does): where relabel → painted goes.
func TestProfileRelabel(t *testing.T) {
	if os.Getenv("GLOSS_PROFILE") == "" {
		t.Skip("a profiling tool: GLOSS_PROFILE=1")
	}
	srv := startServer(t)
	id, _ := loadWorkload(t, srv, "workload-5000.json")
	b := newBrowser(t)
	b.login(srv.URL, "alice")
	b.openDoc(srv.URL, id)
	b.waitFor(`typeof window.glossReadyAt === 'number'`)
	stop := startProfile(t, b)
	for i := 0; i < 5; i++ {
		t.Logf("relabel → painted %.1f ms", measureRelabel(b, true))
	}
	stop()
}

// dumpProfile logs a CPU profile's top functions, self and inclusive.
func dumpProfile(t testing.TB, prof *profiler.Profile) {
	self := map[string]float64{}
	byID := map[int64]*profiler.ProfileNode{}
	for _, n := range prof.Nodes {
		byID[n.ID] = n
	}
	counts := map[int64]int{}
	for _, s := range prof.Samples {
		counts[s]++
	}
	dt := float64(prof.EndTime-prof.StartTime) / 1000 / float64(len(prof.Samples))
	// Inclusive time: each sample counts once for every function on its stack.
	parent := map[int64]int64{}
	for _, n := range prof.Nodes {
		for _, c := range n.Children {
			parent[c] = n.ID
		}
	}
	incl := map[string]float64{}
	for id, c := range counts {
		n := byID[id]
		self[n.CallFrame.FunctionName] += float64(c) * dt
		seen := map[string]bool{}
		for x := id; x != 0; x = parent[x] {
			name := byID[x].CallFrame.FunctionName
			if !seen[name] {
				incl[name] += float64(c) * dt
				seen[name] = true
			}
		}
	}
	dump := func(title string, m map[string]float64, n int) {
		type kv struct {
			k string
			v float64
		}
		var xs []kv
		for k, v := range m {
			xs = append(xs, kv{k, v})
		}
		sort.Slice(xs, func(i, j int) bool { return xs[i].v > xs[j].v })
		t.Logf("== %s", title)
		for i := 0; i < n && i < len(xs); i++ {
			t.Logf("%8.1f ms  %s", xs[i].v, xs[i].k)
		}
	}
	dump("self", self, 40)
	dump("inclusive", incl, 80)
}

// startProfile starts the CPU profiler in tab (200 µs sampling); the
// returned function stops it and logs the top functions.
func startProfile(t testing.TB, tab *browser) func() {
	tab.do(chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		if _, err := chromedp.Call(ctx, profiler.Enable, cdp.Empty{}); err != nil {
			return err
		}
		if _, err := chromedp.Call(ctx, profiler.SetSamplingInterval, profiler.SetSamplingIntervalParams{Interval: 200}); err != nil {
			return err
		}
		_, err := chromedp.Call(ctx, profiler.Start, cdp.Empty{})
		return err
	}))
	return func() {
		var prof *profiler.Profile
		tab.do(chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			res, err := chromedp.Call(ctx, profiler.Stop, cdp.Empty{})
			prof = res.Profile
			return err
		}))
		if out := os.Getenv("GLOSS_PROFILE_OUT"); out != "" {
			// The whole profile, for a tree view (DevTools loads it as a .cpuprofile).
			if b, err := json.Marshal(prof); err == nil {
				_ = os.WriteFile(out, b, 0o644)
			}
		}
		dumpProfile(t, prof)
	}
}

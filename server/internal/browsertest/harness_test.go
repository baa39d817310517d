// Package browsertest drives the real UI — the built web/app.wasm in
// Debian's headless Chromium — against a real server with a real SQLite
// file. Run `make wasm` first (make test does).
package browsertest

import (
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	cdpruntime "github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"gloss/server/internal/api"
	"gloss/server/internal/demo"
	"gloss/server/internal/hub"
	"gloss/server/internal/pages"
	"gloss/server/internal/store"
	"gloss/shared/protocol"
)

// repoRoot finds the module root from this file's location.
func repoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "..")
}

func chromiumPath(t testing.TB) string {
	if testing.Short() {
		t.Skip("browser tests skipped in -short mode")
	}
	for _, p := range []string{os.Getenv("GLOSS_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if p != "" {
			if _, err := os.Stat(p); err == nil {
				return p
			}
		}
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	if os.Getenv("CI") != "" {
		t.Fatal("chromium is not installed; .ci/run must install it")
	}
	t.Skip("chromium not installed (apt-get install chromium)")
	return ""
}

// server is a Gloss server on a fixed loopback address that a test can
// stop and start again on the same address, as a restart would.
type server struct {
	t    testing.TB
	db   string
	addr string
	URL  string
	st   store.Store
	// faults wraps st: a test can make commits fail, as a full disk or
	// a database outage would.
	faults *faultStore
	hubCfg hub.Config
	hub    *hub.Hub
	http   *http.Server
	done   chan struct{}
}

func startServer(t testing.TB) *server { return startServerWith(t, hub.Config{}) }

// startServerWith starts a server whose hub has cfg (e.g. a higher cap on
// one user's connections).
func startServerWith(t testing.TB, cfg hub.Config) *server {
	s := &server{t: t, db: filepath.Join(t.TempDir(), "gloss.db"), hubCfg: cfg}
	s.start()
	t.Cleanup(s.stop)
	return s
}

func (s *server) start() {
	t := s.t
	ctx := context.Background()
	st, err := store.OpenSQLite(ctx, s.db)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Seed(ctx, st); err != nil {
		t.Fatal(err)
	}
	pg, err := pages.New(filepath.Join(repoRoot(), "web"))
	if err != nil {
		t.Fatalf("%v (run make wasm)", err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		log = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	s.faults = &faultStore{Store: st}
	h := hub.New(s.faults, log, s.hubCfg)
	// Tests put only the demo articles' first paragraphs into the
	// document page, so that every test that opens one goes through the
	// page's fetch of the others; benchmarks measure what users get.
	// GLOSS_INLINE_PARAS sets it for a benchmark or a trace (-1: none,
	// the page fetches every paragraph), to compare the page's forms.
	inline, _ := strconv.Atoi(os.Getenv("GLOSS_INLINE_PARAS"))
	if _, bench := t.(*testing.B); !bench && os.Getenv("GLOSS_INLINE_PARAS") == "" {
		inline = 1024
	}
	a := api.New(s.faults, h, log, api.Config{ToolVersion: "gloss test", InlineParas: inline}, pg)
	addr := s.addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	var ln net.Listener
	for i := 0; ; i++ {
		// The old listener's port may linger for a moment after a restart.
		if ln, err = net.Listen("tcp", addr); err == nil || i == 50 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		t.Fatal(err)
	}
	s.addr = ln.Addr().String()
	s.URL = "http://" + s.addr
	s.st, s.hub = st, h
	s.http = &http.Server{Handler: a.Handler()}
	s.done = make(chan struct{})
	go func() { s.http.Serve(ln); close(s.done) }()
}

// faultStore is a store whose commits fail while failCommit is set.
type faultStore struct {
	store.Store
	failCommit atomic.Bool
}

func (f *faultStore) Commit(ctx context.Context, docID int64, ops []protocol.Op) (int64, error) {
	if f.failCommit.Load() {
		return 0, errors.New("browsertest: injected commit failure")
	}
	return f.Store.Commit(ctx, docID, ops)
}

func (s *server) stop() {
	if s.http == nil {
		return
	}
	s.hub.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	s.http.Shutdown(ctx)
	<-s.done
	s.st.Close()
	s.http = nil
}

// restart stops the server and starts it again on the same address and
// database.
func (s *server) restart() {
	s.stop()
	s.start()
}

// browser is one headless Chromium with its own profile (cookies), i.e.
// one analyst.
type browser struct {
	ctx   context.Context
	t     testing.TB
	close func() // ends the browser; also run at cleanup
}

func newBrowser(t testing.TB) *browser {
	path := chromiumPath(t)
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("window-size", "1280,800"),
	}
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	ctx, cancelT := context.WithTimeout(ctx, 90*time.Second)
	closeAll := func() { cancelT(); cancel(); cancelA() }
	t.Cleanup(closeAll)
	// The page's console and uncaught errors go to the test log: when a
	// browser test fails, this is where the reason is.
	if err := chromedp.Listen(ctx, func(ev any) {
		switch ev := ev.(type) {
		case *cdpruntime.EventConsoleAPICalled:
			var parts []string
			for _, a := range ev.Args {
				parts = append(parts, string(a.Value)+a.Description)
			}
			t.Logf("console.%s: %s", ev.Type, strings.Join(parts, " "))
		case *cdpruntime.EventExceptionThrown:
			d := ev.ExceptionDetails
			desc := d.Text
			if d.Exception != nil {
				desc += " " + d.Exception.Description
			}
			t.Logf("page exception: %s", desc)
		}
	}); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx); err != nil { // starts the browser
		t.Fatalf("start chromium: %v", err)
	}
	return &browser{ctx: ctx, t: t, close: closeAll}
}

func (b *browser) do(steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, steps...); err != nil {
		b.t.Fatal(err)
	}
}

// eval runs JavaScript and decodes its result.
func eval[T any](b *browser, js string) T {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[T](js))
	if err != nil {
		b.t.Fatalf("eval %s: %v", js, err)
	}
	return v
}

// waitFor waits until the JavaScript condition holds (polled on animation
// frames: an awaited condition, not a sleep).
func (b *browser) waitFor(cond string) {
	b.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		// A condition that throws (an element not there yet) is false.
		safe := "(() => { try { return !!(" + cond + "); } catch (e) { return false; } })()"
		_, err := chromedp.Run(b.ctx, chromedp.Poll[bool](safe, chromedp.WithPollingTimeout(time.Until(deadline))))
		if err == nil {
			return
		}
		// A navigation (form post, reload) ends the poll; poll again on
		// the new page until the deadline.
		if strings.Contains(err.Error(), "navigated or closed") || strings.Contains(err.Error(), "context was destroyed") || strings.Contains(err.Error(), "Cannot find context") {
			if time.Now().Before(deadline) {
				continue
			}
		}
		state, _ := chromedp.Run(b.ctx, chromedp.Evaluate[string](`JSON.stringify({url: location.href, active: document.activeElement && document.activeElement.id,
			selection: String(window.getSelection()), search: (document.getElementById('search')||{}).value,
			list: (document.getElementById('annlist')||{}).innerText, conn: (document.getElementById('conn')||{}).innerText,
			notice: (document.getElementById('notice')||{}).innerText})`))
		b.t.Fatalf("waiting for %s: %v\npage state: %s", cond, err, state)
	}
}

func (b *browser) login(base, user string) {
	b.t.Helper()
	b.do(chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(chromedp.CSS(`main.login[data-ready="1"] #name`)),
		chromedp.SetValue(chromedp.ID("name"), user),
		chromedp.SetValue(chromedp.ID("password"), demo.Password),
		chromedp.Click(chromedp.ID("login")))
	b.waitFor(`document.querySelector('.home[data-ready="1"]') !== null`)
}

// openDoc opens a document and waits until the wasm has rendered it live.
func (b *browser) openDoc(base string, id int64) {
	b.t.Helper()
	b.do(chromedp.Navigate(fmt.Sprintf("%s/doc/%d", base, id)))
	b.waitFor(`document.querySelector('.desk[data-ready="1"] #doc p.para') !== null`)
}

// selectText selects the nth occurrence of text inside the document view
// with a DOM Range, as a mouse drag would.
func (b *browser) selectText(text string, nth int) {
	b.t.Helper()
	js := fmt.Sprintf(`(() => {
	  const want = %q; let n = %d;
	  const doc = document.getElementById("doc");
	  const walker = document.createTreeWalker(doc, NodeFilter.SHOW_TEXT);
	  const nodes = []; let all = "";
	  while (walker.nextNode()) { if (walker.currentNode.parentElement.closest("p.para")) { nodes.push([walker.currentNode, all.length]); all += walker.currentNode.data; } }
	  let at = -1; for (;;) { at = all.indexOf(want, at + 1); if (at < 0 || n-- === 0) break; }
	  if (at < 0) return false;
	  const locate = (pos, end) => { for (const [node, off] of nodes) { const len = node.data.length; if (pos < off + len || (end && pos === off + len)) return [node, pos - off]; } };
	  const [sn, so] = locate(at, false), [en, eo] = locate(at + want.length, true);
	  const r = document.createRange(); r.setStart(sn, so); r.setEnd(en, eo);
	  const sel = window.getSelection(); sel.removeAllRanges(); sel.addRange(r);
	  return sel.toString() === want;
	})()`, text, nth)
	if !eval[bool](b, js) {
		b.t.Fatalf("could not select %q", text)
	}
}

// keyDownOnly presses and releases key without the separate "char"
// event CDP uses to insert text: that event ignores preventDefault, which
// a real keyboard's text input honours.
func (b *browser) keyDownOnly(key string) {
	b.t.Helper()
	b.do(chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		for _, r := range key {
			for _, k := range kb.Encode(r) {
				if k.Type == kb.KeyChar {
					continue
				}
				if _, err := chromedp.Call(ctx, input.DispatchKeyEvent, *k); err != nil {
					return err
				}
			}
		}
		return nil
	}))
}

func (b *browser) key(keys string) {
	b.t.Helper()
	b.do(chromedp.KeyEvent(keys))
}

// segWith is a JS condition: some highlight in the document covers text.
func segWith(text string) string {
	return fmt.Sprintf(`[...document.querySelectorAll('#doc .seg')].map(e => e.textContent).join('').includes(%q)`, text)
}

// httpLogin returns an HTTP client with a session of user.
func httpLogin(t testing.TB, base, user string) *http.Client {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, _ := http.NewRequest("POST", base+"/api/login", strings.NewReader(url.Values{"name": {user}, "password": {demo.Password}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", base)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/" {
		t.Fatalf("login as %s: %s → %s", user, resp.Status, resp.Header.Get("Location"))
	}
	return c
}

// docPage returns the pre-rendered document page at u (base + "/doc/N")
// with the paragraphs it fetches beside its own first ones.
func docPage(t testing.TB, c *http.Client, base, u string) string {
	page := string(get(t, c, u))
	if m := paraSrc.FindStringSubmatch(page); m != nil {
		page += string(get(t, c, base+html.UnescapeString(m[1])))
	}
	return page
}

var paraSrc = regexp.MustCompile(`<div id="paras" class="paras" data-from="\d+" data-src="([^"]*)">`)

// get is the body of u, which must answer 200.
func get(t testing.TB, c *http.Client, u string) []byte {
	t.Helper()
	code, body := fetchPage(t, c, u)
	if code != http.StatusOK {
		t.Fatalf("GET %s: %d %s", u, code, body)
	}
	return []byte(body)
}

package browsertest

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"gloss/server/internal/auth"
	"gloss/server/internal/demo"
	"gloss/shared/model"
	"gloss/shared/protocol"
	"gloss/shared/textpos"
)

// The document page carries the document, highlighted, in its HTML
// (app/view/prerender.go via server/internal/pages/document.go).

// hostileDoc adds a document whose name, text and annotation id try to
// break out of the markup, with one claim over the hostile text, and
// returns its id and the claim's id.
func hostileDoc(t *testing.T, srv *server) (int64, string) {
	t.Helper()
	ctx := context.Background()
	text := "Intro <script>alert(1)</script> & \"quotes\" 'here'.\n\nSecond paragraph with a claim in it."
	docs, err := srv.st.AddDocuments(ctx, 1, []model.Document{{Name: `<img src=x onerror=alert(2)>`, Text: text}})
	if err != nil {
		t.Fatal(err)
	}
	id := docs[0].ID
	tx := textpos.New(text)
	start := strings.Index(text, "<script>") // ASCII: bytes = code points
	end := start + len("<script>alert(1)</script>")
	q, _ := tx.Slice(start, end)
	ann := `x"><b>` // an id that would break the attribute if unescaped
	now := time.Now().UTC()
	a := model.Annotation{ID: ann, Document: id, Layer: "alice", Label: "claim", Start: start, End: end, Quote: q, Author: "alice", Version: 1, Created: now, Updated: now}
	if _, err := srv.st.Commit(ctx, id, []protocol.Op{{ID: "h1", Kind: protocol.KindAdd, Ann: &a, User: "alice", Time: now.UnixMilli()}}); err != nil {
		t.Fatal(err)
	}
	return id, ann
}

// fetchPage is u's status code and body.
func fetchPage(t testing.TB, c *http.Client, u string) (int, string) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

func TestPrerenderedHTML(t *testing.T) {
	srv := startServer(t)
	id, _ := hostileDoc(t, srv)
	// A user who is no member of the demo project.
	hash, err := auth.HashPassword(demo.Password)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := srv.st.CreateUser(context.Background(), "mallory", hash); err != nil {
		t.Fatal(err)
	}
	alice := httpLogin(t, srv.URL, "alice")
	code, html := fetchPage(t, alice, fmt.Sprintf("%s/doc/%d", srv.URL, id))
	if code != 200 {
		t.Fatalf("alice: %d", code)
	}
	// A short document's paragraphs are in the page (the tests' servers
	// put up to 1 KiB of them in; users' 48 KiB), a longer one's it
	// fetches (TestDocPageLong).
	if !strings.Contains(html, `<div id="paras" class="paras"`) || !strings.Contains(html, `<p class="para" data-p="0">`) {
		t.Errorf("the page does not carry its first paragraph")
	}
	html = docPage(t, alice, srv.URL, fmt.Sprintf("%s/doc/%d", srv.URL, id))
	// Asked for without the page's seq: all the paragraphs.
	code, paras := fetchPage(t, alice, fmt.Sprintf("%s/doc/%d/paras", srv.URL, id))
	if code != 200 || !strings.HasPrefix(paras, `<p class="para" data-p="0">`) || strings.Count(paras, `<p class="para"`) != strings.Count(html, `<p class="para"`) {
		t.Fatalf("alice's paragraphs: %d %q", code, paras)
	}
	for _, want := range []string{
		// go-app's placeholder emptied (no "Opening the document…" above the text):
		`<div></div><div id="gloss-pre" class="desk prerendered" data-ready="0" data-doc="` + fmt.Sprint(id) + `" data-seq="1" data-layer="alice"`,
		// The label keys, for a key pressed before the wasm runs (web/gloss.js glossTagEarly):
		`data-keys="{&#34;1&#34;:&#34;claim&#34;,&#34;2&#34;:&#34;figure&#34;,&#34;3&#34;:&#34;attribution&#34;}">`,
		`<h1 class="doctitle">&lt;img src=x onerror=alert(2)&gt;</h1>`,
		`data-a="x&#34;&gt;&lt;b&gt;"`,
		`>&lt;script&gt;alert(1)&lt;/script&gt;</span> &amp; &#34;quotes&#34; &#39;here&#39;.</p>`,
		`<p class="para" data-p="1">Second paragraph with a claim in it.</p>`,
		// go-app's loader and the wasm's preload held until they are
		// painted (pages.holdLoader):
		`<script type="text/x-gloss-after-fill" data-src="/wasm_exec.js"></script>`,
		`<script type="text/x-gloss-after-fill" data-src="/app.js"></script>`,
		`<script defer src="/web/gloss.js?v=`,
		`<link rel="x-gloss-after-fill" as="fetch" crossorigin="anonymous" href="/web/app.wasm?v=`,
	} {
		if !strings.Contains(html, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	// Per user and per state: never served from a cache, not even
	// revalidated (go-app would answer a matching ETag with 304, and the
	// browser would show the document as it was).
	req, _ := http.NewRequest("GET", fmt.Sprintf("%s/doc/%d", srv.URL, id), nil)
	req.Header.Set("If-None-Match", "*")
	resp, err := alice.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Cache-Control") != "no-store" || resp.Header.Get("ETag") != "" {
		t.Errorf("revalidated page: %s, Cache-Control %q, ETag %q", resp.Status, resp.Header.Get("Cache-Control"), resp.Header.Get("ETag"))
	}
	for _, bad := range []string{"<script>alert", "<img src=x", `"><b>`} {
		if strings.Contains(html, bad) {
			t.Errorf("page holds unescaped %q", bad)
		}
	}
	// Nobody else learns anything from the page: not logged in (the bare
	// page, the app sends them to log in), not a member, no such document.
	mallory := httpLogin(t, srv.URL, "mallory")
	anon := &http.Client{}
	for _, c := range []struct {
		name   string
		client *http.Client
		path   string
		code   int
	}{
		{"anonymous", anon, fmt.Sprintf("/doc/%d", id), 200},
		{"non-member", mallory, fmt.Sprintf("/doc/%d", id), 404},
		{"missing document", alice, "/doc/999999", 404},
		{"anonymous, paragraphs", anon, fmt.Sprintf("/doc/%d/paras", id), 401},
		{"non-member, paragraphs", mallory, fmt.Sprintf("/doc/%d/paras", id), 404},
		{"missing document, paragraphs", alice, "/doc/999999/paras", 404},
	} {
		code, html := fetchPage(t, c.client, srv.URL+c.path)
		if code != c.code {
			t.Errorf("%s: status %d, want %d", c.name, code, c.code)
		}
		if strings.Contains(html, "gloss-pre") || strings.Contains(html, "Second paragraph") || strings.Contains(html, "onerror") {
			t.Errorf("%s: the page holds the document", c.name)
		}
	}
}

// sessionCookie logs user in over HTTP and sets the session cookie in b.
func sessionCookie(t *testing.T, b *browser, base, user string) {
	session := sessionIn(t, httpLogin(t, base, user), base)
	b.do(chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, network.SetCookie, network.SetCookieParams{Name: "gloss_session", Value: session, URL: base + "/"})
		return err
	}))
}

// With the wasm never arriving, the document and its highlights are on
// screen from the HTML alone.
func TestPrerenderVisibleWithoutWasm(t *testing.T) {
	srv := startServer(t)
	id, n := loadWorkload(t, srv, "workload-500.json")
	b := newBrowser(t)
	sessionCookie(t, b, srv.URL, "alice")
	holdWasm(b)
	navigateNoWait(b, fmt.Sprintf("%s/doc/%d", srv.URL, id))
	b.waitFor(`document.querySelector('#gloss-pre.parsed #doc p.para') !== null`)
	got := eval[int](b, `new Set([...document.querySelectorAll('#doc [data-a]')].flatMap(e => e.dataset.a.split(' '))).size`)
	if got != n {
		t.Fatalf("%d highlights in the pre-rendered page, want %d", got, n)
	}
	// Visible: not under go-app's loading overlay, and laid out.
	if !eval[bool](b, `getComputedStyle(document.getElementById('app-wasm-loader')).display === 'none' &&
		document.querySelector('#doc .seg').getBoundingClientRect().height > 0 &&
		document.elementFromPoint(400, 300).closest('#gloss-pre') !== null`) {
		t.Fatal("the pre-rendered document is not what the page shows")
	}
	if eval[bool](b, `document.querySelector('.desk[data-ready="1"]') !== null`) {
		t.Fatal("the wasm ran although it was blocked")
	}
}

// The wasm takes the pre-rendered paragraphs over instead of rebuilding
// them: a mark set on them while the page is parsed survives.
func TestPrerenderAdopted(t *testing.T) {
	srv := startServer(t)
	id, n := loadWorkload(t, srv, "workload-500.json")
	b := newBrowser(t)
	sessionCookie(t, b, srv.URL, "alice")
	b.do(chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: `
		  new MutationObserver((_, mo) => {
		    // gloss.js has set the pre-render's paragraphs (.parsed).
		    if (!document.querySelector('#gloss-pre.parsed')) return;
		    document.querySelectorAll('#gloss-pre p.para').forEach(p => p.setAttribute('data-marker', '1'));
		    mo.disconnect();
		  }).observe(document, {childList: true, subtree: true, attributes: true, attributeFilter: ['class']});`})
		return err
	}))
	b.openDoc(srv.URL, id)
	if !eval[bool](b, `document.getElementById('gloss-pre') === null && document.querySelectorAll('#paras').length === 1`) {
		t.Fatal("the pre-render is still in the page after the take-over")
	}
	paras := eval[int](b, `document.querySelectorAll('.desk[data-ready="1"] #paras > p.para').length`)
	marked := eval[int](b, `document.querySelectorAll('.desk[data-ready="1"] #paras > p.para[data-marker]').length`)
	if paras < 2 || marked != paras {
		t.Fatalf("%d of %d paragraphs carry the mark set before the take-over: rebuilt", marked, paras)
	}
	got := eval[int](b, `new Set([...document.querySelectorAll('#doc [data-a]')].flatMap(e => e.dataset.a.split(' '))).size`)
	if got != n {
		t.Fatalf("%d highlights after the take-over, want %d", got, n)
	}
	// And the adopted DOM is live: a relabel repaints its paragraph.
	b.do(chromedp.Click(chromedp.CSS(`#annlist li.ann:nth-child(3)`)))
	b.waitFor(`document.querySelector('#doc .seg.sel') !== null`)
}

// A label key pressed on a selection before the wasm has started, when
// the page script cannot send it (its socket closed), is replayed when
// the wasm takes over: the span is tagged, not lost. (With the socket
// open the page sends it itself: earlytag_test.go.)
func TestKeyBeforeWasmNotLost(t *testing.T) {
	srv := startServer(t)
	b := newBrowser(t)
	sessionCookie(t, b, srv.URL, "alice")
	// Hold the wasm download until the key has been pressed.
	held := holdWasm(b)
	navigateNoWait(b, srv.URL+"/doc/1")
	// Shown once parsed whole (gloss.css): the text can be selected then.
	b.waitFor(`document.querySelector('#gloss-pre.parsed #doc p.para') !== null && window.glossPre !== undefined`)
	eval[bool](b, `(window.glossPre.ws.close(), true)`)
	b.waitFor(`window.glossPre.closed !== null`)
	const claim = "left at least 40 people dead and over 100 wounded"
	b.selectText(claim, 0)
	b.key("1")
	b.waitFor(`window.glossEarly.length === 1`)
	if eval[bool](b, `document.querySelector('.desk[data-ready="1"]') !== null`) {
		t.Fatal("the wasm was ready before the key: the test proves nothing")
	}
	ids := held()
	if len(ids) == 0 {
		t.Fatal("the wasm request was not held")
	}
	b.do(chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		if _, err := chromedp.Call(ctx, fetch.Disable, cdp.Empty{}); err != nil {
			return err
		}
		for _, id := range ids {
			chromedp.Call(ctx, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: id}) // may have been released by Disable
		}
		return nil
	}))
	b.waitFor(`document.querySelector('.desk[data-ready="1"]') !== null`)
	b.waitFor(annCount + ` === 1`)
	b.waitFor(`document.querySelector('#conn').dataset.pending === '0'`)
	snap, err := srv.st.Snapshot(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.Annotations) != 1 || snap.Annotations[0].Label != "claim" || snap.Annotations[0].Quote != claim {
		t.Fatalf("store holds %+v, want the claim tagged before the wasm ran", snap.Annotations)
	}
}

// holdWasm pauses every request for the wasm (the Fetch domain) until
// fetch.Disable; it returns what is being held, once the first request
// is (the page asks for the wasm only after its paragraphs are painted,
// so a test that acts on the text may get there first), or nothing after
// 30 s.
func holdWasm(b *browser) func() []fetch.RequestID {
	var mu sync.Mutex
	var held []fetch.RequestID
	first := make(chan struct{})
	var once sync.Once
	if err := chromedp.Listen(b.ctx, func(ev any) {
		if e, ok := ev.(*fetch.EventRequestPaused); ok {
			mu.Lock()
			held = append(held, e.RequestID)
			mu.Unlock()
			once.Do(func() { close(first) })
		}
	}); err != nil {
		b.t.Fatal(err)
	}
	b.do(chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, fetch.Enable, fetch.EnableParams{Patterns: []*fetch.RequestPattern{{URLPattern: "*app.wasm*"}}})
		return err
	}))
	return func() []fetch.RequestID {
		select {
		case <-first:
		case <-time.After(30 * time.Second):
		}
		mu.Lock()
		defer mu.Unlock()
		return append([]fetch.RequestID(nil), held...)
	}
}

// navigateNoWait starts a navigation without waiting for the load event
// (which a held preload would delay forever).
func navigateNoWait(b *browser, u string) {
	b.do(chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, page.Navigate, page.NavigateParams{URL: u})
		return err
	}))
}

// A selection made on the pre-rendered text survives the take-over, so
// the label key pressed just after still tags it.
func TestSelectionSurvivesTakeOver(t *testing.T) {
	srv := startServer(t)
	b := newBrowser(t)
	sessionCookie(t, b, srv.URL, "alice")
	held := holdWasm(b)
	navigateNoWait(b, srv.URL+"/doc/1")
	b.waitFor(`document.querySelector('#gloss-pre.parsed #doc p.para') !== null && window.glossPre !== undefined && document.getElementById('app-wasm-loader') !== null`)
	const claim = "left at least 40 people dead and over 100 wounded"
	b.selectText(claim, 0)
	ids := held()
	if len(ids) == 0 {
		t.Fatal("the wasm request was not held")
	}
	b.do(chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		if _, err := chromedp.Call(ctx, fetch.Disable, cdp.Empty{}); err != nil {
			return err
		}
		for _, id := range ids {
			chromedp.Call(ctx, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: id})
		}
		return nil
	}))
	b.waitFor(`document.querySelector('.desk[data-ready="1"]') !== null && document.getElementById('gloss-pre') === null`)
	if got := eval[string](b, `String(window.getSelection())`); got != claim {
		t.Fatalf("selection after the take-over %q, want %q", got, claim)
	}
	b.key("1")
	b.waitFor(annCount + ` === 1`)
}

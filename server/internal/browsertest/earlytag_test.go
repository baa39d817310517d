package browsertest

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/chromedp"

	"gloss/shared/model"
)

// A label key pressed on a selection of the pre-rendered document while
// the wasm is still held back is committed by the page script through
// the preconnect socket (web/gloss.js glossTagEarly): the server stores it
// in code points, converted from the browser's UTF-16 past an emoji, CJK,
// combining marks and a no-break space. Once the wasm runs, the desk
// adopts the pre-render and shows that tag exactly once (no replay), and
// the next key tags as always.
func TestEarlyTagBeforeWasm(t *testing.T) {
	srv := startServer(t)
	ctx := context.Background()
	text := "Intro 😀 東京 e\u0301te\u0301\u00a0line.\n\nThe 😀 governor said 東京 e\u0301\u00a0was calm today."
	docs, err := srv.st.AddDocuments(ctx, 1, []model.Document{{Name: "Early tags", Text: text}})
	if err != nil {
		t.Fatal(err)
	}
	doc := docs[0].ID
	cp := func(sub string) int { return len([]rune(text[:strings.Index(text, sub)])) }
	stored := func() []string {
		snap, err := srv.st.Snapshot(ctx, doc)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, a := range snap.Annotations {
			out = append(out, fmt.Sprintf("%s %s %s [%d,%d) %q", a.ID, a.Layer, a.Label, a.Start, a.End, a.Quote))
		}
		sort.Strings(out)
		return out
	}

	b := newBrowser(t)
	sessionCookie(t, b, srv.URL, "alice")
	held := holdWasm(b)
	navigateNoWait(b, fmt.Sprintf("%s/doc/%d", srv.URL, doc))
	b.waitFor(`document.querySelector('#gloss-pre.parsed #doc p.para') !== null && window.glossPre !== undefined && document.getElementById('app-wasm-loader') !== null`)
	b.selectText("governor", 0)
	b.key("1")
	// The server's ack arrives on the page script's socket: committed
	// with the wasm still held.
	b.waitFor(`window.glossPre && window.glossPre.queue.some(m => JSON.parse(m).type === 'ack')`)
	if eval[bool](b, `document.querySelector('.desk[data-ready="1"]') !== null`) {
		t.Fatal("the wasm ran before the key: the test proves nothing")
	}
	annID := eval[string](b, `window.glossPre.ops[0].op.ann.id`)
	opID := eval[string](b, `window.glossPre.ops[0].op.id`)
	if hex18 := regexp.MustCompile(`^[0-9a-f]{18}$`); !hex18.MatchString(annID) || !hex18.MatchString(opID) {
		t.Errorf("ids %q, %q are not made as app/live.NewID makes them", opID, annID)
	}
	want := fmt.Sprintf("%s alice claim [%d,%d) %q", annID, cp("governor"), cp("governor")+8, "governor")
	if got := stored(); len(got) != 1 || got[0] != want {
		t.Fatalf("store holds %q, want [%s]", got, want)
	}
	// Shown before the wasm draws it, without touching the DOM.
	if !eval[bool](b, `CSS.highlights.has('gloss-early') && [...CSS.highlights.get('gloss-early')].map(String).join() === 'governor' && document.querySelectorAll('#gloss-pre .seg').length === 0`) {
		t.Error("the early tag is not highlighted over its text (or the DOM changed)")
	}
	// Mark the paragraphs: adopted by the desk, they keep the mark.
	eval[bool](b, `(document.querySelectorAll('#gloss-pre p.para').forEach(p => p.dataset.marker = '1'), true)`)

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
	b.waitFor(`document.querySelector('.desk[data-ready="1"]') !== null && document.getElementById('gloss-pre') === null`)
	b.waitFor(annCount + ` === 1 && document.querySelector('#conn').dataset.pending === '0'`)
	if !eval[bool](b, fmt.Sprintf(`[...document.querySelectorAll('#doc .seg')].filter(e => e.dataset.a.split(' ').includes(%q)).map(e => e.textContent).join('') === 'governor'`, annID)) {
		t.Error("the desk does not draw the early tag over its text")
	}
	if !eval[bool](b, `document.querySelectorAll('#paras > p.para:not([data-marker])').length === 0`) {
		t.Error("the pre-render was rebuilt, not adopted, after an early tag")
	}
	// Selected, as a tag made on the desk is.
	b.waitFor(fmt.Sprintf(`[...document.querySelectorAll('#doc .seg.sel')].some(e => e.dataset.a.split(' ').includes(%q))`, annID))
	if eval[bool](b, `CSS.highlights.has('gloss-early')`) {
		t.Error("the early highlight stays after the desk drew the tag")
	}

	// The desk is live: the next tag goes its way, and nothing was replayed.
	b.selectText("calm", 0)
	b.key("2")
	b.waitFor(annCount + ` === 2 && document.querySelector('#conn').dataset.pending === '0'`)
	got := stored()
	if len(got) != 2 || !slices.Contains(got, want) || !strings.Contains(strings.Join(got, "\n"), fmt.Sprintf("alice figure [%d,%d) %q", cp("calm"), cp("calm")+4, "calm")) {
		t.Fatalf("store holds %q, want the early claim and the figure \"calm\", once each", got)
	}
}

// An early tag the server refuses (here a label the page was made to
// offer that the schema lacks) is shown as refused once the desk runs,
// and leaves nothing behind: no span on the desk, none in the store.
func TestEarlyTagRefused(t *testing.T) {
	srv := startServer(t)
	b := newBrowser(t)
	sessionCookie(t, b, srv.URL, "alice")
	held := holdWasm(b)
	navigateNoWait(b, srv.URL+"/doc/1")
	b.waitFor(`document.querySelector('#gloss-pre.parsed #doc p.para') !== null && window.glossPre !== undefined`)
	eval[bool](b, `(document.getElementById('gloss-pre').dataset.keys = '{"1":"no such label"}', true)`)
	b.selectText("left at least 40 people dead", 0)
	b.key("1")
	b.waitFor(`window.glossPre.queue.some(m => JSON.parse(m).type === 'error')`)
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
	b.waitFor(`document.querySelector('.desk[data-ready="1"]') !== null`)
	b.waitFor(`document.getElementById('notice') !== null && document.getElementById('notice').textContent.includes('refused')`)
	if n := eval[int](b, annCount); n != 0 {
		t.Errorf("%d spans on the desk after a refused early tag", n)
	}
	if eval[bool](b, `CSS.highlights.has('gloss-early')`) {
		t.Error("the refused tag's highlight stays")
	}
	snap, err := srv.st.Snapshot(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.Annotations) != 0 {
		t.Fatalf("store holds %+v after a refused early tag", snap.Annotations)
	}
}

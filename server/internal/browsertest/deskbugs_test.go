package browsertest

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"gloss/server/internal/store"
	"gloss/shared/model"
)

// TestScrollKeptOnTagSingleParagraph (issue 13, bug 1): in a 48,000-
// character one-line document, tagging and undoing far down the text
// keep the scroll position.
func TestScrollKeptOnTagSingleParagraph(t *testing.T) {
	srv := startServer(t)
	var sb strings.Builder
	for i := 0; sb.Len() < 48000; i++ {
		fmt.Fprintf(&sb, "Sentence number %d says the regional governor spoke. ", i)
	}
	id := addAnnotatedDoc(t, srv, "oneline", sb.String(), nil)
	b := newBrowser(t)
	b.login(srv.URL, "alice")
	b.openDoc(srv.URL, id)
	b.waitFor(`document.getElementById('doc').scrollHeight > 3 * document.getElementById('doc').clientHeight`)
	// Scroll to the middle and select a phrase visible there.
	eval[bool](b, `(() => { const d = document.getElementById('doc'); d.scrollTop = d.scrollHeight / 2; return true })()`)
	b.waitFor(`document.getElementById('doc').scrollTop > 1000`)
	b.selectText("Sentence number 400 says", 0)
	top := eval[float64](b, `document.getElementById('doc').scrollTop`)
	b.key("3")
	b.waitFor(annCount + ` === 1`)
	b.waitFor(`document.querySelector('#conn').dataset.pending === '0'`)
	b.waitFor(fmt.Sprintf(`Math.abs(document.getElementById('doc').scrollTop - %f) < 2`, top))
	b.do(chromedp.KeyEvent("z", chromedp.KeyModifiers(ctrl)))
	b.waitFor(annCount + ` === 0`)
	b.waitFor(`document.querySelector('#conn').dataset.pending === '0'`)
	if got := eval[float64](b, `document.getElementById('doc').scrollTop`); got < top-2 || got > top+2 {
		t.Fatalf("scrollTop after undo = %v, want %v", got, top)
	}
}

// TestToolbarAfterRename (issue 13, bug 2): a label renamed while the desk
// is open; its toolbar button and legend entry then use the new name.
func TestToolbarAfterRename(t *testing.T) {
	srv := startServer(t)
	b := newBrowser(t)
	b.login(srv.URL, "alice")
	b.openDoc(srv.URL, 1)
	schema := model.DefaultSchema()
	schema.Labels[0].Name = "assertion"
	if _, err := srv.st.UpdateSchema(context.Background(), 1, store.SchemaChange{Schema: schema, Renames: map[string]string{"claim": "assertion"}, By: "admin"}); err != nil {
		t.Fatal(err)
	}
	srv.hub.ProjectChanged(1)
	b.waitFor(`document.querySelector('.label-btn[data-label="assertion"]') !== null`)
	b.selectText("CNN reported", 0)
	b.do(chromedp.Click(chromedp.CSS(`.label-btn[data-label="assertion"]`)))
	b.waitFor(annCount + ` === 1`)
	b.waitFor(`document.querySelector('#conn').dataset.pending === '0'`)
	b.waitFor(`document.querySelector('#annlist li.ann .tag').textContent === 'assertion'`)
	if eval[bool](b, `document.getElementById('notice') !== null`) {
		t.Fatalf("notice: %s", eval[string](b, `document.getElementById('notice').innerText`))
	}
	// The legend hides the renamed label, not the old one.
	b.do(chromedp.Click(chromedp.CSS(`.legend-item[data-label="assertion"]`)))
	b.waitFor(`!document.querySelector('#doc [data-a]')`)
}

// TestLayerFilterLateLayer (issue 13, bug 3): a layer that appears after
// the page loaded ("bob", sorted before "gold") shifts the checkboxes;
// each still controls its own layer.
func TestLayerFilterLateLayer(t *testing.T) {
	srv := startServer(t)
	alice, bob := newBrowser(t), newBrowser(t)
	alice.login(srv.URL, "alice")
	bob.login(srv.URL, "bob")
	alice.openDoc(srv.URL, 1)
	alice.waitFor(`[...document.querySelectorAll('.filters input')].map(e => e.dataset.layer).join() === 'alice,gold'`)
	alice.selectText("CNN reported", 0)
	alice.key("3")
	alice.waitFor(annCount + ` === 1`)
	bob.openDoc(srv.URL, 1)
	bob.selectText("at least 40 people dead", 0)
	bob.key("2")
	alice.waitFor(`[...document.querySelectorAll('.filters input')].map(e => e.dataset.layer).join() === 'alice,bob,gold'`)
	alice.waitFor(annCount + ` === 2`)
	alice.do(chromedp.Click(chromedp.CSS(`.filters input[data-layer="bob"]`)))
	alice.waitFor(annCount + ` === 1`)
	alice.waitFor(`document.querySelector('#annlist li.ann .by').textContent === 'alice'`)
	alice.waitFor(`document.querySelector('.filters input[data-layer="bob"]').checked === false && document.querySelector('.filters input[data-layer="gold"]').checked === true`)
}

// TestExportLinkDownloads (issue 13, bug 4): the project list's export
// link downloads the file instead of showing the app's 404 page.
func TestExportLinkDownloads(t *testing.T) {
	srv := startServer(t)
	b := newBrowser(t)
	b.login(srv.URL, "alice")
	began := make(chan string, 1)
	chromedp.ListenBrowser(b.ctx, func(ev any) {
		if ev, ok := ev.(*cdpbrowser.EventDownloadWillBegin); ok {
			select {
			case began <- ev.URL:
			default:
			}
		}
	})
	yes := true
	b.do(chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.CallBrowser(ctx, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{
			Behavior: cdpbrowser.SetDownloadBehaviorBehaviorAllow, DownloadPath: t.TempDir(), EventsEnabled: &yes})
		return err
	}))
	b.do(chromedp.Click(chromedp.CSS(`section.project[data-project="1"] a.export`)))
	// The browser reports the download's start; the bug routed the
	// click to the app's 404 page instead.
	select {
	case u := <-began:
		if !strings.Contains(u, "/api/projects/1/export") {
			t.Fatalf("download of %s", u)
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("no download; page now %s: %s", eval[string](b, `location.href`), eval[string](b, `document.body.innerText.slice(0, 200)`))
	}
}

// TestRelationTypeAndDelete (issue 13, bug 10): a relation of the
// schema's second type is created by choosing it in the toolbar; one
// relation is deleted by clicking its arc and pressing Delete, another by
// its button in the list.
func TestRelationTypeAndDelete(t *testing.T) {
	srv := startServer(t)
	schema := model.DefaultSchema()
	schema.Relations = append(schema.Relations, "contradicts")
	if _, err := srv.st.UpdateSchema(context.Background(), 1, store.SchemaChange{Schema: schema, By: "admin"}); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t)
	b.login(srv.URL, "alice")
	b.openDoc(srv.URL, 1)
	b.selectText("at least 40 people dead", 0)
	b.key("2")
	b.selectText("CNN reported", 0)
	b.key("3")
	b.waitFor(annCount + ` === 2`)
	link := func() { // from the selected attribution to the figure
		b.key("r")
		b.waitFor(`document.querySelector('#mode') !== null`)
		b.do(chromedp.Click(chromedp.JSPath(`[...document.querySelectorAll('#doc .seg')].find(s => s.textContent === 'at least 40 people dead')`)))
		b.waitFor(`document.querySelectorAll('#rels li').length === 1`)
	}
	b.do(chromedp.SetValue(chromedp.ID("rel-type"), "contradicts"))
	b.do(chromedp.Click(chromedp.JSPath(`[...document.querySelectorAll('#doc .seg')].find(s => s.textContent === 'CNN reported')`)))
	b.waitFor(`document.querySelector('#annlist li.ann.sel .tag').textContent === 'attribution'`)
	link()
	b.waitFor(`document.querySelector('#rels li').textContent.includes('contradicts')`)
	b.waitFor(`document.querySelector('#conn').dataset.pending === '0'`)
	snap, _ := srv.st.Snapshot(context.Background(), 1)
	if len(snap.Relations) != 1 || snap.Relations[0].Type != "contradicts" {
		t.Fatalf("relations = %+v, want one of type contradicts", snap.Relations)
	}
	// Click the arc (its label), then Delete.
	b.waitFor(`document.querySelector('#doc svg.arcs g.arc text') !== null`)
	b.do(chromedp.Click(chromedp.CSS(`#doc svg.arcs g.arc text`)))
	b.waitFor(`document.querySelector('#rels li.sel') !== null`)
	b.key("\x7f")
	b.waitFor(`document.querySelectorAll('#rels li').length === 0`)
	b.waitFor(`document.querySelectorAll('#doc svg.arcs g.arc').length === 0`)
	b.waitFor(annCount + ` === 2`) // the spans stay
	// Again, deleted by the list's button this time.
	b.do(chromedp.Click(chromedp.JSPath(`[...document.querySelectorAll('#doc .seg')].find(s => s.textContent === 'CNN reported')`)))
	b.waitFor(`document.querySelector('#annlist li.ann.sel .tag').textContent === 'attribution'`)
	link()
	b.do(chromedp.Click(chromedp.CSS(`#rels button.del-rel`)))
	b.waitFor(`document.querySelectorAll('#rels li').length === 0`)
	b.waitFor(`document.querySelector('#conn').dataset.pending === '0'`)
	snap, _ = srv.st.Snapshot(context.Background(), 1)
	if len(snap.Relations) != 0 || len(snap.Annotations) != 2 {
		t.Fatalf("store holds %d relations and %d annotations, want 0 and 2", len(snap.Relations), len(snap.Annotations))
	}
}

// TestAcceptAgreedBothCopies (issue 13, bug 13): alice and bob tag the
// same words alike; the reviewer's "accept the spans both agree on" puts
// one copy in gold and records both annotators' spans as accepted, so a
// review=accepted export of their layers holds both.
func TestAcceptAgreedBothCopies(t *testing.T) {
	srv := startServer(t)
	alice, bob, rita := newBrowser(t), newBrowser(t), newBrowser(t)
	alice.login(srv.URL, "alice")
	bob.login(srv.URL, "bob")
	rita.login(srv.URL, "rita")
	alice.openDoc(srv.URL, 1)
	bob.openDoc(srv.URL, 1)
	const words = "at least 40 people dead"
	for _, b := range []*browser{alice, bob} {
		b.selectText(words, 0)
		b.key("2")
		b.waitFor(segWith(words)) // the key handled: pending counts the span
		b.waitFor(`document.querySelector('#conn').dataset.pending === '0'`)
	}
	rita.do(chromedp.Navigate(srv.URL + "/review/1"))
	rita.waitFor(`document.querySelector('.review[data-ready="1"] #accept-agreed') !== null`)
	rita.do(chromedp.Click(chromedp.ID("accept-agreed")))
	rita.waitFor(`document.querySelector('#accept-agreed') === null`)
	rita.waitFor(`document.querySelector('#conn').dataset.pending === '0'`)
	snap, err := srv.st.Snapshot(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	gold := 0
	for _, a := range snap.Annotations {
		if a.Layer == model.GoldLayer {
			gold++
		}
	}
	if gold != 1 {
		t.Fatalf("gold holds %d spans, want 1", gold)
	}
	c := httpLogin(t, srv.URL, "rita")
	for _, layer := range []string{"alice", "bob"} {
		body := get(t, c, srv.URL+"/api/projects/1/export?format=jsonl&review=accepted&doc=1&layer="+layer)
		if !strings.Contains(string(body), words) {
			t.Errorf("review=accepted export of %s lacks the agreed span: %s", layer, body)
		}
	}
	if notice := eval[string](rita, `(document.getElementById('notice') || {}).innerText || ''`); notice != "" {
		t.Errorf("notice: %s", notice)
	}
}

// TestOfflineEditsStayWithTheirUser (issue 13, bug 8): alice tags while
// the server is down and closes the page; bob logs in on the same browser
// and opens the document: alice's edit is neither sent nor shown. When
// alice comes back, her edit is sent and saved.
func TestOfflineEditsStayWithTheirUser(t *testing.T) {
	srv := startServer(t)
	b := newBrowser(t)
	b.login(srv.URL, "alice")
	b.openDoc(srv.URL, 1)
	srv.stop()
	b.waitFor(`document.querySelector('.desk').dataset.status !== 'connected'`)
	b.selectText("CNN reported", 0)
	b.key("3")
	b.waitFor(`document.querySelector('#conn').dataset.pending === '1'`)
	b.do(chromedp.Navigate("about:blank"))
	srv.start()

	b.login(srv.URL, "bob")
	b.openDoc(srv.URL, 1)
	b.waitFor(`document.querySelector('.desk').dataset.status === 'connected' && document.querySelector('#conn').dataset.pending === '0'`)
	if n := eval[int](b, annCount); n != 0 {
		t.Errorf("bob's desk shows %d annotations, want none", n)
	}
	if notice := eval[string](b, `(document.getElementById('notice') || {}).innerText || ''`); notice != "" {
		t.Errorf("bob got a notice: %s", notice)
	}
	if snap, _ := srv.st.Snapshot(context.Background(), 1); len(snap.Annotations) != 0 {
		t.Fatalf("store holds %+v after bob's visit", snap.Annotations)
	}

	b.login(srv.URL, "alice")
	b.openDoc(srv.URL, 1)
	b.waitFor(annCount + ` === 1`)
	b.waitFor(`document.querySelector('.desk').dataset.status === 'connected' && document.querySelector('#conn').dataset.pending === '0'`)
	snap, _ := srv.st.Snapshot(context.Background(), 1)
	if len(snap.Annotations) != 1 || snap.Annotations[0].Layer != "alice" || snap.Annotations[0].Quote != "CNN reported" {
		t.Fatalf("store holds %+v, want alice's attribution", snap.Annotations)
	}
}

// TestEditKeptOnInternalError (issue 14, item 5): while the server cannot
// commit, an edit is answered with an internal error; the browser keeps it
// pending and sends it again, and it is saved once commits work again.
func TestEditKeptOnInternalError(t *testing.T) {
	srv := startServer(t)
	b := newBrowser(t)
	b.login(srv.URL, "alice")
	b.openDoc(srv.URL, 1)
	srv.faults.failCommit.Store(true)
	b.selectText("CNN reported", 0)
	b.key("3")
	b.waitFor(`document.getElementById('notice') !== null`)
	b.waitFor(`document.querySelector('#conn').dataset.pending === '1'`)
	b.waitFor(annCount + ` === 1`)
	srv.faults.failCommit.Store(false)
	b.waitFor(`document.querySelector('#conn').dataset.pending === '0'`)
	snap, _ := srv.st.Snapshot(context.Background(), 1)
	if len(snap.Annotations) != 1 || snap.Annotations[0].Quote != "CNN reported" {
		t.Fatalf("store holds %+v, want the attribution", snap.Annotations)
	}
}

// TestPresenceClears (issue 13, bug 11): bob's selection outline on
// alice's desk goes when bob tags the text (his selection is gone), and
// when he leaves the document.
func TestPresenceClears(t *testing.T) {
	srv := startServer(t)
	alice, bob := newBrowser(t), newBrowser(t)
	alice.login(srv.URL, "alice")
	bob.login(srv.URL, "bob")
	alice.openDoc(srv.URL, 1)
	bob.openDoc(srv.URL, 1)
	bobSelects := func(text string) {
		bob.selectText(text, 0)
		eval[bool](bob, `document.getElementById('doc').dispatchEvent(new MouseEvent('mouseup', {bubbles: true}))`)
	}
	const outline = `document.querySelectorAll('#doc svg.presence rect').length`
	bobSelects("CNN reported")
	alice.waitFor(outline + ` > 0`)
	bob.key("3")
	bob.waitFor(annCount + ` === 1`)
	alice.waitFor(outline + ` === 0`)
	bobSelects("at least 40 people dead")
	alice.waitFor(outline + ` > 0`)
	bob.do(chromedp.Navigate("about:blank"))
	alice.waitFor(`![...document.querySelectorAll('.presence .member')].some(e => e.textContent === 'bob')`)
	alice.waitFor(outline + ` === 0`)
}

// TestKeyboardNoTraps (issue 13, bug 7): Shift+Tab and Tab move the focus
// out of the search box and back; Tab enters the export dialog and stays
// in it, Esc closes it and the focus is back on its button; after a
// click on a filter checkbox the shortcuts work.
func TestKeyboardNoTraps(t *testing.T) {
	srv := startServer(t)
	b := newBrowser(t)
	b.login(srv.URL, "alice")
	b.openDoc(srv.URL, 1)
	b.keyDownOnly("/")
	b.waitFor(`document.activeElement.id === 'search'`)
	backTab := chromedp.KeyEvent("\t", chromedp.KeyModifiers(shift))
	b.do(backTab)
	b.waitFor(`document.activeElement.id !== 'search' && document.activeElement !== document.body`)
	first := eval[string](b, `document.activeElement.outerHTML`)
	b.do(backTab)
	b.waitFor(fmt.Sprintf(`document.activeElement.outerHTML !== %q`, first))
	b.key("\t")
	b.key("\t")
	b.waitFor(`document.activeElement.id === 'search'`)

	b.do(chromedp.Click(chromedp.ID("export-open")))
	b.waitFor(`document.querySelector('#export') !== null && document.getElementById('export').contains(document.activeElement)`)
	for i := 0; i < 12; i++ {
		b.key("\t")
		b.waitFor(`document.getElementById('export').contains(document.activeElement)`)
	}
	b.do(backTab)
	b.waitFor(`document.getElementById('export').contains(document.activeElement)`)
	b.key("\x1b")
	b.waitFor(`document.querySelector('#export') === null`)
	b.waitFor(`document.activeElement.id === 'export-open'`)

	b.do(chromedp.Click(chromedp.CSS(`.filters input[data-layer="gold"]`)))
	b.waitFor(`document.activeElement.dataset.layer === 'gold'`)
	b.selectText("CNN reported", 0)
	b.key("3")
	b.waitFor(annCount + ` === 1`)
}

// TestUnsavedVisibleAndSnap (issue 13): selections snap to whole words by
// default (a sloppy drag over "egional governor Andrey Vorob" tags the
// whole name), and a span the server has not saved yet is drawn dashed
// and listed as saving until it is.
func TestUnsavedVisibleAndSnap(t *testing.T) {
	srv := startServer(t)
	b := newBrowser(t)
	b.login(srv.URL, "alice")
	b.openDoc(srv.URL, 1)
	b.waitFor(`document.getElementById('snap').checked`)
	srv.faults.failCommit.Store(true)
	b.selectText("egional governor Andrey Vorob", 0)
	b.key("1")
	b.waitFor(`[...document.querySelectorAll('#doc .seg.pending')].map(s => s.textContent).join('') === 'regional governor Andrey Vorobyov'`)
	b.waitFor(`document.querySelector('#annlist li.ann.pending') !== null`)
	srv.faults.failCommit.Store(false)
	b.waitFor(`document.querySelector('#conn').dataset.pending === '0'`)
	b.waitFor(`document.querySelector('#doc .seg.pending') === null && document.querySelector('#annlist li.ann.pending') === null`)
	b.waitFor(segWith("regional governor Andrey Vorobyov"))
	snap, _ := srv.st.Snapshot(context.Background(), 1)
	if len(snap.Annotations) != 1 || snap.Annotations[0].Quote != "regional governor Andrey Vorobyov" {
		t.Fatalf("store holds %+v", snap.Annotations)
	}
}

// TestPhoneByClick (issue 13): at a phone's 390 px, an analyst tags,
// relabels, deletes, undoes and redoes by clicks alone, and reaches the
// annotation list in the side panel's drawer.
func TestPhoneByClick(t *testing.T) {
	srv := startServer(t)
	b := newBrowser(t)
	b.do(chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
	b.login(srv.URL, "alice")
	b.openDoc(srv.URL, 1)
	b.waitFor(`document.getElementById('side').getBoundingClientRect().left >= window.innerWidth - 1`) // drawer closed
	click := func(sel string) { b.t.Helper(); b.do(chromedp.Click(chromedp.CSS(sel))) }
	b.selectText("CNN reported", 0)
	click(`.label-btn[data-label="claim"]`)
	b.waitFor(segWith("CNN reported"))
	click(`.label-btn[data-label="attribution"]`) // relabel the selected span
	b.waitFor(`document.querySelector('#conn').dataset.pending === '0'`)
	click(`#panel-toggle`)
	b.waitFor(`document.getElementById('side').getBoundingClientRect().right <= window.innerWidth + 1 && document.getElementById('side').getBoundingClientRect().left < window.innerWidth - 100`)
	b.waitFor(`document.querySelector('#annlist li.ann .tag').textContent === 'attribution'`)
	click(`#panel-toggle`)
	b.waitFor(`document.getElementById('side').getBoundingClientRect().left >= window.innerWidth - 1`)
	b.do(chromedp.Click(chromedp.JSPath(`[...document.querySelectorAll('#doc .seg')].find(s => s.textContent === 'CNN reported')`)))
	b.waitFor(`!document.getElementById('delete-btn').disabled`)
	click(`#delete-btn`)
	b.waitFor(`document.querySelector('#doc .seg') === null`)
	click(`#undo-btn`)
	b.waitFor(segWith("CNN reported"))
	// A click only queues its Go handler (go-app dispatches events to the
	// UI goroutine), so each step waits for what it shows before the next:
	// "pending 0" read before the redo's handler ran would pass with the
	// redo never sent.
	tag := `document.querySelector('#annlist li.ann .tag').textContent === `
	click(`#undo-btn`) // the relabel
	b.waitFor(tag + `'claim'`)
	click(`#redo-btn`)
	b.waitFor(tag + `'attribution'`)
	b.waitFor(`document.querySelector('#conn').dataset.pending === '0'`)
	snap, _ := srv.st.Snapshot(context.Background(), 1)
	if len(snap.Annotations) != 1 || snap.Annotations[0].Label != "attribution" || snap.Annotations[0].Quote != "CNN reported" {
		t.Fatalf("store holds %+v, want the attribution back", snap.Annotations)
	}
}

// TestOverlapSameLabelReadable (issue 13): two overlapping figures are
// told apart: boundary ticks where each starts and ends, and on hover
// the label and owner of every span under the pointer.
func TestOverlapSameLabelReadable(t *testing.T) {
	srv := startServer(t)
	b := newBrowser(t)
	b.login(srv.URL, "alice")
	b.openDoc(srv.URL, 1)
	b.selectText("at least 40 people dead", 0)
	b.key("2")
	b.selectText("40 people dead and over 100 wounded", 0)
	b.key("2")
	b.waitFor(annCount + ` === 2`)
	const both = `[...document.querySelectorAll('#doc .seg')].find(s => s.textContent === '40 people dead')`
	b.waitFor(both + `.dataset.b === 's e'`)
	b.waitFor(both + `.title === 'figure · alice · no source\nfigure · alice · no source'`)
	b.waitFor(`[...document.querySelectorAll('#doc .seg')].find(s => s.textContent === 'at least ').dataset.b === 's'`)
	b.waitFor(`[...document.querySelectorAll('#doc .seg')].find(s => s.textContent === ' and over 100 wounded').dataset.b === 'e'`)
}

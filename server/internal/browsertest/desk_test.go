package browsertest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"gloss/shared/model"
)

// annCount is a JS expression: how many annotations the list shows.
const annCount = `document.querySelectorAll('#annlist li.ann').length`

// TestOverlappingSpans: a figure nested in a claim; the inner one is
// selected by clicking and deleted with Delete; the outer one stays.
func TestOverlappingSpans(t *testing.T) {
	srv := startServer(t)
	b := newBrowser(t)
	b.login(srv.URL, "alice")
	b.openDoc(srv.URL, 1)
	const claim = "left at least 40 people dead and over 100 wounded"
	const figure = "at least 40 people dead"
	b.selectText(claim, 0)
	b.key("1")
	b.waitFor(annCount + ` === 1`)
	b.selectText(figure, 0)
	b.key("2")
	b.waitFor(annCount + ` === 2`)
	// The nested piece carries both marks, innermost first.
	b.waitFor(fmt.Sprintf(`[...document.querySelectorAll('#doc .seg')].some(s => s.textContent === %q && s.dataset.a.split(' ').length === 2)`, figure))
	b.waitFor(`document.querySelector('#conn').dataset.pending === '0'`)
	// Tagging leaves the new span selected; Esc clears that. Then a click
	// on the nested piece selects the figure (innermost) first.
	b.key("\x1b")
	b.waitFor(`document.querySelector('#annlist li.ann.sel') === null`)
	b.do(chromedp.Click(chromedp.JSPath(fmt.Sprintf(`[...document.querySelectorAll('#doc .seg')].find(s => s.textContent === %q)`, figure))))
	b.waitFor(`document.querySelector('#annlist li.ann.sel .tag').textContent === 'figure'`)
	b.key("\b") // Backspace deletes like Delete
	b.waitFor(annCount + ` === 1`)
	b.waitFor(`document.querySelector('#annlist li.ann .tag').textContent === 'claim'`)
	b.waitFor(`document.querySelector('#conn').dataset.pending === '0'`)
	snap, err := srv.st.Snapshot(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.Annotations) != 1 || snap.Annotations[0].Label != "claim" || snap.Annotations[0].Quote != claim {
		t.Fatalf("store holds %+v, want only the claim", snap.Annotations)
	}
}

// TestRelationLive: alice links an attribution to the claim it sources;
// bob sees the arc appear live. The screenshot of alice's view is the
// README's picture.
func TestRelationLive(t *testing.T) {
	srv := startServer(t)
	alice, bob := newBrowser(t), newBrowser(t)
	alice.login(srv.URL, "alice")
	bob.login(srv.URL, "bob")
	alice.openDoc(srv.URL, 1)
	bob.openDoc(srv.URL, 1)

	alice.selectText("The ISIS has claimed responsibility for the massive attack on concert hall in the Russian capital that left at least 40 people dead and over 100 wounded", 0)
	alice.key("1")
	alice.selectText("at least 40 people dead", 0)
	alice.key("2")
	alice.selectText("over 100 wounded", 0)
	alice.key("2")
	alice.selectText("CNN reported", 0)
	alice.key("3")
	alice.waitFor(annCount + ` === 4`)
	// The attribution is selected after tagging; r, then Tab back to the
	// claim... simpler and just as keyboard-only: r, then click the claim.
	alice.key("r")
	alice.waitFor(`document.querySelector('#mode') !== null`)
	alice.do(chromedp.Click(chromedp.JSPath(`[...document.querySelectorAll('#doc .seg')].find(s => s.textContent.startsWith('The ISIS'))`)))
	alice.waitFor(`document.querySelectorAll('#doc svg.arcs g.arc').length === 1`)
	bob.waitFor(`document.querySelectorAll('#doc svg.arcs g.arc').length === 1`)
	bob.waitFor(`document.querySelector('#rels li') !== null && document.querySelector('#rels li').textContent.includes('source')`)
	alice.waitFor(`document.querySelector('#conn').dataset.pending === '0'`)

	snap, err := srv.st.Snapshot(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.Relations) != 1 || snap.Relations[0].Type != "source" {
		t.Fatalf("relations = %+v", snap.Relations)
	}
	byID := map[string]model.Annotation{}
	for _, a := range snap.Annotations {
		byID[a.ID] = a
	}
	if r := snap.Relations[0]; byID[r.From].Label != "attribution" || byID[r.To].Label != "claim" {
		t.Fatalf("relation %s → %s, want attribution → claim", byID[r.From].Label, byID[r.To].Label)
	}
	png, err := chromedp.Run(alice.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(repoRoot(), "docs", "screenshot.png")
	if os.Getenv("GLOSS_UPDATE_SCREENSHOT") != "" {
		if err := os.WriteFile(out, png, 0o644); err != nil {
			t.Fatal(err)
		}
	} else {
		os.WriteFile(filepath.Join(t.TempDir(), "screenshot.png"), png, 0o644)
	}
}

// TestKeyboardOnly labels three spans without the mouse: / focuses the
// search, Enter selects the match in the text, a digit tags it.
func TestKeyboardOnly(t *testing.T) {
	srv := startServer(t)
	b := newBrowser(t)
	b.login(srv.URL, "bob")
	b.openDoc(srv.URL, 2)
	for i, step := range []struct{ find, key, label string }{
		{"at least 60 people dead", "2", "figure"},
		{"145 hospitalized", "2", "figure"},
		{"According to state media reports", "3", "attribution"},
	} {
		b.keyDownOnly("/")
		b.waitFor(`document.activeElement && document.activeElement.id === 'search'`)
		eval[bool](b, `(document.getElementById('search').value = '') === ''`)
		b.do(chromedp.KeyEvent(step.find))
		b.key("\r")
		b.waitFor(fmt.Sprintf(`window.getSelection().toString().toLowerCase() === %q`, strings.ToLower(step.find)))
		b.waitFor(`document.activeElement.id !== 'search'`)
		b.key(step.key)
		// The list is filtered by the search text; its heading counts all.
		b.waitFor(fmt.Sprintf(`document.querySelector('.side h2').textContent === 'Annotations (%d)'`, i+1))
	}
	// Tab walks the annotations in reading order.
	eval[bool](b, `(document.getElementById('search').value = '') === ''`)
	b.do(chromedp.Focus(chromedp.ID("search")), chromedp.KeyEvent(" \b"))
	b.waitFor(annCount + ` === 3`)
	b.key("\x1b")
	b.waitFor(`document.activeElement.id !== 'search'`)
	b.key("\t")
	b.waitFor(`document.querySelector('#annlist li.ann.sel q').textContent === 'at least 60 people dead'`)
	b.key("\t")
	b.waitFor(`document.querySelector('#annlist li.ann.sel q').textContent === '145 hospitalized'`)
	b.waitFor(`document.querySelector('#conn').dataset.pending === '0'`)
	snap, _ := srv.st.Snapshot(context.Background(), 2)
	if len(snap.Annotations) != 3 {
		t.Fatalf("store has %d annotations, want 3", len(snap.Annotations))
	}
	// ? opens the shortcut overlay, Esc closes it.
	b.key("?")
	b.waitFor(`document.querySelector('#shortcuts') !== null`)
	b.key("\x1b")
	b.waitFor(`document.querySelector('#shortcuts') === null`)
}

// TestUndoRedoWatched: alice tags, relabels, undoes twice and redoes;
// bob watches every step live.
func TestUndoRedoWatched(t *testing.T) {
	srv := startServer(t)
	alice, bob := newBrowser(t), newBrowser(t)
	alice.login(srv.URL, "alice")
	bob.login(srv.URL, "bob")
	alice.openDoc(srv.URL, 1)
	bob.openDoc(srv.URL, 1)
	labelSeenByBob := func(label string) string {
		return fmt.Sprintf(`[...document.querySelectorAll('#annlist li.ann.other .tag')].map(e => e.textContent).join(',') === %q`, label)
	}
	alice.selectText("CNN reported", 0)
	alice.key("1") // claim (wrong)
	bob.waitFor(labelSeenByBob("claim"))
	alice.key("3") // relabel the selected span: attribution
	bob.waitFor(labelSeenByBob("attribution"))
	alice.do(chromedp.KeyEvent("z", chromedp.KeyModifiers(ctrl)))
	bob.waitFor(labelSeenByBob("claim"))
	alice.do(chromedp.KeyEvent("z", chromedp.KeyModifiers(ctrl)))
	bob.waitFor(labelSeenByBob(""))
	alice.do(chromedp.KeyEvent("z", chromedp.KeyModifiers(ctrl, shift)))
	bob.waitFor(labelSeenByBob("claim"))
	alice.do(chromedp.KeyEvent("z", chromedp.KeyModifiers(ctrl, shift)))
	bob.waitFor(labelSeenByBob("attribution"))
	alice.waitFor(`document.querySelector('#conn').dataset.pending === '0'`)
	snap, _ := srv.st.Snapshot(context.Background(), 1)
	if len(snap.Annotations) != 1 || snap.Annotations[0].Label != "attribution" {
		t.Fatalf("store = %+v", snap.Annotations)
	}
}

// TestUnicodeSelection: selections over emoji (surrogate pairs), CJK,
// combining marks, right-to-left text and U+00A0 store code point
// offsets whose slice is the quote.
func TestUnicodeSelection(t *testing.T) {
	srv := startServer(t)
	text := "Markets rallied 📈 on Tuesday in 東京 and 北京.\n\nCafe\u0301 owners said \u00a0«שלום עולם» means peace 🇫🇷 here.\nLast line 😀😀 end."
	docs, err := srv.st.AddDocuments(context.Background(), 1, []model.Document{{Name: "unicode", Text: text}})
	if err != nil {
		t.Fatal(err)
	}
	id := docs[0].ID
	b := newBrowser(t)
	b.login(srv.URL, "alice")
	b.openDoc(srv.URL, id)
	phrases := []string{"📈 on Tuesday in 東京", "北京", "Cafe\u0301 owners", "\u00a0«שלום עולם»", "שלום", "🇫🇷 here", "😀😀 end"}
	for i, p := range phrases {
		b.selectText(p, 0)
		b.key("1")
		b.waitFor(fmt.Sprintf(`%s === %d`, annCount, i+1))
	}
	b.waitFor(`document.querySelector('#conn').dataset.pending === '0'`)
	snap, err := srv.st.Snapshot(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	runes := []rune(text)
	got := map[string]bool{}
	for _, a := range snap.Annotations {
		if s := string(runes[a.Start:a.End]); s != a.Quote {
			t.Errorf("text[%d:%d] = %q, quote %q", a.Start, a.End, s, a.Quote)
		}
		got[a.Quote] = true
	}
	for _, p := range phrases {
		want := strings.TrimSpace(p) // leading NBSP is trimmed as white space
		if !got[want] {
			t.Errorf("no annotation with quote %q; have %v", want, got)
		}
	}
}

const (
	ctrl  = chromedp.ModifierCtrl
	shift = chromedp.ModifierShift
)

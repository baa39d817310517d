package browsertest

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"gloss/shared/model"
)

// TestSuggestAcceptDismiss: alice asks for suggestions with the desk's
// Suggest button, takes two by keyboard (select + Enter, select + the
// label key) and dismisses one with x; bob, on the same document, sees
// the suggestions arrive and the two taken spans appear in alice's layer.
// The store and the JSONL export then carry the provenance.
func TestSuggestAcceptDismiss(t *testing.T) {
	srv := startServer(t)
	alice, bob := newBrowser(t), newBrowser(t)
	alice.login(srv.URL, "alice")
	bob.login(srv.URL, "bob")
	alice.openDoc(srv.URL, 1)
	bob.openDoc(srv.URL, 1)

	alice.do(chromedp.Click(chromedp.ID("suggest-run")))
	alice.waitFor(`/^[1-9][0-9]* new suggestions?$/.test(document.querySelector('#suggest-msg').textContent)`)
	alice.waitFor(`document.querySelector('#doc .seg.suggestion') !== null`)
	bob.waitFor(`document.querySelector('#doc .seg.suggestion') !== null`)

	ctx := context.Background()
	snap, err := srv.st.Snapshot(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	find := func(label, quote string) model.Annotation {
		t.Helper()
		for _, a := range snap.Annotations {
			if a.Layer == model.SuggestLayer && a.Label == label && a.Quote == quote {
				return a
			}
		}
		t.Fatalf("no %s suggestion %q among %+v", label, quote, snap.Annotations)
		return model.Annotation{}
	}
	enter := find("figure", "at least 40 people dead")
	byKey := find("figure", "over 100 wounded")
	dismiss := find("attribution", "CNN reported")

	ownCount := func(layer string) string {
		return fmt.Sprintf(`[...document.querySelectorAll('#annlist li.ann .by')].filter(e => e.textContent === %q).length`, layer)
	}
	sel := func(b *browser, id string) {
		t.Helper()
		b.do(chromedp.Click(chromedp.CSS(fmt.Sprintf(`#annlist li.ann[data-id=%q] q`, id))))
		b.waitFor(fmt.Sprintf(`document.querySelector('#annlist li.ann.sel').dataset.id === %q`, id))
	}
	listed := func(id string) string {
		return fmt.Sprintf(`document.querySelector('#annlist li.ann[data-id=%q]') !== null`, id)
	}

	sel(alice, enter.ID)
	alice.key("\r")
	alice.waitFor(ownCount("alice") + ` === 1`)
	alice.waitFor(`!(` + listed(enter.ID) + `)`) // taken: the suggestion hides
	sel(alice, byKey.ID)
	alice.key("2") // figure
	alice.waitFor(ownCount("alice") + ` === 2`)
	sel(alice, dismiss.ID)
	alice.key("x")
	alice.waitFor(`!(` + listed(dismiss.ID) + `)`)
	// Ctrl+Z undoes the last take (a dismissal is not undoable): the
	// suggestion shows again; Ctrl+Shift+Z takes it back, fields and all.
	alice.do(chromedp.KeyEvent("z", chromedp.KeyModifiers(ctrl)))
	alice.waitFor(ownCount("alice") + ` === 1`)
	alice.waitFor(listed(byKey.ID))
	alice.do(chromedp.KeyEvent("z", chromedp.KeyModifiers(ctrl, shift)))
	alice.waitFor(ownCount("alice") + ` === 2`)
	alice.waitFor(`!(` + listed(byKey.ID) + `)`)
	alice.waitFor(`document.querySelector('#conn').dataset.pending === '0'`)

	bob.waitFor(ownCount("alice") + ` === 2`)
	bob.waitFor(`!(` + listed(dismiss.ID) + `)`)
	bob.waitFor(fmt.Sprintf(`[...document.querySelectorAll('#annlist li.ann')].some(li => li.querySelector('.by').textContent === 'alice' && li.querySelector('q').textContent === %q)`, byKey.Quote))

	snap, err = srv.st.Snapshot(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	var mine []model.Annotation
	for _, a := range snap.Annotations {
		if a.ID == dismiss.ID {
			t.Errorf("dismissed suggestion %s still stored", a.ID)
		}
		if a.Layer == "alice" {
			mine = append(mine, a)
		}
	}
	if len(mine) != 2 {
		t.Fatalf("alice's layer holds %+v, want 2 spans", mine)
	}
	for _, want := range []model.Annotation{enter, byKey} {
		found := false
		for _, a := range mine {
			if a.Start != want.Start || a.End != want.End {
				continue
			}
			found = true
			if a.Label != "figure" || a.Attrs == nil || a.Attrs.From != "suggest" {
				t.Errorf("taken %q: label %q attrs %+v, want figure from suggest", a.Quote, a.Label, a.Attrs)
			} else if want.Attrs == nil || want.Attrs.Value == nil || a.Attrs.Value == nil || *a.Attrs.Value != *want.Attrs.Value {
				t.Errorf("taken %q: value %+v, suggestion's %+v", a.Quote, a.Attrs, want.Attrs)
			}
		}
		if !found {
			t.Errorf("%q not in alice's layer: %+v", want.Quote, mine)
		}
	}

	c := httpLogin(t, srv.URL, "alice")
	out := get(t, c, fmt.Sprintf("%s/api/projects/%d/export?format=jsonl", srv.URL, 1))
	from := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		var doc struct {
			Spans []map[string]any `json:"spans"`
		}
		if err := json.Unmarshal([]byte(line), &doc); err != nil {
			t.Fatalf("export line %q: %v", line, err)
		}
		for _, s := range doc.Spans {
			if s["from"] == "suggest" {
				from++
			}
		}
	}
	if from < 2 {
		t.Fatalf("export carries %d spans with \"from\":\"suggest\", want at least 2:\n%s", from, out)
	}
}

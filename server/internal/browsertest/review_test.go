package browsertest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"

	"gloss/shared/model"
)

// TestReviewAdjudicate: alice and bob tag the same words of the same
// sentence differently (a figure, a claim). The reviewer opens the review
// page, sees the one disagreement marked, moves to it with n, looks at the
// two layers side by side, accepts alice's version with a, and comments on
// bob's span; bob sees on his desk that his span was rejected and reads
// the comment, live. The gold export then holds alice's figure with its
// provenance.
func TestReviewAdjudicate(t *testing.T) {
	srv := startServer(t)
	alice, bob, rita := newBrowser(t), newBrowser(t), newBrowser(t)
	alice.login(srv.URL, "alice")
	bob.login(srv.URL, "bob")
	rita.login(srv.URL, "rita")
	// Home links reviewers, and only them, to the review page.
	rita.waitFor(`document.querySelector('a.review-link[href="/review/1"]') !== null`)
	if eval[bool](alice, `document.querySelector('a.review-link') !== null`) {
		t.Error("an annotator's home links to the review page")
	}
	alice.openDoc(srv.URL, 1)
	bob.openDoc(srv.URL, 1)

	const words = "at least 40 people dead"
	alice.selectText(words, 0)
	alice.key("2") // figure
	bob.selectText(words, 0)
	bob.key("1") // claim
	alice.waitFor(`document.querySelector('#conn').dataset.pending === '0'`)
	bob.waitFor(`document.querySelector('#conn').dataset.pending === '0'`)

	// The desk links reviewers to the review page.
	rita.openDoc(srv.URL, 1)
	rita.waitFor(`document.querySelector('#review-open') !== null`)
	rita.do(chromedp.Click(chromedp.ID("review-open")))
	rita.waitFor(`document.querySelector('.review[data-ready="1"]') !== null`)
	rita.waitFor(`document.querySelectorAll('#dislist li.dis').length === 1`)
	rita.waitFor(`document.querySelector('#dislist li.dis').classList.contains('label') && !document.querySelector('#dislist li.dis').classList.contains('resolved')`)
	rita.waitFor(`document.querySelector('#dis-count').dataset.open === '1'`)
	// Both sides are marked in the merged text, dotted red.
	rita.waitFor(fmt.Sprintf(`[...document.querySelectorAll('#doc .seg.dis')].some(s => s.textContent === %q)`, words))

	rita.key("n")
	rita.waitFor(`document.querySelector('#cur-dis').dataset.kind === 'label'`)
	rita.waitFor(`document.querySelector('#doc .seg.cur') !== null`)
	rita.waitFor(`[...document.querySelectorAll('#cur-dis .dside .tag')].map(e => e.textContent).join(',') === 'figure,claim'`)

	// Side by side: two columns of the same paragraphs, alice | bob.
	rita.key("s")
	rita.waitFor(`document.querySelectorAll('.sbs .pair:not(.head)').length > 0 && [...document.querySelectorAll('.sbs .pair:not(.head)')].every(p => p.querySelectorAll('p.para').length === 2)`)
	rita.waitFor(`[...document.querySelectorAll('.sbs .colhead')].map(e => e.textContent).join('|') === 'A · alice|B · bob'`)
	rita.key("m")
	rita.waitFor(`document.querySelector('.sbs') === null`)

	rita.key("a") // accept A's (alice's) version; bob's is rejected
	rita.waitFor(`document.querySelector('#cur-dis').dataset.resolution === 'a'`)
	rita.waitFor(`document.querySelector('#dis-count').dataset.open === '0'`)
	rita.waitFor(`document.querySelectorAll('#goldlist li').length === 1 && document.querySelector('#goldlist li .tag').textContent === 'figure'`)
	rita.waitFor(`document.querySelector('#conn').dataset.pending === '0'`)
	rita.waitFor(`document.querySelector('#docstatus').dataset.status === 'in_review'`)

	// Comment on bob's span: select it in the card, c, type, send.
	rita.do(chromedp.Click(chromedp.JSPath(`[...document.querySelectorAll('#cur-dis .dside')][1]`)))
	rita.waitFor(`document.querySelector('#thread') !== null && document.querySelector('#thread').dataset.target === document.querySelectorAll('#cur-dis .dside')[1].dataset.id`)
	rita.keyDownOnly("c")
	rita.waitFor(`document.activeElement && document.activeElement.id === 'comment-text'`)
	const comment = "40 dead is a figure, not a claim <b>."
	rita.do(chromedp.SendKeys(chromedp.ID("comment-text"), comment))
	rita.do(chromedp.Click(chromedp.ID("comment-send")))
	rita.waitFor(fmt.Sprintf(`[...document.querySelectorAll('#thread .comment-text')].map(e => e.textContent).join() === %q`, comment))
	rita.waitFor(`document.querySelector('#conn').dataset.pending === '0'`)

	// Bob, on his desk, sees his span rejected and commented on, live,
	// and reads the thread when he selects it.
	own := `document.querySelector('#annlist li.ann:not(.other)')`
	bob.waitFor(own + `.querySelector('.rstatus.rejected') !== null && ` + own + `.querySelector('.ccount') !== null`)
	bob.waitFor(`document.querySelector('#doc .seg.noted') !== null`)
	bob.do(chromedp.Click(chromedp.JSPath(own)))
	bob.waitFor(fmt.Sprintf(`document.querySelector('#thread .comment-text') !== null && document.querySelector('#thread .comment-text').textContent === %q && document.querySelector('#thread .comment .who').textContent === 'rita'`, comment))

	// The gold export holds alice's figure with its provenance.
	body := get(t, httpLogin(t, srv.URL, "rita"), srv.URL+"/api/projects/1/export?format=jsonl&layer=gold&doc=1")
	var line struct {
		Spans []struct {
			Start, End                          int
			Label, Text, Layer, Review, Source  string
			Proposer, Reviewer, Annotator, Gold string
		}
	}
	if err := json.Unmarshal(bytes.TrimSpace(body), &line); err != nil {
		t.Fatalf("export %s: %v", body, err)
	}
	snap, err := srv.st.Snapshot(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	aliceID := ""
	for _, a := range snap.Annotations {
		if a.Layer == "alice" {
			aliceID = a.ID
		}
	}
	if len(line.Spans) != 1 {
		t.Fatalf("gold export has %d spans: %s", len(line.Spans), body)
	}
	if s := line.Spans[0]; s.Label != "figure" || s.Text != words || s.Layer != model.GoldLayer || s.Review != string(model.ReviewAccepted) ||
		s.Source != aliceID || s.Proposer != "alice" || s.Reviewer != "rita" || s.Annotator != "rita" {
		t.Errorf("gold span exported as %+v (alice's span is %s)", s, aliceID)
	}
	if snap.DocReview.Status != model.DocInReview || len(snap.Comments) != 1 {
		t.Errorf("store: document review %+v, comments %+v", snap.DocReview, snap.Comments)
	}
}

// TestReviewKeyboard goes through a document's three kinds of
// disagreement by keyboard alone while a second reviewer (the admin)
// watches: a label disagreement where the reviewer changes their mind
// (a, then b: gold ends up with B's version only), a boundary
// disagreement settled with e and a label key (gold gets the chosen label,
// the source "edited"), a span only A has, rejected with x. Then nothing
// is open and the document is marked adjudicated; the watcher saw it all.
func TestReviewKeyboard(t *testing.T) {
	srv := startServer(t)
	const text = "Police said two men fled. Officials denied it. Nobody else saw it."
	doc := addAnnotatedDoc(t, srv, "kb", text, []dashSpan{
		{"alice", "figure", 12, 19}, {"bob", "claim", 12, 19}, // kb-0, kb-1: label
		{"alice", "claim", 26, 45}, {"bob", "claim", 26, 42}, // kb-2, kb-3: boundary
		{"alice", "attribution", 47, 53}, // kb-4: only A
	})
	rita, boss := newBrowser(t), newBrowser(t)
	rita.login(srv.URL, "rita")
	boss.login(srv.URL, "admin")
	for _, b := range []*browser{rita, boss} {
		b.do(chromedp.Navigate(fmt.Sprintf("%s/review/%d", srv.URL, doc)))
		b.waitFor(`document.querySelector('.review[data-ready="1"]') !== null`)
		b.waitFor(`document.querySelector('#dis-count').dataset.open === '3'`)
	}
	cur := func(attr, want string) string {
		return fmt.Sprintf(`document.querySelector('#cur-dis').dataset.%s === %q`, attr, want)
	}
	goldLabels := `[...document.querySelectorAll('#goldlist li .tag')].map(e => e.textContent).join(',')`

	rita.key("n")
	rita.waitFor(cur("kind", "label"))
	rita.key("a")
	rita.waitFor(cur("resolution", "a"))
	rita.key("b") // changed her mind: B's claim replaces A's figure
	rita.waitFor(cur("resolution", "b"))
	rita.waitFor(goldLabels + ` === 'claim'`)

	rita.key("n")
	rita.waitFor(cur("kind", "boundary"))
	rita.key("e")
	rita.waitFor(`document.querySelector('#label-choice') !== null`)
	rita.key("3") // attribution, on A's boundaries
	rita.waitFor(cur("resolution", "gold"))

	rita.key("n")
	rita.waitFor(cur("kind", "only_a"))
	rita.key("x")
	rita.waitFor(cur("resolution", "rejected"))
	rita.waitFor(`document.querySelector('#dis-count').dataset.open === '0'`)
	rita.waitFor(`document.querySelector('#conn').dataset.pending === '0'`)

	rita.do(chromedp.SetValue(chromedp.ID("docstatus"), string(model.DocAdjudicated)))
	eval[bool](rita, `document.getElementById('docstatus').dispatchEvent(new Event('change', {bubbles: true}))`)
	rita.waitFor(`document.querySelector('#docstatus').dataset.status === 'adjudicated'`)

	// The admin's page followed live.
	boss.waitFor(`document.querySelector('#dis-count').dataset.open === '0'`)
	boss.waitFor(`document.querySelector('#docstatus').dataset.status === 'adjudicated'`)
	boss.waitFor(goldLabels + ` === 'claim,attribution'`)

	rita.waitFor(`document.querySelector('#conn').dataset.pending === '0'`)
	snap, err := srv.st.Snapshot(context.Background(), doc)
	if err != nil {
		t.Fatal(err)
	}
	reviews := map[string]model.Review{}
	for _, r := range snap.Reviews {
		reviews[r.Annotation] = r
	}
	want := map[string]model.ReviewStatus{"kb-0": model.ReviewRejected, "kb-1": model.ReviewAccepted, "kb-2": model.ReviewEdited,
		"kb-3": model.ReviewRejected, "kb-4": model.ReviewRejected}
	for id, st := range want {
		if reviews[id].Status != st {
			t.Errorf("%s: review %+v, want %s", id, reviews[id], st)
		}
	}
	gold := 0
	for _, a := range snap.Annotations {
		if a.Layer == model.GoldLayer {
			gold++
		}
	}
	if gold != 2 || snap.DocReview.Status != model.DocAdjudicated {
		t.Errorf("store: %d gold spans (want 2), document %+v", gold, snap.DocReview)
	}
}

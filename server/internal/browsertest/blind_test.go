package browsertest

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"gloss/shared/httpapi"
	"gloss/shared/model"
)

// wireLog records the websocket frames a browser receives, as the
// browser's network layer saw them (CDP's Network.webSocketFrameReceived).
type wireLog struct {
	mu     sync.Mutex
	frames []string
	added  chan struct{} // signalled after each frame
}

func (w *wireLog) add(s string) {
	w.mu.Lock()
	w.frames = append(w.frames, s)
	w.mu.Unlock()
	select {
	case w.added <- struct{}{}:
	default:
	}
}

// await waits until some frame contains s.
func (w *wireLog) await(t *testing.T, s string) {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for !w.any(s) {
		select {
		case <-w.added:
		case <-deadline:
			t.Fatalf("no frame containing %q arrived", s)
		}
	}
}

// any reports whether some frame received so far contains s.
func (w *wireLog) any(s string) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, f := range w.frames {
		if strings.Contains(f, s) {
			return true
		}
	}
	return false
}

// recordFrames starts recording the frames b's page receives.
func (b *browser) recordFrames() *wireLog {
	b.t.Helper()
	w := &wireLog{added: make(chan struct{}, 1)}
	if err := chromedp.Listen(b.ctx, func(ev any) {
		if f, ok := ev.(*network.EventWebSocketFrameReceived); ok && f.Response != nil {
			w.add(string(f.Response.PayloadData))
		}
	}); err != nil {
		b.t.Fatal(err)
	}
	b.do(chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, network.Enable, network.EnableParams{})
		return err
	}))
	return w
}

// settings reads project 1's settings from the store.
func (s *server) settings(t *testing.T) model.Settings {
	t.Helper()
	set, err := s.st.ProjectSettings(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	return set
}

// apiSend makes a state-changing API request with c's session and its
// CSRF token, as the wasm does.
func apiSend(t *testing.T, c *http.Client, base, method, path string, body any) {
	t.Helper()
	req, _ := http.NewRequest("GET", base+"/api/me", nil)
	req.Header.Set("Accept", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var me httpapi.Me
	json.NewDecoder(resp.Body).Decode(&me)
	resp.Body.Close()
	b, _ := json.Marshal(body)
	req, _ = http.NewRequest(method, base+path, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-CSRF-Token", me.CSRF)
	req.Header.Set("Origin", base)
	resp, err = c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("%s %s: %s", method, path, resp.Status)
	}
}

// TestBlindAnnotation: the admin switches blind annotation on; alice and
// bob tag the same document, and each sees only their own spans — in
// the page, and on the wire: not one frame bob's browser receives names
// alice, though her op reached him (as a hidden op). The desk says that
// blind mode is on; the pre-rendered page is blind too. Bob marks the
// document done from the desk: his desk reconnects and shows alice's
// span, while alice, not done, still does not see his.
func TestBlindAnnotation(t *testing.T) {
	srv := startServer(t)
	// The admin switches it on in the project's options (the demo
	// project has it off: its walkthrough shows analysts live together).
	admin := newBrowser(t)
	admin.login(srv.URL, "admin")
	admin.do(chromedp.Navigate(srv.URL + "/projects/1/settings?tab=options"))
	admin.waitFor(`document.querySelector('.options[data-ready="1"] #opt-blind') !== null`)
	axeCheck(t, admin, "project options")
	if eval[bool](admin, `document.getElementById('opt-blind').checked`) {
		t.Fatal("the demo project starts with blind annotation on")
	}
	admin.do(chromedp.Click(chromedp.ID("opt-blind")), chromedp.Click(chromedp.ID("options-save")))
	admin.waitFor(`document.getElementById('options-saved') !== null`)
	if got := srv.settings(t); got != (model.Settings{Blind: true}) {
		t.Fatalf("settings after saving the options: %+v", got)
	}
	apiSend(t, httpLogin(t, srv.URL, "admin"), srv.URL, "POST", "/api/projects/1/assignments",
		httpapi.AssignRequest{User: "bob", Documents: []int64{2}, Assigned: true})

	alice, bob := newBrowser(t), newBrowser(t)
	alice.login(srv.URL, "alice")
	bob.login(srv.URL, "bob")
	wire := bob.recordFrames()
	alice.openDoc(srv.URL, 2)
	bob.openDoc(srv.URL, 2)
	for _, b := range []*browser{alice, bob} {
		b.waitFor(`document.getElementById('blind-notice') && document.getElementById('blind-notice').textContent.includes('only your own spans')`)
	}

	axeCheck(t, bob, "desk, blind")
	const hers, his = "Regional governor Andrey Vorobyov", "Crocus City Hall"
	alice.selectText(hers, 0)
	alice.key("3")
	alice.waitFor(segWith(hers))
	alice.waitFor(`document.querySelector('#conn').dataset.pending === '0'`)
	bob.selectText(his, 0)
	bob.key("1")
	bob.waitFor(segWith(his))
	bob.waitFor(`document.querySelector('#conn').dataset.pending === '0'`)
	// Alice's op has reached bob — as a hidden op, seq only.
	wire.await(t, `"kind":"hidden"`)
	if !wire.any(`"type":"welcome"`) {
		t.Fatal("no welcome frame recorded: the wire check would be empty")
	}
	if wire.any("alice") {
		t.Fatal(`a frame bob's browser received names "alice"`)
	}
	if eval[bool](bob, segWith(hers)) || eval[bool](bob, `[...document.querySelectorAll('#annlist li.ann.other')].length > 0`) {
		t.Fatal("bob sees another analyst's span")
	}
	if eval[bool](alice, segWith(his)) {
		t.Fatal("alice sees bob's span")
	}
	// The pre-rendered page is blind too: bob's names no alice, rita's does.
	if page := docPage(t, httpLogin(t, srv.URL, "bob"), srv.URL, srv.URL+"/doc/2"); strings.Contains(page, "alice") {
		t.Fatal("bob's pre-rendered page names alice")
	}
	if page := docPage(t, httpLogin(t, srv.URL, "rita"), srv.URL, srv.URL+"/doc/2"); !strings.Contains(page, "alice") {
		t.Fatal("rita's pre-rendered page does not name alice: the check above proves nothing")
	}

	// Bob marks the document done: his desk reconnects with every layer.
	bob.do(chromedp.Click(chromedp.ID("blind-done")))
	bob.waitFor(segWith(hers))
	bob.waitFor(`[...document.querySelectorAll('#annlist li.ann.other')].some(li => li.textContent.includes('alice'))`)
	bob.waitFor(`document.getElementById('blind-notice') === null`)
	if !wire.any("alice") {
		t.Fatal("after done, no frame to bob names alice")
	}
	alice.waitFor(`document.querySelector('#conn').dataset.pending === '0'`)
	if eval[bool](alice, segWith(his)) {
		t.Fatal("alice sees bob's span after bob's done")
	}
}

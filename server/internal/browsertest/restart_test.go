package browsertest

import (
	"context"
	"testing"
)

// TestServerRestart: the server goes away mid-session; both pages notice
// and retry by themselves; an edit alice makes while it is down is kept
// as pending, sent when the server is back, and appears for bob.
func TestServerRestart(t *testing.T) {
	srv := startServer(t)
	alice, bob := newBrowser(t), newBrowser(t)
	alice.login(srv.URL, "alice")
	bob.login(srv.URL, "bob")
	alice.openDoc(srv.URL, 2)
	bob.openDoc(srv.URL, 2)

	srv.stop()
	alice.waitFor(`['reconnecting', 'offline'].includes(document.querySelector('.desk').dataset.status)`)
	bob.waitFor(`['reconnecting', 'offline'].includes(document.querySelector('.desk').dataset.status)`)

	const phrase = "Business Times has been able to verify the claim made by ISIS."
	alice.selectText(phrase, 0)
	alice.key("1")
	alice.waitFor(`document.querySelector('#conn').dataset.pending === '1'`)
	alice.waitFor(segWith(phrase)) // shown at once, marked pending

	srv.start()
	alice.waitFor(`document.querySelector('.desk').dataset.status === 'connected' && document.querySelector('#conn').dataset.pending === '0'`)
	bob.waitFor(`document.querySelector('.desk').dataset.status === 'connected'`)
	bob.waitFor(segWith(phrase))

	snap, err := srv.st.Snapshot(context.Background(), 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.Annotations) != 1 || snap.Annotations[0].Quote != phrase {
		t.Fatalf("store holds %+v", snap.Annotations)
	}
}

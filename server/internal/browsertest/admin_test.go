package browsertest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"gloss/server/internal/auth"
	"gloss/shared/model"
)

// textOf is a JS expression: the text of the element with id, or "".
func textOf(id string) string {
	return fmt.Sprintf(`((document.getElementById(%q) || {}).textContent || "")`, id)
}

// TestAdminSetsUpProject: a site admin creates a project from the UI,
// adds a label with shortcut key 4, imports a document, and tags it with
// the new label by pressing 4 on the desk.
func TestAdminSetsUpProject(t *testing.T) {
	srv := startServer(t)
	b := newBrowser(t)
	b.login(srv.URL, "admin")

	b.waitFor(`document.querySelector('#admin-link') !== null`)
	b.do(chromedp.Click(chromedp.ID("admin-link")))
	b.waitFor(`document.querySelector('.admin-page[data-ready="1"] #project-name') !== null`)
	b.do(chromedp.SendKeys(chromedp.ID("project-name"), "Wire review"), chromedp.Click(chromedp.ID("create-project")))

	// The new project's settings open on the label editor.
	b.waitFor(`document.querySelector('.settings[data-ready="1"] .schema-editor[data-ready="1"]') !== null`)
	b.waitFor(`document.querySelector('.settings h1').textContent === 'Wire review'`)
	b.do(chromedp.Click(chromedp.ID("add-label")))
	b.waitFor(`document.querySelector('input.label-name[data-row="3"]') !== null`)
	b.do(
		chromedp.SendKeys(chromedp.CSS(`input.label-name[data-row="3"]`), "evidence"),
		chromedp.SendKeys(chromedp.CSS(`input.label-key[data-row="3"]`), "4"),
		chromedp.SendKeys(chromedp.CSS(`input.label-guideline[data-row="3"]`), "What backs a claim up."),
		chromedp.Click(chromedp.ID("save-schema")),
	)
	b.waitFor(textOf("schema-notice") + `.includes('Saved')`)

	ctx := context.Background()
	ps, err := srv.st.Projects(ctx)
	if err != nil || len(ps) != 2 {
		t.Fatalf("projects = %+v, %v", ps, err)
	}
	p := ps[1]
	if l, ok := p.Schema.LabelForKey("4"); !ok || l.Name != "evidence" || l.Guideline != "What backs a claim up." {
		t.Fatalf("schema after saving = %+v", p.Schema)
	}

	// Import a document through the upload form.
	const phrase = "a leaked memo dated 3 March"
	text := "Officials denied the report.\r\n\r\nThe newspaper cited " + phrase + " as its source.\u00a0End.\n"
	file := filepath.Join(t.TempDir(), "memo-story.txt")
	if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	b.do(chromedp.Click(chromedp.ID("tab-import")))
	b.waitFor(`document.querySelector('.importer[data-ready="1"] #import-files') !== null`)
	b.do(chromedp.SetUploadFiles(chromedp.ID("import-files"), []string{file}), chromedp.Click(chromedp.ID("import-start")))
	b.waitFor(textOf("import-result") + `.includes('Imported 1 document')`)
	docs, err := srv.st.Documents(ctx, p.ID)
	if err != nil || len(docs) != 1 || docs[0].Name != "memo-story" {
		t.Fatalf("documents = %+v, %v", docs, err)
	}
	d, _ := srv.st.Document(ctx, docs[0].ID)
	if d.Text != text {
		t.Fatalf("imported text %q, want the file byte for byte", d.Text)
	}

	// The project list shows it; the desk tags it with key 4.
	b.do(chromedp.Navigate(srv.URL + "/"))
	b.waitFor(fmt.Sprintf(`document.querySelector('.home[data-ready="1"] section[data-project="%d"] a.doclink') !== null`, p.ID))
	b.openDoc(srv.URL, d.ID)
	b.waitFor(`document.querySelector('.label-btn[data-label="evidence"]') !== null`)
	b.selectText(phrase, 0)
	b.key("4")
	b.waitFor(segWith(phrase))
	b.waitFor(`[...document.querySelectorAll('#annlist li.ann')].some(li => li.textContent.includes('evidence'))`)
	b.waitFor(`document.querySelector('#conn').dataset.pending === '0'`)

	// A new project suggests on import (its default setting), so the
	// suggest layer holds the suggester's spans; the admin's own layer
	// holds exactly the one tagged here.
	snap, err := srv.st.Snapshot(ctx, d.ID)
	var own []model.Annotation
	for _, a := range snap.Annotations {
		if a.Layer != model.SuggestLayer {
			own = append(own, a)
		}
	}
	if err != nil || len(own) != 1 {
		t.Fatalf("snapshot = %+v, %v", snap, err)
	}
	a := own[0]
	if a.Label != "evidence" || a.Quote != phrase || a.Layer != "admin" {
		t.Errorf("annotation = %+v, want %q labelled evidence in admin's layer", a, phrase)
	}
	if want := len([]rune(text[:strings.Index(text, phrase)])); a.Start != want {
		t.Errorf("start = %d, want %d (code points)", a.Start, want)
	}
}

// TestTeamSetUp: the admin adds members and assigns a document from the
// UI; the annotator sees it assigned, marks it done, and the progress
// view says so.
func TestTeamSetUp(t *testing.T) {
	srv := startServer(t)
	b := newBrowser(t)
	b.login(srv.URL, "admin")

	// Members: make bob a reviewer, then back an annotator.
	b.do(chromedp.Navigate(srv.URL + "/projects/1/settings?tab=members"))
	b.waitFor(`document.querySelector('.members[data-ready="1"] tr[data-member="bob"]') !== null`)
	b.do(chromedp.SendKeys(chromedp.ID("member-name"), "bob"), chromedp.SetValue(chromedp.ID("member-role"), "reviewer"),
		chromedp.Click(chromedp.ID("add-member-button")))
	b.waitFor(textOf("members-notice") + `.includes('bob is now reviewer')`)
	if r, _ := srv.st.Role(context.Background(), 1, userID(t, srv, "bob")); r != model.RoleReviewer {
		t.Fatalf("bob's role = %q", r)
	}
	b.do(chromedp.SendKeys(chromedp.ID("member-name"), "bob"), chromedp.SetValue(chromedp.ID("member-role"), "annotator"),
		chromedp.Click(chromedp.ID("add-member-button")))
	b.waitFor(textOf("members-notice") + `.includes('bob is now annotator')`)

	// Documents: give document 1 to alice.
	b.do(chromedp.Click(chromedp.ID("tab-documents")))
	b.waitFor(`document.querySelector('.assignments[data-ready="1"] input.assign[data-doc="1"][data-user="alice"]') !== null`)
	b.do(chromedp.Click(chromedp.CSS(`input.assign[data-doc="1"][data-user="alice"]`)))
	waitUntil(t, "document 1 assigned to alice", func() bool {
		as, _ := srv.st.Assignments(context.Background(), 1)
		return len(as) == 1 && as[0].User == "alice"
	})

	// One browser at a time: three Chromiums at once are slow on a small
	// machine. The admin's is done.
	chromedp.Cancel(b.ctx)

	// alice sees it assigned and marks it done.
	u := newBrowser(t)
	u.login(srv.URL, "alice")
	u.waitFor(`document.querySelector('.badge.assigned') !== null`)
	u.do(chromedp.Click(chromedp.CSS(`button.done-toggle[data-doc="1"]`)))
	u.waitFor(`document.querySelector('.badge.done') !== null`)
	// Logging out is a POST with the CSRF token, from the wasm.
	u.do(chromedp.Click(chromedp.ID("logout")))
	u.waitFor(`document.querySelector('main.login[data-ready="1"]') !== null`)
	u.do(chromedp.Navigate(srv.URL + "/"))
	u.waitFor(`document.querySelector('main.login[data-ready="1"]') !== null`)

	// The reviewer's progress view shows it.
	rita := u
	rita.login(srv.URL, "rita")
	rita.do(chromedp.Click(chromedp.CSS(`a.progress-link`)))
	rita.waitFor(`document.querySelector('.progress[data-ready="1"] #progress-annotators tr[data-user="alice"]') !== null`)
	got := eval[string](rita, `document.querySelector('#progress-annotators tr[data-user="alice"]').innerText`)
	if fields := strings.Fields(got); len(fields) < 5 || fields[1] != "1" || fields[2] != "1" {
		t.Errorf("alice's progress row = %q, want 1 assigned, 1 done", got)
	}
	rita.waitFor(`document.querySelector('#progress-documents tr[data-doc="1"]').textContent.includes('alice: done')`)
	// A reviewer gets no other tab.
	if n := eval[int](rita, `document.querySelectorAll('.tabs .tab').length`); n != 1 {
		t.Errorf("reviewer sees %d tabs, want only progress", n)
	}

	// rita creates an API token on her account page; it is shown once.
	rita.do(chromedp.Navigate(srv.URL + "/account"))
	rita.waitFor(`document.querySelector('.account-page[data-ready="1"] #token-label') !== null`)
	rita.do(chromedp.SendKeys(chromedp.ID("token-label"), "notebook"), chromedp.Click(chromedp.ID("create-token")))
	rita.waitFor(`document.querySelector('#new-token .token') !== null`)
	token := eval[string](rita, `document.querySelector('#new-token .token').textContent`)
	sess, err := srv.st.SessionByAPIToken(context.Background(), auth.TokenHash(token))
	if err != nil || sess.User.Name != "rita" {
		t.Errorf("the token shown does not authenticate rita: %v", err)
	}
}

// waitUntil polls a server-side condition (the browser's are awaited
// with waitFor).
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func userID(t *testing.T, srv *server, name string) int64 {
	u, _, err := srv.st.UserByName(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	return u.ID
}

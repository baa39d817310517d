package browsertest

import (
	"context"
	"testing"

	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/chromedp"

	"gloss/server/internal/demo"
)

// TestAdminFormsKeepInput (issue 13, bug 9): a refused new account and
// a refused new member leave what was typed in the form.
func TestAdminFormsKeepInput(t *testing.T) {
	srv := startServer(t)
	b := newBrowser(t)
	b.login(srv.URL, "admin")
	b.do(chromedp.Navigate(srv.URL + "/admin"))
	b.waitFor(`document.querySelector('.admin-page[data-ready="1"] #user-name') !== null`)
	b.do(chromedp.SendKeys(chromedp.ID("user-name"), "newcomer"),
		chromedp.SendKeys(chromedp.ID("user-password"), "short"),
		chromedp.Click(chromedp.ID("create-user")))
	b.waitFor(`document.getElementById('admin-error') !== null`)
	b.waitFor(`document.getElementById('user-name').value === 'newcomer' && document.getElementById('user-password').value === 'short'`)

	b.do(chromedp.Navigate(srv.URL + "/projects/1/settings?tab=members"))
	b.waitFor(`document.querySelector('.members[data-ready="1"] #member-name') !== null`)
	b.do(chromedp.SendKeys(chromedp.ID("member-name"), "nosuchuser"), chromedp.Click(chromedp.ID("add-member-button")))
	b.waitFor(`document.getElementById('members-error') !== null`)
	b.waitFor(`document.getElementById('member-name').value === 'nosuchuser'`)
}

// TestLoginWrongPasswordKeepsName (issue 13, bug 9): after a wrong
// password the login page has the user name filled in and the caret in
// the password field.
func TestLoginWrongPasswordKeepsName(t *testing.T) {
	srv := startServer(t)
	b := newBrowser(t)
	b.do(chromedp.Navigate(srv.URL+"/login"),
		chromedp.WaitVisible(chromedp.CSS(`main.login[data-ready="1"] #name`)),
		chromedp.SendKeys(chromedp.ID("name"), "alice"),
		chromedp.SendKeys(chromedp.ID("password"), "wrong-password"),
		chromedp.Click(chromedp.ID("login")))
	b.waitFor(`document.querySelector('main.login[data-ready="1"] #login-error') !== null`)
	b.waitFor(`document.getElementById('name').value === 'alice'`)
	b.waitFor(`document.activeElement && document.activeElement.id === 'password'`)
}

// TestLoginTypingSurvivesWasm (issue 13, bugs 12 and 7): on a slow first
// visit the user types into the server's form before the wasm has
// loaded; when it takes over, what was typed is still there, and the
// login works. On a fresh login page the caret is in the user name.
func TestLoginTypingSurvivesWasm(t *testing.T) {
	srv := startServer(t)
	b := newBrowser(t)
	// Hold app.wasm back until the user has typed.
	paused := make(chan fetch.RequestID, 8)
	chromedp.Listen(b.ctx, func(ev any) {
		if ev, ok := ev.(*fetch.EventRequestPaused); ok {
			paused <- ev.RequestID
		}
	})
	b.do(chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, fetch.Enable, fetch.EnableParams{Patterns: []*fetch.RequestPattern{{URLPattern: "*app.wasm*"}}})
		return err
	}))
	b.do(chromedp.Navigate(srv.URL+"/login"),
		chromedp.WaitVisible(chromedp.CSS(`main.login[data-ready="0"] #name`)),
		chromedp.SendKeys(chromedp.ID("name"), "alice"),
		chromedp.SendKeys(chromedp.ID("password"), demo.Password))
	if !eval[bool](b, `document.querySelector('main.login[data-ready="0"]') !== null`) {
		t.Fatal("the wasm took over before the user typed: the test proves nothing")
	}
	// Release the held request (it was made: the page is waiting for it)
	// and any other, then stop intercepting.
	b.do(chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		var ids []fetch.RequestID
		select {
		case id := <-paused:
			ids = append(ids, id)
		case <-ctx.Done():
			return ctx.Err()
		}
		for len(paused) > 0 {
			ids = append(ids, <-paused)
		}
		for _, id := range ids {
			if _, err := chromedp.Call(ctx, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: id}); err != nil {
				return err
			}
		}
		_, err := chromedp.Call(ctx, fetch.Disable, struct{}{})
		return err
	}))
	b.waitFor(`document.querySelector('main.login[data-ready="1"]') !== null`)
	b.waitFor(`document.getElementById('name').value === 'alice' && document.getElementById('password').value === ` + "'" + demo.Password + "'")
	b.do(chromedp.Click(chromedp.ID("login")))
	b.waitFor(`document.querySelector('.home[data-ready="1"]') !== null`)

	// A fresh login page (the wasm loaded at once) puts the caret in the
	// user name.
	b2 := newBrowser(t)
	b2.do(chromedp.Navigate(srv.URL + "/login"))
	b2.waitFor(`document.querySelector('main.login[data-ready="1"]') !== null`)
	b2.waitFor(`document.activeElement && document.activeElement.id === 'name'`)
}

// TestFindDocuments (issue 13): documents are listed by title (the first
// line, not the file hash) and the project's list can be searched and
// filtered to the user's unfinished assignments.
func TestFindDocuments(t *testing.T) {
	srv := startServer(t)
	ctx := context.Background()
	alice, _, err := srv.st.UserByName(ctx, "alice")
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.st.SetAssigned(ctx, 2, alice.ID, true); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t)
	b.login(srv.URL, "alice")
	const links = `[...document.querySelectorAll('section.project[data-project="1"] a.doclink')].map(a => a.textContent)`
	b.waitFor(links + `.length === 2`)
	b.waitFor(links + `.every(t => !/^[0-9a-f_]+$/.test(t))`)
	b.waitFor(links + `[0].startsWith('Moscow: The ISIS')`)
	b.do(chromedp.SendKeys(chromedp.ID("doc-search-1"), "devastating"))
	b.waitFor(links + `.length === 1 && ` + links + `[0].startsWith('The Islamic State')`)
	eval[bool](b, `(() => { const i = document.getElementById('doc-search-1'); i.value = ''; i.dispatchEvent(new Event('input', {bubbles: true})); return true })()`)
	b.waitFor(links + `.length === 2`)
	b.do(chromedp.SetValue(chromedp.ID("doc-filter-1"), "todo"))
	b.waitFor(links + `.length === 1 && ` + links + `[0].startsWith('The Islamic State')`)
}

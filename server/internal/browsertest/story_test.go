package browsertest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/chromedp/chromedp"

	"gloss/server/internal/auth"
	"gloss/server/internal/demo"
	"gloss/server/internal/store"
	"gloss/shared/model"
	"gloss/shared/protocol"
)

// seeded commits spans and relations into a document through the op log,
// as if an analyst had tagged them before the test.
type seeded struct {
	t    testing.TB
	srv  *server
	doc  int64
	text string
	ops  []protocol.Op
}

func seed(t testing.TB, srv *server, doc int64) *seeded {
	d, err := srv.st.Document(context.Background(), doc)
	if err != nil {
		t.Fatal(err)
	}
	return &seeded{t: t, srv: srv, doc: doc, text: d.Text}
}

// span adds annotation id over the first occurrence of quote.
func (s *seeded) span(id, layer, label, quote string) model.Annotation {
	s.t.Helper()
	at := strings.Index(s.text, quote)
	if at < 0 {
		s.t.Fatalf("document %d has no %q", s.doc, quote)
	}
	start := utf8.RuneCountInString(s.text[:at])
	now := time.Now().UTC()
	a := model.Annotation{ID: id, Document: s.doc, Layer: layer, Label: label, Start: start, End: start + utf8.RuneCountInString(quote),
		Quote: quote, Author: layer, Version: 1, Created: now, Updated: now}
	s.ops = append(s.ops, protocol.Op{ID: "seed-" + id, Kind: protocol.KindAdd, Ann: &a, User: layer, Time: now.UnixMilli()})
	return a
}

// source links attribution from to claim or figure to in layer.
func (s *seeded) source(id, layer, from, to string) {
	now := time.Now().UTC()
	r := model.Relation{ID: id, Document: s.doc, Layer: layer, Type: "source", From: from, To: to, Author: layer, Version: 1, Created: now}
	s.ops = append(s.ops, protocol.Op{ID: "seed-" + id, Kind: protocol.KindAddRelation, Rel: &r, User: layer, Time: now.UnixMilli()})
}

func (s *seeded) commit() {
	s.t.Helper()
	if _, err := s.srv.st.Commit(context.Background(), s.doc, s.ops); err != nil {
		s.t.Fatal(err)
	}
	s.ops = nil
}

// demoStory returns the demo story (both articles: document 1 without an
// outlet, document 2 by Business Times).
func demoStory(t testing.TB, srv *server) store.Story {
	ss, err := srv.st.Stories(context.Background(), 1)
	if err != nil || len(ss) != 1 || ss[0].Name != demo.StoryName {
		t.Fatalf("demo stories = %+v, %v", ss, err)
	}
	return ss[0]
}

// TestStoryConflictLive: bob opens the demo story from the home page and
// watches its table; article 2 already has "at least 60 people dead".
// alice, on article 1, tags "at least 40 people dead" as a figure: bob's
// dead row turns into a conflict without a reload, stating the range,
// the figure to record and the dispute. Clicking alice's figure opens
// article 1 on the desk with that span selected.
func TestStoryConflictLive(t *testing.T) {
	srv := startServer(t)
	st := demoStory(t, srv)
	s2 := seed(t, srv, 2)
	s2.span("bt-dead", "bob", "figure", "at least 60 people dead")
	s2.commit()

	alice, bob := newBrowser(t), newBrowser(t)
	alice.login(srv.URL, "alice")
	bob.login(srv.URL, "bob")

	// The home page lists the project's stories.
	bob.waitFor(fmt.Sprintf(`document.querySelector('a.story-link[data-story="%d"]').textContent === %q`, st.ID, demo.StoryName))
	bob.do(chromedp.Click(chromedp.CSS(fmt.Sprintf(`a.story-link[data-story="%d"]`, st.ID))))
	bob.waitFor(`document.querySelector('.storypage[data-ready="1"] #story-table[data-ready="1"] table.story-table') !== null`)
	if got := eval[int](bob, `document.querySelectorAll('#story-table thead th[data-doc]').length`); got != 2 {
		t.Fatalf("story table has %d article columns, want 2", got)
	}
	dead := `document.querySelector('#story-table tr.story-row[data-quantity="dead"]')`
	bob.waitFor(dead + ` !== null`)
	if eval[bool](bob, dead+`.classList.contains('conflict')`) {
		t.Fatal("the dead row is flagged before alice tagged anything")
	}
	// Business Times (the outlet) heads its column; its figure says
	// who reports it: nobody linked a source.
	if head := eval[string](bob, `document.querySelector('#story-table thead th[data-doc="2"]').textContent`); !strings.Contains(head, "Business Times") {
		t.Errorf("article 2's header %q lacks its outlet", head)
	}
	eval[bool](bob, `window.notReloaded = true`)

	alice.openDoc(srv.URL, 1)
	alice.selectText("at least 40 people dead", 0)
	alice.key("2") // figure
	alice.waitFor(`document.querySelector('#conn').dataset.pending === '0' && document.querySelector('#annlist li.ann') !== null`)

	bob.waitFor(dead + `.classList.contains('conflict')`)
	if !eval[bool](bob, `window.notReloaded === true`) {
		t.Fatal("the story view reloaded")
	}
	summary := eval[string](bob, dead+`.querySelector('.story-summary').textContent`)
	for _, want := range []string{"40–60", "record: at least 40", "at least 40 (", "vs at least 60 (Business Times)"} {
		if !strings.Contains(summary, want) {
			t.Errorf("dead row summary %q lacks %q", summary, want)
		}
	}

	// The cell links to alice's span: the desk opens it selected.
	annID := eval[string](alice, `document.querySelector('#annlist li.ann').dataset.id`)
	bob.do(chromedp.Click(chromedp.CSS(fmt.Sprintf(`#story-table tr.story-row[data-quantity="dead"] a[href=%q]`, "/doc/1#ann-"+annID))))
	bob.waitFor(`document.querySelector('.desk[data-ready="1"] #doc p.para') !== null`)
	bob.waitFor(fmt.Sprintf(`document.querySelector('#annlist li.ann.sel').dataset.id === %q`, annID))
	bob.waitFor(`[...document.querySelectorAll('#doc .seg.sel')].map(e => e.textContent).join('') === 'at least 40 people dead'`)
	if got := eval[string](bob, `location.pathname + location.hash`); got != "/doc/1#ann-"+annID {
		t.Errorf("the cell opened %s", got)
	}
}

// TestUnattributedFilter: on article 2, a claim sourced by an attribution
// is attributed; alice tags "Business Times has been able to verify the
// claim made by ISIS." as a claim: the outlet vouching for itself is no
// source, so the span is marked "no source" and it alone remains in the
// list under "only unattributed".
func TestUnattributedFilter(t *testing.T) {
	srv := startServer(t)
	s2 := seed(t, srv, 2)
	s2.span("gov", "alice", "attribution", "Regional governor Andrey Vorobyov said")
	s2.span("saved", "alice", "claim", "everything was being done to save people")
	s2.source("gov-saved", "alice", "gov", "saved")
	s2.commit()

	alice := newBrowser(t)
	alice.login(srv.URL, "alice")
	alice.openDoc(srv.URL, 2)
	const bt = "Business Times has been able to verify the claim made by ISIS."
	alice.selectText(bt, 0)
	alice.key("1") // claim
	alice.waitFor(`document.querySelectorAll('#annlist li.ann').length === 3`)
	alice.waitFor(fmt.Sprintf(`[...document.querySelectorAll('#doc .seg.unattributed')].map(e => e.textContent).join('') === %q`, bt))
	if title := eval[string](alice, `document.querySelector('#doc .seg.unattributed').title`); !strings.Contains(title, "no source") {
		t.Errorf("the marked span's title %q does not say no source", title)
	}
	if eval[bool](alice, `document.querySelector('#annlist li.ann[data-id="saved"]').classList.contains('unattributed')`) {
		t.Error("the sourced claim is marked unattributed")
	}

	alice.do(chromedp.Click(chromedp.ID("only-unattributed")))
	alice.waitFor(`document.querySelectorAll('#annlist li.ann').length === 1`)
	li := eval[string](alice, `document.querySelector('#annlist li.ann').textContent`)
	if !strings.Contains(li, bt) || !strings.Contains(li, "no source") {
		t.Errorf("the only unattributed entry is %q", li)
	}
	alice.do(chromedp.Click(chromedp.ID("only-unattributed")))
	alice.waitFor(`document.querySelectorAll('#annlist li.ann').length === 3`)
}

// TestStoryFragment: /doc/{id}#ann-{ann} loaded directly (the server's
// pre-render, then the wasm) selects that annotation; changing the hash
// selects another.
func TestStoryFragment(t *testing.T) {
	srv := startServer(t)
	s2 := seed(t, srv, 2)
	s2.span("f-60", "bob", "figure", "at least 60 people dead")
	s2.span("f-145", "bob", "figure", "145 hospitalized")
	s2.commit()

	b := newBrowser(t)
	b.login(srv.URL, "alice")
	b.do(chromedp.Navigate(srv.URL + "/doc/2#ann-f-145"))
	b.waitFor(`document.querySelector('.desk[data-ready="1"] #doc p.para') !== null`)
	b.waitFor(`document.querySelector('#annlist li.ann.sel').dataset.id === 'f-145'`)
	b.waitFor(`[...document.querySelectorAll('#doc .seg.sel')].map(e => e.textContent).join('') === '145 hospitalized'`)
	eval[bool](b, `(location.hash = "#ann-f-60", true)`)
	b.waitFor(`document.querySelector('#annlist li.ann.sel').dataset.id === 'f-60'`)
	b.waitFor(`[...document.querySelectorAll('#doc .seg.sel')].map(e => e.textContent).join('') === 'at least 60 people dead'`)
}

// TestStoryPrerendered: the story view's HTML already holds the table
// (the demo story's dead row flagged once both figures are tagged), with
// the story's name escaped; a user who is not a member gets the bare page
// with 404; and in the browser the live table replaces the server's.
func TestStoryPrerendered(t *testing.T) {
	srv := startServer(t)
	st := demoStory(t, srv)
	s1 := seed(t, srv, 1)
	s1.span("cnn-dead", "alice", "figure", "at least 40 people dead")
	s1.commit()
	s2 := seed(t, srv, 2)
	s2.span("bt-dead", "bob", "figure", "at least 60 people dead")
	s2.commit()
	if _, err := srv.st.UpdateStory(context.Background(), st.ID, store.StoryChange{Name: ptr(`<b>Crocus</b> & "attack"`)}); err != nil {
		t.Fatal(err)
	}
	u := fmt.Sprintf("%s/stories/%d", srv.URL, st.ID)
	code, html := fetchPage(t, httpLogin(t, srv.URL, "bob"), u)
	if code != 200 {
		t.Fatalf("bob: %d", code)
	}
	for _, want := range []string{
		`<div></div><div id="gloss-pre" class="storypage prerendered">`,
		`<h1>&lt;b&gt;Crocus&lt;/b&gt; &amp; &#34;attack&#34;</h1>`,
		`<div id="story-table" class="story-wrap" data-ready="1" data-painted="1">`,
		`data-quantity="dead"`,
	} {
		if !strings.Contains(html, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	if !regexp.MustCompile(`<tr class="[^"]*\bconflict\b[^"]*"[^>]*data-quantity="dead"|data-quantity="dead"[^>]*class="[^"]*\bconflict\b`).MatchString(html) {
		t.Errorf("the pre-rendered dead row is not flagged as a conflict")
	}
	hash, err := auth.HashPassword(demo.Password)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := srv.st.CreateUser(context.Background(), "mallory", hash); err != nil {
		t.Fatal(err)
	}
	if code, html := fetchPage(t, httpLogin(t, srv.URL, "mallory"), u); code != 404 || strings.Contains(html, "gloss-pre") || strings.Contains(html, "data-quantity") {
		t.Errorf("a non-member got %d, pre-render in page: %v", code, strings.Contains(html, "gloss-pre"))
	}

	b := newBrowser(t)
	b.login(srv.URL, "bob")
	b.do(chromedp.Navigate(u))
	b.waitFor(`document.querySelector('.storypage[data-live="1"]') !== null && document.getElementById('gloss-pre') === null`)
	if n := eval[int](b, `document.querySelectorAll('#story-table').length`); n != 1 {
		t.Fatalf("%d story tables in the page after the take-over, want 1", n)
	}
	b.waitFor(`document.querySelector('#story-table tr.story-row[data-quantity="dead"]').classList.contains('conflict')`)
}

func ptr[T any](v T) *T { return &v }

// TestStoryColumnsFilled: the server's table of the 50-article story comes
// as a skeleton and one block per column (storyview.Split); the page
// shows the columns that fill the window first, then puts in the others,
// and ends with the whole table, node for node as one piece of HTML would
// give it (links and tab order in the table's order), the wasm held back.
func TestStoryColumnsFilled(t *testing.T) {
	srv := startServer(t)
	story, _, _ := loadStory(t, srv)
	u := fmt.Sprintf("%s/stories/%d", srv.URL, story)
	_, page := fetchPage(t, httpLogin(t, srv.URL, "bob"), u)
	skel := regexp.MustCompile(`<script type="text/html" data-fill="story-table">(.*?)</script>`).FindStringSubmatch(page)
	cols := regexp.MustCompile(`<script type="text/html" data-column="story-table">(.*?)</script>`).FindAllStringSubmatch(page, -1)
	if skel == nil || len(cols) != storyDocs {
		t.Fatalf("page has a skeleton: %v, %d column blocks, want %d", skel != nil, len(cols), storyDocs)
	}
	// The whole table: each column's cells before each row's last cell.
	rowRe := regexp.MustCompile(`<tr>(.*?)</tr>`)
	var ins []string
	for _, c := range cols {
		for i, r := range rowRe.FindAllStringSubmatch(c[1], -1) {
			if i == len(ins) {
				ins = append(ins, "")
			}
			ins[i] += r[1]
		}
	}
	whole := skel[1]
	at := 0
	for i, cells := range ins {
		mark := `<td class="story-summary">`
		if i == 0 {
			mark = `<th scope="col">Summary</th>`
		}
		j := strings.Index(whole[at:], mark)
		if j < 0 {
			t.Fatalf("skeleton row %d has no summary", i)
		}
		whole = whole[:at+j] + cells + whole[at+j:]
		at += j + len(cells) + len(mark)
	}

	b := newBrowser(t)
	sessionCookie(t, b, srv.URL, "bob")
	holdWasm(b)
	tab := storyTab(b)
	navigateNoWait(tab, u)
	tab.waitFor(`window.bench && window.bench.table > 0`)
	checkInView(t, tab)
	if n := eval[int](tab, `window.bench.cols`); n >= storyDocs {
		t.Errorf("the first frame had all %d columns: nothing was left for later", n)
	}
	if n, all := eval[int](tab, `window.bench.rows`), len(strings.Fields(storyQuantities)); n >= all {
		t.Errorf("the first frame had all %d rows, though the first %d reached below the window", all, n)
	}
	tab.waitFor(fmt.Sprintf(`document.querySelectorAll('#gloss-pre #story-table thead th[data-doc]').length === %d`, storyDocs))
	js, _ := json.Marshal(whole)
	if !eval[bool](tab, fmt.Sprintf(`(() => { const d = document.createElement('div'); d.innerHTML = %s;
		return d.firstElementChild.isEqualNode(document.querySelector('#gloss-pre #story-table table')); })()`, js)) {
		t.Fatal("the table put together in the page differs from the whole table")
	}
	if eval[int](tab, `document.querySelectorAll('script[data-column]').length`) != 0 {
		t.Error("column blocks left in the page")
	}
}

// TestStoryManyArticlesLive: a story of 50 articles — more than the
// default cap of 32 sockets per user — is live on its one story socket:
// alice tags a figure in the last article and bob's table shows it.
func TestStoryManyArticlesLive(t *testing.T) {
	srv := startServer(t) // the default hub: 32 sockets per user
	story, ids, texts := loadStory(t, srv)
	if len(ids) <= 32 {
		t.Fatalf("the story has %d articles; the test needs more than the cap of 32", len(ids))
	}
	bob := newBrowser(t)
	bob.login(srv.URL, "bob")
	bob.do(chromedp.Navigate(fmt.Sprintf("%s/stories/%d", srv.URL, story)))
	bob.waitFor(`document.querySelector('.storypage[data-live="1"]') !== null`)

	alice := dialAs(t, srv, sessionOf(t, srv, "alice"))
	defer alice.Close()
	last := len(ids) - 1
	quote := "77 people dead"
	at := strings.Index(texts[last], quote)
	if at < 0 {
		t.Fatalf("the last article has no %q", quote)
	}
	start := utf8.RuneCountInString(texts[last][:at])
	alice.hello(ids[last])
	alice.send(t, protocol.Op{ID: "many-op", Kind: protocol.KindAdd, Ann: &model.Annotation{ID: "many-fig",
		Label: "figure", Start: start, End: start + utf8.RuneCountInString(quote), Quote: quote}})
	bob.waitFor(fmt.Sprintf(`document.querySelector('#story-table a[href="/doc/%d#ann-many-fig"]') !== null`, ids[last]))
	if got := eval[string](bob, fmt.Sprintf(`document.querySelector('#story-table a[href="/doc/%d#ann-many-fig"]').textContent`, ids[last])); !strings.Contains(got, "77") {
		t.Errorf("the new figure's cell reads %q", got)
	}
	if notices := eval[string](bob, `document.getElementById('story-notices').textContent`); notices != "" {
		t.Errorf("the story view shows notices: %q", notices)
	}
}

// sessionOf logs user in over HTTP and returns the session cookie's value.
func sessionOf(t testing.TB, srv *server, user string) string {
	t.Helper()
	return sessionIn(t, httpLogin(t, srv.URL, user), srv.URL)
}

// sessionIn is the session cookie's value in hc's jar for base.
func sessionIn(t testing.TB, hc *http.Client, base string) string {
	t.Helper()
	u, _ := url.Parse(base)
	for _, c := range hc.Jar.Cookies(u) {
		if c.Name == "gloss_session" {
			return c.Value
		}
	}
	t.Fatal("no session cookie")
	return ""
}

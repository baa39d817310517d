package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"golang.org/x/crypto/bcrypt"

	"gloss/server/internal/api"
	"gloss/server/internal/auth"
	"gloss/server/internal/hub"
	"gloss/server/internal/store"
	"gloss/shared/model"
	"gloss/shared/protocol"
)

func TestMain(m *testing.M) {
	auth.Cost = bcrypt.MinCost // logins by the hundred; the cost is tested in auth
	os.Exit(m.Run())
}

const password = "password-123"

// Roles of the fixture's users in project 1, by the name the tables use.
var roleUser = map[string]string{
	"admin":     "admin", // also a site admin
	"reviewer":  "rita",
	"annotator": "alice",
	"viewer":    "vic",
	"outsider":  "eve", // annotator of another project only
}

var roles = []string{"admin", "reviewer", "annotator", "viewer", "outsider"}

// fixture is a server on a new SQLite file with project 1 ("news": one
// document, annotated by bob) and project 2 (eve's), and the users above
// plus bob (annotator) and root (site admin, member of nothing).
type fixture struct {
	t     *testing.T
	st    store.Store
	srv   *httptest.Server
	doc   int64
	users map[string]model.User
	logs  *logBuffer // what the server logged
}

// logBuffer is an io.Writer safe for the server's goroutines.
type logBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	return newFixtureConfig(t, api.Config{ToolVersion: "gloss test"})
}

// newFixtureConfig is newFixture with the API configured by cfg.
func newFixtureConfig(t *testing.T, cfg api.Config) *fixture {
	t.Helper()
	ctx := context.Background()
	st, err := store.OpenSQLite(ctx, filepath.Join(t.TempDir(), "gloss.db"))
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, st: st, users: map[string]model.User{}}
	hash, err := auth.HashPassword(password)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"admin", "rita", "alice", "vic", "eve", "bob", "root"} {
		u, err := st.CreateUser(ctx, name, hash)
		if err != nil {
			t.Fatal(err)
		}
		f.users[name] = u
	}
	for _, name := range []string{"admin", "root"} {
		if err := st.SetSiteAdmin(ctx, f.users[name].ID, true); err != nil {
			t.Fatal(err)
		}
	}
	p, _ := st.CreateProject(ctx, "news", model.DefaultSchema())
	other, _ := st.CreateProject(ctx, "elsewhere", model.DefaultSchema())
	for name, role := range map[string]model.Role{"admin": model.RoleAdmin, "rita": model.RoleReviewer, "alice": model.RoleAnnotator,
		"vic": model.RoleViewer, "bob": model.RoleAnnotator} {
		if err := st.SetMember(ctx, p.ID, f.users[name].ID, role); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.SetMember(ctx, other.ID, f.users["eve"].ID, model.RoleAnnotator); err != nil {
		t.Fatal(err)
	}
	docs, err := st.AddDocuments(ctx, p.ID, []model.Document{{Name: "d1", Text: "Officials said at least 40 people died."}})
	if err != nil {
		t.Fatal(err)
	}
	f.doc = docs[0].ID
	if _, err := st.AddDocuments(ctx, other.ID, []model.Document{{Name: "o1", Text: "Elsewhere."}}); err != nil {
		t.Fatal(err)
	}
	b1 := model.Annotation{ID: "b1", Document: f.doc, Layer: "bob", Label: "claim", Start: 0, End: 14, Quote: "Officials said", Author: "bob", Version: 1}
	if _, err := st.Commit(ctx, f.doc, []protocol.Op{{ID: "seed", Kind: protocol.KindAdd, Ann: &b1, User: "bob"}}); err != nil {
		t.Fatal(err)
	}
	f.logs = &logBuffer{}
	var logTo io.Writer = f.logs
	if testing.Verbose() {
		logTo = io.MultiWriter(f.logs, os.Stderr)
	}
	log := slog.New(slog.NewTextHandler(logTo, nil))
	h := hub.New(st, log, hub.Config{})
	a := api.New(st, h, log, cfg, http.NotFoundHandler())
	f.srv = httptest.NewServer(a.Handler())
	t.Cleanup(func() {
		f.srv.Close()
		h.Close()
		st.Close()
	})
	return f
}

// client is one browser (cookie jar) or script (API token).
type client struct {
	t      *testing.T
	base   string
	hc     *http.Client
	csrf   string
	bearer string
	origin string // "" sends the server's own origin
	// header is added to every request (e.g. a proxy's X-Forwarded-Proto).
	header http.Header
}

func newClient(t *testing.T, base string) *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: t, base: base, hc: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// login logs name in and picks up the session's CSRF token.
func (f *fixture) login(name string) *client {
	f.t.Helper()
	c := newClient(f.t, f.srv.URL)
	if st, loc := c.postLogin(name, password, ""); st != http.StatusSeeOther || loc != "/" {
		f.t.Fatalf("login as %s: %d → %s", name, st, loc)
	}
	var me api.Me
	c.getJSON("/api/me", &me)
	if me.CSRF == "" {
		f.t.Fatalf("GET /api/me gave %s no CSRF token", name)
	}
	c.csrf = me.CSRF
	return c
}

// as logs in the user who has role in project 1.
func (f *fixture) as(role string) *client { return f.login(roleUser[role]) }

// token returns a script client with a new API token of name.
func (f *fixture) token(name string) *client {
	token, hash := auth.NewToken()
	if _, err := f.st.CreateAPIToken(context.Background(), f.users[name].ID, "test", hash); err != nil {
		f.t.Fatal(err)
	}
	c := newClient(f.t, f.srv.URL)
	c.bearer = token
	return c
}

func (c *client) postLogin(name, pw, accept string) (int, string) {
	c.t.Helper()
	req, _ := http.NewRequest("POST", c.base+"/api/login", strings.NewReader(url.Values{"name": {name}, "password": {pw}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", c.base)
	if c.origin != "" {
		req.Header.Set("Origin", c.origin)
	}
	for k, vs := range c.header {
		req.Header[k] = vs
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("Location")
}

// request sends a request the way the UI (or a script) does: same
// origin, CSRF header, JSON body unless body is already a reader.
func (c *client) request(method, path string, body any, header http.Header) (int, []byte) {
	c.t.Helper()
	var rd io.Reader
	ct := ""
	switch b := body.(type) {
	case nil:
	case io.Reader:
		rd = b
	default:
		data, err := json.Marshal(b)
		if err != nil {
			c.t.Fatal(err)
		}
		rd, ct = bytes.NewReader(data), "application/json"
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	if err != nil {
		c.t.Fatal(err)
	}
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	if c.bearer != "" {
		req.Header.Set("Authorization", "Bearer "+c.bearer)
	} else {
		origin := c.origin
		if origin == "" {
			origin = c.base
		}
		req.Header.Set("Origin", origin)
		if c.csrf != "" {
			req.Header.Set(api.CSRFHeader, c.csrf)
		}
	}
	for k, vs := range c.header {
		req.Header[k] = vs
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, data
}

func (c *client) do(method, path string, body any) (int, []byte) {
	c.t.Helper()
	return c.request(method, path, body, nil)
}

func (c *client) getJSON(path string, v any) {
	c.t.Helper()
	st, data := c.do("GET", path, nil)
	if st != http.StatusOK {
		c.t.Fatalf("GET %s: %d %s", path, st, data)
	}
	if err := json.Unmarshal(data, v); err != nil {
		c.t.Fatalf("GET %s: %v", path, err)
	}
}

// state is everything the API can change, to check that a refused request
// changed nothing.
func (f *fixture) state() string {
	f.t.Helper()
	ctx := context.Background()
	var b strings.Builder
	users, _ := f.st.Users(ctx)
	fmt.Fprintf(&b, "users %v\n", users)
	ps, _ := f.st.Projects(ctx)
	for _, p := range ps {
		ms, _ := f.st.Members(ctx, p.ID)
		docs, _ := f.st.Documents(ctx, p.ID)
		as, _ := f.st.Assignments(ctx, p.ID)
		for i := range as {
			as[i].Updated = time.Time{}
		}
		fmt.Fprintf(&b, "project %+v\nmembers %v\ndocs %v\nassignments %v\n", p, ms, docs, as)
		for _, d := range docs {
			snap, _ := f.st.Snapshot(ctx, d.ID)
			full, _ := f.st.Document(ctx, d.ID)
			fmt.Fprintf(&b, "doc %d seq %d anns %d meta %v\n", d.ID, snap.Seq, len(snap.Annotations), full.Meta)
		}
		ss, _ := f.st.Stories(ctx, p.ID)
		fmt.Fprintf(&b, "stories %+v\n", ss)
	}
	ts, _ := f.st.APITokens(ctx, 0)
	fmt.Fprintf(&b, "tokens %d\n", len(ts))
	return b.String()
}

// ws opens a websocket the way the browser does (cookie, same Origin), or
// with the client's API token.
func (c *client) ws(header http.Header) (*websocket.Conn, *http.Response, error) {
	u, _ := url.Parse(c.base)
	if header == nil {
		header = http.Header{}
	}
	for k, vs := range c.header {
		if _, set := header[k]; !set {
			header[k] = vs
		}
	}
	if c.bearer != "" {
		header.Set("Authorization", "Bearer "+c.bearer)
	} else {
		for _, ck := range c.hc.Jar.Cookies(u) {
			header.Add("Cookie", ck.Name+"="+ck.Value)
		}
		if _, set := header["Origin"]; !set {
			header.Set("Origin", c.base)
		}
	}
	return websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(c.base, "http")+"/ws", header)
}

// hello joins doc and returns the welcome, or the error that ended the
// connection.
func hello(conn *websocket.Conn, doc int64) (protocol.Message, error) {
	if err := conn.WriteJSON(protocol.Message{Type: protocol.TypeHello, Proto: protocol.Version, Doc: doc}); err != nil {
		return protocol.Message{}, err
	}
	for {
		m, err := read(conn)
		if err != nil || m.Type == protocol.TypeWelcome {
			return m, err
		}
	}
}

func read(conn *websocket.Conn) (protocol.Message, error) {
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	var m protocol.Message
	err := conn.ReadJSON(&m)
	return m, err
}

// send sends op and returns the ack or error about it.
func send(conn *websocket.Conn, op protocol.Op) (protocol.Message, error) {
	if err := conn.WriteJSON(protocol.Message{Type: protocol.TypeOp, Op: &op}); err != nil {
		return protocol.Message{}, err
	}
	for {
		m, err := read(conn)
		if err != nil {
			return m, err
		}
		if (m.Type == protocol.TypeAck || m.Type == protocol.TypeError) && m.OpID == op.ID {
			return m, nil
		}
	}
}

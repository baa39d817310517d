// Package synctest runs live sync end to end for tests and benchmarks: a
// hub behind an httptest server on a real SQLite file, and a websocket
// client that speaks the wire protocol and follows the op stream with
// docstate, as the browser does. (It is unrelated to the standard
// library's testing/synctest.)
package synctest

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"gloss/server/internal/hub"
	"gloss/server/internal/store"
	"gloss/shared/model"
)

// Text is the default document: news prose with accented letters, curly
// quotes and a character outside the BMP, so that code point offsets
// differ from byte and UTF-16 offsets.
var Text = strings.Repeat("Officials in Zürich said on Tuesday that at least 40 people were evacuated, "+
	"according to a statement — “the river rose 2.5 m overnight” 🌊, CNN reported. ", 20)

// Options configure NewServer; zero values mean defaults.
type Options struct {
	// Hub configures the hub; unlike hub.New, zero OpRate,
	// MaxConnsPerUser and MaxConnsPerAddr mean no limit here.
	Hub  hub.Config
	Text string       // the first document's text; Text by default
	Log  *slog.Logger // the hub's log; discarded by default (stderr with -v)
	// DB is the SQLite file; a file in tb.TempDir() by default.
	DB string
	// Store, if set, is used instead of a SQLite file (say, PostgreSQL);
	// the server closes it when the test ends. A store that is a
	// store.Notifier is followed (Hub.Follow), as server/main.go does.
	Store store.Store
	// WrapStore, if set, wraps the store the hub uses, to change its
	// behaviour (say, to act as another server instance would).
	WrapStore func(store.Store) store.Store
}

// Server is a hub on a real store (SQLite unless Options.Store says
// otherwise) behind an httptest server. Its
// handler at /ws stands in for the API's: it takes the user from the
// "user" query parameter instead of a session, and upgrades with the
// same buffer sizes as package api before handing the connection to
// Hub.Serve.
type Server struct {
	Store   store.Store
	Hub     *hub.Hub
	HTTP    *httptest.Server
	Project model.Project
	Doc     model.Document // the first document

	tb       testing.TB
	upgrader websocket.Upgrader

	users *users
	log   *slog.Logger
}

// users are the accounts the /ws handler knows, shared by the instances
// of one database.
type users struct {
	mu      sync.Mutex
	byName  map[string]model.User
	revoked map[string]bool
}

// NewServer starts a server with one project (model.DefaultSchema) and one
// document. It stops when the test ends: hub first, then HTTP, then store.
func NewServer(tb testing.TB, opt Options) *Server {
	tb.Helper()
	ctx := context.Background()
	if opt.DB == "" {
		opt.DB = filepath.Join(tb.TempDir(), "gloss.db")
	}
	if opt.Text == "" {
		opt.Text = Text
	}
	if opt.Log == nil {
		var w io.Writer = io.Discard
		if testing.Verbose() {
			w = os.Stderr
		}
		opt.Log = slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	var st store.Store = opt.Store
	if st == nil {
		var err error
		if st, err = store.OpenSQLite(ctx, opt.DB); err != nil {
			tb.Fatal(err)
		}
	}
	s := &Server{Store: st, tb: tb, users: &users{byName: map[string]model.User{}, revoked: map[string]bool{}}}
	var err error
	if s.Project, err = st.CreateProject(ctx, "test", model.DefaultSchema()); err != nil {
		tb.Fatal(err)
	}
	s.Doc = s.AddDocument(opt.Text)
	s.start(opt)
	return s
}

// Instance starts another server instance on the same database (st is
// a store of its own on it), with the same project, document and users:
// as several Gloss processes behind a load balancer.
func (s *Server) Instance(st store.Store, opt Options) *Server {
	s.tb.Helper()
	o := &Server{Store: st, tb: s.tb, users: s.users, Project: s.Project, Doc: s.Doc}
	if opt.Log == nil {
		opt.Log = s.log
	}
	o.start(opt)
	return o
}

// start runs the hub and its HTTP server until the test ends: hub first,
// then HTTP, then store.
func (s *Server) start(opt Options) {
	s.upgrader = websocket.Upgrader{
		ReadBufferSize:  1024,
		WriteBufferSize: 1024,
		WriteBufferPool: &sync.Pool{},
		CheckOrigin:     func(*http.Request) bool { return true },
	}
	hs := s.Store
	if opt.WrapStore != nil {
		hs = opt.WrapStore(s.Store)
	}
	s.log = opt.Log
	// Tests flood one document from one address: no op rate limit and no
	// connection caps, unless the test sets them.
	if opt.Hub.OpRate == 0 {
		opt.Hub.OpRate = -1
	}
	if opt.Hub.MaxConnsPerUser == 0 {
		opt.Hub.MaxConnsPerUser = -1
	}
	if opt.Hub.MaxConnsPerAddr == 0 {
		opt.Hub.MaxConnsPerAddr = -1
	}
	s.Hub = hub.New(hs, opt.Log, opt.Hub)
	ctx, stop := context.WithCancel(context.Background())
	followed := make(chan struct{})
	if n, ok := s.Store.(store.Notifier); ok {
		go func() {
			defer close(followed)
			s.Hub.Follow(ctx, n)
		}()
	} else {
		close(followed)
	}
	s.HTTP = httptest.NewServer(http.HandlerFunc(s.serveWS))
	s.tb.Cleanup(func() {
		stop()
		<-followed
		s.Hub.Close()
		s.HTTP.Close()
		s.Store.Close()
	})
}

// AddDocument adds a document to the project.
func (s *Server) AddDocument(text string) model.Document {
	s.tb.Helper()
	docs, err := s.Store.AddDocuments(context.Background(), s.Project.ID, []model.Document{{Name: "doc", Text: text}})
	if err != nil {
		s.tb.Fatal(err)
	}
	return docs[0]
}

// AddUser creates a user who is a member of the project with role, or
// with no membership if role is "".
func (s *Server) AddUser(name string, role model.Role) model.User {
	s.tb.Helper()
	ctx := context.Background()
	u, err := s.Store.CreateUser(ctx, name, []byte("x"))
	if err != nil {
		s.tb.Fatal(err)
	}
	if role != "" {
		if err := s.Store.SetMember(ctx, s.Project.ID, u.ID, role); err != nil {
			s.tb.Fatal(err)
		}
	}
	s.users.mu.Lock()
	s.users.byName[name] = u
	s.users.mu.Unlock()
	return u
}

// Revoke makes the credentials of user's sockets invalid, as a logout or
// a revoked token does: the store ends the user's sessions (which moves
// its rights epoch), and the sockets' credential checks fail from now on.
func (s *Server) Revoke(user string) {
	s.tb.Helper()
	s.users.mu.Lock()
	s.users.revoked[user] = true
	u := s.users.byName[user]
	s.users.mu.Unlock()
	ctx := context.Background()
	// A session to end, so that the deletion is a real change.
	if err := s.Store.CreateSession(ctx, []byte("synctest-"+user), u.ID, time.Now().Add(time.Hour)); err != nil {
		s.tb.Fatal(err)
	}
	if err := s.Store.DeleteSessions(ctx, u.ID); err != nil {
		s.tb.Fatal(err)
	}
}

// URL returns the websocket URL at which user connects.
func (s *Server) URL(user string) string {
	return "ws" + strings.TrimPrefix(s.HTTP.URL, "http") + "/ws?user=" + user
}

// SlowURL is like URL, but the server side of the connection gets a small
// kernel send buffer (SO_SNDBUF of sndbuf bytes), so that a client that
// does not read fills it quickly, as over a slow network.
func (s *Server) SlowURL(user string, sndbuf int) string {
	return s.URL(user) + "&sndbuf=" + strconv.Itoa(sndbuf)
}

func (s *Server) serveWS(w http.ResponseWriter, r *http.Request) {
	s.users.mu.Lock()
	u, ok := s.users.byName[r.URL.Query().Get("user")]
	s.users.mu.Unlock()
	if !ok {
		http.Error(w, "unknown user", http.StatusUnauthorized)
		return
	}
	conn, err := s.upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	if n, _ := strconv.Atoi(r.URL.Query().Get("sndbuf")); n > 0 {
		if tc, ok := conn.NetConn().(*net.TCPConn); ok {
			tc.SetWriteBuffer(n)
		}
	}
	name := u.Name
	s.Hub.Serve(conn, u, hub.ServeOptions{Credential: func(context.Context) error {
		s.users.mu.Lock()
		defer s.users.mu.Unlock()
		if s.users.revoked[name] {
			return hub.ErrRevoked
		}
		return nil
	}})
}

// Snapshot returns the store's snapshot of doc.
func (s *Server) Snapshot(doc int64) store.Snapshot {
	s.tb.Helper()
	snap, err := s.Store.Snapshot(context.Background(), doc)
	if err != nil {
		s.tb.Fatal(err)
	}
	return snap
}

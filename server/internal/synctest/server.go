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
	Hub  hub.Config
	Text string       // the first document's text; Text by default
	Log  *slog.Logger // the hub's log; discarded by default (stderr with -v)
	// DB is the SQLite file; a file in tb.TempDir() by default.
	DB string
	// WrapStore, if set, wraps the store the hub uses, to change its
	// behaviour (say, to act as another server instance would).
	WrapStore func(store.Store) store.Store
}

// Server is a hub on a real SQLite store behind an httptest server. Its
// handler at /ws stands in for the API's: it takes the user from the
// "user" query parameter instead of a session, and upgrades with the
// same buffer sizes as package api before handing the connection to
// Hub.Serve.
type Server struct {
	Store   *store.SQLite
	Hub     *hub.Hub
	HTTP    *httptest.Server
	Project model.Project
	Doc     model.Document // the first document

	tb       testing.TB
	upgrader websocket.Upgrader

	mu    sync.Mutex
	users map[string]model.User
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
	st, err := store.OpenSQLite(ctx, opt.DB)
	if err != nil {
		tb.Fatal(err)
	}
	s := &Server{Store: st, tb: tb, users: map[string]model.User{}}
	s.upgrader = websocket.Upgrader{
		ReadBufferSize:  1024,
		WriteBufferSize: 1024,
		WriteBufferPool: &sync.Pool{},
		CheckOrigin:     func(*http.Request) bool { return true },
	}
	if s.Project, err = st.CreateProject(ctx, "test", model.DefaultSchema()); err != nil {
		tb.Fatal(err)
	}
	s.Doc = s.AddDocument(opt.Text)
	var hs store.Store = st
	if opt.WrapStore != nil {
		hs = opt.WrapStore(st)
	}
	s.Hub = hub.New(hs, opt.Log, opt.Hub)
	s.HTTP = httptest.NewServer(http.HandlerFunc(s.serveWS))
	tb.Cleanup(func() {
		s.Hub.Close()
		s.HTTP.Close()
		st.Close()
	})
	return s
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
	s.mu.Lock()
	s.users[name] = u
	s.mu.Unlock()
	return u
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
	s.mu.Lock()
	u, ok := s.users[r.URL.Query().Get("user")]
	s.mu.Unlock()
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
	s.Hub.Serve(conn, u)
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

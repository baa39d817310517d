package cli

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gloss/server/internal/api"
	"gloss/server/internal/auth"
	"gloss/server/internal/hub"
	"gloss/server/internal/store"
	"gloss/shared/model"
)

// slowServer serves the whole API with httpServer's timeouts, shortened:
// a 1 s read timeout and a 3 s upload timeout. It returns the address and
// an API token of a project admin.
func slowServer(t *testing.T) (addr, token string) {
	t.Helper()
	ctx := context.Background()
	st, err := store.OpenSQLite(ctx, filepath.Join(t.TempDir(), "gloss.db"))
	if err != nil {
		t.Fatal(err)
	}
	u, _ := st.CreateUser(ctx, "boss", []byte("x"))
	p, _ := st.CreateProject(ctx, "news", model.DefaultSchema())
	if err := st.SetMember(ctx, p.ID, u.ID, model.RoleAdmin); err != nil {
		t.Fatal(err)
	}
	token, hash := auth.NewToken()
	if _, err := st.CreateAPIToken(ctx, u.ID, "test", hash); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	h := hub.New(st, log, hub.Config{})
	a := api.New(st, h, log, api.Config{UploadTimeout: 3 * time.Second}, http.NotFoundHandler())
	srv := httpServer(a.Handler(), Config{ReadTimeout: time.Second})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() {
		srv.Close()
		h.Close()
		st.Close()
	})
	return ln.Addr().String(), token
}

// trickle sends a POST whose body of size bytes arrives one byte per
// every, and returns how long the server took to answer or hang up, and
// whether it answered 201.
func trickle(t *testing.T, addr, path, token string, size int, every time.Duration) (time.Duration, bool) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	start := time.Now()
	fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", path, addr, token, size)
	body := `{"documents":[{"text":"` + strings.Repeat("x", size-len(`{"documents":[{"text":""}]}`)) + `"}]}`
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(every)
		defer tick.Stop()
		for i := range len(body) {
			if _, err := conn.Write([]byte{body[i]}); err != nil {
				return // the server hung up
			}
			<-tick.C
		}
	}()
	// The server must answer or hang up long before the client is done
	// sending (size × every).
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	took := time.Since(start)
	conn.Close()
	<-done
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatalf("POST %s: the server still held the slow request after %v", path, took)
	}
	return took, err == nil && resp.StatusCode == http.StatusCreated
}

// TestSlowClientIsCut: a POST that trickles its body (slow loris) is cut
// after the read timeout, an upload after the longer upload timeout, and
// an upload that arrives within that bound succeeds although it took
// longer than the read timeout.
func TestSlowClientIsCut(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for timeouts")
	}
	addr, token := slowServer(t)
	// 100 bytes at one per 200 ms would take 20 s.
	if took, _ := trickle(t, addr, "/api/tokens", token, 100, 200*time.Millisecond); took > 3*time.Second {
		t.Errorf("a slow-loris POST was cut after %v, want about the 1 s read timeout", took)
	}
	if took, ok := trickle(t, addr, "/api/projects/1/documents", token, 100, 200*time.Millisecond); ok || took > 6*time.Second {
		t.Errorf("a slow-loris upload was cut after %v (created: %v), want about the 3 s upload timeout", took, ok)
	}
	// 40 bytes at one per 40 ms: 1.6 s, over the read timeout, under the upload one.
	if took, ok := trickle(t, addr, "/api/projects/1/documents", token, 40, 40*time.Millisecond); !ok {
		t.Errorf("an upload that took %v (under the upload timeout) was not accepted", took)
	}
}

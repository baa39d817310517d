package pgtest

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
)

// Server is a PostgreSQL server that one test owns, so that it may stop
// and start it — to see its code through a database restart — without
// disturbing the tests that share the package's server.
type Server struct{ s *server }

// Start starts a server of t's own, stopped when t ends. It skips t (or,
// under CI, fails it) when PostgreSQL is not installed.
func Start(t testing.TB) *Server {
	t.Helper()
	bin, err := findBinDir()
	if err != nil {
		unavailable(t, err)
	}
	srv, err := start(bin)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	t.Cleanup(func() {
		if err := srv.stop(); err != nil {
			t.Errorf("pgtest: %v", err)
		}
	})
	return &Server{srv}
}

// Database creates a new, empty database and returns its DSN.
func (s *Server) Database(t testing.TB) string {
	t.Helper()
	name := fmt.Sprintf("gloss_test_%d", databases.Add(1))
	if err := s.s.admin(t.Context(), "CREATE DATABASE "+name); err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	return s.s.dsn(name)
}

// Stop stops the server as a crash would (pg_ctl stop -m immediate: no
// checkpoint, every connection cut); committed transactions survive.
func (s *Server) Stop() error {
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	out, err := s.s.command(ctx, "pg_ctl", "stop", "-D", filepath.Join(s.s.dir, "data"), "-m", "immediate", "-w").CombinedOutput()
	if err != nil {
		return fmt.Errorf("pgtest: pg_ctl stop: %v\n%s", err, out)
	}
	<-s.s.exited
	return nil
}

// Restart starts a stopped server again, on the same port, and waits until
// it accepts connections (after its crash recovery).
func (s *Server) Restart() error {
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	if err := s.s.runOn(ctx, s.s.port); err != nil {
		return fmt.Errorf("pgtest: restart: %w", err)
	}
	return nil
}

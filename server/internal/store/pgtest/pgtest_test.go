package pgtest

import (
	"os"
	"testing"

	"github.com/jackc/pgx/v5"
)

func TestMain(m *testing.M) { os.Exit(Main(m)) }

// TestNew checks that each call gets its own empty database on a durable
// server listening on loopback.
func TestNew(t *testing.T) {
	a, b := New(t), New(t)
	if a == b {
		t.Fatalf("New returned %q twice", a)
	}
	for _, dsn := range []string{a, b} {
		conn, err := pgx.Connect(t.Context(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		var fsync, addr string
		var tables int
		var byteOrder bool
		err = conn.QueryRow(t.Context(), `SELECT current_setting('fsync'), inet_server_addr()::text,
			(SELECT count(*) FROM pg_tables WHERE schemaname = 'public'), 'B' < 'a'`).Scan(&fsync, &addr, &tables, &byteOrder)
		conn.Close(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		// Only a language's collation lets the store's tests catch a
		// missing COLLATE "C"; say when the server could not provide one.
		if byteOrder {
			t.Logf("%s collates by byte (no ICU): ordering tests cannot catch a missing COLLATE \"C\"", dsn)
		}
		if fsync != "on" || addr != "127.0.0.1/32" || tables != 0 {
			t.Errorf("%s: fsync=%s addr=%s tables=%d, want on, 127.0.0.1/32, 0", dsn, fsync, addr, tables)
		}
	}
}

func TestNewer(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"16", "15", true},
		{"15", "16", false},
		{"10", "9.6", true},
		{"9.6", "9.5", true},
		{"15", "", true},
	}
	for _, tc := range tests {
		a, _ := parseVersion(tc.a)
		var b []int
		if tc.b != "" {
			b, _ = parseVersion(tc.b)
		}
		if got := newer(a, b); got != tc.want {
			t.Errorf("newer(%s, %s) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}

package store

import (
	"errors"
	"strings"
	"testing"

	"gloss/shared/docstate"
)

// TestDecodeOp reads op log bodies of each format: the wire JSON that the
// store wrote before the storage record (no "v"), the record, and a
// format from a newer server, which is refused rather than misread.
func TestDecodeOp(t *testing.T) {
	old := `{"id":"op5","kind":"update","ann":{"id":"a3","doc":1,"layer":"bob","label":"claim","start":4,"end":17,"quote":"reported that","author":"bob","version":2,"created":"2026-01-02T03:04:07Z","updated":"2026-01-02T03:04:09Z"},"version":1,"seq":5,"user":"bob","time":1767323049000}`
	op, err := decodeOp(old)
	if err != nil || op.ID != "op5" || op.Ann == nil || op.Ann.Quote != "reported that" || op.Ann.Version != 2 || op.Version != 1 || op.Seq != 5 || op.Time != 1767323049000 {
		t.Fatalf("old row: %+v, %v", op, err)
	}
	body, err := encodeOp(op)
	if err != nil || !strings.HasPrefix(body, `{"v":1,`) {
		t.Fatalf("encode: %s, %v", body, err)
	}
	again, err := decodeOp(body)
	if err != nil || again.Ann == nil || *again.Ann != *op.Ann || again.ID != op.ID || again.Seq != op.Seq {
		t.Errorf("round trip: %+v, %v", again, err)
	}
	if _, err := decodeOp(`{"v":2,"id":"x"}`); err == nil {
		t.Error("a newer format decoded")
	}
	if _, err := decodeOp(`{`); err == nil || errors.Is(err, nil) {
		t.Error("broken JSON decoded")
	}
}

func TestRebind(t *testing.T) {
	q := `SELECT a FROM t WHERE x = ? AND y IN (?, ?) ORDER BY a{C}{LOCK}`
	if got, want := postgresDialect.rebind(q), `SELECT a FROM t WHERE x = $1 AND y IN ($2, $3) ORDER BY a COLLATE "C" FOR UPDATE`; got != want {
		t.Errorf("postgres: %s, want %s", got, want)
	}
	if got, want := sqliteDialect.rebind(q), `SELECT a FROM t WHERE x = ? AND y IN (?, ?) ORDER BY a`; got != want {
		t.Errorf("sqlite: %s, want %s", got, want)
	}
}

// TestCascade: every kind of record that docstate deletes with an
// annotation has its statement here.
func TestCascade(t *testing.T) {
	for _, d := range docstate.DeleteCascade {
		if _, ok := cascade[d]; !ok {
			t.Errorf("no statement deletes dependent %d of a deleted annotation", d)
		}
	}
}

package store_test

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"gloss/server/internal/store"
	"gloss/shared/docstate"
	"gloss/shared/model"
	"gloss/shared/protocol"
)

// TestSQLiteOpensV5 opens testdata/v5.db, a database written by the store
// of commit 4cb3e90 (schema version 5, op log rows in the wire format of
// protocol.Op, rights triggers installed), and checks that everything in
// it reads back and that it takes new ops.
func TestSQLiteOpensV5(t *testing.T) {
	ctx := t.Context()
	b, err := os.ReadFile(filepath.Join("testdata", "v5.db"))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "v5.db")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := store.OpenSQLite(ctx, path)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	defer s.Close()

	users, err := s.Users(ctx)
	if err != nil || len(users) != 2 || users[0].Name != "alice" || !users[0].SiteAdmin || users[1].Name != "bob" || users[1].SiteAdmin {
		t.Fatalf("users = %+v, %v", users, err)
	}
	if _, hash, err := s.UserByName(ctx, "bob"); err != nil || string(hash) != "hash-b" {
		t.Errorf("bob's hash = %q, %v", hash, err)
	}
	if sess, err := s.SessionByToken(ctx, []byte("session-hash")); err != nil || sess.User.Name != "bob" {
		t.Errorf("session = %+v, %v", sess, err)
	}
	if sess, err := s.SessionByAPIToken(ctx, []byte("token-hash")); err != nil || sess.User.Name != "alice" {
		t.Errorf("API token session = %+v, %v", sess, err)
	}
	projects, err := s.Projects(ctx)
	if err != nil || len(projects) != 1 || projects[0].Name != "old project" || !reflect.DeepEqual(projects[0].Schema, model.DefaultSchema()) {
		t.Fatalf("projects = %+v, %v", projects, err)
	}
	p := projects[0].ID
	if ms, err := s.Members(ctx, p); err != nil || len(ms) != 2 || ms[0].Role != model.RoleAdmin || ms[1].Role != model.RoleAnnotator {
		t.Errorf("members = %+v, %v", ms, err)
	}
	if st, err := s.ProjectSettings(ctx, p); err != nil || !st.Suggest {
		t.Errorf("settings = %+v, %v", st, err)
	}
	docs, err := s.Documents(ctx, p)
	if err != nil || len(docs) != 1 || docs[0].Annotations != 4 {
		t.Fatalf("documents = %+v, %v", docs, err)
	}
	d, err := s.Document(ctx, docs[0].ID)
	if err != nil || d.Text != "CNN reported that at least 40 people died. Ünïcode 😀." || d.Meta["source"] != "cnn" {
		t.Errorf("document = %+v, %v", d, err)
	}
	if as, err := s.Assignments(ctx, p); err != nil || len(as) != 1 || as[0].User != "bob" {
		t.Errorf("assignments = %+v, %v", as, err)
	}

	// The old op log rows decode, and their replay is the snapshot.
	ops, err := s.OpsSince(ctx, d.ID, 0, 100)
	if err != nil || len(ops) != 8 {
		t.Fatalf("ops = %d, %v", len(ops), err)
	}
	if a := ops[0].Ann; ops[0].Kind != protocol.KindAdd || a == nil || a.Attrs == nil || a.Attrs.Unit != "people" || ops[0].User != "bob" || ops[0].Seq != 1 {
		t.Errorf("first op = %+v", ops[0])
	}
	if ops[5].Kind != protocol.KindAccept || len(ops[5].Reviews) != 2 || ops[5].DocReview == nil {
		t.Errorf("accept op = %+v", ops[5])
	}
	if c := ops[6].Comment; c == nil || c.Text != "Source?\x00 😀" {
		t.Errorf("comment op = %+v", ops[6])
	}
	checkReplay(t, s, d.ID, ops)

	// New ops follow the old ones.
	st := replay(ops)
	next := st.Anns["a3"]
	next.Label, next.Version = "figure", next.Version+1
	first, err := s.Commit(ctx, d.ID, []protocol.Op{{ID: "new1", Kind: protocol.KindUpdate, Ann: &next, Version: next.Version - 1, User: "bob", Time: next.Updated.UnixMilli()}})
	if err != nil || first != 9 {
		t.Fatalf("commit after the upgrade: %d, %v", first, err)
	}
	ops, err = s.OpsSince(ctx, d.ID, 0, 100)
	if err != nil || len(ops) != 9 {
		t.Fatalf("ops after a new commit = %d, %v", len(ops), err)
	}
	checkReplay(t, s, d.ID, ops)
}

func replay(ops []protocol.Op) *docstate.State {
	st := docstate.New()
	for _, op := range ops {
		st.Apply(op)
	}
	return st
}

func checkReplay(t *testing.T, s store.Store, docID int64, ops []protocol.Op) {
	t.Helper()
	st := replay(ops)
	snap, err := s.Snapshot(t.Context(), docID)
	if err != nil {
		t.Fatal(err)
	}
	if snap.Seq != st.Seq || !reflect.DeepEqual(snap.Annotations, st.Annotations()) || !reflect.DeepEqual(snap.Relations, st.Relations()) {
		t.Errorf("snapshot %+v differs from the replay of its op log", snap)
	}
	if !reflect.DeepEqual(snap.Reviews, st.SortedReviews()) || !reflect.DeepEqual(snap.Comments, st.SortedComments()) || snap.DocReview != st.DocReview {
		t.Errorf("snapshot review part %+v %+v %+v differs from the replay", snap.Reviews, snap.Comments, snap.DocReview)
	}
}

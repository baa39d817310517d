package storetest

import (
	"context"
	"testing"
	"time"

	"gloss/server/internal/store"
	"gloss/shared/model"
	"gloss/shared/protocol"
)

// testRightsEpoch checks that every change of a right moves the rights
// epoch, and that edits and logins do not (live sync re-checks its
// connections whenever it moves).
func testRightsEpoch(t *testing.T, s store.Store) {
	ctx := context.Background()
	u, p := userAndProject(t, s, "rights")
	doc := newDoc(t, s, "a text to annotate")
	epoch := func() int64 {
		t.Helper()
		n, err := s.RightsEpoch(ctx)
		if err != nil {
			t.Fatalf("RightsEpoch: %v", err)
		}
		return n
	}
	if err := s.CreateSession(ctx, []byte("sess"), u.ID, time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	tok, err := s.CreateAPIToken(ctx, u.ID, "script", []byte("tok"))
	if err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name  string
		do    func() error
		moves bool
	}{
		{"add member", func() error { return s.SetMember(ctx, p.ID, u.ID, model.RoleAnnotator) }, true},
		{"change role", func() error { return s.SetMember(ctx, p.ID, u.ID, model.RoleViewer) }, true},
		{"commit ops", func() error {
			_, err := s.Commit(ctx, doc, []protocol.Op{addOp("r1", ann(doc, "a1", "claim", 0, 1, "a"))})
			return err
		}, false},
		{"log in", func() error { return s.CreateSession(ctx, []byte("sess2"), u.ID, time.Now().Add(time.Hour)) }, false},
		{"remove member", func() error { return s.RemoveMember(ctx, p.ID, u.ID) }, true},
		{"change password", func() error { return s.SetPassword(ctx, u.ID, []byte("new")) }, true},
		{"site admin", func() error { return s.SetSiteAdmin(ctx, u.ID, true) }, true},
		{"log out", func() error { return s.DeleteSession(ctx, []byte("sess")) }, true},
		{"end sessions", func() error { return s.DeleteSessions(ctx, u.ID) }, true},
		{"revoke token", func() error { return s.DeleteAPIToken(ctx, tok.ID) }, true},
		{"change schema", func() error {
			sc := model.DefaultSchema()
			sc.Labels = append(sc.Labels, model.Label{Name: "extra", Color: "#000000"})
			_, err := s.UpdateSchema(ctx, p.ID, store.SchemaChange{Schema: sc, By: "admin"})
			return err
		}, true},
	}
	for _, st := range steps {
		before := epoch()
		if err := st.do(); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if moved := epoch() != before; moved != st.moves {
			t.Errorf("%s: rights epoch moved = %v, want %v", st.name, moved, st.moves)
		}
	}
}

// userAndProject creates a user and a project, both called name, for a
// test to change the user's rights in.
func userAndProject(t testing.TB, s store.Store, name string) (model.User, model.Project) {
	t.Helper()
	ctx := context.Background()
	u, err := s.CreateUser(ctx, name, []byte("pw"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.CreateProject(ctx, name, model.DefaultSchema())
	if err != nil {
		t.Fatal(err)
	}
	return u, p
}

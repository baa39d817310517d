package storetest

import (
	"testing"
	"time"

	"gloss/server/internal/store"
	"gloss/shared/model"
)

// testDeleteExpiredSessions: expired sessions are deleted, and counted;
// live ones and API tokens stay.
func testDeleteExpiredSessions(t *testing.T, s store.Store) {
	ctx := t.Context()
	alice, _ := s.CreateUser(ctx, "alice", []byte("h"))
	now := time.Now()
	for tok, exp := range map[string]time.Time{"old1": now.Add(-time.Hour), "old2": now.Add(-time.Second), "live": now.Add(time.Hour)} {
		if err := s.CreateSession(ctx, []byte(tok), alice.ID, exp); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.CreateAPIToken(ctx, alice.ID, "script", []byte("api")); err != nil {
		t.Fatal(err)
	}
	if n, err := s.DeleteExpiredSessions(ctx, now); err != nil || n != 2 {
		t.Fatalf("DeleteExpiredSessions = %d, %v; want 2", n, err)
	}
	if n, err := s.DeleteExpiredSessions(ctx, now); err != nil || n != 0 {
		t.Errorf("DeleteExpiredSessions again = %d, %v; want 0", n, err)
	}
	if _, err := s.SessionByToken(ctx, []byte("live")); err != nil {
		t.Errorf("the live session was deleted: %v", err)
	}
	if _, err := s.SessionByAPIToken(ctx, []byte("api")); err != nil {
		t.Errorf("an API token was deleted: %v", err)
	}
}

// testMarkDone: MarkDone sets done on an assignment and never creates
// one.
func testMarkDone(t *testing.T, s store.Store) {
	ctx := t.Context()
	alice, _ := s.CreateUser(ctx, "alice", []byte("h"))
	p, _ := s.CreateProject(ctx, "p", model.DefaultSchema())
	docs, err := s.AddDocuments(ctx, p.ID, []model.Document{{Name: "a", Text: "a"}, {Name: "b", Text: "b"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetAssigned(ctx, docs[0].ID, alice.ID, true); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkDone(ctx, docs[0].ID, alice.ID, true); err != nil {
		t.Fatalf("MarkDone of an assigned document: %v", err)
	}
	err = s.MarkDone(ctx, docs[1].ID, alice.ID, true)
	wantErr(t, "MarkDone of an unassigned document", err, store.ErrNotFound)
	as, _ := s.Assignments(ctx, p.ID)
	if len(as) != 1 || as[0].Document != docs[0].ID || !as[0].Done {
		t.Errorf("assignments = %+v, want only the first document, done", as)
	}
}

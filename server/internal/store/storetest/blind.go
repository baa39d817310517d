package storetest

import (
	"testing"

	"gloss/server/internal/store"
	"gloss/shared/model"
)

// testBlindEpoch: Done answers an assignment's mark (false when there is
// none), and what blind annotation depends on — the settings, a done
// mark — moves the rights epoch, so open rooms of every instance re-check
// what their connections may see. A change that is no change of done
// need not move it.
func testBlindEpoch(t *testing.T, s store.Store) {
	ctx := t.Context()
	alice, _ := s.CreateUser(ctx, "alice", []byte("h"))
	p, _ := s.CreateProject(ctx, "blind", model.DefaultSchema())
	docs, err := s.AddDocuments(ctx, p.ID, []model.Document{{Name: "a", Text: "a"}})
	if err != nil {
		t.Fatal(err)
	}
	doc := docs[0].ID
	if err := s.SetAssigned(ctx, doc, alice.ID, true); err != nil {
		t.Fatal(err)
	}
	epoch := func() int64 {
		t.Helper()
		n, err := s.RightsEpoch(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	moves := func(what string, change func() error) {
		t.Helper()
		before := epoch()
		if err := change(); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if after := epoch(); after <= before {
			t.Errorf("%s: rights epoch %d → %d, want it to move", what, before, after)
		}
	}
	done := func(want bool) {
		t.Helper()
		if got, err := s.Done(ctx, doc, alice.ID); err != nil || got != want {
			t.Errorf("Done = %v, %v; want %v", got, err, want)
		}
	}
	done(false)
	moves("settings set", func() error { return s.SetProjectSettings(ctx, p.ID, model.Settings{Blind: true}) })
	moves("settings changed", func() error { return s.SetProjectSettings(ctx, p.ID, model.Settings{}) })
	moves("marked done", func() error { return s.MarkDone(ctx, doc, alice.ID, true) })
	done(true)
	moves("reopened", func() error { return s.SetDone(ctx, doc, alice.ID, false) })
	done(false)
	if got, err := s.Done(ctx, doc+99, alice.ID); err != nil || got {
		t.Errorf("Done of an unknown document = %v, %v; want false, nil", got, err)
	}
}

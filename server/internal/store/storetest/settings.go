package storetest

import (
	"context"
	"errors"
	"testing"

	"gloss/server/internal/store"
	"gloss/shared/model"
)

// testSettings: a project without settings has the zero Settings; set
// ones come back; an unknown project is ErrNotFound both ways.
func testSettings(t *testing.T, s store.Store) {
	ctx := context.Background()
	p, err := s.CreateProject(ctx, "settings", model.DefaultSchema())
	if err != nil {
		t.Fatal(err)
	}
	if got, err := s.ProjectSettings(ctx, p.ID); err != nil || got != (model.Settings{}) {
		t.Fatalf("fresh settings = %+v, %v", got, err)
	}
	want := model.Settings{Suggest: true}
	if err := s.SetProjectSettings(ctx, p.ID, want); err != nil {
		t.Fatal(err)
	}
	if err := s.SetProjectSettings(ctx, p.ID, model.Settings{}); err != nil {
		t.Fatal(err)
	}
	if got, err := s.ProjectSettings(ctx, p.ID); err != nil || got != (model.Settings{}) {
		t.Fatalf("settings = %+v, %v", got, err)
	}
	if _, err := s.ProjectSettings(ctx, p.ID+99); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("settings of a missing project: %v", err)
	}
	if err := s.SetProjectSettings(ctx, p.ID+99, want); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("setting a missing project's settings: %v", err)
	}
}

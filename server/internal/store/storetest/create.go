package storetest

import (
	"context"
	"testing"

	"gloss/server/internal/store"
	"gloss/shared/model"
)

// testCreateProjectWithAdmin: the project and its admin come in one
// transaction, so a failed admin insert leaves no project behind.
func testCreateProjectWithAdmin(t *testing.T, s store.Store) {
	ctx := context.Background()
	u, err := s.CreateUser(ctx, "founder", []byte("x"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.CreateProject(ctx, "with admin", model.DefaultSchema(), u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if role, err := s.Role(ctx, p.ID, u.ID); err != nil || role != model.RoleAdmin {
		t.Fatalf("Role of the creator = %q, %v; want admin", role, err)
	}
	before, err := s.Projects(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateProject(ctx, "orphan", model.DefaultSchema(), u.ID+1000); err == nil {
		t.Fatal("CreateProject with an unknown admin succeeded")
	}
	after, err := s.Projects(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(after) != len(before) {
		t.Fatalf("a failed CreateProject left a project behind: %d projects, want %d", len(after), len(before))
	}
}

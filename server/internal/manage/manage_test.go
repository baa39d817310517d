package manage_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"gloss/server/internal/manage"
	"gloss/server/internal/store"
	"gloss/shared/model"
)

// heard records what the rules told the live rooms.
type heard struct{ projects, users []int64 }

func (h *heard) ProjectChanged(id int64) { h.projects = append(h.projects, id) }
func (h *heard) DisconnectUser(id int64) { h.users = append(h.users, id) }

func open(t *testing.T) store.Store {
	t.Helper()
	st, err := store.OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "g.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func TestRules(t *testing.T) {
	ctx := context.Background()
	st := open(t)
	var h heard
	m := manage.New(st, &h)
	boss, _ := st.CreateUser(ctx, "boss", []byte("x"))
	ann, _ := st.CreateUser(ctx, "ann", []byte("x"))

	for _, tc := range []struct {
		name, project string
		schema        model.Schema
		code          string
	}{
		{"empty name", "  ", model.DefaultSchema(), "bad_name"},
		{"long name", string(make([]rune, 101)), model.DefaultSchema(), "bad_name"},
		{"bad colour", "P", model.Schema{Labels: []model.Label{{Name: "x", Color: "red"}}}, "bad_schema"},
		{"no labels", "P", model.Schema{}, "bad_schema"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := m.CreateProject(ctx, tc.project, tc.schema, boss.ID)
			var re *manage.Error
			if !errors.As(err, &re) || re.Code != tc.code {
				t.Fatalf("CreateProject: %v, want code %s", err, tc.code)
			}
		})
	}
	if ps, _ := st.Projects(ctx); len(ps) != 0 {
		t.Fatalf("refused creations left %d projects", len(ps))
	}

	p, err := m.CreateProject(ctx, " Elections ", model.DefaultSchema(), boss.ID)
	if err != nil || p.Name != "Elections" {
		t.Fatalf("CreateProject = %+v, %v", p, err)
	}
	if role, err := st.Role(ctx, p.ID, boss.ID); err != nil || role != model.RoleAdmin {
		t.Fatalf("creator's role = %q, %v", role, err)
	}
	if err := m.SetMember(ctx, p.ID, boss.ID, model.RoleViewer); !errors.Is(err, manage.ErrLastAdmin) {
		t.Fatalf("demoting the last admin: %v", err)
	}
	if err := m.RemoveMember(ctx, p.ID, boss.ID); !errors.Is(err, manage.ErrLastAdmin) {
		t.Fatalf("removing the last admin: %v", err)
	}
	if err := m.SetMember(ctx, p.ID, ann.ID, "owner"); err == nil {
		t.Fatal("an unknown role was accepted")
	}
	if len(h.projects) != 0 {
		t.Fatalf("refused changes notified rooms: %v", h.projects)
	}
	if err := m.SetMember(ctx, p.ID, ann.ID, model.RoleAnnotator); err != nil {
		t.Fatal(err)
	}
	if err := m.RemoveMember(ctx, p.ID, ann.ID); err != nil {
		t.Fatal(err)
	}
	if err := m.RemoveMember(ctx, p.ID, ann.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("removing a non-member: %v, want ErrNotFound", err)
	}
	if len(h.projects) != 2 || h.projects[0] != p.ID {
		t.Fatalf("rooms heard %v, want two changes of project %d", h.projects, p.ID)
	}

	tok, err := st.CreateAPIToken(ctx, ann.ID, "ci", []byte("hash-of-token"))
	if err != nil {
		t.Fatal(err)
	}
	if err := m.RevokeToken(ctx, tok.ID); err != nil {
		t.Fatal(err)
	}
	if err := m.SetPassword(ctx, boss.ID, []byte("new-hash")); err != nil {
		t.Fatal(err)
	}
	if len(h.users) != 2 || h.users[0] != ann.ID || h.users[1] != boss.ID {
		t.Fatalf("disconnected %v, want ann then boss", h.users)
	}
}

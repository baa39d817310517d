// Package demo seeds a fresh database with the demo project: the two
// sample articles and four accounts, one per role, so that Gloss can be
// tried the moment it starts.
package demo

import (
	"context"
	"errors"
	"fmt"

	"gloss/sample"
	"gloss/server/internal/auth"
	"gloss/server/internal/store"
	"gloss/shared/model"
)

// Password is the demo accounts' password, printed at start.
const Password = "gloss-demo"

// Accounts are the demo users and their roles in the demo project.
var Accounts = []struct {
	Name string
	Role model.Role
}{
	{"alice", model.RoleAnnotator},
	{"bob", model.RoleAnnotator},
	{"rita", model.RoleReviewer},
	{"admin", model.RoleAdmin},
}

// Seed creates the demo project and accounts if the database has no
// project yet. It reports whether it did.
func Seed(ctx context.Context, st store.Store) (bool, error) {
	ps, err := st.Projects(ctx)
	if err != nil {
		return false, fmt.Errorf("demo: %w", err)
	}
	if len(ps) > 0 {
		return false, nil
	}
	p, err := st.CreateProject(ctx, "Demo: Crocus City Hall attack coverage", model.DefaultSchema())
	if err != nil {
		return false, fmt.Errorf("demo: %w", err)
	}
	var docs []model.Document
	for _, a := range sample.Demo() {
		docs = append(docs, model.Document{Name: model.DocumentTitle(a.Name, a.Text), Text: a.Text, Meta: map[string]string{"source": "sample/demo/" + a.Name + ".txt"}})
	}
	if _, err := st.AddDocuments(ctx, p.ID, docs); err != nil {
		return false, fmt.Errorf("demo: %w", err)
	}
	hash, err := auth.HashPassword(Password)
	if err != nil {
		return false, fmt.Errorf("demo: %w", err)
	}
	for _, acc := range Accounts {
		u, err := st.CreateUser(ctx, acc.Name, hash)
		if errors.Is(err, store.ErrExists) {
			u, _, err = st.UserByName(ctx, acc.Name)
		}
		if err != nil {
			return false, fmt.Errorf("demo: %w", err)
		}
		if err := st.SetMember(ctx, p.ID, u.ID, acc.Role); err != nil {
			return false, fmt.Errorf("demo: %w", err)
		}
		if acc.Role == model.RoleAdmin {
			// The demo admin may also create projects and accounts.
			if err := st.SetSiteAdmin(ctx, u.ID, true); err != nil {
				return false, fmt.Errorf("demo: %w", err)
			}
		}
	}
	return true, nil
}

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
	"gloss/shared/story"
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

// StoryName is the demo story, which holds both articles.
const StoryName = "Crocus City Hall attack"

// Outlets are the publishing outlets of the demo articles where the text
// names its own (the second says "Business Times has been able to verify
// the claim"); the first cites CNN, TASS and the New York Times but does
// not say who published it. Neither text dates itself ("on Friday"), so
// no publication time is set: the story view shows them as unknown.
var Outlets = map[string]string{"002_8450b356199d244b": "Business Times"}

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
		meta := map[string]string{"source": "sample/demo/" + a.Name + ".txt"}
		if o := Outlets[a.Name]; o != "" {
			meta[story.MetaOutlet] = o
		}
		docs = append(docs, model.Document{Name: model.DocumentTitle(a.Name, a.Text), Text: a.Text, Meta: meta})
	}
	added, err := st.AddDocuments(ctx, p.ID, docs)
	if err != nil {
		return false, fmt.Errorf("demo: %w", err)
	}
	// The two articles report one attack: they are one story, whose
	// figures the story view compares.
	ids := make([]int64, len(added))
	for i, d := range added {
		ids[i] = d.ID
	}
	if _, err := st.CreateStory(ctx, p.ID, StoryName, ids); err != nil {
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

package demo

import (
	"context"
	"path/filepath"
	"testing"

	"gloss/server/internal/store"
)

// TestSeedStory: the demo project's two articles form one story, the
// second with its outlet; seeding twice does nothing the second time.
func TestSeedStory(t *testing.T) {
	ctx := context.Background()
	st, err := store.OpenSQLite(ctx, filepath.Join(t.TempDir(), "gloss.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if ok, err := Seed(ctx, st); !ok || err != nil {
		t.Fatalf("Seed = %v, %v", ok, err)
	}
	ss, err := st.Stories(ctx, 1)
	if err != nil || len(ss) != 1 {
		t.Fatalf("stories = %+v, %v", ss, err)
	}
	s := ss[0]
	if s.Name != StoryName || len(s.Documents) != 2 {
		t.Fatalf("demo story = %+v", s)
	}
	byName := map[string]store.StoryDocument{}
	for _, d := range s.Documents {
		byName[d.Name] = d
	}
	infos, _ := st.Documents(ctx, 1)
	for _, info := range infos {
		d, ok := byName[info.Name]
		if !ok {
			t.Errorf("document %q is not in the story", info.Name)
			continue
		}
		if d.Published != "" {
			t.Errorf("%q has a publication time %q the text does not give", d.Name, d.Published)
		}
	}
	outlets := 0
	for _, d := range s.Documents {
		if d.Outlet == "Business Times" {
			outlets++
		}
	}
	if outlets != 1 {
		t.Errorf("documents = %+v, want one from Business Times", s.Documents)
	}
	if ok, err := Seed(ctx, st); ok || err != nil {
		t.Errorf("second Seed = %v, %v", ok, err)
	}
	if ss, _ := st.Stories(ctx, 1); len(ss) != 1 {
		t.Errorf("%d stories after seeding twice", len(ss))
	}
}

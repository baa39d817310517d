package storetest

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"gloss/server/internal/store"
	"gloss/shared/model"
)

// storyDocIDs lists a story's document ids in its order.
func storyDocIDs(st store.Story) []int64 {
	out := []int64{}
	for _, d := range st.Documents {
		out = append(out, d.ID)
	}
	return out
}

// testStories: stories are created, read, renamed and regrouped; a
// document is in at most one story (adding it to another moves it);
// documents of another project are refused without a change; deleting a
// story keeps its documents; documents come in reading order.
func testStories(t *testing.T, s store.Store) {
	ctx := context.Background()
	p, err := s.CreateProject(ctx, "stories", model.DefaultSchema())
	if err != nil {
		t.Fatal(err)
	}
	other, err := s.CreateProject(ctx, "other", model.DefaultSchema())
	if err != nil {
		t.Fatal(err)
	}
	docs, err := s.AddDocuments(ctx, p.ID, []model.Document{
		{Name: "late", Text: "Late article.", Meta: map[string]string{"published": "2024-03-23T09:00:00Z", "outlet": "Business Times"}},
		{Name: "early", Text: "Early article.", Meta: map[string]string{"published": "2024-03-22"}},
		{Name: "000_307bc43b3c6d2c1a", Text: "\n  A headline from the text\nbody"},
	})
	if err != nil {
		t.Fatal(err)
	}
	late, early, undated := docs[0].ID, docs[1].ID, docs[2].ID
	foreign, err := s.AddDocuments(ctx, other.ID, []model.Document{{Name: "x", Text: "Elsewhere."}})
	if err != nil {
		t.Fatal(err)
	}

	if ss, err := s.Stories(ctx, p.ID); err != nil || len(ss) != 0 {
		t.Fatalf("stories of a new project = %+v, %v", ss, err)
	}
	a, err := s.CreateStory(ctx, p.ID, "Attack", []int64{undated, late, early, late})
	if err != nil {
		t.Fatal(err)
	}
	// Reading order: publication time, unknown last; repeats dropped.
	if got, want := storyDocIDs(a), []int64{early, late, undated}; !reflect.DeepEqual(got, want) {
		t.Errorf("story documents = %v, want %v", got, want)
	}
	if a.Name != "Attack" || a.Project != p.ID || a.ID == 0 {
		t.Errorf("created story = %+v", a)
	}
	if d := a.Documents[1]; d.Title != "late" || d.Outlet != "Business Times" || d.Published != "2024-03-23T09:00:00Z" {
		t.Errorf("late document = %+v", d)
	}
	if d := a.Documents[2]; d.Title != "A headline from the text" || d.Name != "000_307bc43b3c6d2c1a" {
		t.Errorf("a machine-named document's title = %+v", d)
	}
	got, err := s.Story(ctx, a.ID)
	if err != nil || !reflect.DeepEqual(got, a) {
		t.Errorf("Story = %+v, %v; want %+v", got, err, a)
	}

	// A second story takes a document from the first.
	b, err := s.CreateStory(ctx, p.ID, "Aftermath", []int64{late})
	if err != nil {
		t.Fatal(err)
	}
	a, _ = s.Story(ctx, a.ID)
	if got, want := storyDocIDs(a), []int64{early, undated}; !reflect.DeepEqual(got, want) {
		t.Errorf("after the move, the first story has %v, want %v", got, want)
	}
	ss, err := s.Stories(ctx, p.ID)
	if err != nil || len(ss) != 2 || ss[0].ID != a.ID || ss[1].ID != b.ID || !reflect.DeepEqual(storyDocIDs(ss[1]), []int64{late}) {
		t.Errorf("Stories = %+v, %v", ss, err)
	}
	if ss, err := s.Stories(ctx, other.ID); err != nil || len(ss) != 0 {
		t.Errorf("the other project's stories = %+v, %v", ss, err)
	}

	// Rename and regroup in one change; a document of another project
	// (or none at all) is refused and nothing changes.
	for _, bad := range []int64{foreign[0].ID, foreign[0].ID + 100} {
		docs := []int64{early, bad}
		name := "renamed"
		if _, err := s.UpdateStory(ctx, a.ID, store.StoryChange{Name: &name, Documents: &docs}); !errors.Is(err, store.ErrOtherProject) {
			t.Errorf("regrouping with document %d: %v, want ErrOtherProject", bad, err)
		}
		if _, err := s.CreateStory(ctx, p.ID, "bad", docs); !errors.Is(err, store.ErrOtherProject) {
			t.Errorf("creating with document %d: %v, want ErrOtherProject", bad, err)
		}
	}
	if ss, _ := s.Stories(ctx, p.ID); len(ss) != 2 || ss[0].Name != "Attack" || !reflect.DeepEqual(storyDocIDs(ss[0]), []int64{early, undated}) {
		t.Errorf("a refused change changed the stories: %+v", ss)
	}
	name := "Crocus City Hall attack"
	regroup := []int64{late, early}
	a, err = s.UpdateStory(ctx, a.ID, store.StoryChange{Name: &name, Documents: &regroup})
	if err != nil {
		t.Fatal(err)
	}
	if a.Name != name || !reflect.DeepEqual(storyDocIDs(a), []int64{early, late}) {
		t.Errorf("updated story = %+v", a)
	}
	if b, _ = s.Story(ctx, b.ID); len(b.Documents) != 0 {
		t.Errorf("the document moved back, yet the second story holds %v", storyDocIDs(b))
	}
	// Only a rename leaves the documents.
	name2 := "Crocus"
	if a, err = s.UpdateStory(ctx, a.ID, store.StoryChange{Name: &name2}); err != nil || a.Name != name2 || len(a.Documents) != 2 {
		t.Errorf("rename = %+v, %v", a, err)
	}

	// Metadata edits show in the story, and an empty value clears.
	outlet, title := "CNN", "Moscow attack"
	if err := s.SetDocumentMeta(ctx, early, map[string]string{"outlet": outlet, store.MetaTitle: title, "published": "2024-03-24"}); err != nil {
		t.Fatal(err)
	}
	a, _ = s.Story(ctx, a.ID)
	if got, want := storyDocIDs(a), []int64{late, early}; !reflect.DeepEqual(got, want) {
		t.Errorf("after a new publication time the order is %v, want %v", got, want)
	}
	if d := a.Documents[1]; d.Outlet != outlet || d.Title != title || d.Name != "early" {
		t.Errorf("edited document = %+v", d)
	}
	if err := s.SetDocumentMeta(ctx, early, map[string]string{"outlet": ""}); err != nil {
		t.Fatal(err)
	}
	d, err := s.Document(ctx, early)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := d.Meta["outlet"]; ok || d.Meta["published"] != "2024-03-24" || d.Meta[store.MetaTitle] != title {
		t.Errorf("meta after clearing the outlet = %v", d.Meta)
	}
	if err := s.SetDocumentMeta(ctx, early+100, map[string]string{"outlet": "x"}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("meta of a missing document: %v", err)
	}

	// Deleting a story keeps its documents, which may join another.
	if err := s.DeleteStory(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Story(ctx, a.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("deleted story: %v", err)
	}
	if err := s.DeleteStory(ctx, a.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("deleting it again: %v", err)
	}
	if infos, _ := s.Documents(ctx, p.ID); len(infos) != 3 {
		t.Errorf("%d documents after deleting the story, want 3", len(infos))
	}
	all := []int64{early, late}
	if b, err = s.UpdateStory(ctx, b.ID, store.StoryChange{Documents: &all}); err != nil || len(b.Documents) != 2 {
		t.Errorf("regrouping into the remaining story = %+v, %v", b, err)
	}

	// Missing stories and projects.
	if _, err := s.UpdateStory(ctx, a.ID, store.StoryChange{Name: &name}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("updating a deleted story: %v", err)
	}
	if _, err := s.CreateStory(ctx, other.ID+100, "x", nil); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a story of a missing project: %v", err)
	}
	if st, err := s.CreateStory(ctx, other.ID, "empty", nil); err != nil || st.Documents == nil || len(st.Documents) != 0 {
		t.Errorf("an empty story = %+v, %v", st, err)
	}
}

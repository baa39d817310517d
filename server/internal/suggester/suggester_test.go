package suggester_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"gloss/server/internal/store"
	"gloss/server/internal/suggester"
	"gloss/shared/model"
	"gloss/shared/protocol"
)

func TestRunIsIdempotentAndRemembersDismissals(t *testing.T) {
	ctx := context.Background()
	st, err := store.OpenSQLite(ctx, filepath.Join(t.TempDir(), "g.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	text, err := os.ReadFile("../../../sample/demo/002_8450b356199d244b.txt")
	if err != nil {
		t.Fatal(err)
	}
	p, err := st.CreateProject(ctx, "p", model.DefaultSchema())
	if err != nil {
		t.Fatal(err)
	}
	docs, err := st.AddDocuments(ctx, p.ID, []model.Document{{Name: "a", Text: string(text)}})
	if err != nil {
		t.Fatal(err)
	}
	doc := docs[0].ID
	now := time.Unix(1_700_000_000, 0)

	first, err := suggester.Run(ctx, st, doc, now)
	if err != nil {
		t.Fatal(err)
	}
	if first.Added == 0 || first.Relations == 0 {
		t.Fatalf("first run = %+v, want spans and relations", first)
	}
	snap, err := st.Snapshot(ctx, doc)
	if err != nil {
		t.Fatal(err)
	}
	var dead *model.Annotation
	for i, a := range snap.Annotations {
		if a.Layer != model.SuggestLayer || a.Author != suggester.Author {
			t.Fatalf("suggestion %+v is not in the suggest layer", a)
		}
		if a.Label == "figure" && a.Attrs != nil && a.Attrs.Value != nil && *a.Attrs.Value == 60 && a.Attrs.Quantity == "dead" {
			dead = &snap.Annotations[i]
		}
	}
	if dead == nil {
		t.Fatal("no suggested figure of 60 dead, with its value and quantity, in the second article")
	}
	if len(snap.Annotations) != first.Added || len(snap.Relations) != first.Relations {
		t.Fatalf("snapshot has %d spans / %d relations, run said %+v", len(snap.Annotations), len(snap.Relations), first)
	}

	again, err := suggester.Run(ctx, st, doc, now)
	if err != nil {
		t.Fatal(err)
	}
	if again.Added != 0 || again.Relations != 0 || again.Seq != 0 {
		t.Fatalf("second run = %+v, want nothing new", again)
	}

	// An annotator dismisses the figure; a third run must not bring it back.
	del := protocol.Op{ID: "dismiss-1", Kind: protocol.KindDelete, Target: dead.ID, Version: dead.Version, User: "alice", Time: now.UnixMilli()}
	if _, err := st.Commit(ctx, doc, []protocol.Op{del}); err != nil {
		t.Fatal(err)
	}
	third, err := suggester.Run(ctx, st, doc, now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if third.Added != 0 {
		t.Fatalf("third run = %+v: a dismissed suggestion came back", third)
	}
	snap, _ = st.Snapshot(ctx, doc)
	for _, a := range snap.Annotations {
		if a.ID == dead.ID {
			t.Fatal("the dismissed figure is back")
		}
	}
}

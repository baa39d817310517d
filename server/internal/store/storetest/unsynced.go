package storetest

import (
	"context"
	"errors"
	"testing"

	"gloss/server/internal/store"
	"gloss/shared/model"
	"gloss/shared/protocol"
)

// Unsynced checks a store that commits now and syncs later
// (store.UnsyncedCommitter): its commits take their seqs in turn with
// Commit's and are read back before the sync, a sync returns nil while
// the disk works; an unsynced commit made against a rights epoch that
// has moved commits nothing and says the epoch now; and after breakSync
// has made the disk fail, the sync fails, and so does every later sync
// and unsynced commit, which writes nothing. s is closed by the caller.
func Unsynced(t *testing.T, s store.Store, breakSync func()) {
	u, ok := s.(store.UnsyncedCommitter)
	if !ok {
		t.Fatalf("%T does not commit unsynced", s)
	}
	ctx := context.Background()
	docID := newDoc(t, s, "unsynced commits")
	rights, err := s.RightsEpoch(ctx)
	if err != nil {
		t.Fatal(err)
	}
	add := func(id string) []protocol.Op {
		return []protocol.Op{addOp("op-"+id, ann(docID, id, "claim", 0, 8, "unsynced"))}
	}
	steps := []struct {
		id       string
		unsynced bool
		want     int64
	}{
		{"a", true, 1}, {"b", true, 2}, {"c", false, 3}, {"d", true, 4},
	}
	for _, st := range steps {
		var first int64
		var err error
		if st.unsynced {
			first, err = u.CommitUnsynced(ctx, docID, add(st.id), rights)
		} else {
			first, err = s.Commit(ctx, docID, add(st.id))
		}
		if err != nil || first != st.want {
			t.Fatalf("commit %s (unsynced %v): seq %d, %v; want %d", st.id, st.unsynced, first, err, st.want)
		}
	}
	// Readable before the sync: the room's next batch and a resume read them.
	ops, err := s.OpsSince(ctx, docID, 0, 10)
	if err != nil || len(ops) != 4 || ops[3].ID != "op-d" {
		t.Fatalf("ops before the sync: %v, %v", ops, err)
	}
	if err := u.SyncCommits(); err != nil {
		t.Fatalf("sync: %v", err)
	}

	// A change of rights (a new member) after the caller checked its
	// senders at rights: the commit is refused and says the epoch now.
	usr, p := userAndProject(t, s, "unsynced-rights")
	if err := s.SetMember(ctx, p.ID, usr.ID, model.RoleAnnotator); err != nil {
		t.Fatal(err)
	}
	now, err := s.RightsEpoch(ctx)
	if err != nil || now == rights {
		t.Fatalf("rights epoch %d after a new member (was %d), %v", now, rights, err)
	}
	var moved *store.RightsMovedError
	if _, err := u.CommitUnsynced(ctx, docID, add("moved"), rights); !errors.As(err, &moved) || moved.Epoch != now {
		t.Fatalf("commit at a moved rights epoch: %v; want a RightsMovedError at %d", err, now)
	}
	if snap, err := s.Snapshot(ctx, docID); err != nil || snap.Seq != 4 {
		t.Fatalf("seq %d after the refused commit (%v), want 4 (nothing written)", snap.Seq, err)
	}
	rights = now

	breakSync()
	if _, err := u.CommitUnsynced(ctx, docID, add("e"), rights); err != nil {
		t.Fatalf("commit before the failed sync: %v", err)
	}
	if err := u.SyncCommits(); err == nil {
		t.Fatal("a sync on a failing disk returned nil")
	}
	if err := u.SyncCommits(); err == nil {
		t.Fatal("a sync after a failed one returned nil: what the kernel dropped would be acknowledged")
	}
	if _, err := u.CommitUnsynced(ctx, docID, add("f"), rights); err == nil {
		t.Fatal("an unsynced commit after a failed sync was taken")
	}
	snap, err := s.Snapshot(ctx, docID)
	if err != nil {
		t.Fatal(err)
	}
	if snap.Seq != 5 {
		t.Errorf("seq %d after the refused commit, want 5 (nothing written)", snap.Seq)
	}
}

package synctest

import (
	"encoding/json"
	"fmt"

	"gloss/server/internal/store"
	"gloss/shared/docstate"
	"gloss/shared/model"
	"gloss/shared/protocol"
)

// Replica is a client's copy of a document, built only from what the
// server sends: a welcome's snapshot or missed ops, then each broadcast
// op. It insists that ops arrive exactly once and in order.
type Replica struct {
	State    *docstate.State
	Epoch    string
	Document *model.Document
	Schema   *model.Schema
	You      *protocol.You
	// Welcomes counts welcomes; Snapshots those that were snapshots.
	Welcomes, Snapshots int
}

// NewReplica returns an empty replica.
func NewReplica() *Replica { return &Replica{State: docstate.New()} }

// Observe applies a message to the replica. Messages that carry no state
// (ack, error, presence) are ignored. It fails on a gap or a repeat in
// the seqs, which would mean the server lost or duplicated an op.
func (r *Replica) Observe(m protocol.Message) error {
	switch m.Type {
	case protocol.TypeWelcome:
		r.Welcomes++
		r.Epoch, r.You = m.Epoch, m.You
		if m.Snapshot {
			r.Snapshots++
			r.Document, r.Schema = m.Document, m.Schema
			r.State.Reset(m.Seq, m.Annotations, m.Relations)
			var dr model.DocReview
			if m.DocReview != nil {
				dr = *m.DocReview
			}
			r.State.SetReview(m.Reviews, m.Comments, dr)
			return nil
		}
		for _, op := range m.Ops {
			if err := r.apply(op); err != nil {
				return fmt.Errorf("resume: %w", err)
			}
		}
		if r.State.Seq != m.Seq {
			return fmt.Errorf("resume ended at seq %d, welcome says %d", r.State.Seq, m.Seq)
		}
	case protocol.TypeOp:
		if m.Op == nil {
			return fmt.Errorf("op message without op")
		}
		return r.apply(*m.Op)
	}
	return nil
}

func (r *Replica) apply(op protocol.Op) error {
	switch {
	case op.Seq <= r.State.Seq:
		return fmt.Errorf("op %s with seq %d repeats (replica at %d)", op.ID, op.Seq, r.State.Seq)
	case op.Seq > r.State.Seq+1:
		return fmt.Errorf("op %s with seq %d leaves a gap (replica at %d)", op.ID, op.Seq, r.State.Seq)
	}
	r.State.Apply(op)
	return nil
}

// Diff compares the replica with a store snapshot and describes the first
// difference, or returns "" if they are equal. Annotations and relations
// are compared as JSON, so times must agree to the millisecond the store
// keeps.
func (r *Replica) Diff(snap store.Snapshot) string {
	if r.State.Seq != snap.Seq {
		return fmt.Sprintf("replica at seq %d, store at %d", r.State.Seq, snap.Seq)
	}
	got, want := r.State.Annotations(), append([]model.Annotation(nil), snap.Annotations...)
	docstate.SortAnnotations(want)
	if len(got) != len(want) {
		return fmt.Sprintf("replica has %d annotations, store %d", len(got), len(want))
	}
	for i := range got {
		if g, w := asJSON(got[i]), asJSON(want[i]); g != w {
			return fmt.Sprintf("annotation %d: replica %s, store %s", i, g, w)
		}
	}
	gotR := r.State.Relations()
	if len(gotR) != len(snap.Relations) {
		return fmt.Sprintf("replica has %d relations, store %d", len(gotR), len(snap.Relations))
	}
	for i := range gotR {
		if g, w := asJSON(gotR[i]), asJSON(snap.Relations[i]); g != w {
			return fmt.Sprintf("relation %d: replica %s, store %s", i, g, w)
		}
	}
	// Review records, comments and the document's review status.
	if g, w := asJSON(r.State.SortedReviews()), asJSON(append([]model.Review{}, snap.Reviews...)); g != w {
		return fmt.Sprintf("reviews: replica %s, store %s", g, w)
	}
	if g, w := asJSON(r.State.SortedComments()), asJSON(append([]model.Comment{}, snap.Comments...)); g != w {
		return fmt.Sprintf("comments: replica %s, store %s", g, w)
	}
	if g, w := asJSON(r.State.DocReview), asJSON(snap.DocReview); g != w {
		return fmt.Sprintf("document review: replica %s, store %s", g, w)
	}
	return ""
}

func asJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

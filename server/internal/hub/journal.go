package hub

import (
	"fmt"
	"hash/fnv"

	"gloss/shared/docstate"
	"gloss/shared/model"
	"gloss/shared/protocol"
)

// journal takes back a batch that was applied to a room's state but not
// committed. Each op of a batch is resolved against the state with the
// earlier ops of the batch applied, so the room applies them as it goes;
// before each Apply it records here the entries the op may change (their
// first value only), and if the commit fails rollback restores the state
// exactly as it was before the batch. Nothing reads the state in between
// (the room goroutine owns it), so no client ever sees an uncommitted op,
// and a failed commit leaves nothing behind whatever the database does
// next.
type journal struct {
	seq       int64
	docReview model.DocReview
	anns      map[string]*model.Annotation // nil value: absent before
	rels      map[string]*model.Relation
	reviews   map[string]*model.Review
	comments  map[string]*model.Comment
}

// begin starts a journal of s from its current state.
func (j *journal) begin(s *docstate.State) {
	j.seq, j.docReview = s.Seq, s.DocReview
	clear(j.anns)
	clear(j.rels)
	clear(j.reviews)
	clear(j.comments)
}

// record notes what Apply(op) may change in s; call it before Apply. It
// mirrors docstate.State.Apply.
func (j *journal) record(s *docstate.State, op protocol.Op) {
	if op.Ann != nil {
		keep(&j.anns, s.Anns, op.Ann.ID)
	}
	if op.Rel != nil {
		keep(&j.rels, s.Rels, op.Rel.ID)
	}
	if op.Comment != nil {
		keep(&j.comments, s.Comments, op.Comment.ID)
	}
	for _, r := range op.Reviews {
		keep(&j.reviews, s.Reviews, r.Annotation)
	}
	switch op.Kind {
	case protocol.KindDelete:
		keep(&j.anns, s.Anns, op.Target)
		keep(&j.reviews, s.Reviews, op.Target)
		for id, r := range s.Rels {
			if r.From == op.Target || r.To == op.Target {
				keep(&j.rels, s.Rels, id)
			}
		}
		for id, c := range s.Comments {
			if c.Target == op.Target {
				keep(&j.comments, s.Comments, id)
			}
		}
	case protocol.KindDeleteRelation:
		keep(&j.rels, s.Rels, op.Target)
	case protocol.KindDeleteComment:
		keep(&j.comments, s.Comments, op.Target)
	}
}

// rollback restores s as it was at begin.
func (j *journal) rollback(s *docstate.State) {
	s.Seq, s.DocReview = j.seq, j.docReview
	s.Anns = restore(s.Anns, j.anns)
	s.Rels = restore(s.Rels, j.rels)
	s.Reviews = restore(s.Reviews, j.reviews)
	s.Comments = restore(s.Comments, j.comments)
	j.begin(s)
}

// keep records the value of id in m (or its absence) unless one is
// recorded already.
func keep[V any](saved *map[string]*V, m map[string]V, id string) {
	if *saved == nil {
		*saved = map[string]*V{}
	}
	if _, ok := (*saved)[id]; ok {
		return
	}
	if v, ok := m[id]; ok {
		(*saved)[id] = &v
	} else {
		(*saved)[id] = nil
	}
}

func restore[V any](m map[string]V, saved map[string]*V) map[string]V {
	if m == nil && len(saved) > 0 {
		m = map[string]V{}
	}
	for id, v := range saved {
		if v == nil {
			delete(m, id)
		} else {
			m[id] = *v
		}
	}
	return m
}

// ackInfo is what the ack of a committed op carries, and the op's
// fingerprint: a retry must be the same op, not another one reusing its id.
type ackInfo struct {
	seq, version int64
	fp           uint64
}

// fingerprint hashes what the client decides in an op — not what the
// server fills in (user, time, seq, layer, author) — so that an op as
// sent and the same op as committed have the same fingerprint.
func fingerprint(op protocol.Op) uint64 {
	h := fnv.New64a()
	fmt.Fprintf(h, "%s|%s|%d|%s", op.Kind, op.Target, op.Version, op.Status)
	if a := op.Ann; a != nil {
		fmt.Fprintf(h, "|a:%s|%s|%d|%d", a.ID, a.Label, a.Start, a.End)
	}
	if r := op.Rel; r != nil {
		fmt.Fprintf(h, "|r:%s|%s|%s|%s", r.ID, r.Type, r.From, r.To)
	}
	if c := op.Comment; c != nil {
		fmt.Fprintf(h, "|c:%s|%s", c.ID, c.Target)
	}
	return h.Sum64()
}

// recentOps remembers the ids of a room's latest committed ops with their
// acks, so that a re-sent op (its ack was lost) is recognised without a
// query. It is filled when the room loads (the log's tail) and with every
// op the room commits or pulls; an id it does not hold is looked up in
// the store only when the op is refused or its commit is (the store's
// unique op id makes a commit of a known id fail, never apply twice).
//
// Both grow with the ops seen, up to n: a room of a document with few ops
// holds a few entries, not n (4096 by default: ≈ 450 KB made up front).
type recentOps struct {
	byID map[string]ackInfo
	ring []string // in order of arrival once full; next is the oldest
	n    int
	next int
}

func newRecentOps(n int) *recentOps {
	return &recentOps{byID: map[string]ackInfo{}, n: n}
}

func (r *recentOps) add(op protocol.Op) {
	if _, ok := r.byID[op.ID]; ok {
		return
	}
	if len(r.ring) < r.n {
		r.ring = append(r.ring, op.ID)
	} else {
		delete(r.byID, r.ring[r.next])
		r.ring[r.next] = op.ID
		r.next = (r.next + 1) % len(r.ring)
	}
	r.byID[op.ID] = ackInfo{op.Seq, annVersion(op), fingerprint(op)}
}

package store

import (
	"fmt"
	"sort"
	"time"

	"gloss/shared/model"
	"gloss/shared/protocol"
)

// This file builds the ops that the store itself writes to documents' op
// logs — imported annotations and schema changes — in the shapes
// docstate.Resolve gives ops, so that replaying a log gives its snapshot
// whoever wrote it. Both backends use it.

// nowMS is the current time at the stores' precision (milliseconds), so
// that the op log and the snapshot agree exactly.
func nowMS() time.Time { return fromMS(ms(time.Now())) }

// importOps returns the add ops of a new document's annotations, with the
// annotations completed as Resolve would complete them.
func importOps(docID int64, anns []model.Annotation) []protocol.Op {
	ops := make([]protocol.Op, len(anns))
	for i, a := range anns {
		a.Document, a.Version = docID, 1
		a.Created, a.Updated = fromMS(ms(a.Created)), fromMS(ms(a.Updated))
		ops[i] = protocol.Op{ID: fmt.Sprintf("import-%d", i+1), Kind: protocol.KindAdd, Ann: &a, User: a.Author, Time: ms(a.Created)}
	}
	return ops
}

// schemaPlan is what a SchemaChange does, worked out against the schema
// it replaces.
type schemaPlan struct {
	renames       map[string]string // old label → new label, only real changes
	removedLabels []string
	removedRels   []string
}

func planSchema(old model.Schema, ch SchemaChange) schemaPlan {
	p := schemaPlan{renames: map[string]string{}}
	for from, to := range ch.Renames {
		if _, ok := old.Label(from); ok && from != to {
			p.renames[from] = to
		}
	}
	for _, l := range old.Labels {
		if _, renamed := p.renames[l.Name]; renamed {
			continue
		}
		if _, kept := ch.Schema.Label(l.Name); !kept {
			p.removedLabels = append(p.removedLabels, l.Name)
		}
	}
	for _, r := range old.Relations {
		if !ch.Schema.HasRelation(r) {
			p.removedRels = append(p.removedRels, r)
		}
	}
	return p
}

// touchedLabels are the labels whose annotations the plan changes.
func (p schemaPlan) touchedLabels() []string {
	out := append([]string(nil), p.removedLabels...)
	for from := range p.renames {
		out = append(out, from)
	}
	sort.Strings(out)
	return out
}

func (p schemaPlan) removesLabel(name string) bool {
	for _, l := range p.removedLabels {
		if l == name {
			return true
		}
	}
	return false
}

// relRef is what deleting a relation needs.
type relRef struct {
	Doc     int64
	ID      string
	Version int64
}

// schemaOps turns the annotations and relations a plan touches into ops,
// per document: relation deletes first, then annotation deletes (which
// also drop the relations touching them) and relabels. opPrefix makes the
// op IDs of one change unique.
func schemaOps(p schemaPlan, anns []model.Annotation, rels []relRef, by, opPrefix string, now time.Time) (map[int64][]protocol.Op, SchemaResult) {
	var res SchemaResult
	out := map[int64][]protocol.Op{}
	n := 0
	nextID := func() string { n++; return fmt.Sprintf("%s-%d", opPrefix, n) }
	for _, r := range rels {
		out[r.Doc] = append(out[r.Doc], protocol.Op{ID: nextID(), Kind: protocol.KindDeleteRelation, Target: r.ID, Version: r.Version, User: by, Time: ms(now)})
		res.DeletedRelations++
	}
	for _, a := range anns {
		if p.removesLabel(a.Label) {
			out[a.Document] = append(out[a.Document], protocol.Op{ID: nextID(), Kind: protocol.KindDelete, Target: a.ID, Version: a.Version, User: by, Time: ms(now)})
			res.Deleted++
			continue
		}
		to, ok := p.renames[a.Label]
		if !ok {
			continue
		}
		next := a
		next.Label, next.Version, next.Updated = to, a.Version+1, now
		out[a.Document] = append(out[a.Document], protocol.Op{ID: nextID(), Kind: protocol.KindUpdate, Ann: &next, Version: a.Version, User: by, Time: ms(now)})
		res.Relabelled++
	}
	for doc := range out {
		res.Documents = append(res.Documents, doc)
	}
	sort.Slice(res.Documents, func(i, j int) bool { return res.Documents[i] < res.Documents[j] })
	return out, res
}

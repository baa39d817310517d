// Package suggester fills a document's suggest layer with what
// shared/suggest finds in its text: figures with their values,
// attributions with their cues, the claims they introduce and the source
// relations between them. It writes ordinary ops through the store, so the
// suggestions are in the op log, in snapshots and in exports like any
// other layer, and live rooms pick them up as they pick up another
// instance's ops.
//
// Re-running never duplicates and never resurrects: every suggestion's op
// id is derived from what it proposes, and an op id the document's log
// already holds (the suggestion was made before, and maybe dismissed
// since) is not written again.
package suggester

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"time"

	"gloss/server/internal/store"
	"gloss/shared/model"
	"gloss/shared/protocol"
	"gloss/shared/suggest"
	"gloss/shared/textpos"
)

// Author is the user name suggestions carry; model.ReservedNames keeps
// it from any account.
const Author = "suggest"

// Result says what Run wrote.
type Result struct {
	Added     int   // spans added to the suggest layer
	Relations int   // source relations added
	Skipped   int   // suggestions made before (still there, or dismissed)
	Seq       int64 // the document's seq after the run (0 if nothing was written)
}

// id is a suggestion's stable name: the same proposal on the same text
// always gets the same id.
func id(prefix string, parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return prefix + hex.EncodeToString(h.Sum(nil))[:16]
}

// Run suggests spans for one document and commits the new ones.
func Run(ctx context.Context, st store.Store, docID int64, now time.Time) (Result, error) {
	var res Result
	doc, err := st.Document(ctx, docID)
	if err != nil {
		return res, fmt.Errorf("suggester: %w", err)
	}
	p, err := st.Project(ctx, doc.ProjectID)
	if err != nil {
		return res, fmt.Errorf("suggester: %w", err)
	}
	snap, err := st.Snapshot(ctx, docID)
	if err != nil {
		return res, fmt.Errorf("suggester: %w", err)
	}
	present := map[string]bool{}
	for _, a := range snap.Annotations {
		present[a.ID] = true
	}
	for _, r := range snap.Relations {
		present[r.ID] = true
	}
	text := textpos.New(doc.Text)
	out := suggest.Extract(doc.Text)
	now = time.UnixMilli(now.UnixMilli()).UTC()

	var ops []protocol.Op
	annID := make([]string, len(out.Spans)) // "" when the span is not written
	for i, s := range out.Spans {
		if _, ok := p.Schema.Label(s.Label); !ok {
			continue
		}
		aid := id("sg", s.Label, strconv.Itoa(s.Start), strconv.Itoa(s.End))
		annID[i] = aid
		if present[aid] {
			res.Skipped++
			continue
		}
		attrs := s.Attrs
		a := model.Annotation{ID: aid, Document: docID, Layer: model.SuggestLayer, Label: s.Label, Start: s.Start, End: s.End,
			Quote: s.Text, Author: Author, Version: 1, Created: now, Updated: now}
		if !attrs.IsZero() {
			a.Attrs = &attrs
		}
		if err := model.ValidateAnnotation(text, p.Schema, a); err != nil {
			// The extractor's offsets are fuzzed to stay inside the text;
			// a span it gets wrong is dropped, not written.
			annID[i] = ""
			continue
		}
		ops = append(ops, protocol.Op{ID: "suggest-" + aid, Kind: protocol.KindAdd, Ann: &a, User: Author, Time: now.UnixMilli()})
	}
	if p.Schema.HasRelation("source") {
		for _, r := range out.Relations {
			from, to := annID[r.From], annID[r.To]
			if from == "" || to == "" {
				continue
			}
			rid := id("sr", r.Type, from, to)
			if present[rid] {
				res.Skipped++
				continue
			}
			rel := model.Relation{ID: rid, Document: docID, Layer: model.SuggestLayer, Type: r.Type, From: from, To: to,
				Author: Author, Version: 1, Created: now}
			ops = append(ops, protocol.Op{ID: "suggest-" + rid, Kind: protocol.KindAddRelation, Rel: &rel, User: Author, Time: now.UnixMilli()})
		}
	}
	if len(ops) == 0 {
		return res, nil
	}
	ids := make([]string, len(ops))
	for i, op := range ops {
		ids[i] = op.ID
	}
	done, err := st.OpSeqs(ctx, docID, ids)
	if err != nil {
		return res, fmt.Errorf("suggester: %w", err)
	}
	fresh := ops[:0]
	gone := map[string]bool{} // spans made before and deleted since
	for _, op := range ops {
		if _, seen := done[op.ID]; seen {
			res.Skipped++
			if op.Ann != nil {
				gone[op.Ann.ID] = true
			}
			continue
		}
		fresh = append(fresh, op)
	}
	ops = fresh[:0]
	for _, op := range fresh {
		// A relation to a dismissed suggestion stays unmade.
		if op.Rel != nil && (gone[op.Rel.From] && !present[op.Rel.From] || gone[op.Rel.To] && !present[op.Rel.To]) {
			res.Skipped++
			continue
		}
		ops = append(ops, op)
		if op.Ann != nil {
			res.Added++
		} else {
			res.Relations++
		}
	}
	if len(ops) == 0 {
		return res, nil
	}
	first, err := st.Commit(ctx, docID, ops)
	if err != nil {
		return Result{}, fmt.Errorf("suggester: commit: %w", err)
	}
	res.Seq = first + int64(len(ops)) - 1
	return res, nil
}

package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"gloss/shared/docstate"
	"gloss/shared/model"
	"gloss/shared/protocol"
)

// This file maps ops to SQL statements, once for both dialects. A commit
// is a list of steps; SQLite runs them one by one in its transaction with
// statements prepared at open, PostgreSQL sends them as one batch
// (postgres.go). What an op changes comes decided in the op
// (docstate.Resolve fills in the annotation's next version, op.Reviews and
// op.DocReview); the store writes it as it is, plus the cascade of an
// annotation delete, docstate.DeleteCascade, the rule Apply follows too.

// step is one statement of a commit with what it must achieve.
type step struct {
	what string
	q    query
	// one marks a conditional write: unless it changes exactly one row
	// (or if it breaks a unique key), the op was resolved against a
	// state that is no longer current, and the commit fails with ErrStale.
	one  bool
	args []any
}

var (
	qInsertOp  = sqlText("INSERT INTO ops (doc_id, seq, op_id, body) VALUES (?, ?, ?, ?)")
	qInsertAnn = sqlText(`INSERT INTO annotations (doc_id, id, layer, label, start, "end", quote, author, version, created, updated, attrs)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	qUpdateAnn = sqlText(`UPDATE annotations SET label = ?, start = ?, "end" = ?, quote = ?, version = ?, updated = ?, attrs = ?
		WHERE doc_id = ? AND id = ? AND version = ?`)
	qDeleteAnn = sqlText("DELETE FROM annotations WHERE doc_id = ? AND id = ? AND version = ?")
	qInsertRel = sqlText(`INSERT INTO relations (doc_id, id, layer, type, from_id, to_id, author, version, created)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	qDeleteRel     = sqlText("DELETE FROM relations WHERE doc_id = ? AND id = ? AND version = ?")
	qInsertComment = sqlText("INSERT INTO comments (doc_id, id, target, text, author, created) VALUES (?, ?, ?, ?, ?, ?)")
	qDeleteComment = sqlText("DELETE FROM comments WHERE doc_id = ? AND id = ?")
	qWriteReview   = sqlText(`INSERT INTO reviews (doc_id, ann_id, status, reviewer, reviewed_at, source, proposer, gold)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (doc_id, ann_id) DO UPDATE SET status = excluded.status,
		reviewer = excluded.reviewer, reviewed_at = excluded.reviewed_at, source = excluded.source,
		proposer = excluded.proposer, gold = excluded.gold`)
	qWriteDocReview = sqlText(`INSERT INTO doc_reviews (doc_id, status, reviewer, reviewed_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (doc_id) DO UPDATE SET status = excluded.status, reviewer = excluded.reviewer, reviewed_at = excluded.reviewed_at`)
	qWriteSeq = sqlText("UPDATE documents SET seq = ? WHERE id = ?")
	qNotify   = sqlText("SELECT pg_notify(?, ?)")
	qLockSeq  = sqlText("SELECT seq FROM documents WHERE id = ?{LOCK}")

	// The cascade of an annotation delete, a statement per
	// docstate.Dependent; each takes the document and the annotation.
	qDeleteRelsOf     = sqlText("DELETE FROM relations WHERE doc_id = ? AND ? IN (from_id, to_id)")
	qDeleteReviewOf   = sqlText("DELETE FROM reviews WHERE doc_id = ? AND ann_id = ?")
	qDeleteCommentsOf = sqlText("DELETE FROM comments WHERE doc_id = ? AND target = ?")
)

// cascade is how the store deletes each kind of record that
// docstate.DeleteCascade says goes with a deleted annotation.
var cascade = map[docstate.Dependent]struct {
	what string
	q    query
}{
	docstate.RelationsOf: {"delete relations of annotation", qDeleteRelsOf},
	docstate.ReviewOf:    {"delete review of annotation", qDeleteReviewOf},
	docstate.CommentsOf:  {"delete comments of annotation", qDeleteCommentsOf},
}

// opQueries are the statements Commit runs, prepared at open.
var opQueries = []query{qInsertOp, qInsertAnn, qUpdateAnn, qDeleteAnn, qInsertRel, qDeleteRel, qInsertComment, qDeleteComment,
	qWriteReview, qWriteDocReview, qWriteSeq, qDeleteRelsOf, qDeleteReviewOf, qDeleteCommentsOf}

// opSteps are the statements of one op: its op log row, then its change
// to the document's current state.
func (s *db) opSteps(docID int64, op protocol.Op) ([]step, error) {
	body, err := encodeOp(op)
	if err != nil {
		return nil, err
	}
	out := []step{{fmt.Sprintf("append op %q", op.ID), qInsertOp, true, []any{docID, op.Seq, op.ID, body}}}
	add := func(what string, q query, one bool, args ...any) { out = append(out, step{what, q, one, args}) }
	insertAnn := func(what string, a *model.Annotation) {
		add(what, qInsertAnn, true, docID, a.ID, a.Layer, a.Label, a.Start, a.End, s.d.bytes(a.Quote), a.Author, a.Version, ms(a.Created), ms(a.Updated), attrsColumn(a.Attrs))
	}
	switch op.Kind {
	case protocol.KindAdd:
		insertAnn("insert annotation", op.Ann)
	case protocol.KindAccept:
		insertAnn("insert gold annotation", op.Ann)
	case protocol.KindUpdate:
		a := op.Ann
		add("update annotation", qUpdateAnn, true, a.Label, a.Start, a.End, s.d.bytes(a.Quote), a.Version, ms(a.Updated), attrsColumn(a.Attrs), docID, a.ID, op.Version)
	case protocol.KindDelete:
		add("delete annotation", qDeleteAnn, true, docID, op.Target, op.Version)
		for _, d := range docstate.DeleteCascade {
			c, ok := cascade[d]
			if !ok {
				return nil, fmt.Errorf("store: delete annotation: no statement for dependent %d", d)
			}
			add(c.what, c.q, false, docID, op.Target)
		}
	case protocol.KindAddRelation:
		r := op.Rel
		add("insert relation", qInsertRel, true, docID, r.ID, r.Layer, r.Type, r.From, r.To, r.Author, r.Version, ms(r.Created))
	case protocol.KindDeleteRelation:
		add("delete relation", qDeleteRel, true, docID, op.Target, op.Version)
	case protocol.KindComment:
		c := op.Comment
		add("insert comment", qInsertComment, true, docID, c.ID, c.Target, s.d.bytes(c.Text), c.Author, ms(c.Created))
	case protocol.KindDeleteComment:
		add("delete comment", qDeleteComment, true, docID, op.Target)
	case protocol.KindReview, protocol.KindDocStatus:
		// Only the records below.
	default:
		return nil, fmt.Errorf("store: apply op: unknown kind %q", op.Kind)
	}
	for _, r := range op.Reviews {
		add("write review", qWriteReview, false, docID, r.Annotation, string(r.Status), r.Reviewer, ms(r.Time), r.Source, r.Proposer, r.Gold)
	}
	if d := op.DocReview; d != nil {
		add("write document review status", qWriteDocReview, false, docID, string(d.Status), d.Reviewer, ms(d.Time))
	}
	return out, nil
}

// commitSteps are the statements that append ops to a document's log
// after seq, its current seq read under the document's lock, assigning
// the ops their seqs: each op's, the new seq and, on PostgreSQL, the
// notification of other instances (sent only if the transaction commits).
func (s *db) commitSteps(docID, seq int64, ops []protocol.Op) ([]step, error) {
	var out []step
	for i := range ops {
		seq++
		ops[i].Seq = seq
		st, err := s.opSteps(docID, ops[i])
		if err != nil {
			return nil, err
		}
		out = append(out, st...)
	}
	out = append(out, step{"write seq", qWriteSeq, false, []any{seq, docID}})
	if s.d.notify != "" && notifyInCommit { // notifyInCommit: postgres_bench.go
		out = append(out, step{"notify", qNotify, false, []any{s.d.notify, strconv.FormatInt(docID, 10) + ":" + strconv.FormatInt(seq, 10)}})
	}
	return out, nil
}

// check classifies a step's result.
func (st step) check(rows int64, err error) error {
	switch {
	case isUnique(err):
		return fmt.Errorf("store: %s: %w", st.what, ErrStale)
	case err != nil:
		return fmt.Errorf("store: %s: %w", st.what, err)
	case st.one && rows != 1:
		return fmt.Errorf("store: %s: %w", st.what, ErrStale)
	}
	return nil
}

// execSteps runs steps one by one in tx.
func (s *db) execSteps(ctx context.Context, tx *sql.Tx, steps []step) error {
	for _, st := range steps {
		var res sql.Result
		var err error
		if stmt := s.ops[st.q]; stmt != nil {
			res, err = tx.StmtContext(ctx, stmt).ExecContext(ctx, st.args...)
		} else {
			res, err = tx.ExecContext(ctx, s.q(st.q), st.args...)
		}
		var n int64
		if err == nil {
			n, err = res.RowsAffected()
		}
		if err := st.check(n, err); err != nil {
			return err
		}
	}
	return nil
}

// lockSeq reads a document's seq, locking its row until tx ends.
func (s *db) lockSeq(ctx context.Context, tx interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, docID int64) (int64, error) {
	var seq int64
	if err := tx.QueryRowContext(ctx, s.q(qLockSeq), docID).Scan(&seq); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return 0, fmt.Errorf("store: commit ops to document %d: %w", docID, ErrNotFound)
		}
		return 0, fmt.Errorf("store: commit ops: read seq: %w", err)
	}
	return seq, nil
}

// Commit implements Store (SQLite's; Postgres batches the same steps).
func (s *db) Commit(ctx context.Context, docID int64, ops []protocol.Op) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("store: commit ops: %w", err)
	}
	ctx = context.WithoutCancel(ctx) // see inTx
	var first int64
	err := s.inTx(ctx, "commit ops", func(tx *sql.Tx) error {
		seq, err := s.lockSeq(ctx, tx, docID)
		first = seq + 1
		if err != nil || len(ops) == 0 {
			return err
		}
		steps, err := s.commitSteps(docID, seq, ops)
		if err != nil {
			return err
		}
		return s.execSteps(ctx, tx, steps)
	})
	if err != nil {
		return 0, err
	}
	return first, nil
}

var (
	qLockProject     = sqlText("SELECT schema FROM projects WHERE id = ?{LOCK}")
	qLockDocuments   = sqlText("SELECT id, seq FROM documents WHERE project_id = ? ORDER BY id{LOCK}")
	qSetSchema       = sqlText("UPDATE projects SET schema = ? WHERE id = ?")
	labelUsesQuery   = `SELECT a.label, count(*) FROM annotations a JOIN documents d ON d.id = a.doc_id WHERE d.project_id = ? AND a.label IN (%s) GROUP BY a.label`
	relUsesQuery     = `SELECT r.type, count(*) FROM relations r JOIN documents d ON d.id = r.doc_id WHERE d.project_id = ? AND r.type IN (%s) GROUP BY r.type`
	relsOfTypesQuery = `SELECT r.doc_id, r.id, r.version FROM relations r JOIN documents d ON d.id = r.doc_id
		WHERE d.project_id = ? AND r.type IN (%s) ORDER BY r.doc_id, r.id{C}`
	annsOfLabelsQuery = "SELECT a.doc_id, " + annCols("a.") + ` FROM annotations a JOIN documents d ON d.id = a.doc_id
		WHERE d.project_id = ? AND a.label IN (%s) ORDER BY a.doc_id, a.id{C}`
)

// UpdateSchema implements Store. It locks the project's row, then every
// document of the project in ID order (Commit locks one document at a
// time, so the two cannot deadlock), so that no op commits between
// counting the annotations a change touches and rewriting them.
func (s *db) UpdateSchema(ctx context.Context, projectID int64, ch SchemaChange) (SchemaResult, error) {
	var res SchemaResult
	newSchema, err := json.Marshal(ch.Schema)
	if err != nil {
		return res, fmt.Errorf("store: encode schema: %w", err)
	}
	err = s.inTx(ctx, "update schema", func(tx *sql.Tx) error {
		var oldJSON string
		if err := tx.QueryRowContext(ctx, s.q(qLockProject), projectID).Scan(&oldJSON); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("store: project %d: %w", projectID, ErrNotFound)
			}
			return fmt.Errorf("store: update schema: %w", err)
		}
		var old model.Schema
		if err := json.Unmarshal([]byte(oldJSON), &old); err != nil {
			return fmt.Errorf("store: project %d schema: %w", projectID, err)
		}
		plan := planSchema(old, ch)
		seqs := map[int64]int64{}
		if len(plan.touchedLabels())+len(plan.removedRels) > 0 {
			err := scanAll(ctx, tx, "update schema: lock documents", s.q(qLockDocuments), []any{projectID}, func(rows *sql.Rows) error {
				var id, seq int64
				err := rows.Scan(&id, &seq)
				seqs[id] = seq
				return err
			})
			if err != nil {
				return err
			}
		}
		// in runs a query whose %s is an IN list of names, after the project.
		in := func(what, query string, names []string, scan func(*sql.Rows) error) error {
			if len(names) == 0 {
				return nil
			}
			list, args := inList(names)
			return scanAll(ctx, tx, what, s.d.rebind(fmt.Sprintf(query, list)), append([]any{projectID}, args...), scan)
		}
		count := func(into map[string]int) func(*sql.Rows) error {
			return func(rows *sql.Rows) error {
				var name string
				var n int
				err := rows.Scan(&name, &n)
				into[name] = n
				return err
			}
		}
		inUse := &InUseError{Labels: map[string]int{}, Relations: map[string]int{}}
		if err := in("count uses", labelUsesQuery, plan.removedLabels, count(inUse.Labels)); err != nil {
			return err
		}
		if err := in("count uses", relUsesQuery, plan.removedRels, count(inUse.Relations)); err != nil {
			return err
		}
		if (len(inUse.Labels) > 0 || len(inUse.Relations) > 0) && !ch.DeleteInUse {
			return inUse
		}
		var rels []relRef
		err := in("update schema: relations", relsOfTypesQuery, plan.removedRels, func(rows *sql.Rows) error {
			var r relRef
			err := rows.Scan(&r.Doc, &r.ID, &r.Version)
			rels = append(rels, r)
			return err
		})
		if err != nil {
			return err
		}
		var anns []model.Annotation
		err = in("update schema: annotations", annsOfLabelsQuery, plan.touchedLabels(), func(rows *sql.Rows) error {
			var a model.Annotation
			err := scanAnn(rows, &a, &a.Document)
			anns = append(anns, a)
			return err
		})
		if err != nil {
			return err
		}
		byDoc, r := schemaOps(plan, anns, rels, ch.By, "schema-"+newEpoch(), nowMS())
		res = r
		var steps []step
		for _, doc := range res.Documents {
			st, err := s.commitSteps(doc, seqs[doc], byDoc[doc])
			if err != nil {
				return err
			}
			steps = append(steps, st...)
		}
		steps = append(steps, step{"write schema", qSetSchema, true, []any{string(newSchema), projectID}})
		return s.execSteps(ctx, tx, steps)
	})
	if err != nil {
		return SchemaResult{}, err
	}
	return res, nil
}

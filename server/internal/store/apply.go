package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"

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
	// q is the statement, or rq over n rows when rq is set.
	q  query
	rq *rowsQuery
	n  int
	// want marks a conditional write: unless it changes exactly want
	// rows (or if it breaks a unique key), an op was resolved against a
	// state that is no longer current, and the commit fails with
	// ErrStale. 0: any count.
	want int64
	args []any
}

// rowsQuery is a statement over any number of rows of one kind (rows of
// values to insert, or keys of rows to delete): text(n) is its SQL for n
// rows, in sqlText's spelling. A commit runs one statement for a run of
// rows where their order does not matter, rather than one per row: every
// statement costs binding, a VDBE program's start and database/sql's
// wrappers whatever its rows, and that per statement cost was most of a
// small op's (see BenchmarkCommitCycle).
type rowsQuery struct{ text func(n int) string }

// rowsKey is a rowsQuery's statement for n rows.
type rowsKey struct {
	rq *rowsQuery
	n  int
}

// maxRows is the most rows one statement takes; more go in chunks, so
// that a store prepares at most maxRows statements of a rowsQuery and
// stays far below either database's limit on parameters (12 a row).
const maxRows = 32

// repeatJoin is n copies of s joined by sep.
func repeatJoin(s, sep string, n int) string {
	return strings.TrimSuffix(strings.Repeat(s+sep, n), sep)
}

// valuesQuery inserts rows of cols values: head, then VALUES (…), (…).
func valuesQuery(head string, cols int) *rowsQuery {
	row := "(" + repeatJoin("?", ", ", cols) + ")"
	return &rowsQuery{func(n int) string { return head + " VALUES " + repeatJoin(row, ", ", n) }}
}

var (
	qInsertOps = valuesQuery("INSERT INTO ops (doc_id, seq, op_id, body)", 4)
	qInsertAnn = valuesQuery(`INSERT INTO annotations (doc_id, id, layer, label, start, "end", quote, author, version, created, updated, attrs)`, 12)
	qUpdateAnn = sqlText(`UPDATE annotations SET label = ?, start = ?, "end" = ?, quote = ?, version = ?, updated = ?, attrs = ?
		WHERE doc_id = ? AND id = ? AND version = ?`)
	// qUpdateAnns updates annotations given as rows (id, the version the
	// row must be at, label, start, end, quote, new version, updated,
	// attrs), then takes the document: a primary key lookup per row (the
	// plan scans the rows and searches the table by its key). SQLite only
	// (dialect.updateFrom): PostgreSQL's VALUES would need a cast per column.
	qUpdateAnns = &rowsQuery{func(n int) string {
		return `UPDATE annotations SET label = v.column3, start = v.column4, "end" = v.column5, quote = v.column6,
		version = v.column7, updated = v.column8, attrs = v.column9 FROM (VALUES ` + repeatJoin("(?, ?, ?, ?, ?, ?, ?, ?, ?)", ", ", n) + `) AS v
		WHERE annotations.doc_id = ? AND annotations.id = v.column1 AND annotations.version = v.column2`
	}}
	// qDeleteAnns takes the document, then (id, version) of each row: each
	// term is a primary key lookup.
	qDeleteAnns = &rowsQuery{func(n int) string {
		return "DELETE FROM annotations WHERE doc_id = ? AND (" + repeatJoin("(id = ? AND version = ?)", " OR ", n) + ")"
	}}
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
	// docstate.Dependent; each takes the document, then the annotations
	// (an IN list, the relations' twice).
	qDeleteRelsOf = &rowsQuery{func(n int) string {
		in := repeatJoin("?", ", ", n)
		return "DELETE FROM relations WHERE doc_id = ? AND (from_id IN (" + in + ") OR to_id IN (" + in + "))"
	}}
	qDeleteReviewsOf = &rowsQuery{func(n int) string {
		return "DELETE FROM reviews WHERE doc_id = ? AND ann_id IN (" + repeatJoin("?", ", ", n) + ")"
	}}
	qDeleteCommentsOf = &rowsQuery{func(n int) string {
		return "DELETE FROM comments WHERE doc_id = ? AND target IN (" + repeatJoin("?", ", ", n) + ")"
	}}
)

// cascade is how the store deletes each kind of record that
// docstate.DeleteCascade says goes with a deleted annotation.
var cascade = map[docstate.Dependent]struct {
	what string
	rq   *rowsQuery
	// twice: the statement takes the annotations' list twice.
	twice bool
}{
	docstate.RelationsOf: {"delete relations of annotations", qDeleteRelsOf, true},
	docstate.ReviewOf:    {"delete reviews of annotations", qDeleteReviewsOf, false},
	docstate.CommentsOf:  {"delete comments of annotations", qDeleteCommentsOf, false},
}

// opQueries are the statements Commit runs, prepared at open; rowsQueries
// are prepared at open for one row, for more when a commit first needs
// them (Commit, after its transaction).
var (
	opQueries = []query{qUpdateAnn, qInsertRel, qDeleteRel, qInsertComment, qDeleteComment,
		qWriteReview, qWriteDocReview, qWriteSeq, qLockSeq}
	rowsQueries = []*rowsQuery{qInsertOps, qInsertAnn, qDeleteAnns, qDeleteRelsOf, qDeleteReviewsOf, qDeleteCommentsOf}
)

// chunks calls f for each run of at most maxRows of n rows.
func chunks(n int, f func(lo, hi int)) {
	for lo := 0; lo < n; lo += maxRows {
		f(lo, min(lo+maxRows, n))
	}
}

// annArgs are an inserted annotation's values, in qInsertAnn's order.
func (s *db) annArgs(args []any, docID int64, a *model.Annotation) []any {
	return append(args, docID, a.ID, a.Layer, a.Label, a.Start, a.End, s.d.bytes(a.Quote), a.Author, a.Version, ms(a.Created), ms(a.Updated), attrsColumn(a.Attrs))
}

// updateCols is the number of arguments of a row of qUpdateAnns.
const updateCols = 9

func (s *db) updateStep(docID int64, op protocol.Op) step {
	a := op.Ann
	return step{what: "update annotation", q: qUpdateAnn, want: 1,
		args: []any{a.Label, a.Start, a.End, s.d.bytes(a.Quote), a.Version, ms(a.Updated), attrsColumn(a.Attrs), docID, a.ID, op.Version}}
}

// deleteSteps delete annotations, given as (id, version) pairs, and
// what goes with them: each of the targets must be at its version.
func deleteSteps(out []step, docID int64, targets []any) ([]step, error) {
	n := len(targets) / 2
	chunks(n, func(lo, hi int) {
		args := append(make([]any, 0, 1+2*(hi-lo)), docID)
		out = append(out, step{what: "delete annotations", rq: qDeleteAnns, n: hi - lo, want: int64(hi - lo),
			args: append(args, targets[2*lo:2*hi]...)})
	})
	for _, d := range docstate.DeleteCascade {
		c, ok := cascade[d]
		if !ok {
			return nil, fmt.Errorf("store: delete annotation: no statement for dependent %d", d)
		}
		chunks(n, func(lo, hi int) {
			args := append(make([]any, 0, 1+2*(hi-lo)), docID)
			for i := lo; i < hi; i++ {
				args = append(args, targets[2*i])
			}
			if c.twice {
				args = append(args, args[1:]...)
			}
			out = append(out, step{what: c.what, rq: c.rq, n: hi - lo, args: args})
		})
	}
	return out, nil
}

// opSteps are the statements of one op's change to the document's
// current state (its op log row is commitSteps').
func (s *db) opSteps(out []step, docID int64, op protocol.Op) ([]step, error) {
	add := func(what string, q query, one bool, args ...any) {
		st := step{what: what, q: q, args: args}
		if one {
			st.want = 1
		}
		out = append(out, st)
	}
	switch op.Kind {
	case protocol.KindAdd, protocol.KindAccept:
		what := "insert annotation"
		if op.Kind == protocol.KindAccept {
			what = "insert gold annotation"
		}
		out = append(out, step{what: what, rq: qInsertAnn, n: 1, want: 1, args: s.annArgs(nil, docID, op.Ann)})
	case protocol.KindUpdate:
		out = append(out, s.updateStep(docID, op))
	case protocol.KindDelete:
		var err error
		if out, err = deleteSteps(out, docID, []any{op.Target, op.Version}); err != nil {
			return nil, err
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

// annOnly reports whether ops only add, update and delete annotations,
// each a different one, and write no review records: then no op's
// statements depend on another's, and commitSteps may group them by
// statement (annSteps).
func annOnly(ops []protocol.Op) bool {
	seen := make(map[string]bool, len(ops))
	for _, op := range ops {
		var id string
		switch op.Kind {
		case protocol.KindAdd, protocol.KindUpdate:
			if op.Ann == nil {
				return false
			}
			id = op.Ann.ID
		case protocol.KindDelete:
			id = op.Target
		default:
			return false
		}
		if len(op.Reviews) > 0 || op.DocReview != nil || seen[id] {
			return false
		}
		seen[id] = true
	}
	return true
}

// annSteps are the statements of ops that annOnly accepts: their inserts
// in one statement, their updates (each row conditional on its own
// version) in one where the dialect can (updateFrom), else one each,
// their deletes in one statement and the deletes' cascade in one per
// dependent, as many more as maxRows asks.
func (s *db) annSteps(out []step, docID int64, ops []protocol.Op) ([]step, error) {
	var adds []*model.Annotation
	var targets, updates []any
	for _, op := range ops {
		switch op.Kind {
		case protocol.KindAdd:
			adds = append(adds, op.Ann)
		case protocol.KindUpdate:
			if !s.d.updateFrom {
				out = append(out, s.updateStep(docID, op))
				continue
			}
			a := op.Ann
			updates = append(updates, a.ID, op.Version, a.Label, a.Start, a.End, s.d.bytes(a.Quote), a.Version, ms(a.Updated), attrsColumn(a.Attrs))
		case protocol.KindDelete:
			targets = append(targets, op.Target, op.Version)
		}
	}
	// Unless each row is at its version, the batch is stale, as with an
	// UPDATE per row.
	chunks(len(updates)/updateCols, func(lo, hi int) {
		args := append(updates[updateCols*lo:updateCols*hi:updateCols*hi], docID)
		out = append(out, step{what: "update annotations", rq: qUpdateAnns, n: hi - lo, want: int64(hi - lo), args: args})
	})
	chunks(len(adds), func(lo, hi int) {
		args := make([]any, 0, 12*(hi-lo))
		for _, a := range adds[lo:hi] {
			args = s.annArgs(args, docID, a)
		}
		out = append(out, step{what: "insert annotations", rq: qInsertAnn, n: hi - lo, want: int64(hi - lo), args: args})
	})
	if len(targets) == 0 {
		return out, nil
	}
	return deleteSteps(out, docID, targets)
}

// commitSteps are the statements that append ops to a document's log
// after seq, its current seq read under the document's lock, assigning
// the ops their seqs: the op log rows (one statement for all: they
// depend on nothing else the commit writes), each op's change, the new
// seq and, on PostgreSQL, the notification of other instances (sent only
// if the transaction commits).
func (s *db) commitSteps(docID, seq int64, ops []protocol.Op) ([]step, error) {
	rows := make([]any, 0, 4*len(ops))
	for i := range ops {
		seq++
		ops[i].Seq = seq
		body, err := encodeOp(ops[i])
		if err != nil {
			return nil, err
		}
		rows = append(rows, docID, seq, ops[i].ID, body)
	}
	var out []step
	chunks(len(ops), func(lo, hi int) {
		out = append(out, step{what: "append ops", rq: qInsertOps, n: hi - lo, want: int64(hi - lo), args: rows[4*lo : 4*hi]})
	})
	var err error
	if annOnly(ops) {
		out, err = s.annSteps(out, docID, ops)
	} else {
		for _, op := range ops {
			if out, err = s.opSteps(out, docID, op); err != nil {
				break
			}
		}
	}
	if err != nil {
		return nil, err
	}
	out = append(out, step{what: "write seq", q: qWriteSeq, args: []any{seq, docID}})
	if s.d.notify != "" && notifyInCommit { // notifyInCommit: postgres_bench.go
		out = append(out, step{what: "notify", q: qNotify, args: []any{s.d.notify, strconv.FormatInt(docID, 10) + ":" + strconv.FormatInt(seq, 10)}})
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
	case st.want > 0 && rows != st.want:
		return fmt.Errorf("store: %s: %w", st.what, ErrStale)
	}
	return nil
}

// text is a step's SQL in the store's dialect.
func (s *db) text(st step) string {
	if st.rq == nil {
		return s.q(st.q)
	}
	k := rowsKey{st.rq, st.n}
	if t, ok := s.rowsTexts.Load(k); ok {
		return t.(string)
	}
	t := s.d.rebind(st.rq.text(st.n))
	s.rowsTexts.Store(k, t)
	return t
}

// stmt is a step's prepared statement, or nil.
func (s *db) stmt(st step) *sql.Stmt {
	if st.rq == nil {
		return s.ops[st.q]
	}
	if v, ok := s.rowsStmts.Load(rowsKey{st.rq, st.n}); ok {
		return v.(*sql.Stmt)
	}
	return nil
}

// prepareRows prepares a rowsQuery's statement for n rows, unless it is.
// Not in a transaction: SQLite's would hold the one writer connection
// that preparing waits for.
func (s *db) prepareRows(ctx context.Context, k rowsKey) error {
	if _, ok := s.rowsStmts.Load(k); ok {
		return nil
	}
	text := s.text(step{rq: k.rq, n: k.n})
	stmt, err := s.w.PrepareContext(ctx, text)
	if err != nil {
		return fmt.Errorf("store: prepare %q: %w", text, err)
	}
	if _, loaded := s.rowsStmts.LoadOrStore(k, stmt); loaded {
		stmt.Close()
	}
	return nil
}

// execSteps runs steps one by one in tx. It returns the rowsQuery
// statements it ran unprepared, for Commit to prepare.
func (s *db) execSteps(ctx context.Context, tx *sql.Tx, steps []step) ([]rowsKey, error) {
	ctx = stmtContext(ctx)
	var unprepared []rowsKey
	for _, st := range steps {
		var res sql.Result
		var err error
		if stmt := s.stmt(st); stmt != nil {
			res, err = tx.StmtContext(ctx, stmt).ExecContext(ctx, st.args...)
		} else {
			if st.rq != nil {
				unprepared = append(unprepared, rowsKey{st.rq, st.n})
			}
			res, err = tx.ExecContext(ctx, s.text(st), st.args...)
		}
		var n int64
		if err == nil {
			n, err = res.RowsAffected()
		}
		if err := st.check(n, err); err != nil {
			return nil, err
		}
	}
	return unprepared, nil
}

// stmtContext is the context of a statement in a write transaction:
// ctx without its cancellation. Given a context that can end, the SQLite
// driver starts a goroutine per statement to interrupt it and installs a
// progress handler, which cost more than a short write. The transaction
// still ends with ctx (database/sql rolls it back), and the statements,
// holding the write lock, wait for no one.
func stmtContext(ctx context.Context) context.Context { return context.WithoutCancel(ctx) }

// lockSeq reads a document's seq, locking its row until tx ends, with
// the statement prepared at open (parsing it again would be a tenth of a
// small commit's time). Given rights, it reads the rights epoch in the
// same statement and fails with a *RightsMovedError unless it is still
// rights.epoch.
func (s *db) lockSeq(ctx context.Context, tx *sql.Tx, docID int64, rights *rightsCheck) (int64, error) {
	var seq, epoch int64
	ctx = stmtContext(ctx)
	var err error
	if rights == nil {
		err = tx.StmtContext(ctx, s.ops[qLockSeq]).QueryRowContext(ctx, docID).Scan(&seq)
	} else {
		err = tx.StmtContext(ctx, rights.stmt).QueryRowContext(ctx, docID).Scan(&seq, &epoch)
	}
	if err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return 0, fmt.Errorf("store: commit ops to document %d: %w", docID, ErrNotFound)
		}
		return 0, fmt.Errorf("store: commit ops: read seq: %w", err)
	}
	if rights != nil && epoch != rights.epoch {
		return 0, &RightsMovedError{Epoch: epoch}
	}
	return seq, nil
}

// Commit implements Store (SQLite's; Postgres batches the same steps).
func (s *db) Commit(ctx context.Context, docID int64, ops []protocol.Op) (int64, error) {
	first, unprepared, err := s.commit(ctx, s.w.BeginTx, docID, ops, nil)
	if err != nil {
		return 0, err
	}
	s.prepareAll(ctx, unprepared)
	return first, nil
}

// commit is Commit in a transaction that begin starts, if the rights
// epoch is still rights' (when not nil). It returns the rowsQuery
// statements it ran unprepared, for the caller to prepare once it no
// longer holds the writer connection.
func (s *db) commit(ctx context.Context, begin beginFunc, docID int64, ops []protocol.Op, rights *rightsCheck) (int64, []rowsKey, error) {
	var first int64
	var unprepared []rowsKey
	err := s.inTxOn(ctx, begin, "commit ops", func(tx *sql.Tx) error {
		seq, err := s.lockSeq(ctx, tx, docID, rights)
		first = seq + 1
		if err != nil || len(ops) == 0 {
			return err
		}
		steps, err := s.commitSteps(docID, seq, ops)
		if err != nil {
			return err
		}
		unprepared, err = s.execSteps(ctx, tx, steps)
		return err
	})
	if err != nil {
		return 0, nil, err
	}
	return first, unprepared, nil
}

// prepareAll prepares the statements a commit ran unprepared.
func (s *db) prepareAll(ctx context.Context, unprepared []rowsKey) {
	for _, k := range unprepared {
		if err := s.prepareRows(ctx, k); err != nil {
			// The ops are committed: not Commit's error. The next commit
			// of this shape runs unprepared and tries again.
			slog.Warn("store: commit ops", "err", err)
		}
	}
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
		steps = append(steps, step{what: "write schema", q: qSetSchema, want: 1, args: []any{string(newSchema), projectID}})
		_, err = s.execSteps(ctx, tx, steps)
		return err
	})
	if err != nil {
		return SchemaResult{}, err
	}
	return res, nil
}

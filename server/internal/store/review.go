package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"gloss/shared/model"
	"gloss/shared/protocol"
)

// This file is the storage of review and adjudication (migration 3 of
// both backends): the review ops' changes in Commit, and their state in
// Snapshot. What an op changes comes decided in the op (docstate.Resolve
// fills op.Reviews and op.DocReview); the store writes it as it is, plus
// the cascade of an annotation delete — its review record and comments —
// which docstate.Apply mirrors.

// reviewKind reports whether kind is one of the review op kinds, which
// touch no annotation except accept's gold copy.
func reviewKind(kind string) bool {
	switch kind {
	case protocol.KindReview, protocol.KindAccept, protocol.KindComment, protocol.KindDeleteComment, protocol.KindDocStatus:
		return true
	}
	return false
}

// applyReviewSQL does op's review part inside a SQLite transaction: the
// delete cascade, the whole of a review kind, the records op carries. It
// reports done for the review kinds, which need nothing else.
func applyReviewSQL(ctx context.Context, tx execer, docID int64, op protocol.Op) (done bool, err error) {
	exec := func(check rowCheck, what, query string, args ...any) error {
		if err != nil {
			return err
		}
		res, e := tx.ExecContext(ctx, query, args...)
		switch {
		case isUnique(e):
			err = fmt.Errorf("store: %s: %w", what, ErrStale)
		case e != nil:
			err = fmt.Errorf("store: %s: %w", what, e)
		case check == oneRow:
			if n, _ := res.RowsAffected(); n != 1 {
				err = fmt.Errorf("store: %s: %w", what, ErrStale)
			}
		}
		return err
	}
	switch op.Kind {
	case protocol.KindDelete:
		exec(anyRows, "delete review of annotation", "DELETE FROM reviews WHERE doc_id = ? AND ann_id = ?", docID, op.Target)
		exec(anyRows, "delete comments of annotation", "DELETE FROM comments WHERE doc_id = ? AND target = ?", docID, op.Target)
	case protocol.KindAccept:
		a := op.Ann
		exec(oneRow, "insert gold annotation", `INSERT INTO annotations (doc_id, id, layer, label, start, "end", quote, author, version, created, updated, attrs)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, docID, a.ID, a.Layer, a.Label, a.Start, a.End, a.Quote, a.Author, a.Version, ms(a.Created), ms(a.Updated), attrsColumn(a.Attrs))
	case protocol.KindComment:
		c := op.Comment
		exec(oneRow, "insert comment", "INSERT INTO comments (doc_id, id, target, text, author, created) VALUES (?, ?, ?, ?, ?, ?)",
			docID, c.ID, c.Target, c.Text, c.Author, ms(c.Created))
	case protocol.KindDeleteComment:
		exec(oneRow, "delete comment", "DELETE FROM comments WHERE doc_id = ? AND id = ?", docID, op.Target)
	}
	for _, r := range op.Reviews {
		exec(anyRows, "write review", `INSERT INTO reviews (doc_id, ann_id, status, reviewer, reviewed_at, source, proposer, gold)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (doc_id, ann_id) DO UPDATE SET status = excluded.status,
			reviewer = excluded.reviewer, reviewed_at = excluded.reviewed_at, source = excluded.source,
			proposer = excluded.proposer, gold = excluded.gold`,
			docID, r.Annotation, string(r.Status), r.Reviewer, ms(r.Time), r.Source, r.Proposer, r.Gold)
	}
	if d := op.DocReview; d != nil {
		exec(anyRows, "write document review status", `INSERT INTO doc_reviews (doc_id, status, reviewer, reviewed_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (doc_id) DO UPDATE SET status = excluded.status, reviewer = excluded.reviewer, reviewed_at = excluded.reviewed_at`,
			docID, string(d.Status), d.Reviewer, ms(d.Time))
	}
	return reviewKind(op.Kind), err
}

// applyReview queues op's review part as applyReviewSQL does for SQLite,
// and reports whether op is a review kind, which needs nothing else.
func (b *pgBatch) applyReview(docID int64, op protocol.Op) bool {
	switch op.Kind {
	case protocol.KindDelete:
		b.queue(anyRows, "delete review of annotation", "DELETE FROM reviews WHERE doc_id = $1 AND ann_id = $2", docID, op.Target)
		b.queue(anyRows, "delete comments of annotation", "DELETE FROM comments WHERE doc_id = $1 AND target = $2", docID, op.Target)
	case protocol.KindAccept:
		a := op.Ann
		b.queue(oneRow, "insert gold annotation", `INSERT INTO annotations (doc_id, id, layer, label, start, "end", quote, author, version, created, updated, attrs)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
			docID, a.ID, a.Layer, a.Label, a.Start, a.End, []byte(a.Quote), a.Author, a.Version, ms(a.Created), ms(a.Updated), attrsColumn(a.Attrs))
	case protocol.KindComment:
		c := op.Comment
		b.queue(oneRow, "insert comment", "INSERT INTO comments (doc_id, id, target, text, author, created) VALUES ($1, $2, $3, $4, $5, $6)",
			docID, c.ID, c.Target, []byte(c.Text), c.Author, ms(c.Created))
	case protocol.KindDeleteComment:
		b.queue(oneRow, "delete comment", "DELETE FROM comments WHERE doc_id = $1 AND id = $2", docID, op.Target)
	}
	for _, r := range op.Reviews {
		b.queue(anyRows, "write review", `INSERT INTO reviews (doc_id, ann_id, status, reviewer, reviewed_at, source, proposer, gold)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (doc_id, ann_id) DO UPDATE SET status = excluded.status,
			reviewer = excluded.reviewer, reviewed_at = excluded.reviewed_at, source = excluded.source,
			proposer = excluded.proposer, gold = excluded.gold`,
			docID, r.Annotation, string(r.Status), r.Reviewer, ms(r.Time), r.Source, r.Proposer, r.Gold)
	}
	if d := op.DocReview; d != nil {
		b.queue(anyRows, "write document review status", `INSERT INTO doc_reviews (doc_id, status, reviewer, reviewed_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (doc_id) DO UPDATE SET status = excluded.status, reviewer = excluded.reviewer, reviewed_at = excluded.reviewed_at`,
			docID, string(d.Status), d.Reviewer, ms(d.Time))
	}
	return reviewKind(op.Kind)
}

// Queries of a snapshot's review part, the same for both backends but for
// placeholders and collation (byte order, as everywhere).
const (
	reviewsQuery   = `SELECT ann_id, status, reviewer, reviewed_at, source, proposer, gold FROM reviews WHERE doc_id = %s ORDER BY ann_id%s`
	commentsQuery  = `SELECT id, target, text, author, created FROM comments WHERE doc_id = %s ORDER BY created, id%s`
	docReviewQuery = `SELECT status, reviewer, reviewed_at FROM doc_reviews WHERE doc_id = %s`
)

// scanner is what the snapshot readers need of a result row.
type scanner interface{ Scan(dest ...any) error }

func scanReview(row scanner) (model.Review, error) {
	var r model.Review
	var status string
	var at int64
	if err := row.Scan(&r.Annotation, &status, &r.Reviewer, &at, &r.Source, &r.Proposer, &r.Gold); err != nil {
		return r, fmt.Errorf("store: snapshot reviews: %w", err)
	}
	r.Status, r.Time = model.ReviewStatus(status), fromMS(at)
	return r, nil
}

func scanComment(row scanner, docID int64) (model.Comment, error) {
	c := model.Comment{Document: docID}
	var text []byte
	var created int64
	if err := row.Scan(&c.ID, &c.Target, &text, &c.Author, &created); err != nil {
		return c, fmt.Errorf("store: snapshot comments: %w", err)
	}
	c.Text, c.Created = string(text), fromMS(created)
	return c, nil
}

// snapshotReviewSQL reads the review part of a snapshot in SQLite's tx.
func snapshotReviewSQL(ctx context.Context, tx *sql.Tx, docID int64, snap *Snapshot) error {
	rows, err := tx.QueryContext(ctx, fmt.Sprintf(reviewsQuery, "?", ""), docID)
	if err != nil {
		return fmt.Errorf("store: snapshot reviews: %w", err)
	}
	for rows.Next() {
		r, err := scanReview(rows)
		if err != nil {
			rows.Close()
			return err
		}
		snap.Reviews = append(snap.Reviews, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: snapshot reviews: %w", err)
	}
	rows, err = tx.QueryContext(ctx, fmt.Sprintf(commentsQuery, "?", ""), docID)
	if err != nil {
		return fmt.Errorf("store: snapshot comments: %w", err)
	}
	for rows.Next() {
		c, err := scanComment(rows, docID)
		if err != nil {
			rows.Close()
			return err
		}
		snap.Comments = append(snap.Comments, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: snapshot comments: %w", err)
	}
	var status string
	var at int64
	err = tx.QueryRowContext(ctx, fmt.Sprintf(docReviewQuery, "?"), docID).Scan(&status, &snap.DocReview.Reviewer, &at)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		snap.DocReview = model.DocReview{}
	case err != nil:
		return fmt.Errorf("store: snapshot document review status: %w", err)
	default:
		snap.DocReview.Status, snap.DocReview.Time = model.DocStatus(status), fromMS(at)
	}
	return nil
}

// snapshotReviewPostgres reads the review part of a snapshot in
// Postgres's repeatable-read tx.
func snapshotReviewPostgres(ctx context.Context, tx pgx.Tx, docID int64, snap *Snapshot) error {
	rows, err := tx.Query(ctx, fmt.Sprintf(reviewsQuery, "$1", ` COLLATE "C"`), docID)
	if err != nil {
		return fmt.Errorf("store: snapshot reviews: %w", err)
	}
	for rows.Next() {
		r, err := scanReview(rows)
		if err != nil {
			rows.Close()
			return err
		}
		snap.Reviews = append(snap.Reviews, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: snapshot reviews: %w", err)
	}
	rows, err = tx.Query(ctx, fmt.Sprintf(commentsQuery, "$1", ` COLLATE "C"`), docID)
	if err != nil {
		return fmt.Errorf("store: snapshot comments: %w", err)
	}
	for rows.Next() {
		c, err := scanComment(rows, docID)
		if err != nil {
			rows.Close()
			return err
		}
		snap.Comments = append(snap.Comments, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: snapshot comments: %w", err)
	}
	var status string
	var at int64
	err = tx.QueryRow(ctx, fmt.Sprintf(docReviewQuery, "$1"), docID).Scan(&status, &snap.DocReview.Reviewer, &at)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		snap.DocReview = model.DocReview{}
	case err != nil:
		return fmt.Errorf("store: snapshot document review status: %w", err)
	default:
		snap.DocReview.Status, snap.DocReview.Time = model.DocStatus(status), fromMS(at)
	}
	return nil
}

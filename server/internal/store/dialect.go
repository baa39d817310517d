package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Every query is written once, in SQLite's spelling with two markers:
// `?` placeholders and {C} where a string is sorted (byte order). A
// dialect rewrites them when a store opens (see rebind), so that no call
// pays for it.

// query names one of the store's SQL texts.
type query int

var queries []string

// sqlText registers a query and returns its name.
func sqlText(text string) query {
	queries = append(queries, text)
	return query(len(queries) - 1)
}

// dialect is what truly differs between SQLite and PostgreSQL.
type dialect struct {
	// dollar numbers placeholders ($1, $2, …) instead of `?`.
	dollar bool
	// collate is appended where {C} marks a sorted string: PostgreSQL
	// sorts by the database's locale unless told "C", SQLite and Go by
	// bytes.
	collate string
	// forUpdate is appended where {LOCK} marks a read of a row the
	// transaction will write: PostgreSQL locks it; SQLite's one writer
	// connection and BEGIN IMMEDIATE already hold the whole database.
	forUpdate string
	// bytes is how a Go string that may hold any bytes (a quote, a
	// comment) is passed: PostgreSQL keeps it in bytea, as a text column
	// refuses NUL and invalid UTF-8; SQLite's TEXT keeps any bytes.
	bytes func(string) any
	// snapshotTx reads a snapshot's tables as of one moment.
	snapshotTx *sql.TxOptions
	// notify names the channel Commit notifies other instances on ("":
	// none share the database).
	notify string
	// migrations is the directory of migrations/ for this dialect;
	// lockMigrations, schemaVersion and setSchemaVersion keep the
	// bookkeeping each dialect has always used (migrate.go).
	migrations       string
	lockMigrations   string
	schemaVersion    func(ctx context.Context, tx *sql.Tx) (int, error)
	setSchemaVersion func(ctx context.Context, tx *sql.Tx, v int) error
	// rightsDDL installs the rights epoch's counter and triggers (rights.go).
	rightsDDL []string
	// updateFrom groups a batch's annotation updates into one UPDATE …
	// FROM (VALUES …) (qUpdateAnns) instead of a statement each.
	updateFrom bool
}

// rebind rewrites a query's markers for d.
func (d *dialect) rebind(q string) string {
	q = strings.ReplaceAll(q, "{C}", d.collate)
	q = strings.ReplaceAll(q, "{LOCK}", d.forUpdate)
	if !d.dollar || !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// isUnique reports a unique or primary key violation, by error code.
func isUnique(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505"
}

// isForeignKey reports a foreign key violation, by error code.
func isForeignKey(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY
	}
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23503"
}

// queryer is what the readers need of a *sql.DB or a *sql.Tx.
type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// scanAll runs a query and calls scan on each row, then checks rows.Err:
// a result cut short by an error is an error, never a short answer.
func scanAll(ctx context.Context, q queryer, what, query string, args []any, scan func(*sql.Rows) error) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("store: %s: %w", what, err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return fmt.Errorf("store: %s: %w", what, err)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: %s: %w", what, err)
	}
	return nil
}

// inList returns "?,?,…" for the values and the values as arguments.
func inList[T any](vs []T) (string, []any) {
	args := make([]any, len(vs))
	for i, v := range vs {
		args[i] = v
	}
	return strings.TrimSuffix(strings.Repeat("?,", len(vs)), ","), args
}

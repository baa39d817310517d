// Package store persists Gloss's data. The Store interface is what the
// rest of the server needs; sqlite.go implements it on an embedded SQLite
// file and postgres.go on a PostgreSQL server. Both pass the same
// conformance tests (storetest).
package store

import (
	"context"
	"errors"
	"time"

	"gloss/shared/model"
	"gloss/shared/protocol"
)

// Sentinel errors. Callers test them with errors.Is.
var (
	ErrNotFound = errors.New("not found")
	ErrExists   = errors.New("already exists")
	// ErrStale means a conditional write found the row at another version
	// than the caller's cache expected: another writer got there first
	// (another server instance). The caller reloads and retries.
	ErrStale = errors.New("stale state")
)

// Member is a user's membership in a project.
type Member struct {
	Project model.Project
	Role    model.Role
}

// DocumentInfo is a row of a project's document list.
type DocumentInfo struct {
	ID          int64  `json:"id"`
	Name        string `json:"name"`
	Chars       int    `json:"chars"`
	Annotations int    `json:"annotations"`
}

// Snapshot is a document's current annotation state at Seq.
type Snapshot struct {
	Seq         int64
	Annotations []model.Annotation
	Relations   []model.Relation
}

// Session is a login session; the store keeps only the token's hash.
type Session struct {
	User    model.User
	Expires time.Time
}

// Store is everything the server persists. Implementations are safe for
// concurrent use.
type Store interface {
	// Epoch identifies this database's lineage. It changes when the
	// database is recreated, so clients holding seqs from another
	// database get a snapshot instead of a bogus resume.
	Epoch() string

	CreateUser(ctx context.Context, name string, passwordHash []byte) (model.User, error)
	UserByName(ctx context.Context, name string) (model.User, []byte, error)
	SetPassword(ctx context.Context, userID int64, passwordHash []byte) error
	Users(ctx context.Context) ([]model.User, error)

	CreateSession(ctx context.Context, tokenHash []byte, userID int64, expires time.Time) error
	SessionByToken(ctx context.Context, tokenHash []byte) (Session, error)
	DeleteSession(ctx context.Context, tokenHash []byte) error

	CreateProject(ctx context.Context, name string, schema model.Schema) (model.Project, error)
	Project(ctx context.Context, id int64) (model.Project, error)
	Projects(ctx context.Context) ([]model.Project, error)
	SetMember(ctx context.Context, projectID, userID int64, role model.Role) error
	Role(ctx context.Context, projectID, userID int64) (model.Role, error)
	Memberships(ctx context.Context, userID int64) ([]Member, error)

	// AddDocuments inserts documents into a project in one transaction:
	// all or none.
	AddDocuments(ctx context.Context, projectID int64, docs []model.Document) ([]model.Document, error)
	Document(ctx context.Context, id int64) (model.Document, error)
	Documents(ctx context.Context, projectID int64) ([]DocumentInfo, error)

	Snapshot(ctx context.Context, docID int64) (Snapshot, error)
	// OpsSince returns at most limit ops of the document with seq > since,
	// in seq order.
	OpsSince(ctx context.Context, docID, since int64, limit int) ([]protocol.Op, error)
	// OpSeqs returns the seqs of those of opIDs already applied to the
	// document: a retried op is answered from here, not applied twice.
	OpSeqs(ctx context.Context, docID int64, opIDs []string) (map[string]int64, error)
	// Commit appends resolved ops (protocol.Op as docstate.Resolve makes
	// them) to the document's op log and applies them to its current state
	// in ONE transaction, assigning consecutive seqs after the document's
	// current one. It returns the first assigned seq. Updates and deletes
	// are conditional on the version the op was resolved against; if one
	// does not match, nothing is written and the error wraps ErrStale.
	Commit(ctx context.Context, docID int64, ops []protocol.Op) (int64, error)

	Close() error
}

// Notifier is implemented by stores that several server instances can
// share (Postgres, not SQLite). It tells one instance that another has
// committed ops, so that the hub pulls them with OpsSince and broadcasts
// them to its own connections.
type Notifier interface {
	// Listen calls fn after each commit to any document, by any instance
	// including this one, with the document and the last seq the commit
	// assigned. A notification is a hint to catch up with OpsSince, not
	// data: a commit that did not happen is never notified, but while no
	// one listens notifications are lost. So Listen first calls fn(0, 0)
	// (0 is never a document ID) once it is subscribed; on that call the
	// caller catches up every document it holds. fn runs on Listen's
	// goroutine and should not block long. Listen returns when ctx ends or
	// the subscription fails; the caller may call it again.
	Listen(ctx context.Context, fn func(docID, seq int64)) error
}

// Package store persists Gloss's data. The Store interface is what the
// rest of the server needs; sqlite.go implements it on an embedded SQLite
// file and postgres.go on a PostgreSQL server. Both pass the same
// conformance tests (storetest).
package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
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
	// ErrInUse means a change would remove something that data still
	// refers to; the error is an *InUseError that says how much.
	ErrInUse = errors.New("in use")
)

// Account is a user with their site-wide rights. A site admin may create
// projects and accounts; rights inside a project come from its Role.
type Account struct {
	model.User
	SiteAdmin bool
}

// Member is a user's membership in a project.
type Member struct {
	Project model.Project
	Role    model.Role
}

// DocumentInfo is a row of a project's document list.
type DocumentInfo struct {
	ID          int64
	Name        string
	Chars       int
	Annotations int
}

// Snapshot is a document's current annotation state at Seq.
type Snapshot struct {
	Seq         int64
	Annotations []model.Annotation
	Relations   []model.Relation
	// Reviews are the review records by annotation ID, Comments every
	// comment oldest first (then by ID), DocReview the document's review
	// status (zero: not reviewed).
	Reviews   []model.Review
	Comments  []model.Comment
	DocReview model.DocReview
}

// Session is who a login session or an API token belongs to; the store
// keeps only the token's hash. Expires is zero for API tokens, which last
// until revoked.
type Session struct {
	User      model.User
	SiteAdmin bool
	Expires   time.Time
}

// APIToken describes a script's credential (never the token itself).
type APIToken struct {
	ID      int64
	UserID  int64
	User    string
	Label   string
	Created time.Time
}

// ProjectMember is one member of a project and their role in it.
type ProjectMember struct {
	User model.User
	Role model.Role
}

// Assignment is a document given to a user to annotate; Done is set by
// the user when they have finished it.
type Assignment struct {
	Document int64
	UserID   int64
	User     string
	Done     bool
	Updated  time.Time
}

// SpanCount is how many annotations one layer of one document has with
// one label.
type SpanCount struct {
	Document int64
	Layer    string
	Label    string
	Count    int
}

// NewDocument is a document to import with the annotations it arrives
// with (already validated against its text and the project's schema).
type NewDocument struct {
	model.Document
	Annotations []model.Annotation
}

// SchemaChange replaces a project's label schema. Labels of the old schema
// that are neither in the new one under the same name nor renamed are
// removed; so are relation types not in the new schema.
type SchemaChange struct {
	Schema model.Schema
	// Renames maps old label names to new ones; the project's annotations
	// are relabelled.
	Renames map[string]string
	// DeleteInUse deletes the annotations and relations that use a
	// removed label or relation type. Without it such a change fails with
	// an *InUseError and changes nothing.
	DeleteInUse bool
	// By is the user name the resulting ops are recorded under.
	By string
}

// SchemaResult is what a schema change did to the project's annotations.
// Every change to annotations goes through the documents' op logs (as
// update and delete ops), so live clients and resumes see it.
type SchemaResult struct {
	Relabelled       int
	Deleted          int
	DeletedRelations int
	Documents        []int64
}

// InUseError lists the removed labels and relation types that are still
// used, with how many annotations or relations use each.
type InUseError struct {
	Labels    map[string]int
	Relations map[string]int
}

func (e *InUseError) Error() string {
	var parts []string
	for _, name := range sortedKeys(e.Labels) {
		parts = append(parts, fmt.Sprintf("label %q is used by %d annotation(s)", name, e.Labels[name]))
	}
	for _, name := range sortedKeys(e.Relations) {
		parts = append(parts, fmt.Sprintf("relation type %q is used by %d relation(s)", name, e.Relations[name]))
	}
	return "store: " + strings.Join(parts, "; ")
}

// Unwrap makes errors.Is(err, ErrInUse) hold.
func (e *InUseError) Unwrap() error { return ErrInUse }

func sortedKeys(m map[string]int) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
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
	SetSiteAdmin(ctx context.Context, userID int64, admin bool) error
	// Users lists every account by name (byte order).
	Users(ctx context.Context) ([]Account, error)

	CreateSession(ctx context.Context, tokenHash []byte, userID int64, expires time.Time) error
	SessionByToken(ctx context.Context, tokenHash []byte) (Session, error)
	DeleteSession(ctx context.Context, tokenHash []byte) error
	// DeleteSessions ends every login session of a user (after a password
	// change); API tokens are not sessions and stay.
	DeleteSessions(ctx context.Context, userID int64) error
	// DeleteExpiredSessions deletes sessions that expired at or before
	// now and says how many (sqlite_harden.go, postgres_harden.go).
	DeleteExpiredSessions(ctx context.Context, now time.Time) (int64, error)

	CreateAPIToken(ctx context.Context, userID int64, label string, tokenHash []byte) (APIToken, error)
	// APITokens lists a user's tokens, oldest first; userID 0 lists every
	// user's.
	APITokens(ctx context.Context, userID int64) ([]APIToken, error)
	APIToken(ctx context.Context, id int64) (APIToken, error)
	DeleteAPIToken(ctx context.Context, id int64) error
	// SessionByAPIToken returns whom a token authenticates.
	SessionByAPIToken(ctx context.Context, tokenHash []byte) (Session, error)

	// CreateProject creates a project and makes each of admins its admin,
	// in one transaction: a project never exists without the admin it
	// was created for.
	CreateProject(ctx context.Context, name string, schema model.Schema, admins ...int64) (model.Project, error)
	Project(ctx context.Context, id int64) (model.Project, error)
	Projects(ctx context.Context) ([]model.Project, error)
	// UpdateSchema applies a SchemaChange in one transaction: the new
	// schema and the op-log entries that relabel or delete annotations.
	UpdateSchema(ctx context.Context, projectID int64, change SchemaChange) (SchemaResult, error)
	SetMember(ctx context.Context, projectID, userID int64, role model.Role) error
	// RemoveMember ends a membership and drops the user's assignments in
	// the project; their annotations stay.
	RemoveMember(ctx context.Context, projectID, userID int64) error
	Role(ctx context.Context, projectID, userID int64) (model.Role, error)
	Memberships(ctx context.Context, userID int64) ([]Member, error)
	// Members lists a project's members by user name.
	Members(ctx context.Context, projectID int64) ([]ProjectMember, error)

	// AddDocuments inserts documents into a project in one transaction:
	// all or none.
	AddDocuments(ctx context.Context, projectID int64, docs []model.Document) ([]model.Document, error)
	// ImportDocuments inserts documents with their initial annotations in
	// one transaction: all or none. Each document's annotations are
	// committed through its op log as add ops (seq 1, 2, …), exactly as if
	// a client had sent them, so that live sync and replays agree.
	ImportDocuments(ctx context.Context, projectID int64, docs []NewDocument) ([]model.Document, error)
	Document(ctx context.Context, id int64) (model.Document, error)
	Documents(ctx context.Context, projectID int64) ([]DocumentInfo, error)

	// SetAssigned assigns a document to a user, or withdraws it.
	SetAssigned(ctx context.Context, docID, userID int64, assigned bool) error
	// SetDone records whether a user has finished a document, assigning
	// it to them if it was not.
	SetDone(ctx context.Context, docID, userID int64, done bool) error
	// MarkDone records whether a user has finished a document assigned
	// to them; ErrNotFound if it is not assigned (it never assigns).
	MarkDone(ctx context.Context, docID, userID int64, done bool) error
	// Done reports whether a user marked a document done (false if it is
	// not assigned to them); blind annotation ends there
	// (sqlite_blind.go, postgres_blind.go).
	Done(ctx context.Context, docID, userID int64) (bool, error)
	// Assignments lists a project's assignments by document, then user.
	Assignments(ctx context.Context, projectID int64) ([]Assignment, error)
	// SpanCounts counts a project's annotations by document, layer and label.
	SpanCounts(ctx context.Context, projectID int64) ([]SpanCount, error)

	// ProjectSettings returns a project's settings; a project that never
	// had any set (one made before settings existed) has the zero
	// Settings: nothing switched on behind its admins' backs.
	ProjectSettings(ctx context.Context, projectID int64) (model.Settings, error)
	// SetProjectSettings replaces a project's settings.
	SetProjectSettings(ctx context.Context, projectID int64, s model.Settings) error

	Snapshot(ctx context.Context, docID int64) (Snapshot, error)
	// OpsSince returns at most limit ops of the document with seq > since,
	// in seq order.
	OpsSince(ctx context.Context, docID, since int64, limit int) ([]protocol.Op, error)
	// DocSeqs returns the current seq (that of the last committed op, 0
	// for none) of each of docIDs that exists, in one query: what a
	// caller holding many documents' state checks to see which moved.
	DocSeqs(ctx context.Context, docIDs []int64) (map[int64]int64, error)
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

	// CreateStory makes a story of a project with the given documents
	// (moving them out of any other story); every document must be in
	// the project, or the error wraps ErrOtherProject and nothing changes.
	// An unknown project is ErrNotFound.
	CreateStory(ctx context.Context, projectID int64, name string, docs []int64) (Story, error)
	Story(ctx context.Context, id int64) (Story, error)
	// Stories lists a project's stories, oldest first.
	Stories(ctx context.Context, projectID int64) ([]Story, error)
	// UpdateStory renames and/or regroups a story in one transaction,
	// with CreateStory's rules for the documents.
	UpdateStory(ctx context.Context, id int64, change StoryChange) (Story, error)
	// DeleteStory deletes a story; its documents stay.
	DeleteStory(ctx context.Context, id int64) error
	// SetDocumentMeta changes a document's metadata: each key of changes
	// is set to its value, or deleted when the value is empty.
	SetDocumentMeta(ctx context.Context, docID int64, changes map[string]string) error

	// RightsEpoch is a counter that every change of a membership, a role,
	// a password, a site admin flag, a project's schema or settings, a
	// document's done mark, or a deletion of
	// a session, an API token or a user moves on, whoever makes it (any
	// instance, the CLI). Live sync reads it once per batch of ops and
	// re-checks its connections' rights only when it moved
	// (sqlite_hub.go, postgres_hub.go).
	RightsEpoch(ctx context.Context) (int64, error)

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

// attrsColumn is how an annotation's Attrs are stored: NULL when it has
// none, else their JSON.
func attrsColumn(a *model.Attrs) any {
	if a.IsZero() {
		return nil
	}
	b, err := json.Marshal(a)
	if err != nil {
		// Marshal refuses only non-finite numbers, which Attrs.Validate
		// refused before any op or import got here.
		return nil
	}
	return string(b)
}

// parseAttrs reads what attrsColumn stored ("" for NULL).
func parseAttrs(s string) (*model.Attrs, error) {
	if s == "" {
		return nil, nil
	}
	var a model.Attrs
	if err := json.Unmarshal([]byte(s), &a); err != nil {
		return nil, fmt.Errorf("decode attrs: %w", err)
	}
	return &a, nil
}

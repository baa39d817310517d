// Package httpapi is the contract of Gloss's JSON API: every request body,
// answer and error body that server/internal/api writes and the wasm
// pages read. Both sides import these types, so a renamed field is a
// compile error on both instead of a silent zero on one; golden_test.go
// pins the JSON itself.
//
// It imports only shared/model and the standard library, and builds for
// GOOS=js.
package httpapi

import (
	"encoding/json"
	"time"

	"gloss/shared/model"
)

// ErrorType is the "type" of every error body, the same as the websocket's
// error messages.
const ErrorType = "error"

// Error is the body of every refusal the API answers, and of the
// websocket's errors: {"type":"error","code":…,"message":…}. A few
// refusals carry more, in the optional fields.
type Error struct {
	Type    string `json:"type"`
	Code    string `json:"code"`
	Message string `json:"message"`
	// File and Line name where an import failed (code bad_file).
	File string `json:"file,omitempty"`
	Line int    `json:"line,omitempty"`
	// Labels and Relations count the annotations and relations that use
	// what a schema change would remove (code in_use).
	Labels    map[string]int `json:"labels,omitempty"`
	Relations map[string]int `json:"relations,omitempty"`
}

// NewError returns the error body for code and message.
func NewError(code, message string) Error {
	return Error{Type: ErrorType, Code: code, Message: message}
}

// Me is the answer of GET /api/me.
type Me struct {
	User      model.User `json:"user"`
	SiteAdmin bool       `json:"site_admin"`
	// CSRF is the token to send in the X-CSRF-Token header; only for
	// cookie sessions (API tokens need none).
	CSRF     string      `json:"csrf,omitempty"`
	Projects []MyProject `json:"projects"`
}

// MyProject is a project the user belongs to, with its documents.
type MyProject struct {
	model.Project
	Role      model.Role `json:"role"`
	Documents []MyDoc    `json:"documents"`
}

// MyDoc is a document of one of the user's projects, with whether it is
// assigned to the user and whether they marked it done.
type MyDoc struct {
	DocumentInfo
	Assigned bool `json:"assigned"`
	Done     bool `json:"done"`
}

// DocumentInfo is a row of GET /api/projects/{id}/documents.
type DocumentInfo struct {
	ID          int64  `json:"id"`
	Name        string `json:"name"`
	Chars       int    `json:"chars"`
	Annotations int    `json:"annotations"`
}

// PasswordRequest is the body of POST /api/me/password.
type PasswordRequest struct {
	Current string `json:"current"`
	New     string `json:"new"`
}

// PasswordAnswer is the answer of POST /api/me/password: the new
// session's CSRF token (cookie sessions only).
type PasswordAnswer struct {
	CSRF string `json:"csrf,omitempty"`
}

// Account is a row of GET /api/users and the answer of POST /api/users.
type Account struct {
	model.User
	SiteAdmin bool `json:"site_admin"`
}

// CreateUserRequest is the body of POST /api/users.
type CreateUserRequest struct {
	Name      string `json:"name"`
	Password  string `json:"password"`
	SiteAdmin bool   `json:"site_admin"`
}

// ProjectEntry is a row of GET /api/projects: a project and the caller's
// role in it ("" if none).
type ProjectEntry struct {
	ID   int64      `json:"id"`
	Name string     `json:"name"`
	Role model.Role `json:"role"`
}

// CreateProjectRequest is the body of POST /api/projects; the answer is
// the model.Project.
type CreateProjectRequest struct {
	Name string `json:"name"`
}

// ProjectView is the answer of GET /api/projects/{id}.
type ProjectView struct {
	model.Project
	Role model.Role `json:"role"`
}

// SchemaRequest is the body of PUT /api/projects/{id}/schema.
type SchemaRequest struct {
	Schema model.Schema `json:"schema"`
	// Renames maps old label names to new ones; the project's annotations
	// are relabelled in the same transaction.
	Renames map[string]string `json:"renames"`
}

// SchemaAnswer is the answer of PUT /api/projects/{id}/schema.
type SchemaAnswer struct {
	Project model.Project `json:"project"`
	Result  SchemaResult  `json:"result"`
}

// SchemaResult is what a schema change did to the project's annotations.
type SchemaResult struct {
	Relabelled       int     `json:"relabelled"`
	Deleted          int     `json:"deleted"`
	DeletedRelations int     `json:"deleted_relations"`
	Documents        []int64 `json:"documents"`
}

// Member is a row of GET /api/projects/{id}/members and the answer of
// POST to it.
type Member struct {
	User model.User `json:"user"`
	Role model.Role `json:"role"`
}

// SetMemberRequest is the body of POST /api/projects/{id}/members: add a
// member or change their role.
type SetMemberRequest struct {
	Name string     `json:"name"`
	Role model.Role `json:"role"`
}

// ImportRequest is the JSON body of POST /api/projects/{id}/documents;
// each document is a Gloss JSONL record.
type ImportRequest struct {
	Layer     string            `json:"layer"`
	Documents []json.RawMessage `json:"documents"`
}

// ImportResult is the answer of a successful import.
type ImportResult struct {
	Documents []DocumentInfo `json:"documents"`
	Spans     int            `json:"spans"`
	// Suggested counts the spans the suggester added to the documents'
	// suggest layer (projects whose settings ask for it).
	Suggested int `json:"suggested,omitempty"`
}

// SuggestResult is the answer of POST /api/documents/{id}/suggest.
type SuggestResult struct {
	Added     int `json:"added"`
	Relations int `json:"relations"`
	Skipped   int `json:"skipped"`
}

// AssignRequest is the body of POST /api/projects/{id}/assignments: give
// (or, with Assigned false, take back) documents to a member.
type AssignRequest struct {
	User      string  `json:"user"`
	Documents []int64 `json:"documents"`
	Assigned  bool    `json:"assigned"`
}

// Assignment is a row of GET /api/projects/{id}/assignments: a document
// given to a user, and whether they marked it done.
type Assignment struct {
	Document int64     `json:"doc"`
	UserID   int64     `json:"user_id"`
	User     string    `json:"user"`
	Done     bool      `json:"done"`
	Updated  time.Time `json:"updated"`
}

// Done is the body and the answer of POST /api/documents/{id}/done.
type Done struct {
	Done bool `json:"done"`
}

// APIToken is a row of GET /api/tokens (never the token itself).
type APIToken struct {
	ID      int64     `json:"id"`
	UserID  int64     `json:"user_id"`
	User    string    `json:"user"`
	Label   string    `json:"label"`
	Created time.Time `json:"created"`
}

// CreateTokenRequest is the body of POST /api/tokens.
type CreateTokenRequest struct {
	Label string `json:"label"`
}

// NewToken is the answer of POST /api/tokens: the only time the token
// itself is shown.
type NewToken struct {
	APIToken
	Token string `json:"token"`
}

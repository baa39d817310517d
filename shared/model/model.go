// Package model holds the types and rules that the browser and the server
// share: documents, annotations, relations, label schemas and their
// validation. It imports nothing platform-specific so that it builds both
// natively and for GOOS=js.
package model

import (
	"time"
)

// Role is a user's role within one project.
type Role string

// Roles, from most to least privileged.
const (
	RoleAdmin     Role = "admin"
	RoleReviewer  Role = "reviewer"
	RoleAnnotator Role = "annotator"
	RoleViewer    Role = "viewer"
)

// Valid reports whether r is one of the known roles.
func (r Role) Valid() bool {
	switch r {
	case RoleAdmin, RoleReviewer, RoleAnnotator, RoleViewer:
		return true
	}
	return false
}

// Article returns the role with its indefinite article, for messages:
// "an annotator", "a reviewer".
func (r Role) Article() string {
	switch r {
	case RoleAdmin, RoleAnnotator:
		return "an " + string(r)
	case "":
		return "a non-member"
	}
	return "a " + string(r)
}

// GoldLayer is the layer reviewers adjudicate into. Every other layer is
// named after the annotator who owns it.
const GoldLayer = "gold"

// User is an account. The password hash never leaves the server.
type User struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// Project groups documents under one label schema.
type Project struct {
	ID     int64  `json:"id"`
	Name   string `json:"name"`
	Schema Schema `json:"schema"`
}

// Document is one article. Text is stored byte for byte as imported.
type Document struct {
	ID        int64             `json:"id"`
	ProjectID int64             `json:"project"`
	Name      string            `json:"name"`
	Text      string            `json:"text"`
	Meta      map[string]string `json:"meta,omitempty"`
}

// Annotation is a labelled span in one layer of a document. Start and End
// are Unicode code point offsets into the document text, end exclusive, so
// that Python's text[start:end] equals Quote.
type Annotation struct {
	ID       string `json:"id"`
	Document int64  `json:"doc"`
	Layer    string `json:"layer"`
	Label    string `json:"label"`
	Start    int    `json:"start"`
	End      int    `json:"end"`
	Quote    string `json:"quote"`
	Author   string `json:"author"`
	// Attrs are a figure's or an attribution's structured fields (nil
	// when the span has none).
	Attrs *Attrs `json:"attrs,omitempty"`
	// Version starts at 1 and grows by one with every accepted update; an
	// update or delete must name the version it was made against.
	Version int64     `json:"version"`
	Created time.Time `json:"created"`
	Updated time.Time `json:"updated"`
}

// Relation links two annotations of the same document with a typed edge,
// e.g. an attribution that is the source of a claim.
type Relation struct {
	ID       string    `json:"id"`
	Document int64     `json:"doc"`
	Layer    string    `json:"layer"`
	Type     string    `json:"type"`
	From     string    `json:"from"`
	To       string    `json:"to"`
	Author   string    `json:"author"`
	Version  int64     `json:"version"`
	Created  time.Time `json:"created"`
}

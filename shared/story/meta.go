package story

import (
	"strings"
	"time"

	"gloss/shared/model"
)

// Document metadata keys (model.Document.Meta) the story view reads: the
// import fields `outlet` and `published`, editable like any metadata.
const (
	MetaOutlet    = "outlet"
	MetaPublished = "published"
)

// publishedLayouts are the forms a publication time is accepted in, most
// precise first.
var publishedLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02 15:04:05",
	"2006-01-02 15:04", "2006-01-02"}

// ParsePublished reads a publication time as imported ("2024-03-22",
// "2024-03-22T21:00:00Z", …); times without a zone are UTC. It reports
// false for anything else, which the story view shows as unknown.
func ParsePublished(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for _, l := range publishedLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// FromModel makes a story Document from a stored document and its state,
// reading outlet and publication time from its metadata.
func FromModel(d model.Document, anns []model.Annotation, rels []model.Relation) Document {
	out := Document{ID: d.ID, Name: d.Name, Annotations: anns, Relations: rels}
	if d.Meta != nil {
		out.Outlet = strings.TrimSpace(d.Meta[MetaOutlet])
		out.Published, _ = ParsePublished(d.Meta[MetaPublished])
	}
	return out
}

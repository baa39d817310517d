package httpapi

import "gloss/shared/model"

// Stories group a project's documents that report one event, so that the
// story view can compare their figures. A document is in at most one
// story: adding it to another moves it.
//
//	GET    /api/projects/{id}/stories   []Story                (members)
//	POST   /api/projects/{id}/stories   StoryChange → Story    (admins; name required)
//	GET    /api/stories/{id}            Story                  (members)
//	PATCH  /api/stories/{id}            StoryChange → Story    (admins; rename and/or regroup)
//	DELETE /api/stories/{id}            204                    (admins; the documents stay)
//	GET    /api/stories/{id}/figures?format=csv|jsonl          (members; one row per figure)
//	GET    /api/stories/{id}/state      StoryState             (members; the story view's first paint)
//	PATCH  /api/documents/{id}          DocumentMetaChange → StoryDocument (admins)

// Story is one story of a project with its documents in reading order
// (publication time, then id).
type Story struct {
	ID        int64           `json:"id"`
	Project   int64           `json:"project"`
	Name      string          `json:"name"`
	Documents []StoryDocument `json:"documents"`
}

// StoryDocument is a document as the story view names it.
type StoryDocument struct {
	ID    int64  `json:"id"`
	Title string `json:"title"`
	// Outlet and Published are the document's metadata fields of the
	// same names (empty when unknown); Published as imported, e.g.
	// "2024-03-22" or "2024-03-22T21:00:00Z".
	Outlet    string `json:"outlet,omitempty"`
	Published string `json:"published,omitempty"`
}

// StoryChange creates, renames or regroups a story. A nil field is left
// as it is; Documents, when present, is the story's whole new list.
type StoryChange struct {
	Name      *string  `json:"name,omitempty"`
	Documents *[]int64 `json:"documents,omitempty"`
}

// DocumentMetaChange edits a document's publication metadata; a nil
// field is left as it is, an empty string clears it.
type DocumentMetaChange struct {
	Title     *string `json:"title,omitempty"`
	Outlet    *string `json:"outlet,omitempty"`
	Published *string `json:"published,omitempty"`
}

// StoryState is the answer of GET /api/stories/{id}/state (members): the
// story and each of its documents' annotations and relations as the
// member may see them (blind annotation applies), at the seq they were
// read. The story view paints its table from this one request, then
// follows the documents live.
type StoryState struct {
	Story     Story           `json:"story"`
	Documents []StoryDocState `json:"documents"`
}

// StoryDocState is one document of a StoryState.
type StoryDocState struct {
	ID          int64              `json:"id"`
	Seq         int64              `json:"seq"`
	Annotations []model.Annotation `json:"annotations"`
	Relations   []model.Relation   `json:"relations"`
}

package store

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"gloss/shared/model"
	"gloss/shared/story"
)

// ErrOtherProject means a story was given a document that is not in the
// story's project (or does not exist): stories never cross projects.
var ErrOtherProject = errors.New("document not in the story's project")

// Story is a group of a project's documents that report one event
// (sql_story.go). A document is in at most one
// story; deleting a story leaves its documents alone.
type Story struct {
	ID      int64
	Project int64
	Name    string
	// Documents are in reading order: publication time (unknown last),
	// then id.
	Documents []StoryDocument
}

// StoryDocument is a member document as stories list it.
type StoryDocument struct {
	ID   int64
	Name string
	// Title is the document's "title" metadata when set, else
	// model.DocumentTitle of its name and text.
	Title string
	// Outlet and Published are the metadata fields story.MetaOutlet and
	// story.MetaPublished, as stored ("" when unknown).
	Outlet    string
	Published string
}

// StoryChange renames and/or regroups a story; a nil field is left as it
// is. Documents, when set, is the story's whole new list: documents of
// other stories move to this one, documents left out leave it.
type StoryChange struct {
	Name      *string
	Documents *[]int64
}

// MetaTitle is the document metadata key of an edited title: the name
// stays what the document was imported as (exports and file names use
// it), the title is what stories show.
const MetaTitle = "title"

// titlePrefix is how many bytes of a document's text are read to find a
// title for a machine-named document: its first line, clipped anyway.
const titlePrefix = 2048

// storyDoc makes a StoryDocument from a document's columns; text may be a
// prefix of the text.
func storyDoc(id int64, name, metaJSON string, text []byte) (StoryDocument, error) {
	d := model.Document{ID: id, Name: name, Text: strings.ToValidUTF8(string(text), "")}
	if err := json.Unmarshal([]byte(metaJSON), &d.Meta); err != nil {
		return StoryDocument{}, fmt.Errorf("document %d meta: %w", id, err)
	}
	return StoryDocumentOf(d), nil
}

// sortStoryDocs puts documents in reading order: by publication time,
// those without a readable one last, then by id.
func sortStoryDocs(docs []StoryDocument) {
	type keyed struct {
		t  time.Time
		ok bool
	}
	keys := make(map[int64]keyed, len(docs))
	for _, d := range docs {
		t, ok := story.ParsePublished(d.Published)
		keys[d.ID] = keyed{t, ok}
	}
	slices.SortStableFunc(docs, func(a, b StoryDocument) int {
		ka, kb := keys[a.ID], keys[b.ID]
		switch {
		case ka.ok && !kb.ok:
			return -1
		case !ka.ok && kb.ok:
			return 1
		case ka.ok && kb.ok:
			if c := ka.t.Compare(kb.t); c != 0 {
				return c
			}
		}
		return cmp.Compare(a.ID, b.ID)
	})
}

// uniqueIDs returns ids without repeats, in first-seen order.
func uniqueIDs(ids []int64) []int64 {
	seen := make(map[int64]bool, len(ids))
	out := make([]int64, 0, len(ids))
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// OtherProjectError lists the documents a story change named that are not
// in the story's project (or do not exist).
type OtherProjectError struct {
	Project   int64
	Documents []int64
}

func (e *OtherProjectError) Error() string {
	ids := make([]string, len(e.Documents))
	for i, id := range e.Documents {
		ids[i] = fmt.Sprint(id)
	}
	return fmt.Sprintf("store: document(s) %s not in project %d", strings.Join(ids, ", "), e.Project)
}

// Unwrap makes errors.Is(err, ErrOtherProject) hold.
func (e *OtherProjectError) Unwrap() error { return ErrOtherProject }

// otherProjectError names the documents of ids that are not in found.
func otherProjectError(projectID int64, ids []int64, found map[int64]bool) error {
	var missing []int64
	for _, id := range ids {
		if !found[id] {
			missing = append(missing, id)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	return &OtherProjectError{Project: projectID, Documents: missing}
}

// applyMeta applies changes to a document's metadata JSON: an empty value
// deletes its key.
func applyMeta(metaJSON string, changes map[string]string) (string, error) {
	meta := map[string]string{}
	if err := json.Unmarshal([]byte(metaJSON), &meta); err != nil {
		return "", fmt.Errorf("decode meta: %w", err)
	}
	if meta == nil {
		meta = map[string]string{}
	}
	for k, v := range changes {
		if v == "" {
			delete(meta, k)
		} else {
			meta[k] = v
		}
	}
	b, err := json.Marshal(meta)
	if err != nil {
		return "", fmt.Errorf("encode meta: %w", err)
	}
	return string(b), nil
}

// StoryDocumentOf describes a stored document as stories list it.
func StoryDocumentOf(d model.Document) StoryDocument {
	out := StoryDocument{ID: d.ID, Name: d.Name, Outlet: d.Meta[story.MetaOutlet], Published: d.Meta[story.MetaPublished]}
	out.Title = strings.TrimSpace(d.Meta[MetaTitle])
	if out.Title == "" {
		out.Title = model.DocumentTitle(d.Name, d.Text)
	}
	return out
}

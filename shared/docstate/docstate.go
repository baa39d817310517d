// Package docstate is the state of one document's annotations and the
// rules for applying ops to it. The server uses it to check ops before it
// commits them; the browser and tests use it to follow the op stream.
package docstate

import (
	"fmt"
	"slices"
	"sort"
	"time"

	"gloss/shared/model"
	"gloss/shared/protocol"
	"gloss/shared/textpos"
)

// State is a document's annotations and relations as of Seq. It is not
// safe for concurrent use; each owner (a room, a browser session) keeps its own.
type State struct {
	Seq  int64
	Anns map[string]model.Annotation
	Rels map[string]model.Relation
	// Reviews are the adjudication records by annotation ID, Comments the
	// comment threads' messages by comment ID, DocReview the document's
	// review status (review.go).
	Reviews   map[string]model.Review
	Comments  map[string]model.Comment
	DocReview model.DocReview
}

// New returns an empty state.
func New() *State {
	return &State{Anns: map[string]model.Annotation{}, Rels: map[string]model.Relation{},
		Reviews: map[string]model.Review{}, Comments: map[string]model.Comment{}}
}

// Reset replaces the whole state, as a snapshot does. Reviews, comments
// and the document's review status are emptied; SetReview fills them.
func (s *State) Reset(seq int64, anns []model.Annotation, rels []model.Relation) {
	s.Seq = seq
	s.Reviews, s.Comments, s.DocReview = map[string]model.Review{}, map[string]model.Comment{}, model.DocReview{}
	s.Anns = make(map[string]model.Annotation, len(anns))
	for _, a := range anns {
		s.Anns[a.ID] = a
	}
	s.Rels = make(map[string]model.Relation, len(rels))
	for _, r := range rels {
		s.Rels[r.ID] = r
	}
}

// Clone returns a deep copy.
func (s *State) Clone() *State {
	c := &State{Seq: s.Seq, Anns: make(map[string]model.Annotation, len(s.Anns)), Rels: make(map[string]model.Relation, len(s.Rels))}
	for k, v := range s.Anns {
		c.Anns[k] = v
	}
	for k, v := range s.Rels {
		c.Rels[k] = v
	}
	c.Reviews = make(map[string]model.Review, len(s.Reviews))
	for k, v := range s.Reviews {
		c.Reviews[k] = v
	}
	c.Comments = make(map[string]model.Comment, len(s.Comments))
	for k, v := range s.Comments {
		c.Comments[k] = v
	}
	c.DocReview = s.DocReview
	return c
}

// Rejection is why an op cannot apply: a protocol error code, a message,
// and for conflicts the current state of the target.
type Rejection struct {
	Code    string
	Message string
	Current *model.Annotation
}

func (r *Rejection) Error() string { return r.Code + ": " + r.Message }

func reject(code, format string, args ...any) *Rejection {
	return &Rejection{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Actor is who sends an op, and what they may do.
type Actor struct {
	User string
	Role model.Role
}

// Resolve checks op against the state, the document text, the schema and
// the actor's rights, and returns the op as it will be stored and
// broadcast: with the full resulting annotation, its new version, author
// and times. It changes nothing; Apply does. Seq is left for the caller.
func (s *State) Resolve(op protocol.Op, text *textpos.Text, schema model.Schema, doc int64, who Actor, now time.Time) (protocol.Op, error) {
	// Stores keep milliseconds; stamping the same precision makes a live
	// client's state equal to what a reload reads back.
	now = now.Truncate(time.Millisecond)
	out := protocol.Op{ID: op.ID, Kind: op.Kind, User: who.User, Time: now.UnixMilli()}
	switch op.Kind {
	case protocol.KindAdd:
		a := *op.Ann
		if a.Layer == "" {
			a.Layer = model.DefaultLayer(who.Role, who.User)
		}
		if !model.CanWrite(who.Role, who.User, a.Layer) {
			return out, reject(protocol.CodeForbidden, "%s", layerRefusal(who, a.Layer))
		}
		if err := model.ValidateAnnotation(text, schema, a); err != nil {
			return out, asRejection(err)
		}
		if _, dup := s.Anns[a.ID]; dup {
			return out, reject(protocol.CodeDuplicateID, "annotation %q already exists", a.ID)
		}
		if a.Attrs.IsZero() {
			a.Attrs = nil
		}
		a.Document, a.Author, a.Version, a.Created, a.Updated = doc, who.User, 1, now.UTC(), now.UTC()
		out.Ann = &a
		if a.Layer == model.GoldLayer {
			out.DocReview = s.startReview(who, now)
		}
	case protocol.KindUpdate:
		cur, ok := s.Anns[op.Ann.ID]
		if !ok {
			return out, &Rejection{Code: protocol.CodeNotFound, Message: fmt.Sprintf("annotation %q does not exist (deleted?)", op.Ann.ID)}
		}
		if !model.CanWrite(who.Role, who.User, cur.Layer) {
			return out, reject(protocol.CodeForbidden, "%s", layerRefusal(who, cur.Layer))
		}
		if op.Version != cur.Version {
			c := cur
			return out, &Rejection{Code: protocol.CodeConflict, Message: fmt.Sprintf("annotation %q is at version %d, the edit was made against %d", cur.ID, cur.Version, op.Version), Current: &c}
		}
		next := cur
		next.Label, next.Start, next.End, next.Quote = op.Ann.Label, op.Ann.Start, op.Ann.End, op.Ann.Quote
		// Attrs: absent keeps the span's structured fields (a relabel or a
		// move from a client that does not know them), present replaces
		// them, and an empty object clears them.
		if op.Ann.Attrs != nil {
			next.Attrs = op.Ann.Attrs
			if next.Attrs.IsZero() {
				next.Attrs = nil
			}
		}
		if err := model.ValidateAnnotation(text, schema, next); err != nil {
			return out, asRejection(err)
		}
		next.Version, next.Updated = cur.Version+1, now.UTC()
		out.Ann, out.Version = &next, op.Version
		if cur.Layer == model.GoldLayer {
			out.Reviews = s.goldEdited(cur, next)
			out.DocReview = s.startReview(who, now)
		}
	case protocol.KindDelete:
		cur, ok := s.Anns[op.Target]
		if !ok {
			return out, reject(protocol.CodeNotFound, "annotation %q does not exist (already deleted?)", op.Target)
		}
		if !model.CanWrite(who.Role, who.User, cur.Layer) && !model.CanDismiss(who.Role, cur.Layer) {
			return out, reject(protocol.CodeForbidden, "%s", layerRefusal(who, cur.Layer))
		}
		if op.Version != cur.Version {
			c := cur
			return out, &Rejection{Code: protocol.CodeConflict, Message: fmt.Sprintf("annotation %q is at version %d, the delete was made against %d", cur.ID, cur.Version, op.Version), Current: &c}
		}
		out.Target, out.Version = op.Target, op.Version
		if cur.Layer == model.GoldLayer {
			out.Reviews = s.goldDeleted(cur.ID, who, now)
			out.DocReview = s.startReview(who, now)
		}
	case protocol.KindAddRelation:
		r := *op.Rel
		if !model.ValidID(r.ID) {
			return out, reject(model.CodeBadID, "relation id %q is not valid", r.ID)
		}
		if !schema.HasRelation(r.Type) {
			return out, reject(model.CodeUnknownRelation, "relation type %q is not in this project's schema", r.Type)
		}
		if _, dup := s.Rels[r.ID]; dup {
			return out, reject(protocol.CodeDuplicateID, "relation %q already exists", r.ID)
		}
		if r.Layer == "" {
			r.Layer = model.DefaultLayer(who.Role, who.User)
		}
		if !model.CanWrite(who.Role, who.User, r.Layer) {
			return out, reject(protocol.CodeForbidden, "%s", layerRefusal(who, r.Layer))
		}
		_, okF := s.Anns[r.From]
		_, okT := s.Anns[r.To]
		if !okF || !okT || r.From == r.To {
			return out, reject(model.CodeRelationEndpoint, "a relation needs two different existing annotations")
		}
		r.Document, r.Author, r.Version, r.Created = doc, who.User, 1, now.UTC()
		out.Rel = &r
	case protocol.KindDeleteRelation:
		cur, ok := s.Rels[op.Target]
		if !ok {
			return out, reject(protocol.CodeNotFound, "relation %q does not exist", op.Target)
		}
		if !model.CanWrite(who.Role, who.User, cur.Layer) {
			return out, reject(protocol.CodeForbidden, "%s", layerRefusal(who, cur.Layer))
		}
		if op.Version != cur.Version {
			return out, reject(protocol.CodeConflict, "relation %q is at version %d", cur.ID, cur.Version)
		}
		out.Target, out.Version = op.Target, op.Version
	case protocol.KindReview, protocol.KindAccept, protocol.KindComment, protocol.KindDeleteComment, protocol.KindDocStatus:
		return s.resolveReview(op, out, text, schema, doc, who, now)
	default:
		return out, reject(protocol.CodeUnknownKind, "unknown op kind %q", op.Kind)
	}
	return out, nil
}

func asRejection(err error) *Rejection {
	if ve, ok := err.(*model.Error); ok {
		return &Rejection{Code: ve.Code, Message: ve.Message}
	}
	return &Rejection{Code: protocol.CodeInternal, Message: err.Error()}
}

// Dependent is a kind of record that belongs to an annotation and goes
// when the annotation is deleted.
type Dependent int

const (
	RelationsOf Dependent = iota // the relations from or to it
	ReviewOf                     // its own review record
	CommentsOf                   // the comments of its thread
)

// DeleteCascade is what deleting an annotation takes along: the one rule
// that Apply follows here and the store follows in SQL (one statement per
// Dependent).
var DeleteCascade = []Dependent{RelationsOf, ReviewOf, CommentsOf}

// drop deletes the records of kind d that belong to annotation ann.
func (s *State) drop(d Dependent, ann string) {
	switch d {
	case RelationsOf:
		for id, r := range s.Rels {
			if r.From == ann || r.To == ann {
				delete(s.Rels, id)
			}
		}
	case ReviewOf:
		delete(s.Reviews, ann)
	case CommentsOf:
		for id, c := range s.Comments {
			if c.Target == ann {
				delete(s.Comments, id)
			}
		}
	}
}

// Apply applies a resolved op (as Resolve returns it, or as the server
// broadcasts it) and advances Seq. Deleting an annotation also deletes
// what DeleteCascade names, as the store does; then the op's review
// records and document status are written as they are.
func (s *State) Apply(op protocol.Op) {
	switch op.Kind {
	case protocol.KindAdd, protocol.KindUpdate, protocol.KindAccept:
		if op.Ann != nil {
			s.Anns[op.Ann.ID] = *op.Ann
		}
	case protocol.KindDelete:
		delete(s.Anns, op.Target)
		for _, d := range DeleteCascade {
			s.drop(d, op.Target)
		}
	case protocol.KindAddRelation:
		if op.Rel != nil {
			s.Rels[op.Rel.ID] = *op.Rel
		}
	case protocol.KindDeleteRelation:
		delete(s.Rels, op.Target)
	case protocol.KindComment, protocol.KindDeleteComment:
		s.applyComment(op)
	}
	s.applyReviews(op)
	if op.Seq > s.Seq {
		s.Seq = op.Seq
	}
}

// Annotations returns the annotations in reading order: by start, longer
// spans first, then by ID, so that every holder lists them identically.
func (s *State) Annotations() []model.Annotation {
	out := make([]model.Annotation, 0, len(s.Anns))
	for _, a := range s.Anns {
		out = append(out, a)
	}
	SortAnnotations(out)
	return out
}

// SortAnnotations sorts in reading order (see Annotations).
func SortAnnotations(as []model.Annotation) {
	slices.SortFunc(as, model.ReadingOrder)
}

// Relations returns the relations sorted by ID.
func (s *State) Relations() []model.Relation {
	out := make([]model.Relation, 0, len(s.Rels))
	for _, r := range s.Rels {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// layerRefusal says, in the user's terms, why who may not change the
// annotations of layer.
func layerRefusal(who Actor, layer string) string {
	switch {
	case who.Role == model.RoleViewer:
		return "as a viewer you can read this document but not annotate it"
	case layer == model.GoldLayer:
		return "only reviewers and admins can change the gold annotations"
	case layer == who.User:
		return "as " + who.Role.Article() + " you cannot change annotations here"
	}
	return fmt.Sprintf("these are %s's annotations: as %s you can change only your own", layer, who.Role.Article())
}

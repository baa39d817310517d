// Package protocol defines Gloss's websocket wire format: one JSON object
// per websocket text message, with a "type" naming its kind. README.md
// ("Wire protocol") documents it with examples; this file is the source of
// truth that document follows.
package protocol

import (
	"bytes"
	"encoding/json"
	"fmt"

	"gloss/shared/model"
)

// Version is the protocol version a client announces in its hello. The
// server refuses other versions with CloseProtocol so that a stale page
// reloads instead of speaking an old dialect.
const Version = 1

// MaxMessage is the largest message either side may send, in bytes.
const MaxMessage = 64 << 10

// Message types, client → server.
const (
	TypeHello  = "hello"  // first message: protocol version, document (or story), resume position
	TypeOp     = "op"     // an edit (also server → client, as the broadcast of an applied op)
	TypeSelect = "select" // where the user is selecting, for presence
)

// Message types, server → client.
const (
	TypeWelcome  = "welcome"  // answer to hello: snapshot or the ops missed since the client's seq
	TypeAck      = "ack"      // an op of this client was committed with this seq
	TypeError    = "error"    // an op or message was refused; nothing changed
	TypePresence = "presence" // who is on the document
)

// Op kinds.
const (
	KindAdd            = "add"             // Ann is the new annotation
	KindUpdate         = "update"          // Ann holds the new label/span of annotation Ann.ID; Version is required
	KindDelete         = "delete"          // Target annotation; Version is required
	KindAddRelation    = "add_relation"    // Rel is the new relation
	KindDeleteRelation = "delete_relation" // Target relation; Version is required

	// Review and adjudication (reviewers and admins; comments: every role
	// but viewers). See PROTOCOL.md.
	KindReview        = "review"         // Target annotation's review Status (rejected, unreviewed, or accepted: into the gold span equal to it); Version is required
	KindAccept        = "accept"         // copy Target annotation into gold as Ann (a new id, maybe another label or span); Version is required
	KindComment       = "comment"        // Comment is a new comment on annotation Comment.Target
	KindDeleteComment = "delete_comment" // Target comment
	KindDocStatus     = "doc_status"     // the document's review Status

	// KindHidden is sent by the server only, in place of an op the
	// receiver may not see under blind annotation: it carries just the
	// Seq, so that the receiver's seq advances without a gap.
	KindHidden = "hidden"
)

// Error codes sent in TypeError messages. Validation codes from package
// model (span_empty, span_out_of_range, quote_mismatch, unknown_label,
// bad_id, unknown_relation, relation_endpoint) are sent as they are.
const (
	CodeBadJSON          = "bad_json"
	CodeUnknownType      = "unknown_type"
	CodeUnknownKind      = "unknown_kind"
	CodeTooLarge         = "too_large"
	CodeProtoVersion     = "proto_version"
	CodeNotAuthenticated = "not_authenticated"
	CodeForbidden        = "forbidden"
	CodeWrongDocument    = "wrong_document"
	CodeNotFound         = "not_found"
	CodeConflict         = "stale_version"
	CodeDuplicateID      = "duplicate_id"
	CodeNoHello          = "no_hello"
	CodeInternal         = "internal"
	// CodeRateLimited refuses an op sent faster than the per-connection
	// op rate allows; nothing was applied, and the client may re-send it
	// a little later, as after "internal".
	CodeRateLimited = "rate_limited"
	// CodeBadTarget: the op's target is not something the op applies to,
	// e.g. a gold span sent to review or to accept into gold.
	CodeBadTarget = "bad_target"
	// CodeAlreadyAccepted: the span is already in gold (another reviewer
	// accepted it first); Current is the gold copy.
	CodeAlreadyAccepted = "already_accepted"
	// CodeBadPosition: an add op's "at16" is not a place in the document's
	// paragraphs (a paragraph that does not exist, an offset past its end).
	CodeBadPosition = "bad_position"
	// CodeReadOnly refuses an op sent on a story socket, which only
	// watches: edits go through the document's own socket.
	CodeReadOnly = "read_only"
)

// Websocket close codes. 4000–4099 mean "reconnect (with backoff) and
// resume"; 4400–4499 mean "stop: reconnecting would fail the same way".
const (
	CloseSlow            = 4000 // the client did not keep up with its send queue
	CloseRestart         = 4001 // shutting down, or project settings or credentials changed: reconnect and be checked again
	CloseTooMany         = 4002 // too many connections for this user or address: reconnect later, with backoff
	CloseProtocol        = 4400 // bad hello or unsupported protocol version: reload the page
	CloseUnauthenticated = 4401 // no valid session: log in again
	CloseForbidden       = 4403 // not a member of the document's project
	CloseNotFound        = 4404 // no such document
)

// ShouldReconnect reports whether a client should reconnect after the
// server closed the connection with code. Network failures (1006) and
// going-away (1001) are worth retrying; application codes say for themselves.
func ShouldReconnect(code int) bool {
	return code < 4400 || code > 4499
}

// Op is one edit. The client chooses ID (unique per document; a retry
// re-sends the same ID) and, for update and delete, the Version of the
// annotation it edited. The server fills Seq, User and Time when it
// applies the op, and broadcasts it to everyone on the document.
type Op struct {
	ID      string            `json:"id"`
	Kind    string            `json:"kind"`
	Ann     *model.Annotation `json:"ann,omitempty"`
	Rel     *model.Relation   `json:"rel,omitempty"`
	Target  string            `json:"target,omitempty"`
	Version int64             `json:"version,omitempty"`
	Seq     int64             `json:"seq,omitempty"`
	User    string            `json:"user,omitempty"`
	Time    int64             `json:"time,omitempty"` // unix milliseconds

	// At16, on an add op only, places the annotation by the browser's
	// selection instead of Ann.Start and Ann.End: [startPara, startUTF16,
	// endPara, endUTF16], the positions web/gloss.js reads before the wasm
	// has started. The server converts them as the desk does
	// (shared/selection, words snapped) and fills Start, End and Quote; the
	// op is then checked, stored and broadcast in code points, without it.
	At16 []int `json:"at16,omitempty"`

	// Status is the new status of a review (model.ReviewStatus) or
	// doc_status (model.DocStatus) op.
	Status string `json:"status,omitempty"`
	// Comment is the new comment of a comment op.
	Comment *model.Comment `json:"comment,omitempty"`
	// Reviews and DocReview are filled by the server: the review records
	// the op writes (each replaces the annotation's record) and the
	// document's review status if the op changes it. Clients apply them as
	// they are; what a client sends in them is ignored.
	Reviews   []model.Review   `json:"reviews,omitempty"`
	DocReview *model.DocReview `json:"docReview,omitempty"`
}

// Member is one user present on a document.
type Member struct {
	User  string `json:"user"`
	Color string `json:"color"`
	Role  string `json:"role"`
	// Start/End is the user's current selection in code points, if any.
	Start int `json:"start,omitempty"`
	End   int `json:"end,omitempty"`
}

// You tells a client who the server thinks it is and what it may do.
type You struct {
	User  string     `json:"user"`
	Role  model.Role `json:"role"`
	Layer string     `json:"layer"` // the layer this user's ops write to
	// Blind: blind annotation hides the other layers from this user on
	// this document (model.ViewOf); the server sends none of them.
	Blind bool `json:"blind,omitempty"`
}

// Message is the envelope of every websocket message. Only the fields of
// its Type are set; the rest are omitted from the JSON.
type Message struct {
	Type string `json:"type"`

	// hello
	Proto int    `json:"proto,omitempty"`
	Doc   int64  `json:"doc,omitempty"`
	Epoch string `json:"epoch,omitempty"`
	Since int64  `json:"since,omitempty"`
	// Compact asks for snapshots with Packed instead of Annotations.
	Compact bool `json:"compact,omitempty"`
	// Story, in a hello, asks for a story socket instead of a document
	// one: read-only, following every document of the story, each message
	// after the story's welcome tagged with its Doc. Seqs holds, by
	// document, the seq the client already has (its state's); a document
	// left out is sent as a snapshot. The story's welcome echoes Story.
	Story int64           `json:"story,omitempty"`
	Seqs  map[int64]int64 `json:"seqs,omitempty"`

	// op (both directions), ack, error
	Op      *Op    `json:"op,omitempty"`
	OpID    string `json:"opId,omitempty"`
	Seq     int64  `json:"seq,omitempty"`
	Version int64  `json:"version,omitempty"`

	// error
	Code    string            `json:"code,omitempty"`
	Text    string            `json:"message,omitempty"`
	Current *model.Annotation `json:"current,omitempty"` // the winner's state after a conflict
	Deleted bool              `json:"deleted,omitempty"` // the target no longer exists

	// welcome. Snapshot true: Annotations/Relations are the whole state at
	// Seq and replace what the client had. Snapshot false: Ops are exactly
	// the ops after the client's Since, in order.
	Document    *model.Document    `json:"document,omitempty"`
	Schema      *model.Schema      `json:"schema,omitempty"`
	You         *You               `json:"you,omitempty"`
	Snapshot    bool               `json:"snapshot,omitempty"`
	Annotations []model.Annotation `json:"annotations,omitempty"`
	Packed      string             `json:"packed,omitempty"` // PackAnnotations form, when the hello asked for Compact
	Relations   []model.Relation   `json:"relations,omitempty"`
	Ops         []Op               `json:"ops,omitempty"`
	// Reviews, Comments and DocReview complete a snapshot: the review
	// records, the comment threads and the document's review status.
	Reviews   []model.Review   `json:"reviews,omitempty"`
	Comments  []model.Comment  `json:"comments,omitempty"`
	DocReview *model.DocReview `json:"docReview,omitempty"`

	// presence (server → client) and select (client → server)
	Members []Member `json:"members,omitempty"`
	Start   int      `json:"start,omitempty"`
	End     int      `json:"end,omitempty"`
}

// DecodeError is a refused message, carrying the code to send back.
type DecodeError struct {
	Code    string
	Message string
}

func (e *DecodeError) Error() string { return e.Code + ": " + e.Message }

// Decode parses one client message and checks its envelope: known type,
// and for an op, a known kind with the fields that kind needs. Semantic
// checks (span, label, version) happen where the document is known.
func Decode(data []byte) (Message, error) {
	if len(data) > MaxMessage {
		return Message{}, &DecodeError{CodeTooLarge, fmt.Sprintf("message of %d bytes exceeds the limit of %d", len(data), MaxMessage)}
	}
	m, ok := decodeFast(data)
	if !ok {
		var err error
		if m, err = decodeSlow(data); err != nil {
			return Message{}, err
		}
	}
	if err := checkMessage(m); err != nil {
		return Message{}, err
	}
	return m, nil
}

// decodeSlow decodes any client message with encoding/json.
func decodeSlow(data []byte) (Message, error) {
	var m Message
	if err := json.Unmarshal(data, &m); err != nil {
		return Message{}, badJSON(data, err)
	}
	return m, nil
}

// checkMessage checks a decoded message's envelope.
func checkMessage(m Message) error {
	switch m.Type {
	case TypeHello, TypeSelect:
	case TypeOp:
		if m.Op == nil {
			return &DecodeError{CodeBadJSON, "op message without \"op\""}
		}
		if err := checkOp(m.Op); err != nil {
			return err
		}
	case "":
		return &DecodeError{CodeUnknownType, "message has no \"type\""}
	default:
		return &DecodeError{CodeUnknownType, fmt.Sprintf("unknown message type %q", clip(m.Type))}
	}
	return nil
}

// badJSON says what is wrong with a message json.Unmarshal refused:
// trailing data after a whole object, or the error itself.
func badJSON(data []byte, err error) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	var v json.RawMessage
	if dec.Decode(&v) == nil && dec.More() {
		return &DecodeError{CodeBadJSON, "trailing data after the JSON object"}
	}
	return &DecodeError{CodeBadJSON, "message is not a JSON object of the expected shape: " + err.Error()}
}

func checkOp(op *Op) error {
	if !model.ValidID(op.ID) {
		return &DecodeError{model.CodeBadID, fmt.Sprintf("op id %q must be 1–64 letters, digits, '-' or '_'", clip(op.ID))}
	}
	// Checked for every kind, not only where it belongs: the room places
	// any op that carries at16 as an add of its "ann".
	if op.At16 != nil && (op.Kind != KindAdd || len(op.At16) != 4) {
		return &DecodeError{CodeBadJSON, "\"at16\" is four numbers, on an add op only"}
	}
	switch op.Kind {
	case KindAdd, KindUpdate:
		if op.Ann == nil {
			return &DecodeError{CodeBadJSON, op.Kind + " op without \"ann\""}
		}
		if op.Kind == KindUpdate && op.Version <= 0 {
			return &DecodeError{CodeBadJSON, "update op needs the \"version\" it was made against"}
		}
	case KindDelete, KindDeleteRelation:
		if op.Target == "" || op.Version <= 0 {
			return &DecodeError{CodeBadJSON, op.Kind + " op needs \"target\" and \"version\""}
		}
	case KindAddRelation:
		if op.Rel == nil {
			return &DecodeError{CodeBadJSON, "add_relation op without \"rel\""}
		}
	case KindReview:
		if op.Target == "" || op.Version <= 0 {
			return &DecodeError{CodeBadJSON, "review op needs \"target\" and \"version\""}
		}
		if st := model.ReviewStatus(op.Status); st != model.ReviewRejected && st != model.ReviewUnreviewed && st != model.ReviewAccepted {
			return &DecodeError{CodeBadJSON, fmt.Sprintf("review op status %q must be \"rejected\", \"unreviewed\" or \"accepted\" (copying into gold is an accept op)", clip(op.Status))}
		}
	case KindAccept:
		if op.Target == "" || op.Version <= 0 || op.Ann == nil {
			return &DecodeError{CodeBadJSON, "accept op needs \"target\", \"version\" and \"ann\" (the gold copy)"}
		}
	case KindComment:
		if op.Comment == nil {
			return &DecodeError{CodeBadJSON, "comment op without \"comment\""}
		}
	case KindDeleteComment:
		if op.Target == "" {
			return &DecodeError{CodeBadJSON, "delete_comment op needs \"target\""}
		}
	case KindDocStatus:
		if !model.DocStatus(op.Status).Valid() {
			return &DecodeError{CodeBadJSON, fmt.Sprintf("doc_status op status %q must be not_reviewed, in_review or adjudicated", clip(op.Status))}
		}
	default:
		return &DecodeError{CodeUnknownKind, fmt.Sprintf("unknown op kind %q", clip(op.Kind))}
	}
	return nil
}

// clip is how much of a client's string an error message quotes.
func clip(s string) string { return model.Clip(s, 40) }

package store

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"gloss/server/internal/jsonenc"
	"gloss/shared/model"
	"gloss/shared/protocol"
)

// opRecord is how the op log stores an op: a record of the store's own
// whose JSON names are fixed here (they began as the wire's of the time),
// so that renaming a field of protocol.Op or of the model cannot change how
// stored rows decode; a new model field fails to compile the conversions
// below until the record has it too. V is the format; rows without it were
// written before it existed (up to schema 5) as protocol.Op's wire JSON,
// and decode as that.
type opRecord struct {
	V         int              `json:"v"`
	ID        string           `json:"id"`
	Kind      string           `json:"kind"`
	Ann       *annRecord       `json:"ann,omitempty"`
	Rel       *relRecord       `json:"rel,omitempty"`
	Target    string           `json:"target,omitempty"`
	Version   int64            `json:"version,omitempty"`
	Seq       int64            `json:"seq,omitempty"`
	User      string           `json:"user,omitempty"`
	Time      int64            `json:"time,omitempty"`
	Status    string           `json:"status,omitempty"`
	Comment   *commentRecord   `json:"comment,omitempty"`
	Reviews   []reviewRecord   `json:"reviews,omitempty"`
	DocReview *docReviewRecord `json:"docReview,omitempty"`
}

// opRecordVersion is the format opRecord writes.
const opRecordVersion = 1

// annRecord is a stored model.Annotation. Attrs are stored as the attrs
// column stores them (model.Attrs' JSON).
type annRecord struct {
	ID       string       `json:"id"`
	Document int64        `json:"doc"`
	Layer    string       `json:"layer"`
	Label    string       `json:"label"`
	Start    int          `json:"start"`
	End      int          `json:"end"`
	Quote    string       `json:"quote"`
	Author   string       `json:"author"`
	Attrs    *model.Attrs `json:"attrs,omitempty"`
	Version  int64        `json:"version"`
	Created  time.Time    `json:"created"`
	Updated  time.Time    `json:"updated"`
}

type relRecord struct {
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

type commentRecord struct {
	ID       string    `json:"id"`
	Document int64     `json:"doc"`
	Target   string    `json:"target"`
	Text     string    `json:"text"`
	Author   string    `json:"author"`
	Created  time.Time `json:"created"`
}

type reviewRecord struct {
	Annotation string    `json:"ann"`
	Status     string    `json:"status"`
	Reviewer   string    `json:"reviewer"`
	Time       time.Time `json:"time"`
	Source     string    `json:"source,omitempty"`
	Proposer   string    `json:"proposer,omitempty"`
	Gold       string    `json:"gold,omitempty"`
}

type docReviewRecord struct {
	Status   string    `json:"status"`
	Reviewer string    `json:"reviewer"`
	Time     time.Time `json:"time"`
}

// ptr converts *A to *B with f, keeping nil.
func ptr[A, B any](a *A, f func(A) B) *B {
	if a == nil {
		return nil
	}
	b := f(*a)
	return &b
}

func each[A, B any](as []A, f func(A) B) []B {
	if as == nil {
		return nil
	}
	out := make([]B, len(as))
	for i, a := range as {
		out[i] = f(a)
	}
	return out
}

// encodeOp is an op's op log body.
func encodeOp(op protocol.Op) (string, error) {
	if b, ok := appendOp(make([]byte, 0, 384), op); ok {
		return string(b), nil
	}
	return marshalOp(op)
}

// marshalOp is encodeOp by encoding/json, for every op.
func marshalOp(op protocol.Op) (string, error) {
	r := opRecord{V: opRecordVersion, ID: op.ID, Kind: op.Kind, Target: op.Target, Version: op.Version, Seq: op.Seq,
		User: op.User, Time: op.Time, Status: op.Status,
		Ann:     ptr(op.Ann, func(a model.Annotation) annRecord { return annRecord(a) }),
		Rel:     ptr(op.Rel, func(r model.Relation) relRecord { return relRecord(r) }),
		Comment: ptr(op.Comment, func(c model.Comment) commentRecord { return commentRecord(c) }),
		Reviews: each(op.Reviews, func(r model.Review) reviewRecord {
			return reviewRecord{r.Annotation, string(r.Status), r.Reviewer, r.Time, r.Source, r.Proposer, r.Gold}
		}),
		DocReview: ptr(op.DocReview, func(d model.DocReview) docReviewRecord { return docReviewRecord{string(d.Status), d.Reviewer, d.Time} }),
	}
	b, err := json.Marshal(r)
	if err != nil {
		return "", fmt.Errorf("store: encode op: %w", err)
	}
	return string(b), nil
}

// decodeOp reads an op log body of any format.
func decodeOp(body string) (protocol.Op, error) {
	var r opRecord
	if err := json.Unmarshal([]byte(body), &r); err != nil {
		return protocol.Op{}, fmt.Errorf("store: decode op: %w", err)
	}
	switch r.V {
	case 0: // before opRecord: the wire JSON
		var op protocol.Op
		if err := json.Unmarshal([]byte(body), &op); err != nil {
			return op, fmt.Errorf("store: decode op: %w", err)
		}
		return op, nil
	case opRecordVersion:
	default:
		return protocol.Op{}, fmt.Errorf("store: decode op: format %d is newer than this server's %d", r.V, opRecordVersion)
	}
	return protocol.Op{ID: r.ID, Kind: r.Kind, Target: r.Target, Version: r.Version, Seq: r.Seq, User: r.User, Time: r.Time, Status: r.Status,
		Ann:     ptr(r.Ann, func(a annRecord) model.Annotation { return model.Annotation(a) }),
		Rel:     ptr(r.Rel, func(r relRecord) model.Relation { return model.Relation(r) }),
		Comment: ptr(r.Comment, func(c commentRecord) model.Comment { return model.Comment(c) }),
		Reviews: each(r.Reviews, func(r reviewRecord) model.Review {
			return model.Review{Annotation: r.Annotation, Status: model.ReviewStatus(r.Status), Reviewer: r.Reviewer, Time: r.Time, Source: r.Source, Proposer: r.Proposer, Gold: r.Gold}
		}),
		DocReview: ptr(r.DocReview, func(d docReviewRecord) model.DocReview {
			return model.DocReview{Status: model.DocStatus(d.Status), Reviewer: d.Reviewer, Time: d.Time}
		}),
	}, nil
}

// appendOp appends the op log body of the ops jsonenc.AppendOp writes
// (the ones live sync commits most) exactly as json.Marshal writes its
// opRecord (see TestAppendOp): the record is the wire's op after its
// format version. It reports false for any other op, which encodeOp then
// marshals.
func appendOp(b []byte, op protocol.Op) ([]byte, bool) {
	start := len(b)
	b = append(b, `{"v":`...)
	b = strconv.AppendInt(b, opRecordVersion, 10)
	n := len(b)
	b, ok := jsonenc.AppendOp(b, op)
	if !ok {
		return b[:start], false
	}
	b[n] = ',' // the op's "{" follows the version
	return b, true
}

package api

import (
	"gloss/server/internal/store"
	"gloss/shared/httpapi"
)

// The API's shapes are shared/httpapi's, which the wasm pages decode
// too. These names stay for the API's callers and tests.
type (
	Me                = httpapi.Me
	MyProject         = httpapi.MyProject
	MyDoc             = httpapi.MyDoc
	ProjectEntry      = httpapi.ProjectEntry
	ProjectView       = httpapi.ProjectView
	SchemaRequest     = httpapi.SchemaRequest
	ImportResult      = httpapi.ImportResult
	AssignRequest     = httpapi.AssignRequest
	Progress          = httpapi.Progress
	AnnotatorProgress = httpapi.AnnotatorProgress
	DocumentProgress  = httpapi.DocumentProgress
	AssigneeStatus    = httpapi.AssigneeStatus
	AgreementReport   = httpapi.AgreementReport
	AgreementProject  = httpapi.AgreementProject
	AgreementSummary  = httpapi.AgreementSummary
	PairAgreement     = httpapi.PairAgreement
	SpanMatches       = httpapi.SpanMatches
	DocumentAgreement = httpapi.DocumentAgreement
	NewToken          = httpapi.NewToken
)

// Statuses of an assignment (httpapi's).
const (
	StatusDone       = httpapi.StatusDone
	StatusInProgress = httpapi.StatusInProgress
	StatusNotStarted = httpapi.StatusNotStarted
)

// The store's values carry no JSON tags: the API converts them into the
// contract's shapes here, so a store change cannot change the wire.

func documentInfo(d store.DocumentInfo) httpapi.DocumentInfo {
	return httpapi.DocumentInfo{ID: d.ID, Name: d.Name, Chars: d.Chars, Annotations: d.Annotations}
}

func account(a store.Account) httpapi.Account {
	return httpapi.Account{User: a.User, SiteAdmin: a.SiteAdmin}
}

func apiToken(t store.APIToken) httpapi.APIToken {
	return httpapi.APIToken{ID: t.ID, UserID: t.UserID, User: t.User, Label: t.Label, Created: t.Created}
}

func member(m store.ProjectMember) httpapi.Member {
	return httpapi.Member{User: m.User, Role: m.Role}
}

func assignment(a store.Assignment) httpapi.Assignment {
	return httpapi.Assignment{Document: a.Document, UserID: a.UserID, User: a.User, Done: a.Done, Updated: a.Updated}
}

func schemaResult(r store.SchemaResult) httpapi.SchemaResult {
	return httpapi.SchemaResult{Relabelled: r.Relabelled, Deleted: r.Deleted, DeletedRelations: r.DeletedRelations, Documents: r.Documents}
}

// convert maps a store list to its wire shape, nil staying nil (null) as
// it always has.
func convert[S, W any](in []S, f func(S) W) []W {
	if in == nil {
		return nil
	}
	out := make([]W, len(in))
	for i, v := range in {
		out[i] = f(v)
	}
	return out
}

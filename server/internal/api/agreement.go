package api

import (
	"cmp"
	"context"
	"fmt"
	"iter"
	"maps"
	"net/http"
	"slices"

	"gloss/server/internal/export"
	"gloss/shared/agreement"
	"gloss/shared/model"
)

// AgreementReport is the answer of GET /api/projects/{id}/agreement: how
// far the project's annotators agree, over the project, per label and per
// document. Every score is a number, or null where it is undefined (0/0:
// nothing to compare, or one category only), never NaN.
//
// An annotator is a person with a layer of their own: a layer of kind
// model.LayerHuman (named after an account). Gold, imported (machine)
// layers and suggestions are no annotators; they are listed in Excluded. They count as having annotated a document if their
// layer has at least one annotation in it; a document they left empty is
// left out of their pairs instead of counting as disagreement everywhere.
// (When "done" marks say who finished a document, an empty finished layer
// should count too: see agreement.SpansByLayer.)
type AgreementReport struct {
	Project    AgreementProject `json:"project"`
	Annotators []string         `json:"annotators"` // sorted
	// Excluded are the other layers with annotations (gold aside):
	// imported machine layers and suggestions, sorted.
	Excluded  []string `json:"excluded_layers"`
	Documents int      `json:"documents"` // documents in the project
	Tokens    int      `json:"tokens"`    // token units in them
	// Overall is the agreement over all labels: a token's category is
	// the label of the shortest span touching it (see agreement.Summary).
	Overall AgreementSummary `json:"overall"`
	// Labels has one binary summary (the label or not) per label any
	// annotator used, sorted by label.
	Labels []AgreementSummary `json:"labels"`
	// ByDocument lists every document, lowest agreement first: see
	// sortDocuments.
	ByDocument []DocumentAgreement `json:"by_document"`
}

// AgreementProject names the project the report is about.
type AgreementProject struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// AgreementSummary is agreement over all labels (Label "") or for one.
type AgreementSummary struct {
	Label string `json:"label"`
	// Alpha is Krippendorff's nominal alpha, tokens as units, all
	// annotators as coders.
	Alpha *float64 `json:"alpha"`
	// ExactF1 and OverlapF1 are span-level F1 micro-averaged over pairs.
	ExactF1   *float64 `json:"exact_f1"`
	OverlapF1 *float64 `json:"overlap_f1"`
	// MeanKappa is the mean of the defined pairwise kappas of pairs who
	// shared a document (Light's kappa).
	MeanKappa *float64 `json:"mean_kappa"`
	// Pairs has every pair of annotators, A < B, sorted; a pair who never
	// shared a document has docs 0 and null scores.
	Pairs []PairAgreement `json:"pairs"`
}

// PairAgreement is the agreement of two annotators over the documents
// both annotated.
type PairAgreement struct {
	A         string      `json:"a"`
	B         string      `json:"b"`
	Docs      int         `json:"docs"`
	Tokens    int         `json:"tokens"`
	Exact     SpanMatches `json:"exact"`
	Overlap   SpanMatches `json:"overlap"`
	ExactF1   *float64    `json:"exact_f1"`
	OverlapF1 *float64    `json:"overlap_f1"`
	Kappa     *float64    `json:"kappa"` // Cohen's kappa over token labels
}

// SpanMatches are span matches of B against A: tp matched pairs, fp spans
// of B unmatched, fn spans of A unmatched.
type SpanMatches struct {
	TP int `json:"tp"`
	FP int `json:"fp"`
	FN int `json:"fn"`
}

// DocumentAgreement is one document's agreement over all labels.
type DocumentAgreement struct {
	ID         int64  `json:"id"`
	Name       string `json:"name"`
	Annotators int    `json:"annotators"` // how many annotated it
	// Alpha is null with fewer than two annotators.
	Alpha *float64 `json:"alpha"`
	// OverlapF1 is the mean over the document's pairs of their
	// overlap-match F1 (each pair weighs the same, however many spans).
	OverlapF1 *float64 `json:"overlap_f1"`
}

// handleAgreement reports inter-annotator agreement (reviewers and
// admins: it names who disagrees with whom). It computes from the
// documents' current state on every request; nothing is cached.
func (s *Server) handleAgreement(w http.ResponseWriter, r *http.Request, u model.User) {
	p, _, ok := s.access(w, r, u, model.RoleAdmin, model.RoleReviewer)
	if !ok {
		return
	}
	isAccount, err := s.accountNames(r.Context())
	if err != nil {
		s.internal(w, "agreement", err)
		return
	}
	rep, err := computeAgreement(DocsOf(r.Context(), s.store, p.ID), isAccount)
	if err != nil {
		s.internal(w, "agreement", fmt.Errorf("project %d: %w", p.ID, err))
		return
	}
	rep.Project = AgreementProject{ID: p.ID, Name: p.Name}
	writeJSON(w, http.StatusOK, rep)
}

// computeAgreement measures agreement over docs: once per document for
// the per-document list, then over all of them for the project. The
// project report needs every document's text at once (agreement.Compute
// takes a slice), so this holds the project's texts and spans in memory.
//
// Only human annotators' layers are compared (model.KindOfLayer with
// isAccount; nil counts every layer but gold and suggestions).
func computeAgreement(docs iter.Seq2[export.Doc, error], isAccount func(string) bool) (AgreementReport, error) {
	var all []agreement.Document
	out := AgreementReport{Annotators: []string{}, Excluded: []string{}, Labels: []AgreementSummary{}, ByDocument: []DocumentAgreement{}}
	excluded := map[string]bool{}
	for d, err := range docs {
		if err != nil {
			return AgreementReport{}, err
		}
		layers := agreement.SpansByLayer(d.Annotations)
		for l := range layers {
			switch model.KindOfLayer(l, isAccount) {
			case model.LayerHuman:
				continue
			case model.LayerMachine, model.LayerSuggestions:
				excluded[l] = true
			}
			delete(layers, l)
		}
		doc := agreement.Document{Text: d.Document.Text, Layers: layers}
		rep, err := agreement.Compute([]agreement.Document{doc})
		if err != nil {
			return AgreementReport{}, fmt.Errorf("document %d: %w", d.Document.ID, err)
		}
		out.ByDocument = append(out.ByDocument, DocumentAgreement{
			ID: d.Document.ID, Name: d.Document.Name, Annotators: len(layers),
			Alpha: scoreOrNull(rep.All.Alpha), OverlapF1: meanOverlapF1(rep.All.Pairs),
		})
		all = append(all, doc)
	}
	rep, err := agreement.Compute(all)
	if err != nil {
		return AgreementReport{}, err // each document passed alone
	}
	out.Annotators = append(out.Annotators, rep.Annotators...)
	out.Excluded = append(out.Excluded, slices.Sorted(maps.Keys(excluded))...)
	out.Documents, out.Tokens = rep.Docs, rep.Tokens
	out.Overall = summarizeAgreement(rep.All)
	for _, l := range rep.Labels {
		out.Labels = append(out.Labels, summarizeAgreement(l))
	}
	sortDocuments(out.ByDocument)
	return out, nil
}

// sortDocuments puts the documents to review first first: by alpha, then
// by mean overlap F1, lowest first, undefined after every defined value,
// then by ID. Alpha leads because it covers every annotator and token at
// once; F1 only breaks ties.
func sortDocuments(docs []DocumentAgreement) {
	slices.SortStableFunc(docs, func(a, b DocumentAgreement) int {
		return cmp.Or(compareScores(a.Alpha, b.Alpha), compareScores(a.OverlapF1, b.OverlapF1), cmp.Compare(a.ID, b.ID))
	})
}

// compareScores orders scores ascending with null (undefined) last.
func compareScores(a, b *float64) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return 1
	case b == nil:
		return -1
	}
	return cmp.Compare(*a, *b)
}

func summarizeAgreement(s agreement.Summary) AgreementSummary {
	out := AgreementSummary{Label: s.Label, Alpha: scoreOrNull(s.Alpha), ExactF1: scoreOrNull(s.Exact.F1()),
		OverlapF1: scoreOrNull(s.Overlap.F1()), Pairs: []PairAgreement{}}
	var sum float64
	n := 0
	for _, p := range s.Pairs {
		out.Pairs = append(out.Pairs, PairAgreement{A: p.A, B: p.B, Docs: p.Docs, Tokens: p.Tokens,
			Exact: spanMatches(p.Exact), Overlap: spanMatches(p.Overlap),
			ExactF1: scoreOrNull(p.Exact.F1()), OverlapF1: scoreOrNull(p.Overlap.F1()), Kappa: scoreOrNull(p.Kappa)})
		if p.Docs > 0 && p.Kappa.Defined {
			sum += p.Kappa.Value
			n++
		}
	}
	if n > 0 {
		out.MeanKappa = floatPtr(sum / float64(n))
	}
	return out
}

// meanOverlapF1 is the mean of the defined overlap F1s of pairs who
// shared a document, or nil if there are none.
func meanOverlapF1(pairs []agreement.Pair) *float64 {
	var sum float64
	n := 0
	for _, p := range pairs {
		if f := p.Overlap.F1(); p.Docs > 0 && f.Defined {
			sum += f.Value
			n++
		}
	}
	if n == 0 {
		return nil
	}
	return floatPtr(sum / float64(n))
}

// scoreOrNull turns an agreement.Score into JSON's number or null.
func scoreOrNull(s agreement.Score) *float64 {
	if !s.Defined {
		return nil
	}
	return floatPtr(s.Value)
}

func floatPtr(v float64) *float64 { return &v }

func spanMatches(c agreement.SpanCounts) SpanMatches {
	return SpanMatches{TP: c.TP, FP: c.FP, FN: c.FN}
}

// accountNames returns whether a name is a user account's: what makes a
// layer a human annotator's (model.KindOfLayer).
func (s *Server) accountNames(ctx context.Context) (func(string) bool, error) {
	us, err := s.store.Users(ctx)
	if err != nil {
		return nil, fmt.Errorf("accounts: %w", err)
	}
	names := make(map[string]bool, len(us))
	for _, u := range us {
		names[u.Name] = true
	}
	return func(n string) bool { return names[n] }, nil
}

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
	"gloss/server/internal/store"
	"gloss/shared/agreement"
	"gloss/shared/model"
)

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
			Alpha: rep.All.Alpha.Nullable(), OverlapF1: meanOverlapF1(rep.All.Pairs),
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
	out := AgreementSummary{Label: s.Label, Alpha: s.Alpha.Nullable(), ExactF1: s.Exact.F1().Nullable(),
		OverlapF1: s.Overlap.F1().Nullable(), Pairs: []PairAgreement{}}
	var sum float64
	n := 0
	for _, p := range s.Pairs {
		out.Pairs = append(out.Pairs, PairAgreement{A: p.A, B: p.B, Docs: p.Docs, Tokens: p.Tokens,
			Exact: spanMatches(p.Exact), Overlap: spanMatches(p.Overlap),
			ExactF1: p.Exact.F1().Nullable(), OverlapF1: p.Overlap.F1().Nullable(), Kappa: p.Kappa.Nullable()})
		if p.Docs > 0 && p.Kappa.Defined {
			sum += p.Kappa.Value
			n++
		}
	}
	if n > 0 {
		out.MeanKappa = agreement.Score{Value: sum / float64(n), Defined: true}.Nullable()
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
	return agreement.Score{Value: sum / float64(n), Defined: true}.Nullable()
}

func spanMatches(c agreement.SpanCounts) SpanMatches {
	return SpanMatches{TP: c.TP, FP: c.FP, FN: c.FN}
}

// accountNames returns whether a name is a user account's: what makes a
// layer a human annotator's (model.KindOfLayer).
func (s *Server) accountNames(ctx context.Context) (func(string) bool, error) {
	return AccountNames(ctx, s.store)
}

// AccountNames reports which layer names are accounts' (human annotators):
// the dataset card and agreement count those only. The CLI's export uses
// it too.
func AccountNames(ctx context.Context, st store.Store) (func(string) bool, error) {
	us, err := st.Users(ctx)
	if err != nil {
		return nil, fmt.Errorf("accounts: %w", err)
	}
	names := make(map[string]bool, len(us))
	for _, u := range us {
		names[u.Name] = true
	}
	return func(n string) bool { return names[n] }, nil
}

package httpapi

// AgreementReport is the answer of GET /api/projects/{id}/agreement: how
// far the project's annotators agree, over the project, per label and per
// document. Every score is a number, or null where it is undefined (0/0:
// nothing to compare, or one category only), never NaN.
//
// An annotator is anyone with a layer of their own (every layer but
// model.GoldLayer). They count as having annotated a document if their
// layer has at least one annotation in it; a document they left empty is
// left out of their pairs instead of counting as disagreement everywhere.
type AgreementReport struct {
	Project    AgreementProject `json:"project"`
	Annotators []string         `json:"annotators"` // sorted
	// Excluded are the other layers with annotations (gold aside):
	// imported machine layers and suggestions, sorted. An annotator is a
	// layer of kind model.LayerHuman (named after an account).
	Excluded  []string `json:"excluded_layers"`
	Documents int      `json:"documents"` // documents in the project
	Tokens    int      `json:"tokens"`    // token units in them
	// Overall is the agreement over all labels: a token's category is
	// the label of the shortest span touching it (see agreement.Summary).
	Overall AgreementSummary `json:"overall"`
	// Labels has one binary summary (the label or not) per label any
	// annotator used, sorted by label.
	Labels []AgreementSummary `json:"labels"`
	// ByDocument lists every document, lowest agreement first: by alpha,
	// then by mean overlap F1, undefined after every defined value, then
	// by ID.
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

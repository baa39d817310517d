package export

import (
	"encoding/json"
	"fmt"
	"io"
	"iter"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"gloss/shared/agreement"
	"gloss/shared/model"
)

// The dataset card says what an export holds and how it was made: label
// definitions with their guidelines, counts per label and annotator, the
// number of documents, the export time and the tool version. It comes in
// two forms from the same data:
//
//   - Markdown (WriteCard), the README.md inside the brat zip;
//   - JSON (Write with format "card"), which the HTTP layer can offer next
//     to a JSONL download as a sidecar. JSONL itself stays pure data, one
//     document per line, so it is not embedded there.
//
// Write("card") reads the documents once to count them; a caller that has
// just streamed JSONL and wants a card must run the query again (or use
// CountStats with the same iterator source).
//
// Agreement: when the export holds two or more annotator layers (gold
// excluded), the card gives Krippendorff's alpha (overall and per label)
// and the micro-averaged pairwise span F1 with overlap and exact matching,
// computed by gloss/shared/agreement over the documents two or more of them
// annotated. Those documents' texts and spans are kept until the card is
// written, so the card (and the brat zip, whose README.md is the card)
// take memory in proportion to that part of the project; jsonl, conll and
// w3c keep streaming in constant memory.

// Stats counts what an export holds after Options' filters.
type Stats struct {
	Documents   int
	CodePoints  int
	Annotations int
	Relations   int
	// Labels counts annotations by label, then by annotator.
	Labels map[string]map[string]int
	// RelationTypes counts relations by type, then by annotator.
	RelationTypes map[string]map[string]int

	// annotators are the human annotators' layers seen (gold, machine
	// and suggestion layers excluded: model.KindOfLayer); agree the
	// documents two or more of them annotated, for the agreement figures.
	annotators map[string]bool
	agree      []agreement.Document
}

func (s *Stats) add(v docView, opt Options) {
	if s.Labels == nil {
		s.Labels = map[string]map[string]int{}
		s.RelationTypes = map[string]map[string]int{}
	}
	s.Documents++
	s.CodePoints += v.text.Len()
	s.Annotations += len(v.anns)
	s.Relations += len(v.rels)
	for _, a := range v.anns {
		bump(s.Labels, a.Label, a.Author)
	}
	for _, r := range v.rels {
		bump(s.RelationTypes, r.Type, r.Author)
	}
	layers := agreement.SpansByLayer(v.anns)
	for l := range layers {
		if model.KindOfLayer(l, opt.IsAccount) != model.LayerHuman {
			delete(layers, l)
		}
	}
	if s.annotators == nil {
		s.annotators = map[string]bool{}
	}
	for l := range layers {
		s.annotators[l] = true
	}
	if len(layers) >= 2 {
		s.agree = append(s.agree, agreement.Document{Text: v.doc.Text, Layers: layers})
	}
}

func bump(m map[string]map[string]int, k, who string) {
	if m[k] == nil {
		m[k] = map[string]int{}
	}
	m[k][who]++
}

// CountStats reads docs and counts what Write would export with opt.
func CountStats(docs iter.Seq2[Doc, error], opt Options) (Stats, error) {
	p := newPreparer(opt)
	var s Stats
	for d, err := range docs {
		if err != nil {
			return Stats{}, fmt.Errorf("export: card: %w", err)
		}
		v, err := p.prepare(d)
		if err != nil {
			return Stats{}, fmt.Errorf("export: card: %w", err)
		}
		s.add(v, opt)
	}
	return s, nil
}

// card is the dataset card's content; its JSON form is the "card" format.
type card struct {
	Project       string          `json:"project"`
	ProjectID     int64           `json:"project_id"`
	Exported      time.Time       `json:"exported"`
	Tool          string          `json:"tool"`
	Layers        []string        `json:"layers"` // the filter; empty = all
	Offsets       string          `json:"offsets"`
	Documents     int             `json:"documents"`
	CodePoints    int             `json:"code_points"`
	Annotations   int             `json:"annotations"`
	Relations     int             `json:"relations"`
	Labels        []cardLabel     `json:"labels"`
	RelationTypes []cardRelation  `json:"relation_types"`
	Annotators    []cardAnnotator `json:"annotators"`
	// Agreement is null when the export has fewer than two annotator
	// layers (gold excluded).
	Agreement *cardAgreement `json:"agreement"`
}

// cardAgreement is inter-annotator agreement; a figure is null when it is
// undefined (e.g. no document was annotated by two of them).
type cardAgreement struct {
	Annotators []string `json:"annotators"`
	// Documents counts the documents two or more annotators annotated,
	// Tokens their token units.
	Documents int                  `json:"documents"`
	Tokens    int                  `json:"tokens"`
	Alpha     *float64             `json:"alpha"`      // Krippendorff's nominal alpha, tokens as units
	OverlapF1 *float64             `json:"overlap_f1"` // pairwise span F1, micro-averaged, overlap matching
	ExactF1   *float64             `json:"exact_f1"`   // likewise with exact bounds
	Labels    []cardLabelAgreement `json:"labels"`
}

type cardLabelAgreement struct {
	Label string   `json:"label"`
	Alpha *float64 `json:"alpha"`
}

// newAgreement computes the card's agreement section, nil when there are
// fewer than two annotators.
func newAgreement(s Stats) (*cardAgreement, error) {
	if len(s.annotators) < 2 {
		return nil, nil
	}
	r, err := agreement.Compute(s.agree)
	if err != nil {
		return nil, err
	}
	a := &cardAgreement{Annotators: slices.Sorted(maps.Keys(s.annotators)), Documents: r.Docs, Tokens: r.Tokens,
		Alpha: r.All.Alpha.Nullable(), OverlapF1: r.All.Overlap.F1().Nullable(), ExactF1: r.All.Exact.F1().Nullable(), Labels: []cardLabelAgreement{}}
	for _, l := range r.Labels {
		a.Labels = append(a.Labels, cardLabelAgreement{Label: l.Label, Alpha: l.Alpha.Nullable()})
	}
	return a, nil
}

type cardLabel struct {
	Name        string         `json:"name"`
	Guideline   string         `json:"guideline"`
	Color       string         `json:"color,omitempty"`
	Annotations int            `json:"annotations"`
	ByAnnotator map[string]int `json:"by_annotator"`
}

type cardRelation struct {
	Type        string         `json:"type"`
	Relations   int            `json:"relations"`
	ByAnnotator map[string]int `json:"by_annotator"`
}

type cardAnnotator struct {
	Name string `json:"name"`
	// Kind is model.KindOfLayer of the name: "human", or "machine" for
	// an imported layer's author, which is no annotator.
	Kind        model.LayerKind `json:"kind"`
	Annotations int             `json:"annotations"`
	Relations   int             `json:"relations"`
}

const offsetsNote = "Unicode code points, end exclusive: Python's text[start:end] is the span"

func newCard(project model.Project, s Stats, opt Options) (card, error) {
	ag, err := newAgreement(s)
	if err != nil {
		return card{}, fmt.Errorf("export: card: %w", err)
	}
	c := card{
		Agreement:   ag,
		Project:     project.Name,
		ProjectID:   project.ID,
		Exported:    opt.now(),
		Tool:        opt.tool(),
		Layers:      append([]string{}, opt.Layers...),
		Offsets:     offsetsNote,
		Documents:   s.Documents,
		CodePoints:  s.CodePoints,
		Annotations: s.Annotations,
		Relations:   s.Relations,
	}
	// Every label the export can hold, in schema order, even unused
	// ones: the card defines the label set. Then any label found in the
	// data but not (any more) in the schema.
	names := opt.Labels
	if len(names) == 0 {
		for _, l := range project.Schema.Labels {
			names = append(names, l.Name)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(s.Labels)) {
		if !slices.Contains(names, k) {
			names = append(names, k)
		}
	}
	annotators := map[string]*cardAnnotator{}
	who := func(name string) *cardAnnotator {
		if annotators[name] == nil {
			annotators[name] = &cardAnnotator{Name: name, Kind: model.KindOfLayer(name, opt.IsAccount)}
		}
		return annotators[name]
	}
	for _, name := range names {
		l, _ := project.Schema.Label(name)
		cl := cardLabel{Name: name, Guideline: l.Guideline, Color: l.Color, ByAnnotator: map[string]int{}}
		for a, n := range s.Labels[name] {
			cl.ByAnnotator[a] = n
			cl.Annotations += n
			who(a).Annotations += n
		}
		c.Labels = append(c.Labels, cl)
	}
	types := slices.Clone(project.Schema.Relations)
	for _, k := range slices.Sorted(maps.Keys(s.RelationTypes)) {
		if !slices.Contains(types, k) {
			types = append(types, k)
		}
	}
	c.RelationTypes = []cardRelation{}
	for _, t := range types {
		cr := cardRelation{Type: t, ByAnnotator: map[string]int{}}
		for a, n := range s.RelationTypes[t] {
			cr.ByAnnotator[a] = n
			cr.Relations += n
			who(a).Relations += n
		}
		c.RelationTypes = append(c.RelationTypes, cr)
	}
	c.Annotators = []cardAnnotator{}
	for _, name := range slices.Sorted(maps.Keys(annotators)) {
		c.Annotators = append(c.Annotators, *annotators[name])
	}
	return c, nil
}

func writeCardJSON(w io.Writer, project model.Project, docs iter.Seq2[Doc, error], opt Options) error {
	s, err := CountStats(docs, opt)
	if err != nil {
		return err
	}
	c, err := newCard(project, s, opt)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(c); err != nil {
		return fmt.Errorf("export: card: %w", err)
	}
	return nil
}

// WriteCard writes the dataset card for stats as Markdown.
func WriteCard(w io.Writer, project model.Project, stats Stats, opt Options) error {
	c, err := newCard(project, stats, opt)
	if err != nil {
		return err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# %s — dataset card\n\n", mdText(c.Project))
	fmt.Fprintf(&b, "Exported from %s on %s.\n\n", mdText(c.Tool), c.Exported.Format(time.RFC3339))
	layers := "all"
	if len(c.Layers) > 0 {
		layers = mdText(strings.Join(c.Layers, ", "))
	}
	fmt.Fprintf(&b, "Layers: %s. Offsets: %s.\n\n", layers, offsetsNote)
	b.WriteString("| Documents | Characters (code points) | Annotations | Relations |\n|---:|---:|---:|---:|\n")
	fmt.Fprintf(&b, "| %d | %d | %d | %d |\n\n", c.Documents, c.CodePoints, c.Annotations, c.Relations)

	b.WriteString("## Labels\n\n| Label | Guideline | Annotations | By annotator |\n|---|---|---:|---|\n")
	for _, l := range c.Labels {
		fmt.Fprintf(&b, "| %s | %s | %d | %s |\n", mdText(l.Name), mdText(l.Guideline), l.Annotations, byAnnotator(l.ByAnnotator))
	}
	b.WriteString("\n## Relations\n\n| Type | Relations | By annotator |\n|---|---:|---|\n")
	for _, r := range c.RelationTypes {
		fmt.Fprintf(&b, "| %s | %d | %s |\n", mdText(r.Type), r.Relations, byAnnotator(r.ByAnnotator))
	}
	b.WriteString("\n## Annotators\n\n| Annotator | Kind | Annotations | Relations |\n|---|---|---:|---:|\n")
	for _, a := range c.Annotators {
		fmt.Fprintf(&b, "| %s | %s | %d | %d |\n", mdText(a.Name), a.Kind, a.Annotations, a.Relations)
	}
	b.WriteString("\n## Agreement\n\n")
	if ag := c.Agreement; ag == nil {
		b.WriteString("n/a: fewer than two human annotators (gold, imported and suggestion layers excluded).\n")
	} else {
		names := make([]string, len(ag.Annotators))
		for i, n := range ag.Annotators {
			names[i] = mdText(n)
		}
		fmt.Fprintf(&b, "Between %s, over the %d document(s) (%d tokens) that two or more of them annotated; gold excluded.\n\n",
			strings.Join(names, ", "), ag.Documents, ag.Tokens)
		b.WriteString("| Measure | Value |\n|---|---:|\n")
		fmt.Fprintf(&b, "| Krippendorff's alpha (tokens) | %s |\n", mdScore(ag.Alpha))
		fmt.Fprintf(&b, "| Span F1, overlap | %s |\n", mdScore(ag.OverlapF1))
		fmt.Fprintf(&b, "| Span F1, exact | %s |\n", mdScore(ag.ExactF1))
		if len(ag.Labels) > 0 {
			b.WriteString("\n| Label | Alpha |\n|---|---:|\n")
			for _, l := range ag.Labels {
				fmt.Fprintf(&b, "| %s | %s |\n", mdText(l.Label), mdScore(l.Alpha))
			}
		}
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("export: card: %w", err)
	}
	return nil
}

// mdScore formats an agreement figure, "n/a" when undefined.
func mdScore(v *float64) string {
	if v == nil {
		return "n/a"
	}
	return strconv.FormatFloat(*v, 'f', 3, 64)
}

func byAnnotator(m map[string]int) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, mdText(k)+" "+strconv.Itoa(m[k]))
	}
	return strings.Join(parts, ", ")
}

// mdText makes s safe inside a Markdown table cell: no line breaks or
// control characters, no cell separator, and no HTML a renderer would
// pass through.
func mdText(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '|' || r == '\\' || r == '*' || r == '_' || r == '`' || r == '[' || r == ']':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '<':
			b.WriteString("&lt;")
		case r == '>':
			b.WriteString("&gt;")
		case r == '&':
			b.WriteString("&amp;")
		case unicode.IsControl(r) || r == '\u2028' || r == '\u2029':
			b.WriteByte(' ')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

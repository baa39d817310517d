package story

import (
	"cmp"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"gloss/shared/model"
)

// Document is one article of a story with its annotations and relations
// (every layer; the table sorts them out).
type Document struct {
	ID          int64
	Name        string
	Outlet      string    // the publishing outlet, "" when unknown
	Published   time.Time // zero when unknown
	Annotations []model.Annotation
	Relations   []model.Relation
}

// Story is one event covered by several documents.
type Story struct {
	ID        int64
	Name      string
	Documents []Document
}

// LayerClass orders layers in a cell: what a reviewer adjudicated first,
// then what analysts tagged, then what machines proposed.
type LayerClass int

// Layer classes, in the order cells list them.
const (
	ClassGold       LayerClass = iota // the gold layer
	ClassAnnotator                    // an analyst's own layer
	ClassMachine                      // imported spans ("import")
	ClassSuggestion                   // the suggester's proposals ("suggest")
)

// String names the class as the view marks it.
func (c LayerClass) String() string {
	switch c {
	case ClassGold:
		return "gold"
	case ClassAnnotator:
		return "annotator"
	case ClassMachine:
		return "machine"
	}
	return "suggestion"
}

// MachineLayers are layers written by programs rather than analysts.
var MachineLayers = map[string]bool{"import": true}

// ClassOf returns the class of a layer name.
func ClassOf(layer string) LayerClass {
	switch {
	case layer == model.GoldLayer:
		return ClassGold
	case layer == SuggestLayer:
		return ClassSuggestion
	case MachineLayers[layer]:
		return ClassMachine
	}
	return ClassAnnotator
}

// Figure is one figure span as a cell shows it.
type Figure struct {
	ID         string // annotation id
	Document   int64
	Layer      string
	Class      LayerClass
	Start, End int // code points
	Quote      string
	Value      *float64
	Low, High  *float64
	Qualifier  string
	Unit       string
	Quantity   string   // as tagged (the row holds the folded one)
	Sources    []string // who reports it: attribution texts linked to it or to a claim containing it
	Attributed bool
	Reading    Reading
	// Counted is set on the figures the row's conflict check compares:
	// in each cell, those of the best layer class present.
	Counted bool
	// Disputed is set on a counted figure that disagrees with a counted
	// figure of another document.
	Disputed bool
}

// Text is the figure as words: qualifier and number(s), e.g. "at least
// 40", "1–1.5", "dozens".
func (f *Figure) Text() string {
	var num string
	switch {
	case f.Low != nil && f.High != nil:
		num = FormatNumber(*f.Low) + "–" + FormatNumber(*f.High)
	case f.Value != nil:
		num = FormatNumber(*f.Value)
	}
	q := strings.Join(strings.Fields(f.Qualifier), " ")
	switch {
	case q == "":
		return num
	case num == "":
		return q
	case f.Reading.Kind == Vague:
		return q + " (" + num + ")"
	}
	return q + " " + num
}

// Cell is one document's figures for one row, best layer class first.
type Cell struct {
	Figures []Figure
}

// Row is one quantity (and unit group) across the story's documents.
type Row struct {
	Quantity string // folded quantity: Dead, Hospitalised, …, a typed one, or Other
	Unit     string // unit group ("" for people in general), see UnitGroup
	Label    string // "dead", "hospitalised · children"
	Cells    []Cell // one per column
	// Conflict: two counted figures of different documents disagree
	// (see Agree).
	Conflict bool
	// Low and High are the smallest and largest number stated in the row
	// (counted figures); HasRange is false when none has a number.
	Low, High float64
	HasRange  bool
	// Conservative is the figure to record (the lowest count vouched
	// for); nil when no counted figure has a number.
	Conservative *Figure
	// Dispute states a conflict in one line, e.g. "at least 40 (CNN,
	// Times of India) vs at least 60 (Business Times)"; "" when the row
	// agrees.
	Dispute string
	// Version is 0 from Build; a Builder gives each row it lays out a new
	// one, so a view may keep what it made of a row of the same version.
	Version uint64
}

// Column is one document of the story.
type Column struct {
	Document  int64
	Name      string
	Outlet    string
	Published time.Time
	// Claims and Figures count the document's distinct claim and figure
	// spans (outside the suggest layer); Unattributed those of them with
	// no source (see Attributed).
	Claims, Figures, Unattributed int
}

// Table is a story's figure comparison.
type Table struct {
	Story   int64
	Name    string
	Columns []Column
	Rows    []Row
}

type rowKey struct{ quantity, unit string }

// Build makes the comparison table of s: one column per document (by
// publication time, unknown last, then by document) and one row
// per folded quantity and unit group.
func Build(s Story) Table {
	m := newMemo()
	docs := make([]*docFigures, len(s.Documents))
	for i := range s.Documents {
		docs[i] = prepare(&s.Documents[i], m)
	}
	return assemble(s.ID, s.Name, docs, false)
}

// docFigures is what one document brings to the table: its column and its
// figures, grouped by row (keys[i] is figs[i]'s row; cells says where
// each row's group starts and ends).
type docFigures struct {
	col   Column
	figs  []Figure
	keys  []rowKey
	cells []docCell
}

// docCell is the group of a document's figures that falls in one row:
// figs[lo:hi].
type docCell struct {
	key    rowKey
	lo, hi int
}

func prepare(d *Document, m *memo) *docFigures {
	df := &docFigures{col: Column{Document: d.ID, Name: d.Name, Outlet: d.Outlet, Published: d.Published}}
	df.figs, df.keys = figures(d, &df.col, m)
	for i := 0; i < len(df.keys); {
		j := i + 1
		for j < len(df.keys) && df.keys[j] == df.keys[i] {
			j++
		}
		df.cells = append(df.cells, docCell{df.keys[i], i, j})
		i = j
	}
	return df
}

// cell returns the document's figures in row k (nil when it has none).
func (d *docFigures) cell(k rowKey) []Figure {
	for _, c := range d.cells {
		if c.key == k {
			return d.figs[c.lo:c.hi:c.hi]
		}
	}
	return nil
}

// sortColumns puts documents in column order: by publication time,
// unknown last, then by document.
func sortColumns(docs []*docFigures) {
	slices.SortStableFunc(docs, func(a, b *docFigures) int {
		x, y := a.col.Published, b.col.Published
		if x.IsZero() != y.IsZero() {
			if x.IsZero() {
				return 1
			}
			return -1
		}
		if c := x.Compare(y); c != 0 {
			return c
		}
		// Then by document: a live builder learns its documents in
		// whatever order their sessions answer, and the columns must not
		// depend on it.
		return cmp.Compare(a.col.Document, b.col.Document)
	})
}

// assemble lays the documents' figures out as rows and settles each row.
// With keep, the documents' figure slices are copied first, so that they
// can serve the next table too (settle marks figures).
func assemble(id int64, name string, in []*docFigures, keep bool) Table {
	docs := slices.Clone(in)
	sortColumns(docs)
	t := Table{Story: id, Name: name, Columns: make([]Column, len(docs))}
	rows := map[rowKey]*Row{}
	unitShown := map[rowKey]string{}
	for col, d := range docs {
		t.Columns[col] = d.col
		figs := d.figs
		if keep {
			figs = slices.Clone(figs)
		}
		// The figures come grouped by row, so each cell is a slice of
		// one allocation.
		for _, c := range d.cells {
			k := c.key
			r := rows[k]
			if r == nil {
				r = &Row{Quantity: k.quantity, Unit: k.unit, Cells: make([]Cell, len(docs))}
				rows[k] = r
				unitShown[k] = strings.Join(strings.Fields(figs[c.lo].Unit), " ")
			}
			r.Cells[col].Figures = figs[c.lo:c.hi:c.hi]
		}
	}
	t.Rows = make([]Row, 0, len(rows))
	for k, r := range rows {
		r.Label = rowLabel(k, unitShown[k])
		t.Rows = append(t.Rows, *r)
	}
	sort.Slice(t.Rows, func(i, j int) bool { return rowLess(&t.Rows[i], &t.Rows[j]) })
	for i := range t.Rows {
		settle(&t.Rows[i], t.Columns)
	}
	return t
}

func rowLabel(k rowKey, unitShown string) string {
	if k.unit != "" {
		return k.quantity + " · " + unitShown
	}
	return k.quantity
}

// EqualNum reports whether two optional numbers (a figure's value, low
// or high) are both absent or equal.
func EqualNum(a, b *float64) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

func rowLess(a, b *Row) bool {
	ra, rb := rank(a.Quantity), rank(b.Quantity)
	if ra != rb {
		return ra < rb
	}
	if a.Quantity != b.Quantity {
		return a.Quantity < b.Quantity
	}
	return a.Unit < b.Unit
}

// rank puts canonical quantities first in their order, then typed ones,
// then Other.
func rank(q string) int {
	if r, ok := canonicalOrder[q]; ok {
		return r
	}
	if q == Other {
		return 1000
	}
	return 100
}

// figures returns d's figures and their row keys, grouped by row and in
// cell order within (layer class, layer name, position), and fills col's
// counts. A suggestion whose span an analyst's figure already covers is
// left out: it was taken.
func figures(d *Document, col *Column, m *memo) ([]Figure, []rowKey) {
	anns := d.Annotations
	byID := indexByID(anns)
	attributed := attributed(anns, d.Relations, byID)
	srcs := sources(anns, d.Relations, byID)
	// Distinct claim and figure spans outside the suggest layer: [is a
	// figure, start, end] → attributed in some layer.
	counted := make(map[[3]int]bool, len(anns))
	for i := range anns {
		a := &anns[i]
		if a.Label != LabelClaim && a.Label != LabelFigure || a.Layer == SuggestLayer {
			continue
		}
		isFig := 0
		if a.Label == LabelFigure {
			isFig = 1
		}
		k := [3]int{isFig, a.Start, a.End}
		counted[k] = counted[k] || attributed[a.ID]
	}
	for k, ok := range counted {
		if k[0] == 0 {
			col.Claims++
		} else {
			col.Figures++
		}
		if !ok {
			col.Unattributed++
		}
	}
	taken := func(a *model.Annotation) bool { _, ok := counted[[3]int{1, a.Start, a.End}]; return ok }
	// Sort the annotations' indexes, not the figures: a Figure is large.
	var idx []int
	keyOf := make([]rowKey, len(anns))
	for i := range anns {
		a := &anns[i]
		if a.Label == LabelFigure && !(a.Layer == SuggestLayer && taken(a)) {
			idx = append(idx, i)
			var q, u string
			if a.Attrs != nil {
				q, u = a.Attrs.Quantity, a.Attrs.Unit
			}
			keyOf[i] = rowKey{m.fold(q, u, a.Quote), m.unitGroup(u)}
		}
	}
	slices.SortStableFunc(idx, func(i, j int) int {
		a, b := &anns[i], &anns[j]
		if c := cmp.Compare(keyOf[i].quantity, keyOf[j].quantity); c != 0 {
			return c
		}
		if c := cmp.Compare(keyOf[i].unit, keyOf[j].unit); c != 0 {
			return c
		}
		if ca, cb := ClassOf(a.Layer), ClassOf(b.Layer); ca != cb {
			return cmp.Compare(ca, cb)
		}
		if a.Layer != b.Layer {
			return strings.Compare(a.Layer, b.Layer)
		}
		return cmp.Compare(a.Start, b.Start)
	})
	out := make([]Figure, 0, len(idx))
	keys := make([]rowKey, 0, len(idx))
	for _, i := range idx {
		keys = append(keys, keyOf[i])
		a := &anns[i]
		f := Figure{ID: a.ID, Document: d.ID, Layer: a.Layer, Class: ClassOf(a.Layer), Start: a.Start, End: a.End,
			Quote: a.Quote, Sources: srcs[a.ID], Attributed: attributed[a.ID]}
		if at := a.Attrs; at != nil {
			f.Value, f.Low, f.High = at.Value, at.Low, at.High
			f.Qualifier, f.Unit, f.Quantity = at.Qualifier, at.Unit, at.Quantity
		}
		if f.Value == nil && f.Low == nil {
			// Tagged without structured fields: read the text.
			v, q := m.readQuote(a.Quote)
			f.Value = v
			if f.Qualifier == "" {
				f.Qualifier = q
			}
		}
		f.Reading = read(f.Value, f.Low, f.High, f.Qualifier, m.kind(f.Qualifier))
		out = append(out, f)
	}
	return out, keys
}

// settle marks the counted figures of each cell, compares them across
// documents and states the row's range, conservative figure and dispute.
func settle(r *Row, cols []Column) {
	type ref struct {
		col int
		f   *Figure
	}
	var counted []ref
	for c := range r.Cells {
		figs := r.Cells[c].Figures
		if len(figs) == 0 {
			continue
		}
		best := figs[0].Class // cells are sorted best class first
		for i := range figs {
			if figs[i].Class == best {
				figs[i].Counted = true
				counted = append(counted, ref{c, &figs[i]})
			}
		}
	}
	// Compare distinct readings only: many analysts tagging the same
	// "at least 40" must not make the check quadratic in them. A
	// docSet says which documents a group holds figures of: one (first)
	// or several (multi); that is all the comparison needs to know.
	type docSet struct {
		first int
		multi bool
	}
	type group struct {
		cols    docSet
		reading Reading
		figs    []ref
		done    bool
	}
	var groups []*group
	index := map[readingKey]*group{}
	for _, c := range counted {
		if !c.f.Reading.OK {
			continue
		}
		key := c.f.Reading.key()
		g := index[key]
		if g == nil {
			g = &group{cols: docSet{first: c.col}, reading: c.f.Reading}
			index[key] = g
			groups = append(groups, g)
		}
		g.cols.multi = g.cols.multi || g.cols.first != c.col
		g.figs = append(g.figs, c)
	}
	// A figure is disputed when a disagreeing group holds a figure of
	// another document.
	// A group whose figures are all disputed already (done) learns
	// nothing from another such group, which keeps a row in open
	// conflict from costing every pair.
	markDisputed := func(g *group, other docSet) {
		all := true
		for _, f := range g.figs {
			if other.multi || other.first != f.col {
				f.f.Disputed = true
			}
			all = all && f.f.Disputed
		}
		g.done = all
	}
	for i, a := range groups {
		for _, b := range groups[i+1:] {
			if a.done && b.done || !a.cols.multi && !b.cols.multi && a.cols.first == b.cols.first || Agree(a.reading, b.reading) {
				continue
			}
			r.Conflict = true
			markDisputed(a, b.cols)
			markDisputed(b, a.cols)
		}
	}
	// Range, conservative figure.
	for _, c := range counted {
		f := c.f
		if !f.Reading.OK {
			continue
		}
		lo, hi := f.Reading.bounds()
		if !r.HasRange {
			r.Low, r.High, r.HasRange = lo, hi, true
		} else {
			r.Low, r.High = math.Min(r.Low, lo), math.Max(r.High, hi)
		}
		if conservativeLess(f, r.Conservative) {
			r.Conservative = f
		}
	}
	if r.Conflict {
		r.Dispute = dispute(r, cols)
	}
}

// bounds is the part of a row's range a figure states: its number, or
// the range it gives.
func (r *Reading) bounds() (lo, hi float64) {
	if r.Kind == Range || r.Kind == Vague {
		return r.Claim.Lo, r.Claim.Hi
	}
	return r.Stated, r.Stated
}

// readingKey is what the conflict rules read of a Reading (see Agree):
// figures with equal keys agree or disagree with the same figures.
type readingKey struct {
	kind          Kind
	claim, report Interval
	stated        float64
}

func (r *Reading) key() readingKey { return readingKey{r.Kind, r.Claim, r.Report, r.Stated} }

// conservativeLess orders figures for "most conservative": the lowest
// count vouched for wins; figures vouching for no lower count ("up to
// 100") only when nothing else has one, by their stated number. Ties keep
// the earlier (earlier column, better layer).
func conservativeLess(f, than *Figure) bool {
	if than == nil {
		return true
	}
	a, b := f.Reading.Conservative, than.Reading.Conservative
	switch {
	case math.IsNaN(a) && math.IsNaN(b):
		return f.Reading.Stated < than.Reading.Stated
	case math.IsNaN(a):
		return false
	case math.IsNaN(b):
		return true
	}
	return a < b
}

// dispute states the row's counted figures, one per distinct statement
// and document, in column order: "at least 40 (CNN, Doc A) vs 60 (Doc B)".
func dispute(r *Row, cols []Column) string {
	var d disputeText
	var frags []string
	for c := range r.Cells {
		frags = fragments(frags[:0], r.Cells[c].Figures, cols[c].label())
		for _, p := range frags {
			d.add(p, true)
		}
	}
	return d.String()
}

// disputeText joins a row's dispute fragments with " vs ", each once, in
// the order added. Build and Builder state disputes through it alike.
type disputeText struct {
	strings.Builder
	seen map[string]bool
}

// add appends fragment p unless it was added before; repeat says p may
// have been (the Builder knows which fragments occur once and skips the
// lookup for them).
func (d *disputeText) add(p string, repeat bool) {
	if repeat {
		if d.seen[p] {
			return
		}
		if d.seen == nil {
			d.seen = map[string]bool{}
		}
		d.seen[p] = true
	}
	if d.Len() > 0 {
		d.WriteString(" vs ")
	}
	d.WriteString(p)
}

// fragments appends the statements a dispute makes of one cell: one per
// distinct text of its counted figures, in order, with the sources of
// the figures that state it and doc, the cell's document: "at least 40
// (CNN, Doc A)".
func fragments(out []string, figs []Figure, doc string) []string {
	type stmt struct {
		text string
		srcs []string
	}
	var buf [8]stmt // a cell states a few: no allocation
	stmts := buf[:0]
	for i := range figs {
		f := &figs[i]
		if !f.Counted || !f.Reading.OK {
			continue
		}
		s := f.Text()
		k := slices.IndexFunc(stmts, func(x stmt) bool { return x.text == s })
		if k < 0 {
			k = len(stmts)
			stmts = append(stmts, stmt{text: s})
		}
		for _, n := range f.Sources {
			stmts[k].srcs = appendUnique(stmts[k].srcs, n)
		}
	}
	for _, s := range stmts {
		n := len(s.text) + len(" (") + len(doc) + len(")")
		for _, src := range s.srcs {
			n += len(src) + len(", ")
		}
		var p strings.Builder
		p.Grow(n)
		p.WriteString(s.text)
		p.WriteString(" (")
		for _, src := range s.srcs {
			p.WriteString(src)
			p.WriteString(", ")
		}
		p.WriteString(doc)
		p.WriteString(")")
		out = append(out, p.String())
	}
	return out
}

// label names the column's document in a dispute: its outlet, or its
// name when the outlet is not known.
func (c *Column) label() string {
	if c.Outlet != "" {
		return c.Outlet
	}
	return c.Name
}

// FormatNumber writes a figure's number the short way: 40, 1.5, 13600000.
func FormatNumber(v float64) string {
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// memo remembers what one Build (or a Builder) has worked out about
// strings: a story's figures repeat a few quantities, units and
// qualifiers many times, and a Builder reads a document again on every
// op, its figures tagged without fields included.
type memo struct {
	quantities, units map[string]string
	kinds             map[string]Kind
	texts             map[[2]string]string // unit and span text → folded quantity, for figures without one
	quotes            map[string]quoteReading
}

// quoteReading is what ReadQuote reads of a span's text.
type quoteReading struct {
	value     *float64
	qualifier string
}

func newMemo() *memo {
	return &memo{quantities: map[string]string{}, units: map[string]string{}, kinds: map[string]Kind{},
		texts: map[[2]string]string{}, quotes: map[string]quoteReading{}}
}

// readQuote is ReadQuote, remembered; the value is the caller's own.
func (m *memo) readQuote(quote string) (*float64, string) {
	r, ok := m.quotes[quote]
	if !ok {
		r.value, r.qualifier = ReadQuote(quote)
		m.quotes[quote] = r
	}
	return cloneNum(r.value), r.qualifier
}

func (m *memo) fold(quantity, unit, text string) string {
	if quantity == "" {
		// Depends on the span text.
		k, ok := m.texts[[2]string{unit, text}]
		if !ok {
			k = FoldQuantity(quantity, unit, text)
			m.texts[[2]string{unit, text}] = k
		}
		return k
	}
	k, ok := m.quantities[quantity]
	if !ok {
		k = FoldQuantity(quantity, "", "")
		m.quantities[quantity] = k
	}
	return k
}

func (m *memo) unitGroup(unit string) string {
	g, ok := m.units[unit]
	if !ok {
		g = UnitGroup(unit)
		m.units[unit] = g
	}
	return g
}

func (m *memo) kind(qualifier string) Kind {
	k, ok := m.kinds[qualifier]
	if !ok {
		k = Qualifier(qualifier)
		m.kinds[qualifier] = k
	}
	return k
}

func cloneNum(f *float64) *float64 {
	if f == nil {
		return nil
	}
	v := *f
	return &v
}

package story

import (
	"cmp"
	"math"
	"slices"
	"strings"
)

// Builder keeps a story's documents worked out and the last table it laid
// out, so that when an op changes one document only that document is
// read again, only the rows where its figures changed are laid out again,
// and in such a row only the changed cells are settled again (see
// rowState): what the story view needs to follow live edits within a
// frame. Its tables equal Build's. A Builder is not safe for concurrent
// use.
type Builder struct {
	id    int64
	name  string
	memo  *memo
	docs  map[int64]*docFigures
	order []int64 // first Set order

	// The last table: its documents in column order (nil when the next
	// table must be laid out whole: a document came or went, or a
	// column's name, outlet or time changed), its rows, what the builder
	// keeps of each row to settle it again, and the rows to lay out
	// again.
	cols    []*docFigures
	rows    []Row
	states  map[rowKey]*rowState
	dirty   map[rowKey]bool
	version uint64 // the last Row.Version given out
}

// NewBuilder starts an empty story.
func NewBuilder(id int64, name string) *Builder {
	return &Builder{id: id, name: name, memo: newMemo(), docs: map[int64]*docFigures{}, dirty: map[rowKey]bool{}}
}

// Rename changes the story's name.
func (b *Builder) Rename(name string) { b.name = name }

// Set adds document d or replaces what the builder knew of it. The
// builder keeps no reference to d's annotations.
func (b *Builder) Set(d Document) {
	df := prepare(&d, b.memo)
	// The figures' numbers are d's: copy them, into one allocation.
	n := 0
	for i := range df.figs {
		f := &df.figs[i]
		for _, p := range [3]*float64{f.Value, f.Low, f.High} {
			if p != nil {
				n++
			}
		}
	}
	nums := make([]float64, 0, n)
	own := func(p *float64) *float64 {
		if p == nil {
			return nil
		}
		nums = append(nums, *p) // within capacity: earlier pointers stay valid
		return &nums[len(nums)-1]
	}
	for i := range df.figs {
		f := &df.figs[i]
		f.Value, f.Low, f.High = own(f.Value), own(f.Low), own(f.High)
	}
	old, ok := b.docs[d.ID]
	if !ok {
		b.order = append(b.order, d.ID)
	}
	b.docs[d.ID] = df
	if b.cols == nil {
		return
	}
	if !ok || old.col.Name != df.col.Name || old.col.Outlet != df.col.Outlet || !old.col.Published.Equal(df.col.Published) {
		// The columns change, or the names disputes cite.
		b.cols = nil
		return
	}
	i := slices.Index(b.cols, old)
	b.cols[i] = df
	// The rows where the document's figures changed; the others, figures
	// and flags, stay as they are (a row's flags depend on its cells only).
	for _, c := range old.cells {
		if !sameFigures(old.figs[c.lo:c.hi], df.cell(c.key)) {
			b.dirty[c.key] = true
		}
	}
	for _, c := range df.cells {
		if old.cell(c.key) == nil {
			b.dirty[c.key] = true
		}
	}
}

// Remove drops document id from the story.
func (b *Builder) Remove(id int64) {
	if _, ok := b.docs[id]; !ok {
		return
	}
	delete(b.docs, id)
	b.order = slices.DeleteFunc(b.order, func(x int64) bool { return x == id })
	b.cols = nil
}

// Table lays out the current table: the rows that changed since the last
// one, each with a new Version; the others as they were. The table shares
// nothing the builder will change: a row laid out again is a new one, and
// figures it gave out are never marked again (see cellState).
func (b *Builder) Table() Table {
	if b.cols == nil {
		// Every row as Build settles them (its way is the quicker one for
		// a whole table); a row's state is made when an op first changes
		// it.
		docs := make([]*docFigures, len(b.order))
		for i, id := range b.order {
			docs[i] = b.docs[id]
		}
		t := assemble(b.id, b.name, docs, true)
		for i := range t.Rows {
			b.version++
			t.Rows[i].Version = b.version
		}
		b.cols = docs
		sortColumns(b.cols)
		b.rows = slices.Clone(t.Rows)
		b.states = map[rowKey]*rowState{}
		clear(b.dirty)
		return t
	}
	t := Table{Story: b.id, Name: b.name, Columns: make([]Column, len(b.cols))}
	for i, d := range b.cols {
		t.Columns[i] = d.col
	}
	for k := range b.dirty {
		b.layOut(k)
	}
	clear(b.dirty)
	t.Rows = slices.Clone(b.rows)
	return t
}

// Prepare makes the state of one row that the builder has not settled by
// itself since the table was laid out whole (see layOut), and reports
// whether any is left: a page calls it in idle time after its first
// table, so that the first op on a row costs no more than the next. It
// changes no table, nor the figures given out.
func (b *Builder) Prepare() bool {
	if b.cols == nil {
		return false
	}
	for i := range b.rows {
		r := &b.rows[i]
		k := rowKey{r.Quantity, r.Unit}
		if b.states[k] != nil || b.dirty[k] {
			continue
		}
		rs := newRowState(len(b.cols))
		for c, d := range b.cols {
			rs.fill(c, d.cell(k), d.col.label())
			// The row as given out was settled from the same figures:
			// keep its cells (row marks copies where flags change).
			rs.cells[c].figs, rs.cells[c].own = r.Cells[c].Figures, false
		}
		rs.meet()
		b.states[k] = rs
		return i+1 < len(b.rows)
	}
	return false
}

// layOut lays row k out again, settling again only the cells whose
// figures changed, and puts it in its place, or drops it when no
// document has figures in it.
func (b *Builder) layOut(k rowKey) {
	at, found := slices.BinarySearchFunc(b.rows, k, func(r Row, k rowKey) int {
		x := Row{Quantity: k.quantity, Unit: k.unit}
		switch {
		case rowLess(&r, &x):
			return -1
		case rowLess(&x, &r):
			return 1
		}
		return 0
	})
	rs := b.states[k]
	if rs == nil {
		// The row's first change since the table was laid out whole: its
		// state is made from all its cells (with the change).
		rs = newRowState(len(b.cols))
		b.states[k] = rs
	}
	n := 0
	for c, d := range b.cols {
		src := d.cell(k)
		n += len(src)
		cs := &rs.cells[c]
		switch {
		case sameSlice(src, cs.src):
		case sameFigures(src, cs.src):
			cs.src = src // the document was read again, this cell the same
		default:
			rs.fill(c, src, d.col.label())
		}
	}
	if n == 0 {
		delete(b.states, k)
		if found {
			b.rows = slices.Delete(b.rows, at, at+1)
		}
		return
	}
	r := rs.row(k)
	b.version++
	r.Version = b.version
	if found {
		b.rows[at] = r
	} else {
		b.rows = slices.Insert(b.rows, at, r)
	}
}

// rowState is what a Builder keeps of one row between tables, so that an
// op that changes one cell settles the row in time proportional to that
// cell and to the row's distinct readings, not to its figures (a row of
// 50 articles holds hundreds): its cells as settled, their figures
// grouped by reading as settle groups them, and, for each group, the
// columns that the groups disagreeing with it hold figures in, which is
// all that says whether a figure is disputed.
type rowState struct {
	cells  []cellState
	groups map[readingKey]*group
	list   []*group // every group (a NaN in a reading's key matches no key: such a group is in list only)
	// pending: the groups do not know yet which groups disagree with
	// them (the row's first lay-out: see meet).
	pending bool
	// in counts, per column, the groups that hold figures in it.
	in []int32
	// free are the counts of dropped groups, cleared, for new ones.
	free [][]int32
	// frags counts the cells' dispute fragments (a dispute states each
	// once); dups is how many are stated more than once.
	frags map[string]int
	dups  int
}

// cellState is one cell of a row as settled.
type cellState struct {
	src []Figure // the document's figures in the row, unmarked (the builder's own)
	// figs are the marked copy tables get. Once given out they are never
	// changed: a figure whose Disputed flag changes is marked in a new
	// copy (own says figs are not given out yet).
	figs  []Figure
	own   bool
	group []*group // per figure: the group of its reading, nil when it is not compared (not counted, or no number)
	// The cell's part of the row's range and its most conservative
	// figure (an index in figs, -1 when none).
	low, high float64
	hasRange  bool
	cons      int
	frags     []string // its dispute fragments
}

// group is the figures of a row with one reading (one readingKey).
type group struct {
	reading Reading
	key     readingKey
	at      int     // its index in rowState.list
	n       int     // its figures
	cols    []int32 // its figures in each column
	// dis counts, per column, the groups that disagree with this one and
	// hold figures in that column; ndis is how many columns count some.
	dis  []int32
	ndis int
}

func newRowState(cols int) *rowState {
	rs := &rowState{cells: make([]cellState, cols), groups: map[readingKey]*group{}, pending: true, frags: map[string]int{},
		in: make([]int32, cols)}
	for c := range rs.cells {
		rs.cells[c].cons = -1
	}
	return rs
}

// disputed says whether a figure of g in column c is disputed: a group
// that disagrees with g holds a figure of another column.
func (g *group) disputed(c int) bool {
	return g.ndis > 1 || g.ndis == 1 && g.dis[c] == 0
}

func (g *group) see(c int, d int32) {
	g.dis[c] += d
	switch {
	case d > 0 && g.dis[c] == d:
		g.ndis++
	case d < 0 && g.dis[c] == 0:
		g.ndis--
	}
}

// fill settles cell c anew from src, its document's figures: marks the
// counted ones, moves the cell's figures from their old groups to those
// of their readings, and works out the cell's range, conservative figure
// and dispute fragments. The new figures join before the old leave, so
// that a figure that stays does not move its group's column.
func (rs *rowState) fill(c int, src []Figure, doc string) {
	cs := &rs.cells[c]
	old := *cs
	*cs = cellState{src: src, cons: -1}
	if len(src) > 0 {
		cs.figs = slices.Clip(slices.Clone(src))
		cs.own = true
		cs.group = make([]*group, len(src))
		best := src[0].Class // cells are sorted best class first
		for i := range cs.figs {
			f := &cs.figs[i]
			if f.Class != best {
				continue
			}
			f.Counted = true
			if !f.Reading.OK {
				continue
			}
			cs.group[i] = rs.join(f.Reading, c)
			lo, hi := f.Reading.bounds()
			if !cs.hasRange {
				cs.low, cs.high, cs.hasRange = lo, hi, true
			} else {
				cs.low, cs.high = math.Min(cs.low, lo), math.Max(cs.high, hi)
			}
			if cs.cons < 0 || conservativeLess(f, &cs.figs[cs.cons]) {
				cs.cons = i
			}
		}
		cs.frags = fragments(nil, cs.figs, doc)
	}
	for _, p := range cs.frags {
		rs.frags[p]++
		if rs.frags[p] == 2 {
			rs.dups++
		}
	}
	for _, g := range old.group {
		if g != nil {
			rs.leave(g, c)
		}
	}
	for _, p := range old.frags {
		n := rs.frags[p] - 1
		if n == 0 {
			delete(rs.frags, p)
		} else {
			rs.frags[p] = n
		}
		if n == 1 {
			rs.dups--
		}
	}
}

// join adds a figure of reading r in column c to its group.
func (rs *rowState) join(r Reading, c int) *group {
	key := r.key()
	g := rs.groups[key]
	if g == nil {
		g = rs.newGroup(r, key)
	}
	if g.cols[c] == 0 {
		rs.in[c]++
		if !rs.pending {
			rs.spread(g, c, 1)
		}
	}
	g.cols[c]++
	g.n++
	return g
}

// leave takes a figure in column c out of group g.
func (rs *rowState) leave(g *group, c int) {
	g.cols[c]--
	g.n--
	if g.cols[c] == 0 {
		rs.in[c]--
		rs.spread(g, c, -1)
	}
	if g.n == 0 {
		last := rs.list[len(rs.list)-1]
		rs.list[g.at], last.at = last, g.at
		rs.list = rs.list[:len(rs.list)-1]
		if rs.groups[g.key] == g {
			delete(rs.groups, g.key)
		}
		clear(g.dis)
		rs.free = append(rs.free, g.cols[:2*len(g.cols)]) // cols and dis: one allocation
	}
}

// spread tells the groups that disagree with g that g holds figures in
// column c from now on (d = 1) or no longer (d = -1).
func (rs *rowState) spread(g *group, c int, d int32) {
	for _, h := range rs.list {
		if h != g && !Agree(g.reading, h.reading) {
			h.see(c, d)
		}
	}
}

// newGroup adds an empty group of reading r. Unless the row is pending,
// it learns the columns of the groups that disagree with it: in a row in
// conflict most do, so it counts every group's columns (in) less those of
// the groups that agree.
func (rs *rowState) newGroup(r Reading, key readingKey) *group {
	n := len(rs.cells)
	var counts []int32
	if k := len(rs.free); k > 0 {
		counts, rs.free = rs.free[k-1], rs.free[:k-1]
	} else {
		counts = make([]int32, 2*n)
	}
	g := &group{reading: r, key: key, at: len(rs.list), cols: counts[:n], dis: counts[n:]}
	if !rs.pending {
		copy(g.dis, rs.in)
		for _, h := range rs.list {
			if Agree(r, h.reading) {
				g.unsee(h.cols)
			}
		}
		g.count()
	}
	rs.list = append(rs.list, g)
	if key == key { // no NaN in it
		rs.groups[key] = g
	}
	return g
}

// unsee takes the columns where cols counts figures out of g.dis.
func (g *group) unsee(cols []int32) {
	for c, k := range cols {
		if k > 0 {
			g.dis[c]--
		}
	}
}

// count works g.ndis out from g.dis.
func (g *group) count() {
	g.ndis = 0
	for _, k := range g.dis {
		if k > 0 {
			g.ndis++
		}
	}
}

// meet tells every group, once the row's first lay-out has grouped all
// its figures, the columns of the groups that disagree with it: all the
// groups' columns (in) less its own and those of the groups that agree
// with it.
func (rs *rowState) meet() {
	for _, g := range rs.list {
		copy(g.dis, rs.in)
		g.unsee(g.cols)
	}
	rs.agreeing(func(g, h *group) {
		g.unsee(h.cols)
		h.unsee(g.cols)
	})
	for _, g := range rs.list {
		g.count()
	}
	rs.pending = false
}

// agreeing calls f once for each pair of the row's groups that agree.
// Readings that agree have overlapping envelopes, so only those pairs are
// compared: in a row of 200 readings in conflict, a few hundred pairs of
// 20,000.
func (rs *rowState) agreeing(f func(g, h *group)) {
	type env struct {
		lo, hi float64
		g      *group
	}
	envs := make([]env, 0, len(rs.list))
	var odd []*group // a NaN: compared with every other
	for _, g := range rs.list {
		if lo, hi, ok := g.reading.envelope(); ok {
			envs = append(envs, env{lo, hi, g})
		} else {
			odd = append(odd, g)
		}
	}
	slices.SortFunc(envs, func(a, b env) int { return cmp.Compare(a.lo, b.lo) })
	for i, a := range envs {
		for _, b := range envs[i+1:] {
			if b.lo > a.hi {
				break // and so do all after it
			}
			if Agree(a.g.reading, b.g.reading) {
				f(a.g, b.g)
			}
		}
	}
	for i, g := range odd {
		for _, h := range odd[i+1:] {
			if Agree(g.reading, h.reading) {
				f(g, h)
			}
		}
		for _, e := range envs {
			if Agree(g.reading, e.g.reading) {
				f(g, e.g)
			}
		}
	}
}

// row makes row k of the settled cells: it marks the disputed figures
// (in new copies of the cells given out before), and takes the row's
// range and conservative figure from its cells' and its dispute from
// their fragments.
func (rs *rowState) row(k rowKey) Row {
	if rs.pending {
		rs.meet()
	}
	r := Row{Quantity: k.quantity, Unit: k.unit, Cells: make([]Cell, len(rs.cells))}
	unitShown, unitFound, cons := "", false, -1
	for c := range rs.cells {
		cs := &rs.cells[c]
		for i, g := range cs.group {
			if g == nil {
				continue
			}
			d := g.disputed(c)
			r.Conflict = r.Conflict || d
			if cs.figs[i].Disputed != d {
				if !cs.own {
					cs.figs, cs.own = slices.Clip(slices.Clone(cs.figs)), true
				}
				cs.figs[i].Disputed = d
			}
		}
		cs.own = false
		r.Cells[c].Figures = cs.figs
		if len(cs.figs) > 0 && !unitFound {
			unitShown, unitFound = strings.Join(strings.Fields(cs.figs[0].Unit), " "), true
		}
		if cs.hasRange {
			if !r.HasRange {
				r.Low, r.High, r.HasRange = cs.low, cs.high, true
			} else {
				r.Low, r.High = math.Min(r.Low, cs.low), math.Max(r.High, cs.high)
			}
		}
		if cs.cons >= 0 && (cons < 0 || conservativeLess(&cs.figs[cs.cons], &rs.cells[cons].figs[rs.cells[cons].cons])) {
			cons = c
		}
	}
	r.Label = rowLabel(k, unitShown)
	if cons >= 0 {
		r.Conservative = &r.Cells[cons].Figures[rs.cells[cons].cons]
	}
	if r.Conflict {
		r.Dispute = rs.dispute()
	}
	return r
}

// dispute states the row's dispute from its cells' fragments, each once,
// in column order, as dispute does.
func (rs *rowState) dispute() string {
	n := 0
	for c := range rs.cells {
		for _, p := range rs.cells[c].frags {
			n += len(p) + len(" vs ")
		}
	}
	var d disputeText
	d.Grow(n)
	for c := range rs.cells {
		for _, p := range rs.cells[c].frags {
			d.add(p, rs.dups > 0 && rs.frags[p] > 1)
		}
	}
	return d.String()
}

// sameFigures says whether two cells hold the same figures as read from
// their documents (Reading follows from the fields compared; Counted and
// Disputed are set only on the copies tables get).
func sameFigures(a, b []Figure) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := &a[i], &b[i]
		if x.ID != y.ID || x.Document != y.Document || x.Layer != y.Layer || x.Class != y.Class ||
			x.Start != y.Start || x.End != y.End || x.Quote != y.Quote || x.Qualifier != y.Qualifier ||
			x.Unit != y.Unit || x.Quantity != y.Quantity || x.Attributed != y.Attributed ||
			!EqualNum(x.Value, y.Value) || !EqualNum(x.Low, y.Low) || !EqualNum(x.High, y.High) ||
			!slices.Equal(x.Sources, y.Sources) {
			return false
		}
	}
	return true
}

package story

import (
	"math"
	"strings"
)

// Kind is what a qualifier says about the number it qualifies.
type Kind int

// Kinds of qualifier.
const (
	Exact    Kind = iota // no qualifier: "40 people"
	AtLeast              // "at least 40": the true count is ≥ 40
	MoreThan             // "more than 70", "over 100": > v
	AtMost               // "up to 100", "at most": ≤ v
	LessThan             // "under 50", "fewer than": < v
	About                // "about", "around", "some": within a tolerance either side
	Nearly               // "nearly", "almost": just below v
	JustOver             // "just over", "a little over": just above v
	Vague                // "dozens", "hundreds": a word for a range
	Range                // a low–high range, whatever the words
)

// Tolerance is the relative band an approximate figure ("about 100")
// stands for: ±10%, the margin within which newsrooms round a toll.
const Tolerance = 0.10

var qualifierKinds = map[string]Kind{
	"at least": AtLeast, "no fewer than": AtLeast, "no less than": AtLeast, "not less than": AtLeast,
	"a minimum of": AtLeast, "minimum": AtLeast, "at a minimum": AtLeast,
	"more than": MoreThan, "over": MoreThan, "above": MoreThan, "in excess of": MoreThan,
	"upwards of": MoreThan, "upward of": MoreThan, "greater than": MoreThan, "exceeding": MoreThan,
	"well over": MoreThan, "+": MoreThan, "plus": MoreThan, "beyond": MoreThan,
	"up to": AtMost, "at most": AtMost, "no more than": AtMost, "not more than": AtMost,
	"as many as": AtMost, "a maximum of": AtMost, "maximum": AtMost, "as much as": AtMost,
	"under": LessThan, "fewer than": LessThan, "less than": LessThan, "below": LessThan,
	"short of": LessThan, "well under": LessThan,
	"about": About, "around": About, "approximately": About, "approx": About, "roughly": About,
	"some": About, "an estimated": About, "estimated": About, "circa": About, "c": About, "~": About,
	"≈": About, "or so": About, "nearly about": About, "round about": About, "an approximate": About,
	"nearly": Nearly, "almost": Nearly, "close to": Nearly, "just under": Nearly, "approaching": Nearly,
	"just shy of": Nearly, "just below": Nearly, "not quite": Nearly,
	"just over": JustOver, "a little over": JustOver, "slightly more than": JustOver,
	"just above": JustOver, "slightly over": JustOver, "a little more than": JustOver,
}

// vagueWords are quantity words without a number, as intervals. The
// extractor gives its own low/high for them when it reads one; these are
// the fallback and the upper end when it gives only a value.
var vagueWords = map[string][2]float64{
	"a few": {2, 5}, "few": {2, 5}, "several": {3, 9}, "a dozen": {10, 14}, "dozen": {10, 14},
	"dozens": {24, 99}, "scores": {40, 99}, "hundreds": {200, 999}, "thousands": {2000, 9999},
	"tens of thousands": {20000, 99999}, "hundreds of thousands": {200000, 999999},
	"millions": {2e6, 9.99e6},
}

// Qualifier returns the kind of a qualifier (case and spacing
// insensitive). Qualifiers it does not know read as About: an unknown
// word hedges the number, and flagging a hedge as a dispute would cry
// wolf.
func Qualifier(q string) Kind {
	k := normQualifier(q)
	if k == "" {
		return Exact
	}
	if kind, ok := qualifierKinds[k]; ok {
		return kind
	}
	if _, ok := vagueWords[k]; ok {
		return Vague
	}
	return About
}

func normQualifier(q string) string {
	q = strings.ToLower(strings.Join(strings.Fields(q), " "))
	return strings.Trim(q, " .,;:'\"")
}

// Interval is a set of numbers: [Lo, Hi] with open ends where LoOpen or
// HiOpen. Hi may be +Inf.
type Interval struct {
	Lo, Hi         float64
	LoOpen, HiOpen bool
}

// Reading is how the conflict rules read one figure: Claim is what the
// figure asserts the true count can be; Report is the number the source
// puts its name to. See the package documentation.
type Reading struct {
	Kind   Kind
	Claim  Interval
	Report Interval
	// Conservative is the lowest count the figure vouches for, what a
	// conflict-data coder records (NaN when the figure vouches for no
	// lower count, e.g. "up to 100").
	Conservative float64
	// Stated is the number as written (a range's low end).
	Stated float64
	OK     bool // false when the figure has no number
}

// Read interprets a figure's number and qualifier.
func Read(value, low, high *float64, qualifier string) Reading {
	return read(value, low, high, qualifier, Qualifier(qualifier))
}

func read(value, low, high *float64, qualifier string, kind Kind) Reading {
	inf := math.Inf(1)
	if low != nil && high != nil {
		lo, hi := *low, *high
		if kind != Vague {
			kind = Range
		}
		return Reading{Kind: kind, Claim: Interval{Lo: lo, Hi: hi}, Report: Interval{Lo: lo, Hi: hi}, Conservative: lo, Stated: lo, OK: true}
	}
	if kind == Vague {
		w := vagueWords[normQualifier(qualifier)]
		lo, hi := w[0], w[1]
		if value != nil {
			lo, hi = *value, max(*value, w[1])
		}
		return Reading{Kind: Vague, Claim: Interval{Lo: lo, Hi: hi}, Report: Interval{Lo: lo, Hi: hi}, Conservative: lo, Stated: lo, OK: true}
	}
	if value == nil {
		return Reading{Kind: kind, Conservative: math.NaN(), Stated: math.NaN()}
	}
	v := *value
	point := Interval{Lo: v, Hi: v}
	band := v * Tolerance
	if band < 0 {
		band = -band
	}
	r := Reading{Kind: kind, Report: point, Conservative: v, Stated: v, OK: true}
	switch kind {
	case Exact:
		r.Claim = point
	case AtLeast:
		r.Claim = Interval{Lo: v, Hi: inf}
	case MoreThan:
		r.Claim = Interval{Lo: v, Hi: inf, LoOpen: true}
	case AtMost:
		r.Claim = Interval{Lo: math.Inf(-1), Hi: v}
		r.Conservative = math.NaN()
	case LessThan:
		r.Claim = Interval{Lo: math.Inf(-1), Hi: v, HiOpen: true}
		r.Conservative = math.NaN()
	case About:
		r.Claim = Interval{Lo: v - band, Hi: v + band}
		r.Report = r.Claim
	case Nearly:
		r.Claim = Interval{Lo: v - band, Hi: v}
		r.Report = r.Claim
		r.Conservative = v - band
	case JustOver:
		r.Claim = Interval{Lo: v, Hi: v + band}
		r.Report = r.Claim
	}
	return r
}

// overlaps reports whether a and b share a number. A point (an exact
// figure) touching an open end still overlaps: "more than 100" and "100"
// are the same report rounded, while "more than 100" and "under 100"
// exclude each other.
func overlaps(a, b Interval) bool {
	lo, hi := max(a.Lo, b.Lo), min(a.Hi, b.Hi)
	if lo < hi {
		return true
	}
	if lo > hi {
		return false
	}
	if a.point() || b.point() {
		return true
	}
	open := (a.Lo == lo && a.LoOpen) || (a.Hi == hi && a.HiOpen) || (b.Lo == lo && b.LoOpen) || (b.Hi == hi && b.HiOpen)
	return !open
}

func (i Interval) point() bool { return i.Lo == i.Hi && !i.LoOpen && !i.HiOpen }

// Agree reports whether two figures of one quantity can stand together.
// They conflict when what they claim is incompatible (their Claim
// intervals are disjoint: "more than 100" vs "under 100"), or when the
// numbers their sources vouch for differ beyond their hedges (their
// Report intervals are disjoint: "at least 40" vs "at least 60", "40" vs
// "60", "about 100" vs "150"). Two approximations agree when their
// centres are within Tolerance of the larger, not when their widened
// bands merely touch.
func Agree(a, b Reading) bool {
	if !a.OK || !b.OK {
		return true
	}
	if !overlaps(a.Claim, b.Claim) {
		return false
	}
	if approx(a.Kind) && approx(b.Kind) {
		ca, cb := a.Stated, b.Stated
		return math.Abs(ca-cb) <= Tolerance*math.Max(math.Abs(ca), math.Abs(cb))+1e-9
	}
	return overlaps(a.Report, b.Report)
}

// envelope is an interval that holds a number of every reading r agrees
// with (see Agree): the numbers its source vouches for (Report). Readings
// agree only when their reports overlap, or when both are approximations
// whose claims overlap, and an approximation's report is its claim. ok
// is false when r holds a NaN, which compares with nothing.
func (r *Reading) envelope() (lo, hi float64, ok bool) {
	lo, hi = r.Report.Lo, r.Report.Hi
	return lo, hi, !math.IsNaN(lo) && !math.IsNaN(hi)
}

func approx(k Kind) bool { return k == About || k == Nearly || k == JustOver }

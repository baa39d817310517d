package agreement

import (
	"errors"
	"fmt"
	"slices"
)

// ErrLengthMismatch reports two coders' label lists that do not cover the
// same units, which would silently pair the wrong units.
var ErrLengthMismatch = errors.New("coders labelled different numbers of units")

// Score is an agreement coefficient. Defined is false when the coefficient
// is 0/0: there were no units to compare, or every value was the same
// category so that chance alone already explains perfect agreement. Value
// is then 1, because nothing contradicts agreement, and a caller that
// averages or sorts never meets a NaN; a display should show "n/a".
type Score struct {
	Value   float64
	Defined bool
}

// Nullable is the score as JSON carries it: the value, or nil (null)
// where it is undefined. The API's report and the dataset card both
// write scores this way.
func (s Score) Nullable() *float64 {
	if !s.Defined {
		return nil
	}
	v := s.Value
	return &v
}

// ratio returns num/den as a Score, treating 0/0 as undefined.
func ratio(num, den float64) Score {
	if den == 0 {
		return Score{Value: 1}
	}
	return Score{Value: num / den, Defined: true}
}

// CohenKappa returns Cohen's kappa for two coders who labelled the same
// units: x[i] and y[i] are their categories for unit i. Categories are any
// strings; one that neither coder used does not change kappa.
func CohenKappa(x, y []string) (Score, error) {
	if len(x) != len(y) {
		return Score{}, fmt.Errorf("agreement: cohen kappa over %d and %d units: %w", len(x), len(y), ErrLengthMismatch)
	}
	var c contingency
	for i := range x {
		c.add(x[i], y[i])
	}
	return c.kappa(), nil
}

// KrippendorffAlpha returns Krippendorff's alpha for nominal data. Each
// element of units holds the values given to one unit by the coders who
// coded it, in any order; a coder who skipped the unit is simply absent,
// which is how alpha handles missing data. Units with fewer than two values
// cannot be paired and do not count.
func KrippendorffAlpha(units [][]string) Score {
	var c coincidence
	for _, u := range units {
		c.addUnit(u)
	}
	return c.alpha()
}

// contingency accumulates a two-coder table so that kappa over several
// documents is kappa over their concatenated units, not a mean of kappas.
type contingency struct {
	n, agree int64
	rows     map[string]int64
	cols     map[string]int64
}

func (c *contingency) add(x, y string) {
	if c.rows == nil {
		c.rows, c.cols = map[string]int64{}, map[string]int64{}
	}
	c.n++
	if x == y {
		c.agree++
	}
	c.rows[x]++
	c.cols[y]++
}

// kappa computes (po-pe)/(1-pe) scaled by n², so the 0/0 test is exact
// integer arithmetic rather than a float compared to 1.
func (c *contingency) kappa() Score {
	var chance int64 // Σ row_c·col_c = n²·pe
	for k, r := range c.rows {
		chance += r * c.cols[k]
	}
	nn := c.n * c.n
	return ratio(float64(c.n*c.agree-chance), float64(nn-chance))
}

// coincidence accumulates what nominal alpha needs from Krippendorff's
// coincidence matrix: its diagonal total Σ o_cc and the marginals n_c.
// With those, alpha = 1 - (n-1)(n - Σo_cc) / (n² - Σn_c²), which is his
// 1 - (n-1)·Σ_{c≠k} o_ck / Σ_{c≠k} n_c·n_k for the nominal metric.
type coincidence struct {
	diag     float64
	marginal map[string]int64
}

func (c *coincidence) addUnit(values []string) {
	m := len(values)
	if m < 2 {
		return
	}
	if c.marginal == nil {
		c.marginal = map[string]int64{}
	}
	for i, v := range values {
		if slices.Contains(values[:i], v) {
			continue // counted at its first occurrence
		}
		k := 1
		for _, w := range values[i+1:] {
			if w == v {
				k++
			}
		}
		// A unit with m values contributes k(k-1) ordered pairs of
		// agreeing values, each weighted 1/(m-1).
		c.diag += float64(k*(k-1)) / float64(m-1)
		c.marginal[v] += int64(k)
	}
}

func (c *coincidence) alpha() Score {
	var n, sq int64 // integers, so map order cannot change the sums
	for _, k := range c.marginal {
		n += k
		sq += k * k
	}
	s := ratio(float64(n-1)*(float64(n)-c.diag), float64(n*n-sq))
	if s.Defined {
		s.Value = 1 - s.Value
	}
	return s
}

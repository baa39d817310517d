package model

import (
	"cmp"
	"strings"
)

// CompareSpans orders spans for reading: by start, and of two spans that
// start together the longer first, so an enclosing span comes before
// what it encloses.
func CompareSpans(aStart, aEnd, bStart, bEnd int) int {
	return cmp.Or(cmp.Compare(aStart, bStart), cmp.Compare(bEnd, aEnd))
}

// ReadingOrder compares annotations in reading order: CompareSpans, then
// by ID so that the order is total. Snapshots, exports and the review
// view all list annotations in this order.
func ReadingOrder(a, b Annotation) int {
	return cmp.Or(CompareSpans(a.Start, a.End, b.Start, b.End), strings.Compare(a.ID, b.ID))
}

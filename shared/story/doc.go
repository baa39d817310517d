// Package story compares the figures that several articles about one
// event report, flags where they disagree and finds claims nobody
// sources. It is pure (no I/O beyond an io.Writer for the exports) and
// builds natively and for GOOS=js, so the server, the CLI and the desk
// all use the same rules.
//
// # Rows: quantity folding
//
// A figure's row is its quantity folded to one name (FoldQuantity):
// killed, death toll, fatalities, lost their lives → dead; injured, hurt →
// wounded; hospitalized, in hospital, admitted → hospitalised; critical,
// seriously → in serious condition; and evacuated, missing, arrested
// (detained), displaced, rescued, casualties. Case, inflection and the
// British/American -ise/-ize spelling do not matter. When the figure's
// quantity field is empty its unit and span text are searched for the same
// cues; a quantity that names nothing known keeps its own row; anything
// else is "other". Rows are split by unit group (UnitGroup): "115 people
// hospitalised" and "five children hospitalised" are different counts, so
// they are never compared; units that count people in general (people,
// victims, civilians, none) share a row.
//
// A figure's number, qualifier, unit and quantity come from its
// structured fields (model.Attrs, filled by the suggester or corrected by
// an analyst); a figure tagged without them is read from its text
// (ReadQuote: the first number and the qualifier before it).
//
// # Conflicts: the conflict-data convention
//
// Conflict-event coders (ACLED and its peers) record the most conservative
// figure the sources give and note that the sources dispute it. A casualty
// figure with a qualifier is the number its source puts its name to, with a
// hedge around it, not a statement about a set of possible counts: "at least
// 40 dead" and "at least 60 dead" are both true if 70 died, yet the two
// outlets report different tolls, and that is what a fact-checker must
// see. So each figure is read (Read) two ways:
//
//   - Claim: the counts it allows. Exact v is {v}; "at least" [v, ∞);
//     "more than"/"over" (v, ∞); "up to"/"at most" (−∞, v]; "under"/"fewer
//     than" (−∞, v); "about"/"around"/"some" v ± 10% (Tolerance);
//     "nearly"/"almost" [v − 10%, v]; "just over" [v, v + 10%]; a range
//     [low, high]; a vague word ("dozens", "hundreds") its range, the
//     extractor's low/high when given (dozens: 24–99).
//   - Report: the number vouched for. For exact figures and bounds it is v
//     itself; for approximations, ranges and vague words it is the same
//     interval as the Claim.
//
// Two figures agree (Agree) when their Claims overlap and their Reports
// overlap; two approximations agree when their stated numbers are within
// 10% of the larger. Hence: "at least 40" vs "at least 60" conflict
// (different tolls); "at least 40" vs "60" conflict; "more than 70" vs
// "more than 70" agree; "about 100" vs "around 100" agree; "about 100" vs
// "105" agree but vs "115" conflict; "more than 100" vs "under 100"
// conflict (exclusive claims); "40–60" vs "50" agree; "dozens" vs "40"
// agree, vs "150" conflict. A strict bound and an exact figure at the
// same number agree ("more than 100" vs "100": the same toll rounded).
// Unknown qualifiers read as approximations, so an odd hedge is not
// flagged as a dispute.
//
// A row is in conflict when two figures of different documents disagree;
// figures within one document are not compared (an article may cite an
// earlier attack's toll; two analysts' readings of one sentence are a
// review question, not a dispute between sources). In each cell only the
// figures of the best layer class present are compared: gold, else the
// analysts' layers, else imported, else suggestions. The row also gives
// the range of the stated numbers, the most conservative figure (the
// lowest count vouched for; "up to" figures vouch for none) and a dispute
// line: "at least 40 (CNN, Doc A) vs at least 60 (Doc B)".
//
// # Attribution
//
// A claim or figure is attributed (Attributed) when a `source` relation
// points at it or at a claim containing it, in any layer except that the
// suggester's relations vouch only for its own spans. An outlet's own
// voice ("Business Times has been able to verify") is not a source unless
// an analyst links it as one.
package story

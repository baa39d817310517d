package model

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Schema limits. Keys are single letters or digits; the desk uses r and w
// for its own shortcuts (link, snap to words).
const (
	MaxLabels    = 50
	MaxRelations = 20
	MaxNameLen   = 40
	MaxGuideline = 500
	ReservedKeys = "rw"
)

// checkName says why name cannot name a label or relation type.
func checkName(what, name string) error {
	n := utf8.RuneCountInString(name)
	if n == 0 || n > MaxNameLen {
		return fmt.Errorf("%s name %q must be 1–%d characters", what, name, MaxNameLen)
	}
	if strings.TrimSpace(name) != name {
		return fmt.Errorf("%s name %q starts or ends with a space", what, name)
	}
	for _, c := range name {
		if !unicode.IsLetter(c) && !unicode.IsDigit(c) && c != '-' && c != '_' && c != ' ' {
			return fmt.Errorf("%s name %q may hold only letters, digits, '-', '_' and spaces", what, name)
		}
	}
	return nil
}

// Validate checks a schema as an admin submits it (from the UI, the API
// or the CLI): names, colours, keys, guidelines and relation types.
func (sc Schema) Validate() error {
	if len(sc.Labels) == 0 || len(sc.Labels) > MaxLabels {
		return fmt.Errorf("a schema has 1–%d labels", MaxLabels)
	}
	if len(sc.Relations) > MaxRelations {
		return fmt.Errorf("a schema has at most %d relation types", MaxRelations)
	}
	names, keys := map[string]string{}, map[string]string{}
	for _, l := range sc.Labels {
		if err := checkName("label", l.Name); err != nil {
			return err
		}
		if other, dup := names[strings.ToLower(l.Name)]; dup {
			return fmt.Errorf("labels %q and %q have the same name", other, l.Name)
		}
		names[strings.ToLower(l.Name)] = l.Name
		if !ValidColor(l.Color) {
			return fmt.Errorf("label %q: colour %q must be #rrggbb", l.Name, l.Color)
		}
		if l.Key != "" {
			k := []rune(l.Key)
			if len(k) != 1 || !unicode.IsLetter(k[0]) && !unicode.IsDigit(k[0]) {
				return fmt.Errorf("label %q: the shortcut key must be one letter or digit, not %q", l.Name, l.Key)
			}
			lk := strings.ToLower(l.Key)
			if strings.Contains(ReservedKeys, lk) {
				return fmt.Errorf("label %q: key %q is taken by the desk (r links spans, w snaps to words)", l.Name, l.Key)
			}
			if other, dup := keys[lk]; dup {
				return fmt.Errorf("labels %q and %q have the same shortcut key %q", other, l.Name, l.Key)
			}
			keys[lk] = l.Name
		}
		if utf8.RuneCountInString(l.Guideline) > MaxGuideline {
			return fmt.Errorf("label %q: the guideline is longer than %d characters", l.Name, MaxGuideline)
		}
	}
	rels := map[string]bool{}
	for _, rt := range sc.Relations {
		if err := checkName("relation type", rt); err != nil {
			return err
		}
		if rels[strings.ToLower(rt)] {
			return fmt.Errorf("relation type %q is listed twice", rt)
		}
		rels[strings.ToLower(rt)] = true
	}
	return nil
}

// ValidColor reports whether c is a #rrggbb colour: the only form a label
// colour takes, so that it can be written into CSS and SVG unescaped.
func ValidColor(c string) bool {
	if len(c) != 7 || c[0] != '#' {
		return false
	}
	for _, x := range c[1:] {
		if !('0' <= x && x <= '9' || 'a' <= x && x <= 'f' || 'A' <= x && x <= 'F') {
			return false
		}
	}
	return true
}

// FallbackColor is drawn for a colour that is not ValidColor.
const FallbackColor = "#777777"

// DisplayColor returns c if it is ValidColor and FallbackColor otherwise:
// what the UI writes into a style, so that a hostile colour string from a
// schema can never break out of it.
func DisplayColor(c string) string {
	if ValidColor(c) {
		return c
	}
	return FallbackColor
}

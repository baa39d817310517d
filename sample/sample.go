// Package sample ships the demo project's articles, byte for byte as they
// were given, so a fresh install has something real to annotate.
package sample

import (
	"embed"
	"io/fs"
	"sort"
	"strings"
)

//go:embed demo/*.txt
var demo embed.FS

// Article is one demo document.
type Article struct {
	Name string
	Text string
}

// Demo returns the demo articles in file name order.
func Demo() []Article {
	entries, _ := fs.Glob(demo, "demo/*.txt")
	sort.Strings(entries)
	out := make([]Article, 0, len(entries))
	for _, e := range entries {
		b, _ := demo.ReadFile(e)
		out = append(out, Article{Name: strings.TrimSuffix(strings.TrimPrefix(e, "demo/"), ".txt"), Text: string(b)})
	}
	return out
}

package main

import (
	"fmt"
	"os"

	"gloss/shared/suggest"
)

func main() {
	b, _ := os.ReadFile(os.Args[1])
	res := suggest.Extract(string(b))
	for i, s := range res.Spans {
		a := s.Attrs
		extra := ""
		if a.Value != nil {
			extra = fmt.Sprintf("v=%g", *a.Value)
		}
		if a.Low != nil {
			extra = fmt.Sprintf("v=%g-%g", *a.Low, *a.High)
		}
		fmt.Printf("%d %s [%s] %s q=%q u=%q qt=%q\n", i, s.Label, s.Text, extra, a.Qualifier, a.Unit, a.Quantity)
	}
	for _, r := range res.Relations {
		fmt.Printf("  %d -> %d  [%s] => [%s]\n", r.From, r.To, res.Spans[r.From].Text, res.Spans[r.To].Text)
	}
}

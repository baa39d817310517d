package export

import (
	"fmt"
	"io"
	"iter"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync"
	"testing"
	"time"

	"gloss/shared/model"
	"gloss/shared/textpos"
)

// benchDoc builds one synthetic document of about 60 KB (the first seed
// article repeated, with an emoji and a U+00A0 per copy) with spans
// annotations: runs of three to eight words, every fifth one with a
// figure nested inside, and a relation per ten spans.
func benchDoc(b *testing.B, spans int) Doc {
	b.Helper()
	seed, err := os.ReadFile(filepath.Join("..", "..", "..", "sample", "demo", "000_307bc43b3c6d2c1a.txt"))
	if err != nil {
		b.Fatal(err)
	}
	var sb strings.Builder
	for sb.Len() < 60_000 {
		sb.WriteString("😀 Update:\u00a0")
		sb.Write(seed)
		sb.WriteString("\n\n")
	}
	text := sb.String()
	tp := textpos.New(text)
	// Word starts and ends in code points.
	var starts, ends []int
	cp, inWord := 0, false
	for _, r := range text {
		space := r == ' ' || r == '\n' || r == '\u00a0'
		if !space && !inWord {
			starts = append(starts, cp)
		}
		if space && inWord {
			ends = append(ends, cp)
		}
		inWord = !space
		cp++
	}
	if inWord {
		ends = append(ends, cp)
	}
	d := Doc{Document: model.Document{Name: "synthetic", Text: text, Meta: map[string]string{"source": "bench"}}}
	created := time.Date(2024, 3, 23, 9, 30, 0, 0, time.UTC)
	add := func(id, label string, s, e int) {
		q, err := tp.Slice(s, e)
		if err != nil {
			b.Fatal(err)
		}
		d.Annotations = append(d.Annotations, model.Annotation{ID: id, Layer: "alice", Label: label, Start: s, End: e, Quote: q,
			Author: "alice", Version: 1, Created: created, Updated: created.Add(1500 * time.Millisecond)})
	}
	w := 0
	for i := 0; len(d.Annotations) < spans; i++ {
		n := 3 + i%6
		if w+n >= len(starts) {
			b.Fatalf("text too short for %d spans", spans)
		}
		add(fmt.Sprintf("s%d", i), "claim", starts[w], ends[w+n-1])
		if i%5 == 0 && len(d.Annotations) < spans {
			add(fmt.Sprintf("f%d", i), "figure", starts[w+1], ends[w+2])
		}
		if i%10 == 0 && i > 0 {
			d.Relations = append(d.Relations, model.Relation{ID: fmt.Sprintf("r%d", i), Layer: "alice", Type: "source",
				From: fmt.Sprintf("s%d", i), To: fmt.Sprintf("s%d", i-1), Author: "alice", Version: 1, Created: created})
		}
		w += n + 1
		created = created.Add(time.Second)
	}
	return d
}

// benchDocs yields n copies of d with distinct ids, as a store cursor
// would: the writer sees n documents, the benchmark holds one.
func benchDocs(d Doc, n int) iter.Seq2[Doc, error] {
	return func(yield func(Doc, error) bool) {
		for i := range n {
			d.Document.ID = int64(i + 1)
			if !yield(d, nil) {
				return
			}
		}
	}
}

// peakHeap samples the live heap every millisecond until stopped and
// reports the highest value seen, in bytes.
func peakHeap() (stop func() uint64) {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	var (
		peak uint64
		wg   sync.WaitGroup
		done = make(chan struct{})
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(sample)
			peak = max(peak, sample[0].Value.Uint64())
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() uint64 {
		close(done)
		wg.Wait()
		return peak
	}
}

// countingWriter counts bytes and throws them away.
type countingWriter struct{ n int64 }

func (c *countingWriter) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	return len(p), nil
}

func benchmarkExport(b *testing.B, format string, docs, spans int) {
	d := benchDoc(b, spans)
	project := model.Project{ID: 1, Name: "bench", Schema: model.DefaultSchema()}
	opt := Options{ToolVersion: "bench", Now: fixedNow}
	runtime.GC()
	stop := peakHeap()
	var out countingWriter
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		out.n = 0
		var w io.Writer = &out
		if err := Write(w, format, project, benchDocs(d, docs), opt); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	peak := stop()
	b.SetBytes(out.n)
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
	b.ReportMetric(float64(docs*spans)/(float64(b.Elapsed().Nanoseconds())/float64(b.N))*1e9, "spans/s")
}

// BenchmarkJSONL1M exports 1,000,000 annotations (1,000 documents of about
// 60 KB with 1,000 spans and 100 relations each) to JSONL.
func BenchmarkJSONL1M(b *testing.B) {
	benchmarkExport(b, FormatJSONL, 1000, 1000)
}

// BenchmarkFormats1M does the same for the other formats, for comparison.
func BenchmarkFormats1M(b *testing.B) {
	for _, f := range []string{FormatCoNLL, FormatW3C, FormatBrat} {
		b.Run(f, func(b *testing.B) { benchmarkExport(b, f, 1000, 1000) })
	}
}

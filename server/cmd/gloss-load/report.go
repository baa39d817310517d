package main

import (
	"fmt"
	"slices"
)

// median returns the median of vs and their range.
func median(vs []float64) (med, lo, hi float64) {
	s := slices.Clone(vs)
	slices.Sort(s)
	n := len(s)
	if n == 0 {
		return 0, 0, 0
	}
	med = s[n/2]
	if n%2 == 0 {
		med = (s[n/2-1] + s[n/2]) / 2
	}
	return med, s[0], s[n-1]
}

func pick(rs []result, f func(result) float64) []float64 {
	out := make([]float64, len(rs))
	for i, r := range rs {
		out[i] = f(r)
	}
	return out
}

func fmtMed(vs []float64, prec int) string {
	m, lo, hi := median(vs)
	if len(vs) == 1 {
		return fmt.Sprintf("%.*f", prec, m)
	}
	return fmt.Sprintf("%.*f (%.*f–%.*f)", prec, m, prec, lo, prec, hi)
}

func (r *results) print(cfg config) {
	fmt.Printf("\nmedians of %d iterations (range in brackets); servers pinned to CPU %q, %v per measurement\n", cfg.iterations, cfg.serverCPU, cfg.duration)
	fmt.Println("fan-out: from sending to receipt at every other client of the document; acked: durable acks/s in saturating mode")
	for _, t := range []string{"floor", "Hocuspocus", "Gloss SQLite", "Gloss PostgreSQL"} {
		if v, ok := r.idle[t]; ok {
			fmt.Printf("%-17s idle KiB/conn (process RSS, %d conns): %s\n", t, cfg.idle, fmtMed(v, 1))
		}
	}
	for _, k := range r.order {
		rs := r.runs[k]
		line := fmt.Sprintf("%-17s inst=%d docs=%-2d C=%-4d %-10s", k.target, k.inst, k.docs, k.cli, k.mode)
		if k.cli > k.docs {
			line += " p50 " + fmtMed(pick(rs, func(r result) float64 { return r.p50 }), 2)
			line += " p99 " + fmtMed(pick(rs, func(r result) float64 { return r.p99 }), 2)
		} else {
			line += " (one client per document: no fan-out)"
		}
		if k.inst > 1 {
			line += " cross-instance p50 " + fmtMed(pick(rs, func(r result) float64 { return r.crossP50 }), 2)
			line += " p99 " + fmtMed(pick(rs, func(r result) float64 { return r.crossP99 }), 2)
		}
		if k.mode != "paced" {
			line += " acked/s " + fmtMed(pick(rs, func(r result) float64 { return r.ackedPerSec }), 0)
		}
		line += " writes/op " + fmtMed(pick(rs, func(r result) float64 { return r.writesPerOp }), 1)
		line += " server-µs/op " + fmtMed(pick(rs, func(r result) float64 { return r.cpuPerOp }), 0)
		complete := true
		for _, r := range rs {
			complete = complete && r.complete && r.errors == 0
		}
		line += fmt.Sprintf(" tool-CPU %s%%", fmtMed(pick(rs, func(r result) float64 { return r.toolCPU }), 0))
		if !complete {
			line += " INCOMPLETE (an op missed a client, or errors)"
		}
		fmt.Println(line)
	}
	// The ratios the issue asks for, within this run: Gloss against the
	// floor and against Hocuspocus.
	medianOf := func(target string, c int, mode string, f func(result) float64) (float64, bool) {
		rs := r.runs[key{target, 1, cfg.docs[0], c, mode}]
		if len(rs) == 0 {
			return 0, false
		}
		m, _, _ := median(pick(rs, f))
		return m, true
	}
	acked := func(r result) float64 { return r.ackedPerSec }
	p99 := func(r result) float64 { return r.p99 }
	for _, c := range cfg.clients {
		for _, other := range []string{"floor", "Hocuspocus"} {
			if g, ok := medianOf("Gloss SQLite", c, "saturating", acked); ok {
				if o, ok := medianOf(other, c, "saturating", acked); ok {
					fmt.Printf("ratio C=%d saturating acked/s Gloss SQLite / %s: %.2f×\n", c, other, g/o)
				}
			}
			if g, ok := medianOf("Gloss SQLite", c, "paced", p99); ok {
				if o, ok := medianOf(other, c, "paced", p99); ok {
					fmt.Printf("ratio C=%d paced p99 Gloss SQLite / %s: %.2f×\n", c, other, g/o)
				}
			}
		}
	}
}

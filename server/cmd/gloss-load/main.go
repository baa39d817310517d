// Command gloss-load measures live sync as browsers meet it: the clients
// run in this process, the server in its own (`gloss serve`, started here
// on a temporary database and pinned to one core with taskset), and every
// op is timed from its sending to its receipt at every other client of
// the document. In the same run it measures a floor: a bare gorilla
// broadcast server (no store, no state; see floor.go), so that the ratios
// between the two hold for one machine at one moment. `make bench-sync`
// runs it; the figures and what they mean are in BENCHMARKS.md.
//
//	gloss-load [flags]            measure (see -h)
//	gloss-load -modes= -n 3       only the idle memory figure
//	gloss-load floor -addr A      run the floor server (started by the above)
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"gloss/shared/textpos"
)

// docText is the text of every document: the hub benchmarks' (synctest's),
// news prose with characters outside ASCII and the BMP.
var docText = strings.Repeat("Officials in Zürich said on Tuesday that at least 40 people were evacuated, "+
	"according to a statement — “the river rose 2.5 m overnight” 🌊, CNN reported. ", 20)

type config struct {
	gloss, web, db, serverCPU string
	instances, docs, clients  []int
	modes                     []string
	rate, iterations, idle    int
	idleWarm                  int
	duration                  time.Duration
	floor                     bool
	hocuspocus                string // the directory of scripts/hocuspocus, or empty
	cpuProfile                string // a path prefix for the tool's CPU profiles, or empty
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "floor" {
		fs := flag.NewFlagSet("floor", flag.ExitOnError)
		addr := fs.String("addr", "127.0.0.1:0", "listen address")
		fs.Parse(os.Args[2:])
		if err := runFloor(*addr); err != nil {
			fmt.Fprintln(os.Stderr, "floor:", err)
			os.Exit(1)
		}
		return
	}
	var cfg config
	var instances, docs, clients, modes string
	flag.StringVar(&cfg.gloss, "gloss", "bin/gloss", "the gloss binary")
	flag.StringVar(&cfg.web, "web", "web", "the web directory for gloss serve")
	flag.StringVar(&cfg.db, "db", "", "a postgres:// URL to run on (an empty database); default: a new SQLite file")
	flag.StringVar(&cfg.serverCPU, "server-cpu", "0", "taskset CPU list for the servers (every instance and the floor); empty: not pinned")
	flag.StringVar(&instances, "instances", "1", "Gloss instance counts to measure, comma-separated (more than 1 needs -db postgres://)")
	flag.StringVar(&docs, "docs", "1", "document counts to measure, comma-separated (clients spread over them)")
	flag.StringVar(&clients, "clients", "50,200", "client counts to measure, comma-separated")
	flag.StringVar(&modes, "modes", "paced,saturating", "modes: paced (-rate ops/s in total) and saturating (one op in flight per client); empty: only the idle measurement")
	flag.IntVar(&cfg.rate, "rate", 200, "paced mode: ops per second, all clients together")
	flag.DurationVar(&cfg.duration, "duration", 5*time.Second, "length of each measurement")
	flag.IntVar(&cfg.iterations, "n", 3, "iterations; medians are printed")
	flag.IntVar(&cfg.idle, "idle", 1000, "idle connections for the memory figure (0: skip)")
	flag.IntVar(&cfg.idleWarm, "idle-warm", 0, "idle connections opened, and kept open, before the memory figure's first reading: the figure is then the cost of each further one, without what the first connections start once (pools, runtime threads)")
	flag.BoolVar(&cfg.floor, "floor", true, "measure the floor (bare gorilla broadcast) in the same run")
	flag.StringVar(&cfg.hocuspocus, "hocuspocus", "", "measure Hocuspocus (in memory) in the same run: the directory of scripts/hocuspocus, its node_modules installed (npm ci); empty: not measured")
	flag.StringVar(&cfg.cpuProfile, "cpuprofile", "", "write the tool's own CPU profile of each measurement to PREFIX-<target>-C<clients>-<mode>.pprof (last iteration's)")
	flag.Parse()
	cfg.instances, cfg.docs, cfg.clients = ints(instances), ints(docs), ints(clients)
	if modes != "" {
		cfg.modes = strings.Split(modes, ",")
	}
	if err := run(cfg); err != nil {
		fmt.Fprintln(os.Stderr, "gloss-load:", err)
		os.Exit(1)
	}
}

func ints(s string) []int {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			fmt.Fprintf(os.Stderr, "gloss-load: %q is not a positive count\n", f)
			os.Exit(2)
		}
		out = append(out, n)
	}
	return out
}

// key names one line of the results.
type key struct {
	target          string
	inst, docs, cli int
	mode            string
}

type results struct {
	order []key
	runs  map[key][]result
	idle  map[string][]float64 // KiB per connection
}

func (r *results) add(k key, res result) {
	if _, ok := r.runs[k]; !ok {
		r.order = append(r.order, k)
	}
	r.runs[k] = append(r.runs[k], res)
}

func run(cfg config) error {
	raiseFileLimit()
	ctx := context.Background()
	pg := strings.HasPrefix(cfg.db, "postgres")
	if !pg && slices.Max(cfg.instances) > 1 {
		return fmt.Errorf("several instances need PostgreSQL (-db postgres://…)")
	}
	db := cfg.db
	target := "Gloss PostgreSQL"
	if !pg {
		dir, err := os.MkdirTemp("", "gloss-load-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		db, target = filepath.Join(dir, "gloss.db"), "Gloss SQLite"
	}
	maxClients := max(slices.Max(cfg.clients), 1)
	fmt.Printf("setting up %d users on %s\n", maxClients, target)
	fix, err := newFixture(ctx, db, maxClients)
	if err != nil {
		return fmt.Errorf("set up the database: %w", err)
	}
	if cfg.web, err = webDir(cfg.web); err != nil {
		return err
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	text := docText
	rs := &results{runs: map[key][]result{}, idle: map[string][]float64{}}
	for it := 1; it <= cfg.iterations; it++ {
		fmt.Printf("iteration %d of %d\n", it, cfg.iterations)
		// The comparison servers keep no documents: ids made up per
		// iteration; Hocuspocus keeps them in memory, so each scenario
		// has fresh ones.
		fresh := int64(it * 1_000_000)
		fakeDocs := func(n int) []int64 {
			ds := make([]int64, n)
			for i := range ds {
				fresh++
				ds[i] = fresh
			}
			return ds
		}
		if cfg.floor {
			if err := measureOther(cfg, rs, "floor", glossWire{textpos.New(text)}, fakeDocs, fix.accounts, text, self, "floor", "-addr", "{addr}"); err != nil {
				return err
			}
		}
		if cfg.hocuspocus != "" {
			if err := measureOther(cfg, rs, "Hocuspocus", &hocusWire{}, fakeDocs, fix.accounts, text, "node", filepath.Join(cfg.hocuspocus, "server.mjs"), "{addr}"); err != nil {
				return err
			}
		}
		for _, n := range cfg.instances {
			var ps []*process
			var addrs []string
			stop := func() {
				for _, p := range ps {
					p.stop()
				}
			}
			for range n {
				p, err := startGloss(cfg.gloss, cfg.serverCPU, db, cfg.web)
				if err != nil {
					stop()
					return err
				}
				ps, addrs = append(ps, p), append(addrs, p.addr)
			}
			if cfg.idle > 0 && n == 1 {
				ds, err := fix.docs(ctx, 1, text)
				if err == nil {
					var kib float64
					kib, err = idleKiB(ps[0], glossWire{textpos.New(text)}, addrs, ds, fix.accounts, cfg.idleWarm, cfg.idle)
					rs.idle[target] = append(rs.idle[target], kib)
				}
				if err != nil {
					stop()
					return fmt.Errorf("%s idle: %w", target, err)
				}
			}
			for _, d := range cfg.docs {
				for _, c := range cfg.clients {
					for _, m := range cfg.modes {
						ds, err := fix.docs(ctx, d, text)
						if err != nil {
							stop()
							return err
						}
						s := &scenario{addrs: addrs, docs: ds, accounts: fix.accounts, clients: c, mode: m, rate: cfg.rate, duration: cfg.duration, text: text, procs: ps, wire: glossWire{textpos.New(text)},
							profile: cfg.profile(target, c, m)}
						res, err := measure(s)
						if err != nil {
							stop()
							return fmt.Errorf("%s: %w", target, err)
						}
						rs.add(key{target, n, d, c, m}, res)
					}
				}
			}
			stop()
		}
	}
	rs.print(cfg)
	return nil
}

// measureOther measures a comparison server (the floor, Hocuspocus): argv
// started pinned as the Gloss servers are, the idle figure, then every
// scenario, on documents of its own.
func measureOther(cfg config, rs *results, target string, w wire, docs func(int) []int64, accounts []account, text string, argv ...string) error {
	p, err := startProcess(cfg.serverCPU, argv...)
	if err != nil {
		return fmt.Errorf("%s: %w", target, err)
	}
	defer p.stop()
	if cfg.idle > 0 {
		kib, err := idleKiB(p, w, []string{p.addr}, docs(1), accounts, cfg.idleWarm, cfg.idle)
		if err != nil {
			return fmt.Errorf("%s idle: %w", target, err)
		}
		rs.idle[target] = append(rs.idle[target], kib)
	}
	for _, d := range cfg.docs {
		for _, c := range cfg.clients {
			for _, m := range cfg.modes {
				s := &scenario{addrs: []string{p.addr}, docs: docs(d), accounts: accounts, clients: c, mode: m, rate: cfg.rate, duration: cfg.duration, text: text, procs: []*process{p}, wire: w,
					profile: cfg.profile(target, c, m)}
				res, err := measure(s)
				if err != nil {
					return fmt.Errorf("%s: %w", target, err)
				}
				rs.add(key{target, 1, d, c, m}, res)
			}
		}
	}
	return nil
}

// profile is the file for the tool's CPU profile of a measurement.
func (cfg config) profile(target string, clients int, mode string) string {
	if cfg.cpuProfile == "" {
		return ""
	}
	return fmt.Sprintf("%s-%s-C%d-%s.pprof", cfg.cpuProfile, strings.ReplaceAll(target, " ", "_"), clients, mode)
}

// measure connects a scenario's clients, runs it and disconnects them.
func measure(s *scenario) (result, error) {
	var errs atomic.Int64
	cs, err := dialAll(s, s.clients, &errs)
	if err != nil {
		return result{}, err
	}
	defer closeAll(cs)
	res := s.run(cs, &errs)
	fmt.Printf("  %-8s C=%-4d docs=%-3d instances=%d: p50 %.2f ms p99 %.2f ms acked %.0f/s writes/op %.1f server CPU %.0f%% %.0f µs/op complete=%v tool CPU %.0f%% (%.2f µs/op received, %.1f ops/read, %.0f switches/s) errors %d\n",
		s.mode, s.clients, len(s.docs), len(s.addrs), res.p50, res.p99, res.ackedPerSec, res.writesPerOp, res.serverCPU, res.cpuPerOp, res.complete, res.toolCPU, res.toolPerMsg, res.opsPerRead, res.toolSwitches, res.errors)
	return res, nil
}

// idleKiB connects warm clients, then n more (welcomed, nothing more to
// send) to p and returns the growth of p's resident set per connection
// over the n.
func idleKiB(p *process, w wire, addrs []string, docs []int64, accounts []account, warm, n int) (float64, error) {
	var errs atomic.Int64
	s := &scenario{addrs: addrs, docs: docs, accounts: accounts, wire: w}
	if warm > 0 {
		ws, err := dialAll(s, warm, &errs)
		if err != nil {
			return 0, err
		}
		defer closeAll(ws)
	}
	before, err := p.settledRSS()
	if err != nil {
		return 0, err
	}
	cs, err := dialAll(s, n, &errs)
	if err != nil {
		return 0, err
	}
	defer closeAll(cs)
	after, err := p.settledRSS()
	if err != nil {
		return 0, err
	}
	kib := float64(after-before) / float64(n)
	fmt.Printf("  idle: %d connections (after %d), RSS %d → %d KiB: %.1f KiB each\n", n, warm, before, after, kib)
	return kib, nil
}

// webDir returns a web directory gloss serve accepts: dir itself if it
// holds app.wasm, else a temporary one with dir's files and an empty
// app.wasm (live sync does not need the UI, and building it takes long).
func webDir(dir string) (string, error) {
	if _, err := os.Stat(filepath.Join(dir, "app.wasm")); err == nil {
		return dir, nil
	}
	tmp, err := os.MkdirTemp("", "gloss-load-web-")
	if err != nil {
		return "", err
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		abs, _ := filepath.Abs(filepath.Join(dir, e.Name()))
		os.Symlink(abs, filepath.Join(tmp, e.Name()))
	}
	return tmp, os.WriteFile(filepath.Join(tmp, "app.wasm"), nil, 0o644)
}

func raiseFileLimit() {
	var lim syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim) == nil && lim.Cur < lim.Max {
		lim.Cur = lim.Max
		syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim)
	}
}

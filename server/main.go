// Command gloss is the Gloss server and its command-line tools:
//
//	gloss serve    run the web server (creates the demo project on first start)
//	gloss user     add|passwd|list|admin: accounts
//	gloss token    create|revoke|list: API tokens for scripts
//	gloss project  create|list: projects
//	gloss member   set|remove|list: who is in a project, in which role
//	gloss assign   give documents to annotators
//	gloss import   add .txt and .jsonl files to a project
//	gloss export   write a project's dataset to stdout or a file
//
// Each subcommand has -h. docs/cli.md describes them with examples.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"gloss/server/internal/api"
	"gloss/server/internal/demo"
	"gloss/server/internal/export"
	"gloss/server/internal/hub"
	"gloss/server/internal/pages"
	"gloss/server/internal/store"
	"gloss/shared/model"
)

// Version is set at build time with -ldflags "-X main.Version=…".
var Version = "dev"

func main() {
	err := run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gloss:", err)
		os.Exit(1)
	}
}

const usage = `usage: gloss <command> [subcommand] [flags]

commands:
  serve                       run the web server
  user add|passwd|list|admin  manage accounts (passwords from GLOSS_PASSWORD or stdin)
  token create|revoke|list    API tokens for scripts (Authorization: Bearer)
  project create|list         create and list projects
  member set|remove|list      who is in a project, in which role
  assign                      give documents to an annotator (or take them back)
  import                      add .txt and .jsonl files (or folders of them) to a project
  export                      export a project's annotations (jsonl, conll, w3c, brat, card)

Every command takes -db (a SQLite file or a postgres:// URL; env GLOSS_DB).
Run 'gloss <command> -h' for the flags of a command.
`

// run is the whole CLI; main only maps its error to an exit status.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("no command")
	}
	c := cmdIO{stdin: stdin, stdout: stdout, stderr: stderr}
	switch args[0] {
	case "serve":
		return serve(args[1:], stdout, stderr)
	case "export":
		return exportCmd(args[1:], stdout, stderr)
	case "user":
		return c.userCmd(args[1:])
	case "token":
		return c.tokenCmd(args[1:])
	case "project":
		return c.projectCmd(args[1:])
	case "member":
		return c.memberCmd(args[1:])
	case "assign":
		return c.assignCmd(args[1:])
	case "import":
		return c.importCmd(args[1:])
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", args[0])
}

// env returns the environment variable GLOSS_<NAME> or def: flags win,
// the environment is the fallback, and the default is loopback-safe.
func env(name, def string) string {
	if v := os.Getenv("GLOSS_" + name); v != "" {
		return v
	}
	return def
}

// Config is the server configuration, from flags with GLOSS_* environment
// fallbacks.
type Config struct {
	Addr    string
	DB      string
	Web     string
	Origins string
	Secure  bool
	NoDemo  bool
	// Live sync limits (see PROTOCOL.md, Limits).
	WSPerUser, WSPerAddr int
	OpRate               float64
}

func openStore(ctx context.Context, db string) (store.Store, error) {
	if strings.HasPrefix(db, "postgres://") || strings.HasPrefix(db, "postgresql://") {
		return openPostgres(ctx, db)
	}
	return store.OpenSQLite(ctx, db)
}

func serve(args []string, stdout, stderr io.Writer) error {
	var cfg Config
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.Addr, "addr", env("ADDR", "127.0.0.1:8080"), "listen address (env GLOSS_ADDR)")
	fs.StringVar(&cfg.DB, "db", env("DB", "data/gloss.db"), "SQLite file, or a postgres:// URL (env GLOSS_DB)")
	fs.StringVar(&cfg.Web, "web", env("WEB", "web"), "directory of static assets and app.wasm (env GLOSS_WEB)")
	fs.StringVar(&cfg.Origins, "origins", env("ORIGINS", ""), "extra allowed origins, comma-separated (env GLOSS_ORIGINS)")
	fs.BoolVar(&cfg.Secure, "secure-cookies", env("SECURE_COOKIES", "") == "1", "mark cookies Secure (behind TLS) (env GLOSS_SECURE_COOKIES=1)")
	fs.BoolVar(&cfg.NoDemo, "no-demo", false, "do not create the demo project in an empty database")
	fs.IntVar(&cfg.WSPerUser, "ws-per-user", 32, "most open live-sync websockets per user; -1: no cap")
	fs.IntVar(&cfg.WSPerAddr, "ws-per-addr", 512, "most open live-sync websockets per client address; -1: no cap")
	fs.Float64Var(&cfg.OpRate, "op-rate", 100, "most ops per second per websocket (bursts of 4 s); -1: no limit")
	if err := fs.Parse(args); err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	st, err := openStore(ctx, cfg.DB)
	if err != nil {
		return err
	}
	defer st.Close()
	seeded := false
	if !cfg.NoDemo {
		if seeded, err = demo.Seed(ctx, st); err != nil {
			return err
		}
	}
	pg, err := pages.New(cfg.Web)
	if err != nil {
		return err
	}
	hcfg := hub.Config{MaxConnsPerUser: cfg.WSPerUser, MaxConnsPerAddr: cfg.WSPerAddr, OpRate: cfg.OpRate}
	if cfg.OpRate > 0 {
		hcfg.OpBurst = max(1, int(4*cfg.OpRate))
	}
	h := hub.New(st, log, hcfg)
	if n, ok := st.(store.Notifier); ok {
		// Re-subscribes with backoff after the database restarts, and
		// catches every room up each time (the hub also polls).
		go h.Follow(ctx, n)
	}
	var origins []string
	if cfg.Origins != "" {
		origins = strings.Split(cfg.Origins, ",")
	}
	a := api.New(st, h, log, api.Config{SecureCookies: cfg.Secure, AllowedOrigins: origins, ToolVersion: "gloss " + Version}, pg)
	srv := &http.Server{Handler: a.Handler(), ReadHeaderTimeout: 10 * time.Second}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	fmt.Fprintf(stdout, "Gloss is running on http://%s  (database %s)\n", ln.Addr(), cfg.DB)
	if seeded {
		fmt.Fprintf(stdout, "Created the demo project. Log in as alice or bob (annotators), rita (reviewer) or admin (site admin), password %q.\n", demo.Password)
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	// Close the hub first: it tells every client to reconnect (to the
	// next instance) and lets in-flight commits finish.
	h.Close()
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return srv.Shutdown(sctx)
}

func exportCmd(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := fs.String("db", env("DB", "data/gloss.db"), "SQLite file or postgres:// URL")
	project := fs.Int64("project", 1, "project id")
	format := fs.String("format", "jsonl", "jsonl, conll, w3c, brat (zip) or card")
	layers := fs.String("layer", "", "comma-separated layers (annotator names or gold); empty = all")
	labels := fs.String("label", "", "comma-separated labels; empty = all")
	reviews := fs.String("review", "", "comma-separated review statuses (unreviewed, accepted, rejected, edited); empty = all")
	out := fs.String("o", "-", "output file, - for stdout")
	if err := fs.Parse(args); err != nil {
		return err
	}
	for _, v := range splitList(*reviews) {
		if !model.ReviewStatus(v).Valid() {
			return fmt.Errorf("-review %q must be unreviewed, accepted, rejected or edited", v)
		}
	}
	ctx := context.Background()
	st, err := openStore(ctx, *db)
	if err != nil {
		return err
	}
	defer st.Close()
	p, err := st.Project(ctx, *project)
	if err != nil {
		return err
	}
	w := stdout
	if *out != "-" {
		f, err := os.Create(*out)
		if err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	opt := export.Options{Layers: splitList(*layers), Labels: splitList(*labels), Reviews: splitList(*reviews), ToolVersion: "gloss " + Version, Now: time.Now().UTC()}
	return export.Write(w, *format, p, api.DocsOf(ctx, st, p.ID), opt)
}

func splitList(s string) []string {
	var out []string
	for _, x := range strings.Split(s, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

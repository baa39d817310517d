package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
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
	"gloss/server/internal/importer"
	"gloss/server/internal/pages"
	"gloss/server/internal/store"
)

// Config is the server configuration, from flags with GLOSS_* environment
// fallbacks.
type Config struct {
	Addr    string
	DB      string
	Web     string
	Origins string
	Secure  bool
	NoDemo  bool
	// AllowNonDurable starts on a PostgreSQL server whose commits are not
	// durable (synchronous_commit or fsync off), with a warning.
	AllowNonDurable bool
	// Limits on what one request may make the server hold (README,
	// "Limits"), in MB, and how long a client may take to send one.
	MaxUploadMB, MaxDocMB, MaxInflatedMB int64
	ReadTimeout, UploadTimeout           time.Duration
	// Live sync limits (see PROTOCOL.md, Limits).
	WSPerUser, WSPerAddr int
	OpRate               float64
}

// Timeouts of the HTTP server that the flags do not set: a client gets
// this long to send its request's headers, and an idle keep-alive
// connection is closed after idleTimeout.
const (
	readHeaderTimeout = 10 * time.Second
	idleTimeout       = 2 * time.Minute
)

// httpServer is the server with its timeouts. ReadTimeout bounds reading
// a whole request, so that a client trickling a body a byte at a time
// cannot hold a connection and a goroutine for ever; the import route
// extends it to cfg.UploadTimeout itself (api.Config), and websockets
// replace it with their own deadlines. There is no WriteTimeout: exports
// stream for as long as they need, and a client that stops reading is
// cut by the kernel's send timeouts and the hub's write deadlines.
func httpServer(h http.Handler, cfg Config) *http.Server {
	return &http.Server{Handler: h, ReadHeaderTimeout: readHeaderTimeout, ReadTimeout: cfg.ReadTimeout, IdleTimeout: idleTimeout}
}

// durationEnv is env for a duration flag's default.
func durationEnv(name string, def time.Duration) time.Duration {
	if d, err := time.ParseDuration(env(name, "")); err == nil {
		return d
	}
	return def
}

// intEnv is env for an integer flag's default.
func intEnv(name string, def int64) int64 {
	var n int64
	if _, err := fmt.Sscan(env(name, ""), &n); err == nil {
		return n
	}
	return def
}

func (c cmdIO) serve(args []string) error {
	var cfg Config
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	fs.StringVar(&cfg.Addr, "addr", env("ADDR", "127.0.0.1:8080"), "listen address (env GLOSS_ADDR)")
	fs.StringVar(&cfg.DB, "db", env("DB", "data/gloss.db"), "SQLite file, or a postgres:// URL (env GLOSS_DB)")
	fs.StringVar(&cfg.Web, "web", env("WEB", "web"), "directory of static assets and app.wasm (env GLOSS_WEB)")
	fs.StringVar(&cfg.Origins, "origins", env("ORIGINS", ""), "extra allowed origins, comma-separated (env GLOSS_ORIGINS)")
	fs.BoolVar(&cfg.Secure, "secure-cookies", env("SECURE_COOKIES", "") == "1", "mark cookies Secure (behind TLS) (env GLOSS_SECURE_COOKIES=1)")
	fs.BoolVar(&cfg.NoDemo, "no-demo", false, "do not create the demo project in an empty database")
	fs.Int64Var(&cfg.MaxUploadMB, "max-upload-mb", intEnv("MAX_UPLOAD_MB", importer.MaxBytes>>20), "largest import upload in MB (env GLOSS_MAX_UPLOAD_MB)")
	fs.Int64Var(&cfg.MaxDocMB, "max-doc-mb", intEnv("MAX_DOC_MB", export.DefaultMaxDocument>>20), "largest imported document (its text) in MB, also of one file in a zip (env GLOSS_MAX_DOC_MB)")
	fs.Int64Var(&cfg.MaxInflatedMB, "max-inflated-mb", intEnv("MAX_INFLATED_MB", export.DefaultMaxInflated>>20), "most an imported zip may inflate to in MB (env GLOSS_MAX_INFLATED_MB)")
	fs.DurationVar(&cfg.ReadTimeout, "read-timeout", durationEnv("READ_TIMEOUT", 30*time.Second), "time a client has to send a whole request, except uploads (env GLOSS_READ_TIMEOUT)")
	fs.DurationVar(&cfg.UploadTimeout, "upload-timeout", durationEnv("UPLOAD_TIMEOUT", 5*time.Minute), "time a client has to send an import upload (env GLOSS_UPLOAD_TIMEOUT)")
	fs.BoolVar(&cfg.AllowNonDurable, "pg-allow-nondurable", false, "start even if PostgreSQL's synchronous_commit or fsync is off (acked edits may be lost in a crash)")
	fs.IntVar(&cfg.WSPerUser, "ws-per-user", 32, "most open live-sync websockets per user; -1: no cap")
	fs.IntVar(&cfg.WSPerAddr, "ws-per-addr", 512, "most open live-sync websockets per client address; -1: no cap")
	fs.Float64Var(&cfg.OpRate, "op-rate", 100, "most ops per second per websocket (bursts of 4 s); -1: no limit")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if cfg.MaxUploadMB <= 0 || cfg.MaxDocMB <= 0 || cfg.MaxInflatedMB <= 0 || cfg.ReadTimeout <= 0 || cfg.UploadTimeout <= 0 {
		return errors.New("serve: the -max-* limits and the timeouts must be positive")
	}
	log := slog.New(slog.NewTextHandler(c.stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	var st store.Store
	var err error
	if isPostgres(cfg.DB) {
		st, err = store.OpenPostgresWith(ctx, cfg.DB, store.PostgresOptions{AllowNonDurable: cfg.AllowNonDurable,
			Warn: func(msg string) { log.Warn(msg) }})
	} else {
		st, err = OpenStore(ctx, cfg.DB)
	}
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
	a := api.New(st, h, log, api.Config{SecureCookies: cfg.Secure, AllowedOrigins: origins, ToolVersion: "gloss " + c.version,
		MaxUpload: cfg.MaxUploadMB << 20, MaxDocument: cfg.MaxDocMB << 20, MaxInflated: cfg.MaxInflatedMB << 20,
		UploadTimeout: cfg.UploadTimeout}, pg)
	srv := httpServer(a.Handler(), cfg)
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	fmt.Fprintf(c.stdout, "Gloss is running on http://%s  (database %s)\n", ln.Addr(), cfg.DB)
	if seeded {
		fmt.Fprintf(c.stdout, "Created the demo project. Log in as alice or bob (annotators), rita (reviewer) or admin (site admin), password %q.\n", demo.Password)
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

package cli

import (
	"context"
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
	"gloss/server/internal/hub"
	"gloss/server/internal/pages"
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
	if err := fs.Parse(args); err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(c.stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	st, err := OpenStore(ctx, cfg.DB)
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
	h := hub.New(st, log, hub.Config{})
	if n, ok := st.(interface {
		Listen(context.Context, func(docID, seq int64)) error
	}); ok {
		go func() {
			if err := n.Listen(ctx, h.Notify); err != nil && ctx.Err() == nil {
				log.Error("listen for other instances' ops", "err", err)
			}
		}()
	}
	var origins []string
	if cfg.Origins != "" {
		origins = strings.Split(cfg.Origins, ",")
	}
	a := api.New(st, h, log, api.Config{SecureCookies: cfg.Secure, AllowedOrigins: origins, ToolVersion: "gloss " + c.version}, pg)
	srv := &http.Server{Handler: a.Handler(), ReadHeaderTimeout: 10 * time.Second}
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

// Package cli is the gloss command: the server (serve) and the tools an
// admin runs without the UI. Every command is a row of the commands table;
// they open the store through withStore and change projects and accounts
// only through package manage, so the CLI obeys the same rules as the API.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"gloss/server/internal/store"
)

// command is one "gloss <name>".
type command struct {
	name  string
	usage string // the line of the top-level usage after the name
	run   func(c cmdIO, args []string) error
}

// commands is the table Run dispatches on; the top-level usage is built
// from it so the two cannot disagree.
var commands = []command{
	{"serve", "run the web server", func(c cmdIO, args []string) error { return c.serve(args) }},
	{"user", "add|passwd|list|admin  manage accounts (passwords from GLOSS_PASSWORD or stdin)", func(c cmdIO, args []string) error { return c.userCmd(args) }},
	{"token", "create|revoke|list    API tokens for scripts (Authorization: Bearer)", func(c cmdIO, args []string) error { return c.tokenCmd(args) }},
	{"project", "create|list         create and list projects", func(c cmdIO, args []string) error { return c.projectCmd(args) }},
	{"member", "set|remove|list      who is in a project, in which role", func(c cmdIO, args []string) error { return c.memberCmd(args) }},
	{"assign", "give documents to an annotator (or take them back)", func(c cmdIO, args []string) error { return c.assignCmd(args) }},
	{"import", "add .txt and .jsonl files (or folders of them) to a project", func(c cmdIO, args []string) error { return c.importCmd(args) }},
	{"story", "list|create|rename|set-docs|delete  group a project's articles about one event", func(c cmdIO, args []string) error { return c.storyCmd(args) }},
	{"doc", "meta                  a document's title, outlet and publication time", func(c cmdIO, args []string) error { return c.docCmd(args) }},
	{"export", "export a project's annotations (jsonl, conll, w3c, brat, card) or a story's figures", func(c cmdIO, args []string) error { return c.exportCmd(args) }},
	{"suggest", "FILE...            suggest figures, attributions and claims for .txt/.jsonl files (no -db)", func(c cmdIO, args []string) error { return c.suggestCmd(args) }},
}

func usage() string {
	var b strings.Builder
	b.WriteString("usage: gloss <command> [subcommand] [flags]\n\ncommands:\n")
	for _, cmd := range commands {
		fmt.Fprintf(&b, "  %-8s %s\n", cmd.name, cmd.usage)
	}
	b.WriteString("\nEvery command but suggest takes -db (a SQLite file or a postgres:// URL; env GLOSS_DB).\n" +
		"Run 'gloss <command> -h' for the flags of a command; the README's CLI section has examples.\n")
	return b.String()
}

// Run is the whole CLI: args without the program name. version is the
// build's version, shown by serve and written into exports.
func Run(args []string, stdin io.Reader, stdout, stderr io.Writer, version string) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage())
		return errors.New("no command")
	}
	c := cmdIO{stdin: stdin, stdout: stdout, stderr: stderr, version: version}
	for _, cmd := range commands {
		if cmd.name == args[0] {
			return cmd.run(c, args[1:])
		}
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, usage())
		return nil
	}
	fmt.Fprint(stderr, usage())
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

// OpenStore opens a SQLite file, or PostgreSQL for a postgres:// URL.
func OpenStore(ctx context.Context, db string) (store.Store, error) {
	if isPostgres(db) {
		return store.OpenPostgres(ctx, db)
	}
	return store.OpenSQLite(ctx, db)
}

func isPostgres(db string) bool {
	return strings.HasPrefix(db, "postgres://") || strings.HasPrefix(db, "postgresql://")
}

// cmdIO is where a CLI command reads and writes.
type cmdIO struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	version        string
}

// flags returns the flag set of "gloss <name>" with the -db flag every
// command has, and a usage text from operands and about.
func (c cmdIO) flags(name, operands, about string) (*flag.FlagSet, *string) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	db := fs.String("db", env("DB", "data/gloss.db"), "SQLite file or postgres:// URL (env GLOSS_DB)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: gloss %s [flags] %s\n\n%s\n\nflags:\n", name, operands, about)
		fs.PrintDefaults()
	}
	return fs, db
}

// sub splits "gloss <cmd> <sub> …" and answers help for a missing or
// unknown subcommand.
func (c cmdIO) sub(cmd string, args []string, subs string) (string, []string, error) {
	if len(args) == 0 || args[0] == "-h" || args[0] == "-help" || args[0] == "--help" {
		fmt.Fprintf(c.stderr, "usage: gloss %s %s [flags]\nRun 'gloss %s <subcommand> -h' for its flags.\n", cmd, subs, cmd)
		if len(args) == 0 {
			return "", nil, fmt.Errorf("%s needs a subcommand: %s", cmd, subs)
		}
		return "", nil, flag.ErrHelp
	}
	return args[0], args[1:], nil
}

// withStore opens the store named by db, runs fn and closes the store,
// returning fn's error or else Close's.
func withStore(db string, fn func(ctx context.Context, st store.Store) error) (err error) {
	ctx := context.Background()
	st, err := OpenStore(ctx, db)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := st.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("close store: %w", cerr)
		}
	}()
	return fn(ctx, st)
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

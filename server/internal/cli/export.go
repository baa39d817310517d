package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"gloss/server/internal/api"
	"gloss/server/internal/export"
	"gloss/server/internal/store"
	"gloss/shared/model"
)

func (c cmdIO) exportCmd(args []string) error {
	fs, db := c.flags("export", "", "Write a project's dataset to standard output or a file, or with -format figures\n"+
		"a story's figures, one row per figure (gloss export -format figures -story 1 -o figures.csv).")
	project := fs.Int64("project", 1, "project id")
	format := fs.String("format", "jsonl", "jsonl, conll, w3c, brat (zip), card, or figures (needs -story)")
	storyID := fs.Int64("story", 0, "story id (-format figures)")
	figuresFormat := fs.String("figures-format", "csv", "csv or jsonl (-format figures)")
	layers := fs.String("layer", "", "comma-separated layers (annotator names or gold); empty = all")
	labels := fs.String("label", "", "comma-separated labels; empty = all")
	reviews := fs.String("review", "", "comma-separated review statuses (unreviewed, accepted, rejected, edited); empty = all")
	out := fs.String("o", "-", "output file, - for stdout")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *format == "figures" {
		return c.exportFigures(*db, *storyID, *figuresFormat, *out)
	}
	for _, v := range splitList(*reviews) {
		if !model.ReviewStatus(v).Valid() {
			return fmt.Errorf("-review %q must be unreviewed, accepted, rejected or edited", v)
		}
	}
	return withStore(*db, func(ctx context.Context, st store.Store) error {
		p, err := st.Project(ctx, *project)
		if err != nil {
			return err
		}
		opt := export.Options{Layers: splitList(*layers), Labels: splitList(*labels), Reviews: splitList(*reviews), ToolVersion: "gloss " + c.version, Now: time.Now().UTC()}
		if *format == export.FormatCard || *format == export.FormatBrat {
			// The card counts human annotators only, as over HTTP.
			if opt.IsAccount, err = api.AccountNames(ctx, st); err != nil {
				return err
			}
		}
		return writeOut(*out, c.stdout, func(w io.Writer) error {
			return export.Write(w, *format, p, api.DocsOf(ctx, st, p.ID), opt)
		})
	})
}

// writeOut runs write on stdout for "-", else on the file path, and
// reports the file's Close error: a full disk often shows only there, and
// an export that says it succeeded must be complete.
func writeOut(path string, stdout io.Writer, write func(io.Writer) error) error {
	if path == "-" {
		return write(stdout)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

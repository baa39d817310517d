package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"gloss/server/internal/importer"
	"gloss/server/internal/store"
	"gloss/server/internal/suggester"
)

func (c cmdIO) importCmd(args []string) error {
	flags, db := c.flags("import", "files-or-folders…", "Add documents to a project: .txt files (one article each, stored byte for byte)\n"+
		"and .jsonl files (one {\"text\": …, \"meta\": {…}, \"spans\": [{\"start\", \"end\", \"label\"}]} per line;\n"+
		"offsets count code points), and, into the -layer given, W3C Web Annotation .jsonld and brat\n"+
		"standoff .zip files as gloss export writes them (their relations are dropped).\n"+
		"Folders are searched for such files. Everything is checked\n"+
		"first and written in one transaction: a bad file stops the import and nothing is added.\n"+
		"Progress goes to standard error.")
	project := flags.Int64("project", 0, "project id")
	layer := flags.String("layer", "", "put every imported span in this layer (required for .jsonld and .zip; default: the span's own \"layer\", else \"import\")")
	if err := flags.Parse(args); err != nil {
		return err
	}
	if flags.NArg() == 0 {
		flags.Usage()
		return errors.New("name the files or folders to import")
	}
	return withStore(*db, func(ctx context.Context, st store.Store) error {
		return c.importFiles(ctx, st, *project, *layer, flags.Args())
	})
}

// importFiles checks every file, then adds them all to the project in one
// transaction.
func (c cmdIO) importFiles(ctx context.Context, st store.Store, project int64, layer string, args []string) error {
	p, err := projectOf(ctx, st, project)
	if err != nil {
		return err
	}
	paths, err := c.importPaths(args)
	if err != nil {
		return err
	}
	opt := importer.Options{Schema: p.Schema, Layer: layer, Now: time.Now().UTC()}
	if layer != "" && !importer.ValidLayer(layer) {
		return fmt.Errorf("layer %q must be 1–64 letters, digits, '-' or '_'", layer)
	}
	var all []store.NewDocument
	spans, bytes := 0, 0
	for i, path := range paths {
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		docs, err := importer.ParseFile(importer.File{Name: path, Data: data}, opt)
		if err != nil {
			return err
		}
		n := 0
		for _, d := range docs {
			n += len(d.Annotations)
		}
		spans += n
		bytes += len(data)
		fmt.Fprintf(c.stderr, "[%d/%d] %s: %d document(s), %d span(s), %s\n", i+1, len(paths), path, len(docs), n, size(len(data)))
		all = append(all, docs...)
	}
	fmt.Fprintf(c.stderr, "writing %d document(s) with %d span(s), %s, to project %d in one transaction…\n", len(all), spans, size(bytes), p.ID)
	start := time.Now()
	added, err := st.ImportDocuments(ctx, p.ID, all)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "imported %d document(s) with %d span(s) into project %d (ids %d–%d) in %s\n",
		len(added), spans, p.ID, added[0].ID, added[len(added)-1].ID, time.Since(start).Round(time.Millisecond))
	set, err := st.ProjectSettings(ctx, p.ID)
	if err != nil || !set.Suggest {
		return err
	}
	suggested := 0
	for _, d := range added {
		res, err := suggester.Run(ctx, st, d.ID, time.Now())
		if err != nil {
			return fmt.Errorf("the documents are imported, but suggesting failed (run gloss suggest -project %d): %w", p.ID, err)
		}
		suggested += res.Added
	}
	fmt.Fprintf(c.stdout, "suggested %d span(s) (the project's suggest setting is on)\n", suggested)
	return nil
}

// importPaths expands folders to the supported files in them (sorted,
// hidden files and folders skipped); named files are kept as they are,
// so that an unsupported one is reported rather than ignored.
func (c cmdIO) importPaths(args []string) ([]string, error) {
	var out []string
	for _, arg := range args {
		info, err := os.Stat(arg)
		if err != nil {
			return nil, err
		}
		if !info.IsDir() {
			out = append(out, arg)
			continue
		}
		found := 0
		err = filepath.WalkDir(arg, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if path != arg && strings.HasPrefix(d.Name(), ".") {
				if d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			if d.IsDir() {
				return nil
			}
			if !importer.Supported(path) {
				fmt.Fprintf(c.stderr, "skipping %s: not .txt, .jsonl, .jsonld or .zip\n", path)
				return nil
			}
			out = append(out, path)
			found++
			return nil
		})
		if err != nil {
			return nil, err
		}
		if found == 0 {
			return nil, fmt.Errorf("%s: no .txt, .jsonl, .jsonld or .zip files in this folder", arg)
		}
	}
	return out, nil
}

func size(n int) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

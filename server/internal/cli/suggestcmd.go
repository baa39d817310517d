package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"gloss/server/internal/export"
	"gloss/server/internal/store"
	"gloss/server/internal/suggester"
	"gloss/shared/suggest"
)

// suggestCmd is `gloss suggest FILE...`: suggestions for plain files, no
// database. Each .txt file is one document named after the file; each
// line of a .jsonl file is a document {"name": …, "text": …} (the import
// shape; other keys are ignored). For every document it writes one JSON
// line with its figures, attributions and claims and the source relations
// between them, offsets in code points, spans in the JSONL export's shape.
func (c cmdIO) suggestCmd(args []string) error {
	fs := flag.NewFlagSet("suggest", flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	db := fs.String("db", env("DB", "data/gloss.db"), "with -project: SQLite file or postgres:// URL (env GLOSS_DB)")
	project := fs.Int64("project", 0, "fill the suggest layer of this project's stored documents instead of reading files")
	docList := fs.String("doc", "", "with -project: comma-separated document ids (default: every document)")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), "usage: gloss suggest FILE...\n       gloss suggest -project N [-doc 1,2] [-db …]\n\n"+
			"Suggest figures (value, qualifier, unit, quantity), attributions (with their cue)\n"+
			"and the claims they source, for .txt files and .jsonl documents ({\"name\", \"text\"}\n"+
			"per line). Writes one JSON object per document to standard output:\n"+
			"{\"name\",\"text\",\"spans\":[{\"start\",\"end\",\"label\",\"text\",…}],\"relations\":[{\"type\",\"from\",\"to\"}]}\n"+
			"with offsets in code points (Python's text[start:end] is the span) and from/to span indexes.\n")
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *project != 0 {
		return c.suggestStored(*db, *project, *docList)
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return errors.New("name the .txt or .jsonl files to read")
	}
	w := bufio.NewWriter(c.stdout)
	var buf []byte
	emit := func(name, text string) error {
		buf = appendSuggestion(buf[:0], name, text, suggest.Extract(text))
		_, err := w.Write(buf)
		return err
	}
	for _, path := range fs.Args() {
		if err := suggestFile(path, emit); err != nil {
			return err
		}
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("suggest: write: %w", err)
	}
	return nil
}

// suggestFile calls emit for each document of the file at path.
func suggestFile(path string, emit func(name, text string) error) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("suggest: %w", err)
	}
	switch strings.ToLower(filepath.Ext(path)) {
	case ".txt":
		return emit(filepath.Base(path), string(data))
	case ".jsonl":
		data = bytes.TrimPrefix(data, []byte("\ufeff"))
		for n, line := range bytes.Split(data, []byte("\n")) {
			if len(bytes.TrimSpace(line)) == 0 {
				continue
			}
			var d struct {
				Name string  `json:"name"`
				Text *string `json:"text"`
			}
			if err := json.Unmarshal(line, &d); err != nil {
				return fmt.Errorf("suggest: %s line %d: %w", path, n+1, err)
			}
			if d.Text == nil {
				return fmt.Errorf("suggest: %s line %d: no \"text\"", path, n+1)
			}
			if d.Name == "" {
				d.Name = fmt.Sprintf("%s:%d", filepath.Base(path), n+1)
			}
			if err := emit(d.Name, *d.Text); err != nil {
				return err
			}
		}
		return nil
	}
	return fmt.Errorf("suggest: %s: not a .txt or .jsonl file", path)
}

// appendSuggestion appends one document's suggestions as a JSON line.
func appendSuggestion(b []byte, name, text string, res suggest.Result) []byte {
	b = append(b, `{"name":`...)
	b = export.AppendString(b, name)
	b = append(b, `,"text":`...)
	b = export.AppendString(b, text)
	b = append(b, `,"spans":[`...)
	for i, s := range res.Spans {
		if i > 0 {
			b = append(b, ',')
		}
		b = export.AppendSpan(b, s.Start, s.End, s.Label, s.Text, &s.Attrs)
	}
	b = append(b, `],"relations":[`...)
	for i, r := range res.Relations {
		if i > 0 {
			b = append(b, ',')
		}
		b = fmt.Appendf(b, `{"type":%q,"from":%d,"to":%d}`, r.Type, r.From, r.To)
	}
	return append(b, "]}\n"...)
}

// suggestStored fills the suggest layer of stored documents: new
// suggestions are added, those made before (kept or dismissed) are not.
// Running servers pick the new ops up as they do another instance's.
func (c cmdIO) suggestStored(db string, project int64, docList string) error {
	return withStore(db, func(ctx context.Context, st store.Store) error {
		p, err := projectOf(ctx, st, project)
		if err != nil {
			return err
		}
		ids, err := docIDs(ctx, st, p.ID, docList, docList == "")
		if err != nil {
			return err
		}
		for _, id := range ids {
			res, err := suggester.Run(ctx, st, id, time.Now())
			if err != nil {
				return err
			}
			fmt.Fprintf(c.stdout, "document %d: %d suggestion(s) and %d relation(s) added, %d made before\n", id, res.Added, res.Relations, res.Skipped)
		}
		return nil
	})
}

package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"gloss/server/internal/api"
	"gloss/server/internal/store"
	"gloss/shared/httpapi"
)

// parseIDs reads a comma-separated list of ids ("" is none).
func parseIDs(flagName, s string) ([]int64, error) {
	out := []int64{}
	for _, x := range splitList(s) {
		id, err := strconv.ParseInt(x, 10, 64)
		if err != nil || id <= 0 {
			return nil, fmt.Errorf("-%s: %q is not a document id", flagName, x)
		}
		out = append(out, id)
	}
	return out, nil
}

// given reports which flags of fs were set on the command line: for
// flags where an empty value means "clear", not "leave".
func given(fs *flag.FlagSet) map[string]bool {
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	return set
}

// printStory writes a story as the list shows it.
func printStory(w io.Writer, s store.Story) {
	ids := make([]string, len(s.Documents))
	for i, d := range s.Documents {
		ids[i] = strconv.FormatInt(d.ID, 10)
	}
	fmt.Fprintf(w, "%d\t%s\t%s\n", s.ID, s.Name, strings.Join(ids, ","))
}

func (c cmdIO) storyCmd(args []string) error {
	sub, args, err := c.sub("story", args, "list|create|rename|set-docs|delete")
	if err != nil {
		return err
	}
	about, ok := map[string]string{
		"list":     "List a project's stories: id, name, documents in reading order.",
		"create":   "Create a story of a project and print its id. Documents already in another story move to it.\nExample: gloss story create -project 1 -name \"Crocus City Hall attack\" -docs 1,2",
		"rename":   "Rename a story.",
		"set-docs": "Make -docs a story's whole document list (empty: none). Documents of other stories move to it.",
		"delete":   "Delete a story; its documents stay in the project.",
	}[sub]
	if !ok {
		return fmt.Errorf("unknown story command %q: list, create, rename, set-docs or delete", sub)
	}
	fs, db := c.flags("story "+sub, "", about)
	project := fs.Int64("project", 0, "project id (list, create)")
	id := fs.Int64("id", 0, "story id (rename, set-docs, delete)")
	name := fs.String("name", "", "story name (create, rename)")
	docs := fs.String("docs", "", "comma-separated document ids (create, set-docs)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	set := given(fs)
	ids, err := parseIDs("docs", *docs)
	if err != nil {
		return err
	}
	var cleanName string
	if sub == "create" || sub == "rename" {
		if cleanName, err = api.CheckStoryName(*name); err != nil {
			return fmt.Errorf("-name: %w", err)
		}
	}
	if sub == "set-docs" && !set["docs"] {
		return errors.New("-docs is required (give -docs '' to empty the story)")
	}
	if (sub == "rename" || sub == "set-docs" || sub == "delete") && *id == 0 {
		return errors.New("-id is required")
	}
	return withStore(*db, func(ctx context.Context, st store.Store) error {
		switch sub {
		case "list":
			p, err := projectOf(ctx, st, *project)
			if err != nil {
				return err
			}
			ss, err := st.Stories(ctx, p.ID)
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tNAME\tDOCUMENTS")
			for _, s := range ss {
				printStory(tw, s)
			}
			return tw.Flush()
		case "create":
			p, err := projectOf(ctx, st, *project)
			if err != nil {
				return err
			}
			s, err := st.CreateStory(ctx, p.ID, cleanName, ids)
			if err != nil {
				return err
			}
			fmt.Fprintln(c.stdout, s.ID)
			fmt.Fprintf(c.stderr, "created story %d %q with %d document(s)\n", s.ID, s.Name, len(s.Documents))
			return nil
		case "rename", "set-docs":
			change := store.StoryChange{Name: &cleanName}
			if sub == "set-docs" {
				change = store.StoryChange{Documents: &ids}
			}
			s, err := st.UpdateStory(ctx, *id, change)
			if err != nil {
				return err
			}
			printStory(c.stdout, s)
			return nil
		}
		if err := st.DeleteStory(ctx, *id); err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "deleted story %d (its documents stay)\n", *id)
		return nil
	})
}

func (c cmdIO) docCmd(args []string) error {
	sub, args, err := c.sub("doc", args, "meta")
	if err != nil {
		return err
	}
	if sub != "meta" {
		return fmt.Errorf("unknown doc command %q: meta", sub)
	}
	fs, db := c.flags("doc meta", "", "Set a document's title, outlet and publication time, as stories show them.\n"+
		"Only the flags given change; an empty value clears.\n"+
		"Example: gloss doc meta -id 2 -outlet \"Business Times\" -published 2024-03-23")
	id := fs.Int64("id", 0, "document id")
	title := fs.String("title", "", "title")
	outlet := fs.String("outlet", "", "publishing outlet")
	published := fs.String("published", "", "publication date or time, e.g. 2024-03-22 or 2024-03-22T21:00:00Z")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *id == 0 {
		return errors.New("-id is required")
	}
	set := given(fs)
	var change httpapi.DocumentMetaChange
	if set["title"] {
		change.Title = title
	}
	if set["outlet"] {
		change.Outlet = outlet
	}
	if set["published"] {
		change.Published = published
	}
	changes, err := api.MetaChanges(change)
	if err != nil {
		return err
	}
	return withStore(*db, func(ctx context.Context, st store.Store) error {
		if err := st.SetDocumentMeta(ctx, *id, changes); err != nil {
			return err
		}
		d, err := st.Document(ctx, *id)
		if err != nil {
			return err
		}
		sd := store.StoryDocumentOf(d)
		fmt.Fprintf(c.stdout, "document %d: title %q, outlet %q, published %q\n", sd.ID, sd.Title, sd.Outlet, sd.Published)
		return nil
	})
}

// exportFigures writes story id's figures (csv or jsonl) to out.
func (c cmdIO) exportFigures(db string, id int64, format, out string) error {
	if id == 0 {
		return errors.New("-format figures needs -story")
	}
	if _, err := api.FiguresContentType(format); err != nil {
		return fmt.Errorf("-figures-format: %w", err)
	}
	return withStore(db, func(ctx context.Context, st store.Store) error {
		s, err := st.Story(ctx, id)
		if err != nil {
			return err
		}
		t, err := api.StoryTable(ctx, st, s, nil) // the CLI is the operator: everything
		if err != nil {
			return err
		}
		return writeOut(out, c.stdout, func(w io.Writer) error { return api.WriteFigures(w, format, t) })
	})
}

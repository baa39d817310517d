package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"

	"gloss/server/internal/manage"
	"gloss/server/internal/store"
	"gloss/shared/model"
)

func (c cmdIO) projectCmd(args []string) error {
	sub, args, err := c.sub("project", args, "create|list")
	if err != nil {
		return err
	}
	switch sub {
	case "create":
		fs, db := c.flags("project create", "", "Create a project and print its id. Its schema is the default one\n"+
			"(claim, figure, attribution; relation source) unless -schema names a JSON file\n"+
			`like {"labels":[{"name":"claim","color":"#0072B2","key":"1","guideline":"…"}],"relations":["source"]}.`)
		name := fs.String("name", "", "project name")
		schemaFile := fs.String("schema", "", "JSON file with the label schema")
		admin := fs.String("admin", "", "make this user the project's admin")
		if err := fs.Parse(args); err != nil {
			return err
		}
		if strings.TrimSpace(*name) == "" {
			return errors.New("-name is required")
		}
		schema := model.DefaultSchema()
		if *schemaFile != "" {
			b, err := os.ReadFile(*schemaFile)
			if err != nil {
				return err
			}
			schema = model.Schema{}
			if err := json.Unmarshal(b, &schema); err != nil {
				return fmt.Errorf("%s: %w", *schemaFile, err)
			}
			if schema.Relations == nil {
				schema.Relations = []string{}
			}
			if err := schema.Validate(); err != nil {
				return fmt.Errorf("%s: %w", *schemaFile, err)
			}
		}
		return withStore(*db, func(ctx context.Context, st store.Store) error {
			var adminID int64
			if *admin != "" {
				u, _, err := st.UserByName(ctx, *admin)
				if err != nil {
					return err
				}
				adminID = u.ID
			}
			p, err := manage.New(st, nil).CreateProject(ctx, *name, schema, adminID)
			if err != nil {
				return err
			}
			fmt.Fprintln(c.stdout, p.ID)
			fmt.Fprintf(c.stderr, "created project %d %q\n", p.ID, p.Name)
			return nil
		})
	case "list":
		fs, db := c.flags("project list", "", "List the projects with their document and member counts.")
		if err := fs.Parse(args); err != nil {
			return err
		}
		return withStore(*db, func(ctx context.Context, st store.Store) error {
			ps, err := st.Projects(ctx)
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tNAME\tDOCUMENTS\tMEMBERS")
			for _, p := range ps {
				docs, err := st.Documents(ctx, p.ID)
				if err != nil {
					return err
				}
				ms, err := st.Members(ctx, p.ID)
				if err != nil {
					return err
				}
				fmt.Fprintf(tw, "%d\t%s\t%d\t%d\n", p.ID, p.Name, len(docs), len(ms))
			}
			return tw.Flush()
		})
	}
	return fmt.Errorf("unknown project command %q: create or list", sub)
}

// projectOf checks that the project exists and returns it.
func projectOf(ctx context.Context, st store.Store, id int64) (model.Project, error) {
	if id == 0 {
		return model.Project{}, errors.New("-project is required")
	}
	return st.Project(ctx, id)
}

func (c cmdIO) memberCmd(args []string) error {
	sub, args, err := c.sub("member", args, "set|remove|list")
	if err != nil {
		return err
	}
	fs, db := c.flags("member "+sub, "", map[string]string{
		"set":    "Add a user to a project, or change their role: admin, reviewer, annotator or viewer.",
		"remove": "Remove a user from a project (their annotations stay; their assignments go).",
		"list":   "List a project's members and roles.",
	}[sub])
	project := fs.Int64("project", 0, "project id")
	name := fs.String("name", "", "user name (set, remove)")
	role := fs.String("role", "annotator", "role (set)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	return withStore(*db, func(ctx context.Context, st store.Store) error {
		p, err := projectOf(ctx, st, *project)
		if err != nil {
			return err
		}
		rules := manage.New(st, nil)
		switch sub {
		case "set", "remove":
			u, _, err := st.UserByName(ctx, *name)
			if err != nil {
				return err
			}
			if sub == "remove" {
				if err := rules.RemoveMember(ctx, p.ID, u.ID); err != nil {
					return err
				}
				fmt.Fprintf(c.stdout, "removed %s from project %d\n", u.Name, p.ID)
				return nil
			}
			if err := rules.SetMember(ctx, p.ID, u.ID, model.Role(*role)); err != nil {
				return err
			}
			fmt.Fprintf(c.stdout, "%s is %s of project %d\n", u.Name, *role, p.ID)
			return nil
		case "list":
			ms, err := st.Members(ctx, p.ID)
			if err != nil {
				return err
			}
			for _, m := range ms {
				fmt.Fprintf(c.stdout, "%s\t%s\n", m.User.Name, m.Role)
			}
			return nil
		}
		return fmt.Errorf("unknown member command %q: set, remove or list", sub)
	})
}

func (c cmdIO) assignCmd(args []string) error {
	fs, db := c.flags("assign", "", "Assign documents of a project to a member (or with -undo take them back).\n"+
		"Example: gloss assign -project 2 -name alice -doc 5,6,7")
	project := fs.Int64("project", 0, "project id")
	name := fs.String("name", "", "the member to assign to")
	docList := fs.String("doc", "", "comma-separated document ids")
	all := fs.Bool("all", false, "every document of the project")
	undo := fs.Bool("undo", false, "take the documents back instead")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if (*docList == "") == !*all {
		return errors.New("give either -doc or -all")
	}
	return withStore(*db, func(ctx context.Context, st store.Store) error {
		p, err := projectOf(ctx, st, *project)
		if err != nil {
			return err
		}
		u, _, err := st.UserByName(ctx, *name)
		if err != nil {
			return err
		}
		if _, err := st.Role(ctx, p.ID, u.ID); err != nil {
			return fmt.Errorf("%s is not a member of project %d (gloss member set first): %w", u.Name, p.ID, err)
		}
		ids, err := docIDs(ctx, st, p.ID, *docList, *all)
		if err != nil {
			return err
		}
		for _, id := range ids {
			if err := st.SetAssigned(ctx, id, u.ID, !*undo); err != nil {
				return err
			}
		}
		if *undo {
			fmt.Fprintf(c.stdout, "took %d document(s) of project %d back from %s\n", len(ids), p.ID, u.Name)
		} else {
			fmt.Fprintf(c.stdout, "assigned %d document(s) of project %d to %s\n", len(ids), p.ID, u.Name)
		}
		return nil
	})
}

// docIDs parses a comma-separated list of document ids of the project,
// or with all every document of it.
func docIDs(ctx context.Context, st store.Store, project int64, list string, all bool) ([]int64, error) {
	docs, err := st.Documents(ctx, project)
	if err != nil {
		return nil, err
	}
	inProject := map[int64]bool{}
	var ids []int64
	for _, d := range docs {
		inProject[d.ID] = true
		if all {
			ids = append(ids, d.ID)
		}
	}
	for _, s := range splitList(list) {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || !inProject[id] {
			return nil, fmt.Errorf("document %q is not in project %d", s, project)
		}
		ids = append(ids, id)
	}
	return ids, nil
}

package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"gloss/server/internal/auth"
	"gloss/server/internal/manage"
	"gloss/server/internal/store"
	"gloss/shared/model"
)

// passwordHash reads a password from GLOSS_PASSWORD or the first line of
// standard input, so that it never appears in the process list, and
// returns its hash.
func (c cmdIO) passwordHash() ([]byte, error) {
	pw := os.Getenv("GLOSS_PASSWORD")
	if pw == "" {
		line, err := bufio.NewReader(io.LimitReader(c.stdin, 1024)).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, err
		}
		pw = strings.TrimRight(line, "\r\n")
	}
	if pw == "" {
		return nil, errors.New("no password: set GLOSS_PASSWORD or pipe it on standard input")
	}
	return auth.HashPassword(pw)
}

func (c cmdIO) userCmd(args []string) error {
	sub, args, err := c.sub("user", args, "add|passwd|list|admin")
	if err != nil {
		return err
	}
	switch sub {
	case "add":
		fs, db := c.flags("user add", "", "Create an account. The password comes from GLOSS_PASSWORD or the first line of standard input.")
		name := fs.String("name", "", "user name (letters, digits, - and _; it also names their annotation layer)")
		admin := fs.Bool("admin", false, "make the user a site admin (may create projects and accounts)")
		project := fs.Int64("project", 0, "also make the user a member of this project")
		role := fs.String("role", "annotator", "with -project: admin, reviewer, annotator or viewer")
		if err := fs.Parse(args); err != nil {
			return err
		}
		if err := auth.CheckUserName(*name); err != nil {
			return err
		}
		if *project != 0 && !model.Role(*role).Valid() {
			return fmt.Errorf("unknown role %q: admin, reviewer, annotator or viewer", *role)
		}
		hash, err := c.passwordHash()
		if err != nil {
			return err
		}
		return withStore(*db, func(ctx context.Context, st store.Store) error {
			u, err := st.CreateUser(ctx, *name, hash)
			if err != nil {
				return err
			}
			if *admin {
				if err := st.SetSiteAdmin(ctx, u.ID, true); err != nil {
					return err
				}
			}
			if *project != 0 {
				if err := manage.New(st, nil).SetMember(ctx, *project, u.ID, model.Role(*role)); err != nil {
					return err
				}
			}
			fmt.Fprintf(c.stdout, "added user %s\n", u.Name)
			return nil
		})
	case "passwd":
		fs, db := c.flags("user passwd", "", "Set a user's password (from GLOSS_PASSWORD or standard input) and end their login sessions.")
		name := fs.String("name", "", "user name")
		if err := fs.Parse(args); err != nil {
			return err
		}
		hash, err := c.passwordHash()
		if err != nil {
			return err
		}
		return withStore(*db, func(ctx context.Context, st store.Store) error {
			u, _, err := st.UserByName(ctx, *name)
			if err != nil {
				return err
			}
			if err := manage.New(st, nil).SetPassword(ctx, u.ID, hash); err != nil {
				return err
			}
			fmt.Fprintf(c.stdout, "changed the password of %s\n", u.Name)
			return nil
		})
	case "list":
		fs, db := c.flags("user list", "", "List the accounts.")
		if err := fs.Parse(args); err != nil {
			return err
		}
		return withStore(*db, func(ctx context.Context, st store.Store) error {
			us, err := st.Users(ctx)
			if err != nil {
				return err
			}
			for _, u := range us {
				if u.SiteAdmin {
					fmt.Fprintf(c.stdout, "%s\tsite admin\n", u.Name)
				} else {
					fmt.Fprintln(c.stdout, u.Name)
				}
			}
			return nil
		})
	case "admin":
		fs, db := c.flags("user admin", "", "Make a user a site admin, or with -revoke no longer one.")
		name := fs.String("name", "", "user name")
		revoke := fs.Bool("revoke", false, "take the right away")
		if err := fs.Parse(args); err != nil {
			return err
		}
		return withStore(*db, func(ctx context.Context, st store.Store) error {
			u, _, err := st.UserByName(ctx, *name)
			if err != nil {
				return err
			}
			if err := st.SetSiteAdmin(ctx, u.ID, !*revoke); err != nil {
				return err
			}
			if *revoke {
				fmt.Fprintf(c.stdout, "%s is no longer a site admin\n", u.Name)
			} else {
				fmt.Fprintf(c.stdout, "%s is a site admin\n", u.Name)
			}
			return nil
		})
	}
	return fmt.Errorf("unknown user command %q: add, passwd, list or admin", sub)
}

func (c cmdIO) tokenCmd(args []string) error {
	sub, args, err := c.sub("token", args, "create|revoke|list")
	if err != nil {
		return err
	}
	switch sub {
	case "create":
		fs, db := c.flags("token create", "", "Create an API token for a user and print it once, on standard output.\n"+
			"Scripts send it as \"Authorization: Bearer <token>\"; it acts with the user's rights until revoked.")
		name := fs.String("name", "", "the user the token acts for")
		label := fs.String("label", "", "what the token is for, e.g. \"ci\"")
		if err := fs.Parse(args); err != nil {
			return err
		}
		if strings.TrimSpace(*label) == "" {
			return errors.New("-label is required: say what the token is for")
		}
		return withStore(*db, func(ctx context.Context, st store.Store) error {
			u, _, err := st.UserByName(ctx, *name)
			if err != nil {
				return err
			}
			token, hash := auth.NewToken()
			t, err := st.CreateAPIToken(ctx, u.ID, strings.TrimSpace(*label), hash)
			if err != nil {
				return err
			}
			fmt.Fprintln(c.stdout, token)
			fmt.Fprintf(c.stderr, "token %d for %s (%s). It is shown only now; revoke it with: gloss token revoke -id %d\n", t.ID, u.Name, t.Label, t.ID)
			return nil
		})
	case "revoke":
		fs, db := c.flags("token revoke", "", "Revoke an API token: requests with it are refused from now on.")
		id := fs.Int64("id", 0, "the token's id (see gloss token list)")
		if err := fs.Parse(args); err != nil {
			return err
		}
		return withStore(*db, func(ctx context.Context, st store.Store) error {
			if err := manage.New(st, nil).RevokeToken(ctx, *id); err != nil {
				return err
			}
			fmt.Fprintf(c.stdout, "revoked token %d\n", *id)
			return nil
		})
	case "list":
		fs, db := c.flags("token list", "", "List API tokens (never the tokens themselves, which are stored hashed).")
		name := fs.String("name", "", "only this user's tokens")
		if err := fs.Parse(args); err != nil {
			return err
		}
		return withStore(*db, func(ctx context.Context, st store.Store) error {
			var userID int64
			if *name != "" {
				u, _, err := st.UserByName(ctx, *name)
				if err != nil {
					return err
				}
				userID = u.ID
			}
			ts, err := st.APITokens(ctx, userID)
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tUSER\tLABEL\tCREATED")
			for _, t := range ts {
				fmt.Fprintf(tw, "%d\t%s\t%s\t%s\n", t.ID, t.User, t.Label, t.Created.Format("2006-01-02 15:04"))
			}
			return tw.Flush()
		})
	}
	return fmt.Errorf("unknown token command %q: create, revoke or list", sub)
}

package view

import (
	"fmt"
	"slices"
	"strings"

	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"gloss/shared/model"
)

// Thread is the comment thread of one annotation, oldest first, with a
// box to add to it for those who may comment. The desk shows it for the
// selected span, which is how annotators see what reviewers said about
// their spans (and answer); the review page shows it for the span under
// review. Thread never touches the session: posting and deleting go
// through its callbacks.
type Thread struct {
	app.Compo

	// Inputs (exported: go-app copies them into the mounted component).
	Target   string // the annotation the thread is about
	Items    []model.Comment
	Pending  []string // IDs of comments not yet acknowledged
	Me       string
	CanPost  bool
	CanPurge bool // may delete others' comments (admins)
	Post     func(target, text string)
	Remove   func(id string)

	draft     string
	forTarget string
}

func newThread() *Thread { return &Thread{} }

// Of sets the annotation and its comments.
func (t *Thread) Of(target string, items []model.Comment) *Thread {
	t.Target, t.Items = target, items
	return t
}

// As sets who reads the thread and what they may do.
func (t *Thread) As(me string, role model.Role) *Thread {
	t.Me, t.CanPost, t.CanPurge = me, model.CanComment(role), role == model.RoleAdmin
	return t
}

// WithPending marks comments still on their way to the server.
func (t *Thread) WithPending(ids []string) *Thread { t.Pending = ids; return t }

// OnPost sets what sending a comment does.
func (t *Thread) OnPost(f func(target, text string)) *Thread { t.Post = f; return t }

// OnRemove sets what deleting a comment does.
func (t *Thread) OnRemove(f func(id string)) *Thread { t.Remove = f; return t }

func (t *Thread) send(ctx app.Context) {
	text := strings.TrimSpace(t.draft)
	if text == "" || t.Post == nil {
		return
	}
	if n := len([]rune(text)); n > model.MaxComment {
		return // the counter below says so
	}
	t.Post(t.Target, text)
	t.draft = ""
	if ta := app.Window().GetElementByID("comment-text"); ta.Truthy() {
		ta.Set("value", "")
	}
}

// OnMount starts the draft of the first span.
func (t *Thread) OnMount(ctx app.Context) { t.forTarget = t.Target }

// OnUpdate drops the draft when the thread is another span's now. The
// textarea is not bound to the draft (go-app would rewrite it under the
// user's fingers); its DOM value is cleared directly.
func (t *Thread) OnUpdate(ctx app.Context) {
	if t.forTarget == t.Target {
		return
	}
	t.forTarget, t.draft = t.Target, ""
	if ta := app.Window().GetElementByID("comment-text"); ta.Truthy() {
		ta.Set("value", "")
	}
}

// Render draws the thread.
func (t *Thread) Render() app.UI {
	n := len([]rune(t.draft))
	return app.Section().ID("thread").Class("thread").DataSet("target", t.Target).Body(
		app.H3().Text(fmt.Sprintf("Comments (%d)", len(t.Items))),
		app.If(len(t.Items) == 0, app.P().Class("muted small").Text("No comments on this span yet.")),
		app.Ol().Class("comments").Body(
			app.Range(t.Items).Slice(func(i int) app.UI {
				c := t.Items[i]
				pending := slices.Contains(t.Pending, c.ID)
				when := "sending…"
				if !pending {
					when = c.Created.Local().Format("2 Jan 15:04")
				}
				return app.Li().Class("comment").DataSet("id", c.ID).DataSet("author", c.Author).Body(
					app.Span().Class("who").Text(c.Author),
					app.Span().Class("when muted").Text(" · "+when),
					app.If((c.Author == t.Me || t.CanPurge) && !pending && t.Remove != nil,
						app.Button().Class("link danger small del-comment").Title("Delete this comment").Text("delete").
							OnClick(func(ctx app.Context, e app.Event) { t.Remove(c.ID) }, c.ID)),
					app.P().Class("comment-text").Text(c.Text),
				)
			}),
		),
		app.If(t.CanPost,
			app.Textarea().ID("comment-text").Class("comment-box").Rows(2).
				Placeholder("Comment on this span… (Ctrl+Enter sends)").
				OnInput(func(ctx app.Context, e app.Event) { t.draft = ctx.JSSrc().Get("value").String() }).
				OnKeyDown(func(ctx app.Context, e app.Event) {
					switch key := e.Get("key").String(); {
					case key == "Enter" && (e.Get("ctrlKey").Bool() || e.Get("metaKey").Bool()):
						e.PreventDefault()
						t.draft = ctx.JSSrc().Get("value").String()
						t.send(ctx)
					case key == "Escape":
						ctx.JSSrc().Call("blur")
					}
				}),
			app.Div().Class("comment-actions").Body(
				app.Button().ID("comment-send").Class("small").Disabled(n > model.MaxComment).Text("Comment").
					OnClick(func(ctx app.Context, e app.Event) { t.send(ctx) }),
				app.If(n > model.MaxComment*9/10,
					app.Span().Class("muted small").Text(fmt.Sprintf(" %d / %d characters", n, model.MaxComment))),
			),
		),
	)
}

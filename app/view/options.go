package view

import (
	"fmt"

	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"gloss/app/live"
	"gloss/shared/model"
)

// ProjectOptions is the settings tab of a project's switches
// (model.Settings): suggestions on import, and blind annotation.
type ProjectOptions struct {
	app.Compo
	IProjectID int64

	set    model.Settings
	loaded bool
	err    string
	saved  string
}

func newProjectOptions() *ProjectOptions { return &ProjectOptions{} }

// ProjectID sets the project.
func (o *ProjectOptions) ProjectID(id int64) *ProjectOptions { o.IProjectID = id; return o }

// OnMount loads the settings.
func (o *ProjectOptions) OnMount(ctx app.Context) {
	id := o.IProjectID
	ctx.Async(func() {
		var s model.Settings
		err := live.GetJSON(fmt.Sprintf("/api/projects/%d/settings", id), &s)
		ctx.Dispatch(func(ctx app.Context) {
			if err != nil {
				o.err = err.Error()
				return
			}
			o.set, o.loaded, o.err = s, true, ""
		})
	})
}

func (o *ProjectOptions) save(ctx app.Context, e app.Event) {
	e.PreventDefault()
	id, s := o.IProjectID, o.set
	ctx.Async(func() {
		err := live.SendJSON("PUT", fmt.Sprintf("/api/projects/%d/settings", id), s, nil)
		ctx.Dispatch(func(ctx app.Context) {
			o.err, o.saved = "", ""
			if err != nil {
				o.err = err.Error()
				return
			}
			o.saved = "Saved. Open desks are brought up to date at once."
		})
	})
}

// Render draws the switches.
func (o *ProjectOptions) Render() app.UI {
	ready := "0"
	if o.loaded {
		ready = "1"
	}
	check := func(id, text, hint string, on bool, set func(bool)) app.UI {
		return app.P().Body(
			app.Label().For(id).Body(
				app.Input().ID(id).Type("checkbox").Checked(on).OnChange(func(ctx app.Context, e app.Event) {
					set(ctx.JSSrc().Get("checked").Bool())
				}, id),
				app.Text(" "+text),
			),
			app.Br(),
			app.Span().Class("muted small").Text(hint),
		)
	}
	return app.Section().Class("panel options").DataSet("ready", ready).Body(
		app.H2().Text("Options"),
		messages("", o.err, "options-saved", o.saved),
		app.Form().OnSubmit(o.save).Body(
			check("opt-suggest", "Suggest on import", "Fill each imported document's suggestions layer with machine proposals.",
				o.set.Suggest, func(v bool) { o.set.Suggest = v }),
			check("opt-blind", "Blind annotation",
				"Annotators see only their own spans of a document until they mark it done or a reviewer puts it in review. Reviewers and admins see everything.",
				o.set.Blind, func(v bool) { o.set.Blind = v }),
			check("opt-blind-suggest", "Blind annotators see the suggestions",
				"The machine's suggestions are no other annotator's judgement; without this, blind annotators see none.",
				o.set.BlindSuggestions, func(v bool) { o.set.BlindSuggestions = v }),
			app.Button().ID("options-save").Type("submit").Text("Save options"),
		),
	)
}

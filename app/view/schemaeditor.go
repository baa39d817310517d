package view

import (
	"fmt"
	"strings"

	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"gloss/app/live"
	"gloss/shared/httpapi"
	"gloss/shared/model"
)

// SchemaEditor edits a project's labels (name, colour, shortcut key,
// guideline) and relation types. Renaming a label keeps its annotations
// (the server relabels them); removing one that is in use asks first,
// since its annotations would be deleted.
type SchemaEditor struct {
	app.Compo
	IProject model.Project
	IOnSaved func(model.Project)

	rows      []labelRow
	relations string
	from      int64 // the project rows were loaded from
	nextRow   int
	err       string
	notice    string
	inUse     string // the server's refusal to remove labels in use
	saving    bool
}

// The inputs report on "change" (when the user leaves a field), not on
// every keystroke: go-app applies events after the browser has moved on,
// so writing each keystroke's state back into the field could overwrite
// characters typed meanwhile.

// labelRow is one label being edited; was is its name when loaded ("" for
// a new label), so that a changed name is a rename.
type labelRow struct {
	id  int
	was string
	model.Label
}

// labelPalette colours new labels (Okabe–Ito, after the default three).
var labelPalette = []string{"#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000", "#999999"}

func newSchemaEditor() *SchemaEditor { return &SchemaEditor{} }

// Project sets the project whose schema is edited.
func (e *SchemaEditor) Project(p model.Project) *SchemaEditor { e.IProject = p; return e }

// OnSaved sets what happens with the project after a save.
func (e *SchemaEditor) OnSaved(f func(model.Project)) *SchemaEditor { e.IOnSaved = f; return e }

// OnMount loads the rows from the project.
func (e *SchemaEditor) OnMount(ctx app.Context) { e.reset() }

// OnUpdate reloads the rows when the parent hands over another project.
func (e *SchemaEditor) OnUpdate(ctx app.Context) {
	if e.IProject.ID != e.from {
		e.reset()
	}
}

func (e *SchemaEditor) reset() {
	e.from = e.IProject.ID
	e.rows = e.rows[:0]
	for _, l := range e.IProject.Schema.Labels {
		e.nextRow++
		e.rows = append(e.rows, labelRow{id: e.nextRow, was: l.Name, Label: l})
	}
	e.relations = strings.Join(e.IProject.Schema.Relations, ", ")
}

func (e *SchemaEditor) addRow(ctx app.Context, ev app.Event) {
	used := map[string]bool{}
	for _, r := range e.rows {
		used[strings.ToLower(r.Color)] = true
	}
	color := labelPalette[len(e.rows)%len(labelPalette)]
	for _, c := range labelPalette {
		if !used[strings.ToLower(c)] {
			color = c
			break
		}
	}
	e.nextRow++
	e.rows = append(e.rows, labelRow{id: e.nextRow, Label: model.Label{Color: color}})
}

func (e *SchemaEditor) row(id int) *labelRow {
	for i := range e.rows {
		if e.rows[i].id == id {
			return &e.rows[i]
		}
	}
	return &labelRow{}
}

func (e *SchemaEditor) removeRow(id int) {
	for i := range e.rows {
		if e.rows[i].id == id {
			e.rows = append(e.rows[:i], e.rows[i+1:]...)
			return
		}
	}
}

// save sends the schema; confirm also deletes the annotations of removed
// labels, after the user saw how many.
func (e *SchemaEditor) save(ctx app.Context, confirm bool) {
	schema := model.Schema{Labels: []model.Label{}, Relations: []string{}}
	renames := map[string]string{}
	for _, r := range e.rows {
		l := r.Label
		l.Name, l.Key = strings.TrimSpace(l.Name), strings.TrimSpace(l.Key)
		schema.Labels = append(schema.Labels, l)
		if r.was != "" && r.was != l.Name {
			renames[r.was] = l.Name
		}
	}
	for _, rel := range strings.Split(e.relations, ",") {
		if rel = strings.TrimSpace(rel); rel != "" {
			schema.Relations = append(schema.Relations, rel)
		}
	}
	url := fmt.Sprintf("/api/projects/%d/schema", e.IProject.ID)
	if confirm {
		url += "?confirm=delete-annotations"
	}
	e.saving = true
	ctx.Async(func() {
		var res httpapi.SchemaAnswer
		err := live.SendJSON("PUT", url, httpapi.SchemaRequest{Schema: schema, Renames: renames}, &res)
		ctx.Dispatch(func(ctx app.Context) {
			e.saving = false
			if live.ErrorCode(err) == "in_use" {
				e.err, e.notice, e.inUse = "", "", err.Error()
				return
			}
			if err != nil {
				e.err, e.notice, e.inUse = err.Error(), "", ""
				return
			}
			e.err, e.inUse = "", ""
			e.notice = "Saved."
			if n := res.Result.Relabelled; n > 0 {
				e.notice += fmt.Sprintf(" %d annotation(s) relabelled.", n)
			}
			if n := res.Result.Deleted + res.Result.DeletedRelations; n > 0 {
				e.notice += fmt.Sprintf(" %d annotation(s) and relation(s) deleted.", n)
			}
			e.IProject = res.Project
			e.reset()
			if e.IOnSaved != nil {
				e.IOnSaved(res.Project)
			}
		})
	})
}

// Render draws the label table.
func (e *SchemaEditor) Render() app.UI {
	ready := "0"
	if e.from != 0 {
		ready = "1"
	}
	return app.Section().Class("panel schema-editor").DataSet("ready", ready).Body(
		app.H2().Text("Labels"),
		app.P().Class("muted").Text("Annotators press a label's key to tag the selected text. The guideline shows as a tooltip on the label "+
			"and under Guidelines on the project list. Renaming keeps the annotations; removing a label that is in use asks first."),
		app.Table().Class("grid labels-table").Body(
			app.Tr().Class("head").Body(
				app.Th().Text("Name"), app.Th().Text("Colour"), app.Th().Text("Key"), app.Th().Text("Guideline"), app.Th(),
			),
			app.Range(e.rows).Slice(func(i int) app.UI {
				r := e.rows[i]
				id := r.id
				renamed := ""
				if r.was != "" && r.was != r.Name {
					renamed = "was " + r.was
				}
				return app.Tr().DataSet("row", i).Body(
					app.Td().Body(
						app.Input().Class("label-name").DataSet("row", i).Type("text").Value(r.Name).MaxLength(40).Placeholder("name").
							OnChange(func(ctx app.Context, ev app.Event) { e.row(id).Name = ctx.JSSrc().Get("value").String() }, id),
						app.If(renamed != "", app.Span().Class("muted small").Text(" "+renamed)),
					),
					app.Td().Body(app.Input().Class("label-color").DataSet("row", i).Type("color").Value(strings.ToLower(r.Color)).
						OnChange(func(ctx app.Context, ev app.Event) { e.row(id).Color = ctx.JSSrc().Get("value").String() }, id)),
					app.Td().Body(app.Input().Class("label-key").DataSet("row", i).Type("text").Value(r.Key).MaxLength(1).Size(2).
						OnChange(func(ctx app.Context, ev app.Event) { e.row(id).Key = ctx.JSSrc().Get("value").String() }, id)),
					app.Td().Body(app.Input().Class("label-guideline").DataSet("row", i).Type("text").Value(r.Guideline).MaxLength(500).
						Placeholder("short guideline").
						OnChange(func(ctx app.Context, ev app.Event) { e.row(id).Guideline = ctx.JSSrc().Get("value").String() }, id)),
					app.Td().Body(app.Button().Class("link danger remove-label").Type("button").Title("Remove this label").Text("Remove").
						OnClick(func(ctx app.Context, ev app.Event) { e.removeRow(id) }, id)),
				)
			}),
		),
		app.P().Body(app.Button().ID("add-label").Type("button").Text("+ Add label").OnClick(e.addRow)),
		app.Label().For("relations").Text("Relation types (comma-separated)"),
		app.Input().ID("relations").Type("text").Value(e.relations).
			OnChange(func(ctx app.Context, ev app.Event) { e.relations = ctx.JSSrc().Get("value").String() }),
		app.If(e.err != "", app.P().ID("schema-error").Class("error").Text(e.err)),
		app.If(e.inUse != "", app.Div().ID("schema-in-use").Class("notice-warn").Body(
			app.P().Text(e.inUse),
			app.Button().ID("confirm-delete").Type("button").Class("danger").Text("Delete those annotations and save").
				OnClick(func(ctx app.Context, ev app.Event) { e.save(ctx, true) }),
		)),
		app.If(e.notice != "", app.P().ID("schema-notice").Class("notice-ok").Text(e.notice)),
		app.P().Body(
			app.Button().ID("save-schema").Type("button").Disabled(e.saving).Text("Save labels").
				OnClick(func(ctx app.Context, ev app.Event) { e.save(ctx, false) }),
			app.Button().Class("link").Type("button").Text("Discard changes").
				OnClick(func(ctx app.Context, ev app.Event) { e.reset(); e.err, e.notice, e.inUse = "", "", "" }),
		),
	)
}

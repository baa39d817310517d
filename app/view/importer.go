package view

import (
	"fmt"
	"strings"

	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"gloss/app/live"
	"gloss/shared/httpapi"
)

// Importer uploads .txt, .jsonl, .jsonld (W3C) and .zip (brat) files, or a
// folder of them, into a
// project in one request (one transaction on the server: a bad file adds
// nothing), showing the upload's progress.
type Importer struct {
	app.Compo
	IProjectID int64

	mounted bool
	phase   string // "", "uploading", "saving"
	sent    int
	total   int
	result  httpapi.ImportResult
	err     string
	skipped int
}

// maxUpload is the server's limit on one import (importer.MaxBytes).
const maxUpload = 50 << 20

func newImporter() *Importer { return &Importer{} }

// ProjectID sets the project to import into.
func (im *Importer) ProjectID(id int64) *Importer { im.IProjectID = id; return im }

// OnMount marks the form live.
func (im *Importer) OnMount(ctx app.Context) { im.mounted = true }

func importable(name string) bool {
	n := strings.ToLower(name)
	for _, ext := range []string{".txt", ".jsonl", ".ndjson", ".jsonld", ".zip"} {
		if strings.HasSuffix(n, ext) {
			return true
		}
	}
	return false
}

func (im *Importer) start(ctx app.Context, e app.Event) {
	if im.phase != "" {
		return
	}
	form := app.Window().Get("FormData").New()
	if layer := strings.TrimSpace(inputValue("import-layer")); layer != "" {
		form.Call("append", "layer", layer)
	}
	count, size, skipped := 0, 0, 0
	for _, id := range []string{"import-files", "import-folder"} {
		list := app.Window().GetElementByID(id).Get("files")
		for i := 0; i < list.Get("length").Int(); i++ {
			f := list.Call("item", i)
			name := f.Get("webkitRelativePath").String()
			if name == "" || name == "<undefined>" {
				name = f.Get("name").String()
			}
			if !importable(name) {
				skipped++
				continue
			}
			size += f.Get("size").Int()
			count++
			form.Call("append", "file", f, name)
		}
	}
	im.err, im.result, im.skipped = "", httpapi.ImportResult{}, skipped
	switch {
	case count == 0:
		im.err = "Choose .txt, .jsonl, .jsonld or .zip (brat) files, or a folder of them."
		return
	case size > maxUpload:
		im.err = fmt.Sprintf("These files hold %s, more than the %s one import takes: import them in several parts, or use gloss import on the server.",
			megabytes(size), megabytes(maxUpload))
		return
	}
	im.phase, im.sent, im.total = "uploading", 0, size
	url := fmt.Sprintf("/api/projects/%d/documents", im.IProjectID)
	ctx.Async(func() {
		var res httpapi.ImportResult
		err := live.Upload(url, form, func(sent, total int) {
			ctx.Dispatch(func(ctx app.Context) {
				im.sent, im.total = sent, total
				if sent >= total {
					im.phase = "saving"
				}
			})
		}, &res)
		ctx.Dispatch(func(ctx app.Context) {
			im.phase = ""
			if err != nil {
				im.err = err.Error()
				return
			}
			im.result = res
			for _, id := range []string{"import-files", "import-folder"} {
				clearInput(id)
			}
		})
	})
}

func megabytes(n int) string { return fmt.Sprintf("%.1f MB", float64(n)/(1<<20)) }

// Render draws the form, the progress and the outcome.
func (im *Importer) Render() app.UI {
	ready := "0"
	if im.mounted {
		ready = "1"
	}
	busy := im.phase != ""
	var status app.UI = app.Text("")
	switch im.phase {
	case "uploading":
		status = app.Div().ID("import-progress").Body(
			app.Div().Class("bar").Body(app.Div().Class("fill").Style("width", fmt.Sprintf("%d%%", 100*im.sent/max(im.total, 1)))),
			app.Span().Text(fmt.Sprintf(" Uploading %s of %s…", megabytes(im.sent), megabytes(im.total))),
		)
	case "saving":
		status = app.Div().ID("import-progress").Body(
			app.Div().Class("bar busy").Body(app.Div().Class("fill")), // the server checks and saves: no measure
			app.Span().Text(" Checking and saving…"),
		)
	}
	var result app.UI = app.Text("")
	if n := len(im.result.Documents); n > 0 {
		result = app.Div().ID("import-result").Class("notice-ok").Body(
			app.P().Text(fmt.Sprintf("Imported %d document(s) with %d span(s).", n, im.result.Spans)),
			app.Ul().Class("plain").Body(
				app.Range(im.result.Documents).Slice(func(i int) app.UI {
					d := im.result.Documents[i]
					return app.Li().Body(app.A().Href(fmt.Sprintf("/doc/%d", d.ID)).Text(d.Name),
						app.Span().Class("muted small").Text(fmt.Sprintf(" %d chars", d.Chars)))
				}),
			),
			app.P().Class("muted").Text("Give them to annotators under Documents & assignment."),
		)
	}
	return app.Section().Class("panel importer").DataSet("ready", ready).Body(
		app.H2().Text("Import documents"),
		app.P().Class("muted").Text("Plain text: one article per .txt file, stored byte for byte (UTF-8). "+
			"JSONL: one {\"text\": …, \"meta\": {…}} per line, optionally with \"spans\": [{\"start\", \"end\", \"label\"}] "+
			"(offsets in characters) that become a layer of their own. "+
			"W3C Web Annotation (.jsonld) and brat standoff (.zip) files, as Gloss exports them, need a layer name; their relations are dropped. Up to 50 MB per import; the whole import is refused if one file is bad."),
		app.Div().ID("import-form").Class("stacked-form").Body(
			app.Label().For("import-files").Text("Files"),
			app.Input().ID("import-files").Type("file").Multiple(true).Accept(".txt,.jsonl,.ndjson,.jsonld,.zip,text/plain").Disabled(busy),
			app.Label().For("import-folder").Text("…or a folder"),
			app.Input().ID("import-folder").Type("file").Attr("webkitdirectory", true).Multiple(true).Disabled(busy),
			app.Label().For("import-layer").Text("Layer for imported spans (required for .jsonld and .zip; otherwise optional, default: the span's own, else \"import\")"),
			app.Input().ID("import-layer").Type("text").Placeholder("e.g. model-v1").MaxLength(64).Disabled(busy),
			app.Button().ID("import-start").Type("button").Disabled(busy).Text("Import").OnClick(im.start),
		),
		status,
		app.If(im.skipped > 0, app.P().Class("muted").Text(fmt.Sprintf("Skipped %d file(s) that are not .txt, .jsonl, .jsonld or .zip.", im.skipped))),
		app.If(im.err != "", app.P().ID("import-error").Class("error").Text(im.err)),
		result,
	)
}

// Command app is Gloss's browser UI, compiled to WebAssembly
// (GOOS=js GOARCH=wasm) into web/app.wasm. It links no server code.
package main

import (
	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"gloss/app/view"
)

func main() {
	// When main starts (ms since navigation start): everything before is
	// download, compile and the Go runtime's and packages' init. The
	// render benchmark reports it.
	app.Window().Set("glossMainAt", app.Window().Get("performance").Call("now"))
	view.Routes()
	app.RunWhenOnBrowser()
}

// Command app is Gloss's browser UI, compiled to WebAssembly
// (GOOS=js GOARCH=wasm) into web/app.wasm. It links no server code.
package main

import (
	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"gloss/app/view"
)

func main() {
	view.Routes()
	app.RunWhenOnBrowser()
}

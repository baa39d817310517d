// Command app is Gloss's browser UI, compiled to WebAssembly
// (GOOS=js GOARCH=wasm) into web/app.wasm. It links no server code.
package main

import (
	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"gloss/app/live"
	"gloss/app/view"
)

func main() {
	// When main starts (ms since navigation start): everything before is
	// download, compile and the Go runtime's and packages' init. The
	// render benchmark reports it.
	app.Window().Set("glossMainAt", app.Window().Get("performance").Call("now"))
	view.Routes()
	// The runtime's and the packages' start-up ran in one task of the
	// browser's main thread; let the browser handle what waited for it
	// (a key on the pre-rendered document: web/gloss.js commits it)
	// before go-app's start-up, which is the next.
	wait := make(chan struct{})
	live.AfterYield(func(f func()) { f() }, func() { close(wait) })
	<-wait
	app.RunWhenOnBrowser()
}

// Package pages serves the go-app UI: the pre-rendered pages of the
// routes that app/view declares, the static assets under /web/, and the
// wasm binary — precompressed and addressed by a content hash so a
// browser never runs a stale build after an upgrade.
package pages

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"gloss/app/view"
)

// New returns the handler for everything that is not API: pages and
// /web/ assets from dir (which holds app.wasm, app.wasm.gz, gloss.css, …).
func New(dir string) (http.Handler, error) {
	wasm := filepath.Join(dir, "app.wasm")
	f, err := os.Open(wasm)
	if err != nil {
		return nil, fmt.Errorf("pages: %w (run `make wasm` first)", err)
	}
	h := sha256.New()
	size, err := io.Copy(h, f)
	f.Close()
	if err != nil {
		return nil, fmt.Errorf("pages: hash %s: %w", wasm, err)
	}
	version := hex.EncodeToString(h.Sum(nil))[:16]
	res := &resources{dir: dir, version: version, wasmSize: size}
	view.Routes()
	goApp := &app.Handler{
		Name:        "Gloss",
		ShortName:   "Gloss",
		Title:       "Gloss — span annotation for news",
		Description: "Collaborative annotation of claims, figures and attributions in news text",
		Icon:        app.Icon{Default: "/web/icon.png", SVG: "/web/icon.svg"},
		Styles:      []string{"/web/gloss.css?v=" + version},
		Scripts:     []string{"/web/gloss.js?v=" + version},
		Resources:   res,
		Version:     version,
		// The wasm is served gzip-encoded; go-app's loader reads its real
		// size from here to show progress.
		WasmContentLengthHeader: "X-Wasm-Content-Length",
		LoadingLabel:            "Loading Gloss {progress}%",
		ServiceWorkerTemplate:   workerJS, // no fetch handler: see worker.go
		BackgroundColor:         "#fbfaf7",
		ThemeColor:              "#fbfaf7",
		// Fetch the wasm while the page is still being parsed, not when
		// go-app's deferred loader runs (≈ 80–100 ms later). crossorigin
		// matches the loader's fetch() so the browser reuses the response.
		RawHeaders: []string{`<link rel="preload" as="fetch" crossorigin="anonymous" href="` + res.AppWASM() + `">`},
	}
	return streamingWasm(withDocument(goApp)), nil
}

// resources is go-app's ResourceProvider and serves /web/ itself.
type resources struct {
	dir      string
	version  string
	wasmSize int64
}

func (r *resources) Package() string { return "" }
func (r *resources) Static() string  { return "" }

// AppWASM names the wasm by content hash: a new build is a new URL.
func (r *resources) AppWASM() string { return "/web/app.wasm?v=" + r.version }

func (r *resources) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	name := strings.TrimPrefix(req.URL.Path, "/web/")
	if name == "" || strings.Contains(name, "..") || strings.ContainsAny(name, "\\\x00") {
		http.NotFound(w, req)
		return
	}
	path := filepath.Join(r.dir, filepath.FromSlash(name))
	if req.URL.Query().Get("v") == r.version {
		// Versioned URLs never change content.
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		w.Header().Set("Cache-Control", "no-cache")
	}
	if name == "app.wasm" {
		w.Header().Set("Content-Type", "application/wasm")
		w.Header().Set("X-Wasm-Content-Length", strconv.FormatInt(r.wasmSize, 10))
		// Brotli (≈ 27 % smaller than gzip for this binary) when the
		// browser takes it and the build made it, else gzip.
		for _, enc := range []struct{ name, ext string }{{"br", ".br"}, {"gzip", ".gz"}} {
			if !accepts(req.Header.Get("Accept-Encoding"), enc.name) {
				continue
			}
			f, err := os.Open(path + enc.ext)
			if err != nil {
				continue
			}
			defer f.Close()
			w.Header().Set("Content-Encoding", enc.name)
			w.Header().Set("Vary", "Accept-Encoding")
			if st, err := f.Stat(); err == nil {
				w.Header().Set("Content-Length", strconv.FormatInt(st.Size(), 10))
			}
			io.Copy(w, f)
			return
		}
	}
	http.ServeFile(w, req, path)
}

// accepts reports whether an Accept-Encoding header allows encoding enc
// (listed, and not with q=0).
func accepts(header, enc string) bool {
	for _, part := range strings.Split(header, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(name), enc) {
			continue
		}
		q := strings.ReplaceAll(params, " ", "")
		return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
	}
	return false
}

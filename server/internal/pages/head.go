package pages

import "bytes"

// rewriteHead returns page with each tag of its head replaced by what f
// returns for it: the tag itself to keep it, another tag, or nil to drop
// it (and the line break after it). The document and story pages adapt
// go-app's head through it (holdLoader, paintFirst). What is not a
// whole tag is left as it is.
func rewriteHead(page []byte, f func(tag []byte) []byte) []byte {
	end := bytes.Index(page, []byte("</head>"))
	if end < 0 {
		return page
	}
	head := page[:end]
	out := make([]byte, 0, len(page)+64)
	for len(head) > 0 {
		i := bytes.IndexByte(head, '<')
		if i < 0 {
			out = append(out, head...)
			break
		}
		out = append(out, head[:i]...)
		head = head[i:]
		j := bytes.IndexByte(head, '>')
		if j < 0 {
			out = append(out, head...)
			break
		}
		tag := head[:j+1]
		head = head[j+1:]
		if repl := f(tag); repl != nil {
			out = append(out, repl...)
		} else {
			head = bytes.TrimPrefix(head, []byte("\n"))
		}
	}
	return append(out, page[end:]...)
}

// isTag says whether tag is an element of name (e.g. "script") with
// every one of attrs in it (go-app prints attributes in no fixed order:
// tags are matched by their attributes, not their text).
func isTag(tag []byte, name string, attrs ...string) bool {
	if !bytes.HasPrefix(tag, []byte("<"+name+" ")) {
		return false
	}
	for _, a := range attrs {
		if !bytes.Contains(tag, []byte(a)) {
			return false
		}
	}
	return true
}

// heldScript is a script tag the browser does not run (a type it does
// not know) that gloss.js loads later from its data-src.
func heldScript(typ, src string) []byte {
	return []byte(`<script type="` + typ + `" data-src="` + src + `">`)
}

package pages

import "net/http"

// PrerenderedHTML is the HTML WithHTML put into r's page, if any: for a
// test of the API that serves pages without go-app.
func PrerenderedHTML(r *http.Request) (string, bool) {
	html, ok := r.Context().Value(htmlKey{}).(string)
	return html, ok
}

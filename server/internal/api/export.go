package api

import (
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"gloss/server/internal/export"
	"gloss/shared/model"
)

// handleExport streams a project's dataset. Query: format (jsonl, conll,
// w3c, brat, card), layer (repeatable or comma-separated, annotator names
// or "gold"; default all), label (likewise), review (review statuses:
// unreviewed, accepted, rejected, edited; default all), doc (document ids;
// default all). Any member may export what they may read: under blind
// annotation an annotator's export holds only what their view shows
// (blind.go).
func (s *Server) handleExport(w http.ResponseWriter, r *http.Request, u model.User) {
	p, role, ok := s.projectRole(w, r, u)
	if !ok {
		return
	}
	q := r.URL.Query()
	format := q.Get("format")
	if format == "" {
		format = "jsonl"
	}
	ct, err := export.ContentType(format)
	if err != nil {
		writeError(w, http.StatusBadRequest, "bad_format", err.Error())
		return
	}
	opt := export.Options{Layers: listParam(q["layer"]), Labels: listParam(q["label"]), Reviews: listParam(q["review"]),
		ToolVersion: s.cfg.ToolVersion, Now: time.Now().UTC()}
	if format == export.FormatCard || format == export.FormatBrat {
		// The card counts human annotators only (bug 6 of issue 13).
		if opt.IsAccount, err = s.accountNames(r.Context()); err != nil {
			s.internal(w, "export", err)
			return
		}
	}
	view, err := viewsOf(r.Context(), s.store, p.ID, role, u)
	if err != nil {
		s.internal(w, "export", err)
		return
	}
	for _, v := range opt.Reviews {
		if !model.ReviewStatus(v).Valid() {
			writeError(w, http.StatusBadRequest, "bad_request", fmt.Sprintf("review %q must be unreviewed, accepted, rejected or edited", v))
			return
		}
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", fileName(p.Name)+export.FileExtension(format)))
	var only []int64
	for _, v := range listParam(q["doc"]) {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			writeError(w, http.StatusBadRequest, "bad_request", "doc must be document ids")
			return
		}
		only = append(only, id)
	}
	docs := blindDocs(DocsOf(r.Context(), s.store, p.ID, only...), view)
	if err := export.Write(w, format, p, docs, opt); err != nil {
		// Headers are gone; the truncated body is the signal. Log it.
		s.log.Error("api: export", "project", p.ID, "format", format, "err", err)
	}
}

func listParam(vs []string) []string {
	var out []string
	for _, v := range vs {
		for _, x := range strings.Split(v, ",") {
			if x = strings.TrimSpace(x); x != "" {
				out = append(out, x)
			}
		}
	}
	return out
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

func fileName(project string) string {
	n := strings.Trim(unsafeName.ReplaceAllString(project, "-"), "-")
	if n == "" {
		n = "gloss-export"
	}
	return n
}

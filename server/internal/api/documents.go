package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"gloss/server/internal/export"
	"gloss/server/internal/importer"
	"gloss/server/internal/store"
	"gloss/shared/httpapi"
	"gloss/shared/model"
)

func (s *Server) handleDocuments(w http.ResponseWriter, r *http.Request, u model.User) {
	p, role, ok := s.access(w, r, u)
	if !ok {
		return
	}
	docs, err := s.store.Documents(r.Context(), p.ID)
	if err == nil {
		var view func(int64, model.DocReview) model.View
		if view, err = viewsOf(r.Context(), s.store, p.ID, role, u); err == nil {
			err = blindCounts(r.Context(), s.store, p.ID, docs, view)
		}
	}
	if err != nil {
		s.internal(w, "documents", err)
		return
	}
	writeJSON(w, http.StatusOK, convert(docs, documentInfo))
}

// tooLarge is the refusal of an upload over the server's MaxUpload.
func (s *Server) tooLarge(w http.ResponseWriter) {
	writeError(w, http.StatusRequestEntityTooLarge, "too_large",
		fmt.Sprintf("the upload is larger than %s: import the files in several parts, or with the gloss import command, which has no upload limit", export.Size(s.cfg.MaxUpload)))
}

func isTooLarge(err error) bool {
	var mbe *http.MaxBytesError
	return errors.As(err, &mbe)
}

// handleImport adds documents to a project (admins), all or none. The
// body is either multipart/form-data with "file" parts (.txt, .jsonl;
// .jsonld and .zip, W3C and brat, into the layer named)
// and an optional "layer" field, or JSON {"layer": …, "documents":
// [{"text": …, "name": …, "meta": {…}, "spans": [{"start", "end",
// "label"}]}]}. A bad file is refused with 400, naming the file and line.
func (s *Server) handleImport(w http.ResponseWriter, r *http.Request, u model.User) {
	p, _, ok := s.access(w, r, u, model.RoleAdmin)
	if !ok {
		return
	}
	// An upload may take longer to send than the server's ReadTimeout
	// allows other requests, but not for ever. (Without a connection to
	// set it on, as in handler tests, there is nothing to extend.)
	_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(s.cfg.UploadTimeout))
	// The files may take MaxUpload; the multipart framing a little more.
	r.Body = http.MaxBytesReader(w, r.Body, s.cfg.MaxUpload+1<<20)
	opt := importer.Options{Schema: p.Schema, Now: time.Now().UTC(), MaxDocument: s.cfg.MaxDocument, MaxInflated: s.cfg.MaxInflated}
	var docs []store.NewDocument
	var err error
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "multipart/form-data":
		var files []importer.File
		files, opt.Layer, err = readUpload(r, s.cfg.MaxUpload)
		if isTooLarge(err) {
			s.tooLarge(w)
			return
		}
		if err != nil {
			writeError(w, http.StatusBadRequest, "bad_request", err.Error())
			return
		}
		docs, err = importer.Parse(files, opt)
	case "application/json":
		var req httpapi.ImportRequest
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			if isTooLarge(err) {
				s.tooLarge(w)
				return
			}
			writeError(w, http.StatusBadRequest, "bad_request", "the request body is not the JSON expected: "+err.Error())
			return
		}
		opt.Layer = req.Layer
		docs, err = importer.ParseRecords("request", req.Documents, opt)
	default:
		writeError(w, http.StatusUnsupportedMediaType, "bad_request", "send multipart/form-data with files, or application/json")
		return
	}
	if err != nil {
		status, code := http.StatusBadRequest, "bad_file"
		if errors.Is(err, export.ErrTooLarge) {
			status, code = http.StatusRequestEntityTooLarge, "too_large"
		}
		body := httpapi.NewError(code, err.Error())
		var ie *importer.Error
		if errors.As(err, &ie) {
			body.File, body.Line = ie.File, ie.Line
		}
		writeJSON(w, status, body)
		return
	}
	added, err := s.store.ImportDocuments(r.Context(), p.ID, docs)
	if err != nil {
		s.internal(w, "import", err)
		return
	}
	res := ImportResult{Documents: make([]httpapi.DocumentInfo, len(added))}
	for i, d := range added {
		res.Documents[i] = httpapi.DocumentInfo{ID: d.ID, Name: d.Name, Chars: utf8.RuneCountInString(d.Text), Annotations: len(docs[i].Annotations)}
		res.Spans += len(docs[i].Annotations)
	}
	if n, err := s.suggestImported(r.Context(), p.ID, added); err != nil {
		// The documents are in; a failed suggestion run is logged and can
		// be repeated from the desk.
		s.log.Error("api: suggest on import", "project", p.ID, "err", err)
	} else {
		res.Suggested = n
	}
	s.log.Info("api: import", "project", p.ID, "user", u.Name, "documents", len(added), "spans", res.Spans)
	writeJSON(w, http.StatusCreated, res)
}

// readUpload reads a multipart upload's files and layer field, keeping at
// most max bytes of file content.
func readUpload(r *http.Request, max int64) ([]importer.File, string, error) {
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, "", fmt.Errorf("could not read the upload: %w", err)
	}
	var files []importer.File
	layer := ""
	var total int64
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return files, layer, nil
		}
		if err != nil {
			return nil, "", err
		}
		switch part.FormName() {
		case "layer":
			b, err := io.ReadAll(io.LimitReader(part, 256))
			if err != nil {
				return nil, "", err
			}
			layer = strings.TrimSpace(string(b))
		case "file":
			name := part.FileName()
			if name == "" {
				return nil, "", errors.New(`a "file" part has no file name`)
			}
			data, err := io.ReadAll(io.LimitReader(part, max-total+1))
			if err != nil {
				return nil, "", err
			}
			total += int64(len(data))
			if total > max {
				return nil, "", &http.MaxBytesError{Limit: max}
			}
			files = append(files, importer.File{Name: name, Data: data})
		}
		part.Close()
	}
}

func (s *Server) handleAssignments(w http.ResponseWriter, r *http.Request, u model.User) {
	p, _, ok := s.access(w, r, u, model.RoleAdmin)
	if !ok {
		return
	}
	as, err := s.store.Assignments(r.Context(), p.ID)
	if err != nil {
		s.internal(w, "assignments", err)
		return
	}
	writeJSON(w, http.StatusOK, convert(as, assignment))
}

func (s *Server) handleAssign(w http.ResponseWriter, r *http.Request, u model.User) {
	p, _, ok := s.access(w, r, u, model.RoleAdmin)
	if !ok {
		return
	}
	var req AssignRequest
	if !readJSON(w, r, 1<<20, &req) {
		return
	}
	ctx := r.Context()
	ms, err := s.store.Members(ctx, p.ID)
	if err != nil {
		s.internal(w, "members", err)
		return
	}
	var member *store.ProjectMember
	for i := range ms {
		if ms[i].User.Name == req.User {
			member = &ms[i]
		}
	}
	if member == nil {
		writeError(w, http.StatusBadRequest, "not_member", fmt.Sprintf("%q is not a member of this project", req.User))
		return
	}
	if member.Role == model.RoleViewer && req.Assigned {
		writeError(w, http.StatusBadRequest, "viewer", req.User+" is a viewer and cannot annotate: change their role first")
		return
	}
	docs, err := s.store.Documents(ctx, p.ID)
	if err != nil {
		s.internal(w, "documents", err)
		return
	}
	inProject := map[int64]bool{}
	for _, d := range docs {
		inProject[d.ID] = true
	}
	for _, id := range req.Documents {
		if !inProject[id] {
			writeError(w, http.StatusBadRequest, "not_found", fmt.Sprintf("document %d is not in this project", id))
			return
		}
	}
	for _, id := range req.Documents {
		if err := s.store.SetAssigned(ctx, id, member.User.ID, req.Assigned); err != nil {
			s.internal(w, "assign", err)
			return
		}
	}
	as, err := s.store.Assignments(ctx, p.ID)
	if err != nil {
		s.internal(w, "assignments", err)
		return
	}
	writeJSON(w, http.StatusOK, convert(as, assignment))
}

// annotatorOf checks that u may annotate document id (a member of its
// project who is not a viewer) and answers the refusal itself. A
// document of a project u is not in answers exactly as a missing one, so
// that ids cannot be probed.
func (s *Server) annotatorOf(w http.ResponseWriter, r *http.Request, u model.User, id int64, what string) bool {
	ctx := r.Context()
	d, err := s.store.Document(ctx, id)
	var role model.Role
	if err == nil {
		role, err = s.store.Role(ctx, d.ProjectID, u.ID)
	}
	if errors.Is(err, store.ErrNotFound) {
		writeError(w, http.StatusNotFound, "not_found", "no such document")
		return false
	}
	if err != nil {
		s.internal(w, what, err)
		return false
	}
	if role == model.RoleViewer {
		writeError(w, http.StatusForbidden, "forbidden", "viewers do not annotate documents")
		return false
	}
	return true
}

// handleDone records that the user finished (or reopened) a document
// assigned to them: {"done": true}. Marking done never assigns: an
// unassigned document is refused with 409. A document of a project the
// user is not in answers exactly as a missing one, so that ids cannot be
// probed.
func (s *Server) handleDone(w http.ResponseWriter, r *http.Request, u model.User) {
	id, ok := pathID(w, r, "id")
	if !ok {
		return
	}
	var req httpapi.Done
	if !readJSON(w, r, 1<<10, &req) {
		return
	}
	ctx := r.Context()
	if !s.annotatorOf(w, r, u, id, "done") {
		return
	}
	err := s.store.MarkDone(ctx, id, u.ID, req.Done)
	if errors.Is(err, store.ErrNotFound) {
		writeError(w, http.StatusConflict, "not_assigned", "this document is not assigned to you: ask a project admin to assign it")
		return
	}
	if err != nil {
		s.internal(w, "done", err)
		return
	}
	// Done ends blind annotation for this user (reopening starts it
	// again): their open desks reconnect with their new view.
	if d, err := s.store.Document(ctx, id); err == nil {
		s.projectChanged(d.ProjectID)
	}
	writeJSON(w, http.StatusOK, httpapi.Done{Done: req.Done})
}

// handleProgress reports progress per annotator and per document (admins
// and reviewers).
func (s *Server) handleProgress(w http.ResponseWriter, r *http.Request, u model.User) {
	p, _, ok := s.access(w, r, u, model.RoleAdmin, model.RoleReviewer)
	if !ok {
		return
	}
	ctx := r.Context()
	docs, err := s.store.Documents(ctx, p.ID)
	if err != nil {
		s.internal(w, "documents", err)
		return
	}
	ms, err := s.store.Members(ctx, p.ID)
	if err != nil {
		s.internal(w, "members", err)
		return
	}
	as, err := s.store.Assignments(ctx, p.ID)
	if err != nil {
		s.internal(w, "assignments", err)
		return
	}
	counts, err := s.store.SpanCounts(ctx, p.ID)
	if err != nil {
		s.internal(w, "span counts", err)
		return
	}
	writeJSON(w, http.StatusOK, buildProgress(p.Schema, docs, ms, as, counts))
}

func buildProgress(schema model.Schema, docs []store.DocumentInfo, ms []store.ProjectMember, as []store.Assignment, counts []store.SpanCount) Progress {
	out := Progress{Labels: []string{}, Annotators: []AnnotatorProgress{}, Documents: []DocumentProgress{}}
	for _, l := range schema.Labels {
		out.Labels = append(out.Labels, l.Name)
	}
	type docLayer struct {
		doc   int64
		layer string
	}
	inLayer := map[docLayer]int{}
	byDoc := map[int64]*DocumentProgress{}
	for _, d := range docs {
		out.Documents = append(out.Documents, DocumentProgress{ID: d.ID, Name: d.Name, Assignees: []AssigneeStatus{}, Spans: map[string]int{}})
	}
	for i := range out.Documents {
		byDoc[out.Documents[i].ID] = &out.Documents[i]
	}
	annotators := map[string]*AnnotatorProgress{}
	var order []string
	annotator := func(name string, role model.Role) *AnnotatorProgress {
		if a, ok := annotators[name]; ok {
			return a
		}
		a := &AnnotatorProgress{User: name, Role: role, Spans: map[string]int{}}
		annotators[name] = a
		order = append(order, name)
		return a
	}
	for _, m := range ms {
		if m.Role == model.RoleAnnotator {
			annotator(m.User.Name, m.Role)
		}
	}
	roles := map[string]model.Role{}
	for _, m := range ms {
		roles[m.User.Name] = m.Role
	}
	for _, c := range counts {
		inLayer[docLayer{c.Document, c.Layer}] += c.Count
		if d := byDoc[c.Document]; d != nil {
			d.Spans[c.Label] += c.Count
			if c.Layer == model.GoldLayer {
				d.Gold += c.Count
			}
		}
	}
	for _, a := range as {
		p := annotator(a.User, roles[a.User])
		n := inLayer[docLayer{a.Document, a.User}]
		st := StatusNotStarted
		switch {
		case a.Done:
			st = StatusDone
			p.Done++
		case n > 0:
			st = StatusInProgress
			p.InProgress++
		default:
			p.NotStarted++
		}
		p.Assigned++
		if d := byDoc[a.Document]; d != nil {
			d.Assignees = append(d.Assignees, AssigneeStatus{User: a.User, Status: st, Spans: n})
		}
	}
	for _, c := range counts {
		if a, ok := annotators[c.Layer]; ok {
			a.Spans[c.Label] += c.Count
		}
	}
	sort.Strings(order)
	for _, name := range order {
		out.Annotators = append(out.Annotators, *annotators[name])
	}
	return out
}

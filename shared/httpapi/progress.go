package httpapi

import "gloss/shared/model"

// Progress is the answer of GET /api/projects/{id}/progress.
type Progress struct {
	Labels     []string            `json:"labels"`
	Annotators []AnnotatorProgress `json:"annotators"`
	Documents  []DocumentProgress  `json:"documents"`
}

// AnnotatorProgress is one annotator's work across the project: their
// assigned documents by status, and the spans in their layer by label.
type AnnotatorProgress struct {
	User       string         `json:"user"`
	Role       model.Role     `json:"role"`
	Assigned   int            `json:"assigned"`
	Done       int            `json:"done"`
	InProgress int            `json:"in_progress"`
	NotStarted int            `json:"not_started"`
	Spans      map[string]int `json:"spans"`
}

// DocumentProgress is one document: each assignee's status and span
// count, and the spans of all layers by label.
type DocumentProgress struct {
	ID        int64            `json:"id"`
	Name      string           `json:"name"`
	Assignees []AssigneeStatus `json:"assignees"`
	Spans     map[string]int   `json:"spans"`
	Gold      int              `json:"gold"`
}

// AssigneeStatus is where one assignee stands on one document.
type AssigneeStatus struct {
	User   string `json:"user"`
	Status string `json:"status"` // StatusDone, StatusInProgress or StatusNotStarted
	Spans  int    `json:"spans"`
}

// Statuses of an assignment. In progress means the assignee's layer has
// at least one span and they have not marked the document done.
const (
	StatusDone       = "done"
	StatusInProgress = "in_progress"
	StatusNotStarted = "not_started"
)

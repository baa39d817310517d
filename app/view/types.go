package view

import (
	"time"

	"gloss/shared/model"
)

// The shapes of the JSON API's answers, as the pages read them (the wasm
// cannot import the server's packages; server/internal/api defines them).

type docInfo struct {
	ID          int64  `json:"id"`
	Name        string `json:"name"`
	Chars       int    `json:"chars"`
	Annotations int    `json:"annotations"`
	Assigned    bool   `json:"assigned"`
	Done        bool   `json:"done"`
}

type projectInfo struct {
	model.Project
	Role      model.Role `json:"role"`
	Documents []docInfo  `json:"documents"`
}

type me struct {
	User      model.User    `json:"user"`
	SiteAdmin bool          `json:"site_admin"`
	CSRF      string        `json:"csrf"`
	Projects  []projectInfo `json:"projects"`
}

type account struct {
	ID        int64  `json:"id"`
	Name      string `json:"name"`
	SiteAdmin bool   `json:"site_admin"`
}

type projectEntry struct {
	ID   int64      `json:"id"`
	Name string     `json:"name"`
	Role model.Role `json:"role"`
}

type apiToken struct {
	ID      int64     `json:"id"`
	Label   string    `json:"label"`
	Created time.Time `json:"created"`
	Token   string    `json:"token"` // only when just created
}

type member struct {
	User model.User `json:"user"`
	Role model.Role `json:"role"`
}

type assignment struct {
	Doc  int64  `json:"doc"`
	User string `json:"user"`
	Done bool   `json:"done"`
}

type importResult struct {
	Documents []docInfo `json:"documents"`
	Spans     int       `json:"spans"`
}

type annotatorProgress struct {
	User       string         `json:"user"`
	Role       model.Role     `json:"role"`
	Assigned   int            `json:"assigned"`
	Done       int            `json:"done"`
	InProgress int            `json:"in_progress"`
	NotStarted int            `json:"not_started"`
	Spans      map[string]int `json:"spans"`
}

type assigneeStatus struct {
	User   string `json:"user"`
	Status string `json:"status"`
	Spans  int    `json:"spans"`
}

type documentProgress struct {
	ID        int64            `json:"id"`
	Name      string           `json:"name"`
	Assignees []assigneeStatus `json:"assignees"`
	Spans     map[string]int   `json:"spans"`
	Gold      int              `json:"gold"`
}

type progressReport struct {
	Labels     []string            `json:"labels"`
	Annotators []annotatorProgress `json:"annotators"`
	Documents  []documentProgress  `json:"documents"`
}

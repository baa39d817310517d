// Package manage holds the rules for changing projects, memberships and
// credentials. The HTTP API and the CLI both call it, so neither can skip a
// rule: a project is created together with its admin, a project keeps at
// least one admin, and every change of rights reaches the live rooms.
//
// Live rooms in this process are told directly (Live). A change made by
// another process (the CLI, another instance) reaches rooms through the
// store: the hub re-checks rights from it (see package hub).
package manage

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"gloss/server/internal/store"
	"gloss/shared/model"
)

// Live is what this process's live rooms need to hear: the hub implements
// it. A nil Live (the CLI) tells nobody in-process.
type Live interface {
	// ProjectChanged: a project's schema or members changed.
	ProjectChanged(projectID int64)
	// DisconnectUser: a user's credentials changed or were revoked; their
	// open sockets must authenticate anew.
	DisconnectUser(userID int64)
}

// Error is a refusal by a rule, with a code for the API's error body and
// a message for people.
type Error struct {
	Code string
	Msg  string
}

func (e *Error) Error() string { return e.Msg }

// ErrLastAdmin is the rule error when a change would leave a project with
// no admin; errors.Is matches it.
var ErrLastAdmin = &Error{Code: "last_admin", Msg: "this is the project's only admin: make someone else admin first"}

func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// MaxProjectName is the longest project name, in characters.
const MaxProjectName = 100

// Manager applies the rules to a store.
type Manager struct {
	st   store.Store
	live Live
}

// New returns a Manager over st; live may be nil.
func New(st store.Store, live Live) *Manager { return &Manager{st: st, live: live} }

func (m *Manager) projectChanged(id int64) {
	if m.live != nil {
		m.live.ProjectChanged(id)
	}
}

func (m *Manager) credentialsChanged(userID int64) {
	if m.live != nil {
		m.live.DisconnectUser(userID)
	}
}

// CreateProject validates name and schema and creates the project with
// admin (0 for none, from the CLI) as its admin, in one transaction.
func (m *Manager) CreateProject(ctx context.Context, name string, schema model.Schema, admin int64) (model.Project, error) {
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > MaxProjectName {
		return model.Project{}, &Error{Code: "bad_name", Msg: fmt.Sprintf("a project name is 1–%d characters", MaxProjectName)}
	}
	if schema.Relations == nil {
		schema.Relations = []string{}
	}
	if err := schema.Validate(); err != nil {
		return model.Project{}, &Error{Code: "bad_schema", Msg: err.Error()}
	}
	var admins []int64
	if admin != 0 {
		admins = append(admins, admin)
	}
	p, err := m.st.CreateProject(ctx, name, schema, admins...)
	if err != nil {
		return model.Project{}, fmt.Errorf("manage: create project: %w", err)
	}
	if err := m.st.SetProjectSettings(ctx, p.ID, model.DefaultSettings()); err != nil {
		return p, fmt.Errorf("manage: create project: settings: %w", err)
	}
	return p, nil
}

// lastAdmin reports whether userID is the project's only admin.
func (m *Manager) lastAdmin(ctx context.Context, projectID, userID int64) (bool, error) {
	ms, err := m.st.Members(ctx, projectID)
	if err != nil {
		return false, fmt.Errorf("manage: members: %w", err)
	}
	admins, isAdmin := 0, false
	for _, mb := range ms {
		if mb.Role == model.RoleAdmin {
			admins++
			isAdmin = isAdmin || mb.User.ID == userID
		}
	}
	return isAdmin && admins == 1, nil
}

// SetMember adds a member or changes their role; the project's last admin
// cannot be demoted.
func (m *Manager) SetMember(ctx context.Context, projectID, userID int64, role model.Role) error {
	if !role.Valid() {
		return &Error{Code: "bad_role", Msg: fmt.Sprintf("role %q is not admin, reviewer, annotator or viewer", role)}
	}
	if role != model.RoleAdmin {
		last, err := m.lastAdmin(ctx, projectID, userID)
		if err != nil {
			return err
		}
		if last {
			return ErrLastAdmin
		}
	}
	if err := m.st.SetMember(ctx, projectID, userID, role); err != nil {
		return fmt.Errorf("manage: set member: %w", err)
	}
	m.projectChanged(projectID)
	return nil
}

// RemoveMember ends a membership; the project's last admin cannot leave.
// A user who is not a member gives store.ErrNotFound.
func (m *Manager) RemoveMember(ctx context.Context, projectID, userID int64) error {
	last, err := m.lastAdmin(ctx, projectID, userID)
	if err != nil {
		return err
	}
	if last {
		return ErrLastAdmin
	}
	if err := m.st.RemoveMember(ctx, projectID, userID); err != nil {
		return fmt.Errorf("manage: remove member: %w", err)
	}
	m.projectChanged(projectID)
	return nil
}

// SetPassword stores a new password hash, ends the user's login sessions
// and closes their open sockets.
func (m *Manager) SetPassword(ctx context.Context, userID int64, hash []byte) error {
	if err := m.st.SetPassword(ctx, userID, hash); err != nil {
		return fmt.Errorf("manage: set password: %w", err)
	}
	if err := m.st.DeleteSessions(ctx, userID); err != nil {
		return fmt.Errorf("manage: end sessions: %w", err)
	}
	m.credentialsChanged(userID)
	return nil
}

// RevokeToken deletes an API token and closes its user's open sockets.
// A missing token gives store.ErrNotFound.
func (m *Manager) RevokeToken(ctx context.Context, id int64) error {
	t, err := m.st.APIToken(ctx, id)
	if err != nil {
		return fmt.Errorf("manage: token: %w", err)
	}
	if err := m.st.DeleteAPIToken(ctx, id); err != nil && !errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("manage: revoke token: %w", err)
	}
	m.credentialsChanged(t.UserID)
	return nil
}

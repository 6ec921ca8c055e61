package app

import (
	"context"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/sodam-chat/sodam/internal/auth"
	"github.com/sodam-chat/sodam/internal/chat"
)

// UpdateWorkspace saves a workspace's settings and routes its queue under
// the new rules.
func (a *App) UpdateWorkspace(ctx context.Context, w *chat.Workspace, by chat.Who) error {
	events, err := a.store.UpdateWorkspace(ctx, w, by)
	_, err = done(ctx, a, struct{}{}, events, err)
	return err
}

// PatchWorkspace changes a workspace as the store holds it (apply) and
// saves it.
func (a *App) PatchWorkspace(ctx context.Context, id int64, apply func(*chat.Workspace) error, by chat.Who) (*chat.Workspace, error) {
	w, events, err := a.store.PatchWorkspace(ctx, id, apply, by)
	return done(ctx, a, w, events, err)
}

// SetAgentStatus changes an agent's status in one workspace.
func (a *App) SetAgentStatus(ctx context.Context, workspaceID, agentID int64, s chat.AgentStatus) (chat.Member, error) {
	m, events, err := a.store.SetAgentStatus(ctx, workspaceID, agentID, s)
	return done(ctx, a, m, events, err)
}

// SetAgentStatusEverywhere sets an agent's status in each of their
// workspaces (logging in means being at the desk).
func (a *App) SetAgentStatusEverywhere(ctx context.Context, agentID int64, s chat.AgentStatus) ([]chat.Member, error) {
	ms, err := a.store.Memberships(ctx, agentID)
	if err != nil {
		return nil, err
	}
	for i, m := range ms {
		if !m.Active {
			continue // deactivated members stay offline
		}
		updated, err := a.SetAgentStatus(ctx, m.WorkspaceID, agentID, s)
		switch {
		case chat.ErrorCode(err) == chat.ErrMemberInactive:
			// Deactivated since the list was read: offline there, as
			// the deactivation left them; the other workspaces go on.
			ms[i].Active, ms[i].Status = false, chat.StatusOffline
		case err != nil:
			return nil, err
		default:
			ms[i] = updated
		}
	}
	return ms, nil
}

// SetCapacity sets or (nil) clears a member's capacity override.
func (a *App) SetCapacity(ctx context.Context, workspaceID, agentID int64, capacity *int, by chat.Who) (chat.Member, error) {
	m, events, err := a.store.SetCapacity(ctx, workspaceID, agentID, capacity, by)
	return done(ctx, a, m, events, err)
}

// siteIDPattern is what a site_id may look like: it appears in customer
// identifiers and embed snippets.
var siteIDPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{2,31}$`)

// defaultConsent is a new workspace's consent text (§1.1), editable in
// settings.
const defaultConsent = "상담을 위해 이름, 연락처와 대화 내용을 수집하고 상담 기록으로 보관합니다. 동의하시면 상담을 시작해 주세요.\nWe keep your name, contact and this conversation to answer you."

// NewIdentitySecret is a fresh secret that signs a workspace's logged-in
// visitors (§1.3).
func NewIdentitySecret() string {
	return strings.ToLower(auth.NewToken() + auth.NewToken())
}

// NewWorkspace makes a workspace ready to store: its name checked, its
// site_id chosen (or checked), a fresh identity secret.
func NewWorkspace(name, siteID string) (*chat.Workspace, error) {
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > 100 {
		return nil, chat.Errorf(chat.ErrInvalid, "name must be 1 to 100 characters")
	}
	if strings.ContainsFunc(name, chat.IsControlOrBidi) {
		return nil, chat.Errorf(chat.ErrInvalid, "name must be one line, without control characters")
	}
	if siteID == "" {
		siteID = strings.ToLower(auth.NewToken()[:8])
	}
	if !siteIDPattern.MatchString(siteID) {
		return nil, chat.Errorf(chat.ErrInvalid, "site_id must be 3 to 32 lower-case letters, digits or dashes")
	}
	return &chat.Workspace{
		SiteID: siteID, Name: name, ConsentText: defaultConsent, Settings: chat.DefaultSettings(),
		IdentitySecret: NewIdentitySecret(),
	}, nil
}

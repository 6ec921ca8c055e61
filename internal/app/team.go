package app

import (
	"context"

	"github.com/sodam-chat/sodam/internal/chat"
)

// UpdateMember changes a member's role or activity; a deactivated member's
// conversations go back to the queue and are routed, and their consoles'
// sockets close when the event reaches them.
func (a *App) UpdateMember(ctx context.Context, workspaceID, agentID int64, p chat.MemberPatch, by chat.Who) (chat.Member, error) {
	m, events, err := a.store.UpdateMember(ctx, workspaceID, agentID, p, by)
	return done(ctx, a, m, events, err)
}

// ArchiveWorkspace archives or restores a workspace.
func (a *App) ArchiveWorkspace(ctx context.Context, id int64, on bool, by chat.Who) (*chat.Workspace, error) {
	w, events, err := a.store.ArchiveWorkspace(ctx, id, on, by)
	return done(ctx, a, w, events, err)
}

// UpdateAgent applies an agent's edit of their own profile; a new name
// reaches their colleagues' consoles.
func (a *App) UpdateAgent(ctx context.Context, agentID int64, p chat.AgentPatch) (*chat.Agent, error) {
	ag, events, err := a.store.UpdateAgent(ctx, agentID, p)
	return done(ctx, a, ag, events, err)
}

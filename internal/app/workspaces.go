package app

import (
	"context"

	"github.com/sodam-chat/sodam/internal/chat"
)

// UpdateWorkspace saves a workspace's settings and routes its queue under
// the new rules.
func (a *App) UpdateWorkspace(ctx context.Context, w *chat.Workspace, by chat.Who) error {
	events, err := a.store.UpdateWorkspace(ctx, w, by)
	_, err = done(ctx, a, struct{}{}, events, err)
	return err
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
		if ms[i], err = a.SetAgentStatus(ctx, m.WorkspaceID, agentID, s); err != nil {
			return nil, err
		}
	}
	return ms, nil
}

// SetCapacity sets or (nil) clears a member's capacity override.
func (a *App) SetCapacity(ctx context.Context, workspaceID, agentID int64, capacity *int, by chat.Who) (chat.Member, error) {
	m, events, err := a.store.SetCapacity(ctx, workspaceID, agentID, capacity, by)
	return done(ctx, a, m, events, err)
}

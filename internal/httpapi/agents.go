package httpapi

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/sodam-chat/sodam/internal/chat"
)

func (s *Server) listAgents(w http.ResponseWriter, r *http.Request) error {
	ms, err := s.store.Members(r.Context(), memberOf(r).WorkspaceID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, nonNil(ms))
	return nil
}

func (s *Server) setStatus(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Status chat.AgentStatus `json:"status"`
	}
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if err := needSession(r); err != nil {
		return err
	}
	m := memberOf(r)
	updated, err := s.app.SetAgentStatus(r.Context(), m.WorkspaceID, m.AgentID, req.Status)
	if err != nil {
		return err
	}
	// Coming back (online or away) with no console open there still ends
	// in offline once the timer runs out (§3.1); a console renews it.
	if updated.Status != chat.StatusOffline {
		if err := s.scheduleOffline(r.Context(), m.WorkspaceID, m.AgentID); err != nil {
			return err
		}
	}
	writeJSON(w, http.StatusOK, updated)
	return nil
}

type capacityRequest struct {
	// Capacity is the override; null falls back to the workspace default.
	Capacity *int `json:"capacity"`
}

func (s *Server) setCapacity(w http.ResponseWriter, r *http.Request) error {
	var req capacityRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	aid, err := pathID(r, "aid")
	if err != nil {
		return err
	}
	m, err := s.app.SetCapacity(r.Context(), memberOf(r).WorkspaceID, aid, req.Capacity, who(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, m)
	return nil
}

// presenceEvery is how often a console connection renews its agent's
// auto-offline timer.
const presenceEvery = 30 * time.Second

// scheduleOffline (re)starts agentID's auto-offline timer in a workspace:
// the job takes them offline there after the workspace's auto-offline
// minutes, unless a console connection to that workspace pushes it on
// first (keepPresence). The job lives in the store, so whichever node
// runs jobs fires it, and it fires also if this node dies.
func (s *Server) scheduleOffline(ctx context.Context, workspaceID, agentID int64) error {
	ws, err := s.store.Workspace(ctx, workspaceID)
	if err != nil {
		return err
	}
	due := s.now().Add(time.Duration(ws.Settings.AutoOfflineMinutes) * time.Minute)
	return s.store.ScheduleJob(ctx, chat.Job{Kind: chat.JobOffline, WorkspaceID: workspaceID, RefID: agentID, DueAt: due})
}

// keepPresence pushes the agent's auto-offline job forward while ctx lives
// and once more when it ends: when every console has been gone for the
// workspace's auto-offline minutes, the job takes the agent offline (§3.1).
// Each round also checks that the login still stands, and ends the socket
// (end) when it does not: a password change closes the sockets of the
// sessions it ended at once (endSockets), and this catches one whose
// signal was lost.
func (s *Server) keepPresence(ctx context.Context, m *chat.Member, session string, end func()) {
	renew := func(ctx context.Context) {
		if err := s.scheduleOffline(ctx, m.WorkspaceID, m.AgentID); err != nil {
			s.log.Warn("presence", slog.Any("err", err))
		}
	}
	renew(ctx)
	tick := time.NewTicker(presenceEvery)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			// Count the absence from the moment the socket went away.
			ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			renew(ctx)
			cancel()
			return
		case <-tick.C:
			if _, err := s.store.Session(ctx, session, s.now()); chat.ErrorCode(err) == chat.ErrUnauthorized {
				end()
				continue
			}
			renew(ctx)
		}
	}
}

// agentRoutes are the agents and their status routes.
func (s *Server) agentRoutes() []route {
	return []route{
		{pattern: "GET /api/v1/workspaces/{wid}/agents", access: member, h: s.listAgents, api: true},
		{pattern: "PUT /api/v1/workspaces/{wid}/me/status", access: member, h: s.setStatus, api: true},
		{pattern: "PUT /api/v1/workspaces/{wid}/agents/{aid}/capacity", access: member, minRole: chat.RoleManager, h: s.setCapacity, api: true, audit: chat.AuditCapacity},
	}
}

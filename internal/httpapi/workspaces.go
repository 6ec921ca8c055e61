package httpapi

import (
	"bytes"
	"fmt"
	"html"
	"io"
	"net/http"

	"github.com/sodam-chat/sodam/internal/app"
	"github.com/sodam-chat/sodam/internal/chat"
)

// workspaceView is a workspace as the console sees it; the identity secret
// is shown to masters only.
type workspaceView struct {
	*chat.Workspace
	IdentitySecret string `json:"identity_secret,omitempty"`
}

func (s *Server) workspace(r *http.Request) (*chat.Workspace, error) {
	return s.store.Workspace(r.Context(), memberOf(r).WorkspaceID)
}

func (s *Server) viewWorkspace(r *http.Request, ws *chat.Workspace) workspaceView {
	v := workspaceView{Workspace: ws}
	if memberOf(r).Role == chat.RoleMaster {
		v.IdentitySecret = ws.IdentitySecret
	}
	return v
}

func (s *Server) getWorkspace(w http.ResponseWriter, r *http.Request) error {
	ws, err := s.workspace(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.viewWorkspace(r, ws))
	return nil
}

func (s *Server) patchWorkspace(w http.ResponseWriter, r *http.Request) error {
	// The body is checked for its shape first, then applied to the
	// workspace as the write holds it: the settings a patch names replace
	// the current ones and the rest stay, a change committed meanwhile
	// included (it was undone when the patch was applied to the workspace
	// as this request had read it).
	var body bytes.Buffer
	r.Body = io.NopCloser(io.TeeReader(r.Body, &body))
	if err := decode(w, r, &chat.WorkspacePatch{Settings: &chat.Settings{}}); err != nil {
		return err
	}
	return s.saveWorkspace(w, r, func(ws *chat.Workspace) error {
		before := ws.Settings.PII
		p := chat.WorkspacePatch{Settings: &ws.Settings}
		if err := decodeStrict(bytes.NewReader(body.Bytes()), &p); err != nil {
			return err
		}
		if err := p.Apply(ws); err != nil {
			return err
		}
		// Who may see or restore a masked original is a master's to
		// say: a manager who could change it would undo a master's
		// "masters only" for themselves, or hand the right to agents. The
		// roles as they are may be sent back (the settings card does).
		after := ws.Settings.PII
		if memberOf(r).Role != chat.RoleMaster && (after.ViewRole != before.ViewRole || after.RestoreRole != before.RestoreRole) {
			return chat.Errorf(chat.ErrRoleRequired, "only a master changes who may see or restore masked originals (settings.pii.view_role, restore_role)")
		}
		return nil
	})
}

// saveWorkspace changes the workspace as the store holds it (apply) and
// answers with it. The widget's cached view of it is dropped either way.
func (s *Server) saveWorkspace(w http.ResponseWriter, r *http.Request, apply func(*chat.Workspace) error) error {
	wid := memberOf(r).WorkspaceID
	ws, err := s.app.PatchWorkspace(r.Context(), wid, apply, who(r))
	s.visitors.forget(wid)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.viewWorkspace(r, ws))
	return nil
}

// rotateIdentitySecret replaces the identity secret; visitors signed with
// the old one are refused from then on. The answer is the workspace with
// the new secret, as masters see it.
func (s *Server) rotateIdentitySecret(w http.ResponseWriter, r *http.Request) error {
	secret := app.NewIdentitySecret()
	return s.saveWorkspace(w, r, func(ws *chat.Workspace) error {
		ws.IdentitySecret = secret
		return nil
	})
}

type embedResponse struct {
	SiteID    string `json:"site_id"`
	WidgetURL string `json:"widget_url"`
	Snippet   string `json:"snippet"`
}

func (s *Server) embed(w http.ResponseWriter, r *http.Request) error {
	ws, err := s.workspace(r)
	if err != nil {
		return err
	}
	src := s.cfg.BaseURL + "/widget.js"
	writeJSON(w, http.StatusOK, embedResponse{
		SiteID: ws.SiteID, WidgetURL: src,
		Snippet: fmt.Sprintf(`<script src="%s" data-site-id="%s" async></script>`, html.EscapeString(src), html.EscapeString(ws.SiteID)),
	})
	return nil
}

// workspaceRoutes are the workspace settings routes.
func (s *Server) workspaceRoutes() []route {
	return []route{
		{pattern: "GET /api/v1/workspaces/{wid}", access: member, h: s.getWorkspace, api: true},
		{pattern: "PATCH /api/v1/workspaces/{wid}", access: member, minRole: chat.RoleManager, h: s.patchWorkspace, api: true, audit: chat.AuditWorkspaceUpdate},
		{pattern: "POST /api/v1/workspaces/{wid}/identity-secret", access: member, minRole: chat.RoleMaster, h: s.rotateIdentitySecret, api: true, audit: chat.AuditSecretRotate, noBody: true},
		{pattern: "GET /api/v1/workspaces/{wid}/embed", access: member, h: s.embed, api: true},
		{pattern: "GET /api/v1/workspaces/{wid}/refused-origins", access: member, minRole: chat.RoleManager, h: s.refusedOrigins, api: true},
	}
}

// listWorkspaces lists the caller's workspaces; an owner's list is every
// workspace of the installation, archived ones included.
func (s *Server) listWorkspaces(w http.ResponseWriter, r *http.Request) error {
	a := agentOf(r).agent
	var out []chat.Workspace
	if a.Owner {
		all, err := s.store.AllWorkspaces(r.Context())
		if err != nil {
			return err
		}
		out = all
	} else {
		ms, err := s.store.Memberships(r.Context(), a.ID)
		if err != nil {
			return err
		}
		for _, m := range ms {
			if !m.Active {
				continue
			}
			ws, err := s.store.Workspace(r.Context(), m.WorkspaceID)
			if err != nil {
				return err
			}
			out = append(out, *ws)
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"workspaces": nonNil(out)})
	return nil
}

type newWorkspaceRequest struct {
	Name   string `json:"name"`
	SiteID string `json:"site_id"`
}

// createWorkspace makes a workspace whose first master is the owner who
// made it.
func (s *Server) createWorkspace(w http.ResponseWriter, r *http.Request) error {
	var req newWorkspaceRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	ws, err := app.NewWorkspace(req.Name, req.SiteID)
	if err != nil {
		return err
	}
	if err := s.store.CreateWorkspaceWith(r.Context(), ws, agentOf(r).agent.ID, who(r)); err != nil {
		return err
	}
	// The owner who made it is at their console: online there as everywhere.
	if _, err := s.app.SetAgentStatus(r.Context(), ws.ID, agentOf(r).agent.ID, chat.StatusOnline); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, ws)
	return nil
}

func (s *Server) archiveWorkspace(w http.ResponseWriter, r *http.Request) error {
	wid, err := pathID(r, "wid")
	if err != nil {
		return err
	}
	var req struct {
		Archived *bool `json:"archived"`
	}
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if req.Archived == nil {
		return chat.Errorf(chat.ErrInvalid, "archived (true or false) is required")
	}
	ws, err := s.app.ArchiveWorkspace(r.Context(), wid, *req.Archived, who(r))
	s.visitors.forget(wid)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, ws)
	return nil
}

// listAllAgents lists the installation's logins, for owners.
func (s *Server) listAllAgents(w http.ResponseWriter, r *http.Request) error {
	all, err := s.store.AllAgents(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"agents": nonNil(all)})
	return nil
}

func (s *Server) setOwner(w http.ResponseWriter, r *http.Request) error {
	aid, err := pathID(r, "aid")
	if err != nil {
		return err
	}
	var req struct {
		Owner *bool `json:"owner"`
	}
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if req.Owner == nil {
		return chat.Errorf(chat.ErrInvalid, "owner (true or false) is required")
	}
	a, err := s.store.SetOwner(r.Context(), aid, *req.Owner, who(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a)
	return nil
}

// refusedOrigins lists the origins the widget was recently refused from,
// so that a missing or mistyped allowed origin shows.
func (s *Server) refusedOrigins(w http.ResponseWriter, r *http.Request) error {
	list, err := s.store.RefusedOrigins(r.Context(), memberOf(r).WorkspaceID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"origins": nonNil(list)})
	return nil
}

// installationRoutes are the installation owners' routes.
func (s *Server) installationRoutes() []route {
	return []route{
		{pattern: "GET /api/v1/workspaces", access: agent, h: s.listWorkspaces, api: true},
		{pattern: "POST /api/v1/workspaces", access: owner, h: s.createWorkspace, api: true, audit: chat.AuditWorkspaceCreate},
		{pattern: "POST /api/v1/workspaces/{wid}/archive", access: owner, h: s.archiveWorkspace, api: true, audit: chat.AuditWorkspaceArchive},
		{pattern: "GET /api/v1/agents", access: owner, h: s.listAllAgents, api: true},
		{pattern: "PUT /api/v1/agents/{aid}/owner", access: owner, h: s.setOwner, api: true, audit: chat.AuditOwnerGrant},
	}
}

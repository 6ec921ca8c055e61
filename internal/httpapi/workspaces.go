package httpapi

import (
	"fmt"
	"html"
	"net/http"

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
	ws, err := s.workspace(r)
	if err != nil {
		return err
	}
	// The settings a patch names replace the current ones; the rest stay.
	settings := ws.Settings
	p := chat.WorkspacePatch{Settings: &settings}
	if err := decode(w, r, &p); err != nil {
		return err
	}
	if err := p.Apply(ws); err != nil {
		return err
	}
	if err := s.app.UpdateWorkspace(r.Context(), ws, who(r)); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.viewWorkspace(r, ws))
	return nil
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
		{pattern: "PATCH /api/v1/workspaces/{wid}", access: member, minRole: chat.RoleManager, h: s.patchWorkspace, api: true},
		{pattern: "GET /api/v1/workspaces/{wid}/embed", access: member, h: s.embed, api: true},
	}
}

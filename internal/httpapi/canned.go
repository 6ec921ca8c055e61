package httpapi

import (
	"net/http"

	"github.com/sodam-chat/sodam/internal/chat"
)

// listCanned searches the canned responses the member may use; with
// conversation_id their variables are filled for that conversation, one
// the member may read (mayRead).
func (s *Server) listCanned(w http.ResponseWriter, r *http.Request) error {
	m := memberOf(r)
	ctx := r.Context()
	q := r.URL.Query()
	if err := checkParam("q", q.Get("q")); err != nil {
		return err
	}
	var vars *chat.CannedVars
	if v := q.Get("conversation_id"); v != "" {
		id, err := parseID(v, "conversation_id")
		if err != nil {
			return err
		}
		c, err := s.store.Conversation(ctx, m.WorkspaceID, id)
		if err != nil {
			return err
		}
		// Whoever may read it: an agent a note mentioned writes notes there.
		if ok, err := s.mayRead(r, c); err != nil {
			return err
		} else if !ok {
			return chat.Errorf(chat.ErrConversationNotFound, "no such conversation")
		}
		cu, err := s.store.Customer(ctx, m.WorkspaceID, c.CustomerID)
		if err != nil {
			return err
		}
		ws, err := s.workspace(r)
		if err != nil {
			return err
		}
		// In the language the widget speaks to this customer.
		vars = &chat.CannedVars{CustomerName: cu.Name, AgentName: m.Name, RoomNo: c.RoomNo, Language: ws.Settings.Widget.WidgetLanguage(cu.Language)}
	}
	all, err := s.store.CannedResponses(ctx, m.WorkspaceID, m.AgentID)
	if err != nil {
		return err
	}
	found := chat.SearchCanned(all, q.Get("q"))
	if vars != nil {
		for i := range found {
			found[i].Text = vars.Fill(found[i].Body)
		}
	}
	writeJSON(w, http.StatusOK, nonNil(found))
	return nil
}

type cannedRequest struct {
	Title  string `json:"title"`
	Body   string `json:"body"`
	Shared bool   `json:"shared"`
}

func (s *Server) createCanned(w http.ResponseWriter, r *http.Request) error {
	var req cannedRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	m := memberOf(r)
	c := &chat.Canned{WorkspaceID: m.WorkspaceID, OwnerID: m.AgentID, Title: req.Title, Body: req.Body}
	if req.Shared {
		if !m.Role.SeesAll() {
			return chat.Errorf(chat.ErrRoleRequired, "only managers and masters add shared canned responses")
		}
		c.OwnerID = 0
	}
	if err := s.store.CreateCanned(r.Context(), c, who(r)); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, c)
	return nil
}

func (s *Server) updateCanned(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Title string `json:"title"`
		Body  string `json:"body"`
	}
	if err := decode(w, r, &req); err != nil {
		return err
	}
	id, err := pathID(r, "canned")
	if err != nil {
		return err
	}
	c, err := s.store.UpdateCanned(r.Context(), memberOf(r).WorkspaceID, id, actorOf(r), req.Title, req.Body, who(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (s *Server) deleteCanned(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "canned")
	if err != nil {
		return err
	}
	if err := s.store.DeleteCanned(r.Context(), memberOf(r).WorkspaceID, id, actorOf(r), who(r)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) favouriteCanned(w http.ResponseWriter, r *http.Request) error {
	var req toggleRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if req.On == nil {
		return chat.Errorf(chat.ErrInvalid, "on (true or false) is required")
	}
	id, err := pathID(r, "canned")
	if err != nil {
		return err
	}
	m := memberOf(r)
	if err := s.store.SetCannedFavourite(r.Context(), m.WorkspaceID, id, m.AgentID, *req.On); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// cannedRoutes are the canned-response routes.
func (s *Server) cannedRoutes() []route {
	return []route{
		{pattern: "GET /api/v1/workspaces/{wid}/canned", access: member, h: s.listCanned, api: true},
		{pattern: "POST /api/v1/workspaces/{wid}/canned", access: member, h: s.createCanned, api: true, audit: chat.AuditCannedCreate},
		{pattern: "PATCH /api/v1/workspaces/{wid}/canned/{canned}", access: member, h: s.updateCanned, api: true, audit: chat.AuditCannedUpdate},
		{pattern: "DELETE /api/v1/workspaces/{wid}/canned/{canned}", access: member, h: s.deleteCanned, api: true, audit: chat.AuditCannedDelete},
		{pattern: "PUT /api/v1/workspaces/{wid}/canned/{canned}/favourite", access: member, h: s.favouriteCanned, api: true},
	}
}

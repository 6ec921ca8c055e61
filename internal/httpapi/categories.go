package httpapi

import (
	"net/http"

	"github.com/sodam-chat/sodam/internal/chat"
)

func (s *Server) listCategories(w http.ResponseWriter, r *http.Request) error {
	cs, err := s.store.Categories(r.Context(), memberOf(r).WorkspaceID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, cs)
	return nil
}

func (s *Server) createCategory(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		ParentID int64  `json:"parent_id"`
		Name     string `json:"name"`
	}
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if req.ParentID < 0 {
		return chat.Errorf(chat.ErrInvalid, "parent_id must be a category or 0 for the top level")
	}
	c, err := s.store.CreateCategory(r.Context(), memberOf(r).WorkspaceID, req.ParentID, req.Name, who(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, c)
	return nil
}

func (s *Server) renameCategory(w http.ResponseWriter, r *http.Request) error {
	var req nameRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	id, err := pathID(r, "cat")
	if err != nil {
		return err
	}
	c, err := s.store.RenameCategory(r.Context(), memberOf(r).WorkspaceID, id, req.Name, who(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (s *Server) deleteCategory(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "cat")
	if err != nil {
		return err
	}
	if err := s.store.DeleteCategory(r.Context(), memberOf(r).WorkspaceID, id, who(r)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// categoryRoutes are the category routes.
func (s *Server) categoryRoutes() []route {
	return []route{
		{pattern: "GET /api/v1/workspaces/{wid}/categories", access: member, h: s.listCategories, api: true},
		{pattern: "POST /api/v1/workspaces/{wid}/categories", access: member, minRole: chat.RoleManager, h: s.createCategory, api: true, audit: chat.AuditCategoryCreate},
		{pattern: "PATCH /api/v1/workspaces/{wid}/categories/{cat}", access: member, minRole: chat.RoleManager, h: s.renameCategory, api: true, audit: chat.AuditCategoryRename},
		{pattern: "DELETE /api/v1/workspaces/{wid}/categories/{cat}", access: member, minRole: chat.RoleManager, h: s.deleteCategory, api: true, audit: chat.AuditCategoryDelete},
	}
}

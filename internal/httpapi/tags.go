package httpapi

import (
	"net/http"

	"github.com/sodam-chat/sodam/internal/chat"
)

func tagKindParam(v string) (chat.TagKind, error) {
	k := chat.TagKind(v)
	if !k.Valid() {
		return "", chat.Errorf(chat.ErrInvalid, "kind must be customer or conversation")
	}
	return k, nil
}

func (s *Server) listTags(w http.ResponseWriter, r *http.Request) error {
	kind, err := tagKindParam(r.URL.Query().Get("kind"))
	if err != nil {
		return err
	}
	tags, err := s.store.Tags(r.Context(), memberOf(r).WorkspaceID, kind)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, tags)
	return nil
}

type nameRequest struct {
	Name string `json:"name"`
}

func (s *Server) createTag(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Kind string `json:"kind"`
		Name string `json:"name"`
	}
	if err := decode(w, r, &req); err != nil {
		return err
	}
	kind, err := tagKindParam(req.Kind)
	if err != nil {
		return err
	}
	tag, err := s.store.CreateTag(r.Context(), memberOf(r).WorkspaceID, kind, req.Name, who(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, tag)
	return nil
}

func (s *Server) renameTag(w http.ResponseWriter, r *http.Request) error {
	var req nameRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	id, err := pathID(r, "tag")
	if err != nil {
		return err
	}
	tag, err := s.store.RenameTag(r.Context(), memberOf(r).WorkspaceID, id, req.Name, who(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, tag)
	return nil
}

func (s *Server) deleteTag(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "tag")
	if err != nil {
		return err
	}
	if err := s.store.DeleteTag(r.Context(), memberOf(r).WorkspaceID, id, who(r)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// tagRoutes are the tag routes.
func (s *Server) tagRoutes() []route {
	return []route{
		{pattern: "GET /api/v1/workspaces/{wid}/tags", access: member, h: s.listTags, api: true},
		{pattern: "POST /api/v1/workspaces/{wid}/tags", access: member, minRole: chat.RoleManager, h: s.createTag, api: true, audit: chat.AuditTagCreate},
		{pattern: "PATCH /api/v1/workspaces/{wid}/tags/{tag}", access: member, minRole: chat.RoleManager, h: s.renameTag, api: true, audit: chat.AuditTagRename},
		{pattern: "DELETE /api/v1/workspaces/{wid}/tags/{tag}", access: member, minRole: chat.RoleManager, h: s.deleteTag, api: true, audit: chat.AuditTagDelete},
	}
}

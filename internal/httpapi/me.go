package httpapi

import (
	"net/http"

	"github.com/sodam-chat/sodam/internal/auth"
	"github.com/sodam-chat/sodam/internal/chat"
)

// The caller's own account: who they are, their profile, their password.

func (s *Server) me(w http.ResponseWriter, r *http.Request) error {
	a := agentOf(r)
	ms, err := s.store.Memberships(r.Context(), a.agent.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, meResponse{Agent: a.agent, Memberships: nonNil(ms), CSRFToken: a.session.CSRFToken})
	return nil
}

// patchMe edits the caller's own profile: display name and language.
func (s *Server) patchMe(w http.ResponseWriter, r *http.Request) error {
	var p chat.AgentPatch
	if err := decode(w, r, &p); err != nil {
		return err
	}
	a, err := s.app.UpdateAgent(r.Context(), agentOf(r).agent.ID, p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a)
	return nil
}

type passwordChange struct {
	CurrentPassword string `json:"current_password"`
	NewPassword     string `json:"new_password"`
}

// changePassword replaces the caller's password (the current one
// required); their other sessions end.
func (s *Server) changePassword(w http.ResponseWriter, r *http.Request) error {
	var req passwordChange
	if err := decode(w, r, &req); err != nil {
		return err
	}
	a := agentOf(r)
	ok, err := s.checkPassword(w, r, a.agent.Email, a.agent, req.CurrentPassword)
	if err != nil {
		return err
	}
	if !ok {
		return chat.Errorf(chat.ErrInvalidCredentials, "the current password is wrong")
	}
	if err := auth.CheckNewPassword(req.NewPassword, a.agent.Email, a.agent.Name); err != nil {
		return err
	}
	hash, err := s.hasher.Hash(r.Context(), req.NewPassword)
	if err != nil {
		return err
	}
	ended, err := s.store.SetPassword(r.Context(), a.agent.ID, hash, a.session.TokenHash, who(r))
	if err != nil {
		return err
	}
	s.endSockets(r.Context(), a.agent.ID, ended...)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) meRoutes() []route {
	return []route{
		{pattern: "GET /api/v1/me", access: agent, h: s.me, api: true},
		{pattern: "PATCH /api/v1/me", access: agent, h: s.patchMe, api: true},
		{pattern: "PUT /api/v1/me/password", access: agent, h: s.changePassword, api: true},
	}
}

package httpapi

import (
	"net/http"
	"time"

	"github.com/sodam-chat/sodam/internal/auth"
	"github.com/sodam-chat/sodam/internal/chat"
)

// API tokens (§10.4): per workspace, made and revoked by masters signed in
// at the console (never by a token: needSession), shown once.

// tokenPrefix marks Sodam's API tokens, so secret scanners and people can
// tell one apart from other strings.
const tokenPrefix = "sodam_"

type apiTokenRequest struct {
	Name      string       `json:"name"`
	Scopes    []chat.Scope `json:"scopes"`
	ExpiresAt *time.Time   `json:"expires_at"`
}

type newAPIToken struct {
	chat.APIToken
	Token string `json:"token"`
}

func (s *Server) createAPIToken(w http.ResponseWriter, r *http.Request) error {
	if err := needSession(r); err != nil {
		return err
	}
	var req apiTokenRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	tok := &chat.APIToken{WorkspaceID: memberOf(r).WorkspaceID, Name: req.Name, Scopes: req.Scopes, ExpiresAt: req.ExpiresAt}
	if err := chat.CheckAPIToken(tok, s.now()); err != nil {
		return err
	}
	secret := tokenPrefix + auth.NewToken()
	if err := s.store.CreateAPIToken(r.Context(), tok, auth.HashToken(secret), who(r)); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, newAPIToken{APIToken: *tok, Token: secret})
	return nil
}

func (s *Server) listAPITokens(w http.ResponseWriter, r *http.Request) error {
	list, err := s.store.APITokens(r.Context(), memberOf(r).WorkspaceID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"tokens": nonNil(list)})
	return nil
}

func (s *Server) revokeAPIToken(w http.ResponseWriter, r *http.Request) error {
	if err := needSession(r); err != nil {
		return err
	}
	id, err := pathID(r, "tid")
	if err != nil {
		return err
	}
	tok, err := s.store.RevokeAPIToken(r.Context(), memberOf(r).WorkspaceID, id, who(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, tok)
	return nil
}

func (s *Server) apiTokenRoutes() []route {
	return []route{
		{pattern: "POST /api/v1/workspaces/{wid}/api-tokens", access: member, minRole: chat.RoleMaster, h: s.createAPIToken, api: true, audit: chat.AuditTokenCreate},
		{pattern: "GET /api/v1/workspaces/{wid}/api-tokens", access: member, minRole: chat.RoleMaster, h: s.listAPITokens, api: true},
		{pattern: "DELETE /api/v1/workspaces/{wid}/api-tokens/{tid}", access: member, minRole: chat.RoleMaster, h: s.revokeAPIToken, api: true, audit: chat.AuditTokenRevoke},
	}
}

package httpapi

import (
	"net/http"
	"net/url"
	"time"

	"github.com/sodam-chat/sodam/internal/auth"
	"github.com/sodam-chat/sodam/internal/chat"
)

// Team administration (§0, §13): invitations, members' roles and activity,
// password reset links.

type invitationRequest struct {
	Email string    `json:"email"`
	Name  string    `json:"name"`
	Role  chat.Role `json:"role"`
}

// invitationView is an invitation with its status; right after it is made
// or resent it also carries the link (the only time the secret is shown).
type invitationView struct {
	chat.Invitation
	Status    chat.InvitationStatus `json:"status"`
	InviteURL string                `json:"invite_url,omitempty"`
	Emailed   *bool                 `json:"emailed,omitempty"`
}

func (s *Server) inviteURL(token string) string {
	return s.cfg.BaseURL + "/console/invite?" + url.Values{"token": {token}}.Encode()
}

func (s *Server) createInvitation(w http.ResponseWriter, r *http.Request) error {
	var req invitationRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	email, err := chat.CleanEmail(req.Email)
	if err != nil {
		return err
	}
	name, err := chat.CleanAgentName(req.Name)
	if err != nil {
		return err
	}
	if err := chat.CanGrant(memberOf(r).Role, req.Role); err != nil {
		return err
	}
	token := auth.NewToken()
	inv := &chat.Invitation{WorkspaceID: memberOf(r).WorkspaceID, Email: email, Name: name, Role: req.Role, ExpiresAt: s.now().Add(s.cfg.InviteTTL)}
	if err := s.store.CreateInvitation(r.Context(), inv, auth.HashToken(token), who(r)); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, s.sentInvitation(r, inv, token))
	return nil
}

// sentInvitation emails a new invitation link when SMTP is configured and
// returns what the inviter sees: always the link to copy.
func (s *Server) sentInvitation(r *http.Request, inv *chat.Invitation, token string) invitationView {
	link := s.inviteURL(token)
	emailed := s.mail.Invitation(r.Context(), inv, link, memberOf(r).Name, s.location(r))
	return invitationView{Invitation: *inv, Status: inv.Status(s.now()), InviteURL: link, Emailed: &emailed}
}

func (s *Server) listInvitations(w http.ResponseWriter, r *http.Request) error {
	page, err := pageOf(r)
	if err != nil {
		return err
	}
	f := chat.InvitationFilter{Page: probe(page)}
	switch status := r.URL.Query().Get("status"); status {
	case "open":
		f.Open = true
	case "", "all":
	default:
		return chat.Errorf(chat.ErrInvalid, "status must be open or all")
	}
	list, err := s.store.Invitations(r.Context(), memberOf(r).WorkspaceID, f)
	if err != nil {
		return err
	}
	list, next := nextPage(list, page, func(inv chat.Invitation) chat.Cursor { return byID(inv.ID) })
	out := make([]invitationView, len(list))
	for i, inv := range list {
		out[i] = invitationView{Invitation: inv, Status: inv.Status(s.now())}
	}
	writeJSON(w, http.StatusOK, map[string]any{"invitations": out, "next_cursor": next})
	return nil
}

func (s *Server) resendInvitation(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "iid")
	if err != nil {
		return err
	}
	token := auth.NewToken()
	inv, err := s.store.ResendInvitation(r.Context(), memberOf(r).WorkspaceID, id, auth.HashToken(token), s.now().Add(s.cfg.InviteTTL), who(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.sentInvitation(r, inv, token))
	return nil
}

func (s *Server) revokeInvitation(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "iid")
	if err != nil {
		return err
	}
	inv, err := s.store.RevokeInvitation(r.Context(), memberOf(r).WorkspaceID, id, who(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, invitationView{Invitation: *inv, Status: inv.Status(s.now())})
	return nil
}

type tokenRequest struct {
	Token string `json:"token"`
}

type invitationLookup struct {
	Email         string    `json:"email"`
	Name          string    `json:"name"`
	Role          chat.Role `json:"role"`
	WorkspaceName string    `json:"workspace_name"`
	ExistingLogin bool      `json:"existing_login"`
}

// usableInvitation finds a pending invitation by its token.
func (s *Server) usableInvitation(r *http.Request, token string) (*chat.Invitation, error) {
	if token == "" {
		return nil, chat.Errorf(chat.ErrInvalid, "token is required")
	}
	inv, err := s.store.InvitationByToken(r.Context(), auth.HashToken(token))
	if err != nil {
		return nil, err
	}
	if err := inv.Usable(s.now()); err != nil {
		return nil, err
	}
	return inv, nil
}

// lookupInvitation tells the accept screen whom the invitation is for.
func (s *Server) lookupInvitation(w http.ResponseWriter, r *http.Request) error {
	var req tokenRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	inv, err := s.usableInvitation(r, req.Token)
	if err != nil {
		return err
	}
	ws, err := s.store.Workspace(r.Context(), inv.WorkspaceID)
	if err != nil {
		return err
	}
	_, err = s.store.AgentByEmail(r.Context(), inv.Email)
	existing := err == nil
	if err != nil && chat.ErrorCode(err) != chat.ErrAgentNotFound {
		return err
	}
	writeJSON(w, http.StatusOK, invitationLookup{Email: inv.Email, Name: inv.Name, Role: inv.Role, WorkspaceName: ws.Name, ExistingLogin: existing})
	return nil
}

type acceptRequest struct {
	Token    string `json:"token"`
	Password string `json:"password"`
	Name     string `json:"name"`
}

// acceptInvitation joins the workspace: a new login chooses its password;
// an existing one proves itself with its password. Then it is signed in.
func (s *Server) acceptInvitation(w http.ResponseWriter, r *http.Request) error {
	if err := refuseCrossSite(r); err != nil {
		return err
	}
	var req acceptRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	inv, err := s.usableInvitation(r, req.Token)
	if err != nil {
		return err
	}
	var newAgent *chat.Agent
	existing, err := s.store.AgentByEmail(r.Context(), inv.Email)
	switch {
	case err == nil:
		// The login limits hold here as at sign-in: whoever holds the
		// link must not get unlimited guesses at the login's password.
		ok, err := s.checkPassword(w, r, inv.Email, existing, req.Password)
		if err != nil {
			return err
		}
		if !ok {
			return chat.Errorf(chat.ErrInvalidCredentials, "enter the password of your existing Sodam login %s", inv.Email)
		}
	case chat.ErrorCode(err) == chat.ErrAgentNotFound:
		name := inv.Name
		if req.Name != "" {
			if name, err = chat.CleanAgentName(req.Name); err != nil {
				return err
			}
		}
		if err := auth.CheckNewPassword(req.Password, inv.Email, name); err != nil {
			return err
		}
		hash, err := s.hasher.Hash(r.Context(), req.Password)
		if err != nil {
			return err
		}
		newAgent = &chat.Agent{Name: name, PasswordHash: hash}
	default:
		return err
	}
	a, _, err := s.store.AcceptInvitation(r.Context(), auth.HashToken(req.Token), newAgent, clientIP(r))
	if err != nil {
		return err
	}
	return s.startSession(w, r, a)
}

func (s *Server) patchMember(w http.ResponseWriter, r *http.Request) error {
	aid, err := pathID(r, "aid")
	if err != nil {
		return err
	}
	var p chat.MemberPatch
	if err := decode(w, r, &p); err != nil {
		return err
	}
	if p.Role == nil && p.Active == nil {
		return chat.Errorf(chat.ErrInvalid, "send role or active")
	}
	if p.Role != nil {
		if err := chat.CanGrant(memberOf(r).Role, *p.Role); err != nil {
			return err
		}
	}
	m, err := s.app.UpdateMember(r.Context(), memberOf(r).WorkspaceID, aid, p, who(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, m)
	return nil
}

type resetLink struct {
	ResetURL  string    `json:"reset_url"`
	ExpiresAt time.Time `json:"expires_at"`
	Emailed   bool      `json:"emailed"`
}

// createPasswordReset makes a single-use link for a member to choose a new
// password; a master gives it to them (and it is emailed when SMTP is set).
func (s *Server) createPasswordReset(w http.ResponseWriter, r *http.Request) error {
	aid, err := pathID(r, "aid")
	if err != nil {
		return err
	}
	wid := memberOf(r).WorkspaceID
	m, err := s.store.Member(r.Context(), wid, aid)
	if err != nil {
		return err
	}
	token := auth.NewToken()
	exp := s.now().Add(chat.DefaultResetTTL)
	if err := s.store.CreatePasswordReset(r.Context(), wid, aid, auth.HashToken(token), exp, who(r)); err != nil {
		return err
	}
	link := s.cfg.BaseURL + "/console/reset?" + url.Values{"token": {token}}.Encode()
	emailed := s.mail.PasswordReset(r.Context(), m.Email, m.Name, link)
	writeJSON(w, http.StatusCreated, resetLink{ResetURL: link, ExpiresAt: exp, Emailed: emailed})
	return nil
}

type passwordResetRequest struct {
	Token    string `json:"token"`
	Password string `json:"password"`
}

// usePasswordReset sets a new password through a reset link and signs in.
func (s *Server) usePasswordReset(w http.ResponseWriter, r *http.Request) error {
	if err := refuseCrossSite(r); err != nil {
		return err
	}
	var req passwordResetRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if req.Token == "" {
		return chat.Errorf(chat.ErrInvalid, "token is required")
	}
	a, err := s.store.PasswordResetAgent(r.Context(), auth.HashToken(req.Token))
	if err != nil {
		return err
	}
	if err := auth.CheckNewPassword(req.Password, a.Email, a.Name); err != nil {
		return err
	}
	hash, err := s.hasher.Hash(r.Context(), req.Password)
	if err != nil {
		return err
	}
	a, ended, err := s.store.UsePasswordReset(r.Context(), auth.HashToken(req.Token), hash, clientIP(r))
	if err != nil {
		return err
	}
	s.endSockets(r.Context(), a.ID, ended...)
	return s.startSession(w, r, a)
}

func (s *Server) teamRoutes() []route {
	return []route{
		{pattern: "POST /api/v1/workspaces/{wid}/invitations", access: member, minRole: chat.RoleMaster, h: s.createInvitation, api: true, audit: chat.AuditInvite},
		{pattern: "GET /api/v1/workspaces/{wid}/invitations", access: member, minRole: chat.RoleMaster, h: s.listInvitations, api: true},
		{pattern: "POST /api/v1/workspaces/{wid}/invitations/{iid}/resend", access: member, minRole: chat.RoleMaster, h: s.resendInvitation, api: true, audit: chat.AuditInviteResend, noBody: true},
		{pattern: "DELETE /api/v1/workspaces/{wid}/invitations/{iid}", access: member, minRole: chat.RoleMaster, h: s.revokeInvitation, api: true, audit: chat.AuditInviteRevoke},
		{pattern: "POST /api/v1/invitations/lookup", access: public, h: s.lookupInvitation, api: true, limit: limitAccount},
		{pattern: "POST /api/v1/invitations/accept", access: public, h: s.acceptInvitation, api: true, limit: limitAccount},
		{pattern: "PATCH /api/v1/workspaces/{wid}/agents/{aid}", access: member, minRole: chat.RoleMaster, h: s.patchMember, api: true, audit: chat.AuditMemberRole},
		{pattern: "POST /api/v1/workspaces/{wid}/agents/{aid}/password-reset", access: member, minRole: chat.RoleMaster, h: s.createPasswordReset, api: true, audit: chat.AuditPasswordReset, noBody: true},
		{pattern: "POST /api/v1/password-reset", access: public, h: s.usePasswordReset, api: true, limit: limitAccount},
	}
}

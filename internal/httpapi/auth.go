package httpapi

import (
	"context"
	"crypto/subtle"
	"fmt"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sodam-chat/sodam/internal/auth"
	"github.com/sodam-chat/sodam/internal/chat"
)

const sessionCookie = "sodam_session"

type ctxKey int

const (
	keyAgent ctxKey = iota
	keyMember
	keyVisitor
)

// agentAuth is who makes a console or API request: an agent with a
// console session, or a script with one of the workspace's API tokens,
// acting for the member who created it.
type agentAuth struct {
	agent   *chat.Agent
	session *chat.Session  // nil for an API token
	token   *chat.APIToken // nil for a console session
}

func agentOf(r *http.Request) agentAuth { return r.Context().Value(keyAgent).(agentAuth) }

// hasAgent reports whether authentication got as far as knowing the agent.
func hasAgent(r *http.Request) bool { _, ok := r.Context().Value(keyAgent).(agentAuth); return ok }

func memberOf(r *http.Request) *chat.Member { return r.Context().Value(keyMember).(*chat.Member) }

func hasMember(r *http.Request) bool { _, ok := r.Context().Value(keyMember).(*chat.Member); return ok }

func actorOf(r *http.Request) chat.Actor {
	m := memberOf(r)
	return chat.Actor{Kind: chat.SenderAgent, AgentID: m.AgentID, Role: m.Role, Status: m.Status, Name: m.Name}
}

// who is the caller as the audit log names them.
func who(r *http.Request) chat.Who {
	a := agentOf(r)
	name := a.agent.Name
	if a.token != nil {
		name = fmt.Sprintf("%s (API token %q)", a.agent.Name, a.token.Name)
	}
	return chat.Who{AgentID: a.agent.ID, Name: name, Address: clientIP(r)}
}

// needSession refuses API tokens on what only a person at a console does:
// presence, sockets, and making or revoking API tokens — a token that
// could make tokens would outlive its own revocation or expiry through
// the ones it made.
func needSession(r *http.Request) error {
	if agentOf(r).session == nil {
		return chat.Errorf(chat.ErrSessionRequired, "this needs a person signed in at the console, not an API token")
	}
	return nil
}

// visitorAuth is the widget session of a visitor request.
type visitorAuth struct {
	session   *chat.VisitorSession
	workspace *chat.Workspace
}

func visitorOf(r *http.Request) visitorAuth { return r.Context().Value(keyVisitor).(visitorAuth) }

func hasVisitor(r *http.Request) bool {
	_, ok := r.Context().Value(keyVisitor).(visitorAuth)
	return ok
}

func isWrite(method string) bool {
	return method != http.MethodGet && method != http.MethodHead && method != http.MethodOptions
}

// authAgent checks the session cookie and, on writes, the CSRF token and the
// Origin header, so that another site cannot make a logged-in agent act.
func (s *Server) authAgent(r *http.Request) (*http.Request, error) {
	tokenHash, err := sessionToken(r)
	if err != nil {
		return r, err
	}
	sess, err := s.store.Session(r.Context(), tokenHash, s.now())
	if err != nil {
		return r, err
	}
	if err := checkCSRF(r, sess); err != nil {
		return r, err
	}
	a, err := s.store.Agent(r.Context(), sess.AgentID)
	if chat.ErrorCode(err) == chat.ErrAgentNotFound {
		return r, chat.Errorf(chat.ErrUnauthorized, "log in first")
	}
	if err != nil {
		return r, err // a database that cannot be reached answers 503, not "log in"
	}
	return withAgent(r, a, sess), nil
}

// sessionToken is the hash of the request's session cookie.
func sessionToken(r *http.Request) (string, error) {
	if _, ok := bearer(r); ok {
		return "", chat.Errorf(chat.ErrUnauthorized, "API tokens work on workspace routes (/api/v1/workspaces/{wid}/…) only")
	}
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		return "", chat.Errorf(chat.ErrUnauthorized, "log in first")
	}
	return auth.HashToken(c.Value), nil
}

// checkCSRF refuses a write that another site may have sent.
func checkCSRF(r *http.Request, sess *chat.Session) error {
	if !isWrite(r.Method) {
		return nil
	}
	if err := refuseCrossSite(r); err != nil {
		return err
	}
	if subtle.ConstantTimeCompare([]byte(r.Header.Get("X-CSRF-Token")), []byte(sess.CSRFToken)) != 1 {
		return chat.Errorf(chat.ErrCSRF, "missing or wrong X-CSRF-Token header")
	}
	return nil
}

// refuseCrossSite refuses a request another site's page sent: a browser
// names the page's origin in Origin on every cross-origin POST (and
// "null" from a sandboxed frame or a redirect). Checked on every console
// write, and on the routes that sign a browser in — login, accepting an
// invitation, using a reset link — which have no session to hold a CSRF
// token yet: another site must not sign a visitor's browser into an
// account of its choosing (login CSRF). A request without Origin (a
// script, an old browser's same-origin POST) is let through.
func refuseCrossSite(r *http.Request) error {
	if o := r.Header.Get("Origin"); o != "" && !sameOrigin(r, o) {
		return chat.Errorf(chat.ErrCSRF, "cross-site request refused")
	}
	return nil
}

func withAgent(r *http.Request, a *chat.Agent, sess *chat.Session) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), keyAgent, agentAuth{agent: a, session: sess}))
}

// rank orders roles for minimum-role checks.
var rank = map[chat.Role]int{chat.RoleAgent: 1, chat.RoleManager: 2, chat.RoleMaster: 3}

// authMember checks that the caller belongs to the {wid} workspace with at
// least minRole: an active member with a console session, or an API token
// of that workspace. A workspace the caller does not belong to looks like
// one that does not exist. The request it returns carries the caller as
// far as it was known, also with a refusal (for the audit log).
func (s *Server) authMember(r *http.Request, minRole chat.Role) (*http.Request, error) {
	if secret, ok := bearer(r); ok {
		return s.authToken(r, secret, minRole)
	}
	wid, err := pathID(r, "wid")
	if err != nil {
		r, aerr := s.authAgent(r) // who asks comes first, as everywhere
		if aerr != nil {
			return r, aerr
		}
		return r, err
	}
	// The session, its agent and the membership in one read, checked in
	// authAgent's order.
	tokenHash, err := sessionToken(r)
	if err != nil {
		return r, err
	}
	sess, a, m, err := s.store.ConsoleMember(r.Context(), tokenHash, s.now(), wid)
	if err != nil {
		return r, err
	}
	if err := checkCSRF(r, sess); err != nil {
		return r, err
	}
	if a == nil {
		return r, chat.Errorf(chat.ErrUnauthorized, "log in first")
	}
	r = withAgent(r, a, sess)
	if m == nil {
		return r, chat.Errorf(chat.ErrWorkspaceNotFound, "no such workspace")
	}
	if !m.Active {
		return r, chat.Errorf(chat.ErrMemberInactive, "your account is deactivated in this workspace; ask a master to reactivate it")
	}
	r = r.WithContext(context.WithValue(r.Context(), keyMember, m))
	if minRole != "" && rank[m.Role] < rank[minRole] {
		return r, chat.Errorf(chat.ErrRoleRequired, "this needs the %s role or higher", minRole)
	}
	return r, nil
}

// openWorkspace reads a workspace for the API tokens and messenger
// channels of the shop's own software, and refuses an archived one: its
// chat and console are closed, its history kept, until an owner restores
// it. (Its members do not see it at all, Store.ConsoleMember; its
// visitors are told it does not exist, visitorRequest.)
func (s *Server) openWorkspace(ctx context.Context, id int64) (*chat.Workspace, error) {
	ws, err := s.store.Workspace(ctx, id)
	if err != nil {
		return nil, err
	}
	if ws.ArchivedAt != nil {
		return nil, chat.Errorf(chat.ErrWorkspaceArchived, "the workspace %q is archived: it takes nothing until an installation owner restores it", ws.Name)
	}
	return ws, nil
}

// bearer returns the request's bearer credential, if it sent one.
func bearer(r *http.Request) (string, bool) {
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	return token, ok && token != ""
}

// tokenTouchEvery is how often a token's last use is written down: the
// console shows it to the minute, and a script's every request need not
// write to the database.
const tokenTouchEvery = time.Minute

// authToken authenticates an API token (§10.4): no cookie, no CSRF token.
// It acts for the member who created it, as a manager (admin scope: as a
// master) but never above that member's role now; read-only tokens may
// only read.
func (s *Server) authToken(r *http.Request, secret string, minRole chat.Role) (*http.Request, error) {
	ctx := r.Context()
	tok, err := s.store.APITokenByHash(ctx, auth.HashToken(secret))
	if chat.ErrorCode(err) == chat.ErrTokenNotFound {
		return r, chat.Errorf(chat.ErrUnauthorized, "unknown API token")
	}
	if err != nil {
		return r, err
	}
	now := s.now()
	if err := tok.Usable(now); err != nil {
		return r, err
	}
	wid, err := pathID(r, "wid")
	if err != nil {
		return r, err
	}
	if tok.WorkspaceID != wid {
		return r, chat.Errorf(chat.ErrWorkspaceNotFound, "no such workspace")
	}
	if _, err := s.openWorkspace(ctx, wid); err != nil {
		return r, err
	}
	m, err := s.store.Member(ctx, wid, tok.CreatedBy)
	if err == nil && !m.Active {
		err = chat.Errorf(chat.ErrAgentNotFound, "deactivated")
	}
	if chat.ErrorCode(err) == chat.ErrAgentNotFound {
		return r, chat.Errorf(chat.ErrUnauthorized, "the member who created this API token is no longer active; create a new one")
	}
	if err != nil {
		return r, err
	}
	a, err := s.store.Agent(ctx, tok.CreatedBy)
	if err != nil {
		return r, err
	}
	// Never above its creator as they are now: a master demoted keeps
	// no master's rights through a token made before.
	scoped := tok.Role()
	if rank[scoped] < rank[m.Role] {
		m.Role = scoped
	}
	r = r.WithContext(context.WithValue(context.WithValue(ctx, keyAgent, agentAuth{agent: a, token: tok}), keyMember, m))
	if !tok.Allows(isWrite(r.Method)) {
		return r, chat.Errorf(chat.ErrScopeRequired, "this API token may only read: it needs the write scope")
	}
	if minRole != "" && rank[m.Role] < rank[minRole] {
		if rank[scoped] >= rank[minRole] {
			return r, chat.Errorf(chat.ErrRoleRequired, "the member who created this API token is no longer a %s; a %s must create a new one", minRole, minRole)
		}
		return r, chat.Errorf(chat.ErrScopeRequired, "this needs an API token with the admin scope")
	}
	if tok.LastUsedAt == nil || now.Sub(*tok.LastUsedAt) >= tokenTouchEvery {
		if err := s.store.TouchAPIToken(ctx, tok.ID, now); err != nil {
			s.log.Warn("record API token use", slog.Any("err", err))
		}
	}
	return r, nil
}

// authOwner checks that the caller is an installation owner.
func (s *Server) authOwner(r *http.Request) (*http.Request, error) {
	r, err := s.authAgent(r)
	if err != nil {
		return r, err
	}
	if !agentOf(r).agent.Owner {
		return r, chat.Errorf(chat.ErrOwnerRequired, "only an installation owner may do this")
	}
	return r, nil
}

// authVisitor checks the widget's bearer token and the request's origin.
func (s *Server) authVisitor(r *http.Request) (*http.Request, error) {
	hash, err := visitorTokenHash(r)
	if err != nil {
		return r, err
	}
	vs, ws, err := s.visitors.lookup(r.Context(), hash)
	if err != nil {
		return r, err
	}
	return s.visitorRequest(r, vs, ws)
}

func visitorTokenHash(r *http.Request) (string, error) {
	token, ok := bearer(r)
	if !ok {
		return "", chat.Errorf(chat.ErrUnauthorized, "send the visitor token as Authorization: Bearer <token>")
	}
	return auth.HashToken(token), nil
}

// visitorRequest checks the request's origin against the visitor's
// workspace and carries the visitor in its context. An archived
// workspace's widget is closed: nothing a visitor sends is taken, since no
// console shows it.
func (s *Server) visitorRequest(r *http.Request, vs *chat.VisitorSession, ws *chat.Workspace) (*http.Request, error) {
	if ws.ArchivedAt != nil {
		return r, chat.Errorf(chat.ErrWorkspaceNotFound, "no such workspace")
	}
	if err := s.checkOrigin(r, ws); err != nil {
		return r, err
	}
	return r.WithContext(context.WithValue(r.Context(), keyVisitor, visitorAuth{session: vs, workspace: ws})), nil
}

// authVisitorConversation is authVisitor, and then ownConversation's check
// of conversation id; it returns the conversation's state. The node's
// visitor cache answers the session and workspace, so only the state is
// read (all three in one read when the cache has not got them).
func (s *Server) authVisitorConversation(r *http.Request, id int64) (*http.Request, chat.State, error) {
	hash, err := visitorTokenHash(r)
	if err != nil {
		return r, "", err
	}
	vs, ws, state, err := s.visitors.lookupConversation(r.Context(), hash, id)
	if err != nil {
		return r, "", err
	}
	if r, err = s.visitorRequest(r, vs, ws); err != nil {
		return r, "", err
	}
	if state == "" {
		return r, "", chat.Errorf(chat.ErrConversationNotFound, "no such conversation")
	}
	return r, state, nil
}

// checkOrigin refuses browser requests from pages that are neither Sodam
// itself (the widget iframe) nor one of the workspace's allowed origins,
// and notes the refused origin for the settings page.
func (s *Server) checkOrigin(r *http.Request, ws *chat.Workspace) error {
	o := r.Header.Get("Origin")
	if o == "" || sameOrigin(r, o) {
		return nil
	}
	for _, allowed := range ws.AllowedOrigins {
		if strings.EqualFold(strings.TrimSuffix(allowed, "/"), o) {
			return nil
		}
	}
	s.noteRefusedOrigin(r, ws, o)
	return chat.Errorf(chat.ErrOriginNotAllowed, "origin %s may not use this workspace's widget; add it to the allowed origins in settings", o)
}

// refusedEvery is how often one node writes down the same refused origin:
// the settings page shows when it was last seen, not every request.
const refusedEvery = time.Minute

// noteRefusedOrigin records a refused origin, at most once a minute per
// workspace and origin on this node, and only one that is a well-formed
// origin (a stranger's junk header is not worth a row).
func (s *Server) noteRefusedOrigin(r *http.Request, ws *chat.Workspace, origin string) {
	norm, err := chat.NormalizeOrigin(origin)
	if err != nil {
		return
	}
	key := strconv.FormatInt(ws.ID, 10) + " " + norm
	now := s.now()
	s.refusedMu.Lock()
	if len(s.refused) > 10000 {
		clear(s.refused)
	}
	last, seen := s.refused[key]
	if !seen || now.Sub(last) >= refusedEvery {
		s.refused[key] = now
	}
	s.refusedMu.Unlock()
	if seen && now.Sub(last) < refusedEvery {
		return
	}
	if err := s.store.NoteRefusedOrigin(context.WithoutCancel(r.Context()), ws.ID, norm, now); err != nil {
		s.log.Warn("note a refused origin", slog.Any("err", err))
	}
}

func pathID(r *http.Request, name string) (int64, error) {
	return parseID(r.PathValue(name), name)
}

// parseID reads a canonical decimal ID: "+1", "01" and " 1" are not IDs.
func parseID(v, name string) (int64, error) {
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 || strconv.FormatInt(id, 10) != v {
		return 0, chat.Errorf(chat.ErrInvalid, "%s must be a positive integer", name)
	}
	return id, nil
}

// clientIP is the address the request came from: behind a reverse proxy,
// the proxy's.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// budgetAddress is what the request's per-address budgets (rate limits,
// login backoff, open sockets) are kept under: an IPv4 address as it is,
// an IPv6 address by its /64. A subscriber is given a whole /64 and may
// take its 2^64 addresses one after another at will, so counted by
// address each new one would start a fresh budget — unbounded password
// guesses against one account (TestIPv6NetworkBudget). The audit log and
// the customer's profile keep the full address (clientIP).
func budgetAddress(r *http.Request) string {
	ip := clientIP(r)
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	if a = a.WithZone("").Unmap(); a.Is4() {
		return a.String()
	}
	p, err := a.Prefix(64)
	if err != nil {
		return ip
	}
	return p.String()
}

type loginRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

type meResponse struct {
	Agent       *chat.Agent   `json:"agent"`
	Memberships []chat.Member `json:"memberships"`
	CSRFToken   string        `json:"csrf_token"`
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) error {
	if err := refuseCrossSite(r); err != nil {
		return err
	}
	var req loginRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	email := strings.ToLower(strings.TrimSpace(req.Email))
	if email == "" || req.Password == "" {
		return chat.Errorf(chat.ErrInvalid, "email and password are required")
	}
	a, err := s.store.AgentByEmail(r.Context(), email)
	if err != nil && chat.ErrorCode(err) != chat.ErrAgentNotFound {
		return err
	}
	ok, err := s.checkPassword(w, r, email, a, req.Password)
	if err != nil {
		return err
	}
	if !ok {
		return chat.Errorf(chat.ErrInvalidCredentials, "wrong email or password")
	}
	return s.startSession(w, r, a)
}

// checkPassword checks a password typed for the login email, wherever one
// is asked for (signing in, accepting an invitation as an existing login,
// changing one's password), under the login limits (operations.md): while
// the login at this address, or the address, is backing off, it refuses
// with 429 without checking. A wrong password counts against both — the
// account's owner elsewhere and colleagues behind the same office address
// are not locked out, while guessing stays expensive — and a right one
// clears the login's count. a nil (no such login) is checked against a
// dummy hash, so that timing does not tell which emails exist.
func (s *Server) checkPassword(w http.ResponseWriter, r *http.Request, email string, a *chat.Agent, password string) (bool, error) {
	now, ip := s.now(), budgetAddress(r)
	key := email + "|" + ip
	if wait := max(s.loginBackoff.Wait(now, key), s.addressBackoff.Wait(now, ip)); wait > 0 {
		return false, tooMany(w, wait, "too many wrong passwords; try again in a moment")
	}
	hash := dummyHash()
	if a != nil {
		hash = a.PasswordHash
	}
	ok, err := s.hasher.Check(r.Context(), hash, password)
	if err != nil {
		return false, err
	}
	if !ok || a == nil {
		s.loginBackoff.Fail(now, key)
		s.addressBackoff.Fail(now, ip)
		return false, nil
	}
	s.loginBackoff.Succeed(key)
	return true, nil
}

// tooMany refuses with 429 and says when to try again.
func tooMany(w http.ResponseWriter, wait time.Duration, message string) error {
	w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
	return chat.Errorf(chat.ErrTooManyRequests, "%s", message)
}

// startSession signs a in: the session cookie, online in every workspace
// they are active in — each with its auto-offline timer running, which
// only a console connected to that workspace keeps pushing on (§3.1) —
// and the /me answer. The session the request's cookie carried ends
// (endCarriedSession).
func (s *Server) startSession(w http.ResponseWriter, r *http.Request, a *chat.Agent) error {
	token := auth.NewToken()
	sess := chat.Session{TokenHash: auth.HashToken(token), AgentID: a.ID, CSRFToken: auth.NewToken(), ExpiresAt: s.now().Add(s.cfg.SessionTTL)}
	if err := s.store.CreateSession(r.Context(), sess); err != nil {
		return err
	}
	if err := s.endCarriedSession(r); err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: token, Path: "/", HttpOnly: true, Secure: s.cfg.SecureCookies,
		SameSite: http.SameSiteLaxMode, Expires: sess.ExpiresAt,
	})
	// Logging in means being at the desk: come online everywhere.
	ms, err := s.app.SetAgentStatusEverywhere(r.Context(), a.ID, chat.StatusOnline)
	if err != nil {
		return err
	}
	for _, m := range ms {
		if m.Active {
			if err := s.scheduleOffline(r.Context(), m.WorkspaceID, a.ID); err != nil {
				return err
			}
		}
	}
	writeJSON(w, http.StatusOK, meResponse{Agent: a, Memberships: nonNil(ms), CSRFToken: sess.CSRFToken})
	return nil
}

// sessionKey names a console session on the bus without its token.
func sessionKey(tokenHash string) string { return tokenHash[:16] }

// endSockets closes the console sockets of an agent's ended sessions (by
// token hash) at once, on every node. The sessions have ended already, so
// a failure here is only logged: the sockets then close at their next
// check of the login (keepPresence), within presenceEvery.
func (s *Server) endSockets(ctx context.Context, agentID int64, ended ...string) {
	if len(ended) == 0 {
		return
	}
	ms, err := s.store.Memberships(ctx, agentID)
	if err != nil {
		s.log.Warn("closing ended sessions' sockets", slog.Int64("agent", agentID), slog.Any("err", err))
		return
	}
	for _, m := range ms {
		for _, h := range ended {
			s.hub.EndSession(ctx, m.WorkspaceID, sessionKey(h))
		}
	}
}

// dummyHash is made on first use: hashing takes argon2id's 19 MiB, which a
// process that never sees an unknown email should not carry from start-up.
var dummyHash = sync.OnceValue(func() string { return auth.HashPassword("sodam-timing-equalizer") })

// endCarriedSession ends, as signing out would, the session the cookie of
// a request that signs someone in carried: the browser keeps the new
// session's cookie only. Another person's (a colleague's sign-in left on
// a shared computer) must not live on unseen behind the new one, online
// and with its sockets open; one of the same agent's would be left to
// nobody but a console tab already open, and would count as a device
// still signed in, keeping the agent online after they sign out (logout).
// The new session is made first, so the same agent does not go offline
// on the way.
func (s *Server) endCarriedSession(r *http.Request) error {
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		return nil
	}
	old, err := s.store.Session(r.Context(), auth.HashToken(c.Value), s.now())
	if chat.ErrorCode(err) == chat.ErrUnauthorized {
		return nil // ended already, or never was
	}
	if err != nil {
		return err
	}
	return s.endSession(r.Context(), old)
}

// endSession ends a console session and closes its sockets on every node.
// An agent signed out everywhere goes offline at once; one still signed in
// on another device stays online, their consoles keeping them so, and the
// auto-offline timer, which this session's closing sockets restart, takes
// them offline once every console has been gone a few minutes (§3.1).
func (s *Server) endSession(ctx context.Context, sess *chat.Session) error {
	if err := s.store.DeleteSession(ctx, sess.TokenHash); err != nil {
		return err
	}
	s.endSockets(ctx, sess.AgentID, sess.TokenHash)
	others, err := s.store.CountSessions(ctx, sess.AgentID, s.now())
	if err != nil {
		return err
	}
	if others == 0 {
		if _, err := s.app.SetAgentStatusEverywhere(ctx, sess.AgentID, chat.StatusOffline); err != nil {
			return err
		}
	}
	return nil
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) error {
	if err := s.endSession(r.Context(), agentOf(r).session); err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", HttpOnly: true, Secure: s.cfg.SecureCookies, SameSite: http.SameSiteLaxMode, MaxAge: -1})
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// nonNil makes empty lists encode as [] rather than null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// authRoutes are the console sign-in routes.
func (s *Server) authRoutes() []route {
	return []route{
		{pattern: "POST /api/v1/auth/login", access: public, h: s.login, api: true},
		{pattern: "POST /api/v1/auth/logout", access: agent, h: s.logout, api: true, noBody: true},
	}
}

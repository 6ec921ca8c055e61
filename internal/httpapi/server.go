// Package httpapi serves Sodam's REST API, WebSockets, console and widget.
// Routes live in one table (routes); each handler returns an error that the
// table's wrapper turns into the JSON error body.
package httpapi

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/sodam-chat/sodam/internal/app"
	"github.com/sodam-chat/sodam/internal/auth"
	"github.com/sodam-chat/sodam/internal/blob"
	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/metrics"
	"github.com/sodam-chat/sodam/internal/notify"
	"github.com/sodam-chat/sodam/internal/outbox"
	"github.com/sodam-chat/sodam/internal/realtime"
)

// Config is what the HTTP layer needs to know about its deployment.
type Config struct {
	// BaseURL is how browsers reach Sodam, e.g. http://127.0.0.1:8080.
	BaseURL string
	// SecureCookies marks cookies Secure (set when served over HTTPS).
	SecureCookies bool
	// SessionTTL is how long a console login lasts.
	SessionTTL time.Duration
	// Metrics, when set, receives the HTTP layer's measurements.
	Metrics *metrics.Metrics
	// InviteTTL is how long an invitation link works (default 7 days).
	InviteTTL time.Duration
	// Mail, when set, emails invitation and password links.
	Mail *notify.Mailer
	// NoLimits turns the abuse limits of the public endpoints off (load
	// tests that drive thousands of visitors from a few addresses).
	NoLimits bool
	// AllowPrivateWebhooks lets webhooks, channels, alert targets and
	// channel attachments reach loopback and private addresses
	// (SODAM_WEBHOOK_ALLOW_PRIVATE). Sealer seals their secrets (nil:
	// under the installation secret); KickOutbox wakes the node's
	// delivery worker after a redelivery (nil: it polls).
	AllowPrivateWebhooks bool
	Sealer               *outbox.Sealer
	KickOutbox           func()
	// Now is the clock of sessions, links and rate limits; nil is
	// time.Now. Tests move it by hand, so no limit depends on how fast a
	// loaded machine runs them.
	Now func() time.Time
	// MaxSendsInFlight bounds the message sends the node works on at once
	// (backpressure.go): 0 is DefaultMaxSendsInFlight, negative no bound.
	MaxSendsInFlight int
	// TrustedProxies are the reverse proxies in front of the node: a
	// request that comes from one is the client its X-Forwarded-For names
	// (realIP).
	TrustedProxies []netip.Prefix
}

// Server is the HTTP side of one node.
type Server struct {
	cfg      Config
	mail     *notify.Mailer // nil: no SMTP
	store    chat.Store
	app      *app.App   // every write, and the events it commits
	files    blob.Store // attachments' bytes
	hub      *realtime.Hub
	sends    *admission    // message sends in flight (backpressure.go)
	visitors *visitorCache // visitor sessions and their workspaces (visitorcache.go)
	log      *slog.Logger
	now      func() time.Time
	metrics  *metrics.Metrics

	// linkKey signs visitors' attachment links, loaded from the store once.
	linkMu  sync.Mutex
	linkKey []byte

	// Failed logins slow down an account at one address and, far more
	// loosely (a support center's agents may share one address), the
	// address; hashes run a few at a time.
	loginBackoff   *auth.Backoff
	addressBackoff *auth.Backoff
	hasher         *auth.Hasher
	mux            *http.ServeMux

	// limits are the public endpoints' budgets; sockets counts visitors'
	// open sockets.
	limits    limits
	sockets   sockets
	lingering lingering
	queues    queueReads // queued visitors' places (sockets.go)

	// refused remembers when this node last wrote down a refused origin.
	refusedMu sync.Mutex
	refused   map[string]time.Time
}

// New returns a server reading from store, writing through a, and keeping
// attachments in files; Handler serves it.
func New(cfg Config, store chat.Store, a *app.App, files blob.Store, hub *realtime.Hub, log *slog.Logger) *Server {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.InviteTTL == 0 {
		cfg.InviteTTL = chat.DefaultInviteTTL
	}
	if cfg.SessionTTL == 0 {
		cfg.SessionTTL = 7 * 24 * time.Hour
	}
	s := &Server{
		cfg: cfg, mail: cfg.Mail, store: store, app: a, files: files, hub: hub, log: log, now: cfg.Now, metrics: cfg.Metrics,
		loginBackoff:   auth.NewBackoff(5, 12*time.Second, 15*time.Minute),
		addressBackoff: auth.NewBackoff(100, time.Second, time.Minute),
		hasher:         auth.NewHasher(0, 3*time.Second),
		mux:            http.NewServeMux(),
		refused:        map[string]time.Time{},
		limits:         newLimits(),
		sockets:        sockets{visitor: map[int64]int{}, address: map[string]int{}},
	}
	s.visitors = newVisitorCache(store, cfg.Now)
	s.sends = newAdmission(cmp.Or(cfg.MaxSendsInFlight, DefaultMaxSendsInFlight), AdmitWait)
	for _, rt := range s.routes() {
		s.mux.Handle(rt.pattern, s.wrap(rt))
	}
	if a != nil {
		a.SetArticleURL(s.articleURL) // the robot links help center pages
	}
	return s
}

// access says who may call a route.
type access int

const (
	public  access = iota // anyone
	agent                 // a console session; writes need the CSRF token
	member                // an agent who belongs to the {wid} workspace
	visitor               // a widget bearer token
	owner                 // an installation owner's console session
)

type handlerFunc func(w http.ResponseWriter, r *http.Request) error

type route struct {
	pattern string
	access  access
	h       handlerFunc
	// minRole is the least role a member route needs.
	minRole chat.Role
	// api marks routes documented in the OpenAPI description.
	api bool
	// limit names the abuse budget the route spends (limits.go).
	limit string
	// noBody marks a write route that takes no body: one sent anyway is
	// refused, rather than ignored, so a client's mistake shows.
	noBody bool
	// audit names the administrative action a route performs: a refused
	// attempt is recorded in the audit log too (auditedRefusal: not bad
	// input). A done one is recorded by the store, in the transaction of
	// the change (given who(r)).
	audit string
	// send marks a message send: it takes a place among the node's sends
	// in flight, before anything else is done (backpressure.go).
	send bool
}

// RouteInfo describes one route: its pattern, who may call it and the
// least role it needs. Tests walk it to check every route's access rule.
type RouteInfo struct {
	Pattern string
	// Access is public, agent (a console session), member (of the {wid}
	// workspace: a session or an API token), visitor or owner.
	Access  string
	MinRole chat.Role
	// NoBody is set on write routes that take no body.
	NoBody bool
}

// Routes lists every route the server serves.
func Routes() []RouteInfo {
	names := map[access]string{public: "public", agent: "agent", member: "member", visitor: "visitor", owner: "owner"}
	var out []RouteInfo
	for _, rt := range (&Server{}).routes() {
		out = append(out, RouteInfo{Pattern: rt.pattern, Access: names[rt.access], MinRole: rt.minRole, NoBody: rt.noBody})
	}
	return out
}

// routes is the route table: each resource's file declares its own.
func (s *Server) routes() []route {
	return slices.Concat(
		s.serverRoutes(),
		s.pageRoutes(),
		s.authRoutes(),
		s.meRoutes(),
		s.workspaceRoutes(),
		s.agentRoutes(),
		s.conversationRoutes(),
		s.messageRoutes(),
		s.attachmentRoutes(),
		s.customerRoutes(),
		s.ticketRoutes(),
		s.socketRoutes(),
		s.tagRoutes(),
		s.categoryRoutes(),
		s.cannedRoutes(),
		s.widgetRoutes(),
		s.teamRoutes(),
		s.installationRoutes(),
		s.apiTokenRoutes(),
		s.auditRoutes(),
		s.integrationRoutes(),
		s.piiRoutes(),
		s.noteRoutes(),
		s.faqRoutes(),
		s.helpRoutes(),
		s.historyRoutes(),
		s.statsRoutes(),
	)
}

// serverRoutes are the health and description routes.
func (s *Server) serverRoutes() []route {
	return []route{
		{pattern: "GET /healthz", access: public, h: s.healthz},
		{pattern: "GET /{$}", access: public, h: s.root},
	}
}

// Drain waits, once the sockets' contexts have ended, for what they still
// write (each agent's last presence renewal), and refuses new agent
// sockets: a stopping node calls it before closing its store.
func (s *Server) Drain() { s.lingering.stop() }

// Handler is the whole HTTP surface of the node.
func (s *Server) Handler() http.Handler {
	return s.recoverer(s.realIP(s.mux))
}

// realIP makes a request that a trusted proxy passed on come from the
// client the proxy names, so that rate limits, login backoff and the audit
// log see the client, not the proxy (behind which every client would share
// one budget). Without trusted proxies it changes nothing: an
// X-Forwarded-For anyone can send is never believed.
func (s *Server) realIP(next http.Handler) http.Handler {
	if len(s.cfg.TrustedProxies) == 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if client, ok := forwardedClient(r, s.cfg.TrustedProxies); ok {
			r = r.WithContext(r.Context()) // a copy to change
			r.RemoteAddr = netip.AddrPortFrom(client, 0).String()
		}
		next.ServeHTTP(w, r)
	})
}

// forwardedClient is the client a request from a trusted proxy names: the
// right-most X-Forwarded-For entry that is not itself a trusted proxy (each
// proxy appends the address it was reached from, so the entries left of
// the first untrusted one are whatever the client claimed). False when the
// request did not come from a trusted proxy, or names no valid address.
func forwardedClient(r *http.Request, trusted []netip.Prefix) (netip.Addr, bool) {
	isTrusted := func(a netip.Addr) bool {
		return slices.ContainsFunc(trusted, func(p netip.Prefix) bool { return p.Contains(a) })
	}
	peer, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil || !isTrusted(peer.Addr().Unmap()) {
		return netip.Addr{}, false
	}
	var hops []string
	for _, v := range r.Header.Values("X-Forwarded-For") {
		hops = append(hops, strings.Split(v, ",")...)
	}
	var client netip.Addr
	for _, hop := range slices.Backward(hops) {
		a, err := netip.ParseAddr(strings.TrimSpace(hop))
		if err != nil {
			break // nothing further left is believed
		}
		client = a.Unmap()
		if !isTrusted(client) {
			break
		}
	}
	return client, client.IsValid()
}

func (s *Server) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil && v != http.ErrAbortHandler {
				s.log.Error("panic", slog.String("path", r.URL.Path), slog.Any("panic", v), slog.String("stack", string(debug.Stack())))
				s.writeError(w, r, chat.Errorf(codeInternal, "internal error"))
			}
		}()
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Referrer-Policy", "same-origin")
		if s.https() {
			w.Header().Set("Strict-Transport-Security", hsts)
		}
		next.ServeHTTP(w, r)
	})
}

// hsts asks browsers to reach Sodam over HTTPS only for a year (HSTS),
// sent when Sodam is served over HTTPS (https): a person who once opened
// the console is not then downgraded to plain HTTP on a hostile network,
// where the first request would go out before any redirect. Subdomains
// are not included: they may be other services.
const hsts = "max-age=31536000"

// https reports whether Sodam is served over HTTPS: an https base URL
// with Secure cookies (an operator serving an https base URL over plain
// HTTP on purpose turns those off, and gets no HSTS either).
func (s *Server) https() bool {
	return s.cfg.SecureCookies && strings.HasPrefix(strings.ToLower(s.cfg.BaseURL), "https://")
}

// wrap applies a route's access rule and turns its error into a response.
func (s *Server) wrap(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		r = r.WithContext(metrics.WithStart(r.Context(), start))
		rec := &statusRecorder{ResponseWriter: w}
		w = rec
		defer func() { s.metrics.HTTPRequest(rt.pattern, rec.status()) }()
		if strings.Contains(rt.pattern, " /api/") {
			// An API answer is its caller's (a customer's details, a
			// CSRF token, a new API token's secret): no cache, shared
			// or the browser's disk, keeps it. A route whose answer may
			// be kept (a file, the widget's settings) says so itself.
			w.Header().Set("Cache-Control", "no-store")
		}
		var err error
		if rt.send {
			// First, so that a refusal costs no database read — but
			// after the body has arrived: a client trickling it in
			// must not sit on a place meanwhile (bufferBody).
			r = bufferBody(w, r)
			var release func()
			if release, err = s.sends.admit(r.Context(), w); err != nil {
				s.writeError(w, r, err)
				return
			}
			defer release()
		}
		switch rt.access {
		case agent:
			r, err = s.authAgent(r)
		case member:
			r, err = s.authMember(r, rt.minRole)
		case visitor:
			r, err = s.authVisitor(r)
		case owner:
			r, err = s.authOwner(r)
		}
		if err == nil && rt.limit != "" {
			err = s.limit(w, r, rt.limit)
		}
		if err == nil && rt.noBody && r.ContentLength != 0 {
			err = chat.Errorf(codeInvalidJSON, "this request takes no body")
		}
		if err == nil {
			err = rt.h(w, r)
		}
		if err != nil {
			s.writeError(w, r, err)
			if rt.audit != "" {
				s.auditRefusal(r, rt, err)
			}
		}
		// The path only: query strings may carry widget tokens.
		s.log.Debug("request", slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.Duration("dur", time.Since(start)), slog.String("err", chat.ErrorCode(err)))
	})
}

// bufferBody reads a request's body (at most maxBody, the most decode
// takes) before the request takes a place among the sends in flight, so
// that a few hundred clients sending their bodies slowly cannot hold every
// place and have everyone else's messages refused (TestSlowSendHoldsNoPlace).
// What it read is handed on with the read's error, if any, for decode to
// answer as it would have.
func bufferBody(w http.ResponseWriter, r *http.Request) *http.Request {
	if r.Body == nil || r.Body == http.NoBody {
		return r
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	var rest io.Reader = bytes.NewReader(body)
	if err != nil {
		rest = io.MultiReader(rest, errReader{err})
	}
	r2 := *r
	r2.Body = io.NopCloser(rest)
	return &r2
}

// errReader fails every read with its error.
type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

// auditRefusal records a refused administrative attempt of a caller known
// to the workspace (or an owner-level route's caller): what was tried, by
// whom, from where, and why it was refused. Strangers' attempts are not
// written into a workspace's log, nor refusals that are no attempt at
// anything (auditedRefusal).
func (s *Server) auditRefusal(r *http.Request, rt route, err error) {
	code := chat.ErrorCode(err)
	if !auditedRefusal(code) || !hasAgent(r) {
		return
	}
	var wid int64
	switch {
	case hasMember(r):
		wid = memberOf(r).WorkspaceID
	case rt.access != owner:
		return
	}
	by := who(r)
	e := chat.AuditEntry{WorkspaceID: wid, At: s.now(), ActorID: by.AgentID, ActorName: by.Name, Address: by.Address,
		Action: rt.audit, Target: r.URL.Path, Refused: code}
	if err := s.store.AppendAudit(context.WithoutCancel(r.Context()), e); err != nil {
		s.log.Warn("audit a refusal", slog.Any("err", err))
	}
}

// auditedRefusal reports whether a refusal with code belongs in the
// audit log: the caller lacked the right (401, 403: a role, a scope, the
// CSRF token) or the workspace's rules forbade the change (409: the last
// master, someone already a member). Bad input — a malformed body, a
// value out of range (400, 413, 415, 422) — an unknown target (404), a
// limit (429) and a failure (5xx) are the caller's mistake or ours, told
// to them, and tried nothing an auditor needs to see. merge_required is
// a question, not a refusal: the console asks the agent and sends the
// change again, confirmed.
func auditedRefusal(code string) bool {
	if code == chat.ErrMergeRequired {
		return false
	}
	switch statusOf[code] {
	case http.StatusUnauthorized, http.StatusForbidden, http.StatusConflict:
		return true
	}
	return false
}

// statusRecorder remembers the status a handler answered with. Unwrap lets
// http.ResponseController reach the writer underneath.
type statusRecorder struct {
	http.ResponseWriter
	code int
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.code == 0 {
		r.code = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.code == 0 {
		r.code = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// Hijack hands a WebSocket's connection to the socket layer, which answers
// 101 on the connection itself.
func (r *statusRecorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	c, rw, err := http.NewResponseController(r.ResponseWriter).Hijack()
	if err == nil && r.code == 0 {
		r.code = http.StatusSwitchingProtocols
	}
	return c, rw, err
}

func (r *statusRecorder) status() int {
	if r.code == 0 {
		return http.StatusOK
	}
	return r.code
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) error {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.store.Ping(ctx); err != nil {
		s.log.Warn("health check", slog.Any("err", err))
		return chat.Errorf(codeUnavailable, "the database is not reachable")
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	return nil
}

func (s *Server) root(w http.ResponseWriter, r *http.Request) error {
	http.Redirect(w, r, "/console/", http.StatusFound)
	return nil
}

// sameOrigin reports whether origin is this server's own.
func sameOrigin(r *http.Request, origin string) bool {
	u, err := url.Parse(origin)
	return err == nil && u.Host == r.Host
}

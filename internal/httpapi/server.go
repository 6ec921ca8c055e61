// Package httpapi serves Sodam's REST API, WebSockets, console and widget.
// Routes live in one table (routes); each handler returns an error that the
// table's wrapper turns into the JSON error body.
package httpapi

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"runtime/debug"
	"sync"
	"time"

	"github.com/sodam-chat/sodam/internal/auth"
	"github.com/sodam-chat/sodam/internal/blob"
	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/metrics"
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
}

// Server is the HTTP side of one node.
type Server struct {
	cfg     Config
	store   chat.Store
	files   blob.Store // attachments' bytes
	hub     *realtime.Hub
	log     *slog.Logger
	now     func() time.Time
	metrics *metrics.Metrics

	// linkKey signs visitors' attachment links, loaded from the store once.
	linkMu  sync.Mutex
	linkKey []byte

	// Login attempts are limited per account and, more loosely (a support
	// center's agents may share one address), per client address.
	loginsPerAccount *auth.Limiter
	loginsPerAddress *auth.Limiter
	mux              *http.ServeMux
}

// New returns a server keeping attachments in files; Handler serves it.
func New(cfg Config, store chat.Store, files blob.Store, hub *realtime.Hub, log *slog.Logger) *Server {
	if cfg.SessionTTL == 0 {
		cfg.SessionTTL = 7 * 24 * time.Hour
	}
	s := &Server{
		cfg: cfg, store: store, files: files, hub: hub, log: log, now: time.Now, metrics: cfg.Metrics,
		loginsPerAccount: auth.NewLimiter(12*time.Second, 5),
		loginsPerAddress: auth.NewLimiter(time.Second, 60),
		mux:              http.NewServeMux(),
	}
	for _, rt := range s.routes() {
		s.mux.Handle(rt.pattern, s.wrap(rt))
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
}

func (s *Server) routes() []route {
	return []route{
		{pattern: "GET /healthz", access: public, h: s.healthz},
		{pattern: "GET /api/v1/openapi.json", access: public, h: s.openAPI},

		{pattern: "POST /api/v1/auth/login", access: public, h: s.login, api: true},
		{pattern: "POST /api/v1/auth/logout", access: agent, h: s.logout, api: true},
		{pattern: "GET /api/v1/me", access: agent, h: s.me, api: true},

		{pattern: "GET /api/v1/workspaces/{wid}", access: member, h: s.getWorkspace, api: true},
		{pattern: "PATCH /api/v1/workspaces/{wid}", access: member, minRole: chat.RoleManager, h: s.patchWorkspace, api: true},
		{pattern: "GET /api/v1/workspaces/{wid}/embed", access: member, h: s.embed, api: true},
		{pattern: "GET /api/v1/workspaces/{wid}/agents", access: member, h: s.listAgents, api: true},
		{pattern: "PUT /api/v1/workspaces/{wid}/me/status", access: member, h: s.setStatus, api: true},
		{pattern: "GET /api/v1/workspaces/{wid}/conversations", access: member, h: s.listConversations, api: true},
		{pattern: "GET /api/v1/workspaces/{wid}/conversations/{cid}", access: member, h: s.getConversation, api: true},
		{pattern: "GET /api/v1/workspaces/{wid}/conversations/{cid}/messages", access: member, h: s.listMessages, api: true},
		{pattern: "POST /api/v1/workspaces/{wid}/conversations/{cid}/messages", access: member, h: s.agentSend, api: true},
		{pattern: "POST /api/v1/workspaces/{wid}/conversations/{cid}/files", access: member, h: s.agentUpload, api: true},
		{pattern: "GET /api/v1/workspaces/{wid}/attachments/{aid}", access: member, h: s.agentFile, api: true},
		{pattern: "GET /api/v1/workspaces/{wid}/attachments/{aid}/thumbnail", access: member, h: s.agentThumbnail, api: true},
		{pattern: "POST /api/v1/workspaces/{wid}/conversations/{cid}/assign", access: member, h: s.assign, api: true},
		{pattern: "POST /api/v1/workspaces/{wid}/conversations/{cid}/close", access: member, h: s.agentClose, api: true},
		{pattern: "POST /api/v1/workspaces/{wid}/conversations/{cid}/transfer", access: member, h: s.transfer, api: true},
		{pattern: "POST /api/v1/workspaces/{wid}/conversations/{cid}/hold", access: member, h: s.hold, api: true},
		{pattern: "POST /api/v1/workspaces/{wid}/conversations/{cid}/important", access: member, h: s.important, api: true},
		{pattern: "POST /api/v1/workspaces/{wid}/conversations/{cid}/block", access: member, h: s.block, api: true},
		{pattern: "GET /api/v1/workspaces/{wid}/blocked", access: member, minRole: chat.RoleManager, h: s.listBlocked, api: true},
		{pattern: "DELETE /api/v1/workspaces/{wid}/blocked/{customer}", access: member, minRole: chat.RoleManager, h: s.unblock, api: true},
		{pattern: "PUT /api/v1/workspaces/{wid}/agents/{aid}/capacity", access: member, minRole: chat.RoleManager, h: s.setCapacity, api: true},
		{pattern: "GET /api/v1/workspaces/{wid}/tickets", access: member, h: s.listTickets, api: true},
		{pattern: "PATCH /api/v1/workspaces/{wid}/tickets/{tid}", access: member, h: s.patchTicket, api: true},
		{pattern: "GET /api/v1/workspaces/{wid}/ws", access: member, h: s.agentWS, api: true},

		{pattern: "PATCH /api/v1/workspaces/{wid}/conversations/{cid}/customer", access: member, h: s.patchCustomer, api: true},
		{pattern: "PUT /api/v1/workspaces/{wid}/conversations/{cid}/customer/id", access: member, h: s.changeCustomerID, api: true},
		{pattern: "PUT /api/v1/workspaces/{wid}/conversations/{cid}/customer/tags", access: member, h: s.setCustomerTags, api: true},
		{pattern: "PUT /api/v1/workspaces/{wid}/conversations/{cid}/note", access: member, h: s.setNote, api: true},
		{pattern: "POST /api/v1/workspaces/{wid}/conversations/{cid}/rating-request", access: member, h: s.requestRating, api: true},
		{pattern: "GET /api/v1/workspaces/{wid}/conversations/{cid}/history", access: member, h: s.history, api: true},
		{pattern: "GET /api/v1/workspaces/{wid}/conversations/{cid}/history/{hid}", access: member, h: s.historyItem, api: true},
		{pattern: "GET /api/v1/workspaces/{wid}/tags", access: member, h: s.listTags, api: true},
		{pattern: "POST /api/v1/workspaces/{wid}/tags", access: member, minRole: chat.RoleManager, h: s.createTag, api: true},
		{pattern: "PATCH /api/v1/workspaces/{wid}/tags/{tag}", access: member, minRole: chat.RoleManager, h: s.renameTag, api: true},
		{pattern: "DELETE /api/v1/workspaces/{wid}/tags/{tag}", access: member, minRole: chat.RoleManager, h: s.deleteTag, api: true},
		{pattern: "GET /api/v1/workspaces/{wid}/categories", access: member, h: s.listCategories, api: true},
		{pattern: "POST /api/v1/workspaces/{wid}/categories", access: member, minRole: chat.RoleManager, h: s.createCategory, api: true},
		{pattern: "PATCH /api/v1/workspaces/{wid}/categories/{cat}", access: member, minRole: chat.RoleManager, h: s.renameCategory, api: true},
		{pattern: "DELETE /api/v1/workspaces/{wid}/categories/{cat}", access: member, minRole: chat.RoleManager, h: s.deleteCategory, api: true},
		{pattern: "GET /api/v1/workspaces/{wid}/canned", access: member, h: s.listCanned, api: true},
		{pattern: "POST /api/v1/workspaces/{wid}/canned", access: member, h: s.createCanned, api: true},
		{pattern: "PATCH /api/v1/workspaces/{wid}/canned/{canned}", access: member, h: s.updateCanned, api: true},
		{pattern: "DELETE /api/v1/workspaces/{wid}/canned/{canned}", access: member, h: s.deleteCanned, api: true},
		{pattern: "PUT /api/v1/workspaces/{wid}/canned/{canned}/favourite", access: member, h: s.favouriteCanned, api: true},

		{pattern: "GET /api/v1/widget/config", access: public, h: s.widgetConfig, api: true},
		{pattern: "POST /api/v1/widget/sessions", access: public, h: s.widgetSession, api: true},
		{pattern: "POST /api/v1/widget/conversations", access: visitor, h: s.widgetStart, api: true},
		{pattern: "GET /api/v1/widget/conversations/{cid}/messages", access: visitor, h: s.widgetMessages, api: true},
		{pattern: "POST /api/v1/widget/conversations/{cid}/messages", access: visitor, h: s.widgetSend, api: true},
		{pattern: "POST /api/v1/widget/conversations/{cid}/files", access: visitor, h: s.widgetUpload, api: true},
		// Signed links: an <img> cannot send the visitor's bearer token.
		{pattern: "GET /api/v1/widget/attachments/{aid}", access: public, h: s.widgetFile, api: true},
		{pattern: "GET /api/v1/widget/attachments/{aid}/thumbnail", access: public, h: s.widgetThumbnail, api: true},
		{pattern: "POST /api/v1/widget/conversations/{cid}/close", access: visitor, h: s.widgetClose, api: true},
		{pattern: "POST /api/v1/widget/conversations/{cid}/rating", access: visitor, h: s.widgetRate, api: true},
		{pattern: "POST /api/v1/widget/tickets", access: visitor, h: s.widgetTicket, api: true},
		{pattern: "GET /api/v1/widget/ws", access: public, h: s.widgetWS, api: true},

		{pattern: "GET /{$}", access: public, h: s.root},
		{pattern: "GET /console/", access: public, h: s.consoleAsset},
		{pattern: "GET /console/try", access: public, h: s.tryPage},
		{pattern: "GET /widget.js", access: public, h: s.widgetLoader},
		{pattern: "GET /widget/", access: public, h: s.widgetAsset},
		{pattern: "GET /shared/", access: public, h: s.sharedAsset},
	}
}

// Handler is the whole HTTP surface of the node.
func (s *Server) Handler() http.Handler {
	return s.recoverer(s.mux)
}

func (s *Server) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil && v != http.ErrAbortHandler {
				s.log.Error("panic", "path", r.URL.Path, "panic", v, "stack", string(debug.Stack()))
				s.writeError(w, r, chat.Errorf(codeInternal, "internal error"))
			}
		}()
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Referrer-Policy", "same-origin")
		next.ServeHTTP(w, r)
	})
}

// wrap applies a route's access rule and turns its error into a response.
func (s *Server) wrap(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		r = r.WithContext(context.WithValue(r.Context(), keyStart, start))
		rec := &statusRecorder{ResponseWriter: w}
		w = rec
		defer func() { s.metrics.HTTPRequest(rt.pattern, rec.status()) }()
		var err error
		switch rt.access {
		case agent:
			r, err = s.authAgent(r)
		case member:
			r, err = s.authMember(r, rt.minRole)
		case visitor:
			r, err = s.authVisitor(r)
		}
		if err == nil {
			err = rt.h(w, r)
		}
		if err != nil {
			s.writeError(w, r, err)
		}
		// The path only: query strings may carry widget tokens.
		s.log.Debug("request", "method", r.Method, "path", r.URL.Path, "dur", time.Since(start), "err", chat.ErrorCode(err))
	})
}

// publish puts what a request committed on the bus and records how long
// the request took to get there.
func (s *Server) publish(ctx context.Context, events []chat.Event) {
	if start, ok := ctx.Value(keyStart).(time.Time); ok && len(events) > 0 {
		s.metrics.Committed(start)
	}
	s.hub.Publish(ctx, events)
}

// statusRecorder remembers the status a handler answered with. Unwrap lets
// the WebSocket library reach the connection underneath to hijack it.
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
		s.log.Warn("health check", "err", err)
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

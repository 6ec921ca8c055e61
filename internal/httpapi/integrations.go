package httpapi

import (
	"context"
	"net/http"
	"net/mail"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/sodam-chat/sodam/internal/auth"
	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/outbox"
)

// Integrations (§10.1–10.3, §1.2): webhooks, channels for messenger
// bridges, alert targets, each with its deliveries; an agent's own alert
// settings. What is sent, and when, is package outbox's.

// outboxStore is the store's outbox half (package sqldb implements both).
func (s *Server) outbox() (outbox.Store, error) {
	st, ok := s.store.(outbox.Store)
	if !ok {
		return nil, chat.Errorf(codeInternal, "this store keeps no outbox")
	}
	return st, nil
}

// sealer seals endpoints' secrets: under the operator's key, or the
// installation secret every node shares.
func (s *Server) sealer(ctx context.Context) (*outbox.Sealer, error) {
	if s.cfg.Sealer != nil {
		return s.cfg.Sealer, nil
	}
	secret, err := s.store.InstallationSecret(ctx)
	if err != nil {
		return nil, err
	}
	return outbox.NewSealer(secret), nil
}

// channelTokenPrefix marks channel tokens apart from API tokens.
const channelTokenPrefix = "sodam_ch_"

type webhookRequest struct {
	URL      string   `json:"url"`
	Events   []string `json:"events"`
	Secret   string   `json:"secret"`
	Internal bool     `json:"internal"`
}

// webhookView is a webhook as masters see it; Secret only when created.
type webhookView struct {
	ID        int64    `json:"id"`
	URL       string   `json:"url"`
	Events    []string `json:"events"`
	Internal  bool     `json:"internal"`
	CreatedAt string   `json:"created_at"`
	Secret    string   `json:"secret,omitempty"`
	// AddressUnreadable: the address, stored encrypted, does not open with
	// this installation's SODAM_SECRET_KEY (url is ""): make it again.
	AddressUnreadable bool `json:"address_unreadable,omitempty"`
}

func viewWebhook(e outbox.Endpoint) webhookView {
	return webhookView{ID: e.ID, URL: e.URL, Events: nonNil(e.Events), Internal: e.Internal, CreatedAt: e.CreatedAt.Format(timeJSON),
		AddressUnreadable: e.Unopened}
}

const timeJSON = "2006-01-02T15:04:05.999999Z07:00"

// checkEvents validates a subscription list against the known types.
func checkEvents(events []string, known []string) ([]string, error) {
	if len(events) == 0 {
		return nil, chat.Errorf(chat.ErrInvalid, "choose at least one event type")
	}
	var out []string
	for _, e := range events {
		if !slices.Contains(known, e) {
			return nil, chat.Errorf(outbox.ErrUnknownEvent, "%q is not an event type; choose from %v", e, known)
		}
		if !slices.Contains(out, e) {
			out = append(out, e)
		}
	}
	return out, nil
}

func (s *Server) createWebhook(w http.ResponseWriter, r *http.Request) error {
	var req webhookRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if err := outbox.CheckURL(req.URL, s.cfg.AllowPrivateWebhooks); err != nil {
		return err
	}
	events, err := checkEvents(req.Events, outbox.EventTypes)
	if err != nil {
		return err
	}
	secret := req.Secret
	if secret == "" {
		secret = outbox.NewSecret()
	} else if _, err := outbox.ParseSecret(secret); err != nil {
		return err
	}
	ob, err := s.outbox()
	if err != nil {
		return err
	}
	seal, err := s.sealer(r.Context())
	if err != nil {
		return err
	}
	e := &outbox.Endpoint{WorkspaceID: memberOf(r).WorkspaceID, Kind: outbox.KindWebhook, URL: req.URL, Events: events,
		Internal: req.Internal, SealedSecret: seal.Seal(secret), QuietStart: -1, QuietEnd: -1}
	if err := ob.CreateEndpoint(r.Context(), e, "", who(r)); err != nil {
		return err
	}
	v := viewWebhook(*e)
	v.Secret = secret
	writeJSON(w, http.StatusCreated, v)
	return nil
}

// endpointViews are the workspace's endpoints of the given kinds, each
// drawn by view.
func endpointViews[V any](s *Server, r *http.Request, view func(outbox.Endpoint) V, kinds ...outbox.Kind) ([]V, error) {
	ob, err := s.outbox()
	if err != nil {
		return nil, err
	}
	list, err := ob.Endpoints(r.Context(), memberOf(r).WorkspaceID, kinds...)
	if err != nil {
		return nil, err
	}
	out := make([]V, 0, len(list))
	for _, e := range list {
		out = append(out, view(e))
	}
	return out, nil
}

// listEndpoints answers endpointViews under key.
func listEndpoints[V any](s *Server, w http.ResponseWriter, r *http.Request, key string, view func(outbox.Endpoint) V, kinds ...outbox.Kind) error {
	out, err := endpointViews(s, r, view, kinds...)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{key: out})
	return nil
}

func (s *Server) listWebhooks(w http.ResponseWriter, r *http.Request) error {
	return listEndpoints(s, w, r, "webhooks", viewWebhook, outbox.KindWebhook)
}

type channelRequest struct {
	Kind       string `json:"kind"`
	Name       string `json:"name"`
	WebhookURL string `json:"webhook_url"`
}

type channelView struct {
	ID         int64  `json:"id"`
	Kind       string `json:"kind"`
	Name       string `json:"name"`
	WebhookURL string `json:"webhook_url"`
	CreatedAt  string `json:"created_at"`
	Token      string `json:"token,omitempty"`
	Secret     string `json:"secret,omitempty"`
	// AddressUnreadable as for webhooks.
	AddressUnreadable bool `json:"address_unreadable,omitempty"`
}

func viewChannel(e outbox.Endpoint) channelView {
	return channelView{ID: e.ID, Kind: e.ChannelKind, Name: e.Name, WebhookURL: e.URL, CreatedAt: e.CreatedAt.Format(timeJSON),
		AddressUnreadable: e.Unopened}
}

func (s *Server) createChannel(w http.ResponseWriter, r *http.Request) error {
	var req channelRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if !slices.Contains(outbox.ChannelKinds, req.Kind) {
		return chat.Errorf(chat.ErrInvalid, "kind must be one of %v", outbox.ChannelKinds)
	}
	req.Name = strings.TrimSpace(req.Name)
	if n := utf8.RuneCountInString(req.Name); n == 0 || n > 100 || strings.ContainsFunc(req.Name, chat.IsControlOrBidi) {
		return chat.Errorf(chat.ErrInvalid, "name must be 1 to 100 characters on one line")
	}
	if err := outbox.CheckURL(req.WebhookURL, s.cfg.AllowPrivateWebhooks); err != nil {
		return err
	}
	ob, err := s.outbox()
	if err != nil {
		return err
	}
	seal, err := s.sealer(r.Context())
	if err != nil {
		return err
	}
	token, secret := channelTokenPrefix+auth.NewToken(), outbox.NewSecret()
	e := &outbox.Endpoint{WorkspaceID: memberOf(r).WorkspaceID, Kind: outbox.KindChannel, Name: req.Name, URL: req.WebhookURL,
		Events: outbox.ChannelEvents, ChannelKind: req.Kind, SealedSecret: seal.Seal(secret), QuietStart: -1, QuietEnd: -1}
	if err := ob.CreateEndpoint(r.Context(), e, auth.HashToken(token), who(r)); err != nil {
		return err
	}
	v := viewChannel(*e)
	v.Token, v.Secret = token, secret
	writeJSON(w, http.StatusCreated, v)
	return nil
}

func (s *Server) listChannels(w http.ResponseWriter, r *http.Request) error {
	return listEndpoints(s, w, r, "channels", viewChannel, outbox.KindChannel)
}

type alertTargetRequest struct {
	Kind        string   `json:"kind"`
	URL         string   `json:"url"`
	Events      []string `json:"events"`
	WaitMinutes int      `json:"wait_minutes"`
}

type alertTargetView struct {
	ID          int64    `json:"id"`
	Kind        string   `json:"kind"`
	URL         string   `json:"url"`
	Events      []string `json:"events"`
	WaitMinutes int      `json:"wait_minutes"`
	CreatedAt   string   `json:"created_at"`
	// AddressUnreadable as for webhooks.
	AddressUnreadable bool `json:"address_unreadable,omitempty"`
}

func viewAlertTarget(e outbox.Endpoint) alertTargetView {
	return alertTargetView{ID: e.ID, Kind: string(e.Kind), URL: e.URL, Events: nonNil(e.Events), WaitMinutes: e.WaitMinutes, CreatedAt: e.CreatedAt.Format(timeJSON),
		AddressUnreadable: e.Unopened}
}

// defaultWait is the waiting alert's wait when none is given.
const defaultWait = 5

func checkWait(events []string, wait int) (int, error) {
	if !slices.Contains(events, outbox.AlertWaiting) {
		return 0, nil
	}
	if wait == 0 {
		return defaultWait, nil
	}
	if wait < 1 || wait > 1440 {
		return 0, chat.Errorf(chat.ErrInvalid, "wait_minutes must be 1 to 1440")
	}
	return wait, nil
}

func (s *Server) createAlertTarget(w http.ResponseWriter, r *http.Request) error {
	var req alertTargetRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	kind := outbox.Kind(req.Kind)
	switch kind {
	case outbox.KindSlack, outbox.KindJandi:
		if err := outbox.CheckURL(req.URL, s.cfg.AllowPrivateWebhooks); err != nil {
			return err
		}
	case outbox.KindEmail:
		if a, err := mail.ParseAddress(req.URL); err != nil || a.Address != req.URL || len(req.URL) > 254 {
			return chat.Errorf(chat.ErrInvalid, "url must be an email address for an email target")
		}
	default:
		return chat.Errorf(chat.ErrInvalid, "kind must be slack, jandi or email")
	}
	events, err := checkEvents(req.Events, outbox.AlertTypes)
	if err != nil {
		return err
	}
	wait, err := checkWait(events, req.WaitMinutes)
	if err != nil {
		return err
	}
	if kind == outbox.KindEmail {
		if err := s.needSMTP(); err != nil {
			return err
		}
	}
	ob, err := s.outbox()
	if err != nil {
		return err
	}
	e := &outbox.Endpoint{WorkspaceID: memberOf(r).WorkspaceID, Kind: kind, URL: req.URL, Events: events, WaitMinutes: wait, QuietStart: -1, QuietEnd: -1}
	if err := ob.CreateEndpoint(r.Context(), e, "", who(r)); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, viewAlertTarget(*e))
	return nil
}

// listAlertTargets answers the targets and whether the node can send
// email (smtp_configured: the console says so beside the email kind).
func (s *Server) listAlertTargets(w http.ResponseWriter, r *http.Request) error {
	out, err := endpointViews(s, r, viewAlertTarget, outbox.KindSlack, outbox.KindJandi, outbox.KindEmail)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"alert_targets": out, "smtp_configured": s.mail != nil})
	return nil
}

// needSMTP refuses email alerts — a new email target, an agent's own
// alerts turned on, a redelivery — on a node with no SMTP server: they
// could only fail. The refusal is a conflict with how the node is run,
// which the operator resolves (docs/operations.md).
func (s *Server) needSMTP() error {
	if s.mail == nil {
		return chat.Errorf(outbox.ErrSMTPNotConfigured, "email alerts need an SMTP server, and this server has none: the operator sets one with SODAM_SMTP_HOST")
	}
	return nil
}

// endpointOf loads {eid} if it is one of the workspace's endpoints of the
// route's kinds; any other is not found.
func (s *Server) endpointOf(r *http.Request, kinds ...outbox.Kind) (outbox.Store, *outbox.Endpoint, error) {
	id, err := pathID(r, "eid")
	if err != nil {
		return nil, nil, err
	}
	ob, err := s.outbox()
	if err != nil {
		return nil, nil, err
	}
	e, err := ob.Endpoint(r.Context(), memberOf(r).WorkspaceID, id)
	if err != nil {
		return nil, nil, err
	}
	if !slices.Contains(kinds, e.Kind) || e.AgentID != 0 {
		return nil, nil, chat.Errorf(outbox.ErrEndpointNotFound, "no such endpoint")
	}
	return ob, e, nil
}

// Handlers shared by webhooks, channels and alert targets.
func (s *Server) deleteEndpoint(kinds ...outbox.Kind) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		ob, e, err := s.endpointOf(r, kinds...)
		if err != nil {
			return err
		}
		if err := ob.DeleteEndpoint(r.Context(), e.WorkspaceID, e.ID, who(r)); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
}

func (s *Server) listDeliveries(kinds ...outbox.Kind) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		ob, e, err := s.endpointOf(r, kinds...)
		if err != nil {
			return err
		}
		f := outbox.DeliveryFilter{Status: r.URL.Query().Get("status")}
		switch f.Status {
		case "", outbox.StatusPending, outbox.StatusDelivered, outbox.StatusFailed, outbox.StatusSkipped:
		default:
			return chat.Errorf(chat.ErrInvalid, "status must be pending, delivered, failed or skipped")
		}
		// Paged as every list (page.go): newest first, the cursor the
		// last delivery shown.
		p, err := pageOf(r)
		if err != nil {
			return err
		}
		q := probe(p)
		f.BeforeID, f.Limit = p.After.ID, q.Limit
		list, err := ob.Deliveries(r.Context(), e.WorkspaceID, e.ID, f)
		if err != nil {
			return err
		}
		page, next := nextPage(list, p, func(d outbox.Delivery) chat.Cursor { return byID(d.ID) })
		writeJSON(w, http.StatusOK, map[string]any{"deliveries": page, "next_cursor": next})
		return nil
	}
}

// redeliverable refuses to redeliver to e what could only fail again at
// once: email without an SMTP server.
func (s *Server) redeliverable(e *outbox.Endpoint) error {
	if e.Kind == outbox.KindEmail {
		return s.needSMTP()
	}
	return nil
}

func (s *Server) redeliver(kinds ...outbox.Kind) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		ob, e, err := s.endpointOf(r, kinds...)
		if err != nil {
			return err
		}
		if err := s.redeliverable(e); err != nil {
			return err
		}
		did, err := pathID(r, "did")
		if err != nil {
			return err
		}
		d, err := ob.Redeliver(r.Context(), e.WorkspaceID, e.ID, did, who(r))
		if err != nil {
			return err
		}
		s.kickOutbox()
		writeJSON(w, http.StatusOK, d)
		return nil
	}
}

func (s *Server) redeliverFailed(kinds ...outbox.Kind) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		ob, e, err := s.endpointOf(r, kinds...)
		if err != nil {
			return err
		}
		if err := s.redeliverable(e); err != nil {
			return err
		}
		n, err := ob.RedeliverFailed(r.Context(), e.WorkspaceID, e.ID, who(r))
		if err != nil {
			return err
		}
		s.kickOutbox()
		writeJSON(w, http.StatusOK, map[string]int{"redelivered": n})
		return nil
	}
}

// kickOutbox wakes this node's delivery worker, when it runs one.
func (s *Server) kickOutbox() {
	if s.cfg.KickOutbox != nil {
		s.cfg.KickOutbox()
	}
}

// myAlerts is an agent's own email alerts (per-agent opt-in, §10.2).
type myAlerts struct {
	Events      []string `json:"events"`
	QuietStart  int      `json:"quiet_start"`
	QuietEnd    int      `json:"quiet_end"`
	WaitMinutes int      `json:"wait_minutes"`
}

// myAlertsView is an agent's alerts as answered, with whether the node
// can send them.
type myAlertsView struct {
	myAlerts
	SMTPConfigured bool `json:"smtp_configured"`
}

func (s *Server) getMyAlerts(w http.ResponseWriter, r *http.Request) error {
	ob, err := s.outbox()
	if err != nil {
		return err
	}
	m := memberOf(r)
	e, err := ob.PersonalAlerts(r.Context(), m.WorkspaceID, m.AgentID)
	if err != nil {
		return err
	}
	out := myAlerts{Events: []string{}, QuietStart: -1, QuietEnd: -1}
	if e != nil {
		out = myAlerts{Events: nonNil(e.Events), QuietStart: e.QuietStart, QuietEnd: e.QuietEnd, WaitMinutes: e.WaitMinutes}
	}
	writeJSON(w, http.StatusOK, myAlertsView{out, s.mail != nil})
	return nil
}

func (s *Server) putMyAlerts(w http.ResponseWriter, r *http.Request) error {
	var req myAlerts
	if err := decode(w, r, &req); err != nil {
		return err
	}
	var events []string
	if len(req.Events) > 0 {
		var err error
		if events, err = checkEvents(req.Events, outbox.PersonalAlertTypes); err != nil {
			return err
		}
	}
	wait, err := checkWait(events, req.WaitMinutes)
	if err != nil {
		return err
	}
	okMinute := func(m int) bool { return m >= -1 && m < 24*60 }
	if !okMinute(req.QuietStart) || !okMinute(req.QuietEnd) || (req.QuietStart < 0) != (req.QuietEnd < 0) {
		return chat.Errorf(chat.ErrInvalid, "quiet_start and quiet_end are minutes of the day (0 to 1439), both set or both -1")
	}
	// Turning them off needs no SMTP server; asking for any does.
	if len(events) > 0 {
		if err := s.needSMTP(); err != nil {
			return err
		}
	}
	ob, err := s.outbox()
	if err != nil {
		return err
	}
	m := memberOf(r)
	e := &outbox.Endpoint{WorkspaceID: m.WorkspaceID, AgentID: m.AgentID, Events: events, QuietStart: req.QuietStart, QuietEnd: req.QuietEnd, WaitMinutes: wait}
	if err := ob.SetPersonalAlerts(r.Context(), e); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, myAlertsView{myAlerts{Events: nonNil(events), QuietStart: e.QuietStart, QuietEnd: e.QuietEnd, WaitMinutes: wait}, s.mail != nil})
	return nil
}

func (s *Server) integrationRoutes() []route {
	var out []route
	for _, res := range []struct {
		path   string
		kinds  []outbox.Kind
		create handlerFunc
		list   handlerFunc
	}{
		{"webhooks", []outbox.Kind{outbox.KindWebhook}, s.createWebhook, s.listWebhooks},
		{"channels", []outbox.Kind{outbox.KindChannel}, s.createChannel, s.listChannels},
		{"alert-targets", []outbox.Kind{outbox.KindSlack, outbox.KindJandi, outbox.KindEmail}, s.createAlertTarget, s.listAlertTargets},
	} {
		base := "/api/v1/workspaces/{wid}/" + res.path
		out = append(out,
			route{pattern: "POST " + base, access: member, minRole: chat.RoleMaster, h: res.create, api: true, audit: "endpoint.create"},
			route{pattern: "GET " + base, access: member, minRole: chat.RoleMaster, h: res.list, api: true},
			route{pattern: "DELETE " + base + "/{eid}", access: member, minRole: chat.RoleMaster, h: s.deleteEndpoint(res.kinds...), api: true, audit: "endpoint.delete"},
			route{pattern: "GET " + base + "/{eid}/deliveries", access: member, minRole: chat.RoleMaster, h: s.listDeliveries(res.kinds...), api: true},
			route{pattern: "POST " + base + "/{eid}/deliveries/{did}/redeliver", access: member, minRole: chat.RoleMaster, h: s.redeliver(res.kinds...), api: true, audit: "endpoint.redeliver", noBody: true},
			route{pattern: "POST " + base + "/{eid}/redeliver-failed", access: member, minRole: chat.RoleMaster, h: s.redeliverFailed(res.kinds...), api: true, audit: "endpoint.redeliver", noBody: true},
		)
	}
	return append(out,
		route{pattern: "GET /api/v1/workspaces/{wid}/me/alerts", access: member, h: s.getMyAlerts, api: true},
		route{pattern: "PUT /api/v1/workspaces/{wid}/me/alerts", access: member, h: s.putMyAlerts, api: true},
		route{pattern: "POST /api/v1/channel/messages", access: public, h: s.channelMessage, api: true, limit: limitChannel},
		route{pattern: "GET /api/v1/channel/files/{aid}", access: public, h: s.channelFile, api: true, limit: limitChannel},
	)
}

package httpapi

import (
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/pii"
)

type scanRequest struct {
	Text *string `json:"text"`
	// FileName is scanned as a file's name (pii.ScanFileName) instead.
	FileName *string `json:"file_name"`
}

type scanResponse struct {
	Findings []pii.Finding `json:"findings"`
}

// scan finds personal information in a text, whatever the workspace's
// mode: the console asks before an agent sends, and to underline
// findings in suggest mode.
func (s *Server) scan(w http.ResponseWriter, r *http.Request) error {
	var req scanRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	text, scan := req.Text, pii.Scan
	switch {
	case req.Text != nil && req.FileName != nil:
		return chat.Errorf(chat.ErrInvalid, "give text or file_name, not both")
	case req.FileName != nil:
		text, scan = req.FileName, pii.ScanFileName
	case req.Text == nil:
		return chat.Errorf(chat.ErrInvalid, "text (or file_name) is required")
	}
	if n := utf8.RuneCountInString(*text); n > chat.MaxMessageLength {
		return chat.Errorf(chat.ErrMessageTooLong, "the text has %d characters; the limit is %d", n, chat.MaxMessageLength)
	}
	found := scan(*text)
	if found == nil {
		found = []pii.Finding{}
	}
	writeJSON(w, http.StatusOK, scanResponse{Findings: found})
	return nil
}

type maskRequest struct {
	Start   *int `json:"start"`
	End     *int `json:"end"`
	Finding *int `json:"finding"`
}

// check refuses a mask request that gives neither a span nor a finding,
// or both.
func (req maskRequest) check() error {
	bySpan := req.Start != nil || req.End != nil
	switch {
	case bySpan && req.Finding != nil:
		return chat.Errorf(chat.ErrInvalid, "give either start and end, or finding, not both")
	case bySpan && (req.Start == nil || req.End == nil):
		return chat.Errorf(chat.ErrInvalid, "start and end are both required")
	case !bySpan && req.Finding == nil:
		return chat.Errorf(chat.ErrInvalid, "give start and end (a span in code points) or finding (an index into the text's findings)")
	}
	return nil
}

// span is what a checked mask request masks in a text with these
// findings: the n-th finding, or the span given, which takes the kind of
// the one finding it covers (else other).
func (req maskRequest) span(found []pii.Finding, what string) (pii.Span, error) {
	if req.Finding != nil {
		n := *req.Finding
		if n < 0 || n >= len(found) {
			return pii.Span{}, chat.Errorf(chat.ErrFindingNotFound, "the %s has %d findings; finding %d is not one of them", what, len(found), n)
		}
		return pii.Span{Start: found[n].Start, End: found[n].End, Kind: found[n].Kind}, nil
	}
	span := pii.Span{Start: *req.Start, End: *req.End, Kind: pii.Other}
	var inside []pii.Kind
	for _, f := range found {
		if f.Start >= span.Start && f.End <= span.End {
			inside = append(inside, f.Kind)
		}
	}
	if len(inside) == 1 {
		span.Kind = inside[0]
	}
	return span, nil
}

// maskTicket masks a span of a ticket's message, or the n-th finding of
// its current text (pii/scan's order, from 0): what the console offers in
// suggest mode, as for a message. Any member.
func (s *Server) maskTicket(w http.ResponseWriter, r *http.Request) error {
	var req maskRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if err := req.check(); err != nil {
		return err
	}
	id, err := pathID(r, "tid")
	if err != nil {
		return err
	}
	m := memberOf(r)
	tk, err := s.store.Ticket(r.Context(), m.WorkspaceID, id, m.AgentID)
	if err != nil {
		return err
	}
	span, err := req.span(pii.Scan(tk.Message), "ticket's message")
	if err != nil {
		return err
	}
	out, err := s.app.MaskTicket(r.Context(), m.WorkspaceID, id, span, who(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// mask masks a span of a message, or the n-th finding of its current text
// (the order pii/scan returns them in, from 0; a file's name is scanned as
// one, as pii/scan's file_name is).
func (s *Server) mask(w http.ResponseWriter, r *http.Request) error {
	var req maskRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if err := req.check(); err != nil {
		return err
	}
	c, err := s.changeableConversation(r)
	if err != nil {
		return err
	}
	mid, err := pathID(r, "mid")
	if err != nil {
		return err
	}
	m, err := s.store.Message(r.Context(), c.WorkspaceID, c.ID, mid)
	if err != nil {
		return err
	}
	span, err := req.span(m.Findings(), "message")
	if err != nil {
		return err
	}
	out, err := s.app.MaskMessage(r.Context(), c.WorkspaceID, c.ID, mid, span, who(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, consoleMessage(&out))
	return nil
}

type unmaskRequest struct {
	Start     *int   `json:"start"`
	End       *int   `json:"end"`
	Reason    string `json:"reason"`
	Permanent bool   `json:"permanent"`
}

type unmaskResponse struct {
	Message   *chat.Message   `json:"message"`
	Originals []chat.Original `json:"originals"`
}

// mayUnmask checks an unmask request's span and reason, and that the
// caller's role may do what it asks: see an original (the workspace's
// view role) or restore it (its restore role). Messages and tickets share
// it.
func (s *Server) mayUnmask(r *http.Request, req *unmaskRequest) error {
	if req.Start == nil || req.End == nil {
		return chat.Errorf(chat.ErrInvalid, "start and end are required")
	}
	req.Reason = strings.TrimSpace(req.Reason)
	if req.Reason == "" {
		return chat.Errorf(chat.ErrReasonRequired, "say why the original is needed: the reason goes in the audit log")
	}
	if utf8.RuneCountInString(req.Reason) > chat.MaxUnmaskReason {
		return chat.Errorf(chat.ErrInvalid, "reason must be at most %d characters", chat.MaxUnmaskReason)
	}
	ws, err := s.workspace(r)
	if err != nil {
		return err
	}
	need, what := ws.Settings.PII.ViewRole, "see an original"
	if req.Permanent {
		need, what = ws.Settings.PII.RestoreRole, "unmask permanently"
	}
	if !memberOf(r).Role.Outranks(need) {
		return chat.Errorf(chat.ErrRoleRequired, "to %s you need the %s role or higher", what, need)
	}
	return nil
}

type ticketUnmaskResponse struct {
	Ticket    chat.Ticket     `json:"ticket"`
	Originals []chat.Original `json:"originals"`
}

// unmaskTicket shows a ticket's masked text to the caller (audited), or,
// permanently, restores it, under the same roles and reason as a
// message's (unmask).
func (s *Server) unmaskTicket(w http.ResponseWriter, r *http.Request) error {
	var req unmaskRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if err := s.mayUnmask(r, &req); err != nil {
		return err
	}
	id, err := pathID(r, "tid")
	if err != nil {
		return err
	}
	tk, originals, err := s.app.UnmaskTicket(r.Context(), memberOf(r).WorkspaceID, id,
		chat.Unmask{Start: *req.Start, End: *req.End, Reason: req.Reason, Permanent: req.Permanent}, who(r))
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store") // originals are for this screen only
	writeJSON(w, http.StatusOK, ticketUnmaskResponse{Ticket: tk, Originals: originals})
	return nil
}

// unmask shows masked text to the caller (audited), or, permanently,
// restores it for everyone. Who may do which is the workspace's setting.
func (s *Server) unmask(w http.ResponseWriter, r *http.Request) error {
	var req unmaskRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if err := s.mayUnmask(r, &req); err != nil {
		return err
	}
	// Seeing an original is reading; unmasking for good changes the
	// conversation's message.
	load := s.visibleConversation
	if req.Permanent {
		load = s.changeableConversation
	}
	c, err := load(r)
	if err != nil {
		return err
	}
	mid, err := pathID(r, "mid")
	if err != nil {
		return err
	}
	m, originals, err := s.app.UnmaskMessage(r.Context(), c.WorkspaceID, c.ID, mid,
		chat.Unmask{Start: *req.Start, End: *req.End, Reason: req.Reason, Permanent: req.Permanent}, who(r))
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store") // originals are for this screen only
	writeJSON(w, http.StatusOK, unmaskResponse{Message: consoleMessage(&m), Originals: originals})
	return nil
}

// piiRoutes are the personal-information routes (§11).
func (s *Server) piiRoutes() []route {
	return []route{
		{pattern: "POST /api/v1/workspaces/{wid}/pii/scan", access: member, h: s.scan, api: true},
		{pattern: "POST /api/v1/workspaces/{wid}/conversations/{cid}/messages/{mid}/mask", access: member, h: s.mask, api: true, audit: chat.AuditPIIMask},
		{pattern: "POST /api/v1/workspaces/{wid}/conversations/{cid}/messages/{mid}/unmask", access: member, h: s.unmask, api: true, audit: chat.AuditPIIUnmask},
		{pattern: "POST /api/v1/workspaces/{wid}/tickets/{tid}/mask", access: member, h: s.maskTicket, api: true, audit: chat.AuditPIIMask},
		{pattern: "POST /api/v1/workspaces/{wid}/tickets/{tid}/unmask", access: member, h: s.unmaskTicket, api: true, audit: chat.AuditPIIUnmask},
	}
}

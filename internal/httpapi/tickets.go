package httpapi

import (
	"context"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/sodam-chat/sodam/internal/chat"
)

// Tickets (§7): the To check list, paged and filtered, a ticket's thread of
// public replies and internal comments, and tickets opened from a chat.

// ticketFilter reads ?status=&priority=&assignee_id=&channel=&tag=&unread=&q=.
// status and priority take comma-separated lists; assignee_id 0 means
// unassigned. (The page, ?limit=&cursor=, is pageOf's.)
func (s *Server) ticketFilter(r *http.Request) (chat.TicketFilter, error) {
	q := r.URL.Query()
	for _, name := range []string{"q", "tag"} {
		if err := checkParam(name, q.Get(name)); err != nil {
			return chat.TicketFilter{}, err
		}
	}
	m := memberOf(r)
	f := chat.TicketFilter{Viewer: m.AgentID, Channel: chat.TicketChannel(q.Get("channel")), Tag: norm.NFC.String(strings.TrimSpace(q.Get("tag")))}
	for v := range strings.SplitSeq(q.Get("status"), ",") {
		if st := chat.TicketStatus(strings.TrimSpace(v)); st != "" {
			if !st.Valid() {
				return f, chat.Errorf(chat.ErrInvalid, "status must be open, pending or solved (or a comma-separated list of them)")
			}
			f.Statuses = append(f.Statuses, st)
		}
	}
	for v := range strings.SplitSeq(q.Get("priority"), ",") {
		if p := chat.TicketPriority(strings.TrimSpace(v)); p != "" {
			if !p.Valid() {
				return f, chat.Errorf(chat.ErrInvalid, "priority must be low, normal, high or urgent (or a comma-separated list of them)")
			}
			f.Priorities = append(f.Priorities, p)
		}
	}
	if f.Text = strings.TrimSpace(q.Get("q")); len([]rune(f.Text)) > 100 {
		return f, chat.Errorf(chat.ErrInvalid, "q must be at most 100 characters")
	}
	f.Text = norm.NFC.String(f.Text)
	if f.Channel != "" && !f.Channel.Valid() {
		return f, chat.Errorf(chat.ErrInvalid, "channel must be web or chat")
	}
	if len([]rune(f.Tag)) > chat.MaxTicketTag {
		return f, chat.Errorf(chat.ErrInvalid, "tag must be at most %d characters", chat.MaxTicketTag)
	}
	if v := q.Get("assignee_id"); v != "" {
		var id int64
		if v != "0" {
			var err error
			if id, err = parseID(v, "assignee_id"); err != nil {
				return f, chat.Errorf(chat.ErrInvalid, "assignee_id must be an agent's ID, or 0 for unassigned tickets")
			}
			if _, err := s.store.Member(r.Context(), m.WorkspaceID, id); err != nil {
				return f, err // another workspace's agent is as unknown as none
			}
		}
		f.AssigneeID = &id
	}
	switch q.Get("unread") {
	case "", "false":
	case "true":
		f.Unread = true
	default:
		return f, chat.Errorf(chat.ErrInvalid, "unread must be true or false")
	}
	return f, nil
}

// listTickets answers a page of the To check list, newest first: an array,
// as since v1, with the next page in a Link header (page.go).
func (s *Server) listTickets(w http.ResponseWriter, r *http.Request) error {
	page, err := pageOf(r)
	if err != nil {
		return err
	}
	if page.After.Key != 0 {
		return chat.Errorf(chat.ErrInvalid, "cursor is not one this list gave")
	}
	f, err := s.ticketFilter(r)
	if err != nil {
		return err
	}
	f.Before, f.Limit = page.After.ID, probe(page).Limit
	ts, err := s.store.Tickets(r.Context(), memberOf(r).WorkspaceID, f)
	if err != nil {
		return err
	}
	ts, next := nextPage(ts, page, func(t chat.TicketItem) chat.Cursor { return byID(t.ID) })
	linkNext(w, r, next)
	writeJSON(w, http.StatusOK, ts)
	return nil
}

// newTicket is what an agent (or an integration) opens a ticket with.
type newTicket struct {
	Subject        string              `json:"subject"`
	Body           string              `json:"body"`
	ConversationID int64               `json:"conversation_id"`
	Priority       chat.TicketPriority `json:"priority"`
	AssigneeID     int64               `json:"assignee_id"`
	// Name and Contact are the customer's when no chat is linked (a call);
	// with a chat they default to its customer's profile.
	Name    string   `json:"name"`
	Contact string   `json:"contact"`
	DueAt   *string  `json:"due_at"`
	Tags    []string `json:"tags"`
}

// parseDue reads a due time: RFC 3339; "" clears it. Its year is checked
// in UTC, as it is stored and shown: 9999-12-31T23:00:00-05:00 is in the
// year 10000 there, which JSON cannot write (the ticket, and every list
// holding it, answered 500).
func parseDue(v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if y := t.UTC().Year(); err != nil || y < 2000 || y > 9999 {
		return t, chat.Errorf(chat.ErrInvalid, "due_at must be an RFC 3339 time such as 2026-12-04T18:00:00+09:00, or \"\" for none")
	}
	return t, nil
}

func (s *Server) createTicket(w http.ResponseWriter, r *http.Request) error {
	var req newTicket
	if err := decode(w, r, &req); err != nil {
		return err
	}
	m := memberOf(r)
	ctx := r.Context()
	tk := &chat.Ticket{WorkspaceID: m.WorkspaceID, CreatedBy: m.AgentID, Subject: req.Subject, Message: req.Body,
		Priority: req.Priority, AssigneeID: req.AssigneeID, Name: strings.TrimSpace(req.Name), Contact: strings.TrimSpace(req.Contact), Tags: req.Tags}
	if tk.Priority == "" {
		tk.Priority = chat.PriorityNormal
	}
	if req.DueAt != nil {
		due, err := parseDue(*req.DueAt)
		if err != nil {
			return err
		}
		if !due.IsZero() {
			tk.DueAt = &due
		}
	}
	if req.ConversationID < 0 {
		return chat.Errorf(chat.ErrInvalid, "conversation_id must be a conversation's ID")
	}
	if req.ConversationID != 0 {
		// Only a chat the agent may see: the ticket shows its transcript
		// to everyone who sees the ticket.
		c, err := s.store.Conversation(ctx, m.WorkspaceID, req.ConversationID)
		if err != nil {
			return err
		}
		if !chat.CanSee(*c, m.AgentID, m.Role) {
			return chat.Errorf(chat.ErrConversationNotFound, "no such conversation")
		}
		tk.ConversationID = c.ID
		if cu, err := s.store.Customer(ctx, m.WorkspaceID, c.CustomerID); err == nil {
			// What the profile holds is taken when a ticket could hold
			// it, and left out when not (a value stored before the
			// profile's checks, or passed by the site): the agent made
			// the ticket for the chat, not for its contact.
			if name := cu.Profile.DisplayName(); tk.Name == "" && utf8.RuneCountInString(name) <= 100 && !strings.ContainsFunc(name, chat.IsControlOrBidi) {
				tk.Name = name
			}
			if tk.Contact == "" {
				for _, contact := range []string{cu.Email, cu.Phone} {
					if chat.IsContact(contact) {
						tk.Contact = contact
						break
					}
				}
			}
		} else if chat.ErrorCode(err) == "" {
			return err
		}
	}
	if err := s.app.CreateTicket(ctx, tk); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, chat.TicketItem{Ticket: *tk})
	return nil
}

// ticketDetail is a ticket with its thread.
// ticketDetail is a ticket with the last page of its thread; Earlier is
// the before= of the page before it (its first reply's ID), 0 when the
// thread starts there.
type ticketDetail struct {
	Ticket  chat.TicketItem    `json:"ticket"`
	Replies []chat.TicketReply `json:"replies"`
	Earlier int64              `json:"earlier"`
}

// replyPage is a page of a ticket's thread (GET …/replies?before=).
type replyPage struct {
	Replies []chat.TicketReply `json:"replies"`
	Earlier int64              `json:"earlier"`
}

func (s *Server) getTicket(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "tid")
	if err != nil {
		return err
	}
	m := memberOf(r)
	tk, err := s.store.Ticket(r.Context(), m.WorkspaceID, id, m.AgentID)
	if err != nil {
		return err
	}
	page, err := s.readReplies(r.Context(), m.WorkspaceID, id, 0)
	if err != nil {
		return err
	}
	w.Header().Set("ETag", ticketETag(tk.Ticket))
	writeJSON(w, http.StatusOK, ticketDetail{Ticket: tk, Replies: page.Replies, Earlier: page.Earlier})
	return nil
}

// listTicketReplies answers the page of a ticket's thread before the
// reply ?before= (the ticket's earlier, then each page's).
func (s *Server) listTicketReplies(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "tid")
	if err != nil {
		return err
	}
	before, err := seqValue(r.URL.Query().Get("before"), "before")
	if err != nil {
		return err
	}
	m := memberOf(r)
	// The ticket first: another workspace's, or none, is 404, not an
	// empty page.
	if _, err := s.store.Ticket(r.Context(), m.WorkspaceID, id, m.AgentID); err != nil {
		return err
	}
	page, err := s.readReplies(r.Context(), m.WorkspaceID, id, before)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, page)
	return nil
}

// readReplies reads chat.ReplyPage replies before before (0: the last
// ones), with one more that says whether a page comes before them.
func (s *Server) readReplies(ctx context.Context, workspaceID, ticketID, before int64) (replyPage, error) {
	replies, err := s.store.TicketReplies(ctx, workspaceID, ticketID, before, chat.ReplyPage+1)
	if err != nil {
		return replyPage{}, err
	}
	var earlier int64
	if len(replies) > chat.ReplyPage {
		replies = replies[1:]
		earlier = replies[0].ID
	}
	return replyPage{Replies: nonNil(replies), Earlier: earlier}, nil
}

// markTicketRead clears the caller's unread marker on a ticket.
func (s *Server) markTicketRead(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "tid")
	if err != nil {
		return err
	}
	m := memberOf(r)
	if err := s.store.MarkTicketRead(r.Context(), m.WorkspaceID, id, m.AgentID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// ticketTranscript is the chat a ticket was made from: its last
// messages, or those before ?before= (messageQueryOf), and where the ones
// before them end.
type ticketTranscript struct {
	Conversation *chat.Conversation `json:"conversation"`
	Messages     []chat.Message     `json:"messages"`
	Earlier      int64              `json:"earlier"`
}

func (s *Server) getTicketTranscript(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "tid")
	if err != nil {
		return err
	}
	mq, err := messageQueryOf(r, false)
	if err != nil {
		return err
	}
	m := memberOf(r)
	ctx := r.Context()
	tk, err := s.store.Ticket(ctx, m.WorkspaceID, id, m.AgentID)
	if err != nil {
		return err
	}
	if tk.ConversationID == 0 {
		return chat.Errorf(chat.ErrConversationNotFound, "this ticket was not made from a chat")
	}
	c, err := s.store.Conversation(ctx, m.WorkspaceID, tk.ConversationID)
	if err != nil {
		return err
	}
	page, err := s.readMessages(ctx, m.WorkspaceID, c.ID, mq)
	if err != nil {
		return err
	}
	// Its files download through the ticket (consoleMessageVia): whoever may see
	// the ticket may see its chat.
	writeJSON(w, http.StatusOK, ticketTranscript{Conversation: c, Messages: consoleMessages(page.msgs, viaTicket, tk.ID), Earlier: page.earlier})
	return nil
}

type ticketPatch struct {
	Status     *chat.TicketStatus   `json:"status"`
	Priority   *chat.TicketPriority `json:"priority"`
	AssigneeID *int64               `json:"assignee_id"`
	Note       *string              `json:"note"`
	Subject    *string              `json:"subject"`
	Contact    *string              `json:"contact"`
	// DueAt: an RFC 3339 time, or "" to clear it.
	DueAt *string   `json:"due_at"`
	Tags  *[]string `json:"tags"`
}

func (s *Server) patchTicket(w http.ResponseWriter, r *http.Request) error {
	var req ticketPatch
	if err := decode(w, r, &req); err != nil {
		return err
	}
	id, err := pathID(r, "tid")
	if err != nil {
		return err
	}
	p := chat.TicketPatch{Status: req.Status, Priority: req.Priority, AssigneeID: req.AssigneeID, Note: req.Note, Subject: req.Subject, Contact: req.Contact, Tags: req.Tags}
	if p == (chat.TicketPatch{}) && req.DueAt == nil {
		// Nothing to change: not an update (it moved updated_at and told
		// every console about a change that was none), as a member's
		// patch of nothing is refused.
		return chat.Errorf(chat.ErrInvalid, "send at least one of status, priority, assignee_id, due_at, tags, subject, contact or note")
	}
	if req.DueAt != nil {
		due, err := parseDue(*req.DueAt)
		if err != nil {
			return err
		}
		p.DueAt = &due
	}
	if p.Unchanged, err = ifMatch(r); err != nil {
		return err
	}
	tk, err := s.app.UpdateTicket(r.Context(), memberOf(r).WorkspaceID, id, p)
	if err != nil {
		return err
	}
	w.Header().Set("ETag", ticketETag(tk))
	writeJSON(w, http.StatusOK, tk)
	return nil
}

// ticketETag is a ticket's version: its updated_at, quoted. A PATCH with
// it in If-Match changes the ticket only if nobody has since (409
// conflict otherwise): what a console sends when it replaces the tags.
func ticketETag(tk chat.Ticket) string {
	return versionETag(tk.UpdatedAt)
}

// versionETag is a ticket's or an FAQ article's version: its updated_at,
// quoted (ifMatch reads it back).
func versionETag(at time.Time) string {
	return `"` + at.UTC().Format(time.RFC3339Nano) + `"`
}

// ifMatch reads an optional If-Match: the ticket's (or FAQ article's)
// ETag, or its updated_at as the JSON gives it, quoted or not; "*" is any
// version.
func ifMatch(r *http.Request) (*time.Time, error) {
	v := strings.TrimSpace(r.Header.Get("If-Match"))
	if v == "" || v == "*" {
		return nil, nil
	}
	at, err := time.Parse(time.RFC3339Nano, strings.Trim(strings.TrimPrefix(v, "W/"), `"`))
	if err != nil {
		return nil, chat.Errorf(chat.ErrInvalid, "If-Match must be the ETag (the updated_at) it had when it was read")
	}
	return &at, nil
}

type newReply struct {
	Body     string `json:"body"`
	Internal bool   `json:"internal"`
	// ClientID is an optional idempotency key (client_msg_id's rules).
	ClientID string `json:"client_id"`
}

func (s *Server) replyToTicket(w http.ResponseWriter, r *http.Request) error {
	var req newReply
	if err := decode(w, r, &req); err != nil {
		return err
	}
	id, err := pathID(r, "tid")
	if err != nil {
		return err
	}
	m := memberOf(r)
	reply := &chat.TicketReply{WorkspaceID: m.WorkspaceID, TicketID: id, AuthorID: m.AgentID, Internal: req.Internal, Body: req.Body, ClientID: req.ClientID}
	if err := s.app.ReplyToTicket(r.Context(), reply); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, reply)
	return nil
}

// ticketRoutes are the ticket routes.
func (s *Server) ticketRoutes() []route {
	return []route{
		{pattern: "GET /api/v1/workspaces/{wid}/tickets", access: member, h: s.listTickets, api: true},
		{pattern: "POST /api/v1/workspaces/{wid}/tickets", access: member, h: s.createTicket, api: true},
		{pattern: "GET /api/v1/workspaces/{wid}/tickets/{tid}", access: member, h: s.getTicket, api: true},
		{pattern: "PATCH /api/v1/workspaces/{wid}/tickets/{tid}", access: member, h: s.patchTicket, api: true},
		{pattern: "GET /api/v1/workspaces/{wid}/tickets/{tid}/replies", access: member, h: s.listTicketReplies, api: true},
		{pattern: "POST /api/v1/workspaces/{wid}/tickets/{tid}/replies", access: member, h: s.replyToTicket, api: true},
		{pattern: "POST /api/v1/workspaces/{wid}/tickets/{tid}/read", access: member, h: s.markTicketRead, api: true, noBody: true},
		{pattern: "GET /api/v1/workspaces/{wid}/tickets/{tid}/transcript", access: member, h: s.getTicketTranscript, api: true},
	}
}

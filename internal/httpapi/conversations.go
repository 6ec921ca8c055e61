package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/sodam-chat/sodam/internal/chat"
)

func (s *Server) listConversations(w http.ResponseWriter, r *http.Request) error {
	m := memberOf(r)
	q := r.URL.Query()
	f := chat.ConversationFilter{State: chat.State(q.Get("state"))}
	if f.State != "" && !f.State.Valid() {
		return chat.Errorf(chat.ErrInvalid, "state must be one of unassigned, waiting, active, closed, bot")
	}
	if err := flagFilter(q.Get("flag"), &f); err != nil {
		return err
	}
	var err error
	if f.Page, err = pageOf(r); err != nil {
		return err
	}
	switch scope := q.Get("scope"); {
	case scope == "mine":
		f.AssigneeID = m.AgentID
	case scope != "" && scope != "all":
		return chat.Errorf(chat.ErrInvalid, "scope must be mine or all")
	case !m.Role.SeesAll():
		f.VisibleTo = m.AgentID
	}
	page := f.Page
	f.Page = probe(page)
	cs, err := s.store.Conversations(r.Context(), m.WorkspaceID, f)
	if err != nil {
		return err
	}
	cs, next := nextPage(cs, page, func(c chat.Conversation) chat.Cursor {
		if f.State == chat.StateUnassigned && c.QueuedAt != nil {
			return chat.Cursor{Key: c.QueuedAt.UnixMicro(), ID: c.ID} // the queue is in the order it was entered
		}
		return chat.Cursor{Key: c.LastMessageAt.UnixMicro(), ID: c.ID}
	})
	linkNext(w, r, next)
	writeJSON(w, http.StatusOK, cs)
	return nil
}

// visibleConversation loads {cid} if the member may see it; otherwise it
// answers not found, as if it did not exist.
func (s *Server) visibleConversation(r *http.Request) (*chat.Conversation, error) {
	cid, err := pathID(r, "cid")
	if err != nil {
		return nil, err
	}
	m := memberOf(r)
	c, err := s.store.Conversation(r.Context(), m.WorkspaceID, cid)
	if err != nil {
		return nil, err
	}
	if ok, err := s.mayRead(r, c); err != nil {
		return nil, err
	} else if !ok {
		return nil, chat.Errorf(chat.ErrConversationNotFound, "no such conversation")
	}
	return c, nil
}

// changeableConversation loads {cid} for a change to it, its customer or
// its messages, which is for those who see it (chat.CanSee). A mention
// lets a colleague read a conversation and answer with a note, nothing
// more: to them the change is forbidden; to anyone else the conversation
// is not found.
func (s *Server) changeableConversation(r *http.Request) (*chat.Conversation, error) {
	c, err := s.visibleConversation(r)
	if err != nil {
		return nil, err
	}
	if m := memberOf(r); !chat.CanSee(*c, m.AgentID, m.Role) {
		return nil, chat.Errorf(chat.ErrForbidden, "a mention lets you read this conversation and add notes; changing it is for its agent or a manager")
	}
	return c, nil
}

// mayRead reports whether the member may read c: see it, or, not theirs,
// be mentioned in one of its notes (a colleague asked for their help).
func (s *Server) mayRead(r *http.Request, c *chat.Conversation) (bool, error) {
	m := memberOf(r)
	if chat.CanSee(*c, m.AgentID, m.Role) {
		return true, nil
	}
	mentioned, err := s.store.IsMentioned(r.Context(), m.WorkspaceID, c.ID, m.AgentID)
	if err != nil {
		return false, err
	}
	return chat.MayReadConversation(*c, m.AgentID, m.Role, mentioned), nil
}

// assign takes a queued chat for the member ("Assign to me"). Every agent
// sees the queue and sees a chat leave it (chat.AgentMaySee): one that a
// colleague, or the visitor's end, got to first is refused for what
// happened to it — already_assigned, conversation_closed — however the
// two requests interleave, not hidden as not found, which told the agent
// who lost a race to a colleague nothing they could act on.
func (s *Server) assign(w http.ResponseWriter, r *http.Request) error {
	err := s.changeConversation(w, r, s.app.Take)
	if chat.ErrorCode(err) != chat.ErrConversationNotFound {
		return err
	}
	cid, perr := pathID(r, "cid")
	if perr != nil {
		return perr
	}
	c, cerr := s.store.Conversation(r.Context(), memberOf(r).WorkspaceID, cid)
	switch {
	case cerr != nil || c.State == chat.StateUnassigned || c.State == chat.StateBot:
		return err // none, or one the store refused as not found
	case c.AssigneeID != 0:
		return chat.Errorf(chat.ErrAlreadyAssigned, "the conversation is already assigned")
	}
	return chat.Errorf(chat.ErrConversationClosed, "the conversation is already closed")
}

func (s *Server) agentClose(w http.ResponseWriter, r *http.Request) error {
	return s.changeConversation(w, r, s.app.CloseConversation)
}

// changeConversation applies a change, on the member's behalf, to a
// conversation they can see.
func (s *Server) changeConversation(w http.ResponseWriter, r *http.Request,
	change func(ctx context.Context, workspaceID, conversationID int64, actor chat.Actor) (chat.Conversation, error)) error {
	c, err := s.visibleConversation(r)
	if err != nil {
		return err
	}
	updated, err := change(r.Context(), c.WorkspaceID, c.ID, actorOf(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, updated)
	return nil
}

type transferRequest struct {
	AgentID int64  `json:"agent_id"`
	Reason  string `json:"reason"`
}

func (s *Server) transfer(w http.ResponseWriter, r *http.Request) error {
	var req transferRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if req.AgentID <= 0 {
		return chat.Errorf(chat.ErrInvalid, "agent_id must be the ID of the agent to transfer to")
	}
	return s.changeConversation(w, r, func(ctx context.Context, ws, id int64, actor chat.Actor) (chat.Conversation, error) {
		return s.app.Transfer(ctx, ws, id, actor, req.AgentID, req.Reason)
	})
}

type toggleRequest struct {
	On *bool `json:"on"`
}

// toggle reads {"on": true|false} and applies set.
func (s *Server) toggle(w http.ResponseWriter, r *http.Request,
	set func(ctx context.Context, ws, id int64, actor chat.Actor, on bool) (chat.Conversation, error)) error {
	var req toggleRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if req.On == nil {
		return chat.Errorf(chat.ErrInvalid, "on (true or false) is required")
	}
	return s.changeConversation(w, r, func(ctx context.Context, ws, id int64, actor chat.Actor) (chat.Conversation, error) {
		return set(ctx, ws, id, actor, *req.On)
	})
}

func (s *Server) hold(w http.ResponseWriter, r *http.Request) error {
	return s.toggle(w, r, s.app.SetHold)
}

func (s *Server) important(w http.ResponseWriter, r *http.Request) error {
	return s.toggle(w, r, s.app.SetImportant)
}

// flagFilter reads ?flag=important|hold|both into a conversation filter.
func flagFilter(v string, f *chat.ConversationFilter) error {
	yes := true
	switch v {
	case "", "all":
	case "important":
		f.Important = &yes
	case "hold":
		f.OnHold = &yes
	case "both":
		f.Important, f.OnHold = &yes, &yes
	default:
		return chat.Errorf(chat.ErrInvalid, "flag must be all, important, hold or both")
	}
	return nil
}

// conversationDetail is the open conversation with its customer.
type conversationDetail struct {
	Conversation *chat.Conversation `json:"conversation"`
	Customer     *chat.Customer     `json:"customer"`
	// TotalConversations counts the customer ID's conversations (§4.1).
	TotalConversations int `json:"total_conversations"`
}

func (s *Server) getConversation(w http.ResponseWriter, r *http.Request) error {
	c, err := s.visibleConversation(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	cu, err := s.store.Customer(ctx, c.WorkspaceID, c.CustomerID)
	if err != nil {
		return err
	}
	total, err := s.store.CountCustomerConversations(ctx, c.WorkspaceID, c.CustomerID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, conversationDetail{Conversation: c, Customer: cu, TotalConversations: total})
	return nil
}

func (s *Server) setNote(w http.ResponseWriter, r *http.Request) error {
	var n chat.Note
	if err := decode(w, r, &n); err != nil {
		return err
	}
	c, err := s.changeableConversation(r)
	if err != nil {
		return err
	}
	updated, err := s.app.SetNote(r.Context(), c.WorkspaceID, c.ID, n)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, updated)
	return nil
}

func (s *Server) requestRating(w http.ResponseWriter, r *http.Request) error {
	c, err := s.visibleConversation(r)
	if err != nil {
		return err
	}
	msg, err := s.app.RequestRating(r.Context(), c.WorkspaceID, c.ID, actorOf(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, msg)
	return nil
}

func (s *Server) history(w http.ResponseWriter, r *http.Request) error {
	c, err := s.visibleConversation(r)
	if err != nil {
		return err
	}
	page, err := pageOf(r)
	if err != nil {
		return err
	}
	cs, err := s.store.CustomerConversations(r.Context(), c.WorkspaceID, c.CustomerID, probe(page))
	if err != nil {
		return err
	}
	cs, next := nextPage(cs, page, func(c chat.Conversation) chat.Cursor { return byID(c.ID) })
	linkNext(w, r, next)
	writeJSON(w, http.StatusOK, cs)
	return nil
}

// pastConversation is one conversation of the customer's history, opened.
type pastConversation struct {
	Conversation *chat.Conversation `json:"conversation"`
	// Messages are its last messages, or those before ?before=
	// (messageQueryOf); Earlier is where the ones before them end.
	Messages []chat.Message `json:"messages"`
	Earlier  int64          `json:"earlier"`
	// DurationSeconds runs from start to close, or to now while open.
	DurationSeconds int64 `json:"duration_seconds"`
}

func (s *Server) historyItem(w http.ResponseWriter, r *http.Request) error {
	c, err := s.visibleConversation(r)
	if err != nil {
		return err
	}
	hid, err := pathID(r, "hid")
	if err != nil {
		return err
	}
	mq, err := messageQueryOf(r, false)
	if err != nil {
		return err
	}
	ctx := r.Context()
	past, err := s.store.Conversation(ctx, c.WorkspaceID, hid)
	if err != nil {
		return err
	}
	if err := s.inHistory(ctx, c, past); err != nil {
		return err
	}
	page, err := s.readMessages(ctx, c.WorkspaceID, past.ID, mq)
	if err != nil {
		return err
	}
	end := time.Now()
	if past.ClosedAt != nil {
		end = *past.ClosedAt
	}
	// Its files download through the conversation open (consoleMessageVia).
	writeJSON(w, http.StatusOK, pastConversation{Conversation: past, Messages: consoleMessages(page.msgs, viaConversation, c.ID),
		Earlier: page.earlier, DurationSeconds: int64(end.Sub(past.CreatedAt).Seconds())})
	return nil
}

// inHistory checks that past is in c's customer's history: only the same
// customer ID's conversations are what the panel may show, whoever served
// them.
func (s *Server) inHistory(ctx context.Context, c, past *chat.Conversation) error {
	cu, err := s.store.Customer(ctx, c.WorkspaceID, c.CustomerID)
	if err != nil {
		return err
	}
	pastCu, err := s.store.Customer(ctx, c.WorkspaceID, past.CustomerID)
	if err != nil {
		return err
	}
	if cu.Profile.ID != pastCu.Profile.ID {
		return chat.Errorf(chat.ErrConversationNotFound, "no such conversation in this customer's history")
	}
	return nil
}

// conversationRoutes are the conversation routes.
func (s *Server) conversationRoutes() []route {
	return []route{
		{pattern: "GET /api/v1/workspaces/{wid}/conversations", access: member, h: s.listConversations, api: true},
		{pattern: "GET /api/v1/workspaces/{wid}/conversations/{cid}", access: member, h: s.getConversation, api: true},
		{pattern: "POST /api/v1/workspaces/{wid}/conversations/{cid}/assign", access: member, h: s.assign, api: true, noBody: true},
		{pattern: "POST /api/v1/workspaces/{wid}/conversations/{cid}/close", access: member, h: s.agentClose, api: true, noBody: true},
		{pattern: "POST /api/v1/workspaces/{wid}/conversations/{cid}/transfer", access: member, h: s.transfer, api: true},
		{pattern: "POST /api/v1/workspaces/{wid}/conversations/{cid}/hold", access: member, h: s.hold, api: true},
		{pattern: "POST /api/v1/workspaces/{wid}/conversations/{cid}/important", access: member, h: s.important, api: true},
		{pattern: "PUT /api/v1/workspaces/{wid}/conversations/{cid}/note", access: member, h: s.setNote, api: true},
		{pattern: "POST /api/v1/workspaces/{wid}/conversations/{cid}/rating-request", access: member, h: s.requestRating, api: true, noBody: true},
		{pattern: "GET /api/v1/workspaces/{wid}/conversations/{cid}/history", access: member, h: s.history, api: true},
		{pattern: "GET /api/v1/workspaces/{wid}/conversations/{cid}/history/{hid}", access: member, h: s.historyItem, api: true},
	}
}

package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/sodam-chat/sodam/internal/chat"
)

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

type blockRequest struct {
	Reason string `json:"reason"`
	Note   string `json:"note"`
}

// block blocks the conversation's customer (§5.5): its assigned agent or a
// manager may, from any of the customer's conversations.
func (s *Server) block(w http.ResponseWriter, r *http.Request) error {
	var req blockRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	c, err := s.visibleConversation(r)
	if err != nil {
		return err
	}
	m := memberOf(r)
	if c.AssigneeID != m.AgentID && !m.Role.SeesAll() {
		return chat.Errorf(chat.ErrNotAssignee, "only the assigned agent or a manager can block this customer")
	}
	cu, err := s.app.BlockCustomer(r.Context(), c.WorkspaceID, c.CustomerID, req.Reason, req.Note)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, cu)
	return nil
}

func (s *Server) listBlocked(w http.ResponseWriter, r *http.Request) error {
	cs, err := s.store.BlockedCustomers(r.Context(), memberOf(r).WorkspaceID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, nonNil(cs))
	return nil
}

func (s *Server) unblock(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "customer")
	if err != nil {
		return err
	}
	cu, err := s.store.UnblockCustomer(r.Context(), memberOf(r).WorkspaceID, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, cu)
	return nil
}

type capacityRequest struct {
	// Capacity is the override; null falls back to the workspace default.
	Capacity *int `json:"capacity"`
}

func (s *Server) setCapacity(w http.ResponseWriter, r *http.Request) error {
	var req capacityRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	aid, err := pathID(r, "aid")
	if err != nil {
		return err
	}
	m, err := s.app.SetCapacity(r.Context(), memberOf(r).WorkspaceID, aid, req.Capacity)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, m)
	return nil
}

func (s *Server) listTickets(w http.ResponseWriter, r *http.Request) error {
	st := chat.TicketStatus(r.URL.Query().Get("status"))
	if st != "" && !st.Valid() {
		return chat.Errorf(chat.ErrInvalid, "status must be open or solved")
	}
	ts, err := s.store.Tickets(r.Context(), memberOf(r).WorkspaceID, chat.TicketFilter{Status: st})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, nonNil(ts))
	return nil
}

type ticketPatch struct {
	Status     *chat.TicketStatus `json:"status"`
	AssigneeID *int64             `json:"assignee_id"`
	Note       *string            `json:"note"`
}

func (s *Server) patchTicket(w http.ResponseWriter, r *http.Request) error {
	var p ticketPatch
	if err := decode(w, r, &p); err != nil {
		return err
	}
	id, err := pathID(r, "tid")
	if err != nil {
		return err
	}
	tk, err := s.app.UpdateTicket(r.Context(), memberOf(r).WorkspaceID, id, chat.TicketPatch(p))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, tk)
	return nil
}

// presenceEvery is how often a console connection renews its agent's
// auto-offline timer.
const presenceEvery = 30 * time.Second

// keepPresence pushes the agent's auto-offline job forward while ctx lives
// and once more when it ends: when every console has been gone for the
// workspace's auto-offline minutes, the job takes the agent offline (§3.1).
// The job lives in the store, so it also fires if this node dies.
func (s *Server) keepPresence(ctx context.Context, m *chat.Member) {
	renew := func(ctx context.Context) {
		ws, err := s.store.Workspace(ctx, m.WorkspaceID)
		if err != nil {
			s.log.Warn("presence", "err", err)
			return
		}
		due := s.now().Add(time.Duration(ws.Settings.AutoOfflineMinutes) * time.Minute)
		if err := s.store.ScheduleJob(ctx, chat.Job{Kind: chat.JobOffline, WorkspaceID: m.WorkspaceID, RefID: m.AgentID, DueAt: due}); err != nil {
			s.log.Warn("presence", "err", err)
		}
	}
	renew(ctx)
	tick := time.NewTicker(presenceEvery)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			// Count the absence from the moment the socket went away.
			ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			renew(ctx)
			cancel()
			return
		case <-tick.C:
			renew(ctx)
		}
	}
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

// queueFrame tells a visitor their place in the queue.
type queueFrame struct {
	Type     string `json:"type"`
	Position int    `json:"position"`
}

// queueNotice reports the visitor's queue position after "ready" and after
// each event that moves the queue, while their conversation waits in it.
func (s *Server) queueNotice(workspaceID, conversationID int64) func(context.Context, *chat.Event) any {
	last := -1
	return func(ctx context.Context, ev *chat.Event) any {
		if ev != nil && ev.Type != chat.EventConversationCreated && ev.PrevState != chat.StateUnassigned {
			return nil
		}
		pos, err := s.store.QueuePosition(ctx, workspaceID, conversationID)
		if err != nil || pos == last {
			return nil
		}
		last = pos
		return queueFrame{Type: "queue", Position: pos}
	}
}

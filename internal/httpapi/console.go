package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"strconv"

	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/realtime"
)

// workspaceView is a workspace as the console sees it; the identity secret
// is shown to masters only.
type workspaceView struct {
	*chat.Workspace
	IdentitySecret string `json:"identity_secret,omitempty"`
}

func (s *Server) workspace(r *http.Request) (*chat.Workspace, error) {
	return s.store.Workspace(r.Context(), memberOf(r).WorkspaceID)
}

func (s *Server) viewWorkspace(r *http.Request, ws *chat.Workspace) workspaceView {
	v := workspaceView{Workspace: ws}
	if memberOf(r).Role == chat.RoleMaster {
		v.IdentitySecret = ws.IdentitySecret
	}
	return v
}

func (s *Server) getWorkspace(w http.ResponseWriter, r *http.Request) error {
	ws, err := s.workspace(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.viewWorkspace(r, ws))
	return nil
}

func (s *Server) patchWorkspace(w http.ResponseWriter, r *http.Request) error {
	ws, err := s.workspace(r)
	if err != nil {
		return err
	}
	// The settings a patch names replace the current ones; the rest stay.
	settings := ws.Settings
	p := chat.WorkspacePatch{Settings: &settings}
	if err := decode(w, r, &p); err != nil {
		return err
	}
	if err := p.Apply(ws); err != nil {
		return err
	}
	if err := s.app.UpdateWorkspace(r.Context(), ws); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.viewWorkspace(r, ws))
	return nil
}

type embedResponse struct {
	SiteID    string `json:"site_id"`
	WidgetURL string `json:"widget_url"`
	Snippet   string `json:"snippet"`
}

func (s *Server) embed(w http.ResponseWriter, r *http.Request) error {
	ws, err := s.workspace(r)
	if err != nil {
		return err
	}
	src := s.cfg.BaseURL + "/widget.js"
	writeJSON(w, http.StatusOK, embedResponse{
		SiteID: ws.SiteID, WidgetURL: src,
		Snippet: fmt.Sprintf(`<script src="%s" data-site-id="%s" async></script>`, html.EscapeString(src), html.EscapeString(ws.SiteID)),
	})
	return nil
}

func (s *Server) listAgents(w http.ResponseWriter, r *http.Request) error {
	ms, err := s.store.Members(r.Context(), memberOf(r).WorkspaceID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, nonNil(ms))
	return nil
}

func (s *Server) setStatus(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Status chat.AgentStatus `json:"status"`
	}
	if err := decode(w, r, &req); err != nil {
		return err
	}
	m := memberOf(r)
	updated, err := s.app.SetAgentStatus(r.Context(), m.WorkspaceID, m.AgentID, req.Status)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, updated)
	return nil
}

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
	switch scope := q.Get("scope"); {
	case scope == "mine":
		f.AssigneeID = m.AgentID
	case scope != "" && scope != "all":
		return chat.Errorf(chat.ErrInvalid, "scope must be mine or all")
	case !m.Role.SeesAll():
		f.VisibleTo = m.AgentID
	}
	cs, err := s.store.Conversations(r.Context(), m.WorkspaceID, f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, nonNil(cs))
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
	if !chat.CanSee(*c, m.AgentID, m.Role) {
		return nil, chat.Errorf(chat.ErrConversationNotFound, "no such conversation")
	}
	return c, nil
}

func afterParam(r *http.Request) (int64, error) {
	v := r.URL.Query().Get("after")
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, chat.Errorf(chat.ErrInvalid, "after must be a non-negative integer")
	}
	return n, nil
}

func (s *Server) listMessages(w http.ResponseWriter, r *http.Request) error {
	c, err := s.visibleConversation(r)
	if err != nil {
		return err
	}
	msgs, err := s.messagesAfter(r, c)
	if err != nil {
		return err
	}
	out := make([]*chat.Message, len(msgs))
	for i := range msgs {
		out[i] = consoleMessage(&msgs[i])
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// messagesAfter lists c's messages after the request's ?after= sequence.
func (s *Server) messagesAfter(r *http.Request, c *chat.Conversation) ([]chat.Message, error) {
	after, err := afterParam(r)
	if err != nil {
		return nil, err
	}
	return s.store.Messages(r.Context(), c.WorkspaceID, c.ID, after, 0)
}

type sendRequest struct {
	ClientMsgID string `json:"client_msg_id"`
	Body        string `json:"body"`
}

func (s *Server) agentSend(w http.ResponseWriter, r *http.Request) error {
	var req sendRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	c, err := s.visibleConversation(r)
	if err != nil {
		return err
	}
	sent, err := s.app.Send(r.Context(), c.WorkspaceID, c.ID, actorOf(r),
		chat.NewMessage{ClientMsgID: req.ClientMsgID, Body: req.Body, SenderName: memberOf(r).Name})
	if err != nil {
		return err
	}
	writeJSON(w, createdStatus(sent.Dup), sent.Message)
	return nil
}

// createdStatus is 201 for a new message and 200 for a retried one.
func createdStatus(dup bool) int {
	if dup {
		return http.StatusOK
	}
	return http.StatusCreated
}

func (s *Server) assign(w http.ResponseWriter, r *http.Request) error {
	return s.changeConversation(w, r, s.app.Take)
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

// clientFrame is what a WebSocket client may send.
type clientFrame struct {
	Type           string `json:"type"`
	ConversationID int64  `json:"conversation_id"`
	Typing         bool   `json:"typing"`
}

// eventsAfterParam reads a socket's ?after=; without it the session starts
// at the end of the log.
func eventsAfterParam(r *http.Request) (int64, error) {
	if r.URL.Query().Get("after") == "" {
		return -1, nil
	}
	return afterParam(r)
}

func (s *Server) agentWS(w http.ResponseWriter, r *http.Request) error {
	after, err := eventsAfterParam(r)
	if err != nil {
		return err
	}
	m := memberOf(r)
	// Only the console's own origin may open an agent socket (the library
	// refuses other origins when no patterns are given).
	conn, err := realtime.Accept(w, r, nil)
	if err != nil {
		return nil // Accept has answered the client
	}
	defer conn.Close("bye")
	defer s.metrics.Connected("agent")()
	ctx, stop := context.WithCancel(r.Context())
	defer stop()
	go s.keepPresence(ctx, m)
	err = s.hub.Serve(ctx, realtime.Session{
		Conn: conn, WorkspaceID: m.WorkspaceID, After: after,
		MaySee:   func(ev chat.Event) bool { return chat.AgentMaySee(ev, *m) },
		Audience: "console",
		Render:   func(ev chat.Event) any { return consoleEvent(ev) },
		ShowTyping: func(t realtime.Typing) bool {
			return t.SenderType == chat.SenderVisitor && chat.CanSee(chat.Conversation{AssigneeID: t.AssigneeID, State: t.State}, m.AgentID, m.Role)
		},
		OnFrame: func(ctx context.Context, data []byte) {
			var f clientFrame
			if json.Unmarshal(data, &f) != nil || f.Type != "typing" {
				return
			}
			c, err := s.store.Conversation(ctx, m.WorkspaceID, f.ConversationID)
			if err != nil || c.AssigneeID != m.AgentID || !c.State.Open() {
				return
			}
			s.hub.PublishTyping(ctx, m.WorkspaceID, realtime.Typing{ConversationID: c.ID, SenderType: chat.SenderAgent, Typing: f.Typing, AssigneeID: c.AssigneeID, State: c.State})
		},
	})
	s.log.Debug("agent socket closed", "agent", m.AgentID, "err", err)
	return nil
}

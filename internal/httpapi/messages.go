package httpapi

import (
	"net/http"
	"strconv"

	"github.com/sodam-chat/sodam/internal/chat"
)

func afterParam(r *http.Request) (int64, error) {
	return afterValue(r.URL.Query().Get("after"))
}

// afterValue parses an ?after= value; "" is 0.
func afterValue(v string) (int64, error) {
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

// agentSendRequest is an agent's message; Internal (or a "/note" prefix,
// chat.NoteCommand) makes it an internal note for agents only.
type agentSendRequest struct {
	ClientMsgID string `json:"client_msg_id"`
	Body        string `json:"body"`
	Internal    bool   `json:"internal"`
}

func (s *Server) agentSend(w http.ResponseWriter, r *http.Request) error {
	var req agentSendRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if text, ok := chat.NoteCommand(req.Body); ok || req.Internal {
		c, err := s.visibleConversation(r)
		if err != nil {
			return err
		}
		return s.addNote(w, r, c, req.ClientMsgID, text) // notes.go
	}
	cid, err := pathID(r, "cid")
	if err != nil {
		return err
	}
	// No read before the send: only the assigned agent may reply
	// (chat.Next, in the batch, under the conversation's lock), and the
	// assignee always sees the conversation. A refused send is told as
	// not found when the agent may not see the conversation, as before.
	m := memberOf(r)
	sent, err := s.app.Send(r.Context(), m.WorkspaceID, cid, actorOf(r),
		chat.NewMessage{ClientMsgID: req.ClientMsgID, Body: req.Body, SenderName: m.Name})
	if err != nil {
		if _, hidden := s.visibleConversation(r); hidden != nil {
			return hidden
		}
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

// messageRoutes are the message routes.
func (s *Server) messageRoutes() []route {
	return []route{
		{pattern: "GET /api/v1/workspaces/{wid}/conversations/{cid}/messages", access: member, h: s.listMessages, api: true},
		{pattern: "POST /api/v1/workspaces/{wid}/conversations/{cid}/messages", access: member, h: s.agentSend, api: true, send: true},
	}
}

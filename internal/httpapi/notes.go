package httpapi

import (
	"context"
	"net/http"

	"github.com/sodam-chat/sodam/internal/chat"
)

// Internal notes and read receipts (§2.7). A note is sent like a message
// (POST …/messages with "internal": true, or a "/note" prefix) and stored
// by addNote; read receipts have a route each for the agent and the
// visitor.

// addNote stores an internal note in c on the member's behalf.
func (s *Server) addNote(w http.ResponseWriter, r *http.Request, c *chat.Conversation, clientMsgID, text string) error {
	sent, err := s.app.AddNote(r.Context(), c.WorkspaceID, c.ID, actorOf(r),
		chat.NewMessage{ClientMsgID: clientMsgID, Body: text, SenderName: memberOf(r).Name})
	if err != nil {
		return err
	}
	writeJSON(w, createdStatus(sent.Dup), consoleMessage(&sent.Message))
	return nil
}

// following is what an agent's socket follows beyond their own
// conversations: the open ones a note mentioned them in.
func (s *Server) following(ctx context.Context, m *chat.Member) (chat.Following, error) {
	ids, err := s.store.MentionedIn(ctx, m.WorkspaceID, m.AgentID)
	if err != nil {
		return nil, err
	}
	f := chat.Following{}
	for _, id := range ids {
		f[id] = true
	}
	return f, nil
}

// readRequest says the last message (by seq) the reader has seen.
type readRequest struct {
	Seq *int64 `json:"seq"`
}

func decodeRead(w http.ResponseWriter, r *http.Request) (int64, error) {
	var req readRequest
	if err := decode(w, r, &req); err != nil {
		return 0, err
	}
	if req.Seq == nil {
		return 0, chat.Errorf(chat.ErrInvalid, "seq is required")
	}
	return *req.Seq, nil
}

// agentRead records that the member has read c up to seq. Only the
// assigned agent's reading is a receipt (chat.ReadMark); anyone else who
// may see the conversation gets the marks back unchanged. Both read
// routes answer the marks, not the conversation: they are called often,
// and most calls move nothing.
func (s *Server) agentRead(w http.ResponseWriter, r *http.Request) error {
	seq, err := decodeRead(w, r)
	if err != nil {
		return err
	}
	c, err := s.visibleConversation(r)
	if err != nil {
		return err
	}
	updated, err := s.app.MarkRead(r.Context(), c.WorkspaceID, c.ID, actorOf(r), seq)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, updated)
	return nil
}

// widgetRead records that the visitor has read their conversation up to
// seq: the widget reports it while it is open and the page is visible.
func (s *Server) widgetRead(w http.ResponseWriter, r *http.Request) error {
	seq, err := decodeRead(w, r)
	if err != nil {
		return err
	}
	c, err := s.ownConversationParam(r)
	if err != nil {
		return err
	}
	updated, err := s.app.MarkRead(r.Context(), c.WorkspaceID, c.ID, chat.VisitorActor, seq)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, updated)
	return nil
}

// noteRoutes are the read-receipt routes (notes go through messageRoutes).
func (s *Server) noteRoutes() []route {
	return []route{
		{pattern: "POST /api/v1/workspaces/{wid}/conversations/{cid}/read", access: member, h: s.agentRead, api: true},
		{pattern: "POST /api/v1/widget/conversations/{cid}/read", access: visitor, h: s.widgetRead, api: true, limit: limitMessage},
	}
}

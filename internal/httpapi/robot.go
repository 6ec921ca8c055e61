package httpapi

import (
	"net/http"

	"github.com/sodam-chat/sodam/internal/chat"
)

// widgetToAgent is "Talk to an agent": the robot hands the conversation to
// routing. When nobody can take chats now, it is refused with
// chat_unavailable and the widget offers to leave a message instead.
func (s *Server) widgetToAgent(w http.ResponseWriter, r *http.Request) error {
	c, err := s.ownConversationParam(r)
	if err != nil {
		return err
	}
	if c.State != chat.StateBot {
		return s.answerConversation(w, r, c) // handed over already
	}
	v := visitorOf(r)
	avail, _, err := s.availability(r.Context(), v.workspace)
	if err != nil {
		return err
	}
	if avail != chat.Available {
		// The visitor wanted a person and gets none: statistics count the
		// robot's close of it as unprocessed.
		if err := s.app.AgentRefused(r.Context(), *c); err != nil {
			return err
		}
		return chat.Errorf(chat.ErrUnavailable, "no agent can chat now (%s); leave a message instead", avail)
	}
	after, err := s.app.Handover(r.Context(), c.WorkspaceID, c.ID)
	if chat.ErrorCode(err) == chat.ErrInvalid {
		// Handed over meanwhile (a second click, another tab): as above.
		now, err := s.ownConversation(r, c.ID)
		if err != nil {
			return err
		}
		return s.answerConversation(w, r, now)
	}
	if err != nil {
		return err
	}
	return s.answerConversation(w, r, &after)
}

// widgetToBot switches back to the robot: the agent's part ends (close
// reason bot) and the answer is the new conversation with the robot.
func (s *Server) widgetToBot(w http.ResponseWriter, r *http.Request) error {
	c, err := s.ownConversationParam(r)
	if err != nil {
		return err
	}
	after, err := s.app.BackToBot(r.Context(), c.WorkspaceID, c.ID)
	if err != nil {
		return err
	}
	return s.answerConversation(w, r, &after)
}

func (s *Server) answerConversation(w http.ResponseWriter, r *http.Request, c *chat.Conversation) error {
	if err := s.withQueue(r.Context(), c); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewForVisitor(c))
	return nil
}

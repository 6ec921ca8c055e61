package chat

import (
	"strings"
	"unicode/utf8"
)

// Actor is whoever asks for a change: a visitor, or an agent with their
// role and status in the conversation's workspace.
type Actor struct {
	Kind    SenderType
	AgentID int64
	Role    Role
	Status  AgentStatus
}

// VisitorActor is the customer of the conversation.
var VisitorActor = Actor{Kind: SenderVisitor}

// Action is something an actor asks to do to a conversation.
type Action string

// Actions decided by Next.
const (
	ActionAssign Action = "assign" // an agent takes an unassigned conversation
	ActionSend   Action = "send"   // the actor sends a text message
	ActionClose  Action = "close"  // the actor ends the conversation
)

// Next decides what state the conversation moves to when actor performs
// action, or refuses with an *Error. It is the single source of the
// conversation state rules (§2.1, §2.3, §2.6); stores call it inside the
// transaction that holds the conversation's row.
func Next(c Conversation, action Action, actor Actor) (State, error) {
	if c.State == StateClosed {
		return "", Errorf(ErrConversationClosed, "the conversation is already closed")
	}
	isAgent := actor.Kind == SenderAgent
	isAssignee := isAgent && c.AssigneeID != 0 && c.AssigneeID == actor.AgentID
	switch action {
	case ActionAssign:
		if !isAgent {
			return "", Errorf(ErrForbidden, "only agents take conversations")
		}
		if c.State != StateUnassigned {
			return "", Errorf(ErrAlreadyAssigned, "the conversation is already assigned")
		}
		if actor.Status != StatusOnline {
			return "", Errorf(ErrAgentNotOnline, "switch your status to online to take conversations")
		}
		return StateWaiting, nil
	case ActionSend:
		switch actor.Kind {
		case SenderVisitor, SenderSystem:
			return c.State, nil
		case SenderAgent:
			if c.State != StateWaiting && c.State != StateActive {
				return "", Errorf(ErrConversationNotOpen, "take the conversation before replying")
			}
			if !isAssignee {
				return "", Errorf(ErrNotAssignee, "only the assigned agent can reply")
			}
			// The assigned agent's first message starts the consultation.
			return StateActive, nil
		}
	case ActionClose:
		switch {
		case actor.Kind == SenderVisitor || actor.Kind == SenderSystem:
			return StateClosed, nil
		case isAssignee || (isAgent && actor.Role.SeesAll()):
			return StateClosed, nil
		case isAgent:
			return "", Errorf(ErrNotAssignee, "only the assigned agent or a manager can close this conversation")
		}
	}
	return "", Errorf(ErrInvalid, "unknown action %q for %q", action, actor.Kind)
}

// CloseReason names why actor closed the conversation.
func CloseReason(c Conversation, actor Actor) string {
	switch {
	case actor.Kind != SenderAgent:
		return CloseByCustomer
	case c.AssigneeID == actor.AgentID:
		return CloseByAgent
	default:
		return CloseByManager
	}
}

// CanSee reports whether an agent with the given role may see c: managers
// and masters see everything; agents their own conversations and the queue.
func CanSee(c Conversation, agentID int64, role Role) bool {
	return role.SeesAll() || c.AssigneeID == agentID || c.State == StateUnassigned || c.State == StateBot
}

// IsEndCommand reports whether a visitor's text is the end-chat command
// (§1.1): "!종료" or "!end", ignoring surrounding space and letter case.
func IsEndCommand(text string) bool {
	t := strings.TrimSpace(text)
	return t == "!종료" || strings.EqualFold(t, "!end")
}

// CheckText validates a text message body.
func CheckText(body string) error {
	if strings.TrimSpace(body) == "" {
		return Errorf(ErrEmptyMessage, "the message is empty")
	}
	if !utf8.ValidString(body) {
		return Errorf(ErrInvalid, "the message is not valid UTF-8")
	}
	if n := utf8.RuneCountInString(body); n > MaxMessageLength {
		return Errorf(ErrMessageTooLong, "the message has %d characters; the limit is %d", n, MaxMessageLength)
	}
	return nil
}

// CheckClientMsgID validates the client's idempotency key.
func CheckClientMsgID(id string) error {
	if id == "" || len(id) > 64 {
		return Errorf(ErrInvalid, "client_msg_id must be 1 to 64 characters")
	}
	for _, r := range id {
		if r < 0x21 || r > 0x7e {
			return Errorf(ErrInvalid, "client_msg_id must be printable ASCII")
		}
	}
	return nil
}

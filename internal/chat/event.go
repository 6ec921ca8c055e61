package chat

import "time"

// EventType names what changed.
type EventType string

// Event types. Every durable change writes exactly one event per affected
// conversation or agent.
const (
	EventConversationCreated     EventType = "conversation.created"
	EventConversationAssigned    EventType = "conversation.assigned"
	EventConversationTransferred EventType = "conversation.transferred"
	EventConversationUpdated     EventType = "conversation.updated"
	EventConversationClosed      EventType = "conversation.closed"
	EventMessageCreated          EventType = "message.created"
	// EventAgentStatus carries a member whose status or capacity changed.
	EventAgentStatus   EventType = "agent.status"
	EventTicketCreated EventType = "ticket.created"
	EventTicketUpdated EventType = "ticket.updated"
	// EventTicketReplied carries a ticket and the reply or internal comment
	// added to its thread; EventTicketDelivery a reply whose email's
	// delivery state changed.
	EventTicketReplied  EventType = "ticket.replied"
	EventTicketDelivery EventType = "ticket.delivery"
	// EventWorkspaceUpdated says the workspace's settings changed: consoles
	// reload them.
	EventWorkspaceUpdated EventType = "workspace.updated"
	// EventCustomerUpdated carries a customer whose profile, customer ID or
	// tags changed.
	EventCustomerUpdated EventType = "customer.updated"
)

// Event is one entry of a workspace's event log. Seq increases by one per
// event within a workspace, in commit order, so a client that remembers the
// last Seq it saw can ask for exactly what it missed.
type Event struct {
	WorkspaceID  int64         `json:"workspace_id"`
	Seq          int64         `json:"seq"`
	Type         EventType     `json:"type"`
	Conversation *Conversation `json:"conversation,omitempty"`
	Message      *Message      `json:"message,omitempty"`
	// Member is set on agent.status events.
	Member *Member `json:"member,omitempty"`
	// Ticket is set on ticket.* events.
	Ticket *Ticket `json:"ticket,omitempty"`
	// TicketReply is set on ticket.replied and ticket.delivery events.
	TicketReply *TicketReply `json:"ticket_reply,omitempty"`
	// Customer is set on customer.updated events.
	Customer *Customer `json:"customer,omitempty"`
	// Archived is set on the workspace.updated event of an archive: its
	// consoles' and widgets' sockets close at once.
	Archived bool `json:"archived,omitempty"`
	// OperationStopped is set on the workspace.updated event of a save
	// that stopped operation (true) or resumed it (false), §6: a visitor
	// already chatting is told, whatever their conversation.
	OperationStopped *bool `json:"operation_stopped,omitempty"`
	// PrevAssigneeID and PrevState describe the conversation before the
	// change, so a hub can tell an agent that a conversation left their view.
	PrevAssigneeID int64     `json:"prev_assignee_id,omitempty"`
	PrevState      State     `json:"prev_state,omitempty"`
	CreatedAt      time.Time `json:"created_at"`
	// FirstReply marks, inside the store's write, the message.created
	// event of a conversation's first agent reply: statistics take the
	// reply's time and agent from it instead of reading messages. Not
	// stored or sent.
	FirstReply bool `json:"-"`
	// Queued marks, inside the store's write, the event by which a
	// visitor's conversation asks for a person: created in the queue, or
	// handed over by the robot (not taken over by an agent). The new-chat
	// alert and the waiting alert's timer follow it (package outbox). Not
	// stored or sent.
	Queued bool `json:"-"`
	// Requeued marks, inside the store's write, the event by which a
	// conversation went back to the queue (its agent deactivated): the
	// waiting alert's timer starts again, and no new-chat alert is sent.
	// Not stored or sent.
	Requeued bool `json:"-"`
	// Encoded is the event's stored, versioned form (package event), set
	// by the store as it appends the event: the bus carries these bytes as
	// they are, so a committed event is encoded once.
	Encoded []byte `json:"-"`
}

// ConversationID returns the conversation the event is about, or 0.
func (e Event) ConversationID() int64 {
	if e.Conversation != nil {
		return e.Conversation.ID
	}
	return 0
}

// AgentMaySee decides which events reach an agent's console: everything
// for managers and masters; for agents, their conversations and the queue,
// plus the event that takes a conversation out of their view (assigned to
// a colleague), so their lists drop it, a note that mentions them, and
// every customer's change. An agent's console is told only which customer
// changed, not the profile (httpapi's agent audience), and reads the
// customer it shows again through a conversation the agent may see.
func AgentMaySee(ev Event, m Member) bool {
	if ev.Customer != nil {
		return true
	}
	if ev.Conversation == nil {
		return true // agent status and other workspace-wide events
	}
	if CanSee(*ev.Conversation, m.AgentID, m.Role) || ev.Message.Mentioned(m.AgentID) {
		return true
	}
	return ev.PrevAssigneeID == m.AgentID || ev.PrevState == StateUnassigned || ev.PrevState == StateBot
}

// VisitorMaySee decides which events reach the visitor of conversation
// conversationID: that conversation's, never an agent-only message, never
// another customer's or a workspace-wide event (VisitorMaySeeMessage).
// A change of the conversation that came with an agent-only line (held,
// or back in the queue when its agent was deactivated) reaches the visitor
// all the same, rendered without the line: the widget must know that the
// chat waits in the queue again. A note is its message alone, and stays
// out.
func VisitorMaySee(ev Event, conversationID int64) bool {
	if ev.ForEveryVisitor() {
		return true
	}
	if ev.ConversationID() != conversationID {
		return false
	}
	return ev.Message == nil || VisitorMaySeeMessage(ev.Message) || ev.changesConversation()
}

// changesConversation reports whether ev is a conversation.* event: a
// change of the conversation itself, not only of one of its messages.
func (ev Event) changesConversation() bool {
	switch ev.Type {
	case EventConversationCreated, EventConversationAssigned, EventConversationTransferred, EventConversationUpdated, EventConversationClosed:
		return true
	}
	return false
}

// ForEveryVisitor reports whether ev concerns every visitor of the
// workspace, whatever their conversation: an archive, which closes the
// widget, and operation stopped or resumed, which the widget shows.
func (ev Event) ForEveryVisitor() bool {
	return ev.Type == EventWorkspaceUpdated && (ev.Archived || ev.OperationStopped != nil)
}

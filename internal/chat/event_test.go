package chat

import "testing"

func TestAgentMaySee(t *testing.T) {
	agent := Member{AgentID: 1, Role: RoleAgent}
	manager := Member{AgentID: 2, Role: RoleManager}
	master := Member{AgentID: 3, Role: RoleMaster}
	conv := func(state State, assignee int64) *Conversation {
		return &Conversation{ID: 9, State: state, AssigneeID: assignee}
	}
	tests := []struct {
		name string
		ev   Event
		m    Member
		want bool
	}{
		{"own conversation", Event{Conversation: conv(StateActive, 1)}, agent, true},
		{"a colleague's conversation", Event{Conversation: conv(StateActive, 7)}, agent, false},
		{"a colleague's conversation, manager", Event{Conversation: conv(StateActive, 7)}, manager, true},
		{"a colleague's conversation, master", Event{Conversation: conv(StateActive, 7)}, master, true},
		{"the queue", Event{Conversation: conv(StateUnassigned, 0)}, agent, true},
		{"held by the robot", Event{Conversation: conv(StateBot, 0)}, agent, true},
		{"taken from the queue by a colleague", Event{Conversation: conv(StateWaiting, 7), PrevState: StateUnassigned}, agent, true},
		{"taken from the robot by a colleague", Event{Conversation: conv(StateWaiting, 7), PrevState: StateBot}, agent, true},
		{"transferred away from me", Event{Conversation: conv(StateActive, 7), PrevAssigneeID: 1, PrevState: StateActive}, agent, true},
		{"transferred between colleagues", Event{Conversation: conv(StateActive, 7), PrevAssigneeID: 8, PrevState: StateActive}, agent, false},
		{"a closed conversation of a colleague", Event{Conversation: conv(StateClosed, 7), PrevState: StateActive, PrevAssigneeID: 7}, agent, false},
		{"a message in a colleague's conversation", Event{Conversation: conv(StateActive, 7), Message: &Message{Body: "x"}}, agent, false},
		{"customer updated, agent (told which, not the profile)", Event{Customer: &Customer{ID: 1}}, agent, true},
		{"customer updated, manager", Event{Customer: &Customer{ID: 1}}, manager, true},
		{"agent status", Event{Type: EventAgentStatus, Member: &Member{AgentID: 7}}, agent, true},
		{"ticket", Event{Type: EventTicketCreated, Ticket: &Ticket{ID: 1}}, agent, true},
		{"workspace settings", Event{Type: EventWorkspaceUpdated}, agent, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := AgentMaySee(tt.ev, tt.m); got != tt.want {
				t.Errorf("AgentMaySee = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestVisitorMaySee(t *testing.T) {
	mine := &Conversation{ID: 9}
	tests := []struct {
		name string
		ev   Event
		want bool
	}{
		{"a message in my conversation", Event{Conversation: mine, Message: &Message{Body: "안녕하세요"}}, true},
		{"my conversation changed", Event{Type: EventConversationAssigned, Conversation: mine}, true},
		{"an internal message in my conversation", Event{Conversation: mine, Message: &Message{Internal: true}}, false},
		{"a note in my conversation", Event{Type: EventMessageCreated, Conversation: mine, Message: &Message{Internal: true}}, false},
		{"a note in my conversation masked", Event{Type: EventMessageUpdated, Conversation: mine, Message: &Message{Internal: true}}, false},
		// Rendered without the line (the widget's messageForVisitor).
		{"my conversation back in the queue, with an agents-only line", Event{Type: EventConversationUpdated, Conversation: mine, Message: &Message{Kind: KindSystem, Body: SystemReturned, Internal: true}}, true},
		{"another conversation", Event{Conversation: &Conversation{ID: 10}, Message: &Message{Body: "x"}}, false},
		{"agent status", Event{Type: EventAgentStatus, Member: &Member{AgentID: 1}}, false},
		{"a ticket", Event{Type: EventTicketCreated, Ticket: &Ticket{ID: 1}}, false},
		{"a customer's profile", Event{Type: EventCustomerUpdated, Customer: &Customer{ID: 1}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := VisitorMaySee(tt.ev, 9); got != tt.want {
				t.Errorf("VisitorMaySee = %v, want %v", got, tt.want)
			}
		})
	}
}

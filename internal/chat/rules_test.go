package chat

import (
	"fmt"
	"testing"
)

func TestNext(t *testing.T) {
	const me, other = 7, 8
	visitor := VisitorActor
	system := Actor{Kind: SenderSystem}
	agentOnline := Actor{Kind: SenderAgent, AgentID: me, Role: RoleAgent, Status: StatusOnline}
	agentAway := Actor{Kind: SenderAgent, AgentID: me, Role: RoleAgent, Status: StatusAway}
	agentOffline := Actor{Kind: SenderAgent, AgentID: me, Role: RoleAgent, Status: StatusOffline}
	manager := Actor{Kind: SenderAgent, AgentID: 99, Role: RoleManager, Status: StatusOnline}
	master := Actor{Kind: SenderAgent, AgentID: 98, Role: RoleMaster, Status: StatusOnline}

	conv := func(s State, assignee int64) Conversation { return Conversation{State: s, AssigneeID: assignee} }
	tests := []struct {
		conv   Conversation
		action Action
		actor  Actor
		want   State
		code   string
	}{
		// assign: only an online agent, only from unassigned.
		{conv(StateUnassigned, 0), ActionAssign, agentOnline, StateWaiting, ""},
		{conv(StateUnassigned, 0), ActionAssign, manager, StateWaiting, ""},
		{conv(StateUnassigned, 0), ActionAssign, agentAway, "", ErrAgentNotOnline},
		{conv(StateUnassigned, 0), ActionAssign, agentOffline, "", ErrAgentNotOnline},
		{conv(StateUnassigned, 0), ActionAssign, visitor, "", ErrForbidden},
		{conv(StateUnassigned, 0), ActionAssign, system, "", ErrForbidden},
		{conv(StateBot, 0), ActionAssign, agentOnline, "", ErrAlreadyAssigned},
		{conv(StateWaiting, other), ActionAssign, agentOnline, "", ErrAlreadyAssigned},
		{conv(StateWaiting, me), ActionAssign, agentOnline, "", ErrAlreadyAssigned},
		{conv(StateActive, other), ActionAssign, agentOnline, "", ErrAlreadyAssigned},
		{conv(StateClosed, 0), ActionAssign, agentOnline, "", ErrConversationClosed},

		// send: visitors while open; agents only when assigned, waiting or active.
		{conv(StateBot, 0), ActionSend, visitor, StateBot, ""},
		{conv(StateUnassigned, 0), ActionSend, visitor, StateUnassigned, ""},
		{conv(StateWaiting, me), ActionSend, visitor, StateWaiting, ""},
		{conv(StateActive, me), ActionSend, visitor, StateActive, ""},
		{conv(StateClosed, me), ActionSend, visitor, "", ErrConversationClosed},
		{conv(StateActive, me), ActionSend, system, StateActive, ""},
		{conv(StateWaiting, me), ActionSend, agentOnline, StateActive, ""},
		{conv(StateWaiting, me), ActionSend, agentAway, StateActive, ""},
		{conv(StateActive, me), ActionSend, agentOnline, StateActive, ""},
		{conv(StateWaiting, other), ActionSend, agentOnline, "", ErrNotAssignee},
		{conv(StateActive, other), ActionSend, agentOnline, "", ErrNotAssignee},
		{conv(StateActive, other), ActionSend, manager, "", ErrNotAssignee},
		{conv(StateActive, other), ActionSend, master, "", ErrNotAssignee},
		{conv(StateUnassigned, 0), ActionSend, agentOnline, "", ErrConversationNotOpen},
		{conv(StateUnassigned, 0), ActionSend, manager, "", ErrConversationNotOpen},
		{conv(StateBot, 0), ActionSend, agentOnline, "", ErrConversationNotOpen},
		{conv(StateClosed, me), ActionSend, agentOnline, "", ErrConversationClosed},

		// close: the customer any time; the assignee; managers and masters any.
		{conv(StateBot, 0), ActionClose, visitor, StateClosed, ""},
		{conv(StateUnassigned, 0), ActionClose, visitor, StateClosed, ""},
		{conv(StateWaiting, me), ActionClose, visitor, StateClosed, ""},
		{conv(StateActive, me), ActionClose, visitor, StateClosed, ""},
		{conv(StateActive, me), ActionClose, system, StateClosed, ""},
		{conv(StateWaiting, me), ActionClose, agentOnline, StateClosed, ""},
		{conv(StateActive, me), ActionClose, agentOffline, StateClosed, ""},
		{conv(StateActive, other), ActionClose, agentOnline, "", ErrNotAssignee},
		{conv(StateUnassigned, 0), ActionClose, agentOnline, "", ErrNotAssignee},
		{conv(StateUnassigned, 0), ActionClose, manager, StateClosed, ""},
		{conv(StateActive, other), ActionClose, manager, StateClosed, ""},
		{conv(StateWaiting, other), ActionClose, master, StateClosed, ""},
		{conv(StateClosed, me), ActionClose, agentOnline, "", ErrConversationClosed},
		{conv(StateClosed, me), ActionClose, visitor, "", ErrConversationClosed},
		{conv(StateClosed, me), ActionClose, manager, "", ErrConversationClosed},

		{conv(StateActive, me), "dance", agentOnline, "", ErrInvalid},
	}
	for _, tt := range tests {
		name := fmt.Sprintf("%s/%s/%s-%s-%d", tt.conv.State, tt.action, tt.actor.Kind, tt.actor.Role, tt.conv.AssigneeID)
		t.Run(name, func(t *testing.T) {
			got, err := Next(tt.conv, tt.action, tt.actor)
			if code := ErrorCode(err); code != tt.code || (err != nil) != (tt.code != "") {
				t.Fatalf("error %v, want code %q", err, tt.code)
			}
			if got != tt.want {
				t.Fatalf("state %q, want %q", got, tt.want)
			}
		})
	}
}

func TestCloseReason(t *testing.T) {
	c := Conversation{State: StateActive, AssigneeID: 7}
	for _, tt := range []struct {
		actor Actor
		want  string
	}{
		{VisitorActor, CloseByCustomer},
		{Actor{Kind: SenderAgent, AgentID: 7, Role: RoleAgent}, CloseByAgent},
		{Actor{Kind: SenderAgent, AgentID: 9, Role: RoleManager}, CloseByManager},
	} {
		if got := CloseReason(c, tt.actor); got != tt.want {
			t.Errorf("CloseReason(%+v) = %q, want %q", tt.actor, got, tt.want)
		}
	}
}

func TestCanSee(t *testing.T) {
	for _, tt := range []struct {
		c    Conversation
		role Role
		want bool
	}{
		{Conversation{State: StateUnassigned}, RoleAgent, true},
		{Conversation{State: StateBot}, RoleAgent, true},
		{Conversation{State: StateWaiting, AssigneeID: 7}, RoleAgent, true},
		{Conversation{State: StateWaiting, AssigneeID: 8}, RoleAgent, false},
		{Conversation{State: StateClosed, AssigneeID: 8}, RoleAgent, false},
		{Conversation{State: StateClosed, AssigneeID: 8}, RoleManager, true},
		{Conversation{State: StateActive, AssigneeID: 8}, RoleMaster, true},
	} {
		if got := CanSee(tt.c, 7, tt.role); got != tt.want {
			t.Errorf("CanSee(%+v, %s) = %v", tt.c, tt.role, got)
		}
	}
}

func TestIsEndCommand(t *testing.T) {
	for text, want := range map[string]bool{
		"!종료": true, " !종료 ": true, "!end": true, "!END": true, "!End\n": true,
		"종료": false, "!종료해주세요": false, "please !end": false, "": false, "!ending": false,
	} {
		if got := IsEndCommand(text); got != want {
			t.Errorf("IsEndCommand(%q) = %v", text, got)
		}
	}
}

func TestCheckText(t *testing.T) {
	long := make([]rune, MaxMessageLength)
	for i := range long {
		long[i] = '한'
	}
	for _, tt := range []struct {
		body, code string
	}{
		{"안녕하세요", ""},
		{string(long), ""},
		{string(long) + "!", ErrMessageTooLong},
		{"", ErrEmptyMessage},
		{" \n\t", ErrEmptyMessage},
		{"bad \xff utf8", ErrInvalid},
	} {
		if got := ErrorCode(CheckText(tt.body)); got != tt.code {
			t.Errorf("CheckText(%.20q) code %q, want %q", tt.body, got, tt.code)
		}
	}
	for id, ok := range map[string]bool{"a1": true, "550e8400-e29b-41d4-a716-446655440000": true, "": false, "has space": false, "한글": false, string(make([]byte, 65)): false} {
		if (CheckClientMsgID(id) == nil) != ok {
			t.Errorf("CheckClientMsgID(%q) ok=%v", id, !ok)
		}
	}
}

func TestSiteUID(t *testing.T) {
	sig := SignSiteUID("secret", "user-42")
	if err := VerifySiteUID("secret", "user-42", sig); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		secret, uid, sig, code string
	}{
		{"secret", "user-42", "", ErrBadSignature},
		{"secret", "user-43", sig, ErrBadSignature},
		{"other", "user-42", sig, ErrBadSignature},
		{"secret", "user-42", sig[:10], ErrBadSignature},
		{"secret", "", sig, ErrInvalid},
		{"secret", "has space", SignSiteUID("secret", "has space"), ErrInvalid},
	} {
		if got := ErrorCode(VerifySiteUID(tt.secret, tt.uid, tt.sig)); got != tt.code {
			t.Errorf("VerifySiteUID(%q, %q) code %q, want %q", tt.secret, tt.uid, got, tt.code)
		}
	}
	if Identifier("shop", "user-42") != "shop_user-42" {
		t.Fatal("identifier")
	}
}

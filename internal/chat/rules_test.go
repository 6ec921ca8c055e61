package chat

import (
	"testing"
	"time"
)

func TestNext(t *testing.T) {
	const me, other = 7, 8
	visitor, system := VisitorActor, SystemActor
	agent := func(id int64, st AgentStatus) Actor {
		return Actor{Kind: SenderAgent, AgentID: id, Role: RoleAgent, Status: st}
	}
	mine, mineAway, mineOff, theirs := agent(me, StatusOnline), agent(me, StatusAway), agent(me, StatusOffline), agent(other, StatusOnline)
	manager := Actor{Kind: SenderAgent, AgentID: 99, Role: RoleManager, Status: StatusOnline}
	master := Actor{Kind: SenderAgent, AgentID: 98, Role: RoleMaster, Status: StatusOnline}

	conv := func(s State, assignee int64) Conversation { return Conversation{State: s, AssigneeID: assignee} }
	held := Conversation{State: StateActive, AssigneeID: me, OnHold: true}
	leftAt := time.Now()
	left := Conversation{State: StateActive, AssigneeID: me, CustomerLeftAt: &leftAt}
	manual, auto, hybrid := DefaultSettings(), DefaultSettings(), DefaultSettings()
	auto.AssignmentMode, hybrid.AssignmentMode = AssignAuto, AssignHybrid
	stopped := DefaultSettings()
	stopped.OperationStopped = true
	load := func(id int64, st AgentStatus, waiting int) *Load {
		return &Load{AgentID: id, Status: st, Waiting: waiting}
	}
	sit := func(a Actor, target *Load) Situation { return Situation{Actor: a, Settings: manual, Target: target} }
	in := func(s Settings, a Actor, target *Load) Situation {
		return Situation{Actor: a, Settings: s, Target: target}
	}
	want := func(s State) Outcome { return Outcome{State: s} }

	tests := []struct {
		name   string
		conv   Conversation
		action Action
		sit    Situation
		want   Outcome
		code   string
	}{
		// Take: an agent, for themselves, from the queue, in manual or hybrid mode.
		{"take", conv(StateUnassigned, 0), ActionTake, sit(mine, load(me, StatusOnline, 0)), want(StateWaiting), ""},
		{"take while away", conv(StateUnassigned, 0), ActionTake, sit(mineAway, load(me, StatusAway, 0)), want(StateWaiting), ""},
		{"take in hybrid mode", conv(StateUnassigned, 0), ActionTake, in(hybrid, mine, load(me, StatusOnline, 0)), want(StateWaiting), ""},
		{"take in auto mode", conv(StateUnassigned, 0), ActionTake, in(auto, mine, load(me, StatusOnline, 0)), Outcome{}, ErrAutoAssignOnly},
		{"take while offline", conv(StateUnassigned, 0), ActionTake, sit(mineOff, load(me, StatusOffline, 0)), Outcome{}, ErrAgentNotOnline},
		{"take with five waiting", conv(StateUnassigned, 0), ActionTake, sit(mine, load(me, StatusOnline, 5)), Outcome{}, ErrTooManyWaiting},
		{"take with four waiting", conv(StateUnassigned, 0), ActionTake, sit(mine, load(me, StatusOnline, 4)), want(StateWaiting), ""},
		{"take for someone else", conv(StateUnassigned, 0), ActionTake, sit(mine, load(other, StatusOnline, 0)), Outcome{}, ErrForbidden},
		{"visitor takes", conv(StateUnassigned, 0), ActionTake, sit(visitor, load(me, StatusOnline, 0)), Outcome{}, ErrForbidden},
		{"take over from the robot", conv(StateBot, 0), ActionTake, sit(mine, load(me, StatusOnline, 0)), want(StateWaiting), ""},
		{"take over from the robot in auto mode", conv(StateBot, 0), ActionTake, in(auto, mine, load(me, StatusOnline, 0)), want(StateWaiting), ""},
		{"take over from the robot with five waiting", conv(StateBot, 0), ActionTake, sit(mine, load(me, StatusOnline, 5)), Outcome{}, ErrTooManyWaiting},
		{"take over from the robot while offline", conv(StateBot, 0), ActionTake, sit(mineOff, load(me, StatusOffline, 0)), Outcome{}, ErrAgentNotOnline},
		{"Sodam routes a robot's conversation", conv(StateBot, 0), ActionRoute, in(auto, system, load(me, StatusOnline, 0)), Outcome{}, ErrAlreadyAssigned},
		{"take a waiting one", conv(StateWaiting, other), ActionTake, sit(mine, load(me, StatusOnline, 0)), Outcome{}, ErrAlreadyAssigned},
		{"take an active one", conv(StateActive, other), ActionTake, sit(mine, load(me, StatusOnline, 0)), Outcome{}, ErrAlreadyAssigned},
		{"take a closed one", conv(StateClosed, 0), ActionTake, sit(mine, load(me, StatusOnline, 0)), Outcome{}, ErrConversationClosed},

		// Route: Sodam only.
		{"route", conv(StateUnassigned, 0), ActionRoute, in(auto, system, load(me, StatusOnline, 0)), want(StateWaiting), ""},
		{"route by an agent", conv(StateUnassigned, 0), ActionRoute, in(auto, mine, load(me, StatusOnline, 0)), Outcome{}, ErrForbidden},
		{"route an assigned one", conv(StateWaiting, other), ActionRoute, in(auto, system, load(me, StatusOnline, 0)), Outcome{}, ErrAlreadyAssigned},
		{"route to five waiting", conv(StateUnassigned, 0), ActionRoute, in(auto, system, load(me, StatusOnline, 5)), Outcome{}, ErrTooManyWaiting},

		// Transfer: agents their own, managers any; to an agent who is online
		// (or to oneself, away or not, as a take).
		{"transfer mine", conv(StateActive, me), ActionTransfer, sit(mine, load(other, StatusOnline, 0)), want(StateWaiting), ""},
		{"transfer mine while waiting", conv(StateWaiting, me), ActionTransfer, sit(mine, load(other, StatusOnline, 2)), want(StateWaiting), ""},
		{"transfer to an away agent", conv(StateWaiting, me), ActionTransfer, sit(mine, load(other, StatusAway, 0)), Outcome{}, ErrAgentNotOnline},
		{"manager transfers to an away agent", conv(StateActive, other), ActionTransfer, sit(manager, load(me, StatusAway, 0)), Outcome{}, ErrAgentNotOnline},
		{"away manager transfers to themselves", conv(StateActive, other), ActionTransfer,
			sit(Actor{Kind: SenderAgent, AgentID: 99, Role: RoleManager, Status: StatusAway}, load(99, StatusAway, 0)), want(StateWaiting), ""},
		{"transfer a held one", held, ActionTransfer, sit(mine, load(other, StatusOnline, 0)), want(StateWaiting), ""},
		{"transfer another's", conv(StateActive, other), ActionTransfer, sit(mine, load(99, StatusOnline, 0)), Outcome{}, ErrNotAssignee},
		{"manager transfers another's", conv(StateActive, other), ActionTransfer, sit(manager, load(me, StatusOnline, 0)), want(StateWaiting), ""},
		{"manager transfers from the queue", conv(StateUnassigned, 0), ActionTransfer, sit(manager, load(me, StatusOnline, 0)), want(StateWaiting), ""},
		{"agent transfers from the queue", conv(StateUnassigned, 0), ActionTransfer, sit(mine, load(other, StatusOnline, 0)), Outcome{}, ErrNotAssignee},
		{"transfer to an offline agent", conv(StateActive, me), ActionTransfer, sit(mine, load(other, StatusOffline, 0)), Outcome{}, ErrAgentNotOnline},
		{"transfer to five waiting", conv(StateActive, me), ActionTransfer, sit(mine, load(other, StatusOnline, 5)), Outcome{}, ErrTooManyWaiting},
		{"transfer to the same agent", conv(StateActive, me), ActionTransfer, sit(manager, load(me, StatusOnline, 0)), Outcome{}, ErrInvalid},
		{"transfer to nobody", conv(StateActive, me), ActionTransfer, sit(mine, nil), Outcome{}, ErrInvalid},
		{"transfer after the customer left", left, ActionTransfer, sit(mine, load(other, StatusOnline, 0)), Outcome{}, ErrCustomerLeft},
		{"transfer a closed one", conv(StateClosed, me), ActionTransfer, sit(master, load(other, StatusOnline, 0)), Outcome{}, ErrConversationClosed},

		// Send: visitors while open; agents when assigned, waiting or active, not held, operation running.
		{"visitor in the bot", conv(StateBot, 0), ActionSend, sit(visitor, nil), want(StateBot), ""},
		{"visitor queued", conv(StateUnassigned, 0), ActionSend, sit(visitor, nil), want(StateUnassigned), ""},
		{"visitor waiting", conv(StateWaiting, me), ActionSend, sit(visitor, nil), want(StateWaiting), ""},
		{"visitor active", conv(StateActive, me), ActionSend, sit(visitor, nil), want(StateActive), ""},
		{"visitor held", held, ActionSend, sit(visitor, nil), want(StateActive), ""},
		{"visitor after leaving", left, ActionSend, sit(visitor, nil), Outcome{}, ErrConversationClosed},
		{"visitor closed", conv(StateClosed, me), ActionSend, sit(visitor, nil), Outcome{}, ErrConversationClosed},
		{"system note", conv(StateActive, me), ActionSend, sit(system, nil), want(StateActive), ""},
		{"first reply", conv(StateWaiting, me), ActionSend, sit(mine, nil), want(StateActive), ""},
		{"reply while away", conv(StateWaiting, me), ActionSend, sit(mineAway, nil), want(StateActive), ""},
		{"reply", conv(StateActive, me), ActionSend, sit(mine, nil), want(StateActive), ""},
		{"reply while operation stopped", conv(StateActive, me), ActionSend, in(stopped, mine, nil), Outcome{}, ErrOperationStopped},
		{"reply on hold", held, ActionSend, sit(mine, nil), Outcome{}, ErrOnHold},
		{"reply after the customer left", left, ActionSend, sit(mine, nil), Outcome{}, ErrCustomerLeft},
		{"reply in another's", conv(StateActive, other), ActionSend, sit(mine, nil), Outcome{}, ErrNotAssignee},
		{"manager replies in another's", conv(StateActive, other), ActionSend, sit(manager, nil), Outcome{}, ErrNotAssignee},
		{"master replies in another's waiting", conv(StateWaiting, other), ActionSend, sit(master, nil), Outcome{}, ErrNotAssignee},
		{"reply before taking", conv(StateUnassigned, 0), ActionSend, sit(mine, nil), Outcome{}, ErrConversationNotOpen},
		{"reply in the bot", conv(StateBot, 0), ActionSend, sit(manager, nil), Outcome{}, ErrConversationNotOpen},
		{"reply in a closed one", conv(StateClosed, me), ActionSend, sit(mine, nil), Outcome{}, ErrConversationClosed},

		// Close: the customer any time (leaving it to the agent's wrap-up when assigned),
		// the assignee, managers and masters any, Sodam always.
		{"customer ends a queued one", conv(StateUnassigned, 0), ActionClose, sit(visitor, nil), want(StateClosed), ""},
		{"customer ends in the bot", conv(StateBot, 0), ActionClose, sit(visitor, nil), want(StateClosed), ""},
		{"customer ends a waiting one", conv(StateWaiting, me), ActionClose, sit(visitor, nil), Outcome{State: StateWaiting, CustomerLeft: true}, ""},
		{"customer ends an active one", conv(StateActive, me), ActionClose, sit(visitor, nil), Outcome{State: StateActive, CustomerLeft: true}, ""},
		{"customer ends twice", left, ActionClose, sit(visitor, nil), Outcome{}, ErrConversationClosed},
		{"agent wraps up after the customer left", left, ActionClose, sit(mine, nil), want(StateClosed), ""},
		{"agent closes waiting", conv(StateWaiting, me), ActionClose, sit(mine, nil), want(StateClosed), ""},
		{"agent closes while offline", conv(StateActive, me), ActionClose, sit(mineOff, nil), want(StateClosed), ""},
		{"agent closes a held one", held, ActionClose, sit(mine, nil), want(StateClosed), ""},
		{"agent closes another's", conv(StateActive, other), ActionClose, sit(mine, nil), Outcome{}, ErrNotAssignee},
		{"agent closes a queued one", conv(StateUnassigned, 0), ActionClose, sit(mine, nil), Outcome{}, ErrNotAssignee},
		{"manager closes a queued one", conv(StateUnassigned, 0), ActionClose, sit(manager, nil), want(StateClosed), ""},
		{"manager closes another's", conv(StateActive, other), ActionClose, sit(manager, nil), want(StateClosed), ""},
		{"master closes another's", conv(StateWaiting, other), ActionClose, sit(master, nil), want(StateClosed), ""},
		{"Sodam closes", conv(StateActive, me), ActionClose, sit(system, nil), want(StateClosed), ""},
		{"close a closed one", conv(StateClosed, me), ActionClose, sit(mine, nil), Outcome{}, ErrConversationClosed},
		{"customer closes a closed one", conv(StateClosed, me), ActionClose, sit(visitor, nil), Outcome{}, ErrConversationClosed},

		// Hold: only while active, by the assignee or a manager.
		{"hold", conv(StateActive, me), ActionHold, sit(mine, nil), want(StateActive), ""},
		{"hold waiting", conv(StateWaiting, me), ActionHold, sit(mine, nil), Outcome{}, ErrHoldNeedsActive},
		{"hold queued", conv(StateUnassigned, 0), ActionHold, sit(manager, nil), Outcome{}, ErrHoldNeedsActive},
		{"hold another's", conv(StateActive, other), ActionHold, sit(mine, nil), Outcome{}, ErrNotAssignee},
		{"manager holds another's", conv(StateActive, other), ActionHold, sit(manager, nil), want(StateActive), ""},
		{"hold after the customer left", left, ActionHold, sit(mine, nil), Outcome{}, ErrCustomerLeft},
		{"visitor holds", conv(StateActive, me), ActionHold, sit(visitor, nil), Outcome{}, ErrNotAssignee},
		{"unhold", held, ActionUnhold, sit(mine, nil), want(StateActive), ""},
		{"unhold another's", held, ActionUnhold, sit(theirs, nil), Outcome{}, ErrNotAssignee},
		{"hold closed", conv(StateClosed, me), ActionHold, sit(mine, nil), Outcome{}, ErrConversationClosed},

		// Important: the assignee or a manager, any open state.
		{"flag mine", conv(StateWaiting, me), ActionFlag, sit(mine, nil), want(StateWaiting), ""},
		{"flag held", held, ActionFlag, sit(mine, nil), want(StateActive), ""},
		{"flag another's", conv(StateActive, other), ActionFlag, sit(mine, nil), Outcome{}, ErrNotAssignee},
		{"manager flags a queued one", conv(StateUnassigned, 0), ActionFlag, sit(manager, nil), want(StateUnassigned), ""},
		{"flag closed", conv(StateClosed, me), ActionFlag, sit(manager, nil), Outcome{}, ErrConversationClosed},

		{"unknown action", conv(StateActive, me), "dance", sit(mine, nil), Outcome{}, ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Next(tt.conv, tt.action, tt.sit)
			if code := ErrorCode(err); code != tt.code || (err != nil) != (tt.code != "") {
				t.Fatalf("error %v, want code %q", err, tt.code)
			}
			if got != tt.want {
				t.Fatalf("outcome %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestCloseReason(t *testing.T) {
	c := Conversation{State: StateActive, AssigneeID: 7}
	leftAt := time.Now()
	left := Conversation{State: StateActive, AssigneeID: 7, CustomerLeftAt: &leftAt}
	for _, tt := range []struct {
		c     Conversation
		actor Actor
		want  string
	}{
		{c, VisitorActor, CloseByCustomer},
		{c, Actor{Kind: SenderAgent, AgentID: 7, Role: RoleAgent}, CloseByAgent},
		{c, Actor{Kind: SenderAgent, AgentID: 9, Role: RoleManager}, CloseByManager},
		{left, Actor{Kind: SenderAgent, AgentID: 7, Role: RoleAgent}, CloseByCustomer},
		// The robot's conversation: resolved by the robot when its visitor
		// leaves it; a manager who ends it closed it, the robot resolved
		// nothing.
		{Conversation{State: StateBot}, VisitorActor, CloseByRobot},
		{Conversation{State: StateBot}, Actor{Kind: SenderAgent, AgentID: 9, Role: RoleManager}, CloseByManager},
	} {
		if got := CloseReason(tt.c, tt.actor); got != tt.want {
			t.Errorf("CloseReason(%+v) = %q, want %q", tt.actor, got, tt.want)
		}
	}
}

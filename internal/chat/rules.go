package chat

// Actor is whoever asks for a change: a visitor, Sodam itself (routing,
// timers), or an agent with their role and status in the workspace.
type Actor struct {
	Kind    SenderType
	AgentID int64
	Role    Role
	Status  AgentStatus
	Name    string
	// CustomerID, when set on a visitor, is the customer whose conversation
	// it must be: the store refuses any other as not found, so the widget's
	// send needs no read of the conversation before it.
	CustomerID int64
}

// VisitorActor is the customer of the conversation.
var VisitorActor = Actor{Kind: SenderVisitor}

// SystemActor is Sodam acting on its own: routing, timers, blocking.
var SystemActor = Actor{Kind: SenderSystem}

// Action is something an actor asks to do to a conversation.
type Action string

// Actions decided by Next.
const (
	ActionTake     Action = "take"     // an agent takes a queued conversation ("Assign to me"), or one the robot holds
	ActionRoute    Action = "route"    // Sodam assigns a queued conversation
	ActionTransfer Action = "transfer" // the conversation changes agent
	ActionSend     Action = "send"     // the actor sends a message
	ActionClose    Action = "close"    // the actor ends the conversation
	ActionHold     Action = "hold"
	ActionUnhold   Action = "unhold"
	ActionFlag     Action = "flag" // mark or unmark important
)

// Load is an agent's standing as a target of assignment or transfer.
type Load struct {
	AgentID int64
	Status  AgentStatus
	Waiting int
}

// Situation is everything a decision depends on besides the conversation.
type Situation struct {
	Actor    Actor
	Settings Settings
	// Target is who receives the conversation on take, route and transfer.
	Target *Load
}

// Outcome is what a permitted action does to the conversation.
type Outcome struct {
	State State
	// CustomerLeft: the customer ended a conversation its agent still has to
	// wrap up; it stays open for the agent and closed for the customer.
	CustomerLeft bool
}

// Next decides what an action does to a conversation, or refuses it with an
// *Error whose code names the reason. It is the single source of the
// conversation rules (§2.1–§2.6, §3.2–§3.3, §5.5); stores call it inside the
// transaction that holds the conversation's row.
func Next(c Conversation, a Action, s Situation) (Outcome, error) {
	actor := s.Actor
	if c.State == StateClosed {
		return Outcome{}, Errorf(ErrConversationClosed, "the conversation is already closed")
	}
	left := c.CustomerLeftAt != nil
	stay := Outcome{State: c.State}
	switch a {
	case ActionTake, ActionRoute:
		if a == ActionTake && (actor.Kind != SenderAgent || s.Target == nil || s.Target.AgentID != actor.AgentID) {
			return Outcome{}, Errorf(ErrForbidden, "only an agent takes a conversation, for themselves")
		}
		if a == ActionRoute && actor.Kind != SenderSystem {
			return Outcome{}, Errorf(ErrForbidden, "only Sodam routes conversations")
		}
		// An agent may take a conversation over from the robot in any
		// assignment mode: the visitor is talking to no person yet.
		takeover := a == ActionTake && c.State == StateBot
		if a == ActionTake && !takeover && !s.Settings.AgentsTake() {
			return Outcome{}, Errorf(ErrAutoAssignOnly, "conversations are assigned automatically in this workspace")
		}
		if c.State != StateUnassigned && !takeover {
			return Outcome{}, Errorf(ErrAlreadyAssigned, "the conversation is already assigned")
		}
		if err := canReceive(*s.Target); err != nil {
			return Outcome{}, err
		}
		return Outcome{State: StateWaiting}, nil

	case ActionTransfer:
		if !canManage(c, actor) {
			return Outcome{}, Errorf(ErrNotAssignee, "agents may transfer only their own conversations")
		}
		if left {
			return Outcome{}, Errorf(ErrCustomerLeft, "the customer has left; end the conversation instead")
		}
		if s.Target == nil {
			return Outcome{}, Errorf(ErrInvalid, "choose the agent to transfer to")
		}
		if s.Target.AgentID == c.AssigneeID {
			return Outcome{}, Errorf(ErrInvalid, "the conversation is already with that agent")
		}
		if err := canReceive(*s.Target); err != nil {
			return Outcome{}, err
		}
		// Only online agents receive conversations (§3.1). One who is
		// away may still take one themselves, from the queue or by a
		// transfer to themselves, as they choose to.
		if s.Target.Status != StatusOnline && s.Target.AgentID != actor.AgentID {
			return Outcome{}, Errorf(ErrAgentNotOnline, "the agent is away; only an online agent receives a transfer")
		}
		// The new agent has not replied yet: waiting again (§2.1).
		return Outcome{State: StateWaiting}, nil

	case ActionSend:
		switch actor.Kind {
		case SenderVisitor:
			if left {
				return Outcome{}, Errorf(ErrConversationClosed, "you ended this conversation; start a new one")
			}
			return stay, nil
		case SenderSystem:
			return stay, nil
		case SenderAgent:
			switch {
			case s.Settings.OperationStopped:
				return Outcome{}, Errorf(ErrOperationStopped, "operation is stopped in this workspace; nobody can send")
			case c.State != StateWaiting && c.State != StateActive:
				return Outcome{}, Errorf(ErrConversationNotOpen, "take the conversation before replying")
			case c.AssigneeID != actor.AgentID:
				return Outcome{}, Errorf(ErrNotAssignee, "only the assigned agent can reply")
			case left:
				return Outcome{}, Errorf(ErrCustomerLeft, "the customer has left the conversation")
			case c.OnHold:
				return Outcome{}, Errorf(ErrOnHold, "the conversation is on hold; release it to reply")
			}
			// The assigned agent's first message starts the consultation.
			return Outcome{State: StateActive}, nil
		}

	case ActionClose:
		switch {
		case actor.Kind == SenderVisitor:
			if left {
				return Outcome{}, Errorf(ErrConversationClosed, "the conversation is already closed")
			}
			if c.AssigneeID != 0 {
				return Outcome{State: c.State, CustomerLeft: true}, nil
			}
			return Outcome{State: StateClosed}, nil
		case actor.Kind == SenderSystem, canManage(c, actor):
			return Outcome{State: StateClosed}, nil
		case actor.Kind == SenderAgent:
			return Outcome{}, Errorf(ErrNotAssignee, "only the assigned agent or a manager can close this conversation")
		}

	case ActionHold, ActionUnhold:
		if !canManage(c, actor) {
			return Outcome{}, Errorf(ErrNotAssignee, "only the assigned agent or a manager can hold this conversation")
		}
		if a == ActionHold && c.State != StateActive {
			return Outcome{}, Errorf(ErrHoldNeedsActive, "only a conversation in progress can be put on hold")
		}
		if a == ActionHold && left {
			return Outcome{}, Errorf(ErrCustomerLeft, "the customer has left the conversation")
		}
		return stay, nil

	case ActionFlag:
		if !canManage(c, actor) {
			return Outcome{}, Errorf(ErrNotAssignee, "only the assigned agent or a manager can mark this conversation")
		}
		return stay, nil
	}
	return Outcome{}, Errorf(ErrInvalid, "unknown action %q for %q", a, actor.Kind)
}

// canManage: the assigned agent, a manager or a master.
func canManage(c Conversation, actor Actor) bool {
	return actor.Kind == SenderAgent && ((c.AssigneeID != 0 && c.AssigneeID == actor.AgentID) || actor.Role.SeesAll())
}

// canReceive checks that an agent can be given one more conversation.
func canReceive(t Load) error {
	if t.Status != StatusOnline && t.Status != StatusAway {
		return Errorf(ErrAgentNotOnline, "the agent is offline")
	}
	if t.Waiting >= MaxWaiting {
		return Errorf(ErrTooManyWaiting, "the agent already has %d waiting conversations", MaxWaiting)
	}
	return nil
}

// CloseReason names why a visitor or an agent closed the conversation
// (Sodam's own closes name theirs: inactivity, blocked).
func CloseReason(c Conversation, actor Actor) string {
	switch {
	case c.State == StateBot && actor.Kind != SenderAgent:
		// The visitor left the robot's conversation without asking for a
		// person: the robot resolved it. A manager's close is theirs.
		return CloseByRobot
	case c.CustomerLeftAt != nil || actor.Kind == SenderVisitor:
		return CloseByCustomer
	case c.AssigneeID == actor.AgentID:
		return CloseByAgent
	default:
		return CloseByManager
	}
}

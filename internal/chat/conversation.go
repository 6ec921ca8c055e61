package chat

import (
	"slices"
	"time"
	"unicode/utf8"
)

// State is a conversation's place in its life (§2.1).
type State string

// Conversation states.
const (
	StateBot        State = "bot"
	StateUnassigned State = "unassigned"
	StateWaiting    State = "waiting"
	StateActive     State = "active"
	StateClosed     State = "closed"
)

// Valid reports whether s is a known state.
func (s State) Valid() bool {
	switch s {
	case StateBot, StateUnassigned, StateWaiting, StateActive, StateClosed:
		return true
	}
	return false
}

// Open reports whether a conversation in state s is still going on.
func (s State) Open() bool { return s.Valid() && s != StateClosed }

// Channel is where a conversation came in.
type Channel string

// ChannelWeb is the embedded web widget.
const ChannelWeb Channel = "web"

// Channels are every channel a conversation comes in by: the web widget
// and the messengers a bridge connects (§1.2). History filters and
// statistics know these; the console keeps the same list (i18n.js).
var Channels = []Channel{ChannelWeb, "kakao", "naver", "telegram", "api"}

// Valid reports whether c is one of Channels.
func (c Channel) Valid() bool { return slices.Contains(Channels, c) }

// Conversation is one chat between a customer and the workspace (§2).
type Conversation struct {
	ID          int64   `json:"id"`
	WorkspaceID int64   `json:"workspace_id"`
	RoomNo      int64   `json:"room_no"`
	CustomerID  int64   `json:"customer_id"`
	Channel     Channel `json:"channel"`
	State       State   `json:"state"`
	// AssigneeID is 0 while no agent is assigned.
	AssigneeID   int64  `json:"assignee_id"`
	AssigneeName string `json:"assignee_name"`
	// CustomerName and Identifier are the customer's, joined for lists.
	CustomerName string `json:"customer_name"`
	Identifier   string `json:"identifier"`
	CloseReason  string `json:"close_reason,omitempty"`
	Important    bool   `json:"important"`
	OnHold       bool   `json:"on_hold"`
	// AgentPath lists who held the conversation, in order (§3.3).
	AgentPath []PathStep `json:"agent_path"`
	// CustomerLeftAt is set when the customer ended a conversation that its
	// agent still has to wrap up (§2.3); the customer sees it closed.
	CustomerLeftAt *time.Time `json:"customer_left_at,omitempty"`
	// FirstReplyAt is the assigned agent's first message; a closed
	// conversation without one is unprocessed (§2.4).
	FirstReplyAt *time.Time `json:"first_reply_at,omitempty"`
	// LastSeq is the sequence number of the last message.
	LastSeq       int64      `json:"last_seq"`
	LastMessage   string     `json:"last_message"`
	LastMessageAt time.Time  `json:"last_message_at"`
	CreatedAt     time.Time  `json:"created_at"`
	ClosedAt      *time.Time `json:"closed_at,omitempty"`
	// QueuedAt is when the conversation last entered the queue: when it
	// began unassigned, when the robot handed it over, when a deactivated
	// agent's leaving returned it. The queue is in this order, first in
	// first out (§3.2). Nil for one that never queued.
	QueuedAt *time.Time `json:"queued_at,omitempty"`
	// Processed is true for a closed conversation an agent replied in.
	Processed bool `json:"processed"`
	// AgentRefusedAt is when its visitor first asked the robot for a
	// person while nobody could chat (Tx.AgentRefused), nil if never.
	// Closed by the robot (CloseByRobot), such a conversation was not
	// resolved by it but left unprocessed (docs/statistics.md, "The
	// robot"): RobotResolved tells the two apart.
	AgentRefusedAt *time.Time `json:"agent_refused_at,omitempty"`
	// The wrap-up note (§5.4): category (0 for none) with its path from the
	// top, tags and memo. Tags are filled on single loads, not in lists.
	CategoryID   int64    `json:"category_id"`
	CategoryPath []string `json:"category_path"`
	Memo         string   `json:"memo"`
	Tags         []Tag    `json:"tags,omitempty"`
	// Rating is the customer's, once given (§5.3).
	Rating            *Rating    `json:"rating,omitempty"`
	RatingRequestedAt *time.Time `json:"rating_requested_at,omitempty"`
	// QueuePosition is the 1-based place in the unassigned queue, 0 when
	// not queued. Filled only where asked for (the widget).
	QueuePosition int `json:"queue_position,omitempty"`
	// Read receipts (§2.7): the sequence number of the last message the
	// assigned agent, and the visitor, have read (0 for none).
	AgentReadSeq   int64 `json:"agent_read_seq"`
	VisitorReadSeq int64 `json:"visitor_read_seq"`
}

// RobotResolved reports whether the robot resolved c: closed while the
// robot held it, its visitor never refused a person. Statistics count it
// robot-resolved; every other closed conversation without an agent's
// reply is unprocessed (docs/statistics.md).
func (c Conversation) RobotResolved() bool {
	return c.State == StateClosed && c.CloseReason == CloseByRobot && c.AgentRefusedAt == nil
}

// Unprocessed reports whether closed conversation c is one statistics
// count as unprocessed: no agent replied, and the robot did not resolve it.
func (c Conversation) Unprocessed() bool {
	return c.State == StateClosed && !c.Processed && !c.RobotResolved()
}

// PathStep is one agent in a conversation's agent path.
type PathStep struct {
	AgentID int64  `json:"agent_id"`
	Name    string `json:"name"`
}

// Close reasons (§2.3).
const (
	CloseByAgent      = "agent"
	CloseByManager    = "manager"
	CloseByCustomer   = "customer"
	CloseByBot        = "bot"
	CloseByBlock      = "blocked"
	CloseByInactivity = "inactivity"
)

// MaxWaiting is the most waiting conversations one agent holds (§2.1).
const MaxWaiting = 5

// Note is a conversation's wrap-up (§5.4): category, tags and memo.
type Note struct {
	CategoryID int64   `json:"category_id"`
	TagIDs     []int64 `json:"tag_ids"`
	Memo       string  `json:"memo"`
}

// Check validates the note's own fields; the store checks its references.
func (n Note) Check() error {
	if utf8.RuneCountInString(n.Memo) > MaxMemo {
		return Errorf(ErrInvalid, "memo must be at most %d characters", MaxMemo)
	}
	if n.CategoryID < 0 {
		return Errorf(ErrInvalid, "category_id must be a category or 0")
	}
	return CheckTagIDs(n.TagIDs)
}

// Rating is the customer's score of a conversation (§5.3).
type Rating struct {
	Score     int       `json:"score"`
	Comment   string    `json:"comment"`
	CreatedAt time.Time `json:"created_at"`
}

// CheckRating validates a customer's rating.
func CheckRating(score int, comment string) error {
	if score < 1 || score > 5 {
		return Errorf(ErrInvalid, "score must be 1 to 5 stars")
	}
	if utf8.RuneCountInString(comment) > maxRatingComment {
		return Errorf(ErrInvalid, "the comment must be at most %d characters", maxRatingComment)
	}
	return nil
}

// CanRate decides whether the customer may rate c now: once an agent has
// replied, during or after the chat, and only once.
func CanRate(c Conversation) error {
	if c.FirstReplyAt == nil {
		return Errorf(ErrNotReplied, "a conversation can be rated once an agent has replied")
	}
	if c.Rating != nil {
		return Errorf(ErrAlreadyRated, "this conversation has been rated already")
	}
	return nil
}

// CanRequestRating decides whether an agent may send the rating request:
// a message to the customer, so under the sending rules (§2.6) but for who
// sends it (a manager may ask on the assignee's behalf), once an agent has
// replied and while the customer has not rated.
func CanRequestRating(c Conversation, s Settings) error {
	switch {
	case c.State == StateClosed || c.CustomerLeftAt != nil:
		return Errorf(ErrConversationClosed, "the conversation has ended")
	case s.OperationStopped:
		return Errorf(ErrOperationStopped, "operation is stopped in this workspace; nobody can send")
	case c.OnHold:
		return Errorf(ErrOnHold, "the conversation is on hold; release it to ask for a rating")
	case c.FirstReplyAt == nil:
		return Errorf(ErrNotReplied, "reply to the customer before asking for a rating")
	case c.Rating != nil:
		return Errorf(ErrAlreadyRated, "the customer has rated this conversation already")
	}
	return nil
}

// CanSee reports whether an agent with the given role may see c: managers
// and masters see everything; agents their own conversations and the queue.
func CanSee(c Conversation, agentID int64, role Role) bool {
	return role.SeesAll() || c.AssigneeID == agentID || c.State == StateUnassigned || c.State == StateBot
}

// InactivityDue is when c closes for inactivity if nobody writes after
// now; false when it does not close by itself at all: no timeout, on hold,
// or nobody assigned to answer (§2.3).
func InactivityDue(s Settings, c Conversation, now time.Time) (time.Time, bool) {
	if s.InactivityTimeoutMinutes == 0 || c.OnHold || c.AssigneeID == 0 {
		return time.Time{}, false
	}
	return now.Add(time.Duration(s.InactivityTimeoutMinutes) * time.Minute), true
}

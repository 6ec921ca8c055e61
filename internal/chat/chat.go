// Package chat holds Sodam's domain: the types every other package speaks,
// the pure rules that decide what may happen to a conversation, and the
// Store contract the database adapters implement. It does no I/O.
package chat

import (
	"time"
)

// Role is an agent's role inside one workspace.
type Role string

// Roles, from most to least powerful.
const (
	RoleMaster  Role = "master"
	RoleManager Role = "manager"
	RoleAgent   Role = "agent"
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return r == RoleMaster || r == RoleManager || r == RoleAgent }

// SeesAll reports whether the role may see every conversation of the
// workspace rather than only its own and the unassigned queue.
func (r Role) SeesAll() bool { return r == RoleMaster || r == RoleManager }

// AgentStatus is an agent's availability in one workspace.
type AgentStatus string

// Agent statuses (§3.1).
const (
	StatusOnline  AgentStatus = "online"
	StatusAway    AgentStatus = "away"
	StatusOffline AgentStatus = "offline"
)

// Valid reports whether s is a known status.
func (s AgentStatus) Valid() bool {
	return s == StatusOnline || s == StatusAway || s == StatusOffline
}

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

// SenderType says who wrote a message.
type SenderType string

// Sender types.
const (
	SenderVisitor SenderType = "visitor"
	SenderAgent   SenderType = "agent"
	SenderSystem  SenderType = "system"
)

// Channel is where a conversation came in.
type Channel string

// ChannelWeb is the embedded web widget.
const ChannelWeb Channel = "web"

// MaxMessageLength is the longest text message, in characters (§2.7).
const MaxMessageLength = 10000

// Workspace is one company's support desk (§0).
type Workspace struct {
	ID     int64  `json:"id"`
	SiteID string `json:"site_id"`
	Name   string `json:"name"`
	// IdentitySecret signs site_uid values (§1.3). Shown only to masters.
	IdentitySecret string `json:"-"`
	// AllowedOrigins lists the host-page origins that may embed the widget,
	// besides Sodam's own origin.
	AllowedOrigins []string  `json:"allowed_origins"`
	ConsentText    string    `json:"consent_text"`
	Color          string    `json:"color"`
	Title          string    `json:"title"`
	Settings       Settings  `json:"settings"`
	CreatedAt      time.Time `json:"created_at"`
}

// Agent is a person who answers in the console. One agent may belong to
// several workspaces.
type Agent struct {
	ID           int64     `json:"id"`
	Email        string    `json:"email"`
	Name         string    `json:"name"`
	PasswordHash string    `json:"-"`
	CreatedAt    time.Time `json:"created_at"`
}

// Member is an agent's membership in a workspace: role and status.
type Member struct {
	WorkspaceID int64       `json:"workspace_id"`
	AgentID     int64       `json:"agent_id"`
	Role        Role        `json:"role"`
	Status      AgentStatus `json:"status"`
	// Capacity overrides the workspace's default capacity when set.
	Capacity *int `json:"capacity"`
	// LastClosedAt is when the member last closed a conversation (routing's
	// tie-break); zero if never.
	LastClosedAt time.Time `json:"-"`
	// Name and Email are the agent's, joined for display.
	Name  string `json:"name"`
	Email string `json:"email"`
}

// Session is a logged-in console session. Only the token's hash is stored.
type Session struct {
	TokenHash string
	AgentID   int64
	CSRFToken string
	ExpiresAt time.Time
}

// Customer is one identifier of a customer (§1.3) — a web visitor or a
// messenger account — joined with the profile of the customer ID it is
// linked to.
type Customer struct {
	ID          int64 `json:"id"`
	WorkspaceID int64 `json:"workspace_id"`
	// ExternalID is the identifier's own key: the site_uid, a random ID for
	// an anonymous visitor, or a messenger account.
	ExternalID string `json:"external_id"`
	// Identifier is SITEID_ExternalID, as agents see it.
	Identifier string `json:"identifier"`
	// Verified is true when ExternalID came from a signed site_uid.
	Verified bool `json:"verified"`
	Profile
	// Age derives from the birth date; nil without one.
	Age      *int   `json:"age,omitempty"`
	Language string `json:"language"`
	IP       string `json:"ip"`
	Device   string `json:"device"`
	// Tags are the identifier's customer tags.
	Tags []Tag `json:"tags"`
	// Identifiers counts the identifiers sharing the customer ID.
	Identifiers int       `json:"identifiers"`
	CreatedAt   time.Time `json:"created_at"`
	// BlockedAt is set while the customer is blocked (§5.5).
	BlockedAt   *time.Time `json:"blocked_at,omitempty"`
	BlockReason string     `json:"block_reason,omitempty"`
	BlockNote   string     `json:"block_note,omitempty"`
}

// DisplayName is how lists name the customer: the nickname, else the name.
func (p Profile) DisplayName() string {
	if p.Nickname != "" {
		return p.Nickname
	}
	return p.Name
}

// Identifier is the customer's identifier as agents see it: SITEID_customerID.
func Identifier(siteID, customerID string) string { return siteID + "_" + customerID }

// VisitorSession ties a widget's bearer token to a customer.
type VisitorSession struct {
	TokenHash   string
	WorkspaceID int64
	CustomerID  int64
}

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
	// Processed is true for a closed conversation an agent replied in.
	Processed bool `json:"processed"`
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

// Message is one message in a conversation (§2.7).
type Message struct {
	ID             int64       `json:"id"`
	WorkspaceID    int64       `json:"workspace_id"`
	ConversationID int64       `json:"conversation_id"`
	Seq            int64       `json:"seq"`
	SenderType     SenderType  `json:"sender_type"`
	SenderID       int64       `json:"sender_id,omitempty"`
	SenderName     string      `json:"sender_name,omitempty"`
	ClientMsgID    string      `json:"client_msg_id"`
	Kind           MessageKind `json:"kind"`
	// Body is the text, or for a system message its code (SystemAssigned…),
	// with the details in Meta; the UIs translate both.
	Body string            `json:"body"`
	Meta map[string]string `json:"meta,omitempty"`
	// Attachment is the file of a KindFile message.
	Attachment *Attachment `json:"attachment,omitempty"`
	// Internal messages are for agents only.
	Internal  bool      `json:"internal,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// MessageKind says what a message is.
type MessageKind string

// Message kinds.
const (
	KindText   MessageKind = "text"
	KindSystem MessageKind = "system"
	// KindFile carries one file in Attachment; Body is the file's name, so
	// conversation lists show it.
	KindFile MessageKind = "file"
)

// System message codes, one per conversation event (§2.7).
const (
	SystemAssigned     = "assigned"
	SystemTransferred  = "transferred"
	SystemHeld         = "held"
	SystemUnheld       = "unheld"
	SystemCustomerLeft = "customer_left"
	SystemClosed       = "closed"
	// SystemGreeting carries the workspace's greeting in Meta["text"].
	SystemGreeting = "greeting"
	// SystemRatingRequested asks the customer to rate; Meta["text"] is the
	// workspace's wording, empty for the catalog's.
	SystemRatingRequested = "rating_requested"
	// SystemRated records the customer's rating (Meta score and comment).
	SystemRated = "rated"
)

// MaxWaiting is the most waiting conversations one agent holds (§2.1).
const MaxWaiting = 5

// Ticket is a left message or a follow-up in the To check list (§7).
type Ticket struct {
	ID          int64 `json:"id"`
	WorkspaceID int64 `json:"workspace_id"`
	// CustomerID is the visitor who left it, when known.
	CustomerID int64        `json:"customer_id,omitempty"`
	Name       string       `json:"name"`
	Contact    string       `json:"contact"`
	Message    string       `json:"message"`
	Status     TicketStatus `json:"status"`
	AssigneeID int64        `json:"assignee_id,omitempty"`
	// Note is what the agent wrote when processing it.
	Note      string     `json:"note"`
	CreatedAt time.Time  `json:"created_at"`
	UpdatedAt time.Time  `json:"updated_at"`
	SolvedAt  *time.Time `json:"solved_at,omitempty"`
}

// TicketStatus is where a ticket stands.
type TicketStatus string

// Ticket statuses. (Pending and priorities come with the ticket work.)
const (
	TicketOpen   TicketStatus = "open"
	TicketSolved TicketStatus = "solved"
)

// Valid reports whether s is a known ticket status.
func (s TicketStatus) Valid() bool { return s == TicketOpen || s == TicketSolved }

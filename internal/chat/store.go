package chat

import (
	"context"
	"time"
)

// Store is the persistence contract shared by the SQLite and PostgreSQL
// adapters. Methods that change state run in one transaction that also
// appends the events describing the change; they return those events so the
// caller can publish them after commit. Lookups of a missing row return an
// *Error with a not-found code, never a nil value and nil error.
type Store interface {
	Ping(ctx context.Context) error
	Close() error

	// CreateWorkspace inserts w and fills in its ID and CreatedAt.
	CreateWorkspace(ctx context.Context, w *Workspace) error
	Workspace(ctx context.Context, id int64) (*Workspace, error)
	WorkspaceBySiteID(ctx context.Context, siteID string) (*Workspace, error)
	// UpdateWorkspace saves w's settings (name, origins, consent, look).
	UpdateWorkspace(ctx context.Context, w *Workspace) error

	// CreateAgent inserts a, failing with ErrConflict when the email is taken.
	CreateAgent(ctx context.Context, a *Agent) error
	Agent(ctx context.Context, id int64) (*Agent, error)
	AgentByEmail(ctx context.Context, email string) (*Agent, error)
	CountAgents(ctx context.Context) (int, error)
	// AddMember makes an agent a member of a workspace with a role.
	AddMember(ctx context.Context, m Member) error
	Member(ctx context.Context, workspaceID, agentID int64) (*Member, error)
	Members(ctx context.Context, workspaceID int64) ([]Member, error)
	Memberships(ctx context.Context, agentID int64) ([]Member, error)
	// SetAgentStatus changes an agent's status and appends agent.status.
	SetAgentStatus(ctx context.Context, workspaceID, agentID int64, s AgentStatus) (Member, []Event, error)

	CreateSession(ctx context.Context, s Session) error
	Session(ctx context.Context, tokenHash string, now time.Time) (*Session, error)
	DeleteSession(ctx context.Context, tokenHash string) error

	// UpsertCustomer finds the customer by (workspace, ExternalID) or creates
	// it; non-empty profile fields of c overwrite the stored ones. c is
	// filled in with the stored row.
	UpsertCustomer(ctx context.Context, c *Customer) error
	Customer(ctx context.Context, workspaceID, id int64) (*Customer, error)
	CreateVisitorSession(ctx context.Context, s VisitorSession) error
	VisitorSession(ctx context.Context, tokenHash string) (*VisitorSession, error)

	// OpenConversation returns the customer's open conversation on channel,
	// or starts one (unassigned, next room number). At most one open web
	// conversation exists per customer, whatever the concurrency.
	OpenConversation(ctx context.Context, workspaceID, customerID int64, ch Channel) (Conversation, []Event, error)
	// CurrentConversation returns the customer's open conversation on ch.
	CurrentConversation(ctx context.Context, workspaceID, customerID int64, ch Channel) (*Conversation, error)
	Conversation(ctx context.Context, workspaceID, id int64) (*Conversation, error)
	Conversations(ctx context.Context, workspaceID int64, f ConversationFilter) ([]Conversation, error)
	// Assign gives an unassigned conversation to the acting agent.
	Assign(ctx context.Context, workspaceID, conversationID int64, actor Actor) (Conversation, []Event, error)
	// CloseConversation ends a conversation on actor's behalf.
	CloseConversation(ctx context.Context, workspaceID, conversationID int64, actor Actor) (Conversation, []Event, error)
	// AppendMessage stores a text message. A second call with the same
	// ClientMsgID returns the stored message, no events, and dup=true.
	AppendMessage(ctx context.Context, workspaceID, conversationID int64, actor Actor, m NewMessage) (msg Message, events []Event, dup bool, err error)
	// Messages lists a conversation's messages with Seq > afterSeq in order.
	Messages(ctx context.Context, workspaceID, conversationID, afterSeq int64, limit int) ([]Message, error)

	// Events lists the workspace's events with Seq > f.AfterSeq in order.
	Events(ctx context.Context, workspaceID int64, f EventFilter) ([]Event, error)
	// LastEventSeq is the workspace's newest committed event sequence.
	LastEventSeq(ctx context.Context, workspaceID int64) (int64, error)
}

// NewMessage is what a sender submits.
type NewMessage struct {
	ClientMsgID string
	Body        string
	// SenderName is shown beside the message (the agent's name).
	SenderName string
}

// ConversationFilter selects conversations for a list.
type ConversationFilter struct {
	State State // "" for every state
	// AssigneeID, when non-zero, keeps only that agent's conversations.
	AssigneeID int64
	// VisibleTo, when non-zero, keeps what an agent of role "agent" may see:
	// their own conversations and the unassigned queue.
	VisibleTo int64
	Limit     int
}

// EventFilter selects events for replay.
type EventFilter struct {
	AfterSeq int64
	// ConversationID, when non-zero, keeps only that conversation's events.
	ConversationID int64
	Limit          int
}

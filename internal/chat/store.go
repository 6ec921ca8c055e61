package chat

import (
	"context"
	"errors"
	"github.com/sodam-chat/sodam/internal/pii"
	"time"
)

// The persistence contract, split by area so that each consumer depends on
// the part it uses. Methods that change state run in one transaction that
// also appends the events describing the change, and return those events:
// the application layer (package app) publishes them after commit, in one
// place. Lookups of a missing row return an *Error with a not-found code,
// never a nil value and nil error.

// Store is the whole contract the SQLite and PostgreSQL adapters implement.
type Store interface {
	Ping(ctx context.Context) error
	Close() error
	Installation
	Workspaces
	Agents
	Sessions
	Customers
	Conversations
	Messages
	Taxonomy
	CannedResponses
	Tickets
	Jobs
	EventLog
	Writer
	Team
	APITokens
	AuditLog
	PIIStore
	Notes
	FAQ
}

// Installation is what every node of one installation shares.
type Installation interface {
	// InstallationID names the installation (every node of it alike).
	InstallationID(ctx context.Context) (string, error)
	// InstallationSecret is a random key every node of the installation
	// shares, for signing short-lived links.
	InstallationSecret(ctx context.Context) (string, error)
}

// Workspaces holds the support desks and their settings.
type Workspaces interface {
	// Bootstrap creates the first workspace with a as its master unless the
	// installation has an agent already; it reports whether it did, and
	// does so once however many nodes start together.
	Bootstrap(ctx context.Context, w *Workspace, a *Agent) (bool, error)
	// CreateWorkspace inserts w and fills in its ID and CreatedAt.
	CreateWorkspace(ctx context.Context, w *Workspace) error
	Workspace(ctx context.Context, id int64) (*Workspace, error)
	WorkspaceBySiteID(ctx context.Context, siteID string) (*Workspace, error)
	// UpdateWorkspace saves w's settings (name, origins, consent, look,
	// rules) and routes the queue under the new rules.
	UpdateWorkspace(ctx context.Context, w *Workspace, by Who) ([]Event, error)
	// PatchWorkspace applies apply to the workspace as the write holds it
	// and saves it as UpdateWorkspace does, so that two changes of
	// different settings at once both stay; apply's error refuses and
	// changes nothing.
	PatchWorkspace(ctx context.Context, id int64, apply func(*Workspace) error, by Who) (*Workspace, []Event, error)
	// NoteRefusedOrigin records that the widget was refused from origin;
	// the workspace keeps the most recent few.
	NoteRefusedOrigin(ctx context.Context, workspaceID int64, origin string, at time.Time) error
	// RefusedOrigins lists them, most recent first.
	RefusedOrigins(ctx context.Context, workspaceID int64) ([]RefusedOrigin, error)
}

// Agents holds agents, their memberships and their status.
type Agents interface {
	// CreateAgent inserts a, failing with ErrConflict when the email is taken.
	CreateAgent(ctx context.Context, a *Agent) error
	Agent(ctx context.Context, id int64) (*Agent, error)
	AgentByEmail(ctx context.Context, email string) (*Agent, error)
	CountAgents(ctx context.Context) (int, error)
	// AddMember makes an agent a member of a workspace with a role.
	AddMember(ctx context.Context, m Member) error
	Member(ctx context.Context, workspaceID, agentID int64) (*Member, error)
	Members(ctx context.Context, workspaceID int64) ([]Member, error)
	// Memberships lists an agent's memberships of workspaces that are not
	// archived (an archived workspace is closed to its members).
	Memberships(ctx context.Context, agentID int64) ([]Member, error)
	// SetAgentStatus changes an agent's status and appends agent.status; an
	// agent coming online may be routed queued conversations at once.
	SetAgentStatus(ctx context.Context, workspaceID, agentID int64, s AgentStatus) (Member, []Event, error)
	// SetCapacity sets or (nil) clears a member's capacity override.
	SetCapacity(ctx context.Context, workspaceID, agentID int64, capacity *int, by Who) (Member, []Event, error)
}

// Sessions holds console logins.
type Sessions interface {
	CreateSession(ctx context.Context, s Session) error
	Session(ctx context.Context, tokenHash string, now time.Time) (*Session, error)
	// ConsoleMember reads, at once, the session Session would return, its
	// agent (nil if the agent is gone) and the agent's membership of
	// workspaceID (nil if it has none, or the workspace is archived):
	// what a console request to a workspace's route needs first.
	ConsoleMember(ctx context.Context, tokenHash string, now time.Time, workspaceID int64) (*Session, *Agent, *Member, error)
	DeleteSession(ctx context.Context, tokenHash string) error
	// CountSessions is how many unexpired sessions agentID has.
	CountSessions(ctx context.Context, agentID int64, now time.Time) (int, error)
}

// Customers holds customer identifiers, their profiles and visitor sessions.
type Customers interface {
	// UpsertCustomer finds the customer by (workspace, ExternalID) or creates
	// it; non-empty profile fields of c overwrite the stored ones. c is
	// filled in with the stored row.
	UpsertCustomer(ctx context.Context, c *Customer) error
	Customer(ctx context.Context, workspaceID, id int64) (*Customer, error)
	CreateVisitorSession(ctx context.Context, s VisitorSession) error
	VisitorSession(ctx context.Context, tokenHash string) (*VisitorSession, error)
	// VisitorSessionWorkspace is VisitorSession and its workspace, in one read.
	VisitorSessionWorkspace(ctx context.Context, tokenHash string) (*VisitorSession, *Workspace, error)
	// VisitorSessionConversation is VisitorSessionWorkspace and, in the same
	// read, the state of conversation conversationID if it is the session's
	// customer's in that workspace, or "" if it is not: what a visitor's
	// socket needs to open, in one read instead of two.
	VisitorSessionConversation(ctx context.Context, tokenHash string, conversationID int64) (*VisitorSession, *Workspace, State, error)
	// CustomerConversationState is the state of conversation
	// conversationID if it is customer customerID's in workspace
	// workspaceID, or "" if it is not: what a visitor's socket reads to
	// open when the node knows the session and workspace already.
	CustomerConversationState(ctx context.Context, workspaceID, customerID, conversationID int64) (State, error)
	// BlockCustomer blocks a customer and closes their open conversations.
	BlockCustomer(ctx context.Context, workspaceID, customerID int64, reason, note string, by Who) (*Customer, []Event, error)
	UnblockCustomer(ctx context.Context, workspaceID, customerID int64, by Who) (*Customer, error)
	BlockedCustomers(ctx context.Context, workspaceID int64, p Page) ([]Customer, error)
	// UpdateProfile applies an agent's edit to the profile of identifier
	// customerID (§4.2) and appends customer.updated.
	UpdateProfile(ctx context.Context, workspaceID, customerID int64, p ProfilePatch) (*Customer, []Event, error)
	// ChangeCustomerID gives identifier customerID's profile the customer ID
	// newID; when another profile has it, they merge only if confirm is set
	// (ErrMergeRequired otherwise) and only up to MaxIdentifiers (§1.3).
	// The customer ID's web identifiers become one named newID
	// (PlanWebRename); the customer returned is the edited identifier, or
	// the one it was folded into. A change is audited as by's, in the same
	// transaction (AuditCustomerID, or AuditCustomerMerge when it merged).
	ChangeCustomerID(ctx context.Context, workspaceID, customerID int64, newID string, confirm bool, by Who) (*Customer, []Event, error)
	// SetCustomerTags replaces the identifier's customer tags.
	SetCustomerTags(ctx context.Context, workspaceID, customerID int64, tagIDs []int64) (*Customer, []Event, error)
	// CustomerConversations lists the conversations of identifier
	// customerID's customer ID, all identifiers, newest first (§4.5).
	CustomerConversations(ctx context.Context, workspaceID, customerID int64, p Page) ([]Conversation, error)
	// CountCustomerConversations counts them.
	CountCustomerConversations(ctx context.Context, workspaceID, customerID int64) (int, error)
}

// Conversations holds conversations and the changes agents make to them.
// Starting one is a workflow of the application layer, over Tx.
type Conversations interface {
	// CurrentConversation returns the customer's open conversation on ch.
	CurrentConversation(ctx context.Context, workspaceID, customerID int64, ch Channel) (*Conversation, error)
	Conversation(ctx context.Context, workspaceID, id int64) (*Conversation, error)
	Conversations(ctx context.Context, workspaceID int64, f ConversationFilter) ([]Conversation, error)
	// QueuePosition is a conversation's 1-based place in the queue, 0 if not queued.
	QueuePosition(ctx context.Context, workspaceID, conversationID int64) (int, error)
	// QueueOrder lists the workspace's queued conversations in queue
	// order: a conversation's place is its index plus one.
	QueueOrder(ctx context.Context, workspaceID int64) ([]int64, error)
	// QueueLengths counts the queued (unassigned) conversations of every
	// workspace that has any.
	QueueLengths(ctx context.Context) (map[int64]int, error)
	// Take gives a queued conversation to the acting agent ("Assign to me").
	Take(ctx context.Context, workspaceID, conversationID int64, actor Actor) (Conversation, []Event, error)
	// Transfer hands a conversation to another agent, with an optional reason.
	Transfer(ctx context.Context, workspaceID, conversationID int64, actor Actor, toAgentID int64, reason string) (Conversation, []Event, error)
	SetHold(ctx context.Context, workspaceID, conversationID int64, actor Actor, on bool) (Conversation, []Event, error)
	SetImportant(ctx context.Context, workspaceID, conversationID int64, actor Actor, on bool) (Conversation, []Event, error)
	// CloseConversation ends a conversation on a visitor's or agent's behalf.
	CloseConversation(ctx context.Context, workspaceID, conversationID int64, actor Actor) (Conversation, []Event, error)
	// Route assigns queued conversations while anyone can take them, when
	// the workspace assigns automatically.
	Route(ctx context.Context, workspaceID int64) ([]Event, error)
	// SetNote saves a conversation's wrap-up note (§5.4).
	SetNote(ctx context.Context, workspaceID, conversationID int64, n Note) (Conversation, []Event, error)
	// RequestRating sends the rating request to the customer (§5.3).
	RequestRating(ctx context.Context, workspaceID, conversationID int64, actor Actor) (Message, []Event, error)
	// Rate stores the customer's rating, once, after an agent replied.
	Rate(ctx context.Context, workspaceID, conversationID int64, score int, comment string) (Conversation, []Event, error)
}

// Messages holds conversations' messages and their attachments.
type Messages interface {
	// AppendMessage stores a text message, or a file message when
	// m.Attachment is set (its row is written in the same transaction). A
	// second call with the same ClientMsgID returns the stored message, no
	// events, and dup=true.
	AppendMessage(ctx context.Context, workspaceID, conversationID int64, actor Actor, m NewMessage) (msg Message, events []Event, dup bool, err error)
	// Attachment returns a workspace's attachment, storage keys included.
	Attachment(ctx context.Context, workspaceID, id int64) (*Attachment, error)
	// Messages lists a conversation's messages with Seq > afterSeq in
	// order, at most limit (MessageRows when limit is 0 or above it).
	Messages(ctx context.Context, workspaceID, conversationID, afterSeq int64, limit int) ([]Message, error)
	// MessagesBefore lists the last limit messages with Seq < beforeSeq
	// (0: the conversation's last messages), in order, at most MessageRows:
	// the page of a transcript read from its end.
	MessagesBefore(ctx context.Context, workspaceID, conversationID, beforeSeq int64, limit int) ([]Message, error)
	// Message returns one message of a conversation: ErrConversationNotFound
	// when the conversation is not the workspace's, ErrMessageNotFound
	// when the message is not the conversation's.
	Message(ctx context.Context, workspaceID, conversationID, messageID int64) (*Message, error)
}

// Taxonomy holds customer and conversation tags and the category tree.
// Every change is audited as by's, in the same transaction.
type Taxonomy interface {
	Tags(ctx context.Context, workspaceID int64, kind TagKind) ([]Tag, error)
	// CreateTag adds a tag; a taken name is ErrConflict.
	CreateTag(ctx context.Context, workspaceID int64, kind TagKind, name string, by Who) (Tag, error)
	RenameTag(ctx context.Context, workspaceID, id int64, name string, by Who) (Tag, error)
	// DeleteTag removes a tag from everything it labels.
	DeleteTag(ctx context.Context, workspaceID, id int64, by Who) error
	// Categories lists the active category tree, level by level (§4.4).
	Categories(ctx context.Context, workspaceID int64) ([]Category, error)
	// CreateCategory adds a category under parentID (0: top), at most
	// MaxCategoryDepth levels deep.
	CreateCategory(ctx context.Context, workspaceID, parentID int64, name string, by Who) (Category, error)
	RenameCategory(ctx context.Context, workspaceID, id int64, name string, by Who) (Category, error)
	// DeleteCategory retires a category without children; past
	// conversations keep its name in their path.
	DeleteCategory(ctx context.Context, workspaceID, id int64, by Who) error
}

// CannedResponses holds the agents' canned responses (§5.1). A change to
// a shared one is audited as by's, in the same transaction; an agent's
// own are not audited.
type CannedResponses interface {
	// CannedResponses lists the shared responses and agentID's own.
	CannedResponses(ctx context.Context, workspaceID, agentID int64) ([]Canned, error)
	// CreateCanned stores c, shared when c.OwnerID is 0.
	CreateCanned(ctx context.Context, c *Canned, by Who) error
	// UpdateCanned and DeleteCanned act on the actor's own responses, or on
	// shared ones for managers and masters.
	UpdateCanned(ctx context.Context, workspaceID, id int64, actor Actor, title, body string, by Who) (Canned, error)
	DeleteCanned(ctx context.Context, workspaceID, id int64, actor Actor, by Who) error
	SetCannedFavourite(ctx context.Context, workspaceID, id, agentID int64, on bool) error
}

// Tickets holds left messages and the tickets agents open (§7), with
// their threads.
type Tickets interface {
	// CreateTicket stores a left message, or (CreatedBy set) a ticket an
	// agent opened; t is filled in.
	CreateTicket(ctx context.Context, t *Ticket) ([]Event, error)
	// Tickets pages a workspace's tickets, newest first, for f.Viewer.
	Tickets(ctx context.Context, workspaceID int64, f TicketFilter) ([]TicketItem, error)
	// Ticket reads one ticket as viewer sees it in the list.
	Ticket(ctx context.Context, workspaceID, id, viewer int64) (TicketItem, error)
	UpdateTicket(ctx context.Context, workspaceID, id int64, p TicketPatch) (Ticket, []Event, error)
	// TicketReplies reads a page of a ticket's thread: its last n
	// replies, or (before > 0) the last n of those with IDs below before,
	// oldest first.
	TicketReplies(ctx context.Context, workspaceID, ticketID, before int64, n int) ([]TicketReply, error)
	// TicketReply reads one reply with its ticket.
	TicketReply(ctx context.Context, workspaceID, replyID int64) (TicketReply, Ticket, error)
	// AddTicketReply appends r to its ticket's thread under the ticket's
	// row lock; a public reply's delivery is chat.ReplyDelivery's with smtp,
	// and a queued one schedules its email job in the same transaction.
	// The author has then read the ticket. A public reply to a solved
	// ticket is refused (ErrTicketSolved).
	AddTicketReply(ctx context.Context, r *TicketReply, smtp bool) ([]Event, error)
	// SetReplyDelivery records an email attempt's outcome; retryAt, when
	// set, moves the reply's email job to then. A reply whose delivery is
	// no longer pending (sent, failed) is left as it is: no change, no
	// event, no job.
	SetReplyDelivery(ctx context.Context, workspaceID, replyID int64, d ReplyDeliveryUpdate) ([]Event, error)
	// MarkTicketRead records that agentID has seen the ticket as it is now.
	MarkTicketRead(ctx context.Context, workspaceID, ticketID, agentID int64) error
}

// Jobs holds durable timers and background work. The store only keeps
// them: it claims, leases and completes them; what a job does is the
// handler's that the job runner finds for its kind.
type Jobs interface {
	// ScheduleJob creates the job, or moves an existing one of the same
	// kind and reference to the new due time.
	ScheduleJob(ctx context.Context, j Job) error
	CancelJob(ctx context.Context, kind string, workspaceID, refID int64) error
	// ClaimJobs leases up to limit due jobs to node until now+lease.
	ClaimJobs(ctx context.Context, node string, now time.Time, lease time.Duration, limit int) ([]Job, error)
	// RenewJob extends node's claim on j, as ClaimJobs returned it, to
	// now+lease, for a job that runs longer than a lease (an export).
	// False when the job is no longer node's: completed, cancelled,
	// rescheduled, or claimed by another node once node's lease ran out.
	RenewJob(ctx context.Context, j Job, node string, now time.Time, lease time.Duration) (bool, error)
	// CompleteJob deletes a job that node claimed and carried out outside
	// any transaction; a job rescheduled or reclaimed since is left alone.
	CompleteJob(ctx context.Context, j Job, node string) error
	// FailJob records why a claimed job failed; it is retried after its lease.
	FailJob(ctx context.Context, j Job, cause error) error
	// ReleaseJob hands back node's claim on j, as ClaimJobs returned it,
	// unless the job moved since: any node may claim it at once, and the
	// interrupted run is not counted as an attempt. A node stopping in the
	// middle of a job releases it rather than make it wait for the lease.
	ReleaseJob(ctx context.Context, j Job, node string) error
}

// EventLog is the durable, ordered log every socket replays from.
type EventLog interface {
	// Events lists the workspace's events with Seq > f.AfterSeq in order.
	Events(ctx context.Context, workspaceID int64, f EventFilter) ([]Event, error)
	// LastEventSeq is the workspace's newest committed event sequence.
	LastEventSeq(ctx context.Context, workspaceID int64) (int64, error)
	// LastEventSeqs is LastEventSeq for several workspaces in one read,
	// by workspace; one that does not exist is left out.
	LastEventSeqs(ctx context.Context, workspaceIDs []int64) (map[int64]int64, error)
}

// Team holds what administering a team changes: invitations, members'
// roles and activity, agents' own profiles and passwords, password resets,
// installation owners and archived workspaces. Each change that takes a by
// records its audit entry in the same transaction.
type Team interface {
	// CreateInvitation stores inv with its token's hash. An address that is
	// already an active member is ErrAlreadyMember; an open invitation for
	// the same address is replaced.
	CreateInvitation(ctx context.Context, inv *Invitation, tokenHash string, by Who) error
	// Invitations lists a workspace's invitations, newest first.
	Invitations(ctx context.Context, workspaceID int64, f InvitationFilter) ([]Invitation, error)
	// ResendInvitation gives a pending or expired invitation a new token
	// and expiry; by becomes who invited (the invitation lives as long as
	// they are an active master, UpdateMember).
	ResendInvitation(ctx context.Context, workspaceID, id int64, tokenHash string, expiresAt time.Time, by Who) (*Invitation, error)
	RevokeInvitation(ctx context.Context, workspaceID, id int64, by Who) (*Invitation, error)
	// InvitationByToken finds an invitation by its token's hash, whatever
	// its status.
	InvitationByToken(ctx context.Context, tokenHash string) (*Invitation, error)
	// AcceptInvitation uses a pending invitation once. With no login for
	// its address, newAgent (name and password hash) becomes one; with a
	// login, the invitation adds a membership to it (or reactivates one),
	// for a caller who proved it (newAgent nil: a newAgent given for an
	// address that has a login by now is ErrInvalidCredentials);
	// a login that is an active member already is ErrAlreadyMember, and
	// nothing changes. address is where the acceptance came from, for the
	// audit log.
	AcceptInvitation(ctx context.Context, tokenHash string, newAgent *Agent, address string) (*Agent, *Member, error)
	// UpdateMember changes a member's role or activity. The last active
	// master cannot be demoted or deactivated. A deactivated member's open
	// conversations go back to the queue, which is then routed.
	UpdateMember(ctx context.Context, workspaceID, agentID int64, p MemberPatch, by Who) (Member, []Event, error)
	// UpdateAgent applies an agent's edit of their own profile; a new name
	// is agent.status in each of their workspaces.
	UpdateAgent(ctx context.Context, agentID int64, p AgentPatch) (*Agent, []Event, error)
	// SetPassword replaces an agent's password hash and ends every session
	// of theirs but keepSession (a hash, or ""); ended are the token hashes
	// of the sessions it ended, whose sockets the caller closes.
	SetPassword(ctx context.Context, agentID int64, hash, keepSession string, by Who) (ended []string, err error)
	// CreatePasswordReset stores a single-use link for agentID, audited in
	// workspaceID (0: installation-wide). A member (by an agent) may not
	// reset a login that is also another workspace's member or an owner
	// (ErrLoginShared); the operator (by no agent) may.
	CreatePasswordReset(ctx context.Context, workspaceID, agentID int64, tokenHash string, expiresAt time.Time, by Who) error
	// PasswordResetAgent is the agent a usable reset link is for.
	PasswordResetAgent(ctx context.Context, tokenHash string) (*Agent, error)
	// UsePasswordReset sets a new password through a reset link, once, and
	// ends the agent's sessions (ended: their token hashes).
	UsePasswordReset(ctx context.Context, tokenHash, newHash, address string) (a *Agent, ended []string, err error)
	// AllAgents lists every agent of the installation.
	AllAgents(ctx context.Context) ([]Agent, error)
	// SetOwner grants or withdraws installation ownership; the last owner
	// stays one.
	SetOwner(ctx context.Context, agentID int64, owner bool, by Who) (*Agent, error)
	// AllWorkspaces lists every workspace of the installation.
	AllWorkspaces(ctx context.Context) ([]Workspace, error)
	// CreateWorkspaceWith creates w with master as its first master.
	CreateWorkspaceWith(ctx context.Context, w *Workspace, masterID int64, by Who) error
	// ArchiveWorkspace archives (or with on=false restores) a workspace.
	ArchiveWorkspace(ctx context.Context, id int64, on bool, by Who) (*Workspace, []Event, error)
}

// APITokens holds workspaces' API tokens; only their hashes are stored.
type APITokens interface {
	CreateAPIToken(ctx context.Context, t *APIToken, tokenHash string, by Who) error
	APITokens(ctx context.Context, workspaceID int64) ([]APIToken, error)
	APITokenByHash(ctx context.Context, tokenHash string) (*APIToken, error)
	// TouchAPIToken records a use (at most about once a minute matters).
	TouchAPIToken(ctx context.Context, id int64, at time.Time) error
	RevokeAPIToken(ctx context.Context, workspaceID, id int64, by Who) (*APIToken, error)
}

// AuditLog is the append-only record of administrative actions.
type AuditLog interface {
	// AppendAudit records an entry on its own (a refused attempt, or a
	// read that is recorded: an FAQ export).
	AppendAudit(ctx context.Context, e AuditEntry) error
	// Audit lists a workspace's entries, newest first.
	Audit(ctx context.Context, workspaceID int64, f AuditFilter) ([]AuditEntry, error)
}

// Writer runs an application workflow in one write transaction.
type Writer interface {
	// Write runs fn in a write transaction (perhaps shared with other
	// writes: group commit) and returns the events fn's steps appended,
	// numbered, once it committed. When fn fails, nothing it did remains.
	Write(ctx context.Context, fn func(Tx) error) ([]Event, error)
}

// Tx is one write transaction's steps, from which the application layer
// composes workflows (what happens after a conversation opens, what a job
// does). The store keeps the invariants inside each step: locks, capacity,
// the five-waiting limit, one open web conversation per customer. Lock
// order: LockRouting before any conversation or job row.
type Tx interface {
	// LockRouting takes the workspace's routing lock until the transaction
	// ends and returns the workspace as it now is.
	LockRouting(ctx context.Context, workspaceID int64) (*Workspace, error)
	// Route serves the queue of ws, whose routing lock is held, while
	// anyone can take more, when the workspace assigns automatically.
	Route(ctx context.Context, ws *Workspace) error
	// StartConversation returns the customer's open conversation on ch, or
	// starts one (unassigned, next room number) and reports that it did. A
	// blocked customer is refused.
	StartConversation(ctx context.Context, workspaceID, customerID int64, ch Channel) (c Conversation, started bool, err error)
	// RecordConsent notes that the customer agreed to the privacy notice
	// whose wording has version (ConsentVersion).
	RecordConsent(ctx context.Context, workspaceID, customerID int64, version string) error
	// LockConversation reads a conversation and holds its row.
	LockConversation(ctx context.Context, workspaceID, id int64) (Conversation, error)
	// Conversation reads a conversation as the transaction sees it.
	Conversation(ctx context.Context, workspaceID, id int64) (Conversation, error)
	// SystemMessage adds a system message (code, details in meta) that the
	// customer sees, and appends message.created.
	SystemMessage(ctx context.Context, c Conversation, code string, meta map[string]string) error
	// CloseConversation closes c, held, with reason.
	CloseConversation(ctx context.Context, c Conversation, reason string) error
	// SetMemberStatus sets an agent's status in a workspace and appends
	// agent.status; a missing member or an unchanged status does nothing.
	SetMemberStatus(ctx context.Context, workspaceID, agentID int64, s AgentStatus) error
	// FinishJob deletes j, which node claimed, before the job's work in
	// the same transaction. A job rescheduled, cancelled or reclaimed since
	// is not node's to carry out: FinishJob then fails with ErrJobMoved.
	FinishJob(ctx context.Context, j Job, node string) error
	// The robot's steps (§8.2). StartBotConversation is StartConversation
	// for a workspace whose robot answers first: a new conversation starts
	// in the bot state. RobotReply adds the robot's answer to the visitor's
	// message replyTo once (false: it is there already, or the
	// conversation left the robot). LeaveBot hands a bot conversation to
	// routing with the robot first on its agent path.
	StartBotConversation(ctx context.Context, workspaceID, customerID int64, ch Channel) (c Conversation, started bool, err error)
	RobotReply(ctx context.Context, c Conversation, replyTo int64, meta map[string]string) (bool, error)
	LeaveBot(ctx context.Context, c Conversation, robot string) (Conversation, error)
	// AgentRefused marks bot conversation c as one whose visitor asked
	// for a person when nobody could chat (the first time is kept): closed
	// by the robot, it counts as unprocessed, not robot-resolved
	// (docs/statistics.md). A conversation no longer with the robot is
	// left alone.
	AgentRefused(ctx context.Context, c Conversation) error
	// AwayReply adds the automatic reply to a messenger's user (SystemAway
	// with meta) under c's row lock, unless c has one added less than gap
	// ago, or AwayReplyDue no longer holds for its state (an agent or the
	// robot took it meanwhile: avail is the desk's availability); it
	// reports whether it added one. Two nodes answering at once add one.
	AwayReply(ctx context.Context, c Conversation, avail Availability, meta map[string]string, gap time.Duration) (bool, error)
}

// ErrJobMoved says a claimed job was rescheduled, cancelled or claimed by
// another node before it ran.
var ErrJobMoved = errors.New("the job was rescheduled or reclaimed meanwhile")

// NewMessage is what a sender submits.
type NewMessage struct {
	ClientMsgID string
	// Body is the text; a file message's body is the file's name.
	Body string
	// SenderName is shown beside the message (the agent's name).
	SenderName string
	// Attachment, when set, makes this a file message: the file is already
	// in blob storage and the store records it with the message.
	Attachment *Attachment
	// Masks and Originals are what automatic masking hid in Body and the
	// sealed text it hid (§11).
	Masks     []pii.Span
	Originals []SealedOriginal
}

// InvitationFilter selects a page of invitations: all of them, or only the
// open ones (neither accepted nor revoked: pending or expired), which are
// the ones a master may still act on.
type InvitationFilter struct {
	Page
	Open bool
}

// ConversationFilter selects conversations for a list.
type ConversationFilter struct {
	State State // "" for every state
	// AssigneeID, when non-zero, keeps only that agent's conversations.
	AssigneeID int64
	// VisibleTo, when non-zero, keeps what an agent of role "agent" may see:
	// their own conversations and the unassigned queue.
	VisibleTo int64
	// Important and OnHold, when set, keep conversations with that flag.
	Important *bool
	OnHold    *bool
	Page
}

// Job kinds: durable timers (§2.3, §3.1).
const (
	// JobInactivity closes conversation RefID when its customer has not
	// answered the agent's last message in time.
	JobInactivity = "inactivity"
	// JobOffline takes agent RefID offline once their consoles are gone.
	JobOffline = "offline"
)

// Job is a durable timer: due at DueAt, claimed by one node at a time.
type Job struct {
	ID          int64
	Kind        string
	WorkspaceID int64
	RefID       int64
	DueAt       time.Time
	Attempts    int
}

// TicketFilter selects a page of tickets for the To check list.
type TicketFilter struct {
	Statuses   []TicketStatus   // none: every status
	Priorities []TicketPriority // none: every priority
	// AssigneeID, when set, keeps that agent's tickets (0: unassigned).
	AssigneeID *int64
	Channel    TicketChannel // "": both
	Tag        string
	// Text, when set, keeps tickets whose subject, message, name or
	// contact contains it (case-folded substring: Korean words match
	// inside longer words and before particles).
	Text string
	// Viewer is whose unread markers the list carries; Unread keeps only
	// the tickets unread for them.
	Viewer int64
	Unread bool
	// Before is the cursor: tickets with a smaller ID.
	Before int64
	Limit  int
}

// TicketPatch changes a ticket; nil fields stay as they are.
type TicketPatch struct {
	Status     *TicketStatus
	Priority   *TicketPriority
	AssigneeID *int64 // 0 unassigns
	Note       *string
	Subject    *string
	// Contact: an email address or a phone number (IsContact), or "" for
	// none: what a chat's ticket made before the customer's email was
	// known is given later, so that replies can be emailed.
	Contact *string
	// DueAt: a zero time clears the due time.
	DueAt *time.Time
	Tags  *[]string
	// Unchanged, when set, applies the patch only to the ticket as it was
	// then (its UpdatedAt; If-Match): a colleague's change since is
	// ErrConflict, not silently replaced (tags and note are replaced whole).
	Unchanged *time.Time
}

// ReplyDeliveryUpdate is the outcome of one attempt to email a reply.
type ReplyDeliveryUpdate struct {
	State    DeliveryState
	Attempts int
	Error    string
	At       time.Time
	// RetryAt, when set, is when the next attempt is due.
	RetryAt *time.Time
}

// JobTicketEmail emails ticket reply RefID to the ticket's contact.
const JobTicketEmail = "ticket_email"

// EventFilter selects events for replay.
type EventFilter struct {
	AfterSeq int64
	// ConversationID, when non-zero, keeps only that conversation's events.
	ConversationID int64
	Limit          int
}

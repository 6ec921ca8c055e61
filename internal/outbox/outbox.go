// Package outbox is what leaves Sodam for other systems (§10.1–10.3,
// §1.2): signed webhooks, API channels that messenger bridges (KakaoTalk,
// Naver TalkTalk, Telegram) talk through, and alerts to email, Slack-style
// and Jandi incoming webhooks.
//
// Every one of them is an Endpoint. What an endpoint should receive is
// decided by one function, Deliverable, inside the transaction that
// commits the event: the store writes a Delivery row beside the event row
// (the transactional outbox), so nothing committed is lost and nothing is
// sent that did not commit. A Worker on every node claims due deliveries
// (FOR UPDATE SKIP LOCKED on PostgreSQL, the single writer on SQLite),
// sends them outside any transaction, and records the outcome; a failed
// attempt is retried with exponential backoff and jitter until it succeeds
// or a day has passed. The delivery's ID is its Standard Webhooks
// webhook-id, the same on every attempt, so a receiver deduplicates on it.
//
// The payload is not stored with the delivery: it is built from the stored
// event (an alert: from the stored conversation) when it is sent, so text
// that masking (§11) rewrites in the log is never sent in the clear, even
// by a delivery that was pending when the mask was applied.
package outbox

import (
	"context"
	"slices"
	"strconv"
	"time"

	"github.com/sodam-chat/sodam/internal/chat"
)

// Kind is what an endpoint is.
type Kind string

// Endpoint kinds.
const (
	KindWebhook Kind = "webhook"
	KindChannel Kind = "channel"
	KindSlack   Kind = "slack"
	KindJandi   Kind = "jandi"
	KindEmail   Kind = "email"
)

// IsAlert reports whether k is an alert target.
func (k Kind) IsAlert() bool { return k == KindSlack || k == KindJandi || k == KindEmail }

// ChannelKinds are the messengers a bridge connects (§1.2): every channel
// but the web widget's (chat.Channels).
var ChannelKinds = func() []string {
	var out []string
	for _, c := range chat.Channels {
		if c != chat.ChannelWeb {
			out = append(out, string(c))
		}
	}
	return out
}()

// Alert types (§10.2). conversation.created and ticket.created are events
// (ticket.created alerts of a left message, not of a ticket an agent made);
// the other two are made for alerts: a conversation still unassigned after
// the target's wait, and an assignment to an agent who is away. The new-chat
// alert (conversation.created) is a visitor's request for a person: a
// conversation created in the queue, or one the robot handed over
// (chat.Event.Queued) — not a chat the robot starts.
const (
	AlertNewChat      = string(chat.EventConversationCreated)
	AlertWaiting      = "conversation.waiting"
	AlertTicket       = string(chat.EventTicketCreated)
	AlertAssignedAway = "conversation.assigned_away"
	// AlertMention: an internal note mentions the agent (§2.7); only an
	// agent's own email alerts may ask for it.
	AlertMention = "note.mentioned"
)

// WaitingSince is when c began to wait for a person: when it entered the
// queue (created there, or handed over by the robot).
func WaitingSince(c chat.Conversation) time.Time {
	if c.QueuedAt != nil {
		return *c.QueuedAt
	}
	return c.CreatedAt
}

// JobWaiting is the durable job that writes a conversation's waiting
// alerts when its wait is over (chat.Job.RefID: the conversation).
const JobWaiting = "alert.waiting"

// AlertTypes are the types an alert target may subscribe to.
var AlertTypes = []string{AlertNewChat, AlertWaiting, AlertTicket, AlertAssignedAway}

// PersonalAlertTypes are the types an agent's own email alerts may
// subscribe to: AlertTypes and the mentions of the agent.
var PersonalAlertTypes = append(slices.Clip(AlertTypes), AlertMention)

// EventTypes are the event types a webhook may subscribe to.
// message.updated carries the message as it now stands (masked text only
// after a mask, §11), ticket.replied a ticket's reply or internal comment
// (an internal one only for webhooks that asked for internal events),
// conversation.read a conversation with its read marks.
var EventTypes = []string{
	string(chat.EventConversationCreated), string(chat.EventConversationAssigned),
	string(chat.EventConversationTransferred), string(chat.EventConversationUpdated),
	string(chat.EventConversationClosed), string(chat.EventConversationRead),
	string(chat.EventMessageCreated), string(chat.EventMessageUpdated),
	string(chat.EventAgentStatus), string(chat.EventTicketCreated), string(chat.EventTicketUpdated),
	string(chat.EventTicketReplied), string(chat.EventWorkspaceUpdated), string(chat.EventCustomerUpdated),
}

// ChannelEvents are the types a channel's bridge receives: what the
// customer should see on the messenger (toldOnMessenger decides which of
// them).
var ChannelEvents = []string{string(chat.EventMessageCreated), string(chat.EventConversationAssigned),
	string(chat.EventConversationTransferred), string(chat.EventConversationUpdated), string(chat.EventConversationClosed)}

// Error codes of this package.
const (
	ErrEndpointNotFound = "endpoint_not_found"
	ErrDeliveryNotFound = "delivery_not_found"
	ErrInvalidURL       = "invalid_url"
	ErrPrivateAddress   = "private_address"
	ErrUnknownEvent     = "unknown_event"
	ErrChannelToken     = "channel_token_invalid"
	ErrFetchFailed      = "attachment_fetch_failed"
	ErrTooManyEndpoints = "too_many_endpoints"
	// ErrSMTPNotConfigured: an email target, or an agent's own email
	// alerts, on a node that has no SMTP server to send them.
	ErrSMTPNotConfigured = "smtp_not_configured"
)

// MaxEndpoints bounds a workspace's endpoints of one kind.
const MaxEndpoints = 20

// Endpoint is a webhook, a channel or an alert target of one workspace.
type Endpoint struct {
	ID          int64     `json:"id"`
	WorkspaceID int64     `json:"workspace_id"`
	Kind        Kind      `json:"kind"`
	Name        string    `json:"name"`
	URL         string    `json:"url"`
	Events      []string  `json:"events"`
	ChannelKind string    `json:"channel_kind,omitempty"`
	Internal    bool      `json:"internal,omitempty"`
	AgentID     int64     `json:"agent_id,omitempty"`
	QuietStart  int       `json:"quiet_start"`
	QuietEnd    int       `json:"quiet_end"`
	WaitMinutes int       `json:"wait_minutes,omitempty"`
	CreatedBy   int64     `json:"created_by,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
	// SealedSecret is the signing secret as stored: sealed (Sealer).
	SealedSecret string `json:"-"`
	// Unopened: the address, stored sealed as the secret is, does not
	// open with this installation's key (SODAM_SECRET_KEY changed), so URL
	// is "" and deliveries fail until the endpoint is made again.
	Unopened bool `json:"-"`
}

// Wants reports whether the endpoint subscribed to typ.
func (e Endpoint) Wants(typ string) bool { return slices.Contains(e.Events, typ) }

// Delivery statuses.
const (
	StatusPending   = "pending"
	StatusDelivered = "delivered"
	StatusFailed    = "failed"
	// StatusSkipped: not sent on purpose (quiet hours, the endpoint was
	// deleted, the event is gone).
	StatusSkipped = "skipped"
)

// Delivery is one event (or alert) on its way to one endpoint.
type Delivery struct {
	ID             int64      `json:"id"`
	WorkspaceID    int64      `json:"workspace_id"`
	EndpointID     int64      `json:"endpoint_id"`
	EventSeq       int64      `json:"event_seq"`
	EventType      string     `json:"event_type"`
	ConversationID int64      `json:"conversation_id,omitempty"`
	Status         string     `json:"status"`
	Attempts       int        `json:"attempts"`
	NextAt         time.Time  `json:"next_at"`
	LastCode       int        `json:"last_code"`
	LastBody       string     `json:"last_body"`
	LastError      string     `json:"last_error"`
	CreatedAt      time.Time  `json:"created_at"`
	DoneAt         *time.Time `json:"done_at,omitempty"`
	// ClaimedUntil is the claim's lease, set on claimed deliveries.
	ClaimedUntil time.Time `json:"-"`
	// Payload is the stored event, when the claim read it along (nil:
	// the worker reads it).
	Payload []byte `json:"-"`
}

// WebhookID is the delivery's Standard Webhooks message ID: the same on
// every attempt.
func (d Delivery) WebhookID() string { return "msg_" + strconv.FormatInt(d.ID, 10) }

// Outcome is what one attempt came to.
type Outcome struct {
	Delivery Delivery
	// Status is the delivery's new status; NextAt the next attempt's time
	// when it stays pending.
	Status    string
	NextAt    time.Time
	Code      int
	Body      string
	Error     string
	Completed time.Time
	// NotAttempted: nothing was sent — another delivery to the same
	// receiver failed first in the same claim — so the delivery stays as
	// it was (attempts, last answer, due time) until the receiver's next
	// probe.
	NotAttempted bool
	// rewrites is the worker's count of rewriting commits before its
	// claim (Worker.Rewritten): a reply recorded once the count moved may
	// echo text a mask has hidden since it was sent.
	rewrites uint64
}

// Retried reports whether the receiver failed this attempt and is to be
// tried again at NextAt: until then it counts as down, and its other
// deliveries wait.
func (o Outcome) Retried() bool {
	return !o.NotAttempted && o.Error != "" && !o.NextAt.IsZero()
}

// DeliveryFilter pages an endpoint's deliveries, newest first.
type DeliveryFilter struct {
	Status   string
	BeforeID int64
	Limit    int
}

// ChannelProfile is what a bridge may tell about a messenger user.
type ChannelProfile struct {
	Name  string `json:"name"`
	Phone string `json:"phone"`
	Email string `json:"email"`
	// Language is the one the user is spoken to in (ko, en; "" keeps
	// the one stored): the bridge's message gives it, not the profile.
	Language string `json:"-"`
}

// ChannelUser is a messenger account as Sodam knows it.
type ChannelUser struct {
	ChannelID      int64
	ExternalUserID string
	CustomerID     int64
	// Language is the one the bridge last gave for the user ("" for none).
	Language string
}

// Store is what the outbox keeps (package sqldb implements it).
type Store interface {
	// CreateEndpoint stores e (ID and CreatedAt are filled in), with a
	// channel's token hash; audited as by.
	CreateEndpoint(ctx context.Context, e *Endpoint, tokenHash string, by chat.Who) error
	// Endpoints lists a workspace's live endpoints of the kinds given.
	Endpoints(ctx context.Context, workspaceID int64, kinds ...Kind) ([]Endpoint, error)
	Endpoint(ctx context.Context, workspaceID, id int64) (*Endpoint, error)
	// ChannelByToken finds a live channel by its inbound token's hash.
	ChannelByToken(ctx context.Context, tokenHash string) (*Endpoint, error)
	// DeleteEndpoint retires an endpoint: its pending deliveries are
	// skipped; a channel's token stops working.
	DeleteEndpoint(ctx context.Context, workspaceID, id int64, by chat.Who) error
	// PersonalAlerts is agentID's own alert settings, nil when they never
	// set any; SetPersonalAlerts replaces them (e.Events empty: off).
	PersonalAlerts(ctx context.Context, workspaceID, agentID int64) (*Endpoint, error)
	SetPersonalAlerts(ctx context.Context, e *Endpoint) error
	// Deliveries lists an endpoint's deliveries, newest first.
	Deliveries(ctx context.Context, workspaceID, endpointID int64, f DeliveryFilter) ([]Delivery, error)
	// Redeliver makes one delivery of the endpoint pending and due now;
	// RedeliverFailed every failed one, reporting how many.
	Redeliver(ctx context.Context, workspaceID, endpointID, deliveryID int64, by chat.Who) (Delivery, error)
	RedeliverFailed(ctx context.Context, workspaceID, endpointID int64, by chat.Who) (int, error)
	// ClaimDeliveries leases up to limit due deliveries to node.
	ClaimDeliveries(ctx context.Context, node string, now time.Time, lease time.Duration, limit int) ([]Delivery, error)
	// FinishDeliveries records attempts node made, except on deliveries
	// claimed again since (a lease that ran out).
	FinishDeliveries(ctx context.Context, node string, outcomes []Outcome) error
	// EnqueueWaiting writes the waiting alerts of a conversation that is
	// still unassigned after each target's wait; it returns when the next
	// target's wait ends (zero: none left).
	EnqueueWaiting(ctx context.Context, workspaceID, conversationID int64) (time.Time, error)
	// PendingDeliveries counts what is still to be delivered, by workspace.
	PendingDeliveries(ctx context.Context) (map[int64]int, error)
	// ExpireDeliveries fails up to limit of an endpoint's pending
	// deliveries written before before and never attempted since (its
	// receiver was down), with reason as their last error; it reports how
	// many.
	ExpireDeliveries(ctx context.Context, endpointID int64, before, now time.Time, reason string, limit int) (int, error)
	// PruneDeliveries deletes up to limit settled deliveries (delivered,
	// failed, skipped) that settled before before; it reports how many.
	PruneDeliveries(ctx context.Context, before time.Time, limit int) (int, error)
	// StoredEvent is one event of the log as stored (masking included);
	// StoredEvents several of one workspace's, by sequence.
	StoredEvent(ctx context.Context, workspaceID, seq int64) ([]byte, error)
	StoredEvents(ctx context.Context, workspaceID int64, seqs []int64) (map[int64][]byte, error)
	// ChannelCustomer finds or creates the customer identifier of a
	// channel's messenger user, filling empty profile fields; a blocked
	// user is refused (chat.ErrCustomerBlocked) with nothing written.
	ChannelCustomer(ctx context.Context, ch Endpoint, externalUserID string, p ChannelProfile) (*chat.Customer, error)
	// ChannelUserOf is the messenger account behind customerID, if any.
	ChannelUserOf(ctx context.Context, workspaceID, customerID int64) (*ChannelUser, error)
	// ChannelRetry finds the message a messenger user (customerID: their
	// identifier) sent under clientMsgID in any of their conversations — a
	// bridge's retry of a message stored before its conversation closed —
	// and reports whether there is one.
	ChannelRetry(ctx context.Context, workspaceID, customerID int64, clientMsgID string) (conversationID, messageID int64, found bool, err error)
}

// Facts is what Deliverable needs to know beyond the event, looked up by
// the store in the same transaction.
type Facts struct {
	// ChannelID is the channel the event's conversation came through (0:
	// the web).
	ChannelID int64
	// AssigneeAway: the conversation's new assignee is away.
	AssigneeAway bool
}

// Deliverable is the one filter every outbound event passes: it decides
// whether endpoint e receives ev, and as which type ("" for not at all).
//
// Internal (agent-only) messages — system notes now, agents' internal
// notes with §2.7 — never reach a channel (the customer's messenger) nor
// an endpoint that did not ask for internal events.
func Deliverable(e Endpoint, ev chat.Event, f Facts) string {
	typ := string(ev.Type)
	// An internal note's @mention alerts the agent it mentions, by their
	// own email when they asked for it — never the author mentioning
	// themselves, never anyone else.
	if ev.Type == chat.EventMessageCreated && e.Kind == KindEmail && e.AgentID != 0 && ev.Message.Mentioned(e.AgentID) {
		if e.Wants(AlertMention) && ev.Conversation != nil &&
			!(ev.Message.SenderType == chat.SenderAgent && ev.Message.SenderID == e.AgentID) {
			return AlertMention
		}
		return ""
	}
	if ev.Message != nil && !chat.VisitorMaySeeMessage(ev.Message) && (!e.Internal || e.Kind == KindChannel) {
		return "" // the customer's rule (chat.VisitorMaySeeMessage) for what is not asked for
	}
	if ev.TicketReply != nil && ev.TicketReply.Internal && (!e.Internal || e.Kind == KindChannel) {
		return "" // a ticket's internal comment, likewise
	}
	switch e.Kind {
	case KindWebhook:
		if e.Wants(typ) {
			return typ
		}
	case KindChannel:
		if f.ChannelID == e.ID && ev.Conversation != nil && toldOnMessenger(ev) {
			return typ
		}
	case KindSlack, KindJandi, KindEmail:
		switch {
		case ev.Queued && ev.Conversation != nil && e.Wants(AlertNewChat):
			return AlertNewChat
		case ev.Type == chat.EventTicketCreated && ev.Ticket != nil && ev.Ticket.CreatedBy == 0 && e.Wants(AlertTicket):
			return AlertTicket // a left message: not a ticket an agent made
		case (ev.Type == chat.EventConversationAssigned || ev.Type == chat.EventConversationTransferred) &&
			f.AssigneeAway && e.Wants(AlertAssignedAway) && ev.Conversation != nil &&
			(e.AgentID == 0 || e.AgentID == ev.Conversation.AssigneeID):
			return AlertAssignedAway
		}
	}
	return ""
}

// Backoff is the retry policy: the first retry after First, doubling up
// to Max between tries, with jitter; a delivery still failing GiveUp
// after it was written is marked failed.
type Backoff struct {
	First, Max, GiveUp time.Duration
}

// Retention is how long settled deliveries are kept for masters to read.
const Retention = 30 * 24 * time.Hour

// DefaultBackoff is 1 s doubling to 10 minutes, for 24 hours.
var DefaultBackoff = Backoff{First: time.Second, Max: 10 * time.Minute, GiveUp: 24 * time.Hour}

// Delay is the wait, before jitter, after the attempts-th failed attempt
// (1-based) of a delivery whose receiver has been failing for failing:
// First doubling with each attempt, and never shorter than failing, up to
// Max. The second rule is the receiver's backoff: while it is down, its
// probe is each time another delivery — the oldest due, never attempted
// — so the probes double (1, 1, 2, 4, 8 s…) with the outage instead of
// coming every First; and a receiver that fails once while it is up
// waits First, however long the delivery had waited.
func (b Backoff) Delay(attempts int, failing time.Duration) time.Duration {
	d := b.First
	for i := 1; i < attempts && d < b.Max; i++ {
		d *= 2
	}
	return min(max(d, failing), b.Max)
}

// Package event is the versioned form of Sodam's events: what the event
// log stores, what the bus carries between nodes, and what WebSocket
// clients (and integrations) receive. Its types are separate from the
// domain's on purpose: chat.Conversation and the others may be renamed
// and reshaped freely, while the bytes already stored, and what a receiver
// parses, stay the same.
//
// The versioning rule: a version's JSON layout never changes. A field may
// be added to the current version when old readers can ignore it and new
// readers can live without it (absent means its zero value); anything else
// — a rename, a removal, a change of meaning — is a new version, and
// Decode keeps reading every older one. Payloads stored before versions
// existed have no "v" and are version 1: version 1 is exactly the layout
// they were written in.
package event

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	"github.com/sodam-chat/sodam/internal/chat"
)

// Version is the version Encode writes.
const Version = 1

// Envelope is one event, version 1.
type Envelope struct {
	Version      int           `json:"v"`
	WorkspaceID  int64         `json:"workspace_id"`
	Seq          int64         `json:"seq"`
	Type         string        `json:"type"`
	Conversation *Conversation `json:"conversation,omitempty"`
	Message      *Message      `json:"message,omitempty"`
	// Member is set on agent.status events.
	Member *Member `json:"member,omitempty"`
	// Ticket is set on ticket.* events.
	Ticket *Ticket `json:"ticket,omitempty"`
	// TicketReply is set on ticket.replied and ticket.delivery events
	// (added in version 1 with the ticket thread).
	TicketReply *TicketReply `json:"ticket_reply,omitempty"`
	// Customer is set on customer.updated events.
	Customer *Customer `json:"customer,omitempty"`
	// Archived is set on the workspace.updated event of an archive.
	Archived bool `json:"archived,omitempty"`
	// OperationStopped is set on the workspace.updated event of a save
	// that stopped (true) or resumed (false) operation.
	OperationStopped *bool `json:"operation_stopped,omitempty"`
	// PrevAssigneeID and PrevState describe the conversation before the
	// change, so a reader can tell that it left someone's view.
	PrevAssigneeID int64     `json:"prev_assignee_id,omitempty"`
	PrevState      string    `json:"prev_state,omitempty"`
	CreatedAt      time.Time `json:"created_at"`
}

// Conversation is a conversation as events carry it.
type Conversation struct {
	ID                int64      `json:"id"`
	WorkspaceID       int64      `json:"workspace_id"`
	RoomNo            int64      `json:"room_no"`
	CustomerID        int64      `json:"customer_id"`
	Channel           string     `json:"channel"`
	State             string     `json:"state"`
	AssigneeID        int64      `json:"assignee_id"`
	AssigneeName      string     `json:"assignee_name"`
	CustomerName      string     `json:"customer_name"`
	Identifier        string     `json:"identifier"`
	CloseReason       string     `json:"close_reason,omitempty"`
	Important         bool       `json:"important"`
	OnHold            bool       `json:"on_hold"`
	AgentPath         []PathStep `json:"agent_path"`
	CustomerLeftAt    *time.Time `json:"customer_left_at,omitempty"`
	FirstReplyAt      *time.Time `json:"first_reply_at,omitempty"`
	LastSeq           int64      `json:"last_seq"`
	LastMessage       string     `json:"last_message"`
	LastMessageAt     time.Time  `json:"last_message_at"`
	CreatedAt         time.Time  `json:"created_at"`
	ClosedAt          *time.Time `json:"closed_at,omitempty"`
	Processed         bool       `json:"processed"`
	CategoryID        int64      `json:"category_id"`
	CategoryPath      []string   `json:"category_path"`
	Memo              string     `json:"memo"`
	Tags              []Tag      `json:"tags,omitempty"`
	Rating            *Rating    `json:"rating,omitempty"`
	RatingRequestedAt *time.Time `json:"rating_requested_at,omitempty"`
	QueuePosition     int        `json:"queue_position,omitempty"`
	// Added in issue 14 (read receipts); absent in older events.
	AgentReadSeq   int64 `json:"agent_read_seq,omitempty"`
	VisitorReadSeq int64 `json:"visitor_read_seq,omitempty"`
	// Added with the queue's order by entry (migration 0025); absent in
	// older events and for a conversation that never queued.
	QueuedAt *time.Time `json:"queued_at,omitempty"`
	// Added with the robot's refusals shown (migration 0037): when the
	// visitor first asked the robot for a person while nobody could chat;
	// absent in older events and when never.
	AgentRefusedAt *time.Time `json:"agent_refused_at,omitempty"`
}

// PathStep is one holder in a conversation's agent path.
type PathStep struct {
	AgentID int64  `json:"agent_id"`
	Name    string `json:"name"`
}

// Tag is a customer or conversation tag.
type Tag struct {
	ID   int64  `json:"id"`
	Kind string `json:"kind"`
	Name string `json:"name"`
}

// Rating is a customer's rating of a conversation.
type Rating struct {
	Score     int       `json:"score"`
	Comment   string    `json:"comment"`
	CreatedAt time.Time `json:"created_at"`
}

// Message is a message as events carry it.
type Message struct {
	ID             int64             `json:"id"`
	WorkspaceID    int64             `json:"workspace_id"`
	ConversationID int64             `json:"conversation_id"`
	Seq            int64             `json:"seq"`
	SenderType     string            `json:"sender_type"`
	SenderID       int64             `json:"sender_id,omitempty"`
	SenderName     string            `json:"sender_name,omitempty"`
	ClientMsgID    string            `json:"client_msg_id"`
	Kind           string            `json:"kind"`
	Body           string            `json:"body"`
	Meta           map[string]string `json:"meta,omitempty"`
	Attachment     *Attachment       `json:"attachment,omitempty"`
	Internal       bool              `json:"internal,omitempty"`
	CreatedAt      time.Time         `json:"created_at"`
	// Added in version 1 with masking (absent: nothing masked). Body
	// already shows '*' in these spans: events carry masked text only.
	Masks []Mask `json:"masks,omitempty"`
	// Mentions: added in issue 14, the agents an internal note mentions.
	Mentions []int64 `json:"mentions,omitempty"`
}

// Mask is a masked span of a message's body, in code points.
type Mask struct {
	Start int    `json:"start"`
	End   int    `json:"end"`
	Kind  string `json:"kind"`
}

// Attachment describes a file message's file. Its links are filled in for
// whoever is shown the event and are empty in the log.
type Attachment struct {
	ID             int64     `json:"id"`
	ConversationID int64     `json:"conversation_id"`
	MessageID      int64     `json:"message_id"`
	Name           string    `json:"name"`
	Size           int64     `json:"size"`
	ContentType    string    `json:"content_type"`
	Kind           string    `json:"kind"`
	Width          int       `json:"width,omitempty"`
	Height         int       `json:"height,omitempty"`
	Thumbnail      bool      `json:"thumbnail"`
	URL            string    `json:"url,omitempty"`
	ThumbnailURL   string    `json:"thumbnail_url,omitempty"`
	CreatedAt      time.Time `json:"created_at"`
}

// Member is an agent's membership as agent.status events carry it.
type Member struct {
	WorkspaceID int64  `json:"workspace_id"`
	AgentID     int64  `json:"agent_id"`
	Role        string `json:"role"`
	Status      string `json:"status"`
	Capacity    *int   `json:"capacity"`
	// Inactive marks a deactivated member (absent: active, as every member
	// was before deactivation existed).
	Inactive bool   `json:"inactive,omitempty"`
	Name     string `json:"name"`
	Email    string `json:"email"`
}

// Ticket is a ticket as ticket.* events carry it.
type Ticket struct {
	ID          int64      `json:"id"`
	WorkspaceID int64      `json:"workspace_id"`
	CustomerID  int64      `json:"customer_id,omitempty"`
	Name        string     `json:"name"`
	Contact     string     `json:"contact"`
	Message     string     `json:"message"`
	Status      string     `json:"status"`
	AssigneeID  int64      `json:"assignee_id,omitempty"`
	Note        string     `json:"note"`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
	SolvedAt    *time.Time `json:"solved_at,omitempty"`
	// Added in version 1 with the ticket thread (absent: a left message
	// as it was before: channel web, priority normal, no tags).
	ConversationID int64      `json:"conversation_id,omitempty"`
	Channel        string     `json:"channel,omitempty"`
	Subject        string     `json:"subject,omitempty"`
	Priority       string     `json:"priority,omitempty"`
	CreatedBy      int64      `json:"created_by,omitempty"`
	DueAt          *time.Time `json:"due_at,omitempty"`
	Tags           []string   `json:"tags,omitempty"`
	Replies        int        `json:"replies,omitempty"`
	ActivityAt     *time.Time `json:"activity_at,omitempty"`
	// Masks: added with automatic masking of left messages (absent:
	// nothing masked). Message already shows '*' in these spans.
	Masks []Mask `json:"masks,omitempty"`
}

// TicketReply is a reply or internal comment in a ticket's thread, as
// ticket.replied and ticket.delivery events carry it.
type TicketReply struct {
	ID               int64      `json:"id"`
	WorkspaceID      int64      `json:"workspace_id"`
	TicketID         int64      `json:"ticket_id"`
	AuthorID         int64      `json:"author_id"`
	Internal         bool       `json:"internal"`
	Body             string     `json:"body"`
	CreatedAt        time.Time  `json:"created_at"`
	ClientID         string     `json:"client_id,omitempty"`
	Delivery         string     `json:"delivery,omitempty"`
	DeliveryTo       string     `json:"delivery_to,omitempty"`
	DeliveryAttempts int        `json:"delivery_attempts,omitempty"`
	DeliveryError    string     `json:"delivery_error,omitempty"`
	DeliveredAt      *time.Time `json:"delivered_at,omitempty"`
}

// Customer is a customer identifier with its profile, as
// customer.updated events carry it.
type Customer struct {
	ID            int64             `json:"id"`
	WorkspaceID   int64             `json:"workspace_id"`
	ExternalID    string            `json:"external_id"`
	Identifier    string            `json:"identifier"`
	Verified      bool              `json:"verified"`
	ProfileID     int64             `json:"profile_id"`
	CustomerID    string            `json:"customer_id"`
	Name          string            `json:"name"`
	Nickname      string            `json:"nickname"`
	Phone         string            `json:"phone"`
	VerifiedPhone string            `json:"verified_phone"`
	Email         string            `json:"email"`
	BirthDate     string            `json:"birth_date"`
	Address       string            `json:"address"`
	Note          string            `json:"note"`
	Extra         map[string]string `json:"extra"`
	Age           *int              `json:"age,omitempty"`
	Language      string            `json:"language"`
	IP            string            `json:"ip"`
	Device        string            `json:"device"`
	Tags          []Tag             `json:"tags"`
	Identifiers   int               `json:"identifiers"`
	CreatedAt     time.Time         `json:"created_at"`
	BlockedAt     *time.Time        `json:"blocked_at,omitempty"`
	BlockReason   string            `json:"block_reason,omitempty"`
	BlockNote     string            `json:"block_note,omitempty"`
	// Added in version 1 with consent (absent: never recorded).
	ConsentAt      *time.Time `json:"consent_at,omitempty"`
	ConsentVersion string     `json:"consent_version,omitempty"`
}

// Encode is the stored (and published) form of ev: its envelope in JSON.
func Encode(ev chat.Event) ([]byte, error) {
	return json.Marshal(FromDomain(ev))
}

// seqField is where Encode writes the sequence number: the envelope's
// third field, after two numbers, so nothing before it can contain it.
var seqField = []byte(`,"seq":`)

// EncodeParts is Encode(ev) in two parts around the sequence number, for
// a store that numbers events as it inserts them: Encode of ev numbered n
// is head, n in decimal, and tail.
func EncodeParts(ev chat.Event) (head, tail []byte, err error) {
	ev.Seq = 0
	b, err := Encode(ev)
	if err != nil {
		return nil, nil, err
	}
	i := bytes.Index(b, seqField)
	if i < 0 {
		return nil, nil, fmt.Errorf("event: no seq in %.40q", b)
	}
	i += len(seqField)
	// The 0 between them left out; head's capacity ends with it, so that
	// appending the number to head cannot write over tail.
	return b[:i:i], b[i+1:], nil
}

// Decode reads an encoded event of any known version.
func Decode(data []byte) (chat.Event, error) {
	var e Envelope
	if err := json.Unmarshal(data, &e); err != nil {
		return chat.Event{}, err
	}
	switch e.Version {
	case 0, 1: // 0: stored before events had versions, in version 1's layout
		return e.Domain(), nil
	default:
		return chat.Event{}, fmt.Errorf("event version %d is newer than this node's %d", e.Version, Version)
	}
}

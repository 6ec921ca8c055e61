package chat

import (
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/sodam-chat/sodam/internal/pii"
)

// Limits on a ticket's fields.
const (
	MaxTicketSubject = 200
	MaxTicketTags    = 10
	MaxTicketTag     = 30
	MaxTicketNote    = 2000
)

// CheckTicket validates a left message: a name, a contact (email or phone)
// and the message (§7.1).
func CheckTicket(t Ticket) error {
	switch {
	case strings.TrimSpace(t.Name) == "" || utf8.RuneCountInString(t.Name) > 100:
		return Errorf(ErrInvalid, "name is required, at most 100 characters").About("name")
	case strings.ContainsFunc(strings.TrimSpace(t.Name), IsControlOrBidi):
		return Errorf(ErrInvalid, "name must be one line, without control characters").About("name")
	case strings.TrimSpace(t.Contact) == "" || utf8.RuneCountInString(t.Contact) > 200:
		return Errorf(ErrInvalid, "contact (an email or a phone number) is required, at most 200 characters").About("contact")
	case !IsContact(t.Contact):
		return Errorf(ErrInvalid, "contact must be an email address or a phone number").About("contact")
	case strings.TrimSpace(t.Message) == "":
		return Errorf(ErrEmptyMessage, "the message is empty")
	case utf8.RuneCountInString(t.Message) > MaxMessageLength:
		return Errorf(ErrMessageTooLong, "the message is longer than %d characters", MaxMessageLength)
	}
	return nil
}

// CheckAgentTicket validates a ticket an agent opens (§7.2): a subject;
// the description, name and contact are optional (a ticket made from a
// chat takes them from the customer), but a contact given must be one.
func CheckAgentTicket(t Ticket) error {
	switch {
	case strings.TrimSpace(t.Subject) == "" || utf8.RuneCountInString(t.Subject) > MaxTicketSubject:
		return Errorf(ErrInvalid, "subject is required, at most %d characters", MaxTicketSubject)
	case strings.ContainsFunc(strings.TrimSpace(t.Subject), IsControlOrBidi):
		return Errorf(ErrInvalid, "subject must be one line, without control or bidirectional formatting characters (it becomes the email's subject)")
	case utf8.RuneCountInString(t.Message) > MaxMessageLength:
		return Errorf(ErrMessageTooLong, "the body is longer than %d characters", MaxMessageLength)
	case utf8.RuneCountInString(t.Name) > 100 || strings.ContainsFunc(strings.TrimSpace(t.Name), IsControlOrBidi):
		return Errorf(ErrInvalid, "name must be at most 100 characters, on one line")
	case !optionalContact(t.Contact):
		return Errorf(ErrInvalid, "contact must be an email address or a phone number")
	case !t.Priority.Valid():
		return Errorf(ErrInvalid, "priority must be low, normal, high or urgent")
	case t.AssigneeID < 0:
		return Errorf(ErrInvalid, "assignee_id must be an agent's ID, or 0 for nobody")
	}
	return checkTags(t.Tags)
}

// optionalContact accepts what an agent may give as a ticket's contact:
// none, or a contact (IsContact) of at most 200 characters.
func optionalContact(s string) bool {
	return utf8.RuneCountInString(s) <= 200 && (strings.TrimSpace(s) == "" || IsContact(s))
}

// IsContact accepts an email address or a phone number (IsPhone): what a
// ticket's contact must be.
func IsContact(s string) bool {
	return IsEmail(strings.TrimSpace(s)) || IsPhone(s)
}

// IsPhone accepts a phone number: 7–20 digits with the usual separators
// ("02-123-4567", "+82 10 1234 5678", "1588-1234"), so that neither a word
// nor a fragment such as "1588" passes for one.
func IsPhone(s string) bool {
	s = strings.TrimSpace(s)
	digits := 0
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case strings.ContainsRune("+-() .", r):
		default:
			return false
		}
	}
	return digits >= 7 && digits <= 20
}

// IsEmail reports whether a ticket's contact is an email address (else it
// is a phone number): what decides whether a reply can be emailed. It is
// one bare address (RFC 5322, as the mailer parses it) with a dot in its
// domain: no display name, no second address, no line break.
func IsEmail(s string) bool {
	s = strings.TrimSpace(s)
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s {
		return false
	}
	at := strings.LastIndexByte(s, '@')
	return at > 0 && at < len(s)-1 && strings.Contains(s[at:], ".")
}

// NormalizeTags trims, NFC-normalizes and deduplicates ticket tags, keeping
// their order, and checks their number and length.
func NormalizeTags(tags []string) ([]string, error) {
	out := make([]string, 0, len(tags))
	seen := map[string]bool{}
	for _, tag := range tags {
		tag = norm.NFC.String(strings.TrimSpace(tag))
		if tag == "" || seen[tag] {
			continue
		}
		seen[tag] = true
		out = append(out, tag)
	}
	return out, checkTags(out)
}

func checkTags(tags []string) error {
	if len(tags) > MaxTicketTags {
		return Errorf(ErrInvalid, "a ticket has at most %d tags", MaxTicketTags)
	}
	for _, tag := range tags {
		if strings.TrimSpace(tag) == "" || utf8.RuneCountInString(tag) > MaxTicketTag || strings.ContainsRune(tag, ',') ||
			strings.ContainsFunc(tag, IsControlOrBidi) {
			return Errorf(ErrInvalid, "a tag is 1 to %d characters on one line, without commas or control or bidirectional formatting characters", MaxTicketTag)
		}
	}
	return nil
}

// ApplyTicketPatch validates p and applies it to t at now.
func ApplyTicketPatch(t *Ticket, p TicketPatch, now time.Time) error {
	switch {
	case p.Status != nil && !p.Status.Valid():
		return Errorf(ErrInvalid, "status must be open, pending or solved")
	case p.Priority != nil && !p.Priority.Valid():
		return Errorf(ErrInvalid, "priority must be low, normal, high or urgent")
	case p.Note != nil && utf8.RuneCountInString(*p.Note) > MaxTicketNote:
		return Errorf(ErrInvalid, "the note must be at most %d characters", MaxTicketNote)
	case p.AssigneeID != nil && *p.AssigneeID < 0:
		return Errorf(ErrInvalid, "assignee_id must be an agent's ID, or 0 for nobody")
	case p.Subject != nil && (strings.TrimSpace(*p.Subject) == "" || utf8.RuneCountInString(*p.Subject) > MaxTicketSubject):
		return Errorf(ErrInvalid, "subject must be 1 to %d characters", MaxTicketSubject)
	case p.Subject != nil && strings.ContainsFunc(strings.TrimSpace(*p.Subject), IsControlOrBidi):
		return Errorf(ErrInvalid, "subject must be one line, without control or bidirectional formatting characters (it becomes the email's subject)")
	case p.Contact != nil && !optionalContact(*p.Contact):
		return Errorf(ErrInvalid, "contact must be an email address or a phone number, or empty for none")
	}
	var tags []string
	if p.Tags != nil {
		var err error
		if tags, err = NormalizeTags(*p.Tags); err != nil {
			return err
		}
	}
	if p.Unchanged != nil && !p.Unchanged.Equal(t.UpdatedAt) {
		return Errorf(ErrConflict, "the ticket was changed by someone else since you read it (updated_at %s): read it again and redo your change",
			t.UpdatedAt.UTC().Format(time.RFC3339Nano))
	}
	if p.Tags != nil {
		t.Tags = tags
	}
	if p.Status != nil && *p.Status != t.Status {
		t.Status = *p.Status
		t.SolvedAt = nil
		if t.Status == TicketSolved {
			t.SolvedAt = &now
		}
	}
	if p.Priority != nil {
		t.Priority = *p.Priority
	}
	if p.AssigneeID != nil {
		t.AssigneeID = *p.AssigneeID
	}
	if p.Note != nil {
		t.Note = *p.Note
	}
	if p.Subject != nil {
		t.Subject = strings.TrimSpace(*p.Subject)
	}
	if p.Contact != nil {
		t.Contact = strings.TrimSpace(*p.Contact)
	}
	if p.DueAt != nil {
		t.DueAt = nil
		if !p.DueAt.IsZero() {
			// To the microsecond, as it is stored: the answer and the
			// ticket.updated event say what a later read says.
			due := p.DueAt.UTC().Truncate(time.Microsecond)
			t.DueAt = &due
		}
	}
	t.UpdatedAt = now
	return nil
}

// ReplyDelivery decides what becomes of a reply to t: an internal comment
// is never sent; a public reply is emailed when the ticket's contact is an
// email address and SMTP is configured, and otherwise says why it was not.
func ReplyDelivery(t Ticket, internal, smtp bool) DeliveryState {
	switch {
	case internal:
		return DeliveryNone
	case !IsEmail(t.Contact):
		return DeliveryNoEmail
	case !smtp:
		return DeliveryNoSMTP
	}
	return DeliveryQueued
}

// CheckReply validates a reply's body.
func CheckReply(body string) error {
	switch {
	case strings.TrimSpace(body) == "":
		return Errorf(ErrEmptyMessage, "the reply is empty")
	case utf8.RuneCountInString(body) > MaxMessageLength:
		return Errorf(ErrMessageTooLong, "the reply is longer than %d characters", MaxMessageLength)
	}
	return nil
}

// Ticket is a left message, or a ticket an agent opened, in the To check
// list (§7).
type Ticket struct {
	ID          int64 `json:"id"`
	WorkspaceID int64 `json:"workspace_id"`
	// CustomerID is the visitor who left it, or the linked chat's customer.
	CustomerID int64 `json:"customer_id,omitempty"`
	// ConversationID is the chat the ticket was made from (channel chat).
	ConversationID int64         `json:"conversation_id,omitempty"`
	Channel        TicketChannel `json:"channel"`
	// Subject is what the agent called it; a left message has none (the
	// list shows the start of its message).
	Subject string `json:"subject"`
	Name    string `json:"name"`
	Contact string `json:"contact"`
	Message string `json:"message"`
	// Masks are the spans of Message hidden as '*' (§11): automatic
	// masking of a left message, in code points.
	Masks      []pii.Span     `json:"masks,omitempty"`
	Status     TicketStatus   `json:"status"`
	Priority   TicketPriority `json:"priority"`
	AssigneeID int64          `json:"assignee_id,omitempty"`
	// CreatedBy is the agent who opened it (0: the customer left it).
	CreatedBy int64      `json:"created_by,omitempty"`
	DueAt     *time.Time `json:"due_at,omitempty"`
	Tags      []string   `json:"tags"`
	// Note is what the agent wrote when processing it.
	Note string `json:"note"`
	// Replies counts the thread's replies and comments.
	Replies   int       `json:"replies"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	// ActivityAt is the last time something was added to the thread (its
	// creation, a reply or a comment): what unread markers compare with.
	ActivityAt time.Time  `json:"activity_at"`
	SolvedAt   *time.Time `json:"solved_at,omitempty"`
}

// TicketItem is a ticket as one agent's list shows it.
type TicketItem struct {
	Ticket
	// Unread: something was added to the thread since the agent last
	// opened the ticket (or they never did), by someone else.
	Unread bool `json:"unread"`
}

// TicketStatus is where a ticket stands.
type TicketStatus string

// Ticket statuses: open (to do), pending (waiting for the customer or
// someone else), solved.
const (
	TicketOpen    TicketStatus = "open"
	TicketPending TicketStatus = "pending"
	TicketSolved  TicketStatus = "solved"
)

// Valid reports whether s is a known ticket status.
func (s TicketStatus) Valid() bool { return s == TicketOpen || s == TicketPending || s == TicketSolved }

// TicketPriority is how urgent a ticket is.
type TicketPriority string

// Ticket priorities.
const (
	PriorityLow    TicketPriority = "low"
	PriorityNormal TicketPriority = "normal"
	PriorityHigh   TicketPriority = "high"
	PriorityUrgent TicketPriority = "urgent"
)

// Valid reports whether p is a known priority.
func (p TicketPriority) Valid() bool {
	return p == PriorityLow || p == PriorityNormal || p == PriorityHigh || p == PriorityUrgent
}

// TicketChannel is where a ticket came from.
type TicketChannel string

// Ticket channels: web, a message left in the widget; chat, made by an
// agent from a conversation (or from nothing: a phone call).
const (
	TicketWeb  TicketChannel = "web"
	TicketChat TicketChannel = "chat"
)

// Valid reports whether c is a known ticket channel.
func (c TicketChannel) Valid() bool { return c == TicketWeb || c == TicketChat }

// ReplyPage is how many of a thread's replies one read answers: a ticket
// shows its last ones, and those before them a page at a time.
const ReplyPage = 100

// TicketReply is one entry of a ticket's thread: a public reply to the
// customer or an internal comment among agents.
type TicketReply struct {
	ID          int64     `json:"id"`
	WorkspaceID int64     `json:"workspace_id"`
	TicketID    int64     `json:"ticket_id"`
	AuthorID    int64     `json:"author_id"`
	Internal    bool      `json:"internal"`
	Body        string    `json:"body"`
	CreatedAt   time.Time `json:"created_at"`
	// ClientID is the client's idempotency key, when it gave one: the
	// same key on the same ticket answers the reply stored the first time.
	ClientID string `json:"client_id,omitempty"`
	// Delivery is what became of a public reply's email.
	Delivery DeliveryState `json:"delivery"`
	// DeliveryTo is the address it was (or is being) sent to.
	DeliveryTo       string     `json:"delivery_to,omitempty"`
	DeliveryAttempts int        `json:"delivery_attempts,omitempty"`
	DeliveryError    string     `json:"delivery_error,omitempty"`
	DeliveredAt      *time.Time `json:"delivered_at,omitempty"`
}

// DeliveryState is where a public reply's email stands.
type DeliveryState string

// Delivery states. Queued and retrying end in sent or failed; the others
// are final from the start.
const (
	DeliveryNone     DeliveryState = ""         // an internal comment
	DeliveryQueued   DeliveryState = "queued"   // waiting for its first attempt
	DeliveryRetrying DeliveryState = "retrying" // an attempt failed; another is due
	DeliverySent     DeliveryState = "sent"
	DeliveryFailed   DeliveryState = "failed"   // every attempt failed
	DeliveryNoSMTP   DeliveryState = "no_smtp"  // SMTP is not configured: not sent
	DeliveryNoEmail  DeliveryState = "no_email" // the contact is a phone number
)

// Pending reports whether an email is still to be attempted.
func (d DeliveryState) Pending() bool { return d == DeliveryQueued || d == DeliveryRetrying }

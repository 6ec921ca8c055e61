package chat

import (
	"github.com/sodam-chat/sodam/internal/pii"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// SenderType says who wrote a message.
type SenderType string

// Sender types.
const (
	SenderVisitor SenderType = "visitor"
	SenderAgent   SenderType = "agent"
	SenderSystem  SenderType = "system"
)

// MaxMessageLength is the longest text message, in characters (§2.7).
const MaxMessageLength = 10000

// MaxMessagePage is the most messages one read of a transcript answers
// (the API's ?limit=); MessageRows, one more, is the most the store reads
// at once: a page and the message that says another follows.
const (
	MaxMessagePage = 1000
	MessageRows    = MaxMessagePage + 1
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
	// Masks are the spans of Body hidden as '*' (§11), in code points.
	Masks []pii.Span `json:"masks,omitempty"`
	// Internal messages are for agents only: system events for agents and
	// the agents' internal notes (a text message with Internal set).
	Internal bool `json:"internal,omitempty"`
	// Mentions are the agents an internal note mentions (@name).
	Mentions  []int64   `json:"mentions,omitempty"`
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
	// SystemReturned: the conversation went back to the queue because its
	// agent was deactivated (Meta["agent"]); agents only.
	SystemReturned = "returned"
	// SystemGreeting carries the workspace's greeting in Meta["text"].
	SystemGreeting = "greeting"
	// SystemRatingRequested asks the customer to rate; Meta["text"] is the
	// workspace's wording, empty for the catalog's.
	SystemRatingRequested = "rating_requested"
	// SystemRated records the customer's rating (Meta score and comment).
	SystemRated = "rated"
)

// IsEndCommand reports whether a visitor's text is the end-chat command
// (§1.1): "!종료" or "!end", ignoring surrounding space and letter case.
func IsEndCommand(text string) bool {
	t := strings.TrimSpace(text)
	return t == "!종료" || strings.EqualFold(t, "!end")
}

// IsControlOrBidi reports whether r has no place in a one-line name: a
// control character (a line break among them), or a bidirectional
// formatting character, which reorders what follows it on screen (U+202E
// shows "gpj.exe" as "exe.jpg"). Names and titles refuse them; messages
// and notes, where mixed scripts may need them, do not.
func IsControlOrBidi(r rune) bool { return unicode.IsControl(r) || IsBidi(r) }

// IsBidi reports a bidirectional formatting (text-direction) character.
func IsBidi(r rune) bool { return unicode.Is(unicode.Bidi_Control, r) }

// CheckText validates a text message body.
func CheckText(body string) error {
	if strings.TrimSpace(body) == "" {
		return Errorf(ErrEmptyMessage, "the message is empty")
	}
	if !utf8.ValidString(body) {
		return Errorf(ErrInvalid, "the message is not valid UTF-8")
	}
	if n := utf8.RuneCountInString(body); n > MaxMessageLength {
		return Errorf(ErrMessageTooLong, "the message has %d characters; the limit is %d", n, MaxMessageLength)
	}
	return nil
}

// CheckClientMsgID validates the client's idempotency key.
func CheckClientMsgID(id string) error {
	if id == "" || len(id) > 64 {
		return Errorf(ErrInvalid, "client_msg_id must be 1 to 64 characters")
	}
	if strings.HasPrefix(id, "sys-") {
		return Errorf(ErrInvalid, "client_msg_id may not start with sys-, which system messages use")
	}
	for _, r := range id {
		if r < 0x21 || r > 0x7e {
			return Errorf(ErrInvalid, "client_msg_id must be printable ASCII")
		}
	}
	return nil
}

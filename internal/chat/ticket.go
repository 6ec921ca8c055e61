package chat

import (
	"strings"
	"time"
	"unicode/utf8"
)

// CheckTicket validates a left message: a name, a contact (email or phone)
// and the message (§7.1).
func CheckTicket(t Ticket) error {
	switch {
	case strings.TrimSpace(t.Name) == "" || utf8.RuneCountInString(t.Name) > 100:
		return Errorf(ErrInvalid, "name is required, at most 100 characters")
	case strings.TrimSpace(t.Contact) == "" || utf8.RuneCountInString(t.Contact) > 200:
		return Errorf(ErrInvalid, "contact (an email or a phone number) is required, at most 200 characters")
	case !looksLikeContact(t.Contact):
		return Errorf(ErrInvalid, "contact must be an email address or a phone number")
	case strings.TrimSpace(t.Message) == "":
		return Errorf(ErrEmptyMessage, "the message is empty")
	case utf8.RuneCountInString(t.Message) > MaxMessageLength:
		return Errorf(ErrMessageTooLong, "the message is longer than %d characters", MaxMessageLength)
	}
	return nil
}

// looksLikeContact accepts an email address or a phone number of 7–20
// digits with the usual separators.
func looksLikeContact(s string) bool {
	s = strings.TrimSpace(s)
	if at := strings.IndexByte(s, '@'); at > 0 && at < len(s)-1 && !strings.ContainsAny(s, " \t") {
		return strings.Contains(s[at:], ".")
	}
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

// ApplyTicketPatch validates p and applies it to t at now.
func ApplyTicketPatch(t *Ticket, p TicketPatch, now time.Time) error {
	if p.Status != nil && !p.Status.Valid() {
		return Errorf(ErrInvalid, "status must be open or solved")
	}
	if p.Note != nil && utf8.RuneCountInString(*p.Note) > 2000 {
		return Errorf(ErrInvalid, "the note must be at most 2000 characters")
	}
	if p.AssigneeID != nil && *p.AssigneeID < 0 {
		return Errorf(ErrInvalid, "assignee_id must be an agent's ID, or 0 for nobody")
	}
	if p.Status != nil && *p.Status != t.Status {
		t.Status = *p.Status
		t.SolvedAt = nil
		if t.Status == TicketSolved {
			t.SolvedAt = &now
		}
	}
	if p.AssigneeID != nil {
		t.AssigneeID = *p.AssigneeID
	}
	if p.Note != nil {
		t.Note = *p.Note
	}
	t.UpdatedAt = now
	return nil
}

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

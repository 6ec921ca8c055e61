package chat

import (
	"context"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Internal notes, mentions and read receipts (§2.7).

// EventConversationRead says how far the assigned agent or the visitor has
// read a conversation: its Conversation carries AgentReadSeq and
// VisitorReadSeq. Both sides receive it; that is the read receipt.
const EventConversationRead EventType = "conversation.read"

// notePrefixes turn a composer line into an internal note: "/note …" or,
// for Korean consoles, "/메모 …".
var notePrefixes = []string{"/note", "/메모"}

// NoteCommand reports whether an agent's text asks to be an internal note
// ("/note 환불 건은 내일 처리", "/메모 …") and returns the note's text
// without the prefix. The server applies it as well as the console, so a
// note typed with its prefix never reaches the customer, whichever client
// sent it.
func NoteCommand(body string) (string, bool) {
	t := strings.TrimLeftFunc(body, unicode.IsSpace)
	for _, p := range notePrefixes {
		if len(t) < len(p) || !strings.EqualFold(t[:len(p)], p) {
			continue
		}
		rest := t[len(p):]
		if rest == "" {
			return "", true
		}
		if r, _ := utf8.DecodeRuneInString(rest); unicode.IsSpace(r) {
			return strings.TrimLeftFunc(rest, unicode.IsSpace), true
		}
	}
	return body, false
}

// VisitorMaySeeMessage is the audience rule of a message: internal
// messages (agents' system events and internal notes) are for agents and
// managers only, never the visitor — live, replayed, in history or in a
// transcript. VisitorMaySee and every visitor read use it.
func VisitorMaySeeMessage(m *Message) bool {
	return m != nil && !m.Internal
}

// VisitorMeta is what of a message's Meta its visitor may see: of a
// transfer, whom they now talk to — its reason and the agent it came from
// are for agents. The widget and a messenger's bridge get the same.
func VisitorMeta(m *Message) map[string]string {
	if m.Kind == KindSystem && m.Body == SystemTransferred {
		return map[string]string{"to": m.Meta["to"]}
	}
	if len(m.Meta) == 0 {
		return nil
	}
	return m.Meta
}

// Mentioned reports whether the note m mentions agentID.
func (m *Message) Mentioned(agentID int64) bool {
	return m != nil && m.Internal && agentID != 0 && slices.Contains(m.Mentions, agentID)
}

// FindMentions returns the members an internal note mentions, in the order
// they are first mentioned: "@" followed by a member's name. The longest
// name that fits wins ("@김지원" over "@김지"), and letters may follow the
// name, since Korean attaches particles and honorifics to it ("@지원님",
// "@김지원에게"). "@" inside a word (an email address) is not a mention.
// Only active members can be mentioned.
func FindMentions(body string, members []Member) []int64 {
	var names []Member
	for _, m := range members {
		if m.Active && strings.TrimSpace(m.Name) != "" {
			names = append(names, m)
		}
	}
	slices.SortStableFunc(names, func(a, b Member) int { return len(b.Name) - len(a.Name) })
	var out []int64
	prev := ' '
	for i, r := range body {
		before := prev
		prev = r
		if r != '@' || !(unicode.IsSpace(before) || unicode.IsPunct(before) && before != '@' || i == 0) {
			continue
		}
		rest := body[i+1:]
		for _, m := range names {
			if len(rest) >= len(m.Name) && strings.EqualFold(rest[:len(m.Name)], m.Name) {
				if !slices.Contains(out, m.AgentID) {
					out = append(out, m.AgentID)
				}
				break
			}
		}
	}
	return out
}

// MayReadConversation extends CanSee with mentions: an agent mentioned in a
// conversation's note may open it, read it and answer with a note, though
// it is not theirs (a colleague asked for their help).
func MayReadConversation(c Conversation, agentID int64, role Role, mentioned bool) bool {
	return mentioned || CanSee(c, agentID, role)
}

// Following holds the conversations an agent's console follows because a
// note mentioned the agent there: beyond AgentMaySee, the agent then hears
// everything of those conversations, so the conversation they were asked
// to look at stays live on their screen. One per socket, used from the
// socket's one goroutine; it learns new mentions from the events it sees.
type Following map[int64]bool

// MaySee is AgentMaySee plus the followed conversations.
func (f Following) MaySee(ev Event, m Member) bool {
	if ev.Conversation != nil && ev.Message.Mentioned(m.AgentID) {
		f[ev.Conversation.ID] = true
	}
	return AgentMaySee(ev, m) || (ev.Conversation != nil && f[ev.Conversation.ID])
}

// ReadMarks are a conversation's two read marks (message sequence numbers).
type ReadMarks struct {
	ConversationID int64 `json:"conversation_id"`
	AgentReadSeq   int64 `json:"agent_read_seq"`
	VisitorReadSeq int64 `json:"visitor_read_seq"`
}

// ReadMark is a read receipt's decision: which mark a reader moves and
// whether it moves at all. The visitor moves VisitorReadSeq; of the agents
// only the assigned one moves AgentReadSeq, since the customer is told
// that the person answering has read — a manager looking in says nothing.
// A mark only moves forward; seq beyond the last message is refused.
func ReadMark(c Conversation, reader Actor, seq int64) (visitor bool, moved bool, err error) {
	if seq < 0 || seq > c.LastSeq {
		return false, false, Errorf(ErrInvalid, "seq must be between 0 and the conversation's last message (%d)", c.LastSeq)
	}
	switch reader.Kind {
	case SenderVisitor:
		return true, seq > c.VisitorReadSeq, nil
	case SenderAgent:
		return false, c.AssigneeID != 0 && c.AssigneeID == reader.AgentID && seq > c.AgentReadSeq, nil
	}
	return false, false, Errorf(ErrForbidden, "only the visitor and agents read conversations")
}

// Notes is the store's part for internal notes, mentions and read
// receipts.
type Notes interface {
	// AddNote stores an internal note by an agent who may read the
	// conversation (MayReadConversation), idempotently per ClientMsgID,
	// with the members it mentions (FindMentions) in Message.Mentions.
	// A note changes nothing else: not the state, the preview, the first
	// reply or the inactivity timer. It returns the message.created event.
	AddNote(ctx context.Context, workspaceID, conversationID int64, actor Actor, nm NewMessage) (Message, []Event, bool, error)
	// IsMentioned reports whether a note in the conversation mentions the
	// agent.
	IsMentioned(ctx context.Context, workspaceID, conversationID, agentID int64) (bool, error)
	// MentionedIn lists the open conversations whose notes mention the
	// agent, most recently mentioned first (at most 200).
	MentionedIn(ctx context.Context, workspaceID, agentID int64) ([]int64, error)
	// MarkRead moves the reader's read mark up to seq (ReadMark) and emits
	// conversation.read when it moved; otherwise it writes nothing and
	// returns no event. It answers the marks as they now are.
	MarkRead(ctx context.Context, workspaceID, conversationID int64, reader Actor, seq int64) (ReadMarks, []Event, error)
}

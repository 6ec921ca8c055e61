package outbox

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/event"
)

// Alert is one alert's wording, the same for every target kind.
type Alert struct {
	To        string // an email alert's address
	Title     string
	Text      string
	Link      string
	LinkLabel string
}

// InQuiet reports whether minute-of-day m falls in the quiet hours
// [start, end), which may wrap past midnight. start < 0: none.
func InQuiet(start, end, m int) bool {
	switch {
	case start < 0 || end < 0 || start == end:
		return false
	case start < end:
		return m >= start && m < end
	default:
		return m >= start || m < end
	}
}

// alertWords is one language's wording of alerts (ko and en below).
// Formats take the workspace's name first. What someone wrote — the
// customer's last message, a left message, a mentioned note — is not in
// them: an alert quotes it once, after every language's lines, under the
// labels lastMessage, leftMessage or note.
type alertWords struct {
	open                   string
	customer               string // "고객 #%d": a customer without a name, by room number
	newChat, newChatText   string // name; name, channel, time
	waiting, waitingText   string // minutes, name; name, minutes
	ticket, ticketText     string // name; name, contact
	assignedAway, awayText string // name; assignee, name
	mention, mentionText   string // author; author, customer name
	lastMessage            string
	leftMessage            string
	note                   string
}

var alertCatalog = map[string]alertWords{
	"ko": {
		open:         "상담 콘솔에서 열기",
		customer:     "고객 #%d",
		newChat:      "[%s] 새 상담 요청: %s",
		newChatText:  "%s님이 상담을 요청했습니다 (%s, %s).",
		waiting:      "[%s] %d분째 대기 중: %s",
		waitingText:  "%s님이 %d분째 상담원 배정을 기다리고 있습니다.",
		ticket:       "[%s] 새 부재 메시지: %s",
		ticketText:   "%s님(%s)이 메시지를 남겼습니다.",
		assignedAway: "[%s] 자리 비움 중 배정: %s",
		awayText:     "자리 비움 상태인 %s님에게 %s님의 상담이 배정되었습니다.",
		mention:      "[%s] %s님이 내부 메모에서 회원님을 언급했습니다",
		mentionText:  "%s님이 %s님과의 상담에 내부 메모를 남겼습니다.",
		lastMessage:  "마지막 메시지",
		leftMessage:  "남긴 메시지",
		note:         "내부 메모",
	},
	"en": {
		open:         "Open in the console",
		customer:     "Customer #%d",
		newChat:      "[%s] New chat request: %s",
		newChatText:  "%s asked for a chat (%s, %s).",
		waiting:      "[%s] Waiting %d min: %s",
		waitingText:  "%s has been waiting %d minutes for an agent.",
		ticket:       "[%s] New left message: %s",
		ticketText:   "%s (%s) left a message.",
		assignedAway: "[%s] Assigned while away: %s",
		awayText:     "%[2]s's chat was assigned to %[1]s, who is away.",
		mention:      "[%s] %s mentioned you in an internal note",
		mentionText:  "%s left an internal note in the chat with %s.",
		lastMessage:  "Last message",
		leftMessage:  "Message",
		note:         "Internal note",
	},
}

// alertLanguages are the languages an alert is worded in: the recipient
// agent's own (their console language), or — for a shared target, or an
// agent who chose none — Korean and then English.
func alertLanguages(lang string) []string {
	if _, ok := alertCatalog[lang]; ok {
		return []string{lang}
	}
	return []string{"ko", "en"}
}

// alert words delivery d for target ep, or returns nil when the target's
// quiet hours hold it back.
func (w *Worker) alert(ctx context.Context, ep *Endpoint, d Delivery) (*Alert, error) {
	ws, err := w.Reader.Workspace(ctx, d.WorkspaceID)
	if err != nil {
		return nil, err
	}
	now := w.Now().In(ws.Settings.Location())
	if InQuiet(ep.QuietStart, ep.QuietEnd, now.Hour()*60+now.Minute()) {
		return nil, nil
	}
	a := &Alert{To: ep.URL}
	lang := ""
	if ep.AgentID != 0 {
		ag, err := w.Reader.Agent(ctx, ep.AgentID)
		if err != nil {
			return nil, err
		}
		a.To, lang = ag.Email, ag.Language
	}
	var c *chat.Conversation
	var tk *chat.Ticket
	var msg *chat.Message
	if d.EventType == AlertWaiting {
		if c, err = w.Reader.Conversation(ctx, d.WorkspaceID, d.ConversationID); err != nil {
			return nil, err
		}
	} else {
		stored, err := w.Store.StoredEvent(ctx, d.WorkspaceID, d.EventSeq)
		if err != nil {
			return nil, err
		}
		ev, err := event.Decode(stored)
		if err != nil {
			return nil, err
		}
		c, tk, msg = ev.Conversation, ev.Ticket, ev.Message
	}
	if c == nil && !(d.EventType == AlertTicket && tk != nil) {
		return nil, fmt.Errorf("delivery %d: nothing to alert about", d.ID)
	}
	// quoted is what someone wrote, quoted once whatever the languages.
	quoted, label := "", func(t alertWords) string { return t.lastMessage }
	switch {
	case d.EventType == AlertTicket && tk != nil && tk.Message != "":
		quoted, label = clip(tk.Message, 300), func(t alertWords) string { return t.leftMessage }
	case d.EventType == AlertMention:
		// The note as the log stores it: masked text stays masked.
		if msg != nil {
			quoted, label = clip(msg.Body, 500), func(t alertWords) string { return t.note }
		}
	case c != nil && d.EventType != AlertAssignedAway:
		quoted = clip(c.LastMessage, 200)
	}
	langs := alertLanguages(lang)
	var titles, texts, opens, labels []string
	for _, l := range langs {
		t := alertCatalog[l]
		name := func(c *chat.Conversation) string {
			if c.CustomerName != "" {
				return c.CustomerName
			}
			return fmt.Sprintf(t.customer, c.RoomNo)
		}
		var title, text string
		switch {
		case d.EventType == AlertTicket && tk != nil:
			title = fmt.Sprintf(t.ticket, ws.Name, tk.Name)
			text = fmt.Sprintf(t.ticketText, tk.Name, tk.Contact)
		case d.EventType == AlertNewChat:
			title = fmt.Sprintf(t.newChat, ws.Name, name(c))
			text = fmt.Sprintf(t.newChatText, name(c), c.Channel, WaitingSince(*c).In(ws.Settings.Location()).Format("15:04"))
		case d.EventType == AlertWaiting:
			waited := int(w.Now().Sub(WaitingSince(*c)) / time.Minute)
			title = fmt.Sprintf(t.waiting, ws.Name, waited, name(c))
			text = fmt.Sprintf(t.waitingText, name(c), waited)
		case d.EventType == AlertAssignedAway:
			title = fmt.Sprintf(t.assignedAway, ws.Name, name(c))
			text = fmt.Sprintf(t.awayText, c.AssigneeName, name(c))
		case d.EventType == AlertMention && msg != nil:
			title = fmt.Sprintf(t.mention, ws.Name, msg.SenderName)
			text = fmt.Sprintf(t.mentionText, msg.SenderName, name(c))
		default:
			return nil, fmt.Errorf("delivery %d: unknown alert %q", d.ID, d.EventType)
		}
		titles, texts, opens, labels = append(titles, title), append(texts, text), append(opens, t.open), append(labels, label(t))
	}
	// One language's lines follow each other; two languages' are
	// paragraphs, and the quote is one of its own.
	sep := "\n"
	if len(langs) > 1 {
		sep = "\n\n"
	}
	a.Title, a.Text, a.LinkLabel = strings.Join(titles, " / "), strings.Join(texts, sep), strings.Join(opens, " / ")
	if quoted != "" {
		a.Text += sep + strings.Join(labels, " / ") + ": “" + quoted + "”"
	}
	if d.EventType == AlertTicket && tk != nil {
		a.Link = ConsoleLink(w.BaseURL, d.WorkspaceID, "tickets", tk.ID)
	} else {
		a.Link = ConsoleLink(w.BaseURL, d.WorkspaceID, "c", c.ID)
	}
	return a, nil
}

// ConsoleLink is the console's address of a conversation (page "c") or a
// ticket ("tickets") of workspace wid: ?ws= opens that workspace for an
// agent who belongs to several, whichever they used last (app.js).
func ConsoleLink(baseURL string, wid int64, page string, id int64) string {
	return baseURL + "/console/?ws=" + strconv.FormatInt(wid, 10) + "#/" + page + "/" + strconv.FormatInt(id, 10)
}

// clip shortens s to n characters.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}

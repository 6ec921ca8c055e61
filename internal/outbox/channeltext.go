package outbox

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/web"
)

// What a messenger's user reads (§1.2). A system message's body is a code
// for programs (greeting, robot, closed…); the widget turns it into words,
// and a channel's bridge gets the same words, in the workspace's language,
// as data.message.text — with what a messenger offers instead of the
// widget's buttons (asking for a person in words).

// toldOfChange are the system messages of a conversation's change — not
// message.created — that a messenger's user is told, as the widget tells
// its visitor: the robot handing them over to a person, an agent joining,
// a transfer. What the customer did themselves is not (customer_left:
// their !종료, whose answer the bridge already had; rated): the bridge's
// user is the one who did it.
var toldOfChange = []string{chat.SystemHandover, chat.SystemAssigned, chat.SystemTransferred}

// toldOnMessenger reports whether a messenger's user is told of ev, an
// event of their conversation: what an agent or the system says to them
// (never an echo of their own message, which came from the bridge), the
// system messages of toldOfChange, and the close.
func toldOnMessenger(ev chat.Event) bool {
	m := ev.Message
	switch ev.Type {
	case chat.EventConversationClosed:
		return true
	case chat.EventMessageCreated:
		return m != nil && m.SenderType != chat.SenderVisitor
	case chat.EventConversationAssigned, chat.EventConversationTransferred, chat.EventConversationUpdated:
		return m != nil && m.Kind == chat.KindSystem && slices.Contains(toldOfChange, m.Body)
	}
	return false
}

// CustomerText is what the customer reads of m, in the language the
// widget would speak to them: the workspace's widget language when it sets
// one, else lang, the one the bridge gave for the user (Korean for none).
// "" for nothing: a file, or a code the customer is not shown words for.
func CustomerText(ws *chat.Workspace, lang string, m *chat.Message) string {
	switch m.Kind {
	case chat.KindText:
		return m.Body
	case chat.KindSystem:
	default:
		return ""
	}
	lang = ws.Settings.Widget.WidgetLanguage(lang)
	t := web.WidgetCatalogs()[lang]
	meta := m.Meta
	or := func(s, otherwise string) string {
		if s != "" {
			return s
		}
		return otherwise
	}
	switch m.Body {
	case chat.SystemGreeting:
		return meta["text"]
	case chat.SystemRatingRequested:
		return or(meta["text"], t["rating.request_default"])
	case chat.SystemClosed:
		return or(t["system.closed."+meta["reason"]], t["system.closed"])
	case chat.SystemAssigned:
		return strings.ReplaceAll(t["system.assigned"], "{agent}", or(meta["agent"], t["agent"]))
	case chat.SystemTransferred:
		return strings.ReplaceAll(t["system.transferred"], "{agent}", or(meta["to"], t["agent"]))
	case chat.SystemCustomerLeft, chat.SystemHandover:
		return t["system."+m.Body]
	case chat.SystemRobot:
		return robotText(t, meta)
	case chat.SystemAway:
		return awayText(ws, lang, t, meta)
	}
	return ""
}

// awayText is the automatic reply out of hours (chat.SystemAway): the
// widget's leave-a-message words for the reason and, outside the hours,
// when the desk opens again, in the workspace's time zone.
func awayText(ws *chat.Workspace, lang string, t map[string]string, meta map[string]string) string {
	text, ok := t["leave.reason."+meta["reason"]]
	if !ok {
		text = t["leave.reason."+string(chat.UnavailableNobody)]
	}
	if at, err := time.Parse(time.RFC3339, meta["reopens_at"]); err == nil {
		text += " " + strings.ReplaceAll(t["leave.reopens"], "{when}", reopening(at.In(ws.Settings.Location()), lang))
	}
	return text
}

// reopening words a time as the widget's leave-a-message form does
// (Intl.DateTimeFormat with the weekday, month, day, hour and minute):
// "12월 8일 (화) 오전 9:00", "Tue, December 8 at 9:00 AM".
func reopening(at time.Time, lang string) string {
	hour := at.Hour() % 12
	if hour == 0 {
		hour = 12
	}
	if lang == "en" {
		half := "AM"
		if at.Hour() >= 12 {
			half = "PM"
		}
		return fmt.Sprintf("%s, %s %d at %d:%02d %s", at.Weekday().String()[:3], at.Month(), at.Day(), hour, at.Minute(), half)
	}
	half := "오전"
	if at.Hour() >= 12 {
		half = "오후"
	}
	weekdays := []string{"일", "월", "화", "수", "목", "금", "토"}
	return fmt.Sprintf("%d월 %d일 (%s) %s %d:%02d", int(at.Month()), at.Day(), weekdays[at.Weekday()], half, hour, at.Minute())
}

// robotText is a robot answer: what it says, its articles' titles and
// help center links, and how to reach a person.
func robotText(t map[string]string, meta map[string]string) string {
	switch meta["outcome"] {
	case chat.RobotWelcome, chat.RobotNoAnswer:
		return t["robot."+meta["outcome"]] + "\n" + t["messenger.to_agent"]
	case chat.RobotNoAgent:
		return t["messenger.no_agent"]
	}
	var articles []struct {
		Title string `json:"title"`
		URL   string `json:"url"`
	}
	_ = json.Unmarshal([]byte(meta["articles"]), &articles) // none: the words alone
	var b strings.Builder
	b.WriteString(t["robot.answered"])
	for _, a := range articles {
		b.WriteString("\n\n" + a.Title)
		if a.URL != "" {
			b.WriteString("\n" + a.URL)
		}
	}
	b.WriteString("\n\n" + t["messenger.to_agent"])
	return b.String()
}

// forCustomer rewrites a stored event's message as its customer reads it:
// text (when there are words) as "text", and only the meta the visitor
// may see (chat.VisitorMeta: not a transfer's reason).
func forCustomer(data []byte, text string, meta map[string]string) ([]byte, error) {
	var env map[string]json.RawMessage
	if err := json.Unmarshal(data, &env); err != nil {
		return nil, err
	}
	var msg map[string]json.RawMessage
	if err := json.Unmarshal(env["message"], &msg); err != nil {
		return nil, err
	}
	var err error
	if text != "" {
		if msg["text"], err = json.Marshal(text); err != nil {
			return nil, err
		}
	}
	delete(msg, "meta")
	if len(meta) > 0 {
		if msg["meta"], err = json.Marshal(meta); err != nil {
			return nil, err
		}
	}
	if env["message"], err = json.Marshal(msg); err != nil {
		return nil, err
	}
	return json.Marshal(env)
}

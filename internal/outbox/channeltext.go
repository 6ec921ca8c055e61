package outbox

import (
	"encoding/json"
	"strings"

	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/web"
)

// What a messenger's user reads (§1.2). A system message's body is a code
// for programs (greeting, robot, closed…); the widget turns it into words,
// and a channel's bridge gets the same words, in the workspace's language,
// as data.message.text — with what a messenger offers instead of the
// widget's buttons (asking for a person in words).

// CustomerText is what the customer reads of m in ws's language ("" for
// nothing: a file, or a code the customer is not shown words for).
func CustomerText(ws *chat.Workspace, m *chat.Message) string {
	switch m.Kind {
	case chat.KindText:
		return m.Body
	case chat.KindSystem:
	default:
		return ""
	}
	t := web.WidgetCatalogs()[ws.Settings.Widget.WidgetLanguage("")]
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
	}
	return ""
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

// withText adds text to a stored event's message as "text".
func withText(data []byte, text string) ([]byte, error) {
	var env map[string]json.RawMessage
	if err := json.Unmarshal(data, &env); err != nil {
		return nil, err
	}
	var msg map[string]json.RawMessage
	if err := json.Unmarshal(env["message"], &msg); err != nil {
		return nil, err
	}
	var err error
	if msg["text"], err = json.Marshal(text); err != nil {
		return nil, err
	}
	if env["message"], err = json.Marshal(msg); err != nil {
		return nil, err
	}
	return json.Marshal(env)
}

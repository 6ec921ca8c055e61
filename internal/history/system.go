package history

import (
	"cmp"
	"slices"
	"strings"

	"github.com/sodam-chat/sodam/internal/chat"
)

// SystemText is a system message (chat.KindSystem: its body a code, the
// details in its meta) in the words of the console's catalog, words, in
// the reader's language, as the console's thread shows it
// (console/conversation.js systemText): the event's line, then what a
// person wrote that goes with it — a transfer's reason, the workspace's
// greeting or rating request, the customer's comment — a line each. A
// code the catalog does not know is shown as stored.
func SystemText(words map[string]string, m chat.Message) string {
	meta := m.Meta
	say := func(key string, args ...string) string {
		s := words[key]
		for i := 0; i+1 < len(args); i += 2 {
			s = strings.ReplaceAll(s, "{"+args[i]+"}", args[i+1])
		}
		return s
	}
	one := func(set []string, v, otherwise string) string {
		if slices.Contains(set, v) {
			return v
		}
		return otherwise
	}
	agent := cmp.Or(meta["agent"], words["msg.agent"])
	robot := cmp.Or(meta["robot"], "robot")
	var line, more string
	switch m.Body {
	case chat.SystemRobot:
		line = say("system.robot."+one([]string{chat.RobotWelcome, chat.RobotAnswered, chat.RobotNoAnswer, chat.RobotNoAgent}, meta["outcome"], chat.RobotAnswered), "robot", robot)
	case chat.SystemHandover:
		line = say("system.handover", "robot", robot)
	case chat.SystemAssigned, chat.SystemHeld, chat.SystemUnheld, chat.SystemReturned:
		line = say("system."+m.Body, "agent", agent)
	case chat.SystemTransferred:
		if meta["from"] != "" {
			line = say("system.transferred", "from", meta["from"], "to", meta["to"])
		} else {
			line = say("system.transferred_to", "to", meta["to"])
		}
		if meta["reason"] != "" {
			more = say("system.reason", "reason", meta["reason"])
		}
	case chat.SystemCustomerLeft:
		line = say("system.customer_left")
	case chat.SystemClosed:
		line = say("system.closed")
		if r := meta["reason"]; r != "" {
			line = say("system.closed_reason", "reason", cmp.Or(words["close_reason."+r], r))
		}
	case chat.SystemGreeting, chat.SystemRatingRequested:
		line, more = say("system."+m.Body), meta["text"]
	case chat.SystemRated:
		line, more = say("system.rated", "stars", stars(meta["score"]), "score", meta["score"]), meta["comment"]
	case chat.SystemAway:
		line = say("system.away." + one([]string{string(chat.UnavailableHours), string(chat.UnavailableStopped), string(chat.UnavailableNobody)}, meta["reason"], string(chat.UnavailableNobody)))
	}
	if line == "" {
		return m.Body
	}
	if more != "" {
		line += "\n" + more
	}
	return line
}

// stars draws a rating of 1 to 5 as the console does (shared/dom.js).
func stars(score string) string {
	n := 0
	if len(score) == 1 && score[0] >= '0' && score[0] <= '5' {
		n = int(score[0] - '0')
	}
	return strings.Repeat("★", n) + strings.Repeat("☆", 5-n)
}

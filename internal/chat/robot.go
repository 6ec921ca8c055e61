package chat

import (
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// The robot (§8.2): when a workspace turns it on, a new conversation starts
// in the bot state, held by robot-<site_id>, which answers each visitor
// message with the best FAQ articles until the visitor asks for a person.

// System message codes of the robot.
const (
	// SystemRobot is one robot answer: Meta["robot"] is its name,
	// Meta["outcome"] answered, no_answer, no_agent or welcome (what it
	// says is the widget's wording for the outcome, and a messenger's
	// bridge gets it in data.message.text, outbox.CustomerText),
	// Meta["articles"] a JSON list of {id, title, excerpt, url} (up to
	// three), Meta["reply_to"] the visitor message's ID.
	SystemRobot = "robot"
	// SystemHandover: the robot handed the conversation to routing
	// (Meta["robot"]); what follows is a person's.
	SystemHandover = "handover"
)

// Outcomes of a robot answer.
const (
	RobotAnswered = "answered"
	RobotNoAnswer = "no_answer"
	RobotWelcome  = "welcome"
	// RobotNoAgent: the visitor asked for a person when nobody can chat
	// (Meta["reason"] says why); the widget offers to leave a
	// message.
	RobotNoAgent = "no_agent"
)

// CloseByRobot is the close reason of a conversation that ended while the
// robot held it: the robot resolved it (statistics count these as
// robot-resolved), unless its visitor asked for a person when nobody could
// chat (Tx.AgentRefused: then unprocessed). A conversation the visitor
// switched back to the bot from closes with CloseByBot instead.
const CloseByRobot = "robot"

// RobotSettings turn the robot on for a workspace.
type RobotSettings struct {
	Enabled bool `json:"enabled"`
}

// RobotName is how the robot shows wherever an agent's name is shown.
func RobotName(siteID string) string { return "robot-" + siteID }

// What visitors type to ask for a person (§8.2), matched on the message
// folded to lower case, letters and digits (foldCommand). In Korean a
// person-word followed by an ask-word, with only a particle or an
// honorific between (상담사님 연결 부탁드립니다, 사람이랑 얘기하고 싶어요,
// 상담원으로 바꿔 주세요); a person-word alone is asked too (상담원!). A
// question that merely mentions 상담 (상담 시간이 어떻게 되나요?) or a person
// (받는 사람 주소 바꿔주세요) stays the robot's. Spacing is ignored: the
// Korean patterns run on the message without spaces.
var (
	koPerson     = `(?:상담사|상담원|상담직원|사람|직원|매니저|담당자)`
	koHonorific  = `(?:님|분)?`
	koParticle   = `(?:이랑|랑|하고|과|와|으로|로|께|한테|에게|을|를|이|가)?(?:좀|한분|한명)?`
	koAsk        = `(?:연결|불러|부르|바꿔|바꾸|얘기|이야기|대화|통화|연락|원해|원합|부탁)`
	koWantsAgent = regexp.MustCompile(koPerson + koHonorific + koParticle + koAsk)
	koPersonOnly = regexp.MustCompile(`^` + koPerson + koHonorific + `(?:요|이요|좀)?$`)
	enWantsAgent = []*regexp.Regexp{
		regexp.MustCompile(`^(?:(?:a|an|the|real|live|human) )*(?:agent|human|person|operator|representative|rep|staff)(?: please| pls)?$`),
		regexp.MustCompile(`\b(?:talk|speak|chat|connect|transfer|put|switch)\b.*\b(?:agent|human|person|someone|somebody|representative|operator|staff|people|customer service)\b`),
		regexp.MustCompile(`\b(?:want|need|get|call|give)\b.*\b(?:agent|human|representative|operator|real person|live person)\b`),
	}
)

// foldCommand keeps a message's letters and digits, in lower case, with
// single spaces between words.
func foldCommand(s string) string {
	s = strings.ToLower(norm.NFC.String(s))
	s = strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return r
		}
		return ' '
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

// WantsAgent reports whether a visitor's message asks for a person
// (상담원 연결해 주세요, talk to an agent, …) rather than a question for the
// robot.
func WantsAgent(text string) bool {
	t := foldCommand(text)
	compact := strings.ReplaceAll(t, " ", "")
	if koPersonOnly.MatchString(compact) {
		return true
	}
	for _, m := range koWantsAgent.FindAllStringIndex(compact, -1) {
		// 받는 사람, 주문한 사람: a person the question is about, not one
		// to talk to (a word ending in ㄴ describes the 사람 after it).
		if strings.HasPrefix(compact[m[0]:], "사람") {
			if r, _ := utf8.DecodeLastRuneInString(compact[:m[0]]); r >= 0xAC00 && r <= 0xD7A3 && (r-0xAC00)%28 == 4 {
				continue
			}
		}
		return true
	}
	for _, re := range enWantsAgent {
		if re.MatchString(t) {
			return true
		}
	}
	return false
}

// JobRobotIdle closes conversation RefID, still with the robot, once its
// visitor has asked nothing more for RobotIdleAfter: the robot resolved it.
const JobRobotIdle = "robot_idle"

// RobotIdleAfter is how long a conversation the robot holds stays open
// after its last answer: the workspace's inactivity timeout, else 30
// minutes.
func RobotIdleAfter(s Settings) time.Duration {
	if s.InactivityTimeoutMinutes > 0 {
		return time.Duration(s.InactivityTimeoutMinutes) * time.Minute
	}
	return 30 * time.Minute
}

package chat

import (
	"strings"
	"time"

	"golang.org/x/text/unicode/norm"
)

// The robot (§8.2): when a workspace turns it on, a new conversation starts
// in the bot state, held by robot-<site_id>, which answers each visitor
// message with the best FAQ articles until the visitor asks for a person.

// System message codes of the robot.
const (
	// SystemRobot is one robot answer: Meta["robot"] is its name,
	// Meta["text"] what it says, Meta["outcome"] answered, no_answer or
	// welcome, Meta["articles"] a JSON list of {id, title, excerpt, url}
	// (up to three), Meta["reply_to"] the visitor message's ID.
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
// robot held it: nobody asked for a person, so the robot resolved it
// (statistics count these as robot-resolved). A conversation the visitor
// switched back to the bot from closes with CloseByBot instead.
const CloseByRobot = "robot"

// RobotSettings turn the robot on for a workspace.
type RobotSettings struct {
	Enabled bool `json:"enabled"`
}

// RobotName is how the robot shows wherever an agent's name is shown.
func RobotName(siteID string) string { return "robot-" + siteID }

// handoverWords are what visitors type to ask for a person.
var handoverWords = map[string]bool{}

func init() {
	for _, w := range []string{"상담원", "상담원연결", "상담원 연결", "상담원 연결해주세요", "상담원 연결해 주세요", "상담사", "상담사 연결", "상담원이랑 얘기하고 싶어요",
		"사람", "사람이랑 얘기", "사람 연결", "직원 연결", "agent", "an agent", "talk to an agent", "human", "talk to a human", "real person", "operator"} {
		handoverWords[foldCommand(w)] = true
	}
}

func foldCommand(s string) string {
	s = strings.ToLower(norm.NFC.String(s))
	s = strings.Trim(s, " \t\r\n.!?~")
	return strings.Join(strings.Fields(s), " ")
}

// WantsAgent reports whether a visitor's message asks for a person
// (상담원 연결, agent, …) rather than a question for the robot.
func WantsAgent(text string) bool {
	t := foldCommand(text)
	if handoverWords[t] || handoverWords[strings.ReplaceAll(t, " ", "")] {
		return true
	}
	return strings.Contains(t, "상담원 연결") || strings.Contains(t, "상담원연결") || strings.Contains(t, "talk to an agent")
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

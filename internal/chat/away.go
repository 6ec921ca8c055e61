package chat

import "time"

// The automatic reply to a messenger's user who writes while the desk takes
// no chats (§1.2, §6, §7): the widget shows its visitor the leave-a-message
// form then, but a KakaoTalk or Telegram user has only the conversation, so
// Sodam answers there — once, in the widget's words for the form — and the
// conversation waits in the queue for the agents' return, as it always has.

// SystemAway is the automatic reply: Meta["reason"] is why no one can chat
// (an Availability other than Available) and, outside the hours,
// Meta["reopens_at"] when the desk opens again (RFC 3339). A messenger's
// bridge gets the widget's words for it in data.message.text
// (outbox.CustomerText); agents see that it was sent.
const SystemAway = "away"

// AwayReplyGap is how long an automatic reply holds: a user who writes again
// within it is not told again; one who writes after it (the next night) is.
const AwayReplyGap = 12 * time.Hour

// AwayReplyDue reports whether a messenger user's message to conversation
// state, written when availability is avail, is answered automatically:
// only when no one can chat, never while the robot holds the conversation
// (it answers itself, and says when no one can take it), and, while the
// desk merely has no one online or is outside its hours, only while no
// agent holds the conversation — an agent who has it answers when back.
// With operation stopped no agent can send at all (§2.6), so any open
// conversation is answered.
func AwayReplyDue(avail Availability, state State) bool {
	switch {
	case avail == Available || state == StateBot || !state.Open():
		return false
	case avail == UnavailableStopped:
		return true
	}
	return state == StateUnassigned
}

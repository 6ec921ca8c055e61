package chat

import "testing"

// TestAwayReplyDue: a messenger's user is answered automatically only when
// no one can chat, never while the robot holds the conversation, and —
// unless operation is stopped, when no agent can send — only while no
// agent holds it.
func TestAwayReplyDue(t *testing.T) {
	for _, tt := range []struct {
		avail Availability
		state State
		want  bool
	}{
		{Available, StateUnassigned, false},
		{UnavailableHours, StateUnassigned, true},
		{UnavailableNobody, StateUnassigned, true},
		{UnavailableStopped, StateUnassigned, true},
		{UnavailableHours, StateBot, false},
		{UnavailableStopped, StateBot, false},
		{UnavailableHours, StateWaiting, false},
		{UnavailableNobody, StateActive, false},
		{UnavailableStopped, StateActive, true},
		{UnavailableStopped, StateWaiting, true},
		{UnavailableStopped, StateClosed, false},
		{UnavailableHours, StateClosed, false},
	} {
		t.Run(string(tt.avail)+"/"+string(tt.state), func(t *testing.T) {
			if got := AwayReplyDue(tt.avail, tt.state); got != tt.want {
				t.Fatalf("AwayReplyDue(%s, %s) = %v", tt.avail, tt.state, got)
			}
		})
	}
}

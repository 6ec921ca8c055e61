package chat

import (
	"strings"
	"testing"
	"time"
)

func TestRatingRules(t *testing.T) {
	replied := time.Now()
	tests := []struct {
		name    string
		c       Conversation
		rate    string
		request string
	}{
		{"no reply yet", Conversation{State: StateActive}, ErrNotReplied, ErrNotReplied},
		{"replied", Conversation{State: StateActive, FirstReplyAt: &replied}, "", ""},
		{"closed", Conversation{State: StateClosed, FirstReplyAt: &replied}, "", ErrConversationClosed},
		{"customer left", Conversation{State: StateActive, FirstReplyAt: &replied, CustomerLeftAt: &replied}, "", ErrConversationClosed},
		{"rated", Conversation{State: StateActive, FirstReplyAt: &replied, Rating: &Rating{Score: 5}}, ErrAlreadyRated, ErrAlreadyRated},
		{"on hold", Conversation{State: StateActive, FirstReplyAt: &replied, OnHold: true}, "", ErrOnHold},
		{"operation stopped", Conversation{State: StateActive, FirstReplyAt: &replied}, "", ErrOperationStopped},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ErrorCode(CanRate(tt.c)); got != tt.rate {
				t.Fatalf("CanRate = %q, want %q", got, tt.rate)
			}
			s := DefaultSettings()
			s.OperationStopped = tt.name == "operation stopped"
			if got := ErrorCode(CanRequestRating(tt.c, s)); got != tt.request {
				t.Fatalf("CanRequestRating = %q, want %q", got, tt.request)
			}
		})
	}
	for _, score := range []int{0, 6, -1} {
		if ErrorCode(CheckRating(score, "")) != ErrInvalid {
			t.Fatalf("score %d accepted", score)
		}
	}
	if CheckRating(3, strings.Repeat("가", 1001)) == nil {
		t.Fatal("long comment accepted")
	}
}

func TestCanSee(t *testing.T) {
	for _, tt := range []struct {
		c    Conversation
		role Role
		want bool
	}{
		{Conversation{State: StateUnassigned}, RoleAgent, true},
		{Conversation{State: StateBot}, RoleAgent, true},
		{Conversation{State: StateWaiting, AssigneeID: 7}, RoleAgent, true},
		{Conversation{State: StateWaiting, AssigneeID: 8}, RoleAgent, false},
		{Conversation{State: StateClosed, AssigneeID: 8}, RoleAgent, false},
		{Conversation{State: StateClosed, AssigneeID: 8}, RoleManager, true},
		{Conversation{State: StateActive, AssigneeID: 8}, RoleMaster, true},
	} {
		if got := CanSee(tt.c, 7, tt.role); got != tt.want {
			t.Errorf("CanSee(%+v, %s) = %v", tt.c, tt.role, got)
		}
	}
}

func TestInactivityDue(t *testing.T) {
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	on := DefaultSettings()
	on.InactivityTimeoutMinutes = 10
	off := DefaultSettings()
	off.InactivityTimeoutMinutes = 0
	tests := []struct {
		name string
		s    Settings
		c    Conversation
		ok   bool
	}{
		{"assigned", on, Conversation{AssigneeID: 1, State: StateActive}, true},
		{"no timeout", off, Conversation{AssigneeID: 1, State: StateActive}, false},
		{"on hold", on, Conversation{AssigneeID: 1, State: StateActive, OnHold: true}, false},
		{"nobody assigned", on, Conversation{State: StateUnassigned}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			due, ok := InactivityDue(tt.s, tt.c, now)
			if ok != tt.ok || ok && !due.Equal(now.Add(10*time.Minute)) {
				t.Errorf("InactivityDue = %v, %v", due, ok)
			}
		})
	}
}

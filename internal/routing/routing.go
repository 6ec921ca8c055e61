// Package routing decides which agent gets a conversation (§3.2). It is a
// pure function over a snapshot of the agents' load; the store takes that
// snapshot, calls Pick and writes the result in one transaction, under a
// per-workspace routing lock, so the choice is never made on stale counts.
package routing

import (
	"time"

	"github.com/sodam-chat/sodam/internal/chat"
)

// Agent is one member as routing sees them.
type Agent struct {
	ID     int64
	Status chat.AgentStatus
	// Capacity is the most conversations the agent holds at once
	// (the member's override, else the workspace default).
	Capacity int
	// Open counts the agent's assigned conversations that are waiting or
	// active; Waiting counts the waiting ones alone.
	Open    int
	Waiting int
	// LastClosedAt is when the agent's last conversation closed (zero: never).
	LastClosedAt time.Time
	// LastServed is when the agent last served the customer being routed
	// (zero: never).
	LastServed time.Time
}

// Options are the workspace's routing settings.
type Options struct {
	Sticky       bool
	StickyWindow time.Duration
	Now          time.Time
}

// Eligible reports whether a can take one more conversation: online, below
// capacity, and below the waiting limit.
func Eligible(a Agent) bool {
	return a.Status == chat.StatusOnline && a.Open < a.Capacity && a.Waiting < chat.MaxWaiting
}

// Pick returns the agent who should get the conversation, or false when
// nobody can take it and it must queue. Among eligible agents: the one who
// most recently served this customer, if sticky assignment is on and that was
// within the window; otherwise the one with the fewest open conversations;
// ties go to the one whose last conversation closed longest ago, then to the
// lowest ID so the choice is deterministic.
func Pick(agents []Agent, o Options) (int64, bool) {
	var best *Agent
	if o.Sticky {
		for i := range agents {
			a := &agents[i]
			if !Eligible(*a) || a.LastServed.IsZero() || o.Now.Sub(a.LastServed) > o.StickyWindow {
				continue
			}
			if best == nil || a.LastServed.After(best.LastServed) {
				best = a
			}
		}
		if best != nil {
			return best.ID, true
		}
	}
	for i := range agents {
		a := &agents[i]
		if Eligible(*a) && (best == nil || less(*a, *best)) {
			best = a
		}
	}
	if best == nil {
		return 0, false
	}
	return best.ID, true
}

// less orders agents for non-sticky picks.
func less(a, b Agent) bool {
	if a.Open != b.Open {
		return a.Open < b.Open
	}
	if !a.LastClosedAt.Equal(b.LastClosedAt) {
		return a.LastClosedAt.Before(b.LastClosedAt)
	}
	return a.ID < b.ID
}

package routing

import (
	"testing"
	"time"

	"github.com/sodam-chat/sodam/internal/chat"
)

func TestPick(t *testing.T) {
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	ago := func(m int) time.Time { return now.Add(-time.Duration(m) * time.Minute) }
	online := func(id int64, open, waiting int) Agent {
		return Agent{ID: id, Status: chat.StatusOnline, Capacity: 5, Open: open, Waiting: waiting}
	}
	with := func(a Agent, f func(*Agent)) Agent { f(&a); return a }
	sticky := Options{Sticky: true, StickyWindow: time.Hour, Now: now}
	plain := Options{Now: now}

	tests := []struct {
		name   string
		agents []Agent
		opts   Options
		want   int64 // 0: nobody, the conversation queues
	}{
		{"nobody online", nil, plain, 0},
		{"only away and offline", []Agent{with(online(1, 0, 0), func(a *Agent) { a.Status = chat.StatusAway }), with(online(2, 0, 0), func(a *Agent) { a.Status = chat.StatusOffline })}, plain, 0},
		{"fewest open wins", []Agent{online(1, 3, 0), online(2, 1, 0), online(3, 2, 0)}, plain, 2},
		{"at capacity is skipped", []Agent{online(1, 5, 0), online(2, 4, 0)}, plain, 2},
		{"everyone at capacity", []Agent{online(1, 5, 0), online(2, 5, 1)}, plain, 0},
		{"per-agent capacity", []Agent{with(online(1, 1, 0), func(a *Agent) { a.Capacity = 1 }), online(2, 3, 0)}, plain, 2},
		{"zero capacity never gets one", []Agent{with(online(1, 0, 0), func(a *Agent) { a.Capacity = 0 })}, plain, 0},
		{"five waiting is the limit", []Agent{with(online(1, 5, 5), func(a *Agent) { a.Capacity = 10 }), online(2, 4, 0)}, plain, 2},
		{"five waiting even with capacity left", []Agent{with(online(1, 5, 5), func(a *Agent) { a.Capacity = 10 })}, plain, 0},
		{"four waiting is fine", []Agent{with(online(1, 4, 4), func(a *Agent) { a.Capacity = 10 })}, plain, 1},
		{"tie: longest since last close", []Agent{
			with(online(1, 2, 0), func(a *Agent) { a.LastClosedAt = ago(5) }),
			with(online(2, 2, 0), func(a *Agent) { a.LastClosedAt = ago(30) }),
			with(online(3, 2, 0), func(a *Agent) { a.LastClosedAt = ago(10) }),
		}, plain, 2},
		{"tie: never closed counts as longest ago", []Agent{
			with(online(1, 2, 0), func(a *Agent) { a.LastClosedAt = ago(300) }),
			online(2, 2, 0),
		}, plain, 2},
		{"full tie: lowest ID", []Agent{online(3, 1, 0), online(2, 1, 0)}, plain, 2},
		{"fewer open beats an older close", []Agent{
			with(online(1, 2, 0), func(a *Agent) { a.LastClosedAt = ago(300) }),
			with(online(2, 1, 0), func(a *Agent) { a.LastClosedAt = ago(1) }),
		}, plain, 2},
		{"sticky: last server wins over load", []Agent{online(1, 0, 0), with(online(2, 4, 0), func(a *Agent) { a.LastServed = ago(30) })}, sticky, 2},
		{"sticky: most recent server", []Agent{
			with(online(1, 0, 0), func(a *Agent) { a.LastServed = ago(50) }),
			with(online(2, 3, 0), func(a *Agent) { a.LastServed = ago(10) }),
		}, sticky, 2},
		{"sticky: outside the window falls back", []Agent{online(1, 0, 0), with(online(2, 4, 0), func(a *Agent) { a.LastServed = ago(61) })}, sticky, 1},
		{"sticky: server at capacity falls back", []Agent{online(1, 0, 0), with(online(2, 5, 0), func(a *Agent) { a.LastServed = ago(1) })}, sticky, 1},
		{"sticky: server away falls back", []Agent{online(1, 2, 0), with(online(2, 0, 0), func(a *Agent) { a.Status = chat.StatusAway; a.LastServed = ago(1) })}, sticky, 1},
		{"sticky: server with five waiting falls back", []Agent{online(1, 2, 0), with(online(2, 5, 5), func(a *Agent) { a.Capacity = 9; a.LastServed = ago(1) })}, sticky, 1},
		{"sticky off ignores history", []Agent{online(1, 0, 0), with(online(2, 4, 0), func(a *Agent) { a.LastServed = ago(1) })}, plain, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := Pick(tt.agents, tt.opts)
			if ok != (tt.want != 0) || got != tt.want {
				t.Fatalf("Pick = %d, %v; want %d", got, ok, tt.want)
			}
		})
	}
}

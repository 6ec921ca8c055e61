package app

import (
	"context"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/history"
	"github.com/sodam-chat/sodam/internal/jobs"
	"github.com/sodam-chat/sodam/internal/store/sqldb"
	"github.com/sodam-chat/sodam/internal/store/sqlite"
)

type noPublish struct{}

func (noPublish) Publish(context.Context, []chat.Event) {}

// slowBackfill stands for a large search backfill: it has more to do
// for total steps. At its first step an agent's auto-offline timer comes
// due; each step notes whether the timer has run yet.
type slowBackfill struct {
	*sqldb.DB
	total, steps int
	during       func(step int)
}

func (s *slowBackfill) BackfillSearch(ctx context.Context, limit int) (bool, error) {
	s.steps++
	s.during(s.steps)
	return s.steps < s.total, nil
}

// TestBackfillLetsTimersRun: the search backfill an upgrade queues runs
// for minutes on a large history. It ran to its end in one job, and the
// node's runner, which carries its jobs out one after another, ran no
// timer meanwhile: an agent whose consoles were gone stayed online (and
// was given chats) until the backfill ended. It now does a few
// transactions per run and goes on as a job after the timers due.
func TestBackfillLetsTimersRun(t *testing.T) {
	ctx := context.Background()
	defer func(n int) { backfillSteps = n }(backfillSteps)
	backfillSteps = 2
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "sodam.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ws, err := NewWorkspace("shop", "shop")
	if err != nil {
		t.Fatal(err)
	}
	check := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	check(db.CreateWorkspace(ctx, ws))
	kim := &chat.Agent{Email: "kim@example.com", Name: "kim", PasswordHash: "x"}
	check(db.CreateAgent(ctx, kim))
	check(db.AddMember(ctx, chat.Member{WorkspaceID: ws.ID, AgentID: kim.ID, Role: chat.RoleAgent}))
	s := &slowBackfill{DB: db, total: 20}
	a := New(s, noPublish{}, nil)
	_, err = a.SetAgentStatus(ctx, ws.ID, kim.ID, chat.StatusOnline)
	check(err)
	offlineAt := 0 // the step at which kim was first seen offline
	s.during = func(step int) {
		if step == 1 {
			check(db.ScheduleJob(ctx, chat.Job{Kind: chat.JobOffline, WorkspaceID: ws.ID, RefID: kim.ID, DueAt: time.Now()}))
		}
		m, err := db.Member(ctx, ws.ID, kim.ID)
		check(err)
		if m.Status == chat.StatusOffline && offlineAt == 0 {
			offlineAt = step
		}
	}
	check(db.ScheduleJob(ctx, chat.Job{Kind: history.JobSearchBackfill, WorkspaceID: ws.ID, DueAt: time.Now()}))
	r := &jobs.Runner{Store: s, Commit: a, Handlers: a.Jobs(), Log: slog.New(slog.DiscardHandler), Node: "n1", Lease: time.Minute, Now: time.Now}
	for i := 0; i < 100 && s.steps < s.total; i++ {
		r.RunDue(ctx)
	}
	if s.steps != s.total {
		t.Fatalf("the backfill took %d steps of %d", s.steps, s.total)
	}
	if offlineAt == 0 || offlineAt >= s.total {
		t.Fatalf("the auto-offline timer due at the backfill's first step ran only after its last (%d steps)", s.total)
	}
	// Done: no backfill job is left to run again.
	if js, err := db.ClaimJobs(ctx, "n2", time.Now().Add(time.Hour), time.Minute, 10); err != nil || len(js) != 0 {
		t.Fatalf("jobs left after the backfill: %+v, %v", js, err)
	}
}

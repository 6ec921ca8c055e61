package storetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/sodam-chat/sodam/internal/chat"
)

func testInactivityTimer(t *testing.T, s chat.Store) {
	f := setup(t, s, "idle")
	clk := withClock(t, s)
	settings(t, s, f.ws, func(st *chat.Settings) { st.InactivityTimeoutMinutes = 10 })
	claim := func() []chat.Job {
		t.Helper()
		jobs, err := s.ClaimJobs(ctx, "node-a", clk.Now(), time.Minute, 10)
		must(t, err)
		return jobs
	}
	c := active(t, s, f, "cust", f.a1) // the agent's reply starts the timer
	clk.advance(9 * time.Minute)
	if jobs := claim(); len(jobs) != 0 {
		t.Fatalf("claimed early: %+v", jobs)
	}
	// The customer answers: the timer stops; the agent answers: it restarts.
	send(t, s, f.ws.ID, c.ID, chat.VisitorActor, "v1", "네")
	clk.advance(5 * time.Minute)
	if jobs := claim(); len(jobs) != 0 {
		t.Fatalf("claimed after the customer answered: %+v", jobs)
	}
	send(t, s, f.ws.ID, c.ID, f.a1, "a2", "더 궁금하신 점 있으세요?")
	// Held: never closes.
	_, _, err := s.SetHold(ctx, f.ws.ID, c.ID, f.a1, true)
	must(t, err)
	clk.advance(time.Hour)
	if jobs := claim(); len(jobs) != 0 {
		t.Fatalf("claimed while held: %+v", jobs)
	}
	_, _, err = s.SetHold(ctx, f.ws.ID, c.ID, f.a1, false)
	must(t, err)
	clk.advance(10*time.Minute + time.Second)
	jobs := claim()
	if len(jobs) != 1 || jobs[0].Kind != chat.JobInactivity || jobs[0].RefID != c.ID || jobs[0].Attempts != 1 {
		t.Fatalf("claimed %+v", jobs)
	}
	events, err := runJob(s, jobs[0], "node-a")
	must(t, err)
	closed := conv(t, s, f.ws.ID, c.ID)
	if closed.State != chat.StateClosed || closed.CloseReason != chat.CloseByInactivity || len(events) != 1 {
		t.Fatalf("after the timer: %+v, events %+v", closed, events)
	}
	// Exactly once: running it again does nothing, and nothing is left to claim.
	events, err = runJob(s, jobs[0], "node-a")
	must(t, err)
	if len(events) != 0 || len(claim()) != 0 {
		t.Fatalf("the timer fired twice: %+v", events)
	}

	// The customer spoke last; the agent held the chat and wrote an
	// internal note, which the customer never saw: the release does not
	// start the timer, as the customer owes no answer.
	c = active(t, s, f, "cust-2", f.a1)
	send(t, s, f.ws.ID, c.ID, chat.VisitorActor, "v1", "주문번호 2026-1205-0042 입니다")
	_, _, err = s.SetHold(ctx, f.ws.ID, c.ID, f.a1, true)
	must(t, err)
	_, _, _, err = s.AddNote(ctx, f.ws.ID, c.ID, f.a1, chat.NewMessage{ClientMsgID: "n1", Body: "물류팀 확인 중"})
	must(t, err)
	_, _, err = s.SetHold(ctx, f.ws.ID, c.ID, f.a1, false)
	must(t, err)
	clk.advance(time.Hour)
	if jobs := claim(); len(jobs) != 0 {
		t.Fatalf("the timer started on a note after the customer's message: %+v", jobs)
	}
}

// One batch stops the timers of several conversations at once and
// restarts another's: the customers who answered are not closed, and the
// one who did not is.
func testBatchStopsTimers(t *testing.T, s chat.Store) {
	f := setup(t, s, "idlebatch")
	clk := withClock(t, s)
	settings(t, s, f.ws, func(st *chat.Settings) { st.InactivityTimeoutMinutes = 10 })
	var answered []int64
	for i := range 3 {
		answered = append(answered, active(t, s, f, fmt.Sprint("answered-", i), f.a1).ID)
	}
	silent := active(t, s, f, "silent", f.a1)
	clk.advance(5 * time.Minute)
	groupNext(s, len(answered)+1)
	var wg sync.WaitGroup
	for i, id := range answered {
		wg.Go(func() {
			if _, _, _, err := s.AppendMessage(ctx, f.ws.ID, id, chat.VisitorActor, chat.NewMessage{ClientMsgID: fmt.Sprint("v", i), Body: "네, 확인했어요"}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Go(func() {
		if _, _, _, err := s.AppendMessage(ctx, f.ws.ID, silent.ID, f.a1, chat.NewMessage{ClientMsgID: "a1", Body: "더 궁금하신 점 있으세요?"}); err != nil {
			t.Error(err)
		}
	})
	wg.Wait()
	clk.advance(10*time.Minute + time.Second)
	jobs, err := s.ClaimJobs(ctx, "node-a", clk.Now(), time.Minute, 10)
	must(t, err)
	if len(jobs) != 1 || jobs[0].Kind != chat.JobInactivity || jobs[0].RefID != silent.ID {
		t.Fatalf("claimed %+v, want only conversation %d's timer", jobs, silent.ID)
	}
}

func testJobLeases(t *testing.T, s chat.Store) {
	f := setup(t, s, "lease")
	clk := withClock(t, s)
	settings(t, s, f.ws, func(st *chat.Settings) { st.InactivityTimeoutMinutes = 1 })
	var ids []int64
	for i := range 6 {
		ids = append(ids, active(t, s, f, fmt.Sprint("c", i), f.a1).ID)
	}
	clk.advance(2 * time.Minute)
	// Two nodes claim at once: each job goes to exactly one of them.
	var wg sync.WaitGroup
	claimed := make([][]chat.Job, 2)
	for n := range 2 {
		wg.Go(func() {
			jobs, err := s.ClaimJobs(ctx, fmt.Sprint("node-", n), clk.Now(), time.Minute, 4)
			if err != nil {
				t.Error(err)
			}
			claimed[n] = jobs
		})
	}
	wg.Wait()
	seen := map[int64]bool{}
	for _, jobs := range claimed {
		for _, j := range jobs {
			if seen[j.ID] {
				t.Fatalf("job %d claimed twice", j.ID)
			}
			seen[j.ID] = true
		}
	}
	if len(seen) != 6 {
		t.Fatalf("%d of 6 jobs claimed", len(seen))
	}
	// node-1 does its work; node-0 dies holding its jobs. After the lease
	// node-2 takes them over, and node-0's late attempt changes nothing.
	for _, j := range claimed[1] {
		_, err := runJob(s, j, "node-1")
		must(t, err)
	}
	clk.advance(time.Minute + time.Second)
	taken, err := s.ClaimJobs(ctx, "node-2", clk.Now(), time.Minute, 10)
	must(t, err)
	if len(taken) != len(claimed[0]) || taken[0].Attempts != 2 {
		t.Fatalf("re-claimed %+v, node-0 held %+v", taken, claimed[0])
	}
	events, err := runJob(s, claimed[0][0], "node-0")
	must(t, err)
	if len(events) != 0 {
		t.Fatal("a job ran for a node that no longer holds it")
	}
	for _, j := range taken {
		_, err := runJob(s, j, "node-2")
		must(t, err)
	}
	for _, id := range ids {
		if c := conv(t, s, f.ws.ID, id); c.State != chat.StateClosed || c.CloseReason != chat.CloseByInactivity {
			t.Fatalf("conversation %d: %s (%s)", id, c.State, c.CloseReason)
		}
	}
}

// testJobRenewal: a node carrying out a job longer than its lease (an
// export) renews its claim. A renewal extends only the renewing node's own
// claim; once the claim has lapsed and another node took the job over,
// the old node's renewal changes nothing and tells it the job is gone.
func testJobRenewal(t *testing.T, s chat.Store) {
	f := setup(t, s, "renew")
	clk := withClock(t, s)
	for id := int64(1); id <= 2; id++ {
		must(t, s.ScheduleJob(ctx, chat.Job{Kind: "export", WorkspaceID: f.ws.ID, RefID: id, DueAt: clk.Now().Add(time.Duration(id) * time.Millisecond)}))
	}
	clk.advance(time.Second)
	claim := func(node string) []chat.Job {
		t.Helper()
		jobs, err := s.ClaimJobs(ctx, node, clk.Now(), time.Minute, 1)
		must(t, err)
		return jobs
	}
	renew := func(j chat.Job, node string) bool {
		t.Helper()
		ok, err := s.RenewJob(ctx, j, node, clk.Now(), time.Minute)
		must(t, err)
		return ok
	}
	a, b := claim("node-a"), claim("node-b")
	if len(a) != 1 || len(b) != 1 || a[0].RefID != 1 || b[0].RefID != 2 {
		t.Fatalf("claimed %+v and %+v", a, b)
	}
	// 40 s on, node-a renews its job for another minute; neither renews
	// the other's.
	clk.advance(40 * time.Second)
	if !renew(a[0], "node-a") {
		t.Fatal("node-a could not renew its own claim")
	}
	if renew(a[0], "node-b") || renew(b[0], "node-a") {
		t.Fatal("a node renewed another's claim")
	}
	// Past the first lease: node-b's job, not renewed, goes to node-c;
	// node-a's is still held.
	clk.advance(30 * time.Second)
	c := claim("node-c")
	if len(c) != 1 || c[0].RefID != 2 || c[0].Attempts != 2 {
		t.Fatalf("node-c claimed %+v, want node-b's lapsed job", c)
	}
	if again := claim("node-d"); len(again) != 0 {
		t.Fatalf("node-d claimed %+v while node-a held it", again)
	}
	if renew(b[0], "node-b") {
		t.Fatal("node-b renewed a job node-c took over")
	}
	// node-b's late renewal left node-c's claim as it was.
	if !renew(c[0], "node-c") {
		t.Fatal("node-c lost the job it took over")
	}
	// node-a stops renewing (a pause); after its renewed lease node-d
	// takes the job over, and node-a learns it lost it.
	clk.advance(31 * time.Second)
	d := claim("node-d")
	if len(d) != 1 || d[0].RefID != 1 || d[0].Attempts != 2 {
		t.Fatalf("node-d claimed %+v, want node-a's lapsed job", d)
	}
	if renew(a[0], "node-a") {
		t.Fatal("node-a renewed a job node-d took over")
	}
	clk.advance(20 * time.Second)
	if again := claim("node-e"); len(again) != 0 {
		t.Fatalf("node-e claimed %+v: node-a's late renewal undid node-d's claim", again)
	}
	// A completed job is nobody's to renew.
	must(t, s.CompleteJob(ctx, d[0], "node-d"))
	if renew(d[0], "node-d") {
		t.Fatal("renewed a completed job")
	}
}

func testOfflineTimer(t *testing.T, s chat.Store) {
	f := setup(t, s, "away")
	clk := withClock(t, s)
	must(t, s.ScheduleJob(ctx, chat.Job{Kind: chat.JobOffline, WorkspaceID: f.ws.ID, RefID: f.a1.AgentID, DueAt: clk.Now().Add(5 * time.Minute)}))
	// A heartbeat moves it on.
	clk.advance(4 * time.Minute)
	must(t, s.ScheduleJob(ctx, chat.Job{Kind: chat.JobOffline, WorkspaceID: f.ws.ID, RefID: f.a1.AgentID, DueAt: clk.Now().Add(5 * time.Minute)}))
	clk.advance(4 * time.Minute)
	jobs, err := s.ClaimJobs(ctx, "n", clk.Now(), time.Minute, 10)
	must(t, err)
	if len(jobs) != 0 {
		t.Fatalf("claimed %+v before due", jobs)
	}
	clk.advance(2 * time.Minute)
	jobs, err = s.ClaimJobs(ctx, "n", clk.Now(), time.Minute, 10)
	must(t, err)
	if len(jobs) != 1 {
		t.Fatalf("claimed %+v", jobs)
	}
	// A job cancelled after its claim does nothing.
	must(t, s.CancelJob(ctx, chat.JobOffline, f.ws.ID, f.a2.AgentID)) // not scheduled: harmless
	events, err := runJob(s, jobs[0], "n")
	must(t, err)
	m, err := s.Member(ctx, f.ws.ID, f.a1.AgentID)
	must(t, err)
	if m.Status != chat.StatusOffline || len(events) != 1 || events[0].Type != chat.EventAgentStatus {
		t.Fatalf("after the offline timer: %+v, %+v", m, events)
	}
	// Failures are recorded and retried after the lease.
	must(t, s.ScheduleJob(ctx, chat.Job{Kind: "bogus", WorkspaceID: f.ws.ID, RefID: 1, DueAt: clk.Now()}))
	jobs, err = s.ClaimJobs(ctx, "n", clk.Now(), time.Minute, 10)
	must(t, err)
	if len(jobs) != 1 {
		t.Fatalf("claimed %+v", jobs)
	}
	if _, err := runJob(s, jobs[0], "n"); err == nil {
		t.Fatal("unknown job kind ran")
	}
	must(t, s.FailJob(ctx, jobs[0], fmt.Errorf("boom")))
	clk.advance(time.Minute + time.Second)
	jobs, err = s.ClaimJobs(ctx, "n", clk.Now(), time.Minute, 10)
	must(t, err)
	if len(jobs) != 1 || jobs[0].Attempts != 2 {
		t.Fatalf("retry %+v", jobs)
	}
	// A node that stops in the middle hands the job back: another claims
	// it at once, and the interrupted run is no attempt. Another node's
	// release of it changes nothing.
	must(t, s.ReleaseJob(ctx, jobs[0], "m"))
	if again, err := s.ClaimJobs(ctx, "m", clk.Now(), time.Minute, 10); err != nil || len(again) != 0 {
		t.Fatalf("claimed %+v (%v) while n held it", again, err)
	}
	must(t, s.ReleaseJob(ctx, jobs[0], "n"))
	jobs, err = s.ClaimJobs(ctx, "m", clk.Now(), time.Minute, 10)
	must(t, err)
	if len(jobs) != 1 || jobs[0].Attempts != 2 {
		t.Fatalf("after n released it: %+v", jobs)
	}
}

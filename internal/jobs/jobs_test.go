package jobs_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sodam-chat/sodam/internal/app"
	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/jobs"
	"github.com/sodam-chat/sodam/internal/metrics"
	"github.com/sodam-chat/sodam/internal/store/sqldb"
	"github.com/sodam-chat/sodam/internal/store/sqlite"
)

var ctx = context.Background()

// events collects what the runner publishes.
type events struct {
	mu  sync.Mutex
	all []chat.Event
}

func (e *events) Publish(_ context.Context, evs []chat.Event) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.all = append(e.all, evs...)
}

func (e *events) count(typ chat.EventType) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	n := 0
	for _, ev := range e.all {
		if ev.Type == typ {
			n++
		}
	}
	return n
}

type world struct {
	db    *sqldb.DB
	now   time.Time
	ws    *chat.Workspace
	agent chat.Actor
}

func (w *world) clock() time.Time { return w.now }

func open(t *testing.T, path string, w *world) *sqldb.DB {
	t.Helper()
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	db.SetClock(w.clock)
	t.Cleanup(func() { db.Close() })
	return db
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// setup makes a workspace with a 10-minute inactivity timeout and an agent
// in an active conversation, whose reply started the timer at w.now.
func setup(t *testing.T, db *sqldb.DB, w *world) chat.Conversation {
	t.Helper()
	w.ws = &chat.Workspace{SiteID: "jobs", Name: "jobs", IdentitySecret: "s", Settings: chat.DefaultSettings()}
	w.ws.Settings.InactivityTimeoutMinutes = 10
	must(t, db.CreateWorkspace(ctx, w.ws))
	a := &chat.Agent{Email: "kim@example.com", Name: "kim", PasswordHash: "x"}
	must(t, db.CreateAgent(ctx, a))
	must(t, db.AddMember(ctx, chat.Member{WorkspaceID: w.ws.ID, AgentID: a.ID, Role: chat.RoleAgent, Status: chat.StatusOnline}))
	w.agent = chat.Actor{Kind: chat.SenderAgent, AgentID: a.ID, Role: chat.RoleAgent, Status: chat.StatusOnline}
	cu := &chat.Customer{WorkspaceID: w.ws.ID, ExternalID: "c1"}
	must(t, db.UpsertCustomer(ctx, cu))
	c, _, err := app.New(db, &events{}, nil).StartConversation(ctx, w.ws.ID, cu.ID, chat.ChannelWeb, "ko", "")
	must(t, err)
	_, _, err = db.Take(ctx, w.ws.ID, c.ID, w.agent)
	must(t, err)
	_, _, _, err = db.AppendMessage(ctx, w.ws.ID, c.ID, w.agent, chat.NewMessage{ClientMsgID: "a1", Body: "안녕하세요"})
	must(t, err)
	return c
}

func runner(db *sqldb.DB, w *world, pub *events, node string) *jobs.Runner {
	a := app.New(db, pub, nil)
	return &jobs.Runner{Store: db, Commit: a, Handlers: a.Jobs(), Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Node: node,
		Every: time.Hour, Lease: time.Minute, Now: w.clock}
}

// TestTimerFiresOnce moves an injected clock past the inactivity timeout:
// the runner closes the conversation once, however often it looks.
func TestTimerFiresOnce(t *testing.T) {
	w := &world{now: time.Date(2026, 11, 23, 1, 0, 0, 0, time.UTC)}
	db := open(t, filepath.Join(t.TempDir(), "sodam.db"), w)
	c := setup(t, db, w)
	pub := &events{}
	a, b := runner(db, w, pub, "node-a"), runner(db, w, pub, "node-b")
	w.now = w.now.Add(9 * time.Minute)
	if n := a.RunDue(ctx); n != 0 {
		t.Fatalf("%d jobs ran early", n)
	}
	w.now = w.now.Add(2 * time.Minute)
	// Two nodes look at once: one runs it.
	var wg sync.WaitGroup
	ran := make([]int, 2)
	for i, r := range []*jobs.Runner{a, b} {
		wg.Go(func() { ran[i] = r.RunDue(ctx) })
	}
	wg.Wait()
	if ran[0]+ran[1] != 1 || a.RunDue(ctx)+b.RunDue(ctx) != 0 {
		t.Fatalf("ran %v, then more", ran)
	}
	got, err := db.Conversation(ctx, w.ws.ID, c.ID)
	must(t, err)
	if got.State != chat.StateClosed || got.CloseReason != chat.CloseByInactivity || pub.count(chat.EventConversationClosed) != 1 {
		t.Fatalf("after the timeout: %+v, %d close events", got, pub.count(chat.EventConversationClosed))
	}
}

// TestTimerSurvivesRestart: a job due while no node was running fires once
// when one starts.
func TestTimerSurvivesRestart(t *testing.T) {
	w := &world{now: time.Date(2026, 11, 23, 1, 0, 0, 0, time.UTC)}
	path := filepath.Join(t.TempDir(), "sodam.db")
	db := open(t, path, w)
	c := setup(t, db, w)
	must(t, db.Close()) // the node stops; an hour passes
	w.now = w.now.Add(time.Hour)

	db = open(t, path, w)
	pub := &events{}
	r := runner(db, w, pub, "restarted")
	r.Every = 10 * time.Millisecond
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); r.Run(runCtx) }()
	deadline := time.Now().Add(5 * time.Second)
	for pub.count(chat.EventConversationClosed) == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	<-done
	// More rounds find nothing left to run.
	for range 3 {
		if n := r.RunDue(ctx); n != 0 {
			t.Fatalf("%d jobs ran again", n)
		}
	}
	got, err := db.Conversation(ctx, w.ws.ID, c.ID)
	must(t, err)
	if got.State != chat.StateClosed || pub.count(chat.EventConversationClosed) != 1 {
		t.Fatalf("after restart: %+v, %d close events", got, pub.count(chat.EventConversationClosed))
	}
}

// TestAutoOffline: an agent whose consoles stopped renewing the timer goes
// offline when it is due.
func TestAutoOffline(t *testing.T) {
	w := &world{now: time.Date(2026, 11, 23, 1, 0, 0, 0, time.UTC)}
	db := open(t, filepath.Join(t.TempDir(), "sodam.db"), w)
	setup(t, db, w)
	pub := &events{}
	r := runner(db, w, pub, "n")
	r.Metrics = metrics.New(slog.New(slog.DiscardHandler))
	must(t, db.ScheduleJob(ctx, chat.Job{Kind: chat.JobOffline, WorkspaceID: w.ws.ID, RefID: w.agent.AgentID, DueAt: w.now.Add(5 * time.Minute)}))
	w.now = w.now.Add(6 * time.Minute)
	r.RunDue(ctx)
	m, err := db.Member(ctx, w.ws.ID, w.agent.AgentID)
	must(t, err)
	if m.Status != chat.StatusOffline || pub.count(chat.EventAgentStatus) != 1 {
		t.Fatalf("member %+v after the auto-offline timer", m)
	}
	// It ran a minute late (the inactivity timer is not due yet).
	rec := httptest.NewRecorder()
	r.Metrics.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if body := rec.Body.String(); !strings.Contains(body, "sodam_job_lag_seconds_count 1\n") || !strings.Contains(body, "sodam_job_lag_seconds_sum 60\n") {
		t.Fatalf("job lag not recorded:\n%s", body)
	}
}

// TestOutsideTransaction: a handler that runs outside any transaction (a
// delivery) completes its job when it succeeds; a failure leaves the job
// to run again after its lease; a job rescheduled while it ran stays.
func TestOutsideTransaction(t *testing.T) {
	w := &world{now: time.Date(2026, 11, 23, 1, 0, 0, 0, time.UTC)}
	db := open(t, filepath.Join(t.TempDir(), "sodam.db"), w)
	c := setup(t, db, w)
	must(t, db.CancelJob(ctx, chat.JobInactivity, w.ws.ID, c.ID)) // only deliveries here
	r := runner(db, w, &events{}, "n")
	var runs []int64
	fail := true
	r.Handlers["delivery"] = jobs.Handler{Run: func(_ context.Context, j chat.Job) error {
		runs = append(runs, j.RefID)
		if j.RefID == 2 && fail {
			fail = false
			return errors.New("receiver down")
		}
		if j.RefID == 3 && len(runs) < 5 {
			// Something moved the job while it ran: it is not done.
			return db.ScheduleJob(ctx, chat.Job{Kind: "delivery", WorkspaceID: w.ws.ID, RefID: 3, DueAt: w.now.Add(time.Hour)})
		}
		return nil
	}}
	for id := int64(1); id <= 3; id++ {
		must(t, db.ScheduleJob(ctx, chat.Job{Kind: "delivery", WorkspaceID: w.ws.ID, RefID: id, DueAt: w.now}))
	}
	if n := r.RunDue(ctx); n != 2 || len(runs) != 3 {
		t.Fatalf("first round: %d succeeded, ran %v", n, runs)
	}
	// Within the lease nothing runs again; after it, the failed one does.
	if n := r.RunDue(ctx); n != 0 {
		t.Fatalf("%d ran again within the lease", n)
	}
	w.now = w.now.Add(2 * time.Minute)
	if n := r.RunDue(ctx); n != 1 || runs[len(runs)-1] != 2 {
		t.Fatalf("after the lease: %d ran, runs %v", n, runs)
	}
	// The rescheduled one runs at its new time, once.
	w.now = w.now.Add(time.Hour)
	if n := r.RunDue(ctx); n != 1 || runs[len(runs)-1] != 3 {
		t.Fatalf("rescheduled job: %d ran, runs %v", n, runs)
	}
	if n := r.RunDue(ctx); n != 0 {
		t.Fatalf("%d ran after every job completed", n)
	}
}

// TestUnknownKind: a job no handler knows fails and stays for a node that
// knows it (a newer version during a rolling upgrade).
func TestUnknownKind(t *testing.T) {
	w := &world{now: time.Date(2026, 11, 23, 1, 0, 0, 0, time.UTC)}
	db := open(t, filepath.Join(t.TempDir(), "sodam.db"), w)
	setup(t, db, w)
	r := runner(db, w, &events{}, "n")
	must(t, db.ScheduleJob(ctx, chat.Job{Kind: "from-the-future", WorkspaceID: w.ws.ID, RefID: 1, DueAt: w.now}))
	if n := r.RunDue(ctx); n != 0 {
		t.Fatalf("%d jobs of an unknown kind ran", n)
	}
	w.now = w.now.Add(2 * time.Minute)
	r.Handlers["from-the-future"] = jobs.Handler{Run: func(context.Context, chat.Job) error { return nil }}
	if n := r.RunDue(ctx); n != 1 {
		t.Fatalf("%d ran once a handler knew the kind", n)
	}
}

// TestLeaseRunsOutInBatch: a runner claims a batch of jobs and carries them
// out one after another. When the first ones are slow (a mail server that
// takes its time), the claim on the rest runs out, and another node claims
// and runs them meanwhile; the first runner then ran them again — a reply
// emailed twice. A job outside a transaction whose claim is half gone is
// left to be claimed again instead: each job runs once.
func TestLeaseRunsOutInBatch(t *testing.T) {
	w := &world{now: time.Date(2026, 11, 23, 1, 0, 0, 0, time.UTC)}
	db := open(t, filepath.Join(t.TempDir(), "sodam.db"), w)
	c := setup(t, db, w)
	must(t, db.CancelJob(ctx, chat.JobInactivity, w.ws.ID, c.ID))
	a, b := runner(db, w, &events{}, "a"), runner(db, w, &events{}, "b")
	runs := map[int64][]string{}
	handler := func(node string) jobs.Handler {
		return jobs.Handler{Run: func(_ context.Context, j chat.Job) error {
			runs[j.RefID] = append(runs[j.RefID], node)
			if node == "a" {
				// Slow, each well within the lease (as a mail server's
				// timeout is), but together past it.
				w.now = w.now.Add(20 * time.Second)
				if j.RefID == 3 {
					// Past a's claim now: b, on its own tick, claims what
					// a is doing.
					w.now = w.now.Add(5 * time.Second)
					b.RunDue(ctx)
				}
			}
			return nil
		}}
	}
	a.Handlers["delivery"], b.Handlers["delivery"] = handler("a"), handler("b")
	for id := int64(1); id <= 3; id++ {
		must(t, db.ScheduleJob(ctx, chat.Job{Kind: "delivery", WorkspaceID: w.ws.ID, RefID: id, DueAt: w.now.Add(time.Duration(id-4) * time.Millisecond)}))
	}
	a.RunDue(ctx)
	w.now = w.now.Add(2 * time.Minute)
	a.RunDue(ctx)
	b.RunDue(ctx)
	for id := int64(1); id <= 3; id++ {
		if len(runs[id]) != 1 {
			t.Errorf("job %d ran on %v", id, runs[id])
		}
	}
}

// TestLongJobLetsTimersRun: an export of a large history takes minutes,
// and the runner carried its jobs out one after another: while it wrote,
// no conversation of the node closed for inactivity and no absent agent
// went offline (on one node, nowhere). A Long job runs beside the
// timers now, and is still completed once it ends.
func TestLongJobLetsTimersRun(t *testing.T) {
	w := &world{now: time.Date(2026, 11, 23, 1, 0, 0, 0, time.UTC)}
	db := open(t, filepath.Join(t.TempDir(), "sodam.db"), w)
	c := setup(t, db, w)
	clock, advance := sharedClock(db, w)
	pub := &events{}
	r := runner(db, w, pub, "n")
	r.Every, r.Now = 5*time.Millisecond, clock
	release, started := make(chan struct{}), make(chan struct{})
	r.Handlers["export"] = jobs.Handler{Long: true, Run: func(ctx context.Context, _ chat.Job) error {
		close(started)
		select {
		case <-release:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}}
	// The export is due first; the inactivity timer (10 minutes after the
	// agent's reply) comes due while it runs.
	must(t, db.ScheduleJob(ctx, chat.Job{Kind: "export", WorkspaceID: w.ws.ID, RefID: 1, DueAt: clock().Add(time.Minute)}))
	advance(time.Minute)
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { r.Run(runCtx); close(done) }()
	defer func() { stop(); <-done }()
	<-started
	advance(10 * time.Minute)
	deadline := time.Now().Add(5 * time.Second)
	for pub.count(chat.EventConversationClosed) == 0 {
		if time.Now().After(deadline) {
			close(release)
			t.Fatal("the inactivity timer did not run while the export ran")
		}
		time.Sleep(5 * time.Millisecond)
	}
	got, err := db.Conversation(ctx, w.ws.ID, c.ID)
	must(t, err)
	if got.CloseReason != chat.CloseByInactivity {
		t.Fatalf("closed with %q", got.CloseReason)
	}
	close(release)
	// The export's job is completed: claimed as the runner's own (which
	// its completion still deletes), an hour later each time, until none
	// is left.
	for i := 1; ; i++ {
		left, err := db.ClaimJobs(ctx, "n", clock().Add(time.Duration(i)*time.Hour), time.Minute, 10)
		must(t, err)
		if len(left) == 0 {
			break
		}
		if time.Now().After(deadline.Add(5 * time.Second)) {
			t.Fatalf("the export's job is left after it ended: %+v", left)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// sharedClock returns a clock starting at w.now that the runner may read
// on its own goroutines while the test moves it on, and sets it as db's.
func sharedClock(db *sqldb.DB, w *world) (clock func() time.Time, advance func(time.Duration)) {
	var mu sync.Mutex
	now := w.now
	clock = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance = func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	db.SetClock(clock)
	return clock, advance
}

// watched is the runners' store that tells of each renewal of a claim and
// each completion, counts claims and records failures, and holds renewals
// back while frozen (a node whose process stopped: a paused VM).
type watched struct {
	chat.Jobs
	renewed   chan bool
	completed chan struct{}
	frozen    chan struct{} // closed to thaw; nil: never frozen
	mu        sync.Mutex
	claims    int
	failed    []error
}

func (s *watched) ClaimJobs(ctx context.Context, node string, now time.Time, lease time.Duration, limit int) ([]chat.Job, error) {
	jobs, err := s.Jobs.ClaimJobs(ctx, node, now, lease, limit)
	s.mu.Lock()
	s.claims += len(jobs)
	s.mu.Unlock()
	return jobs, err
}

func (s *watched) claimed() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.claims
}

func (s *watched) CompleteJob(ctx context.Context, j chat.Job, node string) error {
	err := s.Jobs.CompleteJob(ctx, j, node)
	s.completed <- struct{}{}
	return err
}

func (s *watched) RenewJob(ctx context.Context, j chat.Job, node string, now time.Time, lease time.Duration) (bool, error) {
	if s.frozen != nil {
		<-s.frozen
	}
	ok, err := s.Jobs.RenewJob(ctx, j, node, now, lease)
	if err == nil {
		s.renewed <- ok
	}
	return ok, err
}

func (s *watched) failures() []error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.failed
}

func (s *watched) FailJob(ctx context.Context, j chat.Job, cause error) error {
	s.mu.Lock()
	s.failed = append(s.failed, cause)
	s.mu.Unlock()
	return s.Jobs.FailJob(ctx, j, cause)
}

// longJob starts runner a on an export job that runs until release is
// closed or its context ends, with its cause, and a second runner b whose
// export handler counts its runs; stop stops a and waits for it.
func longJob(t *testing.T, frozen chan struct{}) (b *jobs.Runner, store *watched, advance func(time.Duration), release chan struct{}, ended chan error, bRuns *int, stop func()) {
	t.Helper()
	w := &world{now: time.Date(2026, 11, 23, 1, 0, 0, 0, time.UTC)}
	db := open(t, filepath.Join(t.TempDir(), "sodam.db"), w)
	c := setup(t, db, w)
	must(t, db.CancelJob(ctx, chat.JobInactivity, w.ws.ID, c.ID)) // only the export here
	clock, advance := sharedClock(db, w)
	store = &watched{Jobs: db, renewed: make(chan bool, 16), completed: make(chan struct{}, 4), frozen: frozen}
	a, b := runner(db, w, &events{}, "a"), runner(db, w, &events{}, "b")
	a.Store, b.Store, a.Every, a.Now, b.Now = store, store, 5*time.Millisecond, clock, clock
	release, ended, started := make(chan struct{}), make(chan error, 1), make(chan struct{})
	a.Handlers["export"] = jobs.Handler{Long: true, Run: func(ctx context.Context, _ chat.Job) error {
		close(started)
		select {
		case <-release:
			ended <- nil
			return nil
		case <-ctx.Done():
			ended <- context.Cause(ctx)
			return ctx.Err()
		}
	}}
	bRuns = new(int)
	b.Handlers["export"] = jobs.Handler{Long: true, Run: func(context.Context, chat.Job) error { *bRuns++; return nil }}
	must(t, db.ScheduleJob(ctx, chat.Job{Kind: "export", WorkspaceID: w.ws.ID, RefID: 1, DueAt: clock()}))
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { a.Run(runCtx); close(done) }()
	stop = sync.OnceFunc(func() { cancel(); <-done })
	t.Cleanup(stop)
	select {
	case <-started:
	case <-time.After(5 * time.Second):
		t.Fatal("the export did not start")
	}
	return b, store, advance, release, ended, bRuns, stop
}

// TestLongJobKeepsItsLease: an export of a large history outlasts the
// runner's lease. Once the lease ran out, another node (or this one)
// claimed the job again, every lease for as long as the export ran: the
// export refused, being written, and each claim was logged and recorded
// as a failure. The runner renews the claim while the job runs now:
// nobody claims it again, for two leases and more, and it completes once.
func TestLongJobKeepsItsLease(t *testing.T) {
	b, store, advance, release, ended, bRuns, stop := longJob(t, nil)
	for round := range 4 { // two minutes: two leases
		advance(30 * time.Second)
		select {
		case ok := <-store.renewed:
			if !ok {
				t.Fatalf("round %d: the runner lost its own claim", round)
			}
		case <-time.After(2 * time.Second):
			// No renewal: b's look below tells whether the claim held.
		}
		if n := b.RunDue(ctx); n != 0 || *bRuns != 0 || store.claimed() != 1 {
			t.Fatalf("round %d: the running export was claimed again (%d claims, %d ran on b)", round, store.claimed(), *bRuns)
		}
	}
	close(release)
	if err := <-ended; err != nil {
		t.Fatalf("the export ended with %v", err)
	}
	select {
	case <-store.completed:
	case <-time.After(5 * time.Second):
		t.Fatal("the export's job was not completed")
	}
	stop()
	advance(2 * time.Minute)
	if n := b.RunDue(ctx); n != 0 || *bRuns != 0 || len(store.failures()) != 0 {
		t.Fatalf("after the export: %d ran on b, failures %v", *bRuns, store.failures())
	}
}

// TestFrozenLongJobIsTakenOver: a node that stops mid-export (its process
// frozen) renews nothing, so after a lease another node takes the job
// over and runs it. The first node, waking up, learns from its renewal
// that the job is no longer its own: its run is cancelled with
// ErrLeaseLost and not recorded as the job's failure.
func TestFrozenLongJobIsTakenOver(t *testing.T) {
	thaw := make(chan struct{})
	b, store, advance, _, ended, bRuns, stop := longJob(t, thaw)
	advance(30 * time.Second) // a's renewal is due, and hangs
	if n := b.RunDue(ctx); n != 0 {
		t.Fatalf("%d jobs claimed within the lease", n)
	}
	advance(31 * time.Second)
	if n := b.RunDue(ctx); n != 1 || *bRuns != 1 {
		t.Fatalf("a lease after the node froze, %d ran on b", *bRuns)
	}
	close(thaw)
	select {
	case err := <-ended:
		if !errors.Is(err, jobs.ErrLeaseLost) {
			t.Fatalf("the frozen node's export ended with %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the frozen node's export went on after another node took it over")
	}
	if ok := <-store.renewed; ok {
		t.Fatal("the frozen node renewed a job another node took over")
	}
	stop()
	if f := store.failures(); len(f) != 0 {
		t.Fatalf("failures recorded: %v", f)
	}
}

// TestStoppingNodeHandsJobOver: a node shut down in the middle of an
// export cancels it, and used to record that as the job's failure (with
// the cancelled context, which failed too) and leave its claim to run
// out: the export waited a lease for another node. It hands the job back
// now: another node claims and runs it at once, and no failure is
// recorded.
func TestStoppingNodeHandsJobOver(t *testing.T) {
	b, store, _, _, ended, bRuns, stop := longJob(t, nil)
	stop()
	if err := <-ended; !errors.Is(err, context.Canceled) {
		t.Fatalf("the stopped node's export ended with %v", err)
	}
	if n := b.RunDue(ctx); n != 1 || *bRuns != 1 {
		t.Fatalf("right after the node stopped, %d jobs ran on b (%d exports)", n, *bRuns)
	}
	if f := store.failures(); len(f) != 0 {
		t.Fatalf("failures recorded: %v", f)
	}
}

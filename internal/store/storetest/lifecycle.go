package storetest

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/sodam-chat/sodam/internal/chat"
)

// lifecycleTests cover §2, §3, §5.5, §6 and §7.1: flags, wrap-up, transfer,
// routing, timers, blocking and tickets.
var lifecycleTests = []struct {
	name string
	fn   func(*testing.T, chat.Store)
}{
	{"HoldAndImportant", testHoldAndImportant},
	{"CustomerLeavesForWrapUp", testCustomerLeaves},
	{"Transfer", testTransfer},
	{"OperationStopped", testOperationStopped},
	{"AutoRouting", testAutoRouting},
	{"StickyRouting", testStickyRouting},
	{"ManualAndHybridTake", testTakeModes},
	{"InactivityTimer", testInactivityTimer},
	{"JobLeases", testJobLeases},
	{"OfflineTimer", testOfflineTimer},
	{"Block", testBlock},
	{"Tickets", testTickets},
	{"RoutingUnderConcurrency", testRoutingConcurrency},
}

// clock is a settable time source for stores that accept one.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) advance(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	return c.now
}

// withClock gives s a clock the test moves by hand.
func withClock(t *testing.T, s chat.Store) *clock {
	t.Helper()
	cs, ok := s.(interface{ SetClock(func() time.Time) })
	if !ok {
		t.Fatalf("%T has no SetClock", s)
	}
	c := &clock{now: time.Date(2026, 11, 23, 1, 0, 0, 0, time.UTC)}
	cs.SetClock(c.Now)
	return c
}

func settings(t *testing.T, s chat.Store, ws *chat.Workspace, f func(*chat.Settings)) {
	t.Helper()
	f(&ws.Settings)
	must(t, ws.Settings.Validate())
	_, err := s.UpdateWorkspace(ctx, ws)
	must(t, err)
}

func conv(t *testing.T, s chat.Store, ws, id int64) chat.Conversation {
	t.Helper()
	c, err := s.Conversation(ctx, ws, id)
	must(t, err)
	return *c
}

// active opens a conversation for a new customer, gives it to agent and
// lets the agent answer, so it is active.
func active(t *testing.T, s chat.Store, f fixture, customer string, agent chat.Actor) chat.Conversation {
	t.Helper()
	cu := newCustomer(t, s, f.ws, customer)
	c, _, err := openConversation(s, f.ws.ID, cu.ID, chat.ChannelWeb)
	must(t, err)
	_, _, err = s.Take(ctx, f.ws.ID, c.ID, agent)
	must(t, err)
	send(t, s, f.ws.ID, c.ID, agent, "hello-"+customer, "안녕하세요")
	return conv(t, s, f.ws.ID, c.ID)
}

func testHoldAndImportant(t *testing.T, s chat.Store) {
	f := setup(t, s, "flags")
	c := f.open(t, s)
	_, _, err := s.Take(ctx, f.ws.ID, c.ID, f.a1)
	must(t, err)
	_, _, err = s.SetHold(ctx, f.ws.ID, c.ID, f.a1, true)
	wantCode(t, err, chat.ErrHoldNeedsActive)
	send(t, s, f.ws.ID, c.ID, f.a1, "a1", "확인해 보겠습니다")

	_, _, err = s.SetHold(ctx, f.ws.ID, c.ID, f.a2, true)
	wantCode(t, err, chat.ErrNotAssignee)
	held, events, err := s.SetHold(ctx, f.ws.ID, c.ID, f.a1, true)
	must(t, err)
	if !held.OnHold || len(events) != 1 || events[0].Type != chat.EventConversationUpdated ||
		events[0].Message.Body != chat.SystemHeld || !events[0].Message.Internal {
		t.Fatalf("hold: %+v %+v", held, events)
	}
	err = sendErr(s, f.ws.ID, c.ID, f.a1, "a2", "still there?")
	wantCode(t, err, chat.ErrOnHold)
	send(t, s, f.ws.ID, c.ID, chat.VisitorActor, "v1", "네") // the customer may still write
	_, events, err = s.SetHold(ctx, f.ws.ID, c.ID, f.a1, true)
	must(t, err)
	if len(events) != 0 {
		t.Fatalf("holding a held conversation wrote %+v", events)
	}

	flagged, events, err := s.SetImportant(ctx, f.ws.ID, c.ID, f.manager, true)
	must(t, err)
	if !flagged.Important || len(events) != 1 {
		t.Fatalf("important: %+v %+v", flagged, events)
	}
	_, _, err = s.SetImportant(ctx, f.ws.ID, c.ID, f.a2, false)
	wantCode(t, err, chat.ErrNotAssignee)

	// Filters: all / important / on hold / both.
	other := active(t, s, f, "other", f.a1)
	_, _, err = s.SetImportant(ctx, f.ws.ID, other.ID, f.a1, true)
	must(t, err)
	yes, no := true, false
	for _, tc := range []struct {
		name string
		f    chat.ConversationFilter
		want []int64
	}{
		{"important", chat.ConversationFilter{Important: &yes}, []int64{c.ID, other.ID}},
		{"on hold", chat.ConversationFilter{OnHold: &yes}, []int64{c.ID}},
		{"both", chat.ConversationFilter{Important: &yes, OnHold: &yes}, []int64{c.ID}},
		{"important, not held", chat.ConversationFilter{Important: &yes, OnHold: &no}, []int64{other.ID}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cs, err := s.Conversations(ctx, f.ws.ID, tc.f)
			must(t, err)
			var ids []int64
			for _, c := range cs {
				ids = append(ids, c.ID)
			}
			slices.Sort(ids)
			if !slices.Equal(ids, tc.want) {
				t.Fatalf("got %v, want %v", ids, tc.want)
			}
		})
	}

	released, _, err := s.SetHold(ctx, f.ws.ID, c.ID, f.a1, false)
	must(t, err)
	if released.OnHold {
		t.Fatal("still held")
	}
	send(t, s, f.ws.ID, c.ID, f.a1, "a3", "기다려 주셔서 감사합니다")
}

func testCustomerLeaves(t *testing.T, s chat.Store) {
	f := setup(t, s, "leave")
	c := active(t, s, f, "leaver", f.a1)
	left, events, err := s.CloseConversation(ctx, f.ws.ID, c.ID, chat.VisitorActor)
	must(t, err)
	if left.State != chat.StateActive || left.CustomerLeftAt == nil || left.CloseReason != chat.CloseByCustomer ||
		len(events) != 1 || events[0].Message.Body != chat.SystemCustomerLeft {
		t.Fatalf("customer left: %+v %+v", left, events)
	}
	// Closed for the customer: sending and the current conversation are gone.
	wantCode(t, sendErr(s, f.ws.ID, c.ID, chat.VisitorActor, "late", "hi"), chat.ErrConversationClosed)
	wantCode(t, sendErr(s, f.ws.ID, c.ID, f.a1, "late", "hi"), chat.ErrCustomerLeft)
	cu := c.CustomerID
	_, err = s.CurrentConversation(ctx, f.ws.ID, cu, chat.ChannelWeb)
	wantCode(t, err, chat.ErrConversationNotFound)
	// The customer can start anew while the agent wraps up.
	next, _, err := openConversation(s, f.ws.ID, cu, chat.ChannelWeb)
	must(t, err)
	if next.ID == c.ID {
		t.Fatal("resumed a conversation the customer left")
	}
	// Still in the agent's list until they end it.
	mine, err := s.Conversations(ctx, f.ws.ID, chat.ConversationFilter{AssigneeID: f.a1.AgentID, State: chat.StateActive})
	must(t, err)
	if len(mine) != 1 || mine[0].ID != c.ID {
		t.Fatalf("agent's active list %+v", mine)
	}
	ended, events, err := s.CloseConversation(ctx, f.ws.ID, c.ID, f.a1)
	must(t, err)
	if ended.State != chat.StateClosed || ended.CloseReason != chat.CloseByCustomer || !ended.Processed ||
		events[0].Type != chat.EventConversationClosed {
		t.Fatalf("wrap-up end: %+v %+v", ended, events)
	}
	// A conversation nobody answered closes unprocessed.
	cu2 := newCustomer(t, s, f.ws, "quiet")
	q, _, err := openConversation(s, f.ws.ID, cu2.ID, chat.ChannelWeb)
	must(t, err)
	q, _, err = s.CloseConversation(ctx, f.ws.ID, q.ID, chat.VisitorActor)
	must(t, err)
	if q.State != chat.StateClosed || q.Processed || q.CustomerLeftAt != nil {
		t.Fatalf("abandoned conversation %+v", q)
	}
}

func testTransfer(t *testing.T, s chat.Store) {
	f := setup(t, s, "xfer")
	offline := newMember(t, s, f.ws, "park", chat.RoleAgent, chat.StatusOffline)
	foreign := setup(t, s, "xfer2").a1
	c := active(t, s, f, "cust", f.a1)
	seq := lastSeq(t, s, f.ws.ID)
	for _, tc := range []struct {
		name  string
		actor chat.Actor
		to    int64
		code  string
	}{
		{"to an offline agent", f.a1, offline.AgentID, chat.ErrAgentNotOnline},
		{"to another workspace's agent", f.a1, foreign.AgentID, chat.ErrAgentNotFound},
		{"to an unknown agent", f.a1, 999999, chat.ErrAgentNotFound},
		{"by a colleague", f.a2, f.manager.AgentID, chat.ErrNotAssignee},
		{"to the same agent", f.a1, f.a1.AgentID, chat.ErrInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := s.Transfer(ctx, f.ws.ID, c.ID, tc.actor, tc.to, "")
			wantCode(t, err, tc.code)
		})
	}
	if lastSeq(t, s, f.ws.ID) != seq {
		t.Fatal("refused transfers wrote events")
	}
	moved, events, err := s.Transfer(ctx, f.ws.ID, c.ID, f.a1, f.a2.AgentID, "배송 담당자에게 넘깁니다")
	must(t, err)
	if moved.AssigneeID != f.a2.AgentID || moved.State != chat.StateWaiting || len(moved.AgentPath) != 2 ||
		moved.AgentPath[0].Name != "kim" || moved.AgentPath[1].Name != "lee" {
		t.Fatalf("transferred %+v", moved)
	}
	m := events[0].Message
	if events[0].Type != chat.EventConversationTransferred || m.Body != chat.SystemTransferred ||
		m.Meta["from"] != "kim" || m.Meta["to"] != "lee" || m.Meta["reason"] != "배송 담당자에게 넘깁니다" || events[0].PrevAssigneeID != f.a1.AgentID {
		t.Fatalf("transfer event %+v %+v", events[0], m)
	}
	wantCode(t, sendErr(s, f.ws.ID, c.ID, f.a1, "old", "hi"), chat.ErrNotAssignee)
	// A manager transfers anyone's.
	back, _, err := s.Transfer(ctx, f.ws.ID, c.ID, f.manager, f.a1.AgentID, "")
	must(t, err)
	if len(back.AgentPath) != 3 || back.AgentPath[2].AgentID != f.a1.AgentID {
		t.Fatalf("path %+v", back.AgentPath)
	}
	// Nobody receives a sixth waiting conversation.
	for i := range chat.MaxWaiting {
		cu := newCustomer(t, s, f.ws, fmt.Sprint("w", i))
		w, _, err := openConversation(s, f.ws.ID, cu.ID, chat.ChannelWeb)
		must(t, err)
		_, _, err = s.Take(ctx, f.ws.ID, w.ID, f.a2)
		must(t, err)
	}
	_, _, err = s.Transfer(ctx, f.ws.ID, c.ID, f.a1, f.a2.AgentID, "")
	wantCode(t, err, chat.ErrTooManyWaiting)
	cu := newCustomer(t, s, f.ws, "w-extra")
	w, _, err := openConversation(s, f.ws.ID, cu.ID, chat.ChannelWeb)
	must(t, err)
	_, _, err = s.Take(ctx, f.ws.ID, w.ID, f.a2)
	wantCode(t, err, chat.ErrTooManyWaiting)
}

func testOperationStopped(t *testing.T, s chat.Store) {
	f := setup(t, s, "stop")
	c := active(t, s, f, "cust", f.a1)
	settings(t, s, f.ws, func(st *chat.Settings) { st.OperationStopped = true })
	wantCode(t, sendErr(s, f.ws.ID, c.ID, f.a1, "x", "hi"), chat.ErrOperationStopped)
	send(t, s, f.ws.ID, c.ID, chat.VisitorActor, "v", "여보세요?")
	settings(t, s, f.ws, func(st *chat.Settings) { st.OperationStopped = false })
	send(t, s, f.ws.ID, c.ID, f.a1, "x", "네")
}

// routed opens a conversation for a new customer and returns it as stored
// after routing.
func routed(t *testing.T, s chat.Store, ws *chat.Workspace, customer string) chat.Conversation {
	t.Helper()
	cu := newCustomer(t, s, ws, customer)
	c, _, err := openConversation(s, ws.ID, cu.ID, chat.ChannelWeb)
	must(t, err)
	return c
}

func testAutoRouting(t *testing.T, s chat.Store) {
	ws := newWorkspace(t, s, "auto")
	settings(t, s, ws, func(st *chat.Settings) { st.AssignmentMode = chat.AssignAuto; st.DefaultCapacity = 1 })
	kim := newMember(t, s, ws, "kim", chat.RoleAgent, chat.StatusOnline)
	lee := newMember(t, s, ws, "lee", chat.RoleAgent, chat.StatusAway)

	c1 := routed(t, s, ws, "c1")
	if c1.State != chat.StateWaiting || c1.AssigneeID != kim.AgentID {
		t.Fatalf("c1 %+v", c1)
	}
	c2, c3 := routed(t, s, ws, "c2"), routed(t, s, ws, "c3")
	if c2.State != chat.StateUnassigned || c3.State != chat.StateUnassigned {
		t.Fatalf("over capacity: c2 %s c3 %s", c2.State, c3.State)
	}
	pos := func(c chat.Conversation) int {
		n, err := s.QueuePosition(ctx, ws.ID, c.ID)
		must(t, err)
		return n
	}
	if pos(c1) != 0 || pos(c2) != 1 || pos(c3) != 2 {
		t.Fatalf("queue positions %d %d %d", pos(c1), pos(c2), pos(c3))
	}
	queued := func() int {
		n, err := s.QueueLengths(ctx)
		must(t, err)
		return n[ws.ID]
	}
	if queued() != 2 {
		t.Fatalf("queue length %d, want 2", queued())
	}
	// An agent coming online takes the first in the queue.
	_, events, err := s.SetAgentStatus(ctx, ws.ID, lee.AgentID, chat.StatusOnline)
	must(t, err)
	if got := conv(t, s, ws.ID, c2.ID); got.AssigneeID != lee.AgentID {
		t.Fatalf("c2 after lee came online %+v (events %+v)", got, events)
	}
	if pos(c3) != 1 || queued() != 1 {
		t.Fatalf("c3 at %d, queue length %d", pos(c3), queued())
	}
	// A close frees capacity for the next.
	_, _, err = s.CloseConversation(ctx, ws.ID, c1.ID, kim)
	must(t, err)
	if got := conv(t, s, ws.ID, c3.ID); got.AssigneeID != kim.AgentID || got.State != chat.StateWaiting {
		t.Fatalf("c3 after close %+v", got)
	}
	// A capacity change does too.
	c4 := routed(t, s, ws, "c4")
	if c4.State != chat.StateUnassigned {
		t.Fatalf("c4 %+v", c4)
	}
	two := 2
	_, _, err = s.SetCapacity(ctx, ws.ID, lee.AgentID, &two)
	must(t, err)
	if got := conv(t, s, ws.ID, c4.ID); got.AssigneeID != lee.AgentID {
		t.Fatalf("c4 after capacity change %+v", got)
	}
	bad := -1
	_, _, err = s.SetCapacity(ctx, ws.ID, lee.AgentID, &bad)
	wantCode(t, err, chat.ErrInvalid)
	// Ties go to the agent whose last conversation closed longest ago.
	ws2 := newWorkspace(t, s, "auto2")
	settings(t, s, ws2, func(st *chat.Settings) { st.AssignmentMode = chat.AssignHybrid; st.DefaultCapacity = 5 })
	a := newMember(t, s, ws2, "a", chat.RoleAgent, chat.StatusOnline)
	b := newMember(t, s, ws2, "b", chat.RoleAgent, chat.StatusOnline)
	for i, agent := range []chat.Actor{a, b} { // b closes last
		cu := newCustomer(t, s, ws2, fmt.Sprint("t", i))
		c, _, err := openConversation(s, ws2.ID, cu.ID, chat.ChannelWeb)
		must(t, err)
		if c.AssigneeID != agent.AgentID {
			t.Fatalf("conversation %d went to %d, want %d", i, c.AssigneeID, agent.AgentID)
		}
	}
	mineA, _ := s.Conversations(ctx, ws2.ID, chat.ConversationFilter{AssigneeID: a.AgentID})
	mineB, _ := s.Conversations(ctx, ws2.ID, chat.ConversationFilter{AssigneeID: b.AgentID})
	_, _, err = s.CloseConversation(ctx, ws2.ID, mineA[0].ID, a)
	must(t, err)
	_, _, err = s.CloseConversation(ctx, ws2.ID, mineB[0].ID, b)
	must(t, err)
	if c := routed(t, s, ws2, "tie"); c.AssigneeID != a.AgentID {
		t.Fatalf("tie went to %d, want a (%d), who closed longest ago", c.AssigneeID, a.AgentID)
	}
	// Switching a manual workspace to auto routes its queue.
	ws3 := newWorkspace(t, s, "auto3")
	newMember(t, s, ws3, "solo", chat.RoleAgent, chat.StatusOnline)
	q := routed(t, s, ws3, "q")
	if q.State != chat.StateUnassigned {
		t.Fatalf("manual mode assigned %+v", q)
	}
	settings(t, s, ws3, func(st *chat.Settings) { st.AssignmentMode = chat.AssignAuto })
	if got := conv(t, s, ws3.ID, q.ID); got.State != chat.StateWaiting {
		t.Fatalf("after switching to auto %+v", got)
	}
}

func testStickyRouting(t *testing.T, s chat.Store) {
	ws := newWorkspace(t, s, "sticky")
	clk := withClock(t, s)
	settings(t, s, ws, func(st *chat.Settings) {
		st.AssignmentMode, st.DefaultCapacity, st.Sticky, st.StickyWindowMinutes = chat.AssignAuto, 5, true, 60
	})
	kim := newMember(t, s, ws, "kim", chat.RoleAgent, chat.StatusOnline)
	lee := newMember(t, s, ws, "lee", chat.RoleAgent, chat.StatusOnline)
	regular := newCustomer(t, s, ws, "regular")
	first, _, err := openConversation(s, ws.ID, regular.ID, chat.ChannelWeb)
	must(t, err)
	if first.AssigneeID != kim.AgentID {
		t.Fatalf("first went to %d", first.AssigneeID)
	}
	_, _, err = s.CloseConversation(ctx, ws.ID, first.ID, kim)
	must(t, err)
	// Give kim more open conversations than lee.
	_, _, err = s.SetAgentStatus(ctx, ws.ID, lee.AgentID, chat.StatusAway)
	must(t, err)
	if c := routed(t, s, ws, "someone"); c.AssigneeID != kim.AgentID {
		t.Fatalf("someone went to %d", c.AssigneeID)
	}
	_, _, err = s.SetAgentStatus(ctx, ws.ID, lee.AgentID, chat.StatusOnline)
	must(t, err)
	clk.advance(30 * time.Minute)
	again, _, err := openConversation(s, ws.ID, regular.ID, chat.ChannelWeb)
	must(t, err)
	if again.AssigneeID != kim.AgentID {
		t.Fatalf("returning customer went to %d, want kim (%d)", again.AssigneeID, kim.AgentID)
	}
	_, _, err = s.CloseConversation(ctx, ws.ID, again.ID, kim)
	must(t, err)
	clk.advance(61 * time.Minute)
	late, _, err := openConversation(s, ws.ID, regular.ID, chat.ChannelWeb)
	must(t, err)
	if late.AssigneeID != lee.AgentID {
		t.Fatalf("outside the window went to %d, want lee (%d)", late.AssigneeID, lee.AgentID)
	}
}

func testTakeModes(t *testing.T, s chat.Store) {
	f := setup(t, s, "modes")
	settings(t, s, f.ws, func(st *chat.Settings) { st.AssignmentMode = chat.AssignAuto; st.DefaultCapacity = 0 })
	c := f.open(t, s) // nobody has capacity: it queues
	_, _, err := s.Take(ctx, f.ws.ID, c.ID, f.a1)
	wantCode(t, err, chat.ErrAutoAssignOnly)
	settings(t, s, f.ws, func(st *chat.Settings) { st.AssignmentMode = chat.AssignHybrid })
	got, _, err := s.Take(ctx, f.ws.ID, c.ID, f.a1)
	must(t, err)
	if got.AssigneeID != f.a1.AgentID {
		t.Fatalf("hybrid take %+v", got)
	}
}

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
}

func testBlock(t *testing.T, s chat.Store) {
	f := setup(t, s, "block")
	c := active(t, s, f, "troll", f.a1)
	_, _, err := s.BlockCustomer(ctx, f.ws.ID, c.CustomerID, "rude", "")
	wantCode(t, err, chat.ErrInvalid)
	cu, events, err := s.BlockCustomer(ctx, f.ws.ID, c.CustomerID, "abuse", "욕설 반복")
	must(t, err)
	if cu.BlockedAt == nil || cu.BlockReason != "abuse" || cu.BlockNote != "욕설 반복" {
		t.Fatalf("blocked %+v", cu)
	}
	if got := conv(t, s, f.ws.ID, c.ID); got.State != chat.StateClosed || got.CloseReason != chat.CloseByBlock || len(events) != 1 {
		t.Fatalf("conversation after block %+v, events %+v", got, events)
	}
	_, _, err = openConversation(s, f.ws.ID, c.CustomerID, chat.ChannelWeb)
	wantCode(t, err, chat.ErrCustomerBlocked)
	blocked, err := s.BlockedCustomers(ctx, f.ws.ID)
	must(t, err)
	if len(blocked) != 1 || blocked[0].ID != c.CustomerID {
		t.Fatalf("blocked list %+v", blocked)
	}
	other := setup(t, s, "block2")
	_, _, err = s.BlockCustomer(ctx, other.ws.ID, c.CustomerID, "spam", "")
	wantCode(t, err, chat.ErrNotFound)
	_, err = s.UnblockCustomer(ctx, other.ws.ID, c.CustomerID)
	wantCode(t, err, chat.ErrNotFound)
	cu, err = s.UnblockCustomer(ctx, f.ws.ID, c.CustomerID)
	must(t, err)
	if cu.BlockedAt != nil {
		t.Fatalf("still blocked %+v", cu)
	}
	_, _, err = openConversation(s, f.ws.ID, c.CustomerID, chat.ChannelWeb)
	must(t, err)
}

func testTickets(t *testing.T, s chat.Store) {
	f := setup(t, s, "tickets")
	for _, bad := range []chat.Ticket{
		{WorkspaceID: f.ws.ID, Name: "", Contact: "a@b.co", Message: "x"},
		{WorkspaceID: f.ws.ID, Name: "김", Contact: "call me", Message: "x"},
		{WorkspaceID: f.ws.ID, Name: "김", Contact: "010-1234-5678", Message: "  "},
	} {
		if _, err := s.CreateTicket(ctx, &bad); chat.ErrorCode(err) == "" {
			t.Fatalf("accepted %+v: %v", bad, err)
		}
	}
	tk := &chat.Ticket{WorkspaceID: f.ws.ID, CustomerID: f.customer.ID, Name: "홍길동", Contact: "010-1234-5678", Message: "환불 문의드립니다"}
	events, err := s.CreateTicket(ctx, tk)
	must(t, err)
	if tk.ID == 0 || tk.Status != chat.TicketOpen || len(events) != 1 || events[0].Type != chat.EventTicketCreated {
		t.Fatalf("ticket %+v, events %+v", tk, events)
	}
	open, err := s.Tickets(ctx, f.ws.ID, chat.TicketFilter{Status: chat.TicketOpen})
	must(t, err)
	if len(open) != 1 || open[0].Message != "환불 문의드립니다" {
		t.Fatalf("open tickets %+v", open)
	}
	foreign := setup(t, s, "tickets2").a1.AgentID
	_, _, err = s.UpdateTicket(ctx, f.ws.ID, tk.ID, chat.TicketPatch{AssigneeID: &foreign})
	wantCode(t, err, chat.ErrAgentNotFound)
	_, _, err = s.UpdateTicket(ctx, 999999, tk.ID, chat.TicketPatch{})
	wantCode(t, err, chat.ErrNotFound)
	bogus := chat.TicketStatus("maybe")
	_, _, err = s.UpdateTicket(ctx, f.ws.ID, tk.ID, chat.TicketPatch{Status: &bogus})
	wantCode(t, err, chat.ErrInvalid)
	solved, note, me := chat.TicketSolved, "전화로 안내 완료", f.a1.AgentID
	got, events, err := s.UpdateTicket(ctx, f.ws.ID, tk.ID, chat.TicketPatch{Status: &solved, Note: &note, AssigneeID: &me})
	must(t, err)
	if got.Status != chat.TicketSolved || got.SolvedAt == nil || got.Note != note || got.AssigneeID != me || len(events) != 1 {
		t.Fatalf("solved %+v", got)
	}
	open, err = s.Tickets(ctx, f.ws.ID, chat.TicketFilter{Status: chat.TicketOpen})
	must(t, err)
	if len(open) != 0 {
		t.Fatalf("still open: %+v", open)
	}
}

// testRoutingConcurrency: 200 conversations arrive at once while 10 agents
// change status and close chats. Afterwards nobody is over capacity or over
// five waiting, nothing was lost from the queue, and the event log shows the
// queue was served first in, first out.
func testRoutingConcurrency(t *testing.T, s chat.Store) {
	ws := newWorkspace(t, s, "rush")
	settings(t, s, ws, func(st *chat.Settings) { st.AssignmentMode = chat.AssignAuto; st.DefaultCapacity = 4 })
	var agents []chat.Actor
	for i := range 10 {
		agents = append(agents, newMember(t, s, ws, fmt.Sprint("agent", i), chat.RoleAgent, chat.StatusOnline))
	}
	customers := make([]*chat.Customer, 200)
	for i := range customers {
		customers[i] = newCustomer(t, s, ws, fmt.Sprint("c", i))
	}
	start := lastSeq(t, s, ws.ID)

	var wg sync.WaitGroup
	sem := make(chan struct{}, 20) // bounded concurrency, still contended
	for _, cu := range customers {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			c, _, err := openConversation(s, ws.ID, cu.ID, chat.ChannelWeb)
			if err != nil {
				t.Error(err)
				return
			}
			// The customer writes while queued, racing the routing that
			// may take the conversation at the same moment.
			for i := range 2 {
				_, _, _, err := s.AppendMessage(ctx, ws.ID, c.ID, chat.VisitorActor, chat.NewMessage{ClientMsgID: fmt.Sprint("v", i), Body: "계세요?"})
				if err != nil && chat.ErrorCode(err) != chat.ErrConversationClosed { // an agent may have closed it
					t.Error(err)
				}
			}
		})
	}
	// Settings change meanwhile (each change routes the queue too).
	wg.Go(func() {
		for i := range 10 {
			w := *ws
			w.Settings.Sticky = i%2 == 0
			if _, err := s.UpdateWorkspace(ctx, &w); err != nil {
				t.Error(err)
			}
		}
	})
	for i, a := range agents {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(i), 7))
			for range 15 {
				switch r.IntN(3) {
				case 0:
					st := []chat.AgentStatus{chat.StatusOnline, chat.StatusAway}[r.IntN(2)]
					if _, _, err := s.SetAgentStatus(ctx, ws.ID, a.AgentID, st); err != nil {
						t.Error(err)
					}
				default:
					mine, err := s.Conversations(ctx, ws.ID, chat.ConversationFilter{AssigneeID: a.AgentID, State: chat.StateWaiting})
					if err != nil {
						t.Error(err)
						return
					}
					if len(mine) > 0 {
						_, _, err := s.CloseConversation(ctx, ws.ID, mine[0].ID, a)
						if err != nil && chat.ErrorCode(err) != chat.ErrConversationClosed {
							t.Error(err)
						}
					}
				}
			}
			if _, _, err := s.SetAgentStatus(ctx, ws.ID, a.AgentID, chat.StatusOnline); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	_, err := s.Route(ctx, ws.ID)
	must(t, err)

	all, err := s.Conversations(ctx, ws.ID, chat.ConversationFilter{Limit: 500})
	must(t, err)
	if len(all) != 200 {
		t.Fatalf("%d conversations, want 200", len(all))
	}
	open, waiting := map[int64]int{}, map[int64]int{}
	queued := 0
	for _, c := range all {
		switch c.State {
		case chat.StateUnassigned:
			queued++
		case chat.StateWaiting:
			waiting[c.AssigneeID]++
			open[c.AssigneeID]++
		case chat.StateActive:
			open[c.AssigneeID]++
		}
	}
	for _, a := range agents {
		if open[a.AgentID] > 4 || waiting[a.AgentID] > chat.MaxWaiting {
			t.Fatalf("agent %d holds %d open, %d waiting", a.AgentID, open[a.AgentID], waiting[a.AgentID])
		}
	}
	// Everyone ends online: the queue may remain only if everyone is full.
	if queued > 0 {
		for _, a := range agents {
			if open[a.AgentID] < 4 {
				t.Fatalf("%d queued while agent %d holds only %d", queued, a.AgentID, open[a.AgentID])
			}
		}
	}
	// Replay the log: every conversation Sodam assigned was the oldest queued.
	var evs []chat.Event
	for after := start; ; {
		page, err := s.Events(ctx, ws.ID, chat.EventFilter{AfterSeq: after, Limit: 1000})
		must(t, err)
		evs = append(evs, page...)
		if len(page) < 1000 {
			break
		}
		after = page[len(page)-1].Seq
	}
	var queue []int64
	for _, ev := range evs {
		switch {
		case ev.Type == chat.EventConversationCreated:
			queue = append(queue, ev.Conversation.ID)
		case ev.PrevState == chat.StateUnassigned && ev.Conversation != nil && ev.Conversation.State != chat.StateUnassigned:
			if len(queue) == 0 || queue[0] != ev.Conversation.ID {
				t.Fatalf("event %d took conversation %d out of the queue, but %v were ahead", ev.Seq, ev.Conversation.ID, queue[:min(3, len(queue))])
			}
			queue = queue[1:]
		}
	}
	if len(queue) != queued {
		t.Fatalf("the log leaves %d queued, the store %d", len(queue), queued)
	}
}

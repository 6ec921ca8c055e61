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
	if order, err := s.QueueOrder(ctx, ws.ID); err != nil || !slices.Equal(order, []int64{c2.ID, c3.ID}) {
		t.Fatalf("queue order %v (%v), want %v", order, err, []int64{c2.ID, c3.ID})
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
	_, _, err = s.SetCapacity(ctx, ws.ID, lee.AgentID, &two, chat.Who{})
	must(t, err)
	if got := conv(t, s, ws.ID, c4.ID); got.AssigneeID != lee.AgentID {
		t.Fatalf("c4 after capacity change %+v", got)
	}
	bad := -1
	_, _, err = s.SetCapacity(ctx, ws.ID, lee.AgentID, &bad, chat.Who{})
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
			if _, err := s.UpdateWorkspace(ctx, &w, chat.Who{}); err != nil {
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

	all, err := s.Conversations(ctx, ws.ID, chat.ConversationFilter{Page: chat.Page{Limit: 500}})
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

// testRouteOnReply: an agent's first reply moves a conversation from
// waiting to active, which frees one of their five waiting slots; the
// queue is served at once (§3.2), whether the reply is text or a file.
func testRouteOnReply(t *testing.T, s chat.Store) {
	ws := newWorkspace(t, s, "reply-routes")
	settings(t, s, ws, func(st *chat.Settings) { st.AssignmentMode = chat.AssignAuto; st.DefaultCapacity = 10 })
	kim := newMember(t, s, ws, "kim", chat.RoleAgent, chat.StatusOnline)
	first := routed(t, s, ws, "c0")
	send(t, s, ws.ID, first.ID, kim, "r0", "안녕하세요")
	var waiting []chat.Conversation
	for i := range chat.MaxWaiting {
		c := routed(t, s, ws, fmt.Sprint("w", i))
		if c.State != chat.StateWaiting || c.AssigneeID != kim.AgentID {
			t.Fatalf("w%d %+v", i, c)
		}
		waiting = append(waiting, c)
	}
	for i, file := range []bool{false, true} {
		queued := routed(t, s, ws, fmt.Sprint("q", i))
		if queued.State != chat.StateUnassigned {
			t.Fatalf("q%d with five waiting: %+v", i, queued)
		}
		nm := chat.NewMessage{ClientMsgID: fmt.Sprint("r", i+1), Body: "네, 말씀하세요"}
		if file {
			nm = chat.NewMessage{ClientMsgID: nm.ClientMsgID, Attachment: photo(fmt.Sprint("1/q", i))}
		}
		_, events, _, err := s.AppendMessage(ctx, ws.ID, waiting[i].ID, kim, nm)
		must(t, err)
		got := conv(t, s, ws.ID, queued.ID)
		if got.State != chat.StateWaiting || got.AssigneeID != kim.AgentID {
			t.Fatalf("file %v: the queued conversation after a reply freed a waiting slot: %+v", file, got)
		}
		last := events[len(events)-1]
		if last.Type != chat.EventConversationAssigned || last.Conversation.ID != queued.ID {
			t.Fatalf("file %v: the send's events end with %s on %+v, want the assignment", file, last.Type, last.Conversation)
		}
	}
	// A reply in a conversation already active frees nothing and routes nothing.
	queued := routed(t, s, ws, "q-later")
	_, events, _, err := s.AppendMessage(ctx, ws.ID, first.ID, kim, chat.NewMessage{ClientMsgID: "r9", Body: "또 있나요?"})
	must(t, err)
	if len(events) != 1 || conv(t, s, ws.ID, queued.ID).State != chat.StateUnassigned {
		t.Fatalf("a reply in an active conversation: events %+v", events)
	}
}

// testQueueOrder: the queue is first in, first out by when a chat entered
// it (§3.2), not by when it began. A chat the robot hands over joins the
// end at the handover, and so does one a deactivated agent's leaving
// returns; routing, the queue position and the queue's list all agree.
func testQueueOrder(t *testing.T, s chat.Store) {
	ws := newWorkspace(t, s, "queue-order")
	clk := withClock(t, s)
	kim := newMember(t, s, ws, "kim", chat.RoleAgent, chat.StatusOffline)
	newMember(t, s, ws, "master", chat.RoleMaster, chat.StatusOffline)
	bot := func(name string) chat.Conversation {
		cu := newCustomer(t, s, ws, name)
		var c chat.Conversation
		_, err := s.Write(ctx, func(tx chat.Tx) error {
			var err error
			c, _, err = tx.StartBotConversation(ctx, ws.ID, cu.ID, chat.ChannelWeb)
			return err
		})
		must(t, err)
		if c.QueuedAt != nil {
			t.Fatalf("%s is with the robot, yet queued at %v", name, c.QueuedAt)
		}
		return c
	}
	handover := func(c chat.Conversation) chat.Conversation {
		_, err := s.Write(ctx, func(tx chat.Tx) error {
			var err error
			c, err = tx.LeaveBot(ctx, c, "robot-queue-order")
			return err
		})
		must(t, err)
		return c
	}
	a := bot("a") // A begins first…
	clk.advance(time.Minute)
	b := bot("b")
	clk.advance(time.Minute)
	b = handover(b) // …but B asks for a person first
	if want := clk.Now(); b.QueuedAt == nil || !b.QueuedAt.Equal(want) {
		t.Fatalf("b queued at %v, want %v", b.QueuedAt, want)
	}
	clk.advance(time.Minute)
	c := routed(t, s, ws, "c")
	if c.QueuedAt == nil || !c.QueuedAt.Equal(c.CreatedAt) {
		t.Fatalf("c began unassigned, queued at %v", c.QueuedAt)
	}
	clk.advance(time.Minute)
	a = handover(a)
	want := func(order ...chat.Conversation) {
		t.Helper()
		var ids []int64
		for i, c := range order {
			n, err := s.QueuePosition(ctx, ws.ID, c.ID)
			must(t, err)
			if n != i+1 {
				t.Fatalf("conversation %d at %d, want %d", c.ID, n, i+1)
			}
			ids = append(ids, c.ID)
		}
		if got, err := s.QueueOrder(ctx, ws.ID); err != nil || !slices.Equal(got, ids) {
			t.Fatalf("queue order %v (%v), want %v", got, err, ids)
		}
		// The queue's list, a page of one at a time.
		var after chat.Cursor
		for i, c := range order {
			page, err := s.Conversations(ctx, ws.ID, chat.ConversationFilter{State: chat.StateUnassigned, Page: chat.Page{Limit: 1, After: after}})
			must(t, err)
			if len(page) != 1 || page[0].ID != c.ID {
				t.Fatalf("the queue's page %d holds %+v, want conversation %d", i+1, page, c.ID)
			}
			after = chat.Cursor{Key: page[0].QueuedAt.UnixMicro(), ID: page[0].ID}
		}
	}
	want(b, c, a)
	// Routing serves B first.
	settings(t, s, ws, func(st *chat.Settings) { st.AssignmentMode = chat.AssignAuto; st.DefaultCapacity = 1 })
	_, _, err := s.SetAgentStatus(ctx, ws.ID, kim.AgentID, chat.StatusOnline)
	must(t, err)
	if got := conv(t, s, ws.ID, b.ID); got.AssigneeID != kim.AgentID {
		t.Fatalf("the first to come online got conversation %d's %+v, want b", got.ID, got)
	}
	want(c, a)
	// Kim's deactivation returns B to the queue: at its end. Its events
	// begin with Kim's own, so that her console stops before it hears of
	// her conversations (with a session the write ended).
	clk.advance(time.Minute)
	_, events, err := s.UpdateMember(ctx, ws.ID, kim.AgentID, chat.MemberPatch{Active: ptr(false)}, chat.Who{})
	must(t, err)
	want(c, a, b)
	if len(events) < 2 || events[0].Type != chat.EventAgentStatus || events[0].Member == nil || events[0].Member.Active {
		t.Fatalf("the deactivation's events are %+v, want Kim's agent status, inactive, first", events)
	}
}

// testQueueOrderAsWritten: a conversation's place in the queue is when
// it entered it as its write ran, not when the transaction that carried
// the write began. A batch's writes share one transaction and its start
// time, and on PostgreSQL a batch may begin, then wait for the routing
// lock while another node's start commits: a handover stamped with the
// batch's start would then go ahead of a conversation queued before it
// (startConversation reads the clock for this reason). Here the time
// that passes inside the transaction stands for that wait.
func testQueueOrderAsWritten(t *testing.T, s chat.Store) {
	ws := newWorkspace(t, s, "queue-as-written")
	clk := withClock(t, s)
	newMember(t, s, ws, "master", chat.RoleMaster, chat.StatusOffline)
	second := newCustomer(t, s, ws, "배송문의")
	var withBot chat.Conversation
	_, err := s.Write(ctx, func(tx chat.Tx) error {
		var err error
		withBot, _, err = tx.StartBotConversation(ctx, ws.ID, second.ID, chat.ChannelWeb)
		return err
	})
	must(t, err)
	clk.advance(time.Minute)
	// One transaction: a customer queues, a minute passes, then the robot
	// hands its visitor over: the handover is second in the queue.
	first := newCustomer(t, s, ws, "주문취소")
	var queued chat.Conversation
	_, err = s.Write(ctx, func(tx chat.Tx) error {
		if _, err := tx.LockRouting(ctx, ws.ID); err != nil {
			return err
		}
		var err error
		if queued, _, err = tx.StartConversation(ctx, ws.ID, first.ID, chat.ChannelWeb); err != nil {
			return err
		}
		clk.advance(time.Minute)
		_, err = tx.LeaveBot(ctx, withBot, "robot-queue-as-written")
		return err
	})
	must(t, err)
	for i, c := range []chat.Conversation{queued, withBot} {
		n, err := s.QueuePosition(ctx, ws.ID, c.ID)
		must(t, err)
		if n != i+1 {
			got := conv(t, s, ws.ID, c.ID)
			t.Fatalf("conversation %d (queued at %v) at %d, want %d", c.ID, got.QueuedAt, n, i+1)
		}
	}
}

// testStickyFollowsCustomerID: sticky assignment gives a returning
// customer to the agent who last served them, and a customer is their
// customer ID (history follows it, §4.1): one who chatted with kim on the
// web and now writes from their KakaoTalk account, linked to the same
// customer ID, goes to kim too, though lee has fewer open chats. Before,
// only the identifier's own earlier chats counted.
func testStickyFollowsCustomerID(t *testing.T, s chat.Store) {
	ws := newWorkspace(t, s, "stickyid")
	settings(t, s, ws, func(st *chat.Settings) {
		st.AssignmentMode, st.DefaultCapacity, st.Sticky, st.StickyWindowMinutes = chat.AssignAuto, 5, true, 60
	})
	kim := newMember(t, s, ws, "kim", chat.RoleAgent, chat.StatusOnline)
	lee := newMember(t, s, ws, "lee", chat.RoleAgent, chat.StatusOnline)
	web := newCustomer(t, s, ws, "regular")
	first, _, err := openConversation(s, ws.ID, web.ID, chat.ChannelWeb)
	must(t, err)
	if first.AssigneeID != kim.AgentID {
		t.Fatalf("first went to %d", first.AssigneeID)
	}
	_, _, err = s.CloseConversation(ctx, ws.ID, first.ID, kim)
	must(t, err)
	_, _, err = s.SetAgentStatus(ctx, ws.ID, lee.AgentID, chat.StatusAway)
	must(t, err)
	if c := routed(t, s, ws, "someone"); c.AssigneeID != kim.AgentID {
		t.Fatalf("someone went to %d", c.AssigneeID)
	}
	_, _, err = s.SetAgentStatus(ctx, ws.ID, lee.AgentID, chat.StatusOnline)
	must(t, err)
	kakao := messengers(t, s, ws)("kk_regular")
	_, _, err = s.ChangeCustomerID(ctx, ws.ID, kakao.ID, web.CustomerID, true, chat.Who{})
	must(t, err)
	if cu, err := s.Customer(ctx, ws.ID, kakao.ID); err != nil || cu.Profile.ID != web.Profile.ID {
		t.Fatalf("the KakaoTalk account's profile %+v %v, want %d", cu, err, web.Profile.ID)
	}
	again, _, err := openConversation(s, ws.ID, kakao.ID, "kakao")
	must(t, err)
	if again.AssigneeID != kim.AgentID {
		t.Fatalf("the returning customer on KakaoTalk went to %d, want kim (%d)", again.AssigneeID, kim.AgentID)
	}
	// Another customer's history is not theirs: lee, with fewer open
	// chats, gets a newcomer.
	if c := routed(t, s, ws, "newcomer"); c.AssigneeID != lee.AgentID {
		t.Fatalf("a newcomer went to %d, want lee (%d)", c.AssigneeID, lee.AgentID)
	}
}

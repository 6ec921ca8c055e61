package storetest

import (
	"net/url"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/history"
)

// testRobot: a bot conversation's answers are keyed by the message they
// answer, so however many nodes try at once, one answer is stored; the
// handover puts the robot first on the agent path.
func testRobot(t *testing.T, s chat.Store) {
	f := setup(t, s, "robot")
	var c chat.Conversation
	_, err := s.Write(ctx, func(tx chat.Tx) error {
		var err error
		c, _, err = tx.StartBotConversation(ctx, f.ws.ID, f.customer.ID, chat.ChannelWeb)
		return err
	})
	must(t, err)
	if c.State != chat.StateBot {
		t.Fatalf("state %s", c.State)
	}
	m := send(t, s, f.ws.ID, c.ID, chat.VisitorActor, "v1", "환불 언제 돼요?")
	var wg sync.WaitGroup
	var mu sync.Mutex
	stored := 0
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := s.Write(ctx, func(tx chat.Tx) error {
				ok, err := tx.RobotReply(ctx, c, m.ID, map[string]string{"robot": "robot-robot", "outcome": chat.RobotNoAnswer})
				if ok {
					mu.Lock()
					stored++
					mu.Unlock()
				}
				return err
			})
			if err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	msgs, err := s.Messages(ctx, f.ws.ID, c.ID, 0, 100)
	must(t, err)
	answers := 0
	for _, x := range msgs {
		if x.Body == chat.SystemRobot {
			answers++
		}
	}
	if stored != 1 || answers != 1 {
		t.Fatalf("%d writes stored an answer, %d answers stored", stored, answers)
	}
	_, err = s.Write(ctx, func(tx chat.Tx) error {
		var err error
		c, err = tx.LeaveBot(ctx, c, "robot-robot")
		return err
	})
	must(t, err)
	if c.State != chat.StateUnassigned || len(c.AgentPath) != 1 || c.AgentPath[0].Name != "robot-robot" || c.AgentPath[0].AgentID != 0 {
		t.Fatalf("after handover %+v", c)
	}
	// Once handed over, the robot answers nothing more.
	m2 := send(t, s, f.ws.ID, c.ID, chat.VisitorActor, "v2", "여보세요")
	_, err = s.Write(ctx, func(tx chat.Tx) error {
		ok, err := tx.RobotReply(ctx, c, m2.ID, map[string]string{"robot": "robot-robot"})
		if ok {
			t.Errorf("the robot answered a conversation it handed over")
		}
		return err
	})
	must(t, err)
	// The export's transcript has the robot's answer, the chat's other
	// side, and the other system messages (the handover), in order.
	msgs, err = s.(history.Store).TranscriptOf(ctx, f.ws.ID, []int64{c.ID})
	must(t, err)
	var got []string
	for _, x := range msgs {
		got = append(got, x.Body)
	}
	if want := []string{"환불 언제 돼요?", chat.SystemRobot, chat.SystemHandover, "여보세요"}; !slices.Equal(got, want) {
		t.Fatalf("transcript %q, want %q", got, want)
	}
}

// testRobotIdle: a conversation the robot holds closes once its visitor
// has asked nothing more for the inactivity timeout, resolved by the
// robot; a handover stops the timer.
func testRobotIdle(t *testing.T, s chat.Store) {
	f := setup(t, s, "robot-idle")
	clk := withClock(t, s)
	settings(t, s, f.ws, func(st *chat.Settings) { st.InactivityTimeoutMinutes = 10; st.Robot.Enabled = true })
	c := f.open(t, s)
	if c.State != chat.StateBot {
		t.Fatalf("state %s", c.State)
	}
	m := send(t, s, f.ws.ID, c.ID, chat.VisitorActor, "v1", "환불 언제 돼요?")
	_, err := s.Write(ctx, func(tx chat.Tx) error {
		_, err := tx.RobotReply(ctx, c, m.ID, map[string]string{"robot": "robot-robot-idle", "outcome": chat.RobotNoAnswer})
		return err
	})
	must(t, err)
	clk.advance(9 * time.Minute)
	if jobs, _ := s.ClaimJobs(ctx, "node-a", clk.Now(), time.Minute, 10); len(jobs) != 0 {
		t.Fatalf("claimed early: %+v", jobs)
	}
	clk.advance(2 * time.Minute)
	jobs, err := s.ClaimJobs(ctx, "node-a", clk.Now(), time.Minute, 10)
	must(t, err)
	if len(jobs) != 1 || jobs[0].Kind != chat.JobRobotIdle {
		t.Fatalf("jobs %+v", jobs)
	}
	_, err = runJob(s, jobs[0], "node-a")
	must(t, err)
	got, err := s.Conversation(ctx, f.ws.ID, c.ID)
	must(t, err)
	if got.State != chat.StateClosed || got.CloseReason != chat.CloseByRobot {
		t.Fatalf("after the idle time %+v", got)
	}

	// Handed over: no timer.
	other := newCustomer(t, s, f.ws, "cust-2")
	c2, _, err := openConversation(s, f.ws.ID, other.ID, chat.ChannelWeb)
	must(t, err)
	_, err = s.Write(ctx, func(tx chat.Tx) error {
		_, err := tx.LeaveBot(ctx, c2, "robot-robot-idle")
		return err
	})
	must(t, err)
	clk.advance(time.Hour)
	if jobs, _ := s.ClaimJobs(ctx, "node-a", clk.Now(), time.Minute, 10); len(jobs) != 0 {
		t.Fatalf("a handed-over conversation's timer: %+v", jobs)
	}
}

// testRobotTakeover: an agent takes a conversation over from the robot in
// one step — handover, then assignment — in every assignment mode, and the
// robot's timer and answers stop; a closed or already taken conversation
// is refused and changes nothing.
func testRobotTakeover(t *testing.T, s chat.Store) {
	f := setup(t, s, "takeover")
	settings(t, s, f.ws, func(st *chat.Settings) { st.Robot.Enabled = true; st.AssignmentMode = chat.AssignAuto })
	c := f.open(t, s)
	if c.State != chat.StateBot {
		t.Fatalf("state %s", c.State)
	}
	m := send(t, s, f.ws.ID, c.ID, chat.VisitorActor, "v1", "배송 조회가 안 돼요")
	_, err := s.Write(ctx, func(tx chat.Tx) error {
		_, err := tx.RobotReply(ctx, c, m.ID, map[string]string{"robot": "robot-takeover", "outcome": chat.RobotNoAnswer})
		return err
	})
	must(t, err)
	before := lastSeq(t, s, f.ws.ID)

	got, _, err := s.Take(ctx, f.ws.ID, c.ID, f.a1)
	must(t, err)
	if got.State != chat.StateWaiting || got.AssigneeID != f.a1.AgentID || len(got.AgentPath) != 2 ||
		got.AgentPath[0].Name != "robot-takeover" || got.AgentPath[0].AgentID != 0 || got.AgentPath[1].AgentID != f.a1.AgentID {
		t.Fatalf("after the take-over %+v", got)
	}
	msgs, err := s.Messages(ctx, f.ws.ID, c.ID, 0, 100)
	must(t, err)
	var codes []string
	for _, x := range msgs {
		if x.SenderType == chat.SenderSystem {
			codes = append(codes, x.Body)
		}
	}
	if len(codes) < 3 || codes[len(codes)-2] != chat.SystemHandover {
		t.Fatalf("system messages %v: want the handover before the assignment", codes)
	}
	if lastSeq(t, s, f.ws.ID) <= before {
		t.Fatal("the take-over appended no event")
	}
	// The robot answers nothing more, and its idle close is gone.
	m2 := send(t, s, f.ws.ID, c.ID, chat.VisitorActor, "v2", "여보세요")
	_, err = s.Write(ctx, func(tx chat.Tx) error {
		if ok, err := tx.RobotReply(ctx, got, m2.ID, map[string]string{"robot": "robot-takeover"}); ok || err != nil {
			t.Errorf("the robot answered a conversation an agent took over (%v)", err)
		}
		return nil
	})
	must(t, err)
	if jobs, _ := s.ClaimJobs(ctx, "node-a", time.Now().Add(24*time.Hour), time.Minute, 10); len(jobs) != 0 {
		for _, j := range jobs {
			if j.Kind == chat.JobRobotIdle {
				t.Fatalf("the robot's idle close survived the take-over: %+v", j)
			}
		}
	}

	// Taken already (in auto mode, taking is for robot conversations
	// only), or closed: refused, nothing changes.
	_, _, err = s.Take(ctx, f.ws.ID, c.ID, f.a2)
	wantCode(t, err, chat.ErrAutoAssignOnly)
	other := newCustomer(t, s, f.ws, "cust-2")
	c2, _, err := openConversation(s, f.ws.ID, other.ID, chat.ChannelWeb)
	must(t, err)
	_, _, err = s.CloseConversation(ctx, f.ws.ID, c2.ID, chat.VisitorActor)
	must(t, err)
	seq := lastSeq(t, s, f.ws.ID)
	_, _, err = s.Take(ctx, f.ws.ID, c2.ID, f.a2)
	wantCode(t, err, chat.ErrConversationClosed)
	if lastSeq(t, s, f.ws.ID) != seq {
		t.Fatal("a refused take-over appended events")
	}
}

// testRobotRefusedShown: a chat whose visitor asked the robot for a person
// when nobody could chat (Tx.AgentRefused), and which the robot then
// closed, says so wherever it is read — its agent_refused_at — and the
// history's processed filter counts it as statistics do: unprocessed,
// while a chat the robot resolved (asked nothing of a person) is neither
// processed nor unprocessed.
func testRobotRefusedShown(t *testing.T, s chat.Store) {
	hs := s.(history.Store)
	f := setup(t, s, "robot-refused")
	robotChat := func(key string, refuse bool) chat.Conversation {
		t.Helper()
		cu := newCustomer(t, s, f.ws, key)
		var c chat.Conversation
		_, err := s.Write(ctx, func(tx chat.Tx) error {
			var err error
			c, _, err = tx.StartBotConversation(ctx, f.ws.ID, cu.ID, chat.ChannelWeb)
			return err
		})
		must(t, err)
		if refuse {
			_, err = s.Write(ctx, func(tx chat.Tx) error { return tx.AgentRefused(ctx, c) })
			must(t, err)
			open, err := s.Conversation(ctx, f.ws.ID, c.ID)
			must(t, err)
			if open.AgentRefusedAt == nil || open.State != chat.StateBot {
				t.Fatalf("refused, still with the robot: %+v", open)
			}
		}
		_, err = s.Write(ctx, func(tx chat.Tx) error {
			c, err := tx.LockConversation(ctx, f.ws.ID, c.ID)
			if err != nil {
				return err
			}
			return tx.CloseConversation(ctx, c, chat.CloseByRobot)
		})
		must(t, err)
		got, err := s.Conversation(ctx, f.ws.ID, c.ID)
		must(t, err)
		return *got
	}
	refused := robotChat("refused", true)
	resolved := robotChat("resolved", false)
	if refused.AgentRefusedAt == nil || refused.RobotResolved() || !refused.Unprocessed() {
		t.Fatalf("refused, closed by the robot: %+v", refused)
	}
	if resolved.AgentRefusedAt != nil || !resolved.RobotResolved() || resolved.Unprocessed() {
		t.Fatalf("resolved by the robot: %+v", resolved)
	}
	list := func(v url.Values) []int64 {
		t.Helper()
		fl, err := history.Parse(v, time.UTC)
		must(t, err)
		return allHistory(t, hs, f.ws.ID, fl)
	}
	if got := list(url.Values{"processed": {"false"}}); !slices.Equal(got, []int64{refused.ID}) {
		t.Errorf("unprocessed: got %v, want only the refused chat %d (robot-resolved %d)", got, refused.ID, resolved.ID)
	}
	if got := list(url.Values{"processed": {"true"}}); len(got) != 0 {
		t.Errorf("processed: got %v, want none", got)
	}
	page, err := hs.History(ctx, f.ws.ID, history.Filter{}, nil, 10)
	must(t, err)
	for _, c := range page {
		if (c.ID == refused.ID) != (c.AgentRefusedAt != nil) {
			t.Errorf("history row %d: agent_refused_at %v", c.ID, c.AgentRefusedAt)
		}
	}
	fl, _ := history.Parse(url.Values{"processed": {"false"}}, time.UTC)
	if n, err := hs.CountHistory(ctx, f.ws.ID, fl); err != nil || n != 1 {
		t.Errorf("unprocessed count %d %v, want 1", n, err)
	}
}

package storetest

import (
	"sync"
	"testing"
	"time"

	"github.com/sodam-chat/sodam/internal/chat"
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

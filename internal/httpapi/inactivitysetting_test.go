package httpapi_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/sodam-chat/sodam/internal/chat"
)

// TestInactivitySettingMovesTimers: a change of the inactivity timeout
// applies to the timers already running, not only to those the next
// agent message starts. Turned off (0), no conversation closes by itself
// any more; lengthened, a conversation closes when the new timeout after
// the agent's last message ran out, not the old one.
func TestInactivitySettingMovesTimers(t *testing.T) {
	t.Parallel()
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			e := newEnvOn(t, kind, nil)
			e.clock.freeze()
			manager, kim := e.login("manager"), e.login("kim")
			manager.json("PATCH", e.shopPath(), `{"settings":{"inactivity_timeout_minutes":10}}`, 200, nil)
			open := func(cmid string) chat.Conversation {
				e.setStatus("kim", chat.StatusOnline) // the jobs that ran took kim offline
				c := e.visitor("shop", "").start()
				kim.json("POST", e.convPath(c.ID)+"/assign", "", 200, nil)
				kim.json("POST", e.convPath(c.ID)+"/messages", fmt.Sprintf(`{"client_msg_id":%q,"body":"주문 번호를 알려주시겠어요?"}`, cmid), 201, nil)
				return c
			}
			state := func(c chat.Conversation) chat.State { return kim.detailOf(c.ID).Conversation.State }

			// Turned off: the running timer no longer closes it.
			off := open("k1")
			manager.json("PATCH", e.shopPath(), `{"settings":{"inactivity_timeout_minutes":0}}`, 200, nil)
			e.clock.advance(11 * time.Minute)
			e.runJobs()
			if s := state(off); s != chat.StateActive {
				t.Fatalf("with the timeout turned off the conversation is %s", s)
			}

			// Lengthened from 10 to 60 minutes: open after 11, closed after 61.
			manager.json("PATCH", e.shopPath(), `{"settings":{"inactivity_timeout_minutes":10}}`, 200, nil)
			longer := open("k2")
			manager.json("PATCH", e.shopPath(), `{"settings":{"inactivity_timeout_minutes":60}}`, 200, nil)
			e.clock.advance(11 * time.Minute)
			e.runJobs()
			if s := state(longer); s != chat.StateActive {
				t.Fatalf("11 minutes into a 60-minute timeout the conversation is %s", s)
			}
			e.clock.advance(55 * time.Minute)
			e.runJobs()
			if c := kim.detailOf(longer.ID).Conversation; c.State != chat.StateClosed || c.CloseReason != chat.CloseByInactivity {
				t.Fatalf("past the 60-minute timeout: %s (%s)", c.State, c.CloseReason)
			}
			if s := state(off); s != chat.StateActive {
				t.Fatalf("the conversation without a timer is %s", s)
			}
		})
	}
}

// TestAutoOfflineSettingMovesTimers: a change of the auto-offline time
// applies to the timers already running, as the inactivity timeout's
// does: lengthened, an agent signed in without a console (over the API,
// or whose console closed) goes offline the new time after, not the old.
func TestAutoOfflineSettingMovesTimers(t *testing.T) {
	t.Parallel()
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			e := newEnvOn(t, kind, nil)
			e.clock.freeze()
			manager := e.login("manager")
			e.login("kim") // online, with the default 5 minutes to go
			manager.json("PATCH", e.shopPath(), `{"settings":{"auto_offline_minutes":60}}`, 200, nil)
			status := func() chat.AgentStatus {
				m, err := e.store.Member(t.Context(), e.shop.ID, e.agents["kim"].ID)
				must(t, err)
				return m.Status
			}
			e.clock.advance(6 * time.Minute)
			e.runJobs()
			if s := status(); s != chat.StatusOnline {
				t.Fatalf("6 minutes into a 60-minute auto-offline kim is %s", s)
			}
			e.clock.advance(55 * time.Minute)
			e.runJobs()
			if s := status(); s != chat.StatusOffline {
				t.Fatalf("past the 60 minutes kim is %s", s)
			}
		})
	}
}

package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/sodam-chat/sodam/internal/chat"
)

type robotMessage struct {
	ID         int64             `json:"id"`
	SenderType string            `json:"sender_type"`
	SenderName string            `json:"sender_name"`
	Kind       string            `json:"kind"`
	Body       string            `json:"body"`
	Meta       map[string]string `json:"meta"`
}

// TestRobot: the robot answers a new conversation's questions with FAQ
// articles, says when it has none, hands over to a person on request with
// the robot first on the agent path, and takes the visitor back.
func TestRobot(t *testing.T) {
	t.Parallel()
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) { robot(t, newEnvOn(t, kind, nil)) })
	}
}

func robot(t *testing.T, e *env) {
	refund, _ := seedFAQ(t, e)
	m := e.login("manager")
	m.json("PATCH", e.shopPath(), `{"settings":{"robot":{"enabled":true},"assignment_mode":"auto"}}`, 200, nil)
	v := e.visitor("shop", "")
	c := v.start()
	if c.State != chat.StateBot {
		t.Fatalf("started %s, want bot", c.State)
	}
	msgs := func(id int64) []robotMessage {
		var out []robotMessage
		v.json("GET", fmt.Sprintf("/api/v1/widget/conversations/%d/messages", id), "", 200, &out)
		return out
	}
	last := func(id int64) robotMessage { ms := msgs(id); return ms[len(ms)-1] }
	if w := last(c.ID); w.Body != chat.SystemRobot || w.Meta["outcome"] != chat.RobotWelcome || w.Meta["robot"] != "robot-shop" {
		t.Fatalf("welcome %+v", w)
	}
	send := func(id int64, cmid, body string) {
		v.json("POST", fmt.Sprintf("/api/v1/widget/conversations/%d/messages", id), fmt.Sprintf(`{"client_msg_id":%q,"body":%q}`, cmid, body), 201, nil)
	}
	send(c.ID, "q1", "환불은 언제 돼요?")
	ans := last(c.ID)
	var arts []struct {
		ID    int64  `json:"id"`
		Title string `json:"title"`
		URL   string `json:"url"`
	}
	must(t, json.Unmarshal([]byte(ans.Meta["articles"]), &arts))
	if ans.Meta["outcome"] != chat.RobotAnswered || len(arts) == 0 || arts[0].ID != refund.ID || !strings.HasSuffix(arts[0].URL, fmt.Sprintf("/help/shop/articles/%d", refund.ID)) {
		t.Fatalf("answer %+v", ans)
	}
	// A retried message is answered once.
	n := len(msgs(c.ID))
	v.json("POST", fmt.Sprintf("/api/v1/widget/conversations/%d/messages", c.ID), `{"client_msg_id":"q1","body":"환불은 언제 돼요?"}`, 200, nil)
	if len(msgs(c.ID)) != n {
		t.Fatalf("a retry was answered again")
	}
	send(c.ID, "q2", "오늘 점심 메뉴 추천해 주세요")
	if a := last(c.ID); a.Meta["outcome"] != chat.RobotNoAnswer {
		t.Fatalf("no answer expected %+v", a)
	}
	// Agents see the bot conversation but cannot reply to it.
	kim := e.login("kim")
	kim.json("POST", e.convPath(c.ID)+"/messages", `{"client_msg_id":"k0","body":"안녕하세요"}`, 409, nil)

	// "상담원 연결" hands over; only kim is online, so kim gets it.
	for _, name := range []string{"master", "manager", "lee"} {
		e.setStatus(name, chat.StatusOffline)
	}
	send(c.ID, "q3", "상담원 연결해 주세요")
	d := kim.detailOf(c.ID)
	if d.Conversation.State != chat.StateWaiting || len(d.Conversation.AgentPath) != 2 || d.Conversation.AgentPath[0].Name != "robot-shop" {
		t.Fatalf("after handover %+v", d.Conversation)
	}
	kim.json("POST", e.convPath(c.ID)+"/messages", `{"client_msg_id":"k1","body":"네, 상담원 김입니다."}`, 201, nil)

	// Back to the bot: the agent's part ends with reason bot.
	var back struct {
		ID    int64      `json:"id"`
		State chat.State `json:"state"`
	}
	v.json("POST", fmt.Sprintf("/api/v1/widget/conversations/%d/bot", c.ID), "", 200, &back)
	if back.State != chat.StateBot || back.ID == c.ID {
		t.Fatalf("back to bot %+v", back)
	}
	if d := kim.detailOf(c.ID); d.Conversation.State != chat.StateClosed || d.Conversation.CloseReason != chat.CloseByBot {
		t.Fatalf("old conversation %+v", d.Conversation)
	}
	// Ending a conversation the robot held: resolved by the robot.
	v.json("POST", fmt.Sprintf("/api/v1/widget/conversations/%d/close", back.ID), "", 200, nil)
	if d := m.detailOf(back.ID); d.Conversation.CloseReason != chat.CloseByRobot {
		t.Fatalf("robot-resolved %+v", d.Conversation)
	}
}

// TestRobotWithoutAgents: the robot answers when no agent is online, and
// asking for a person then offers to leave a message.
func TestRobotWithoutAgents(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	seedFAQ(t, e)
	m := e.login("manager")
	m.json("PATCH", e.shopPath(), `{"settings":{"robot":{"enabled":true}}}`, 200, nil)
	for _, name := range []string{"master", "manager", "kim", "lee"} {
		e.setStatus(name, chat.StatusOffline)
	}
	v := e.visitor("shop", "")
	c := v.start()
	if c.State != chat.StateBot {
		t.Fatalf("state %s", c.State)
	}
	status, data := v.do("POST", fmt.Sprintf("/api/v1/widget/conversations/%d/agent", c.ID), "")
	if code, _ := errorBodyOf(t, data); status != 409 || code != chat.ErrUnavailable {
		t.Fatalf("handover without agents: %d %s", status, data)
	}
	// Asking in words: the robot keeps the chat and says nobody can come.
	v.json("POST", fmt.Sprintf("/api/v1/widget/conversations/%d/messages", c.ID), `{"client_msg_id":"a1","body":"상담원 연결"}`, 201, nil)
	var msgs []robotMessage
	v.json("GET", fmt.Sprintf("/api/v1/widget/conversations/%d/messages", c.ID), "", 200, &msgs)
	if last := msgs[len(msgs)-1]; last.Meta["outcome"] != chat.RobotNoAgent || last.Meta["reason"] != string(chat.UnavailableNobody) {
		t.Fatalf("asking for a person with nobody online: %+v", last)
	}
	d := e.login("manager").detailOf(c.ID)
	if d.Conversation.State != chat.StateBot {
		t.Fatalf("state %s", d.Conversation.State)
	}
}

// TestRobotAskedOnAHoliday: asking the robot for a person on a holiday
// (by the server's clock) is told the hours are over, though agents are
// online: the robot reads the clock the message was stored by, not the
// wall clock, which is a working day here.
func TestRobotAskedOnAHoliday(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	seedFAQ(t, e)
	e.clock.freeze()
	e.clock.advance(72 * time.Hour)
	e.store.(interface{ SetClock(func() time.Time) }).SetClock(e.clock.Now)
	holiday := e.clock.Now().In(time.FixedZone("KST", 9*3600)).Format(time.DateOnly)
	days := strings.TrimSuffix(strings.Repeat(`{"open":true,"start":"00:00","end":"24:00"},`, 7), ",")
	m := e.login("manager")
	m.json("PATCH", e.shopPath(), `{"settings":{"robot":{"enabled":true},"business_hours":{"always_open":false,"time_zone":"Asia/Seoul","days":[`+days+`],"holidays":["`+holiday+`"]}}}`, 200, nil)
	e.setStatus("kim", chat.StatusOnline)
	v := e.visitor("shop", "")
	c := v.start()
	v.json("POST", fmt.Sprintf("/api/v1/widget/conversations/%d/messages", c.ID), `{"client_msg_id":"a1","body":"상담원 연결해 주세요"}`, 201, nil)
	var msgs []robotMessage
	v.json("GET", fmt.Sprintf("/api/v1/widget/conversations/%d/messages", c.ID), "", 200, &msgs)
	if last := msgs[len(msgs)-1]; last.Meta["outcome"] != chat.RobotNoAgent || last.Meta["reason"] != string(chat.UnavailableHours) {
		t.Fatalf("asking for a person on a holiday: %+v", last)
	}
}

// TestRobotTransferredByManager: a manager who hands a conversation the
// robot holds straight to an agent takes it from the robot as a take-over
// does: the robot's handover first, the robot first on the agent path
// (§8.2).
func TestRobotTransferredByManager(t *testing.T) {
	t.Parallel()
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			e := newEnvOn(t, kind, nil)
			m := e.login("manager")
			m.json("PATCH", e.shopPath(), `{"settings":{"robot":{"enabled":true}}}`, 200, nil)
			v := e.visitor("shop", "")
			c := v.start()
			if c.State != chat.StateBot {
				t.Fatalf("started %s, want bot", c.State)
			}
			var moved chat.Conversation
			m.json("POST", e.convPath(c.ID)+"/transfer", fmt.Sprintf(`{"agent_id":%d,"reason":"배송 문의"}`, e.agents["kim"].ID), 200, &moved)
			if moved.State != chat.StateWaiting || moved.AssigneeName != "kim" || len(moved.AgentPath) != 2 ||
				moved.AgentPath[0].Name != "robot-shop" || moved.AgentPath[1].Name != "kim" {
				t.Fatalf("transferred from the robot %+v", moved)
			}
			var msgs []robotMessage
			m.json("GET", e.convPath(c.ID)+"/messages", "", 200, &msgs)
			var bodies []string
			for _, msg := range msgs {
				bodies = append(bodies, msg.Body)
			}
			if n := len(bodies); n < 2 || bodies[n-2] != chat.SystemHandover || bodies[n-1] != chat.SystemTransferred {
				t.Fatalf("messages %v, want the robot's handover before the transfer", bodies)
			}
		})
	}
}

// TestToAgentTwice: "talk to an agent" that arrives as the conversation is
// handed over by another request (a double click, two tabs) answers with
// the conversation as it now is, as a retry after the handover does; one
// that arrives as the conversation ends is refused as ended, 409.
func TestToAgentTwice(t *testing.T) {
	t.Parallel()
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			for _, tc := range []struct {
				name   string
				during func(e *env, c chat.Conversation)
				status int
				code   string
			}{
				{"handed over meanwhile", func(e *env, c chat.Conversation) {
					_, err := e.app.Handover(context.Background(), e.shop.ID, c.ID)
					must(t, err)
				}, 200, ""},
				{"ended meanwhile", func(e *env, c chat.Conversation) {
					_, err := e.app.CloseConversation(context.Background(), e.shop.ID, c.ID, chat.VisitorActor)
					must(t, err)
				}, 409, chat.ErrConversationClosed},
			} {
				t.Run(tc.name, func(t *testing.T) {
					ms := &midRequestStore{}
					e := newEnvWrapped(t, kind, nil, func(s chat.Store) chat.Store { ms.Store = s; return ms })
					e.login("manager").json("PATCH", e.shopPath(), `{"settings":{"robot":{"enabled":true}}}`, 200, nil)
					v := e.visitor("shop", "")
					c := v.start()
					ms.during = func() { tc.during(e, c) }
					status, data := v.do("POST", fmt.Sprintf("/api/v1/widget/conversations/%d/agent", c.ID), "")
					if status != tc.status {
						t.Fatalf("status %d %s, want %d", status, data, tc.status)
					}
					if tc.code != "" {
						if code, _ := errorBodyOf(t, data); code != tc.code {
							t.Fatalf("code %s, want %s", code, tc.code)
						}
						return
					}
					var got struct{ State chat.State }
					must(t, json.Unmarshal(data, &got))
					if got.State != chat.StateUnassigned {
						t.Fatalf("answered %s", data)
					}
				})
			}
		})
	}
}

// TestRobotOperationStopped: operation stopped turns the widget to
// leave-a-message (§6), as the console tells the manager who stops it,
// the robot's too: no new conversation starts, robot or not, and nothing
// is stored; a left message is taken.
func TestRobotOperationStopped(t *testing.T) {
	t.Parallel()
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			e := newEnvOn(t, kind, nil)
			seedFAQ(t, e)
			m := e.login("manager")
			m.json("PATCH", e.shopPath(), `{"settings":{"robot":{"enabled":true},"operation_stopped":true}}`, 200, nil)
			v := e.visitor("shop", "")
			list := func() string { return m.state(e.shopPath() + "/conversations") }
			e.refuse(list, []scenario{
				{name: "start while stopped", as: v, method: "POST", path: "/api/v1/widget/conversations", body: `{"consent":true}`, status: 409, code: chat.ErrUnavailable},
			})
			v.json("POST", "/api/v1/widget/tickets", `{"name":"홍길동","contact":"hong@example.com","message":"환불 문의"}`, 201, nil)
			m.json("PATCH", e.shopPath(), `{"settings":{"operation_stopped":false}}`, 200, nil)
			if c := v.start(); c.State != chat.StateBot {
				t.Fatalf("after the restart: state %s", c.State)
			}
		})
	}
}

package httpapi_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sodam-chat/sodam/internal/chat"
)

// weekdays9to6 are business hours of 09:00–18:00 on weekdays in Seoul.
const weekdays9to6 = `{"settings":{"business_hours":{"always_open":false,"time_zone":"Asia/Seoul","holidays":[],"days":[{},
	{"open":true,"start":"09:00","end":"18:00"},{"open":true,"start":"09:00","end":"18:00"},{"open":true,"start":"09:00","end":"18:00"},
	{"open":true,"start":"09:00","end":"18:00"},{"open":true,"start":"09:00","end":"18:00"},{}]}}}`

// TestChannelAwayReply (§1.2, §6, §7): a messenger user who writes while
// the desk takes no chats — outside its hours, with operation stopped, with
// nobody online — is answered once through the bridge, in the widget's
// leave-a-message words and their language, with when the desk opens
// again; not for their next messages, nor a retry, but again after a long
// gap (the next night). The conversation waits in the queue for the
// agents. The robot, when on, answers instead; while the desk is open
// nothing is added.
func TestChannelAwayReply(t *testing.T) {
	t.Parallel()
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			e := newEnvOn(t, kind, allowPrivate)
			master := e.login("master")
			master.json("PATCH", e.shopPath(), weekdays9to6, 200, nil)
			rc := newReceiver(t)
			var ch createdChannel
			master.json("POST", e.shopPath()+"/channels", `{"kind":"kakao","name":"카카오톡","webhook_url":"`+rc.srv.URL+`/kakao"}`, 201, &ch)
			rc.secret(ch.Secret)
			rc.anyTime = true // the test's clock is not the receiver's
			b := e.bridge(ch.Token)
			send := func(user, id, text, extra string, status int) channelSent {
				t.Helper()
				var sent channelSent
				b.json("POST", "/api/v1/channel/messages", fmt.Sprintf(`{"external_user_id":%q,"client_msg_id":%q,"text":%q%s}`, user, id, text, extra), status, &sent)
				return sent
			}
			// Monday 2026-12-07, 22:00 in Seoul: closed until Tuesday 09:00.
			seoul, _ := time.LoadLocation("Asia/Seoul")
			e.clock.mu.Lock()
			e.clock.frozen = time.Date(2026, 12, 7, 22, 0, 0, 0, seoul)
			e.clock.mu.Unlock()
			e.store.(interface{ SetClock(func() time.Time) }).SetClock(e.clock.Now)

			night := send("kk_1", "k-1", "배송 문의드려요", "", 201)
			send("kk_1", "k-1", "배송 문의드려요", "", 200) // a retry
			send("kk_1", "k-2", "주문번호는 1234예요", "", 201)
			send("kk_2", "k-3", "Where is my order?", `,"language":"en"`, 201)
			// The conversation waits in the queue, as before, for the agents.
			d := master.detailOf(night.ConversationID)
			if d.Conversation.State != chat.StateUnassigned {
				t.Fatalf("out of hours the conversation is %s, want unassigned (in the queue)", d.Conversation.State)
			}
			var queue []chat.Conversation
			master.json("GET", e.shopPath()+"/conversations?state=unassigned", "", 200, &queue)
			if !slices.ContainsFunc(queue, func(c chat.Conversation) bool { return c.ID == night.ConversationID }) {
				t.Fatalf("the night's conversation is not among the agents' %+v", queue)
			}
			e.worker().RunDue(t.Context())
			got := bridgeTexts(t, rc)
			ko := "지금은 상담 시간이 아니에요. 메시지를 남겨 주시면 상담 시간에 답변드릴게요. 상담은 12월 8일 (화) 오전 9:00에 다시 시작해요."
			en := "We are outside our opening hours. Leave a message and we will reply when we are back. We are back Tue, December 8 at 9:00 AM."
			if !slices.Equal(got["kk_1 away"], []string{ko}) || !slices.Equal(got["kk_2 away"], []string{en}) {
				t.Fatalf("out of hours the users were told %q", got)
			}
			// Agents see that the reply went.
			var msgs []chat.Message
			master.json("GET", e.convPath(night.ConversationID)+"/messages", "", 200, &msgs)
			if !slices.ContainsFunc(msgs, func(m chat.Message) bool {
				return m.Kind == chat.KindSystem && m.Body == chat.SystemAway && m.Meta["reason"] == "outside_hours" && m.Meta["reopens_at"] == "2026-12-08T00:00:00Z"
			}) {
				t.Fatalf("the conversation's messages %+v have no automatic reply", msgs)
			}

			// The next night, 24 hours on: told again, once.
			e.clock.advance(24 * time.Hour)
			send("kk_1", "k-4", "아직 답이 없네요", "", 201)
			send("kk_1", "k-5", "여보세요", "", 201)
			e.worker().RunDue(t.Context())
			if n := len(bridgeTexts(t, rc)["kk_1 away"]); n != 2 {
				t.Fatalf("after a night's gap the user was told %d times in all, want 2", n)
			}

			// Wednesday 10:00, open, agents online: nothing is added.
			e.clock.advance(12 * time.Hour)
			open := send("kk_3", "k-6", "영업 시간이죠?", "", 201)
			// Operation stopped: told so, also in a chat an agent holds.
			master.json("PATCH", e.shopPath(), `{"settings":{"operation_stopped":true}}`, 200, nil)
			master.json("POST", e.convPath(open.ConversationID)+"/assign", "", 200, nil)
			send("kk_3", "k-7", "왜 답이 없나요", "", 201)
			send("kk_4", "k-8", "Hello?", `,"language":"en"`, 201)
			master.json("PATCH", e.shopPath(), `{"settings":{"operation_stopped":false}}`, 200, nil)
			// Nobody online: told so, while the chat waits in the queue.
			for _, name := range []string{"master", "manager", "kim", "lee"} {
				e.setStatus(name, chat.StatusOffline)
			}
			send("kk_5", "k-9", "계세요?", "", 201)
			// The robot answers first, and says itself when nobody can come.
			master.json("PATCH", e.shopPath(), `{"settings":{"robot":{"enabled":true}}}`, 200, nil)
			send("kk_6", "k-10", "상담원 연결", "", 201)
			e.worker().RunDue(t.Context())
			got = bridgeTexts(t, rc)
			want := map[string][]string{
				"kk_3 away": {"채팅 상담을 잠시 멈췄어요. 메시지를 남겨 주시면 확인하는 대로 답변드릴게요."},
				"kk_4 away": {"Chat is temporarily paused. Leave a message and we will reply as soon as we can."},
				"kk_5 away": {"지금은 상담 가능한 상담사가 없어요. 메시지를 남겨 주시면 확인하는 대로 답변드릴게요."},
				"kk_6 away": nil,
			}
			for k, w := range want {
				if !slices.Equal(got[k], w) {
					t.Errorf("%s: told %q, want %q", k, got[k], w)
				}
			}
			if !slices.ContainsFunc(got["kk_6 robot"], func(s string) bool { return strings.Contains(s, "'상담원 연결'") }) {
				t.Errorf("the robot did not answer kk_6: %q", got)
			}
		})
	}
}

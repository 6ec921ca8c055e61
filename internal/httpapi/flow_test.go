package httpapi_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/sodam-chat/sodam/internal/chat"
)

// visitorWire is a widget socket's event as the visitor gets it.
type visitorWire struct {
	Type         chat.EventType `json:"type"`
	Conversation *struct {
		ID           int64      `json:"id"`
		State        chat.State `json:"state"`
		AssigneeName string     `json:"assignee_name"`
	} `json:"conversation"`
	Message json.RawMessage `json:"message"`
}

// TestReturnedChatReachesWidget: a chat whose agent is deactivated goes
// back to the queue with an agents-only line ("returned"). The visitor's
// widget never heard of the change — the event carried an internal
// message, so the visitor's socket dropped it whole — and went on showing
// the chat as taken by the agent who had left, without the place in the
// queue the queue frame then gave (the widget shows it only for a queued
// chat). The widget now gets the conversation, queued, without the line.
func TestReturnedChatReachesWidget(t *testing.T) {
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			e := newEnvOn(t, kind, nil)
			master, kim := e.login("master"), e.login("kim")
			for _, name := range []string{"master", "manager", "lee"} {
				e.setStatus(name, chat.StatusAway)
			}
			v := e.visitor("shop", "")
			c := v.start()
			kim.json("POST", e.convPath(c.ID)+"/assign", "", 200, nil)
			kim.json("POST", e.convPath(c.ID)+"/messages", `{"client_msg_id":"k1","body":"안녕하세요, 주문 내역 확인해 드릴게요."}`, 201, nil)
			ws := v.mustSocket(fmt.Sprintf("/api/v1/widget/ws?token=%s&conversation_id=%d", v.bearer, c.ID))
			ws.next("ready")

			// Hold and release are for agents: the visitor hears of no line.
			kim.json("POST", e.convPath(c.ID)+"/hold", `{"on":true}`, 200, nil)
			kim.json("POST", e.convPath(c.ID)+"/hold", `{"on":false}`, 200, nil)

			master.json("PATCH", fmt.Sprintf("%s/agents/%d", e.shopPath(), e.agents["kim"].ID), `{"active":false}`, 200, nil)
			for {
				var ev visitorWire
				must(t, json.Unmarshal(ws.next("event").Event, &ev))
				if len(ev.Message) > 0 && string(ev.Message) != "null" {
					t.Fatalf("the visitor got an agents-only line: %s %s", ev.Type, ev.Message)
				}
				if ev.Conversation != nil && ev.Conversation.State == chat.StateUnassigned {
					if ev.Conversation.AssigneeName != "" {
						t.Fatalf("the returned chat still names its agent %q", ev.Conversation.AssigneeName)
					}
					break
				}
			}
			if f := ws.next("queue"); queuePos(f) != 1 {
				t.Fatalf("the returned chat's queue frame %+v, want place 1", f)
			}
		})
	}
}

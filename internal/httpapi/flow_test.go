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
	t.Parallel()
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

// TestTakeRace: the agents on a hybrid desk click "Assign to me" on the
// same queued chat at once: exactly one gets it, the others are told
// plainly that a colleague has it (409 already_assigned), and the chat
// has one assigned line.
func TestTakeRace(t *testing.T) {
	t.Parallel()
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			e := newEnvOn(t, kind, nil)
			manager := e.login("manager")
			manager.json("PATCH", e.shopPath(), `{"settings":{"assignment_mode":"manual"}}`, 200, nil)
			names := []string{"master", "manager", "kim", "lee"}
			agents := make([]*client, len(names))
			for i, name := range names {
				agents[i] = e.login(name)
			}
			v := e.visitor("shop", "")
			c := v.start()
			v.json("POST", fmt.Sprintf("/api/v1/widget/conversations/%d/messages", c.ID), `{"client_msg_id":"v1","body":"주문 취소하고 싶어요. 아직 발송 전인가요?"}`, 201, nil)

			type answer struct {
				status int
				body   []byte
			}
			answers := make([]answer, len(agents))
			start := make(chan struct{})
			done := make(chan int)
			for i, a := range agents {
				go func() {
					<-start
					status, body := a.do("POST", e.convPath(c.ID)+"/assign", "")
					answers[i] = answer{status, body}
					done <- i
				}()
			}
			close(start)
			for range agents {
				<-done
			}
			winner := -1
			for i, a := range answers {
				switch a.status {
				case 200:
					if winner >= 0 {
						t.Fatalf("%s and %s both took the chat", names[winner], names[i])
					}
					winner = i
				case 409:
					if code, msg := errorBodyOf(t, a.body); code != chat.ErrAlreadyAssigned || msg == "" {
						t.Fatalf("%s refused with %s %q, want already_assigned", names[i], code, msg)
					}
				default:
					t.Fatalf("%s: %d %s", names[i], a.status, a.body)
				}
			}
			if winner < 0 {
				t.Fatal("nobody took the chat")
			}
			d := manager.detailOf(c.ID)
			if d.Conversation.AssigneeID != e.agents[names[winner]].ID || d.Conversation.State != chat.StateWaiting || len(d.Conversation.AgentPath) != 1 {
				t.Fatalf("the chat after the race: %+v, want it %s's, waiting", d.Conversation, names[winner])
			}
			var msgs []chat.Message
			manager.json("GET", e.convPath(c.ID)+"/messages", "", 200, &msgs)
			assigned := 0
			for _, m := range msgs {
				if m.Kind == chat.KindSystem && m.Body == chat.SystemAssigned {
					assigned++
				}
			}
			if assigned != 1 {
				t.Fatalf("%d assigned lines, want 1", assigned)
			}

			// A queued chat the visitor ended before an agent took it is
			// refused as ended, also to an agent, who sees closed chats
			// only of their own.
			gone := e.visitor("shop", "")
			g := gone.start()
			gone.json("POST", fmt.Sprintf("/api/v1/widget/conversations/%d/close", g.ID), "", 200, nil)
			status, body := e.login("kim").do("POST", e.convPath(g.ID)+"/assign", "")
			if code, _ := errorBodyOf(t, body); status != 409 || code != chat.ErrConversationClosed {
				t.Fatalf("take of a chat the visitor ended: %d %s, want 409 conversation_closed", status, body)
			}
		})
	}
}

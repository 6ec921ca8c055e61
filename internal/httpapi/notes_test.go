package httpapi_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sodam-chat/sodam/internal/chat"
)

// TestInternalNotes: a note, by the switch or the "/note" prefix, reaches
// the agents and never the visitor — not live, not replayed, not in the
// widget's history — and its mention lets a colleague in and alerts them.
func TestInternalNotes(t *testing.T) {
	t.Parallel()
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) { internalNotes(t, newEnvOn(t, kind, nil)) })
	}
}

func internalNotes(t *testing.T, e *env) {
	kim, lee, manager := e.login("kim"), e.login("lee"), e.login("manager")
	leeWS := lee.mustSocket(e.shopPath() + "/ws")
	managerWS := manager.mustSocket(e.shopPath() + "/ws")
	leeWS.next("ready")
	managerWS.next("ready")
	vis := e.visitor("shop", "")
	conv := vis.start()
	kim.json("POST", e.convPath(conv.ID)+"/assign", "", 200, nil)
	visWS := vis.mustSocket(fmt.Sprintf("/api/v1/widget/ws?token=%s&conversation_id=%d&after=0", vis.bearer, conv.ID))
	visWS.next("ready")
	var asked chat.Message
	vis.json("POST", fmt.Sprintf("/api/v1/widget/conversations/%d/messages", conv.ID), `{"client_msg_id":"v1","body":"지난주 주문한 운동화 환불 가능할까요?"}`, 201, &asked)

	secret := "이 고객 지난달에도 환불 요청함"
	var note chat.Message
	kim.json("POST", e.convPath(conv.ID)+"/messages", `{"client_msg_id":"n1","body":"@lee `+secret+`","internal":true}`, 201, &note)
	if !note.Internal || note.Body != "@lee "+secret || !slices.Equal(note.Mentions, []int64{e.agents["lee"].ID}) {
		t.Fatalf("note %+v", note)
	}
	var prefixed chat.Message
	kim.json("POST", e.convPath(conv.ID)+"/messages", `{"client_msg_id":"n2","body":"/메모 환불 규정 3조 확인 필요"}`, 201, &prefixed)
	if !prefixed.Internal || prefixed.Body != "환불 규정 3조 확인 필요" {
		t.Fatalf("prefixed note %+v", prefixed)
	}
	kim.json("POST", e.convPath(conv.ID)+"/messages", `{"client_msg_id":"n1","body":"@lee `+secret+`","internal":true}`, 200, nil) // a retry

	// Lee, a plain agent who does not hold the conversation, is alerted by
	// the mention and may open the conversation; the manager sees both
	// notes; the visitor sees neither.
	if ev := leeWS.eventOf(chat.EventMessageCreated); !ev.Message.Internal || ev.Message.ID != note.ID {
		t.Fatalf("lee got %+v", ev)
	}
	// From the mention on, lee's console follows the conversation.
	if ev := leeWS.eventOf(chat.EventMessageCreated); !ev.Message.Internal || ev.Message.ID != prefixed.ID {
		t.Fatalf("lee got %+v", ev)
	}
	if d := lee.detailOf(conv.ID); d.Conversation.ID != conv.ID {
		t.Fatalf("lee opened %+v", d)
	}
	var leeNote chat.Message
	lee.json("POST", e.convPath(conv.ID)+"/messages", `{"client_msg_id":"l1","body":"확인했습니다. 3월 2일에 환불 1회 있었어요","internal":true}`, 201, &leeNote)
	lee.json("POST", e.convPath(conv.ID)+"/messages", `{"client_msg_id":"l2","body":"고객님 안녕하세요"}`, 403, nil) // not lee's to answer
	// Nor is the conversation lee's to change, its customer or its
	// messages: a mention lets a colleague read and add notes.
	var vip chat.Tag
	manager.json("POST", e.shopPath()+"/tags", `{"kind":"customer","name":"VIP"}`, 201, &vip)
	e.refuse(func() string { return kim.state(e.convPath(conv.ID), e.convPath(conv.ID)+"/messages") }, []scenario{
		{name: "a mentioned agent edits the customer", as: lee, method: "PATCH", path: e.convPath(conv.ID) + "/customer", body: `{"name":"바뀐 이름"}`, status: 403, code: chat.ErrForbidden},
		{name: "a mentioned agent tags the customer", as: lee, method: "PUT", path: e.convPath(conv.ID) + "/customer/tags", body: fmt.Sprintf(`{"tag_ids":[%d]}`, vip.ID), status: 403, code: chat.ErrForbidden},
		{name: "a mentioned agent writes the wrap-up", as: lee, method: "PUT", path: e.convPath(conv.ID) + "/note", body: `{"category_id":0,"tag_ids":[],"memo":"덮어씀"}`, status: 403, code: chat.ErrForbidden},
		{name: "a mentioned agent masks a message", as: lee, method: "POST", path: fmt.Sprintf("%s/messages/%d/mask", e.convPath(conv.ID), asked.ID), body: `{"start":0,"end":3}`, status: 403, code: chat.ErrForbidden},
	})
	for range 3 {
		if ev := managerWS.eventOf(chat.EventMessageCreated); ev.Message.SenderType == chat.SenderAgent && !ev.Message.Internal {
			t.Fatalf("manager got %+v", ev)
		}
	}
	// Lee's console now follows the conversation, live and after a
	// reconnection.
	vis.json("POST", fmt.Sprintf("/api/v1/widget/conversations/%d/messages", conv.ID), `{"client_msg_id":"v2","body":"영수증도 필요하신가요?"}`, 201, nil)
	messageWith(t, leeWS, "영수증도 필요하신가요?")
	leeAgain := lee.mustSocket(e.shopPath() + "/ws?after=0")
	leeAgain.next("ready")
	vis.json("POST", fmt.Sprintf("/api/v1/widget/conversations/%d/messages", conv.ID), `{"client_msg_id":"v3","body":"카드 영수증이면 됩니다"}`, 201, nil)
	messageWith(t, leeAgain, "카드 영수증이면 됩니다")
	kim.json("POST", e.convPath(conv.ID)+"/messages", `{"client_msg_id":"k1","body":"네, 확인 후 안내드릴게요"}`, 201, nil)
	for {
		f := visWS.next("event")
		if strings.Contains(string(f.Event), secret) || strings.Contains(string(f.Event), "환불 규정") || strings.Contains(string(f.Event), `"internal"`) {
			t.Fatalf("the visitor's socket carried a note: %s", f.Event)
		}
		if strings.Contains(string(f.Event), "확인 후 안내드릴게요") {
			break
		}
	}
	// Replayed from the start, and in the widget's history: no note.
	replay := vis.mustSocket(fmt.Sprintf("/api/v1/widget/ws?token=%s&conversation_id=%d&after=0", vis.bearer, conv.ID))
	for f := replay.next(""); f.Type != "ready"; f = replay.next("") {
		if strings.Contains(string(f.Event), secret) || strings.Contains(string(f.Event), "3월 2일") {
			t.Fatalf("the replay carried a note: %s", f.Event)
		}
	}
	status, data := vis.do("GET", fmt.Sprintf("/api/v1/widget/conversations/%d/messages?after=0", conv.ID), "")
	if status != 200 || strings.Contains(string(data), secret) || strings.Contains(string(data), "3월 2일") || !strings.Contains(string(data), "확인 후 안내드릴게요") {
		t.Fatalf("widget history %d %s", status, data)
	}
	// The console's history has them, with their mention.
	var msgs []chat.Message
	kim.json("GET", e.convPath(conv.ID)+"/messages", "", 200, &msgs)
	var notes []chat.Message
	for _, m := range msgs {
		if m.Internal && m.SenderType == chat.SenderAgent {
			notes = append(notes, m)
		}
	}
	if len(notes) != 3 || !slices.Equal(notes[0].Mentions, []int64{e.agents["lee"].ID}) || notes[2].ID != leeNote.ID {
		t.Fatalf("console history notes %+v", notes)
	}
	// A conversation's state, preview and first reply are the replies'.
	d := kim.detailOf(conv.ID)
	if d.Conversation.LastMessage != "네, 확인 후 안내드릴게요" {
		t.Fatalf("conversation after notes %+v", d.Conversation)
	}
}

// TestReadReceipts: the visitor's reading reaches the agent, the
// assignee's reading reaches the visitor, both as conversation.read.
func TestReadReceipts(t *testing.T) {
	t.Parallel()
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) { readReceipts(t, newEnvOn(t, kind, nil)) })
	}
}

func readReceipts(t *testing.T, e *env) {
	kim, manager := e.login("kim"), e.login("manager")
	kimWS := kim.mustSocket(e.shopPath() + "/ws")
	kimWS.next("ready")
	vis := e.visitor("shop", "")
	conv := vis.start()
	kim.json("POST", e.convPath(conv.ID)+"/assign", "", 200, nil)
	var v sent
	vis.json("POST", fmt.Sprintf("/api/v1/widget/conversations/%d/messages", conv.ID), `{"client_msg_id":"v1","body":"택배가 반송됐다고 나와요"}`, 201, &v)
	var reply chat.Message
	kim.json("POST", e.convPath(conv.ID)+"/messages", `{"client_msg_id":"k1","body":"주소를 다시 확인해 드릴게요"}`, 201, &reply)
	visWS := vis.mustSocket(fmt.Sprintf("/api/v1/widget/ws?token=%s&conversation_id=%d", vis.bearer, conv.ID))
	visWS.next("ready")

	var seen struct {
		AgentReadSeq int64 `json:"agent_read_seq"`
	}
	vis.json("POST", fmt.Sprintf("/api/v1/widget/conversations/%d/read", conv.ID), fmt.Sprintf(`{"seq":%d}`, reply.Seq), 200, &seen)
	if ev := kimWS.eventOf(chat.EventConversationRead); ev.Conversation.VisitorReadSeq != reply.Seq || ev.Conversation.ID != conv.ID {
		t.Fatalf("kim got %+v", ev)
	}
	// A manager's look is no receipt; the assignee's is.
	manager.json("POST", e.convPath(conv.ID)+"/read", fmt.Sprintf(`{"seq":%d}`, reply.Seq), 200, nil)
	var read chat.Conversation
	kim.json("POST", e.convPath(conv.ID)+"/read", fmt.Sprintf(`{"seq":%d}`, reply.Seq), 200, &read)
	if read.AgentReadSeq != reply.Seq || read.VisitorReadSeq != reply.Seq {
		t.Fatalf("kim read %+v", read)
	}
	for {
		f := visWS.next("event")
		var ev struct {
			Type         chat.EventType `json:"type"`
			Conversation struct {
				AgentReadSeq int64 `json:"agent_read_seq"`
			} `json:"conversation"`
		}
		must(t, json.Unmarshal(f.Event, &ev))
		if ev.Type == chat.EventConversationRead && ev.Conversation.AgentReadSeq == reply.Seq {
			break
		}
	}
	// Reading the same place again writes nothing.
	before := e.lastSeqs()
	kim.json("POST", e.convPath(conv.ID)+"/read", fmt.Sprintf(`{"seq":%d}`, reply.Seq), 200, nil)
	vis.json("POST", fmt.Sprintf("/api/v1/widget/conversations/%d/read", conv.ID), `{"seq":1}`, 200, nil)
	time.Sleep(10 * time.Millisecond)
	if after := e.lastSeqs(); after != before {
		t.Fatalf("repeated reads wrote events: %v → %v", before, after)
	}
}

// TestNotesAndReadsBadInput: each refusal has its code and changes
// nothing, on both stores.
func TestNotesAndReadsBadInput(t *testing.T) {
	t.Parallel()
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			e := newEnvOn(t, kind, nil)
			kim, lee, olga := e.login("kim"), e.login("lee"), e.login("olga")
			vis := e.visitor("shop", "")
			conv := vis.start()
			kim.json("POST", e.convPath(conv.ID)+"/assign", "", 200, nil)
			stranger := e.visitor("shop", "")
			strangerConv := stranger.start()
			widget := func(id int64) string { return fmt.Sprintf("/api/v1/widget/conversations/%d/read", id) }
			long := strings.Repeat("메", chat.MaxMessageLength+1)
			otherConv := fmt.Sprintf("/api/v1/workspaces/%d/conversations/%d", e.other.ID, conv.ID)
			state := func() string { return fmt.Sprint(e.lastSeqs()) }
			e.refuse(state, []scenario{
				{name: "an empty note", as: kim, method: "POST", path: e.convPath(conv.ID) + "/messages", body: `{"client_msg_id":"n1","body":"  ","internal":true}`, status: 400, code: chat.ErrEmptyMessage},
				{name: "an empty /note", as: kim, method: "POST", path: e.convPath(conv.ID) + "/messages", body: `{"client_msg_id":"n1","body":"/note   "}`, status: 400, code: chat.ErrEmptyMessage},
				{name: "an oversize note", as: kim, method: "POST", path: e.convPath(conv.ID) + "/messages", body: `{"client_msg_id":"n1","body":"` + long + `","internal":true}`, status: 400, code: chat.ErrMessageTooLong},
				{name: "internal is not a boolean", as: kim, method: "POST", path: e.convPath(conv.ID) + "/messages", body: `{"client_msg_id":"n1","body":"x","internal":"yes"}`, status: 400, code: chat.ErrInvalid},
				{name: "no client_msg_id", as: kim, method: "POST", path: e.convPath(conv.ID) + "/messages", body: `{"body":"메모","internal":true}`, status: 400, code: chat.ErrInvalid},
				{name: "a note where the agent cannot see", as: lee, method: "POST", path: e.convPath(conv.ID) + "/messages", body: `{"client_msg_id":"n1","body":"메모","internal":true}`, status: 404, code: chat.ErrConversationNotFound},
				{name: "a note in an unknown conversation", as: kim, method: "POST", path: e.convPath(999999) + "/messages", body: `{"client_msg_id":"n1","body":"메모","internal":true}`, status: 404, code: chat.ErrConversationNotFound},
				{name: "a note in another workspace's conversation", as: olga, method: "POST", path: otherConv + "/messages", body: `{"client_msg_id":"n1","body":"메모","internal":true}`, status: 404, code: chat.ErrConversationNotFound},
				{name: "a read without seq", as: kim, method: "POST", path: e.convPath(conv.ID) + "/read", body: `{}`, status: 400, code: chat.ErrInvalid},
				{name: "a read with a string seq", as: kim, method: "POST", path: e.convPath(conv.ID) + "/read", body: `{"seq":"3"}`, status: 400, code: chat.ErrInvalid},
				{name: "a read past the end", as: kim, method: "POST", path: e.convPath(conv.ID) + "/read", body: `{"seq":99}`, status: 400, code: chat.ErrInvalid},
				{name: "a negative read", as: kim, method: "POST", path: e.convPath(conv.ID) + "/read", body: `{"seq":-1}`, status: 400, code: chat.ErrInvalid},
				{name: "a read in another workspace", as: olga, method: "POST", path: otherConv + "/read", body: `{"seq":1}`, status: 404, code: chat.ErrConversationNotFound},
				{name: "a read by an agent who cannot see", as: lee, method: "POST", path: e.convPath(conv.ID) + "/read", body: `{"seq":1}`, status: 404, code: chat.ErrConversationNotFound},
				{name: "a visitor's read past the end", as: vis, method: "POST", path: widget(conv.ID), body: `{"seq":99}`, status: 400, code: chat.ErrInvalid},
				{name: "a visitor's read of another's conversation", as: vis, method: "POST", path: widget(strangerConv.ID), body: `{"seq":1}`, status: 404, code: chat.ErrConversationNotFound},
				{name: "a visitor's read with a float", as: vis, method: "POST", path: widget(conv.ID), body: `{"seq":1.5}`, status: 400, code: chat.ErrInvalid},
			})
		})
	}
}

// messageWith skips events until a message with body arrives.
func messageWith(t *testing.T, ws *socket, body string) {
	t.Helper()
	for {
		if ev := ws.eventOf(chat.EventMessageCreated); ev.Message.Body == body {
			return
		}
	}
}

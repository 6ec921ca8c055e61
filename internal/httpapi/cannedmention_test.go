package httpapi_test

import (
	"fmt"
	"testing"

	"github.com/sodam-chat/sodam/internal/chat"
)

// TestCannedInMentionedConversation: an agent a note mentioned may open a
// colleague's conversation and answer with a note (§2.7); typing "#" in
// that note searched the canned responses for the conversation and was
// refused as "no such conversation". The variables are now filled for
// whoever may read it; to anyone else it still does not exist.
func TestCannedInMentionedConversation(t *testing.T) {
	t.Parallel()
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) { cannedInMentionedConversation(t, newEnvOn(t, kind, nil)) })
	}
}

func cannedInMentionedConversation(t *testing.T, e *env) {
	manager, kim, lee := e.login("manager"), e.login("kim"), e.login("lee")
	conv := e.visitor("shop", `,"extra":{"cus_extra_username":"홍길동"}`).start()
	kim.json("POST", e.convPath(conv.ID)+"/assign", "", 200, nil)
	manager.json("POST", e.shopPath()+"/canned", `{"title":"환불 안내","body":"{고객명}님, 방 {방번호}","shared":true}`, 201, nil)
	path := fmt.Sprintf("%s/canned?q=%%ED%%99%%98%%EB%%B6%%88&conversation_id=%d", e.shopPath(), conv.ID)

	e.refuse(func() string { return kim.state(e.shopPath() + "/canned") }, []scenario{
		{name: "before the mention", as: lee, method: "GET", path: path, status: 404, code: chat.ErrConversationNotFound},
	})
	kim.json("POST", e.convPath(conv.ID)+"/messages", `{"client_msg_id":"n1","body":"@lee 환불 규정 확인 부탁해요","internal":true}`, 201, nil)
	var found []chat.Canned
	lee.json("GET", path, "", 200, &found)
	if want := fmt.Sprintf("홍길동님, 방 %d", conv.RoomNo); len(found) != 1 || found[0].Text != want {
		t.Fatalf("the mentioned agent's search: %+v, want the text %q", found, want)
	}
}

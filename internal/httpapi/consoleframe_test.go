package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/httpapi"
)

// TestConsoleSendsStoredBytes: a console socket sends an event's stored
// bytes as they are (renderConsole), and they are exactly what encoding
// the event for the console gives (ConsoleEvent), for every event of a
// conversation's life, on both stores. A file's events, whose links the
// console adds, are encoded anew.
func TestConsoleSendsStoredBytes(t *testing.T) {
	t.Parallel()
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			e := newEnvOn(t, kind, nil)
			kim, lee, manager := e.login("kim"), e.login("lee"), e.login("manager")
			ws := manager.mustSocket(e.shopPath() + "/ws")
			ws.next("ready")
			// check compares the frames of the events since the last check
			// with the events as the store holds them now: a mask later
			// rewrites the stored events that carried its text.
			var last int64
			files, events := 0, 0
			check := func() {
				t.Helper()
				evs, err := e.store.Events(context.Background(), e.shop.ID, chat.EventFilter{AfterSeq: last})
				must(t, err)
				for _, ev := range evs {
					f := ws.next("event")
					want, err := json.Marshal(httpapi.ConsoleEvent(ev))
					must(t, err)
					if !bytes.Equal(f.Event, want) {
						t.Fatalf("event %d (%s):\nsent    %s\nencoded %s", ev.Seq, ev.Type, f.Event, want)
					}
					if ev.Message != nil && ev.Message.Attachment != nil {
						files++
					}
					last = ev.Seq
					events++
				}
			}
			vis := e.visitor("shop", "")
			c := vis.start()
			check()
			var first sent
			vis.json("POST", fmt.Sprintf("/api/v1/widget/conversations/%d/messages", c.ID), `{"client_msg_id":"v1","body":"반품하려고요. 연락처는 010-2345-6789 입니다 <b>&</b>"}`, 201, &first)
			check()
			conv := e.convPath(c.ID)
			for _, step := range []struct {
				who        *client
				path, body string
			}{
				{kim, "/assign", ""},
				{kim, "/messages", `{"client_msg_id":"k1","body":"네, 주문번호를 알려 주시겠어요?"}`},
				{kim, "/messages", `{"client_msg_id":"n1","body":"@lee 반품 규정 확인 부탁해요","internal":true}`},
				{kim, "/important", `{"on":true}`},
				{kim, "/hold", `{"on":true}`},
				{kim, "/hold", `{"on":false}`},
				{kim, fmt.Sprintf("/messages/%d/mask", first.Message.ID), `{"start":13,"end":26}`},
			} {
				status, data := step.who.do("POST", conv+step.path, step.body)
				if status != 200 && status != 201 {
					t.Fatalf("POST %s: %d %s", step.path, status, data)
				}
				check()
			}
			if status, data := kim.upload(conv+"/files", "f1", "반품신청서.pdf", strings.NewReader("%PDF-1.4 반품")); status != 201 {
				t.Fatalf("upload: %d %s", status, data)
			}
			check()
			e.setStatus("lee", chat.StatusOnline)
			check()
			kim.json("POST", conv+"/transfer", fmt.Sprintf(`{"agent_id":%d,"reason":"규정 담당"}`, e.agents["lee"].ID), 200, nil)
			lee.json("POST", conv+"/messages", `{"client_msg_id":"l1","body":"반품 접수해 드렸습니다."}`, 201, nil)
			lee.json("POST", conv+"/close", "", 200, nil)
			check()
			if events < 12 || files == 0 {
				t.Fatalf("%d events, %d of a file: the test proves little", events, files)
			}
		})
	}
}

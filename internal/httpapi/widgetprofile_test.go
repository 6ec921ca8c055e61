package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/sodam-chat/sodam/internal/chat"
)

// TestWidgetProfileChecked: the name, phone and email a site passes go
// through the profile's checks, as an agent's edit does; one that fails is
// left out and the visitor still chats (§1.3: they are optional), so a
// ticket can be made from the chat afterwards.
func TestWidgetProfileChecked(t *testing.T) {
	t.Parallel()
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			e := newEnvOn(t, kind, nil)
			kim := e.login("kim")
			extra := func(m map[string]string) string {
				b, err := json.Marshal(m)
				must(t, err)
				return `,"extra":` + string(b)
			}
			bad := e.visitor("shop", extra(map[string]string{
				"cus_extra_username": strings.Repeat("홍", 200) + "\n" + strings.Repeat("길", 105),
				"cus_extra_phone":    "call me maybe",
				"cus_extra_email":    "hong at example",
				"cus_extra_plan":     "gold",
			}))
			conv := bad.start()
			kim.json("POST", e.convPath(conv.ID)+"/assign", "", 200, nil)
			cu := kim.detailOf(conv.ID).Customer
			if cu.Name != "" || cu.Phone != "" || cu.Email != "" || cu.Extra["cus_extra_plan"] != "gold" || len(cu.Extra) != 1 {
				t.Fatalf("the profile took what fails its checks: %+v", cu.Profile)
			}
			// The chat's ticket: no contact to take, and none needed.
			var tk chat.Ticket
			kim.json("POST", e.shopPath()+"/tickets", fmt.Sprintf(`{"subject":"환불 문의","conversation_id":%d}`, conv.ID), 201, &tk)
			if tk.ConversationID != conv.ID || tk.Contact != "" {
				t.Fatalf("ticket %+v", tk)
			}

			// What passes is kept, as an agent would have typed it.
			good := e.visitor("shop", extra(map[string]string{
				"cus_extra_username": " 김민수 ", "cus_extra_phone": "010-1234-5678", "cus_extra_email": "minsu@example.com",
			}))
			conv2 := good.start()
			kim.json("POST", e.convPath(conv2.ID)+"/assign", "", 200, nil)
			if cu := kim.detailOf(conv2.ID).Customer; cu.Name != "김민수" || cu.Phone != "010-1234-5678" || cu.Email != "minsu@example.com" {
				t.Fatalf("profile %+v", cu.Profile)
			}
			// Four digits are no phone number, from the site or an agent.
			short := e.visitor("shop", extra(map[string]string{"cus_extra_phone": "1588"}))
			conv3 := short.start()
			kim.json("POST", e.convPath(conv3.ID)+"/assign", "", 200, nil)
			if cu := kim.detailOf(conv3.ID).Customer; cu.Phone != "" {
				t.Fatalf("phone %q", cu.Phone)
			}
			e.refuse(func() string { return kim.state(e.convPath(conv2.ID)) }, []scenario{
				{name: "a four-digit phone", as: kim, method: "PATCH", path: e.convPath(conv2.ID) + "/customer", body: `{"phone":"1588"}`, status: 400, code: chat.ErrInvalid},
			})
		})
	}
}

// TestTicketFromChatLeavesOutBadContact: a profile holding a contact no
// ticket may have (stored before the checks) gives the chat's ticket the
// contact that passes, or none, instead of refusing the ticket.
func TestTicketFromChatLeavesOutBadContact(t *testing.T) {
	t.Parallel()
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			e := newEnvOn(t, kind, nil)
			ctx := context.Background()
			kim := e.login("kim")
			for _, tt := range []struct {
				name, email, phone, wantName, wantContact string
			}{
				{strings.Repeat("홍", 306), "hong at example", "010-1234-5678", "", "010-1234-5678"},
				{"홍길동", "hong@example.com", "call me maybe", "홍길동", "hong@example.com"},
				{"홍길동", "hong at example", "1588", "홍길동", ""},
			} {
				cu := &chat.Customer{WorkspaceID: e.shop.ID, ExternalID: "legacy-" + tt.phone,
					Profile: chat.Profile{Name: tt.name, Email: tt.email, Phone: tt.phone}}
				must(t, e.store.UpsertCustomer(ctx, cu))
				conv, _, err := e.app.StartConversation(ctx, e.shop.ID, cu.ID, chat.ChannelWeb, "ko", "")
				must(t, err)
				kim.json("POST", e.convPath(conv.ID)+"/assign", "", 200, nil)
				var tk chat.Ticket
				kim.json("POST", e.shopPath()+"/tickets", fmt.Sprintf(`{"subject":"교환 요청","conversation_id":%d}`, conv.ID), 201, &tk)
				if tk.Name != tt.wantName || tk.Contact != tt.wantContact {
					t.Errorf("%q / %q: ticket name %q contact %q, want %q %q", tt.email, tt.phone, tk.Name, tk.Contact, tt.wantName, tt.wantContact)
				}
			}
		})
	}
}

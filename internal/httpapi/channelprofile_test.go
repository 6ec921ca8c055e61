package httpapi_test

import (
	"testing"
)

// TestChannelProfileKeepsAgentEdits: a messenger sends its user's profile
// with every message. It fills what the customer's profile lacks, and is
// kept as cus_extra_messenger_name, but never writes over what an agent
// entered (§4.2: the channel's profile is not the customer's name).
func TestChannelProfileKeepsAgentEdits(t *testing.T) {
	t.Parallel()
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			e := newEnvOn(t, kind, allowPrivate)
			master := e.login("master")
			var ch createdChannel
			master.json("POST", e.shopPath()+"/channels", `{"kind":"kakao","name":"카카오톡 채널 @소담샵","webhook_url":"http://127.0.0.1:9/kakao"}`, 201, &ch)
			b := e.bridge(ch.Token)
			var sent channelSent
			b.json("POST", "/api/v1/channel/messages", `{"external_user_id":"kk_3310","client_msg_id":"k1","text":"주문 취소하고 싶어요","profile":{"name":"🐻곰돌이","phone":"010-3344-5566"}}`, 201, &sent)
			d := master.detailOf(sent.ConversationID)
			if d.Customer.Name != "🐻곰돌이" || d.Customer.Phone != "010-3344-5566" || d.Customer.Extra["cus_extra_messenger_name"] != "🐻곰돌이" {
				t.Fatalf("the first message's profile: %+v", d.Customer)
			}
			master.json("PATCH", e.convPath(sent.ConversationID)+"/customer", `{"name":"이영희","phone":"010-7788-9900"}`, 200, nil)
			b.json("POST", "/api/v1/channel/messages", `{"external_user_id":"kk_3310","client_msg_id":"k2","text":"주문번호는 20261205-118 입니다","profile":{"name":"🐻곰돌이2","phone":"010-3344-5566","email":"bear@example.com"}}`, 201, nil)
			d = master.detailOf(sent.ConversationID)
			if d.Customer.Name != "이영희" || d.Customer.Phone != "010-7788-9900" || d.Customer.Email != "bear@example.com" || d.Customer.Extra["cus_extra_messenger_name"] != "🐻곰돌이2" {
				t.Fatalf("after the agent's edit, the next message left %+v", d.Customer)
			}
		})
	}
}

// TestChannelProfileTrimmed: a bridge's profile is stored as it was
// checked — without the spaces around it — so a name of spaces is no
// name (the customer is "고객 #N", not blank) and a padded one is not
// stored longer than a name may be.
func TestChannelProfileTrimmed(t *testing.T) {
	t.Parallel()
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			e := newEnvOn(t, kind, allowPrivate)
			master := e.login("master")
			var ch createdChannel
			master.json("POST", e.shopPath()+"/channels", `{"kind":"kakao","name":"카카오톡 채널","webhook_url":"http://127.0.0.1:9/kakao"}`, 201, &ch)
			b := e.bridge(ch.Token)
			var sent channelSent
			b.json("POST", "/api/v1/channel/messages", `{"external_user_id":"kk_1","client_msg_id":"k1","text":"안녕하세요","profile":{"name":"  김민지  ","phone":" 010-1234-5678 ","email":" minji@example.com "}}`, 201, &sent)
			d := master.detailOf(sent.ConversationID)
			if d.Customer.Name != "김민지" || d.Customer.Phone != "010-1234-5678" || d.Customer.Email != "minji@example.com" || d.Customer.Extra["cus_extra_messenger_name"] != "김민지" {
				t.Fatalf("a padded profile was stored as %q %q %q %q", d.Customer.Name, d.Customer.Phone, d.Customer.Email, d.Customer.Extra["cus_extra_messenger_name"])
			}
			b.json("POST", "/api/v1/channel/messages", `{"external_user_id":"kk_2","client_msg_id":"k1","text":"안녕하세요","profile":{"name":"   "}}`, 201, &sent)
			if d := master.detailOf(sent.ConversationID); d.Customer.Name != "" || d.Customer.Extra["cus_extra_messenger_name"] != "" {
				t.Fatalf("a name of spaces was stored as %q (%q)", d.Customer.Name, d.Customer.Extra["cus_extra_messenger_name"])
			}
		})
	}
}

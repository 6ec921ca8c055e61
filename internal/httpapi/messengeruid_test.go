package httpapi_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/sodam-chat/sodam/internal/chat"
)

// TestSiteUIDNotAMessengerAccount: a messenger account's identifier
// (kakao<channel>-<user>) is a name a site's member may also have — say a
// username its owner chose — and a signed site_uid of that name must not
// open a widget session on the messenger account: it would read and write
// that person's KakaoTalk conversations (§1.3: nobody reads another
// customer's history), or, taken before the account first writes, become
// it. The session is refused, and nothing is stored.
func TestSiteUIDNotAMessengerAccount(t *testing.T) {
	t.Parallel()
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			e := newEnvOn(t, kind, allowPrivate)
			master := e.login("master")
			rc := newReceiver(t)
			var ch createdChannel
			master.json("POST", e.shopPath()+"/channels", `{"kind":"kakao","name":"카카오톡","webhook_url":"`+rc.srv.URL+`/kakao"}`, 201, &ch)
			rc.secret(ch.Secret)
			var sent channelSent
			e.bridge(ch.Token).json("POST", "/api/v1/channel/messages", `{"external_user_id":"kk_8841","client_msg_id":"k1","text":"주문 번호는 2026-1123 입니다"}`, 201, &sent)
			d := master.detailOf(sent.ConversationID)
			uid := d.Customer.ExternalID
			signed := `{"site_id":"shop","site_uid":"` + uid + `","site_uid_sig":"` + chat.SignSiteUID(e.shop.IdentitySecret, uid) + `"}`
			state := func() string {
				return master.state(e.convPath(sent.ConversationID)+"/messages", e.shopPath()+"/conversations")
			}
			e.refuse(state, []scenario{
				{name: "a site_uid named as the messenger account", as: e.anonymous(), method: "POST", path: "/api/v1/widget/sessions", body: signed, status: 400, code: chat.ErrInvalid},
				{name: "a site_uid named as a messenger account to come", as: e.anonymous(), method: "POST", path: "/api/v1/widget/sessions", body: `{"site_id":"shop","site_uid":"telegram7-5550123","site_uid_sig":"` + chat.SignSiteUID(e.shop.IdentitySecret, "telegram7-5550123") + `"}`, status: 400, code: chat.ErrInvalid},
			})
			// Names merely like one are members' as ever.
			e.visitor("shop", `,"site_uid":"kakao-fan","site_uid_sig":"`+chat.SignSiteUID(e.shop.IdentitySecret, "kakao-fan")+`"`)
			// Had it been taken, this visitor would read the KakaoTalk chat.
			v := e.anonymous()
			if status, data := v.do("POST", "/api/v1/widget/sessions", signed); status == 200 {
				var s struct {
					VisitorToken string `json:"visitor_token"`
				}
				must(t, json.Unmarshal(data, &s))
				v.bearer = s.VisitorToken
				if status, data := v.do("GET", fmt.Sprintf("/api/v1/widget/conversations/%d/messages", sent.ConversationID), ""); status == 200 {
					t.Errorf("the site's member reads the messenger account's chat: %s", data)
				}
			}
		})
	}
}

// TestCustomerIDNotAMessengerAccountToCome: an agent who gives a KakaoTalk
// user the customer ID of a messenger account that has not written yet
// (kakao<channel>-<user>) would hand that account this customer's
// profile: when it first writes it joins the profile of that customer ID,
// a stranger's chats under this customer's history and theirs under his.
// The change is refused, and nothing is stored; on both stores.
func TestCustomerIDNotAMessengerAccountToCome(t *testing.T) {
	t.Parallel()
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			e := newEnvOn(t, kind, allowPrivate)
			master := e.login("master")
			rc := newReceiver(t)
			var ch createdChannel
			master.json("POST", e.shopPath()+"/channels", `{"kind":"kakao","name":"카카오톡","webhook_url":"`+rc.srv.URL+`/kakao"}`, 201, &ch)
			rc.secret(ch.Secret)
			var bob channelSent
			e.bridge(ch.Token).json("POST", "/api/v1/channel/messages", `{"external_user_id":"bob","client_msg_id":"b1","text":"배송 언제 오나요?","profile":{"name":"김철수"}}`, 201, &bob)
			d := master.detailOf(bob.ConversationID)
			alice := strings.TrimSuffix(d.Customer.ExternalID, "bob") + "alice"
			state := func() string {
				return master.state(e.convPath(bob.ConversationID), e.shopPath()+"/conversations")
			}
			e.refuse(state, []scenario{
				{name: "the customer ID of a messenger account to come", as: master, method: "PUT", path: e.convPath(bob.ConversationID) + "/customer/id",
					body: `{"customer_id":"` + alice + `","confirm":true}`, status: 400, code: chat.ErrInvalid},
			})
			// Alice writes for the first time: she is nobody's but her own.
			var first channelSent
			e.bridge(ch.Token).json("POST", "/api/v1/channel/messages", `{"external_user_id":"alice","client_msg_id":"a1","text":"환불 문의합니다","profile":{"name":"이영희"}}`, 201, &first)
			if got := master.detailOf(first.ConversationID).Customer; got.CustomerID != alice || got.Name != "이영희" {
				t.Fatalf("alice's first chat shows customer ID %s named %s", got.CustomerID, got.Name)
			}
		})
	}
}

package httpapi_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/sodam-chat/sodam/internal/chat"
)

// TestArchivedWorkspaceIsClosed: an owner's archive closes a workspace's
// chat and console, as the confirmation promises ("위젯과 콘솔이 닫히고
// 기록은 남습니다"): its members no longer see it, its visitors are told
// it does not exist (TestArchivedWorkspaceWidget), its API tokens and
// messenger channels are refused with workspace_archived, and nothing of
// it is changed; restored, all of it works again. Before, its members,
// tokens and channels went on as if nothing had happened.
func TestArchivedWorkspaceIsClosed(t *testing.T) {
	t.Parallel()
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			e := newEnvOn(t, kind, allowPrivate)
			_, err := e.store.SetOwner(t.Context(), e.agents["master"].ID, true, chat.Who{})
			must(t, err)
			owner, kim := e.login("master"), e.login("kim")
			var tok createdToken
			owner.json("POST", e.shopPath()+"/api-tokens", `{"name":"CRM sync","scopes":["read","write"]}`, 201, &tok)
			script := e.anonymous()
			script.bearer = tok.Token
			var ch createdChannel
			owner.json("POST", e.shopPath()+"/channels", `{"kind":"kakao","name":"카카오톡 채널 @소담샵","webhook_url":"https://bridge.example.com/kakao"}`, 201, &ch)
			bridge := e.bridge(ch.Token)
			bridge.json("POST", "/api/v1/channel/messages", `{"external_user_id":"kk_1","client_msg_id":"k1","text":"배송 문의드려요"}`, 201, nil)
			v := e.visitor("shop", "")
			c := v.start()
			v.json("POST", fmt.Sprintf("/api/v1/widget/conversations/%d/messages", c.ID), `{"client_msg_id":"v1","body":"환불 문의드립니다"}`, 201, nil)

			archive := func(on bool) {
				t.Helper()
				owner.json("POST", fmt.Sprintf("/api/v1/workspaces/%d/archive", e.shop.ID), fmt.Sprintf(`{"archived":%t}`, on), 200, nil)
			}
			// Open sockets close at the archive, not at their next check.
			kimSocket := kim.mustSocket(e.shopPath() + "/ws")
			kimSocket.next("ready")
			visitorSocket := v.mustSocket(fmt.Sprintf("/api/v1/widget/ws?token=%s&conversation_id=%d", v.bearer, c.ID))
			visitorSocket.next("ready")
			archive(true)
			waitClosed(t, kimSocket)
			waitClosed(t, visitorSocket)
			// Every change to a workspace writes an event.
			state := func() string {
				seq, err := e.store.LastEventSeq(t.Context(), e.shop.ID)
				must(t, err)
				return fmt.Sprint(seq)
			}
			before := state()
			e.refuse(state, []scenario{
				{name: "a member's console", as: kim, method: "GET", path: e.shopPath() + "/conversations", status: 404, code: chat.ErrWorkspaceNotFound},
				{name: "a member's reply", as: kim, method: "POST", path: fmt.Sprintf("%s/conversations/%d/messages", e.shopPath(), c.ID), body: `{"client_msg_id":"a1","body":"안내드릴게요"}`, status: 404, code: chat.ErrWorkspaceNotFound},
				{name: "the visitor's message", as: v, method: "POST", path: fmt.Sprintf("/api/v1/widget/conversations/%d/messages", c.ID), body: `{"client_msg_id":"v2","body":"답변 기다려요"}`, status: 404, code: chat.ErrWorkspaceNotFound},
				{name: "the API token", as: script, method: "GET", path: e.shopPath() + "/conversations", status: 409, code: chat.ErrWorkspaceArchived},
				{name: "the channel", as: bridge, method: "POST", path: "/api/v1/channel/messages", body: `{"external_user_id":"kk_1","client_msg_id":"k2","text":"아직인가요"}`, status: 409, code: chat.ErrWorkspaceArchived},
			})
			if after := state(); after != before {
				t.Fatalf("the refusals changed the workspace")
			}
			// The member's workspace list and sign-in leave it out.
			var me struct {
				Memberships []chat.Member `json:"memberships"`
			}
			kim.json("GET", "/api/v1/me", "", 200, &me)
			for _, m := range me.Memberships {
				if m.WorkspaceID == e.shop.ID {
					t.Fatalf("an archived workspace among kim's: %+v", me.Memberships)
				}
			}

			archive(false)
			kim.json("GET", e.shopPath()+"/conversations", "", 200, nil)
			v.json("POST", fmt.Sprintf("/api/v1/widget/conversations/%d/messages", c.ID), `{"client_msg_id":"v2","body":"답변 기다려요"}`, 201, nil)
			script.json("GET", e.shopPath()+"/conversations", "", 200, nil)
			bridge.json("POST", "/api/v1/channel/messages", `{"external_user_id":"kk_1","client_msg_id":"k2","text":"아직인가요"}`, 201, nil)
			if !strings.Contains(kim.state(e.convPath(c.ID)+"/messages"), "답변 기다려요") {
				t.Fatal("the visitor's message after the restore is missing")
			}
		})
	}
}

package node

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/sodam-chat/sodam/internal/event"
	"github.com/sodam-chat/sodam/internal/outbox"
)

// kakaoBridge plays a KakaoTalk bridge: it posts what users write to
// Sodam with the channel's token, and receives agents' replies on its
// own HTTP server, verifying each with the Standard Webhooks library and
// keeping them per user, as it would send them on to KakaoTalk.
type kakaoBridge struct {
	t     *testing.T
	srv   *httptest.Server
	token string
	base  string
	mu    sync.Mutex
	wh    *standardwebhooks.Webhook
	down  bool
	inbox map[string][]string // user → replies, in arrival order
	ids   map[int64][]string  // message ID → webhook-ids it arrived with
}

func newKakaoBridge(t *testing.T) *kakaoBridge {
	b := &kakaoBridge{t: t, inbox: map[string][]string{}, ids: map[int64][]string{}}
	b.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		b.mu.Lock()
		defer b.mu.Unlock()
		if b.down {
			http.Error(w, "bridge restarting", http.StatusServiceUnavailable)
			return
		}
		if err := b.wh.Verify(raw, r.Header); err != nil {
			t.Errorf("a delivery failed verification: %v", err)
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		var body outbox.Body
		if err := json.Unmarshal(raw, &body); err != nil {
			t.Errorf("payload: %v", err)
			return
		}
		ev, err := event.Decode(body.Data)
		if err != nil {
			t.Errorf("event: %v", err)
			return
		}
		if ev.Message != nil && body.Recipient != nil {
			user := body.Recipient.ExternalUserID
			b.inbox[user] = append(b.inbox[user], ev.Message.Body)
			b.ids[ev.Message.ID] = append(b.ids[ev.Message.ID], r.Header.Get("webhook-id"))
		}
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(b.srv.Close)
	return b
}

func (b *kakaoBridge) setDown(down bool) {
	b.mu.Lock()
	b.down = down
	b.mu.Unlock()
}

// post sends a user's message to Sodam as the bridge does.
func (b *kakaoBridge) post(user, msgID, text string) (conversationID int64) {
	b.t.Helper()
	req, _ := http.NewRequest("POST", b.base+"/api/v1/channel/messages",
		strings.NewReader(fmt.Sprintf(`{"external_user_id":%q,"client_msg_id":%q,"text":%q}`, user, msgID, text)))
	req.Header.Set("Authorization", "Bearer "+b.token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		ConversationID int64 `json:"conversation_id"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode/100 != 2 {
		b.t.Fatalf("post: %d %v", resp.StatusCode, err)
	}
	return out.ConversationID
}

// waitFor waits until user has received text, and reports how often.
func (b *kakaoBridge) waitFor(user, text string, within time.Duration) int {
	b.t.Helper()
	for deadline := time.Now().Add(within); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		b.mu.Lock()
		n := 0
		for _, m := range b.inbox[user] {
			if m == text {
				n++
			}
		}
		b.mu.Unlock()
		if n > 0 {
			return n
		}
	}
	b.t.Fatalf("%s never received %q", user, text)
	return 0
}

// console is an agent's API client.
type console struct {
	t    *testing.T
	base string
	hc   *http.Client
	csrf string
	wid  int64
}

func (c *console) call(method, path, body string, want int, out any) {
	c.t.Helper()
	req, _ := http.NewRequest(method, c.base+path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("X-CSRF-Token", c.csrf)
	resp, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		c.t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, data)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			c.t.Fatal(err)
		}
	}
}

func signIn(t *testing.T, base, email, password string) *console {
	jar, _ := cookiejar.New(nil)
	c := &console{t: t, base: base, hc: &http.Client{Jar: jar}}
	var me struct {
		CSRFToken   string `json:"csrf_token"`
		Memberships []struct {
			WorkspaceID int64 `json:"workspace_id"`
		} `json:"memberships"`
	}
	c.call("POST", "/api/v1/auth/login", `{"email":"`+email+`","password":"`+password+`"}`, 200, &me)
	c.csrf, c.wid = me.CSRFToken, me.Memberships[0].WorkspaceID
	return c
}

// TestBridgeAcrossRestart runs the real node: a KakaoTalk-style bridge
// posts two users' messages and receives the agent's replies through the
// outbox; while the bridge is down the node restarts, and every reply
// still arrives, signed, any repeat under the same webhook-id.
func TestBridgeAcrossRestart(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"SODAM_ADMIN_PASSWORD": "kakao-bridge-test-1", "SODAM_WEBHOOK_ALLOW_PRIVATE": "true", "SODAM_DATA": dir}
	start := func() *Main {
		m := New(io.Discard)
		if err := m.ParseFlags([]string{"--addr", "127.0.0.1:0", "--log-level", "error"}, func(k string) string { return env[k] }); err != nil {
			t.Fatal(err)
		}
		if err := m.Run(context.Background()); err != nil {
			t.Fatal(err)
		}
		return m
	}
	m := start()
	base := "http://" + m.Addr()
	agent := signIn(t, base, "admin@sodam.local", env["SODAM_ADMIN_PASSWORD"])
	bridge := newKakaoBridge(t)
	var ch struct {
		Token, Secret string
	}
	agent.call("POST", fmt.Sprintf("/api/v1/workspaces/%d/channels", agent.wid), `{"kind":"kakao","name":"카카오톡 @소담샵","webhook_url":"`+bridge.srv.URL+`"}`, 201, &ch)
	wh, err := standardwebhooks.NewWebhook(ch.Secret)
	if err != nil {
		t.Fatal(err)
	}
	bridge.wh, bridge.token, bridge.base = wh, ch.Token, base

	convs := map[string]int64{}
	for _, u := range []string{"kakao_user_1024", "kakao_user_2048"} {
		convs[u] = bridge.post(u, "k-"+u+"-1", "주문 취소하고 싶어요")
	}
	replies := 0
	reply := func(user, text string) {
		replies++
		path := fmt.Sprintf("/api/v1/workspaces/%d/conversations/%d", agent.wid, convs[user])
		agent.call("POST", path+"/messages", fmt.Sprintf(`{"client_msg_id":"a-%d","body":%q}`, replies, text), 201, nil)
	}
	for _, u := range []string{"kakao_user_1024", "kakao_user_2048"} {
		agent.call("POST", fmt.Sprintf("/api/v1/workspaces/%d/conversations/%d/assign", agent.wid, convs[u]), "", 200, nil)
		reply(u, "네, 주문번호 알려주시면 바로 취소해 드릴게요 ("+u+")")
	}
	for _, u := range []string{"kakao_user_1024", "kakao_user_2048"} {
		bridge.waitFor(u, "네, 주문번호 알려주시면 바로 취소해 드릴게요 ("+u+")", 5*time.Second)
	}

	// The bridge goes down; the agent keeps answering; the node restarts.
	bridge.setDown(true)
	reply("kakao_user_1024", "취소 완료되었습니다. 환불은 3영업일 내 처리됩니다.")
	reply("kakao_user_2048", "확인 감사합니다. 좋은 하루 보내세요!")
	time.Sleep(300 * time.Millisecond) // an attempt or two fail against the bridge
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	m = start()
	defer m.Close()
	bridge.base = "http://" + m.Addr()
	bridge.setDown(false)
	if n := bridge.waitFor("kakao_user_1024", "취소 완료되었습니다. 환불은 3영업일 내 처리됩니다.", 15*time.Second); n < 1 {
		t.Fatal("lost")
	}
	bridge.waitFor("kakao_user_2048", "확인 감사합니다. 좋은 하루 보내세요!", 15*time.Second)
	// The users keep talking through the restarted node, in the same conversations.
	if c := bridge.post("kakao_user_1024", "k-1024-2", "감사합니다!"); c != convs["kakao_user_1024"] {
		t.Fatalf("a new conversation %d after the restart, want %d", c, convs["kakao_user_1024"])
	}
	bridge.mu.Lock()
	defer bridge.mu.Unlock()
	for msg, ids := range bridge.ids {
		for _, id := range ids[1:] {
			if id != ids[0] {
				t.Fatalf("message %d arrived as %v: a repeat must carry the same webhook-id", msg, ids)
			}
		}
	}
	for user, got := range bridge.inbox {
		for _, m := range got {
			if m == "주문 취소하고 싶어요" {
				t.Fatalf("%s's own message was echoed back", user)
			}
		}
	}
}

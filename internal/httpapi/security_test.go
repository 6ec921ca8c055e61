package httpapi_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/httpapi"
)

// TestSignInCrossSite: the routes that sign a browser in (login, an
// invitation's acceptance, a reset link's use) refuse a request another
// site's page sent — login CSRF, which would sign the victim's browser
// into the attacker's account, so that what they then type (a customer's
// details, a password) lands there. The refusal is 403 csrf_failed,
// with no cookie, and the link stays usable. The console's own page (same
// origin) and a script (no Origin) are let through.
func TestSignInCrossSite(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	master := e.login("master")
	inv := e.invite(master, "nam@example.com", "nam", "agent")
	var reset struct {
		ResetURL string `json:"reset_url"`
	}
	master.json("POST", fmt.Sprintf("%s/agents/%d/password-reset", e.shopPath(), e.agents["lee"].ID), "", 201, &reset)

	login := `{"email":"kim@example.com","password":"` + password + `"}`
	accept := `{"token":"` + tokenOf(t, inv.InviteURL) + `","password":"` + strongPassword + `"}`
	use := `{"token":"` + tokenOf(t, reset.ResetURL) + `","password":"` + strongPassword + `"}`
	post := func(path, body, origin string) (int, []byte, []*http.Cookie) {
		t.Helper()
		req, err := http.NewRequest("POST", e.srv.URL+path, strings.NewReader(body))
		must(t, err)
		req.Header.Set("Content-Type", "application/json")
		if origin != "" {
			req.Header.Set("Origin", origin)
		}
		resp, err := http.DefaultClient.Do(req)
		must(t, err)
		defer resp.Body.Close()
		data, err := io.ReadAll(resp.Body)
		must(t, err)
		return resp.StatusCode, data, resp.Cookies()
	}
	for _, tt := range []struct{ path, body string }{
		{"/api/v1/auth/login", login},
		{"/api/v1/invitations/accept", accept},
		{"/api/v1/password-reset", use},
	} {
		for _, origin := range []string{"https://evil.example", "null", "http://" + strings.TrimPrefix(e.srv.URL, "http://") + ".evil.example"} {
			status, data, cookies := post(tt.path, tt.body, origin)
			if status != 403 || len(cookies) != 0 {
				t.Fatalf("%s from %s: %d %s, cookies %v; want 403 and none", tt.path, origin, status, data, cookies)
			}
			if code, _ := errorBodyOf(t, data); code != chat.ErrCSRF {
				t.Fatalf("%s from %s: code %s, want %s", tt.path, origin, code, chat.ErrCSRF)
			}
		}
	}
	// Nothing was used up: the console's page signs in with each.
	for _, tt := range []struct{ path, body string }{
		{"/api/v1/auth/login", login},
		{"/api/v1/invitations/accept", accept},
		{"/api/v1/password-reset", use},
	} {
		if status, data, cookies := post(tt.path, tt.body, e.srv.URL); status != 200 || len(cookies) != 1 {
			t.Fatalf("%s from the console: %d %s, cookies %v", tt.path, status, data, cookies)
		}
	}
	// A script sends no Origin.
	if status, data, _ := post("/api/v1/auth/login", login, ""); status != 200 {
		t.Fatalf("login without Origin: %d %s", status, data)
	}
}

// TestTryPage: the try-it page signs a demo member's site_uid with the
// workspace's identity secret, so it is for the workspace's active
// members only — not one deactivated there, nor a workspace archived —
// and, an authenticated page of Sodam's origin, no other site may frame
// it (clickjacking).
func TestTryPage(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	master, kim := e.login("master"), e.login("kim")
	page := func(c *client, query string) (*http.Response, string) {
		t.Helper()
		resp, data := c.get("/console/try" + query)
		return resp, string(data)
	}
	resp, body := page(kim, fmt.Sprintf("?ws=%d&as=member", e.shop.ID))
	if resp.StatusCode != 200 || !strings.Contains(body, "siteUidSig") {
		t.Fatalf("an active member: %d %s", resp.StatusCode, body)
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Fatalf("Content-Security-Policy %q: another site may frame the page", csp)
	}
	// Kim also works for the other workspace, so stays signed in when the
	// shop deactivates them.
	must(t, e.store.AddMember(context.Background(), chat.Member{WorkspaceID: e.other.ID, AgentID: e.agents["kim"].ID, Role: chat.RoleAgent, Status: chat.StatusOnline}))
	master.json("PATCH", fmt.Sprintf("%s/agents/%d", e.shopPath(), e.agents["kim"].ID), `{"active":false}`, 200, nil)
	resp, body = page(kim, fmt.Sprintf("?ws=%d&as=member", e.shop.ID))
	if resp.StatusCode != 404 || strings.Contains(body, "siteUidSig") {
		t.Fatalf("deactivated: %d %s", resp.StatusCode, body)
	}
	if code, _ := errorBodyOf(t, []byte(body)); code != chat.ErrWorkspaceNotFound {
		t.Fatalf("deactivated: code %s", code)
	}
	// Without ?ws=, the page is the workspace kim is still active in.
	resp, body = page(kim, "?as=member")
	if resp.StatusCode != 200 || !strings.Contains(body, `data-site-id="other"`) {
		t.Fatalf("the other workspace: %d %s", resp.StatusCode, body)
	}
}

// TestSlowSendHoldsNoPlace: a message send takes one of the node's
// places for sends in flight (backpressure.go) only once its body has
// arrived. A client that trickles its body — a visitor's, which anyone
// can open — must not sit on a place meanwhile: a few hundred such would
// have every other send in the installation refused with 503 overloaded.
func TestSlowSendHoldsNoPlace(t *testing.T) {
	t.Parallel()
	e := newEnvWith(t, func(c *httpapi.Config) { c.MaxSendsInFlight = 1 })
	slow, quick := e.visitor("shop", ""), e.visitor("shop", "")
	slowConv, quickConv := slow.start(), quick.start()

	pr, pw := io.Pipe()
	t.Cleanup(func() { pw.Close() }) // before the server's close, which waits for the request
	req, err := http.NewRequest("POST", fmt.Sprintf("%s/api/v1/widget/conversations/%d/messages", e.srv.URL, slowConv.ID), pr)
	must(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+slow.bearer)
	done := make(chan int, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			done <- 0
			return
		}
		resp.Body.Close()
		done <- resp.StatusCode
	}()
	_, err = pw.Write([]byte(`{"client_msg_id":"slow-1","bo`))
	must(t, err)
	time.Sleep(300 * time.Millisecond) // the server is reading the body

	status, data := quick.do("POST", fmt.Sprintf("/api/v1/widget/conversations/%d/messages", quickConv.ID), `{"client_msg_id":"q1","body":"배송 언제 와요?"}`)
	if status != 201 {
		t.Fatalf("a send beside a slow one: %d %s", status, data)
	}
	_, err = pw.Write([]byte(`dy":"천천히"}`))
	must(t, err)
	must(t, pw.Close())
	if status := <-done; status != 201 {
		t.Fatalf("the slow send: %d", status)
	}
}

// TestAPIAnswersNotStored: what the API answers a caller — their
// session's CSRF token, a customer's details, the identity secret, a new
// API token's secret, a visitor's messages — is marked no-store, so
// neither a shared cache nor the browser's disk keeps it. Files and the
// widget's public settings keep their own caching.
func TestAPIAnswersNotStored(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	master := e.login("master")
	vis := e.visitor("shop", "")
	conv := vis.start()
	for _, tt := range []struct {
		name         string
		c            *client
		method, path string
		body         string
		status       int
	}{
		{"/me", master, "GET", "/api/v1/me", "", 200},
		{"the workspace, with its identity secret", master, "GET", e.shopPath(), "", 200},
		{"a conversation", master, "GET", e.convPath(conv.ID), "", 200},
		{"a new API token", master, "POST", e.shopPath() + "/api-tokens", `{"name":"crm","scopes":["read"]}`, 201},
		{"a visitor's messages", vis, "GET", fmt.Sprintf("/api/v1/widget/conversations/%d/messages", conv.ID), "", 200},
		{"a sign-in", e.anonymous(), "POST", "/api/v1/auth/login", `{"email":"kim@example.com","password":"` + password + `"}`, 200},
		{"a refusal", e.anonymous(), "GET", "/api/v1/me", "", 401},
	} {
		resp, data := tt.c.response(tt.method, tt.path, tt.body)
		if resp.StatusCode != tt.status {
			t.Fatalf("%s: %d %s", tt.name, resp.StatusCode, data)
		}
		if got := resp.Header.Get("Cache-Control"); got != "no-store" {
			t.Errorf("%s: Cache-Control %q, want no-store", tt.name, got)
		}
	}
	resp, _ := e.anonymous().response("GET", "/api/v1/widget/launcher?site_id=shop", "")
	if got := resp.Header.Get("Cache-Control"); got != "no-cache" {
		t.Errorf("the launcher's settings: Cache-Control %q, want its own no-cache", got)
	}
}

// TestSecretsShownOnce: a webhook's signing secret, a bridge's token and
// secret, an API token and a reset link are shown once, in the answer
// that made them; no later read — the lists, the workspace, the audit
// log or its CSV — carries them. (The identity secret is shown to
// masters on purpose: they put it in their own server.)
func TestSecretsShownOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	master := e.login("master")
	var hook struct {
		Secret string `json:"secret"`
	}
	master.json("POST", e.shopPath()+"/webhooks", `{"url":"https://hooks.example.com/sodam","events":["message.created"]}`, 201, &hook)
	var bridge struct {
		Token  string `json:"token"`
		Secret string `json:"secret"`
	}
	master.json("POST", e.shopPath()+"/channels", `{"kind":"kakao","name":"카카오톡 채널","webhook_url":"https://bridge.example.com/kakao"}`, 201, &bridge)
	var tok struct {
		Token string `json:"token"`
	}
	master.json("POST", e.shopPath()+"/api-tokens", `{"name":"crm","scopes":["read"]}`, 201, &tok)
	var reset struct {
		ResetURL string `json:"reset_url"`
	}
	master.json("POST", fmt.Sprintf("%s/agents/%d/password-reset", e.shopPath(), e.agents["kim"].ID), "", 201, &reset)
	inv := e.invite(master, "nam@example.com", "nam", "agent")
	secrets := map[string]string{"webhook secret": hook.Secret, "bridge token": bridge.Token, "bridge secret": bridge.Secret,
		"API token": tok.Token, "reset token": tokenOf(t, reset.ResetURL), "invitation token": tokenOf(t, inv.InviteURL)}
	for name, v := range secrets {
		if len(v) < 16 {
			t.Fatalf("%s %q: not shown at creation", name, v)
		}
	}
	read := master.state(e.shopPath(), e.shopPath()+"/webhooks", e.shopPath()+"/channels", e.shopPath()+"/alert-targets",
		e.shopPath()+"/api-tokens", e.shopPath()+"/invitations", e.shopPath()+"/agents", e.shopPath()+"/audit-log", e.shopPath()+"/audit-log.csv", "/api/v1/me")
	for name, v := range secrets {
		if strings.Contains(read, v) {
			t.Errorf("the %s is read back later", name)
		}
	}
}

// TestHSTS: served over HTTPS (an https base URL, Secure cookies), every
// answer — a page, the API, a refusal — asks the browser to keep to HTTPS
// for a year; over plain HTTP, or with Secure cookies turned off on
// purpose, none does.
func TestHSTS(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name   string
		base   string
		secure bool
		want   string
	}{
		{"https", "https://chat.example.com", true, "max-age=31536000"},
		{"plain HTTP", "", false, ""},
		{"https with Secure cookies off", "https://chat.example.com", false, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnvWith(t, func(c *httpapi.Config) {
				if tt.base != "" {
					c.BaseURL = tt.base
				}
				c.SecureCookies = tt.secure
			})
			for _, path := range []string{"/console/", "/api/v1/me", "/robots.txt", "/api/v1/no-such-route"} {
				resp, _ := e.anonymous().response("GET", path, "")
				if got := resp.Header.Get("Strict-Transport-Security"); got != tt.want {
					t.Fatalf("GET %s (%d): Strict-Transport-Security %q, want %q", path, resp.StatusCode, got, tt.want)
				}
			}
		})
	}
}

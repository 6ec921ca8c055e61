package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/sodam-chat/sodam/internal/outbox"
	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
)

// Integrations as a master sets them up (issue 14): a webhook whose secret
// is shown once, its deliveries with the receiver's answer and a
// redelivery, a KakaoTalk channel's token, a Slack alert target, and an
// agent's own email alerts with quiet hours. At 1366×768 in Korean, and
// on a phone in English.

// hookReceiver is a webhook receiver that verifies signatures with the
// Standard Webhooks library and can be made to fail.
type hookReceiver struct {
	srv    *httptest.Server
	mu     sync.Mutex
	wh     *standardwebhooks.Webhook
	failed string // when set, answer 500 with this body
	got    []string
	bad    int
}

func newHookReceiver(t *testing.T) *hookReceiver {
	r := &hookReceiver{}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		raw, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		defer r.mu.Unlock()
		if r.wh == nil || r.wh.Verify(raw, req.Header) != nil {
			r.bad++
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		var body struct{ Type string }
		json.Unmarshal(raw, &body) //nolint:errcheck // counted by type below
		r.got = append(r.got, body.Type)
		if r.failed != "" {
			http.Error(w, r.failed, http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *hookReceiver) set(secret, failed string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if secret != "" {
		wh, err := standardwebhooks.NewWebhook(secret)
		if err != nil {
			panic(err)
		}
		r.wh = wh
	}
	r.failed = failed
}

// newVisitorChat starts a chat as a widget would, through the API.
func newVisitorChat(t *testing.T, s *site, text string) {
	t.Helper()
	post := func(path, token, body string, out any) {
		req, _ := http.NewRequest("POST", s.baseURL+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode/100 != 2 {
			b, _ := io.ReadAll(resp.Body)
			t.Fatalf("%s: %d %s", path, resp.StatusCode, b)
		}
		if out != nil {
			json.NewDecoder(resp.Body).Decode(out) //nolint:errcheck // checked by use
		}
	}
	var session struct {
		VisitorToken string `json:"visitor_token"`
	}
	post("/api/v1/widget/sessions", "", `{"site_id":"`+s.ws.SiteID+`"}`, &session)
	var conv struct{ ID int64 }
	post("/api/v1/widget/conversations", session.VisitorToken, `{"consent":true}`, &conv)
	post(fmt.Sprintf("/api/v1/widget/conversations/%d/messages", conv.ID), session.VisitorToken, fmt.Sprintf(`{"client_msg_id":"v1","body":%q}`, text), nil)
}

// scrollToCard brings a settings card into view through the section menu.
func scrollToCard(p *tab, section string) {
	p.t.Helper()
	p.do("open the "+section+" section", chromedp.Evaluate[chromedp.Void](`document.querySelector('sodam-settings').scrollToSection(`+js(section)+`)`))
}

func TestBrowserIntegrations(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	root := browser(t)
	master := newTab(t, root, "master")
	desktop(master)
	signIn(master, s)
	openSettings(master)
	hook := newHookReceiver(t)

	// A refused URL says why, in Korean; nothing is added.
	scrollToCard(master, "webhooks")
	master.waitFor("the webhooks card for the master", `document.querySelector('[data-testid=webhooks-card]').checkVisibility() && document.querySelector('[data-testid=webhook-empty]').checkVisibility()`)
	fill(master, "[data-testid=webhook-url]", "ftp://files.example.com/hook")
	master.click("[data-testid=webhook-create]")
	master.waitFor("the refusal", `document.querySelector('[data-testid=webhook-error]').textContent.includes('https://')`)

	// A webhook: its secret shows once.
	fill(master, "[data-testid=webhook-url]", hook.srv.URL+"/sodam")
	master.click("[data-testid=webhook-create]")
	master.waitFor("the secret, once", `document.querySelector('[data-testid=webhook-secret]')?.value.startsWith('whsec_') && document.querySelectorAll('[data-testid=webhook-row]').length === 1`)
	secret := run(master, "read the secret", chromedp.Evaluate[string](`document.querySelector('[data-testid=webhook-secret]').value`))
	hook.set(secret, "")
	look(master, "integrations-webhook-secret-ko")
	master.click("[data-testid=webhook-secret-done]")
	master.waitFor("the secret forgotten", `document.querySelector('[data-testid=webhook-secret-box]').hidden && !document.querySelector('[data-testid=webhook-secret]')`)

	// A chat comes in: delivered, shown with the receiver's answer.
	newVisitorChat(t, s, "주문한 상품이 아직 안 왔어요")
	master.click("[data-testid=webhook-deliveries]")
	master.waitFor("the delivered rows", `document.querySelector('[data-testid=deliveries-dialog]').open && (document.querySelector('[data-testid=deliveries-refresh]').click(), true) && document.querySelectorAll('[data-testid=delivery-row][data-status=delivered]').length >= 2 && document.querySelector('[data-testid=delivery-code]').textContent === '204'`)
	look(master, "integrations-deliveries-ko")

	// The receiver fails with markup in its answer: shown as text; a
	// redelivery goes through once it is back.
	hook.set("", "<b>점검 중입니다</b>")
	newVisitorChat(t, s, "환불은 언제 되나요?")
	master.waitFor("a failed attempt with the answer as text", `(document.querySelector('[data-testid=deliveries-refresh]').click(), true) && [...document.querySelectorAll('[data-testid=delivery-row][data-status=pending]')].some((tr) => tr.querySelector('[data-testid=delivery-code]').textContent === '500' && tr.querySelector('.delivery-body')?.textContent === '<b>점검 중입니다</b>\n' && !tr.querySelector('.delivery-body b'))`)
	look(master, "integrations-deliveries-failed-ko")
	hook.set("", "")
	master.do("redeliver the failed one", chromedp.Evaluate[chromedp.Void](`[...document.querySelectorAll('[data-testid=delivery-row][data-status=pending]')][0].querySelector('[data-testid=delivery-redeliver]').click()`))
	master.waitFor("everything delivered", `(document.querySelector('[data-testid=deliveries-refresh]').click(), true) && document.querySelectorAll('[data-testid=delivery-row]').length >= 4 && document.querySelectorAll('[data-testid=delivery-row]:not([data-status=delivered])').length === 0`)
	master.click("[data-testid=deliveries-close]")
	hook.mu.Lock()
	bad := hook.bad
	hook.mu.Unlock()
	if bad != 0 {
		t.Fatalf("%d deliveries failed the Standard Webhooks verifier", bad)
	}

	// A KakaoTalk channel: its token and secret show once.
	scrollToCard(master, "channels")
	fill(master, "[data-testid=channel-name]", "카카오톡 @소담샵")
	fill(master, "[data-testid=channel-url]", hook.srv.URL+"/kakao")
	master.click("[data-testid=channel-create]")
	master.waitFor("the token and secret, once", `document.querySelector('[data-testid=channel-token]')?.value.startsWith('sodam_ch_') && document.querySelector('[data-testid=channel-secret]')?.value.startsWith('whsec_') && document.querySelector('[data-testid=channel-row] .channel-chip').textContent === '카카오톡'`)
	look(master, "integrations-channel-ko")
	token := run(master, "read the token", chromedp.Evaluate[string](`document.querySelector('[data-testid=channel-token]').value`))
	master.click("[data-testid=channel-secret-done]")
	// The bridge posts a KakaoTalk user's message: the chat list says where it came from.
	req, _ := http.NewRequest("POST", s.baseURL+"/api/v1/channel/messages", strings.NewReader(`{"external_user_id":"kk_7731","client_msg_id":"kakao-1","text":"카카오톡으로 문의드려요","profile":{"name":"정하늘"}}`))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 201 {
		t.Fatalf("the bridge's message: %v %v", err, resp)
	}
	resp.Body.Close()
	master.click("[data-testid=nav-chat]")
	master.click("[data-testid=tab-unassigned]")
	master.waitFor("the KakaoTalk chat marked in the list", `[...document.querySelectorAll('[data-testid=conversation-list] .conv')].some((a) => a.textContent.includes('정하늘') && a.querySelector('[data-testid=channel-chip]')?.textContent === '카카오톡')`)
	look(master, "integrations-channel-list-ko")
	openSettings(master)

	// This server has no SMTP: the alert card and my alerts say email
	// cannot be sent, and an email target or my alerts are refused with
	// the reason; nothing is added.
	scrollToCard(master, "alerts")
	master.waitFor("the note on email", `document.querySelector('[data-testid=alert-no-smtp]').checkVisibility() && document.querySelector('[data-testid=alert-no-smtp]').textContent.includes('SMTP')`)
	choose(master, "[data-testid=alert-kind]", "email")
	fill(master, "[data-testid=alert-url]", "desk@teashop.example")
	master.click("[data-testid=alert-create]")
	master.waitFor("the email target refused", `document.querySelector('[data-testid=alert-error]').dataset.code === 'smtp_not_configured' && document.querySelector('[data-testid=alert-error]').textContent.includes('SMTP') && document.querySelectorAll('[data-testid=alert-row]').length === 0`)
	look(master, "integrations-alerts-no-smtp-ko")
	scrollToCard(master, "my-alerts")
	master.waitFor("the note on my alerts", `document.querySelector('[data-testid=my-alerts-no-smtp]').checkVisibility()`)
	master.click(`[name=my-alert][value="conversation.created"]`)
	master.click("[data-testid=my-alerts-save]")
	master.waitFor("my alerts refused", `document.querySelector('[data-testid=my-alerts-error]').dataset.code === 'smtp_not_configured'`)
	look(master, "integrations-my-alerts-no-smtp-ko")

	// The operator sets up SMTP: the notes are gone.
	withSMTP(t, s)
	master.do("reload the console", chromedp.Reload())
	master.waitFor("the settings page with SMTP", `document.querySelector('#app').dataset.page === 'settings' && document.querySelector('[data-testid=connection]').dataset.state === 'live'`+
		` && document.querySelector('[data-testid=my-alerts-no-smtp]').hidden && document.querySelector('[data-testid=alert-no-smtp]').hidden`)

	// A Slack alert target for new chats and long waits.
	scrollToCard(master, "alerts")
	choose(master, "[data-testid=alert-kind]", "slack")
	fill(master, "[data-testid=alert-url]", hook.srv.URL+"/slack")
	master.click(`[name=alert-event][value="conversation.waiting"]`)
	master.click("[data-testid=alert-create]")
	master.waitFor("the alert target", `document.querySelectorAll('[data-testid=alert-row]').length === 1 && document.querySelector('[data-testid=alert-row]').textContent.includes('5분 이상')`)

	// My own alerts, with quiet hours.
	scrollToCard(master, "my-alerts")
	master.click(`[name=my-alert][value="conversation.created"]`)
	// Mentions in internal notes: a personal alert only, not a shared target's.
	master.waitFor("the mention alert", `document.querySelector('[name=my-alert][value="note.mentioned"]').closest('label').textContent.includes('내부 메모에서 나를 언급') && !document.querySelector('[name=alert-event][value="note.mentioned"]')`)
	master.click(`[name=my-alert][value="note.mentioned"]`)
	// A chat waiting 15 minutes, not the default 5.
	master.click(`[name=my-alert][value="conversation.waiting"]`)
	fill(master, "[data-testid=my-alerts-wait]", "15")
	master.click("[data-testid=my-alerts-quiet]")
	// A quiet-hours time left empty is asked for, not saved as 00:00.
	master.do("clear the end of the quiet hours", chromedp.Evaluate[chromedp.Void](`document.querySelector('[data-testid=my-alerts-to]').value = ''`))
	master.click("[data-testid=my-alerts-save]")
	master.waitFor("both times asked for", `document.querySelector('[data-testid=my-alerts-error]').textContent === '방해 금지 시간의 시작과 끝을 모두 입력하세요.'`)
	fill(master, "[data-testid=my-alerts-to]", "0800AM")
	master.click("[data-testid=my-alerts-save]")
	master.waitFor("saved", `document.querySelector('[data-testid=my-alerts-error]').textContent === '' && document.body.textContent.includes('내 알림 설정을 저장했습니다')`)
	look(master, "integrations-alerts-ko")
	master.goTo(s.baseURL + "/console/#/settings")
	master.waitFor("the settings page again", `document.querySelector('#app').dataset.page === 'settings'`)
	master.waitFor("my alerts kept", `document.querySelector('[name=my-alert][value="conversation.created"]').checked && document.querySelector('[name=my-alert][value="note.mentioned"]').checked && document.querySelector('[data-testid=my-alerts-quiet]').checked && document.querySelector('[data-testid=my-alerts-from]').value === '22:00'`+
		` && document.querySelector('[data-testid=my-alerts-to]').value === '08:00' && document.querySelector('[data-testid=my-alerts-wait]').value === '15'`)

	// An agent sees none of the masters' cards, only their own alerts.
	s.addAgent("jisu@example.com", "김지수", "Jisu likes green tea 7")
	agent := newTab(t, root, "agent")
	desktop(agent)
	signInAs(agent, s, "jisu@example.com", "Jisu likes green tea 7")
	openSettings(agent)
	agent.waitFor("only my alerts", `document.querySelector('[data-testid=webhooks-card]').hidden && document.querySelector('[data-testid=channels-card]').hidden && document.querySelector('[data-testid=alerts-card]').hidden && document.querySelector('[data-testid=my-alerts-card]').checkVisibility()`)
}

func TestBrowserIntegrationsPhone(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	root := browser(t)
	master := newTab(t, root, "master")
	phone(master)
	master.goTo(s.baseURL + "/console/")
	master.waitFor("the sign-in form", `!document.querySelector('#login').hidden`)
	choose(master, "[data-testid=login-language]", "en")
	master.do("fill in the sign-in form",
		typeIn("[data-testid=login-email]", adminEmail),
		typeIn("[data-testid=login-password]", adminPassword))
	master.click("[data-testid=login-submit]")
	master.waitFor("the console live", `!document.querySelector('#app').hidden && document.querySelector('[data-testid=connection]').dataset.state === 'live'`)
	master.goTo(s.baseURL + "/console/#/settings")
	master.waitFor("the settings page", `document.querySelector('#app').dataset.page === 'settings'`)
	hook := newHookReceiver(t)
	choose(master, "[data-testid=settings-jump]", "webhooks")
	fill(master, "[data-testid=webhook-url]", hook.srv.URL+"/sodam")
	master.click("[data-testid=webhook-create]")
	master.waitFor("the secret, once", `document.querySelector('[data-testid=webhook-secret]')?.value.startsWith('whsec_')`)
	hook.set(run(master, "read the secret", chromedp.Evaluate[string](`document.querySelector('[data-testid=webhook-secret]').value`)), "")
	look(master, "integrations-webhook-phone-en")
	master.click("[data-testid=webhook-secret-done]")
	newVisitorChat(t, s, "Is my order on its way?")
	master.click("[data-testid=webhook-deliveries]")
	master.waitFor("delivered, in English, fitting the phone", `(document.querySelector('[data-testid=deliveries-refresh]').click(), true) && document.querySelectorAll('[data-testid=delivery-row][data-status=delivered]').length >= 2 && document.querySelector('.delivery-status').textContent === 'Delivered' && document.documentElement.scrollWidth <= window.innerWidth`)
	look(master, "integrations-deliveries-phone-en")
	master.click("[data-testid=deliveries-close]")
	choose(master, "[data-testid=settings-jump]", "channels")
	choose(master, "[data-testid=channel-kind]", "naver")
	fill(master, "[data-testid=channel-name]", "Naver TalkTalk")
	fill(master, "[data-testid=channel-url]", hook.srv.URL+"/naver")
	master.click("[data-testid=channel-create]")
	master.waitFor("the channel", `document.querySelector('[data-testid=channel-token]')?.value.startsWith('sodam_ch_') && document.querySelector('[data-testid=channel-row] .channel-chip').textContent === 'Naver TalkTalk' && document.documentElement.scrollWidth <= window.innerWidth`)
	look(master, "integrations-channel-phone-en")
}

// TestBrowserAddressUnreadable: after the secret key changed, an endpoint
// whose address no longer opens is shown as such in Settings, with what
// to do, in place of an empty row.
func TestBrowserAddressUnreadable(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	master := newTab(t, browser(t), "master")
	desktop(master)
	signIn(master, s)
	api[any](master, s, "POST", "/webhooks", map[string]any{"url": "https://example.com/sodam-hook", "events": []string{"conversation.created"}})
	api[any](master, s, "POST", "/alert-targets", map[string]any{"kind": "slack", "url": "https://hooks.slack.com/services/T1/B1/x", "events": []string{"conversation.created"}})
	keyed := s.node.Store.(interface {
		UseSecretKey(context.Context, string) (*outbox.Sealer, error)
	})
	if _, err := keyed.UseSecretKey(context.Background(), "another secret key, 32 characters or more"); err != nil {
		t.Fatal(err)
	}
	openSettings(master)
	for _, card := range []struct{ section, prefix string }{{"webhooks", "webhook"}, {"alerts", "alert"}} {
		scrollToCard(master, card.section)
		row := `document.querySelector('[data-testid=` + card.prefix + `-row]')`
		master.waitFor("the "+card.section+" row's unreadable address", row+`?.querySelector('.endpoint-name').textContent === '읽을 수 없는 주소'`+
			` && `+row+`.querySelector('[data-testid=`+card.prefix+`-unreadable]').textContent.includes('SODAM_SECRET_KEY')`)
	}
	look(master, "integrations-unreadable")
}

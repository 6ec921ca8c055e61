package e2e

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestBrowserOperationStoppedNotice (§6): a visitor already chatting is
// told at once, under the widget's header, when the master stops operation
// in the console — at 1366×768 in Korean and on a phone in English — and
// the availability line says so too; what they write is still sent. A
// reload keeps the notice; when operation resumes it goes, on both.
func TestBrowserOperationStoppedNotice(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	master, visitor, _ := takenChat(t, s, "주문을 취소하고 싶어요")
	desktop(master)
	desktop(visitor)
	english := newTab(t, browser(t), "visitor in English")
	phone(english)
	openWidget(english, s.host.URL+"?head="+url.QueryEscape(`<script>window.SodamSettings = {language: 'en'};</script>`))
	agree(english)
	widgetSend(english, "Where is my parcel?")
	widgetShows(english, "visitor", "Where is my parcel?")

	notice := `d.querySelector('[data-testid=widget-stopped]')`
	shows := func(p *tab, lang, text, availability string) {
		t.Helper()
		p.waitFrame("the notice in "+lang, notice+`.checkVisibility() && `+notice+`.textContent === `+js(text)+
			` && d.querySelector('#availability').textContent === `+js(availability))
	}
	hidden := func(p *tab, availability string) {
		t.Helper()
		p.waitFrame("no notice", notice+`.hidden && !`+notice+`.checkVisibility() && d.querySelector('#availability').textContent === `+js(availability))
	}
	ko := "상담사가 지금은 답변할 수 없어요. 남기신 메시지는 상담이 다시 시작되면 확인할게요."
	en := "Agents cannot reply right now. We will read your messages once chat resumes."
	hidden(visitor, "보통 몇 분 안에 답변드려요")
	hidden(english, "We usually reply in a few minutes")

	// The master stops operation in the console.
	switchOperation := func() {
		t.Helper()
		openSettings(master)
		scrollToCard(master, "operation")
		master.click("[data-testid=operation-stopped]")
		master.waitFor("the confirmation", `document.querySelector('[data-testid=operation-dialog]').matches(':popover-open')`)
		master.click("[data-testid=operation-confirm]")
	}
	switchOperation()
	master.waitFor("operation stopped", `document.querySelector('[data-testid=operation-stopped]').getAttribute('aria-checked') === 'true'`)
	shows(visitor, "Korean", ko, "지금은 채팅 상담을 잠시 쉬고 있어요")
	checkScreen(visitor, "widget-stopped-laptop-ko", "ko", catalogTexts(t, "en"), true)
	shows(english, "English", en, "Chat is paused for now")
	english.waitFrame("no queue place while nobody is coming", `d.querySelector('[data-testid=widget-queue]').hidden`)
	// The other size for each language.
	phone(visitor)
	desktop(english)
	checkScreen(visitor, "widget-stopped-phone-ko", "ko", catalogTexts(t, "en"), true)
	checkScreen(english, "widget-stopped-laptop-en", "en", catalogTexts(t, "ko"), true)
	desktop(visitor)
	checkScreen(english, "widget-stopped-phone-en", "en", catalogTexts(t, "ko"), true)
	// The visitor may still write: it is kept for when operation resumes.
	widgetSend(visitor, "언제 다시 시작하나요?")
	widgetShows(visitor, "visitor", "언제 다시 시작하나요?")
	// A reload resumes the chat with the notice.
	openWidget(visitor, s.host.URL)
	shows(visitor, "Korean, after a reload", ko, "지금은 채팅 상담을 잠시 쉬고 있어요")

	// A KakaoTalk user who writes meanwhile is answered automatically
	// through the bridge; the agent sees that the reply went.
	ch := api[struct {
		Token string `json:"token"`
	}](master, s, "POST", "/channels", map[string]string{"kind": "kakao", "name": "카카오톡", "webhook_url": "https://bridge.example.com/kakao"})
	req, _ := http.NewRequest("POST", s.baseURL+"/api/v1/channel/messages", strings.NewReader(`{"external_user_id":"kk_1","client_msg_id":"k-1","text":"아직 영업하시나요?"}`))
	req.Header.Set("Authorization", "Bearer "+ch.Token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 201 {
		t.Fatalf("the bridge's message: %v %v", err, resp)
	}
	var sent struct {
		ConversationID int64 `json:"conversation_id"`
	}
	json.NewDecoder(resp.Body).Decode(&sent) //nolint:errcheck // checked by use
	resp.Body.Close()
	openConversation(master, sent.ConversationID)
	consoleEvent(master, "away")
	master.waitFor("the automatic reply in the agent's words", `document.querySelector('[data-testid=messages] li[data-sender=system][data-code=away] .event').textContent.includes('상담을 멈췄다고 자동으로 안내했습니다.')`)
	look(master, "console-away-reply-ko")

	switchOperation()
	master.waitFor("operation resumed", `document.querySelector('[data-testid=operation-stopped]').getAttribute('aria-checked') === 'false'`)
	hidden(visitor, "보통 몇 분 안에 답변드려요")
	hidden(english, "We usually reply in a few minutes")
	english.waitFrame("the queue place again", `!d.querySelector('[data-testid=widget-queue]').hidden && d.querySelector('[data-testid=widget-queue]').dataset.position === '1'`)
	look(visitor, "widget-resumed-laptop-ko")
	look(english, "widget-resumed-phone-en")
}

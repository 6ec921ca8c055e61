package e2e

import (
	"fmt"
	"net/url"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// TestBrowserCannedResponses: a manager adds canned responses on the
// settings page, one a favourite; in a chat "#환불" and the initials "#ㅎㅂ"
// find the refund response with the customer's and agent's names filled
// in, Enter while a Korean syllable is being composed picks nothing, Enter
// after it puts the text in the composer (without sending), and the
// visitor receives it once sent.
func TestBrowserCannedResponses(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	root := browser(t)
	agent := newTab(t, root, "agent")
	visitor := newTab(t, root, "visitor")
	signIn(agent, s)

	openSettings(agent)
	const refund = "환불 안내"
	const refundBody = "{고객명}님, 환불은 주문 취소 후 3영업일 안에 처리됩니다. 상담사 {상담사명} 드림"
	addCanned(agent, refund, refundBody, true)
	const delivery = "배송 안내"
	addCanned(agent, delivery, "배송은 보통 2~3일 걸립니다.", false)
	// The favourite comes first, in the list here and in the composer.
	agent.click(`[data-testid=canned-item][data-shared=true] [data-testid=canned-favourite]`)
	agent.waitFor("the refund response a favourite, first",
		`(() => { const first = document.querySelector('[data-testid=canned-item]'); return first.querySelector('[data-field=title]').textContent === `+js(refund)+` && first.querySelector('[data-testid=canned-favourite]').getAttribute('aria-pressed') === 'true'; })()`)

	page := s.host.URL + "?head=" + url.QueryEscape(s.memberHead("shop-member-77", "김민지"))
	openWidget(visitor, page)
	agree(visitor)
	const ask = "환불하고 싶어요."
	widgetSend(visitor, ask)
	widgetShows(visitor, "visitor", ask)
	agent.click("[data-testid=nav-chat]")
	id := firstRequest(agent)
	openAndAssign(agent, id)
	consoleShows(agent, "visitor", ask)

	const filled = "김민지님, 환불은 주문 취소 후 3영업일 안에 처리됩니다. 상담사 Admin 드림"
	list := `document.querySelector('[data-testid=canned-list]')`
	options := func() []string {
		t.Helper()
		return eval[[]string](agent, `[...`+list+`.querySelectorAll('[data-testid=canned-option]')].map((li) => li.querySelector('.canned-title').textContent)`)
	}
	listShows := func(what string, n int) {
		t.Helper()
		agent.waitFor(what, `!`+list+`.hidden && `+list+`.querySelectorAll('[data-testid=canned-option]').length === `+fmt.Sprint(n))
	}

	// "#" alone lists both, the favourite first; Down, then Enter picks
	// the second.
	consoleType(agent, "#")
	listShows("both responses for #", 2)
	if got := options(); len(got) != 2 || got[0] != "★"+refund+"공유" || got[1] != delivery+"개인" {
		agent.fail("options for # = %q, want the shared favourite %s first, then %s", got, refund, delivery)
	}
	screenshot(t, agent.ctx, "console-canned", "")
	agent.keys(kb.ArrowDown)
	agent.waitFor("the second option chosen", list+`.querySelectorAll('[data-testid=canned-option]')[1].getAttribute('aria-selected') === 'true'`)
	agent.keys("\r")
	agent.waitFor("the delivery text in place of #", `document.querySelector('[data-testid=composer-input]').value === '배송은 보통 2~3일 걸립니다.' && `+list+`.hidden`)
	clearComposer(agent)

	// "#환불" typed through the input method: Enter while composing picks
	// nothing and sends nothing.
	agent.keys("#")
	listShows("both responses for # again", 2)
	// On the way to 불 the input method has 부: the list shows the
	// refund response, not "nothing matches".
	agent.compose("환부")
	listShows("the refund response while 불 is composed as 부", 1)
	agent.compose("환불")
	listShows("the refund response while composing", 1)
	agent.pressEnter(13)
	agent.pressEnter(229)
	if got := composerValue(agent); got != "#환불" {
		agent.fail("after Enter during composition the composer holds %q, want #환불", got)
	}
	agent.commit("환불")
	listShows("the refund response for #환불", 1)
	if got := options(); got[0] != "★"+refund+"공유" {
		agent.fail("options for #환불 = %q", got)
	}
	agent.waitFor("the filled-in text shown", list+`.querySelector('[aria-selected=true] .canned-text')?.textContent === `+js(filled))
	agent.keys("\r")
	agent.waitFor("the filled-in text in the composer", `document.querySelector('[data-testid=composer-input]').value === `+js(filled)+` && `+list+`.hidden`)
	if n := eval[int](agent, `document.querySelectorAll('[data-testid=messages] li[data-sender=agent]').length`); n != 0 {
		agent.fail("picking a response sent %d messages, want none", n)
	}
	// The agent adds to it and sends.
	agent.write(" 감사합니다.")
	agent.keys("\r")
	sent := filled + " 감사합니다."
	consoleShows(agent, "agent", sent)
	widgetShows(visitor, "agent", sent)

	// The initials find it too; Escape closes the list and keeps the text.
	consoleType(agent, "#ㅎㅂ")
	listShows("the refund response for #ㅎㅂ", 1)
	agent.keys(kb.Escape)
	agent.waitFor("the list closed, the text kept", list+`.hidden && document.querySelector('[data-testid=composer-input]').value === '#ㅎㅂ'`)
	// Something that matches nothing says so.
	clearComposer(agent)
	consoleType(agent, "#없는문구")
	agent.waitFor("no match", `!`+list+`.hidden && `+list+`.querySelector('[data-testid=canned-none]')?.textContent.includes('없는문구')`)
	checkThread(visitor, "the widget", stored(widgetThread(visitor)), []string{ask, sent})
}

func clearComposer(p *tab) {
	p.t.Helper()
	p.do("select the composer's text", chromedp.Evaluate[chromedp.Void](`document.querySelector('[data-testid=composer-input]').select()`))
	p.keys(kb.Delete)
	p.waitFor("the composer empty", `document.querySelector('[data-testid=composer-input]').value === ''`)
}

func composerValue(p *tab) string {
	p.t.Helper()
	return eval[string](p, `document.querySelector('[data-testid=composer-input]').value`)
}

// TestBrowserCannedEnterBeforeList: an agent who types "#인사" and Enter
// faster than the list appears gets the list, not a message "#인사" sent
// to the customer; "#12345" with nothing to match is sent as typed.
func TestBrowserCannedEnterBeforeList(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	root := browser(t)
	agent := newTab(t, root, "agent")
	visitor := newTab(t, root, "visitor")
	signIn(agent, s)
	openSettings(agent)
	addCanned(agent, "인사", "안녕하세요, 상담사 {상담사명}입니다.", false)

	openWidget(visitor, s.host.URL)
	agree(visitor)
	const ask = "문의드립니다."
	widgetSend(visitor, ask)
	widgetShows(visitor, "visitor", ask)
	agent.click("[data-testid=nav-chat]")
	openAndAssign(agent, firstRequest(agent))
	consoleShows(agent, "visitor", ask)

	list := `document.querySelector('[data-testid=canned-list]')`
	consoleType(agent, "#인사\r")
	agent.waitFor("the list for #인사", `!`+list+`.hidden && `+list+`.querySelectorAll('[data-testid=canned-option]').length === 1`)
	if got := composerValue(agent); got != "#인사" {
		agent.fail("the composer holds %q after the early Enter, want #인사", got)
	}
	if n := eval[int](agent, `document.querySelectorAll('[data-testid=messages] li[data-sender=agent]').length`); n != 0 {
		agent.fail("the early Enter sent %d messages, want none", n)
	}
	agent.keys("\r")
	agent.waitFor("the response in the composer", `document.querySelector('[data-testid=composer-input]').value === '안녕하세요, 상담사 Admin입니다.' && `+list+`.hidden`)
	clearComposer(agent)

	// Nothing matches an order number: Enter sends it as typed.
	consoleType(agent, "#12345\r")
	consoleShows(agent, "agent", "#12345")
	widgetShows(visitor, "agent", "#12345")
	agent.waitFor("the composer emptied and the list closed", `document.querySelector('[data-testid=composer-input]').value === '' && `+list+`.hidden`)
}

package e2e

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/sodam-chat/sodam/internal/chat"
)

// The browser tests: two people (an agent in the console, a visitor on a
// company's page holding the embed snippet), each in a browser context of
// their own, doing what a new user would do on the first day.

// TestBrowserChat is the whole loop: a request appears live in the console
// with an unread badge and a blinking title, the agent takes it, both see
// each other typing and replying, the visitor reloads mid-chat and keeps
// the conversation, and the agent closes it.
func TestBrowserChat(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	root := browser(t)
	agent := newTab(t, root, "agent")
	visitor := newTab(t, root, "visitor")

	signIn(agent, s)
	// A Korean browser gets the Korean console.
	if got := eval[string](agent, `document.documentElement.lang + ' ' + document.querySelector('[data-testid=tab-unassigned]').textContent`); got != "ko 미배정" {
		agent.fail("console language and unassigned tab = %q, want Korean (ko 미배정)", got)
	}
	const baseTitle = "Sodam · 소담 상담 콘솔" // the workspace's name and the app's
	agent.waitFor("the title with the workspace's name", `document.title === `+js(baseTitle))

	// The visitor, logged in to the company's site (which verified their
	// mobile), opens the chat there and agrees.
	page := s.host.URL + "?head=" + url.QueryEscape(s.verifiedMemberHead("shop-member-1042", "김민지", "010-4821-7730"))
	openWidget(visitor, page)
	visitor.waitFrame("the Korean consent text leading to the chat, with no leave-a-message form (the agent is online)",
		`d.querySelector('[data-testid=widget]').dataset.view === 'consent' && d.querySelector('[data-testid=widget-consent-text]').textContent.startsWith('상담을 위해')`+
			` && d.querySelector('[data-testid=widget-offline]').dataset.reason === 'available' && !d.querySelector('[data-testid=widget-leave-form]').checkVisibility()`)
	agree(visitor)
	const hello = "안녕하세요, 주문한 찻잔 배송 문의드립니다."
	widgetSend(visitor, hello)
	widgetShows(visitor, "visitor", hello)

	// The request appears live, with a badge, a count and a blinking title.
	id := firstRequest(agent)
	item := fmt.Sprintf("[data-testid=conversation-list] a[data-conversation-id='%d']", id)
	// The badge counts the unseen message the request came with.
	agent.waitFor("an unread badge of 1 and an unassigned count of 1",
		`document.querySelector("`+item+` [data-testid=unread-badge] [aria-hidden]")?.textContent === '1' && document.querySelector("`+item+`").classList.contains('unread') && document.querySelector('[data-testid=tab-unassigned] .count').textContent === '1'`)
	if got := eval[string](agent, `document.querySelector("`+item+` .preview").textContent`); got != hello {
		agent.fail("list preview %q, want %q", got, hello)
	}
	titleBlinks(agent, "(1) 새 상담 요청", baseTitle)

	// The agent opens it: the alert stops. Then takes it.
	openAndAssign(agent, id)
	agent.waitFor("the visitor's name and signed ID", `document.querySelector('[data-testid=conversation-title]').textContent === '김민지' && document.querySelector('[data-testid=details-conversation] dd[data-field=identifier]')?.textContent === `+js(s.ws.SiteID+"_shop-member-1042"))
	agent.waitFor("the verified mobile, not editable", `document.querySelector('[data-testid=details-customer] dd[data-field=verified_phone]')?.textContent === '010-4821-7730본인 인증 완료 (수정 불가)'`)
	agent.waitFor("the badge gone and the title steady", `!document.querySelector("[data-testid=unread-badge]") && document.title === `+js(baseTitle))
	consoleShows(agent, "visitor", hello)

	// The visitor types: the agent sees it, then the message.
	widgetType(visitor, "주문번호는 ")
	agent.waitFor("the visitor's typing indicator", `!document.querySelector('[data-testid=typing-indicator]').hidden`)
	const order = "주문번호는 20260412-0031입니다."
	visitor.write("20260412-0031입니다.\r")
	consoleShows(agent, "visitor", order)
	agent.waitFor("the typing indicator gone with the message", `document.querySelector('[data-testid=typing-indicator]').hidden`)

	// The agent types: the visitor sees it, then the reply with the name.
	const reply = "안녕하세요, 고객님. 소담 상점 상담사입니다. 바로 확인해 드릴게요."
	consoleType(agent, reply)
	visitor.waitFrame("the agent's typing indicator", `!d.querySelector('[data-testid=widget-typing]').hidden`)
	agent.keys("\r")
	widgetShows(visitor, "agent", reply)
	visitor.waitFrame("the typing indicator gone with the reply", `d.querySelector('[data-testid=widget-typing]').hidden`)
	if who := lastOf(widgetThread(visitor)).Who; who != "Admin" {
		visitor.fail("agent's reply shown from %q, want the agent's name Admin", who)
	}
	agent.waitFor("the conversation active", `document.querySelector('[data-testid=conversation-state]').dataset.state === 'active'`)

	// The visitor reloads the page mid-chat: the same conversation comes
	// back with its whole history, once.
	before := stored(widgetThread(visitor))
	checkThread(visitor, "the widget before reloading", before, []string{hello, order, reply})
	visitor.do("reload the page", chromedp.Reload())
	visitor.waitFor("the page reloaded with the chat closed", `document.querySelector('#sodam-launcher')?.getAttribute('aria-expanded') === 'false' && (!document.querySelector('#sodam-frame') || document.querySelector('#sodam-frame').hidden)`)
	openWidget(visitor, page)
	visitor.waitFrame("the chat resumed with its history",
		`d.querySelector('[data-testid=widget]').dataset.view === 'chat' && d.querySelectorAll('[data-testid=widget-messages] li[data-seq]').length >= `+fmt.Sprint(len(before)))
	visitor.waitFrame("the resumed chat live", `d.querySelector('[data-testid=widget-connection]').dataset.state === 'live'`)
	if after := widgetThread(visitor); fmt.Sprint(after) != fmt.Sprint(before) {
		visitor.fail("after reloading the widget shows\n%v\nwant the same as before\n%v", after, before)
	}

	// The agent looks at the list; a new message raises a count there.
	agent.click("[data-testid=nav-chat]")
	agent.click("[data-testid=tab-active]")
	agent.waitFor("the active list with the conversation", `document.querySelector("`+item+`") && document.querySelector('[data-testid=conversation]').dataset.state === 'empty'`)
	const wrap = "혹시 선물 포장도 가능할까요? <두 개> 따로 & 부탁드려요."
	widgetSend(visitor, wrap)
	widgetShows(visitor, "visitor", wrap)
	agent.waitFor("an unread count of 1", `document.querySelector("`+item+` [data-testid=unread-badge] [aria-hidden]")?.textContent === '1' && document.querySelector('[data-testid=tab-active]').classList.contains('attention')`)
	titleBlinks(agent, "(1) 새 메시지", baseTitle)
	agent.click(item)
	consoleShows(agent, "visitor", wrap)
	agent.waitFor("the count gone and the title steady", `!document.querySelector("`+item+` [data-testid=unread-badge]") && document.title === `+js(baseTitle))
	const yes = "네, 가능합니다. Gift wrapping is free!"
	consoleSend(agent, yes)
	consoleShows(agent, "agent", yes)
	widgetShows(visitor, "agent", yes)
	const thanks = "감사합니다 :)"
	widgetSend(visitor, thanks)
	widgetShows(visitor, "visitor", thanks) // stored, not a draft, before comparing
	consoleShows(agent, "visitor", thanks)

	want := []string{hello, order, reply, wrap, yes, thanks}
	w := widgetThread(visitor)
	c := consoleThread(agent)
	checkThread(visitor, "the widget", w, want)
	checkThread(agent, "the console", c, want)
	sameThread(t, w, c)
	screenshot(t, agent.ctx, "console", "")
	screenshot(t, visitor.ctx, "widget", "")

	// The agent closes; the visitor sees the chat ended.
	agent.click("[data-testid=close-button]")
	agent.click("[data-testid=close-confirm]")
	agent.waitFor("the conversation closed", `document.querySelector('[data-testid=conversation-state]').dataset.state === 'closed' && document.querySelector('[data-testid=composer-input]').disabled`)
	visitor.waitFrame("the chat ended", `d.querySelector('[data-testid=widget]').dataset.view === 'ended' && d.querySelector('[data-testid=widget-ended]').checkVisibility() && d.querySelector('[data-testid=widget-connection]').dataset.state === 'idle'`)
}

// TestBrowserReconnect stops the server mid-chat: the visitor's message
// (and the agent's) wait and are resent, and afterwards both sides, and
// the database, hold every message exactly once, in the same order.
func TestBrowserReconnect(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	const first = "배송이 아직 안 왔어요."
	agent, visitor, id := takenChat(t, s, first)
	const second = "확인해 보겠습니다. 잠시만요."
	consoleSend(agent, second)
	widgetShows(visitor, "agent", second)
	visitor.waitFrame("the widget live", `d.querySelector('[data-testid=widget-connection]').dataset.state === 'live'`)

	s.stop()
	visitor.waitFrame("the widget to notice the lost connection", `d.querySelector('[data-testid=widget-connection]').dataset.state === 'reconnecting'`)
	agent.waitFor("the console to notice the lost connection", `document.querySelector('[data-testid=connection]').dataset.state === 'reconnecting' && !document.querySelector('[data-testid=reconnecting-banner]').hidden`)
	const down = "서버가 멈춘 동안 보낸 메시지"
	widgetSend(visitor, down)
	visitor.waitFrame("the message kept as waiting to be resent",
		`[...d.querySelectorAll('[data-testid=widget-messages] li[data-pending=retrying] .bubble')].some((b) => b.textContent === `+js(down)+`)`)
	const downReply = "상담사도 연결이 끊긴 동안 답장을 씁니다"
	consoleSend(agent, downReply)
	agent.waitFor("the reply kept as waiting to be resent",
		`[...document.querySelectorAll('[data-testid=messages] li[data-pending=retrying] .bubble')].some((b) => b.textContent === `+js(downReply)+`)`)

	s.start()
	widgetShows(visitor, "visitor", down)
	consoleShows(agent, "visitor", down)
	consoleShows(agent, "agent", downReply)
	widgetShows(visitor, "agent", downReply)
	visitor.waitFrame("the widget live again", `d.querySelector('[data-testid=widget-connection]').dataset.state === 'live'`)
	agent.waitFor("the console live again", `document.querySelector('[data-testid=connection]').dataset.state === 'live' && document.querySelector('[data-testid=reconnecting-banner]').hidden`)
	const after = "다시 연결되었습니다. 주문을 확인했어요."
	consoleSend(agent, after)
	consoleShows(agent, "agent", after)
	widgetShows(visitor, "agent", after)
	const bye = "네, 고맙습니다!"
	widgetSend(visitor, bye)
	widgetShows(visitor, "visitor", bye) // stored, not a draft, before comparing
	consoleShows(agent, "visitor", bye)

	// The database has each message once; the two sent while the server
	// was down may be stored in either order.
	msgs, err := s.node.Store.Messages(context.Background(), s.ws.ID, id, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, m := range msgs {
		if m.SenderType != chat.SenderSystem {
			want = append(want, m.Body)
		}
	}
	sorted := slices.Clone(want)
	if len(sorted) == 6 {
		slices.Sort(sorted[2:4])
	}
	downs := []string{down, downReply}
	slices.Sort(downs)
	if exp := []string{first, second, downs[0], downs[1], after, bye}; !slices.Equal(sorted, exp) {
		t.Fatalf("stored messages %q, want each of %q once", want, exp)
	}
	w := widgetThread(visitor)
	c := consoleThread(agent)
	checkThread(visitor, "the widget", w, want)
	checkThread(agent, "the console", c, want)
	sameThread(t, w, c)
}

// TestBrowserIME presses Enter while a Korean syllable is being composed,
// in the widget and in the console: nothing is sent. Enter after the
// composition ends sends the message once.
func TestBrowserIME(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	root := browser(t)
	agent := newTab(t, root, "agent")
	visitor := newTab(t, root, "visitor")

	signIn(agent, s)
	openWidget(visitor, s.host.URL)
	agree(visitor)
	visitor.frameClick("[data-testid=widget-input]")
	visitor.waitFrame("the keyboard focus in the widget's composer", `d.hasFocus() && d.activeElement === d.querySelector('[data-testid=widget-input]')`)
	visitor.compose("안녕")
	visitor.pressEnter(13)
	visitor.pressEnter(229) // how a browser reports Enter that an IME takes
	if got := frameEval[string](visitor, `return d.querySelector('[data-testid=widget-input]').value + '|' + d.querySelectorAll('[data-testid=widget-messages] li').length`); got != "안녕|0" {
		visitor.fail("after Enter during composition: composer value|messages = %q, want %q (nothing sent)", got, "안녕|0")
	}
	visitor.commit("안녕하세요")
	if got := frameEval[string](visitor, `return d.querySelector('[data-testid=widget-input]').value`); got != "안녕하세요" {
		visitor.fail("composer holds %q after the composition ended, want 안녕하세요", got)
	}
	visitor.keys("\r")
	widgetShows(visitor, "visitor", "안녕하세요")
	if got := frameEval[string](visitor, `return d.querySelector('[data-testid=widget-input]').value`); got != "" {
		visitor.fail("composer still holds %q after sending", got)
	}

	id := firstRequest(agent)
	openAndAssign(agent, id)
	consoleShows(agent, "visitor", "안녕하세요")
	agent.do("focus the composer", chromedp.Focus(chromedp.CSS("[data-testid=composer-input]")))
	agent.compose("감사")
	agent.pressEnter(13)
	agent.pressEnter(229)
	if got := eval[string](agent, `document.querySelector('[data-testid=composer-input]').value + '|' + document.querySelectorAll('[data-testid=messages] li[data-sender=agent]').length`); got != "감사|0" {
		agent.fail("after Enter during composition: composer value|agent messages = %q, want %q (nothing sent)", got, "감사|0")
	}
	agent.commit("감사합니다")
	agent.keys("\r")
	consoleShows(agent, "agent", "감사합니다")
	widgetShows(visitor, "agent", "감사합니다")
	if got := eval[string](agent, `document.querySelector('[data-testid=composer-input]').value`); got != "" {
		agent.fail("composer still holds %q after sending", got)
	}

	// Each side's Enter sent exactly one message.
	want := []string{"안녕하세요", "감사합니다"}
	w := widgetThread(visitor)
	c := consoleThread(agent)
	checkThread(visitor, "the widget", w, want)
	checkThread(agent, "the console", c, want)
	msgs, err := s.node.Store.Messages(context.Background(), s.ws.ID, id, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range msgs {
		if m.SenderType != chat.SenderSystem {
			got = append(got, m.Body)
		}
	}
	if !slices.Equal(got, want) {
		t.Fatalf("stored messages %q, want %q", got, want)
	}
}

// TestBrowserTextOnly sends markup as messages and as the visitor's name:
// both sides show it as the literal text and run none of it.
func TestBrowserTextOnly(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	root := browser(t)
	agent := newTab(t, root, "agent")
	visitor := newTab(t, root, "visitor")

	const name = `<img src=x onerror="window.__pwned=3">김<b>소담</b>`
	head := `<script>window.SodamSettings = {extra: {cus_extra_username: ` + js(name) + `}};</script>`
	signIn(agent, s)
	openWidget(visitor, s.host.URL+"?head="+url.QueryEscape(head))
	agree(visitor)
	const img = `<img src=x onerror="window.__pwned=1">`
	const bold = `<b>bold</b>`
	widgetSend(visitor, img)
	widgetShows(visitor, "visitor", img)
	widgetSend(visitor, bold)
	widgetShows(visitor, "visitor", bold)

	id := firstRequest(agent)
	item := fmt.Sprintf("[data-testid=conversation-list] a[data-conversation-id='%d']", id)
	agent.waitFor("the visitor's name and last message in the list", `document.querySelector("`+item+` .name")?.textContent === `+js(name)+` && document.querySelector("`+item+` .preview").textContent === `+js(bold))
	openAndAssign(agent, id)
	consoleShows(agent, "visitor", img)
	consoleShows(agent, "visitor", bold)
	agent.waitFor("the name as text in the title and the details", `document.querySelector('[data-testid=conversation-title]').textContent === `+js(name)+
		` && document.querySelector('[data-testid=customer-name]').value === `+js(name))
	const html = `<script>window.__pwned=2</script><i>기울임</i>`
	consoleSend(agent, html)
	consoleShows(agent, "agent", html)
	widgetShows(visitor, "agent", html)

	// Nothing became markup, and nothing ran.
	const markup = `img, b, i, script`
	if n := eval[int](agent, `['[data-testid=messages]', '[data-testid=conversation-list]', '[data-testid=details]', '[data-testid=conversation-title]']
		.reduce((n, sel) => n + document.querySelector(sel).querySelectorAll(`+js(markup)+`).length, 0)`); n != 0 {
		agent.fail("the console made %d elements out of what people typed", n)
	}
	if n := frameEval[int](visitor, `return d.querySelector('[data-testid=widget-messages]').querySelectorAll(`+js(markup)+`).length;`); n != 0 {
		visitor.fail("the widget made %d elements out of what people typed", n)
	}
	for _, p := range []*tab{agent, visitor} {
		if got := eval[string](p, `typeof window.__pwned`); got != "undefined" {
			p.fail("window.__pwned is %s on the page", got)
		}
	}
	if got := frameEval[string](visitor, `return typeof w.__pwned;`); got != "undefined" {
		visitor.fail("window.__pwned is %s in the widget", got)
	}
	checkThread(visitor, "the widget", widgetThread(visitor), []string{img, bold, html})
	checkThread(agent, "the console", consoleThread(agent), []string{img, bold, html})
}

// TestBrowserNobodyOnline: a visitor without a conversation is offered
// the leave-a-message form, saying nobody is online, before the agent signs
// in and after the agent sets the status to offline; while the agent is
// online the consent step leads to the chat.
func TestBrowserNobodyOnline(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	root := browser(t)
	agent := newTab(t, root, "agent")
	visitor := newTab(t, root, "visitor")

	leave := func(when string) {
		t.Helper()
		openWidget(visitor, s.host.URL)
		// The form asks for name and contact: consent comes first.
		agreeTo(visitor, "leave")
		visitor.waitFrame("the leave-a-message form saying nobody is online "+when,
			`d.querySelector('[data-testid=widget-leave-form]').checkVisibility() && d.querySelector('[data-testid=widget-offline]').dataset.reason === 'nobody_online'`+
				` && d.querySelector('[data-testid=widget-offline]').textContent.includes('상담 가능한 상담사가 없어요')`+
				` && !d.querySelector('[data-testid=widget-composer]').checkVisibility()`)
	}
	leave("before anyone signed in")

	signIn(agent, s) // signing in comes online
	openWidget(visitor, s.host.URL)
	agree(visitor)
	visitor.waitFrame("the chat, and no leave-a-message form, while the agent is online",
		`d.querySelector('[data-testid=widget-composer]').checkVisibility() && !d.querySelector('[data-testid=widget-leave-form]').checkVisibility() && d.querySelector('[data-testid=widget-offline]').dataset.reason === 'available'`)

	// The agent steps away with the status control.
	agent.do("choose offline", chromedp.SetValue(chromedp.CSS("[data-testid=status-select]"), "offline"))
	agent.do("confirm the choice", chromedp.Evaluate[chromedp.Void](`document.querySelector('[data-testid=status-select]').dispatchEvent(new Event('change', {bubbles: true}))`))
	agent.waitFor("the server to confirm offline", `document.querySelector('[data-testid=status-select]').closest('label').dataset.status === 'offline'`)
	leave("after the agent went offline")
	// Still offline after the console reloads (the status is the server's).
	agent.do("reload the console", chromedp.Reload())
	agent.waitFor("the console with the agent still offline", `!document.querySelector('#app').hidden && document.querySelector('[data-testid=status-select]').closest('label').dataset.status === 'offline' && document.querySelector('[data-testid=status-select]').value === 'offline'`)
}

// TestBrowserTryItMember uses the console's try-it page as a logged-in
// visitor (a signed sample site_uid) and as an anonymous one.
func TestBrowserTryItMember(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	root := browser(t)
	agent := newTab(t, root, "agent")
	signIn(agent, s)

	agent.goTo(s.baseURL + "/console/try?as=member")
	agent.waitFor("the try page as a member", `document.querySelector('[data-testid=try-member]').getAttribute('aria-current') === 'page' && document.querySelector('[data-testid=try-visitor]').textContent.includes('김소담') && document.querySelector('[data-testid=try-visitor]').textContent.includes('demo-member-1')`)
	launcherInPlace(agent)
	agent.click("#sodam-launcher")
	agree(agent)
	const asMember = "회원으로 문의드립니다."
	widgetSend(agent, asMember)
	widgetShows(agent, "visitor", asMember)

	agent.goTo(s.baseURL + "/console/")
	id := firstRequest(agent)
	agent.click(fmt.Sprintf("[data-testid=conversation-list] a[data-conversation-id='%d']", id))
	details := `document.querySelector('[data-testid=details]')`
	agent.waitFor("the member's identity in the details", details+`.querySelector('dd[data-field=identifier]')?.textContent === `+js(s.ws.SiteID+"_demo-member-1")+
		` && `+details+`.querySelector('[data-testid=customer-name]').value === '김소담'`+
		` && document.querySelector('[data-testid=conversation-title]').textContent === '김소담'`)
	consoleShows(agent, "visitor", asMember)

	agent.goTo(s.baseURL + "/console/try?as=anon")
	agent.waitFor("the try page as an anonymous visitor", `document.querySelector('[data-testid=try-anon]').getAttribute('aria-current') === 'page'`)
	launcherInPlace(agent)
	agent.click("#sodam-launcher")
	agree(agent) // a new visitor: not the member's chat
	const asAnon = "비회원인데 문의드려요."
	widgetSend(agent, asAnon)
	widgetShows(agent, "visitor", asAnon)
	if n := frameEval[int](agent, `return d.querySelectorAll('[data-testid=widget-messages] li[data-seq]').length;`); n != 1 {
		agent.fail("the anonymous visitor sees %d messages, want only their own", n)
	}

	agent.goTo(s.baseURL + "/console/")
	agent.waitFor("two requests in the list, the console live", `document.querySelectorAll('[data-testid=conversation-list] a[data-conversation-id]').length === 2 && document.querySelector('[data-testid=connection]').dataset.state === 'live'`)
	anon := eval[int64](agent, fmt.Sprintf(`Number([...document.querySelectorAll('[data-testid=conversation-list] a[data-conversation-id]')].find((a) => a.dataset.conversationId !== '%d').dataset.conversationId)`, id))
	// The member's request was read before leaving: only the new one alerts.
	agent.waitFor("only the new request unread", fmt.Sprintf(`document.querySelector("[data-conversation-id='%d']").classList.contains('unread') && !document.querySelector("[data-conversation-id='%d']").classList.contains('unread')`, anon, id))
	titleBlinks(agent, "(1) 새 상담 요청", "Sodam · 소담 상담 콘솔")
	agent.click(fmt.Sprintf("[data-testid=conversation-list] a[data-conversation-id='%d']", anon))
	agent.waitFor("the anonymous visitor's details", details+`.querySelector('dd[data-field=identifier]')`)
	consoleShows(agent, "visitor", asAnon)
	ident := eval[string](agent, details+`.querySelector('dd[data-field=identifier]').textContent`)
	if !regexp.MustCompile(`^` + regexp.QuoteMeta(s.ws.SiteID) + `_v[0-9a-z]+$`).MatchString(ident) {
		agent.fail("anonymous identifier %q, want %s_v…", ident, s.ws.SiteID)
	}
}

// TestBrowserLanguage switches the console to English and back to Korean;
// the choice survives a reload. The widget follows the page's setting.
func TestBrowserLanguage(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	root := browser(t)
	agent := newTab(t, root, "agent")
	visitor := newTab(t, root, "visitor")
	signIn(agent, s)

	strs := `[document.documentElement.lang, document.querySelector('[data-testid=tab-unassigned] [data-i18n]').textContent, document.querySelector('[data-testid=nav-logout] span').textContent, document.querySelector('[data-testid=conversation] .placeholder').textContent].join('|')`
	const ko = "ko|미배정|로그아웃|왼쪽 목록에서 상담을 선택하세요."
	const en = "en|Queue|Sign out|Choose a conversation from the list."
	if got := eval[string](agent, strs); got != ko {
		agent.fail("console texts %q, want Korean %q", got, ko)
	}
	agent.click("[data-testid=nav-language]")
	agent.click("[data-testid=language-en]")
	agent.waitFor("the console in English", strs+` === `+js(en)+` && document.title === 'Sodam · Sodam console'`)
	agent.do("reload the console", chromedp.Reload())
	agent.waitFor("the console back after reloading", `!document.querySelector('#app').hidden`)
	if got := eval[string](agent, strs); got != en {
		agent.fail("after reloading, console texts %q, want English %q", got, en)
	}
	agent.click("[data-testid=nav-language]")
	agent.waitFor("the language menu says English", `document.querySelector('[data-testid=language-en]').getAttribute('aria-checked') === 'true'`)
	agent.click("[data-testid=language-ko]")
	agent.waitFor("the console in Korean again", strs+` === `+js(ko))

	// The widget: Korean for this Korean browser, English when the page
	// says so.
	agreeText := `d.querySelector('[data-testid=widget-consent-agree]').textContent`
	openWidget(visitor, s.host.URL)
	visitor.waitFrame("the Korean widget", agreeText+` === '동의하고 상담 시작'`)
	if got := eval[string](visitor, `document.querySelector('#sodam-launcher').getAttribute('aria-label')`); got != "채팅 상담 닫기" {
		visitor.fail("launcher label %q, want Korean", got)
	}
	openWidget(visitor, s.host.URL+"?head="+url.QueryEscape(`<script>window.SodamSettings = {language: 'en'};</script>`))
	visitor.waitFrame("the English widget", agreeText+` === 'Agree and start' && d.documentElement.lang === 'en'`)
	if got := eval[string](visitor, `document.querySelector('#sodam-launcher').getAttribute('aria-label')`); got != "Close chat" {
		visitor.fail("launcher label %q, want English", got)
	}
}

// titleBlinks waits until the document title has gone from the alert to
// the usual title and back: it blinks.
func titleBlinks(p *tab, alert, usual string) {
	p.t.Helper()
	var shown []string // each title the tab showed, in order, without repeats
	deadline := time.Now().Add(waitTimeout)
	for {
		// The title as soon as it changes (the console flips it every
		// second), or as it is after a second.
		from := ""
		if len(shown) > 0 {
			from = shown[len(shown)-1]
		}
		if title := eval[string](p, `new Promise((resolve) => {
			const end = performance.now() + 1000;
			const attempt = () => document.title !== `+js(from)+` || performance.now() >= end ? resolve(document.title) : setTimeout(attempt, 10);
			attempt();
		})`); len(shown) == 0 || shown[len(shown)-1] != title {
			shown = append(shown, title)
		}
		if i := slices.Index(shown, alert); i >= 0 && len(shown) >= i+3 && shown[i+1] == usual && shown[i+2] == alert {
			return
		}
		if time.Now().After(deadline) {
			p.fail("the title did not blink between %q and %q; it showed %q", alert, usual, shown)
		}
	}
}

func lastOf(bs []bubble) bubble {
	if len(bs) == 0 {
		return bubble{}
	}
	return bs[len(bs)-1]
}

// TestBrowserSignInElsewhere: the session is the browser's, so a console
// tab follows a sign-out and a sign-in as someone else in another tab of
// the same browser, rather than showing the first person's console while
// its requests go as the second.
func TestBrowserSignInElsewhere(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	first := newTab(t, browser(t), "first tab")
	s.addAgent("mina@sodam.local", "민아", "e2e-password-2")
	signIn(first, s)
	adminName := eval[string](first, `document.querySelector('[data-testid=account-name]').textContent`)
	second := anotherTab(t, first, "second tab")
	second.goTo(s.baseURL + "/console/")
	second.waitFor("the same console", `!document.querySelector('#app').hidden && document.querySelector('[data-testid=account-name]').textContent === `+js(adminName))

	second.click("[data-testid=nav-logout]")
	second.waitFor("the sign-in form", `!document.querySelector('#login').hidden`)
	first.waitFor("the sign-in form after signing out in the other tab", `!document.querySelector('#login').hidden && document.querySelector('#app').hidden`)

	signInAs(second, s, "mina@sodam.local", "e2e-password-2")
	first.waitFor("민아's console after her sign-in in the other tab", `!document.querySelector('#app').hidden && document.querySelector('[data-testid=account-name]').textContent === '민아'`)
}

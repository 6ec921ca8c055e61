package e2e

import (
	"fmt"
	"net/url"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// The agents' tools: canned responses typed with "#", the greeting, the
// rating request and the customer's rating, and the settings that manage
// tags, categories and canned responses.

// openSettings opens the settings page from the side bar and waits until
// its cards have loaded.
func openSettings(p *tab) {
	p.t.Helper()
	p.click("[data-testid=nav-settings]")
	p.waitFor("the settings page", `document.querySelector('#app').dataset.page === 'settings' && document.querySelector('[data-testid=settings-form] [name=name]').value !== ''`)
}

// fill replaces an input's value by typing, as a person would after
// selecting what was there.
func fill(p *tab, sel, text string) {
	p.t.Helper()
	p.do("fill "+sel, chromedp.Evaluate[chromedp.Void](`document.querySelector(`+js(sel)+`).value = ''`), chromedp.SendKeys(chromedp.CSS(sel), text))
}

// toastSays waits until the toast shows text.
func toastSays(p *tab, text string) {
	p.t.Helper()
	p.waitFor("the toast "+js(text), `(() => { const el = document.querySelector('[data-testid=toast]'); return !el.hidden && el.textContent === `+js(text)+`; })()`)
}

// addCanned adds a canned response on the settings page.
func addCanned(p *tab, title, body string, shared bool) {
	p.t.Helper()
	fill(p, "[data-testid=canned-title]", title)
	fill(p, "[data-testid=canned-body]", body)
	if shared {
		p.click("[data-testid=canned-shared]")
	}
	p.click("[data-testid=canned-save]")
	p.waitFor("the canned response "+title+" in the list",
		`[...document.querySelectorAll('[data-testid=canned-item]')].some((li) => li.querySelector('[data-field=title]').textContent === `+js(title)+` && li.dataset.shared === '`+fmt.Sprint(shared)+`')`)
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
	agent.compose("환")
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
	agent.keys(" 감사합니다.")
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

// TestBrowserRating: the greeting and the rating request's words come from
// the settings page; the rating request is refused before the agent's
// first reply; the visitor rates from the request with four stars and a
// comment, which the agent sees; and a second chat is rated after the
// visitor ended it.
func TestBrowserRating(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	root := browser(t)
	agent := newTab(t, root, "agent")
	visitor := newTab(t, root, "visitor")
	signIn(agent, s)

	openSettings(agent)
	const greeting = "어서 오세요, 소담 상점입니다. 무엇을 도와드릴까요?"
	const request = "오늘 상담 어떠셨나요? 별점을 남겨 주세요."
	fill(agent, "[data-testid=settings-greeting]", greeting)
	fill(agent, "[data-testid=settings-rating-request]", request)
	agent.click("[data-testid=settings-save]")
	toastSays(agent, "저장했습니다.")
	agent.click("[data-testid=nav-chat]")

	openWidget(visitor, s.host.URL)
	agree(visitor)
	const hello = "찻잔 세트 문의드려요."
	widgetSend(visitor, hello)
	widgetShows(visitor, "visitor", hello)
	visitor.waitFrame("the greeting as the desk's message",
		`d.querySelector('[data-testid=widget-messages] li[data-code=greeting] .bubble')?.textContent === `+js(greeting))
	rate := `d.querySelector('[data-testid=widget-rate]')`
	if frameEval[bool](visitor, `return !`+rate+`.hidden;`) {
		visitor.fail("the rate button shows before any agent replied")
	}

	id := firstRequest(agent)
	openAndAssign(agent, id)
	consoleEvent(agent, "greeting")
	agent.click("[data-testid=rating-request-button]")
	toastSays(agent, "상담사가 답변한 뒤에 평가를 요청할 수 있습니다.")
	const reply = "네, 2인 세트와 4인 세트가 있습니다."
	consoleSend(agent, reply)
	widgetShows(visitor, "agent", reply)
	visitor.waitFrame("the rate button once the agent replied", rate+`.checkVisibility()`)

	agent.click("[data-testid=rating-request-button]")
	toastSays(agent, "고객에게 상담 평가를 요청했습니다.")
	consoleEvent(agent, "rating_requested")
	visitor.waitFrame("the rating request with its button",
		`d.querySelector('[data-testid=widget-messages] li[data-code=rating_requested] .bubble')?.textContent === `+js(request)+
			` && d.querySelector('[data-testid=widget-rating-request-button]').checkVisibility()`)
	visitor.frameClick("[data-testid=widget-rating-request-button]")
	visitor.waitFrame("the rating form", `d.querySelector('[data-testid=widget-rating-form]').checkVisibility()`)
	// Sending without stars asks for them and sends nothing.
	visitor.frameClick("[data-testid=widget-rating-submit]")
	visitor.waitFrame("the stars asked for", `d.querySelector('[data-testid=widget-rating-error]').textContent === '별점을 골라 주세요.'`)
	visitor.frameClick("[data-testid=widget-rating-star-4]")
	visitor.waitFrame("four stars chosen", `d.querySelector('[data-testid=widget-rating-stars]').dataset.score === '4'`)
	const comment = "친절하게 안내해 주셔서 감사합니다!"
	visitor.frameClick("[data-testid=widget-rating-comment]")
	visitor.keys(comment)
	screenshot(t, visitor.ctx, "widget-rating", "")
	visitor.frameClick("[data-testid=widget-rating-submit]")
	visitor.waitFrame("the thanks, and no more rate buttons",
		`d.querySelector('[data-testid=widget-rating-thanks]').textContent === '평가해 주셔서 감사합니다.' && !d.querySelector('[data-testid=widget-rating-form]').checkVisibility()`+
			` && !`+rate+`.checkVisibility() && !d.querySelector('[data-testid=widget-rating-request-button]').checkVisibility()`)
	widgetEvent(visitor, "rated")

	// The agent sees the stars and the comment; the request is not offered
	// again.
	consoleEvent(agent, "rated")
	agent.waitFor("the rating in the console", `(() => {
		const li = document.querySelector('[data-testid=messages] li[data-code=rated]');
		return li.querySelector('.event').textContent.includes('★★★★☆') && li.querySelector('[data-testid=rated-comment]')?.textContent === `+js(comment)+`;
	})()`)
	agent.waitFor("the rating in the panel", `(() => {
		const dd = document.querySelector('[data-testid=details-conversation] dd[data-field=rating]');
		return dd?.dataset.score === '4' && dd.querySelector('.note')?.textContent === `+js(comment)+`;
	})()`)
	agent.waitFor("no rating request button once rated", `document.querySelector('[data-testid=rating-request-button]').hidden`)
	c, err := s.node.Store.Conversation(t.Context(), s.ws.ID, id)
	if err != nil {
		t.Fatal(err)
	}
	if c.Rating == nil || c.Rating.Score != 4 || c.Rating.Comment != comment {
		t.Fatalf("stored rating %+v, want 4 stars with %q", c.Rating, comment)
	}

	// A second chat, ended by the visitor, is rated from the ended view.
	visitor.frameClick("[data-testid=widget-end]")
	visitor.frameClick("[data-testid=widget-end-confirm]")
	visitor.waitFrame("the first chat ended", `d.querySelector('[data-testid=widget]').dataset.view === 'ended'`)
	if frameEval[bool](visitor, `return `+rate+`.checkVisibility();`) {
		visitor.fail("the rate button shows for a chat rated already")
	}
	visitor.frameClick("[data-testid=widget-new-chat]")
	const again = "하나 더 여쭤볼게요."
	widgetSend(visitor, again)
	widgetShows(visitor, "visitor", again)
	agent.click("[data-testid=tab-unassigned]")
	agent.waitFor("the second request", fmt.Sprintf(`[...document.querySelectorAll('[data-testid=conversation-list] a[data-conversation-id]')].some((a) => a.dataset.conversationId !== '%d')`, id))
	second := eval[int64](agent, fmt.Sprintf(`Number([...document.querySelectorAll('[data-testid=conversation-list] a[data-conversation-id]')].find((a) => a.dataset.conversationId !== '%d').dataset.conversationId)`, id))
	openAndAssign(agent, second)
	const answer = "네, 말씀하세요."
	consoleSend(agent, answer)
	widgetShows(visitor, "agent", answer)
	visitor.frameClick("[data-testid=widget-end]")
	visitor.frameClick("[data-testid=widget-end-confirm]")
	visitor.waitFrame("the second chat ended, the rate button offered",
		`d.querySelector('[data-testid=widget]').dataset.view === 'ended' && `+rate+`.checkVisibility()`)
	visitor.frameClick("[data-testid=widget-rate]")
	visitor.frameClick("[data-testid=widget-rating-star-5]")
	visitor.frameClick("[data-testid=widget-rating-submit]")
	visitor.waitFrame("the thanks after the chat ended", `d.querySelector('[data-testid=widget-rating-thanks]').checkVisibility() && !`+rate+`.checkVisibility()`)
	consoleEvent(agent, "rated")
	agent.waitFor("five stars in the console", `document.querySelector('[data-testid=messages] li[data-code=rated] .event').textContent.includes('★★★★★')`)
}

// TestBrowserToolSettings manages tags, categories and canned responses on
// the settings page as a manager: add, refuse a duplicate, rename, delete
// (after confirming); a category tree three levels deep whose parent
// cannot be deleted while it has children. What was saved is there after
// a reload, and an agent sees it without the means to change it, yet keeps
// personal canned responses.
func TestBrowserToolSettings(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	s.addAgent("agent@sodam.local", "이서연", "agent-password-1")
	root := browser(t)
	admin := newTab(t, root, "manager")
	signIn(admin, s)
	openSettings(admin)

	// Customer tags: add two, a duplicate is refused, rename, delete one.
	cust := "[data-testid=tags-customer] "
	tagNames := func(kind string) string {
		t.Helper()
		return eval[string](admin, `[...document.querySelectorAll('[data-testid=tags-`+kind+`] [data-testid=tag] .tag-name')].map((e) => e.textContent).join(',')`)
	}
	addTag := func(kind, name string) {
		t.Helper()
		fill(admin, "[data-testid=tags-"+kind+"] [data-testid=tag-add-input]", name)
		admin.click("[data-testid=tags-" + kind + "] [data-testid=tag-add]")
	}
	addTag("customer", "VIP")
	admin.waitFor("the VIP tag", `document.querySelector('`+cust+`[data-testid=tag]')`)
	addTag("customer", "재구매")
	admin.waitFor("two customer tags", `document.querySelectorAll('`+cust+`[data-testid=tag]').length === 2`)
	addTag("customer", "VIP")
	admin.waitFor("the duplicate refused", `document.querySelector('`+cust+`[data-testid=tag-error]').textContent === '‘VIP’ 태그가 이미 있습니다.'`)
	admin.click(cust + "[data-testid=tag]:first-child [data-testid=tag-rename]")
	fill(admin, cust+"[data-testid=tag-rename-input]", "VVIP")
	admin.keys("\r")
	admin.waitFor("the tag renamed", `[...document.querySelectorAll('`+cust+`.tag-name')].some((e) => e.textContent === 'VVIP')`)
	admin.click(cust + "[data-testid=tag]:last-child [data-testid=tag-delete]")
	admin.waitFor("the confirmation", `document.querySelector('[data-testid=tools-confirm]').open`)
	admin.click("[data-testid=tools-confirm-yes]")
	admin.waitFor("one customer tag left", `document.querySelectorAll('`+cust+`[data-testid=tag]').length === 1`)
	addTag("conversation", "환불")
	admin.waitFor("the conversation tag", `document.querySelector('[data-testid=tags-conversation] [data-testid=tag]')`)
	if got := tagNames("customer") + "|" + tagNames("conversation"); got != "VVIP|환불" {
		admin.fail("tags %q after adding, renaming and deleting, want VVIP|환불", got)
	}

	// Categories: 배송 > 배송 지연 > 택배사 문의; no fourth level.
	fill(admin, "[data-testid=category-add-input]", "배송")
	admin.click("[data-testid=category-add]")
	category := func(name string) string {
		return `[...document.querySelectorAll('[data-testid=category]')].find((li) => li.querySelector(':scope > .category-row .category-name')?.textContent === ` + js(name) + `)`
	}
	admin.waitFor("the top category", category("배송"))
	addChild := func(parent, name string) {
		t.Helper()
		admin.do("add a child to "+parent, chromedp.Evaluate[chromedp.Void](category(parent)+`.querySelector(':scope > .category-row [data-testid=category-add-child]').click()`))
		fill(admin, "[data-testid=category-child-input]", name)
		admin.click("[data-testid=category-child-save]")
		admin.waitFor(name+" under "+parent, category(name)+`?.parentElement.closest('[data-testid=category]') === `+category(parent))
	}
	addChild("배송", "배송 지연")
	addChild("배송 지연", "택배사 문의")
	if got := eval[string](admin, category("택배사 문의")+`.dataset.depth + ' ' + Boolean(`+category("택배사 문의")+`.querySelector('[data-testid=category-add-child]'))`); got != "3 false" {
		admin.fail("third-level category depth and add-child button = %q, want 3 false", got)
	}
	// The parent of others cannot go; the leaf can.
	admin.do("delete 배송 지연", chromedp.Evaluate[chromedp.Void](category("배송 지연")+`.querySelector(':scope > .category-row [data-testid=category-delete]').click()`))
	admin.click("[data-testid=tools-confirm-yes]")
	admin.waitFor("the refusal", `document.querySelector('[data-testid=category-error]').dataset.code === 'category_has_children' && document.querySelector('[data-testid=category-error]').textContent.includes('하위 분류가 있어 삭제할 수 없습니다')`)
	admin.do("delete 택배사 문의", chromedp.Evaluate[chromedp.Void](category("택배사 문의")+`.querySelector('[data-testid=category-delete]').click()`))
	admin.click("[data-testid=tools-confirm-yes]")
	admin.waitFor("the leaf deleted", `!`+category("택배사 문의")+` && `+category("배송 지연"))
	admin.do("rename 배송 지연", chromedp.Evaluate[chromedp.Void](category("배송 지연")+`.querySelector('[data-testid=category-rename]').click()`))
	fill(admin, "[data-testid=category-rename-input]", "배송 문의")
	admin.keys("\r")
	admin.waitFor("the category renamed", category("배송 문의"))

	// Canned responses: add, edit, delete.
	addCanned(admin, "인사", "안녕하세요, {고객명}님!", true)
	addCanned(admin, "마무리", "더 궁금한 점이 있으면 말씀해 주세요.", true)
	item := func(title string) string {
		return `[...document.querySelectorAll('[data-testid=canned-item]')].find((li) => li.querySelector('[data-field=title]').textContent === ` + js(title) + `)`
	}
	admin.do("edit 인사", chromedp.Evaluate[chromedp.Void](item("인사")+`.querySelector('[data-testid=canned-edit]').click()`))
	admin.waitFor("the form editing", `document.querySelector('[data-testid=canned-title]').value === '인사' && document.querySelector('[data-testid=canned-shared]').disabled && !document.querySelector('[data-testid=canned-cancel]').hidden`)
	fill(admin, "[data-testid=canned-body]", "반갑습니다, {고객명}님!")
	admin.click("[data-testid=canned-save]")
	admin.waitFor("the edited text", item("인사")+`?.querySelector('[data-field=body]').textContent === '반갑습니다, {고객명}님!'`)
	admin.do("delete 마무리", chromedp.Evaluate[chromedp.Void](item("마무리")+`.querySelector('[data-testid=canned-delete]').click()`))
	admin.click("[data-testid=tools-confirm-yes]")
	admin.waitFor("마무리 deleted", `!`+item("마무리"))
	// An empty title is refused by the server with its words.
	fill(admin, "[data-testid=canned-title]", " ")
	fill(admin, "[data-testid=canned-body]", "내용만 있어요")
	admin.click("[data-testid=canned-save]")
	admin.waitFor("the refusal", `document.querySelector('[data-testid=canned-error]').dataset.code === 'invalid_input'`)

	// After a reload everything is as saved.
	admin.do("reload", chromedp.Reload())
	admin.waitFor("the settings page again", `!document.querySelector('#app').hidden && document.querySelector('#app').dataset.page === 'settings'`)
	admin.waitFor("the saved tags, categories and responses",
		`[...document.querySelectorAll('[data-testid=tags-customer] .tag-name')].map((e) => e.textContent).join(',') === 'VVIP'`+
			` && `+category("배송 문의")+` && `+item("인사")+` && !`+item("마무리"))

	// An agent reads them all and changes none, but keeps personal responses.
	agent := newTab(t, root, "agent")
	signInAs(agent, s, "agent@sodam.local", "agent-password-1")
	openSettings(agent)
	agent.waitFor("the lists, read only",
		`document.querySelector('[data-testid=tags-customer] [data-testid=tag]') && `+category("배송")+` && `+item("인사")+
			` && document.querySelector('[data-testid=tags-customer] [data-testid=tag-add-form]').hidden && document.querySelector('[data-testid=category-add-form]').hidden`+
			` && !document.querySelector('[data-testid=tag-rename], [data-testid=category-delete]') && !`+item("인사")+`.querySelector('[data-testid=canned-edit]')`+
			` && document.querySelector('[data-testid=canned-shared]').disabled`)
	addCanned(agent, "내 서명", "상담사 {상담사명}이었습니다.", false)
	agent.waitFor("the agent's own response editable", item("내 서명")+`.querySelector('[data-testid=canned-edit]')`)
}

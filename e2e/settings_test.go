package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

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

// TestBrowserWidgetSettings sets the widget's look on the settings page —
// the launcher on the left, its offsets, English as the widget's language
// and the English title, consent text, greeting and rating request — and
// finds them in effect in the widget on the company's page, and in the
// card after a reload.
func TestBrowserWidgetSettings(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	root := browser(t)
	admin := newTab(t, root, "manager")
	visitor := newTab(t, root, "visitor")
	signIn(admin, s)
	openSettings(admin)

	// The master replaces the identity secret after a warning that signed
	// visitors need the site's new signature, and sees the new one.
	old := s.ws.IdentitySecret
	admin.click("[data-testid=identity-secret-rotate]")
	admin.waitFor("the warning", `document.querySelector('[data-testid=tools-confirm]').open && document.querySelector('[data-testid=tools-confirm] .question').textContent.includes('웹사이트 서버가 새 비밀키로 서명하기 전까지')`)
	look(admin, "settings-secret-rotate-ko")
	admin.click("[data-testid=tools-confirm-yes]")
	toastSays(admin, "새 비밀키를 만들었습니다. 웹사이트 서버에 새 비밀키를 넣어 주세요.")
	ws, err := s.node.Store.Workspace(context.Background(), s.ws.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got := eval[string](admin, `document.querySelector('[data-testid=identity-secret]').type + ' ' + document.querySelector('[data-testid=identity-secret]').value`); ws.IdentitySecret == old || got != "text "+ws.IdentitySecret {
		admin.fail("the secret field shows %q; stored %q, before %q", got, ws.IdentitySecret, old)
	}

	const (
		title    = "Sodam Tea House"
		consent  = "We keep your name and this chat to answer you."
		greeting = "Welcome to Sodam! How can we help?"
		rating   = "How did we do? Please rate this chat."
	)
	choose(admin, "[data-testid=settings-widget-position]", "left")
	fill(admin, "[data-testid=settings-widget-offset-x]", "40")
	fill(admin, "[data-testid=settings-widget-offset-y]", "60")
	choose(admin, "[data-testid=settings-widget-language]", "en")
	admin.do("scroll to the launcher's side", chromedp.ScrollIntoView("[data-testid=settings-widget-position]"))
	look(admin, "settings-widget-look-ko")
	fill(admin, "[data-testid=settings-en-title]", title)
	fill(admin, "[data-testid=settings-en-consent]", consent)
	fill(admin, "[data-testid=settings-en-greeting]", greeting)
	fill(admin, "[data-testid=settings-en-rating-request]", rating)
	fill(admin, "[data-testid=settings-ko-title]", "소담 찻집")
	admin.do("scroll to the Korean wording", chromedp.ScrollIntoView("[data-testid=settings-texts-ko]"))
	look(admin, "settings-widget-ko")
	admin.click("[data-testid=settings-save]")
	toastSays(admin, "저장했습니다.")

	admin.do("reload", chromedp.Reload())
	openSettings(admin)
	form := `document.querySelector('[data-testid=settings-form]').elements`
	if got := eval[string](admin, `[`+form+`.position.value, `+form+`.offset_x.value, `+form+`.offset_y.value, `+form+`.language.value, `+form+`.en_title.value, `+form+`.ko_title.value, `+form+`.en_consent.value].join('|')`); got != "left|40|60|en|"+title+"|소담 찻집|"+consent {
		admin.fail("the card after a reload holds %q", got)
	}

	// The widget on the company's page: bottom left, 40 and 60 pixels in,
	// in English for this Korean browser, with the English words.
	openWidget(visitor, s.host.URL)
	visitor.waitFrame("the English widget", `d.documentElement.lang === 'en' && d.querySelector('[data-testid=widget-consent-agree]').textContent === 'Agree and start'`+
		` && d.querySelector('[data-testid=widget-title]').textContent === `+js(title)+` && d.querySelector('[data-testid=widget-consent-text]').textContent === `+js(consent))
	if got := eval[string](visitor, `(() => { const r = document.querySelector('#sodam-launcher').getBoundingClientRect(); return r.left + ' ' + (innerHeight - r.bottom) + ' ' + document.querySelector('#sodam-launcher').getAttribute('aria-label'); })()`); got != "40 60 Close chat" {
		visitor.fail("launcher left, bottom and label %q, want 40 60 Close chat", got)
	}
	if got := eval[float64](visitor, `document.querySelector('#sodam-frame').getBoundingClientRect().left`); got != 40 {
		visitor.fail("the chat window's left edge at %v, want 40 (beside the launcher)", got)
	}
	look(visitor, "widget-settings-en")
	agree(visitor)
	widgetSend(visitor, "Do you ship abroad?")
	visitor.waitFrame("the English greeting", `d.querySelector('[data-testid=widget-messages] li[data-code=greeting] .bubble')?.textContent === `+js(greeting))

	// The rating request comes in the visitor's language too.
	admin.click("[data-testid=nav-chat]")
	openAndAssign(admin, firstRequest(admin))
	consoleSend(admin, "Yes, we ship to most countries.")
	admin.click("[data-testid=rating-request-button]")
	visitor.waitFrame("the English rating request", `d.querySelector('[data-testid=widget-messages] li[data-code=rating_requested] .bubble')?.textContent === `+js(rating))

	// A visitor who opens the chat before the launcher's settings come
	// gets it in the workspace's language all the same: the chat loads
	// again once they say which. So does one whose chat loads, hidden,
	// with the next page (having opened it in this tab before).
	early := newTab(t, root, "early visitor")
	early.hold("*/api/v1/widget/launcher*")
	early.goTo(s.host.URL)
	// The launcher shows, at the defaults, after a short wait.
	early.waitFor("the launcher shown while its settings are late", `document.querySelector('#sodam-launcher')?.checkVisibility({ visibilityProperty: true })`)
	early.click("#sodam-launcher")
	early.waitFor("the chat, opened before the launcher's settings came", `document.querySelector('#sodam-frame')`)
	early.release()
	english := `d.documentElement.lang === 'en' && d.querySelector('[data-testid=widget-consent-agree]')?.textContent === 'Agree and start'` +
		` && d.querySelector('[data-testid=widget-title]').textContent === ` + js(title)
	early.waitFrame("the English widget", english)
	early.do("go to the next page", chromedp.Reload())
	early.release()
	early.waitFor("the chat loaded, hidden, with the page", `document.querySelector('#sodam-frame')?.hidden`)
	early.click("#sodam-launcher")
	early.waitFrame("the English widget on the next page", english)
}

// TestBrowserBusinessHours (§6): a manager sets the week on the settings
// page — Monday without its lunch break, today a holiday — and after a
// reload the page shows what was saved (the removed lunch break came back
// from the defaults before); the widget, on a holiday, says the desk is
// closed, says when it opens again, and offers to leave a message.
func TestBrowserBusinessHours(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	root := browser(t)
	admin := newTab(t, root, "manager")
	visitor := newTab(t, root, "visitor")
	signIn(admin, s)
	openSettings(admin)

	seoul, err := time.LoadLocation("Asia/Seoul")
	if err != nil {
		t.Fatal(err)
	}
	today := time.Now().In(seoul).Format(time.DateOnly)
	monday := `[data-testid=hours-form] tr[data-day="1"] `
	admin.waitFor("Monday's default lunch break", `document.querySelector('`+monday+`[data-field=lunch_start]').value === '12:00'`)
	admin.click("[data-testid=hours-always-open]")
	admin.do("clear Monday's lunch break, choose today as a holiday", chromedp.Evaluate[chromedp.Void](`(() => {
		for (const f of ['lunch_start', 'lunch_end']) document.querySelector('`+monday+`[data-field=' + f + ']').value = '';
		document.querySelector('[data-testid=hours-holiday-input]').value = `+js(today)+`;
	})()`))
	admin.click("[data-testid=hours-holiday-add]")
	admin.waitFor("today among the holidays", `document.querySelector('[data-testid=holiday][data-date="`+today+`"]')`)
	admin.click("[data-testid=hours-save]")
	toastSays(admin, "운영 시간을 저장했습니다.")

	admin.do("reload the console", chromedp.Reload())
	openSettings(admin)
	admin.waitFor("the week as saved, after a reload",
		`!document.querySelector('[data-testid=hours-always-open]').checked && document.querySelector('`+monday+`[data-field=start]').value === '09:00'`+
			` && document.querySelector('[data-testid=holiday][data-date="`+today+`"]')`)
	if got := eval[string](admin, `document.querySelector('`+monday+`[data-field=lunch_start]').value + '–' + document.querySelector('`+monday+`[data-field=lunch_end]').value`); got != "–" {
		admin.fail("Monday's lunch break %q after a reload, saved without one", got)
	}
	if got := eval[string](admin, `document.querySelector('[data-testid=hours-form] tr[data-day="2"] [data-field=lunch_start]').value`); got != "12:00" {
		admin.fail("Tuesday's lunch break starts at %q, want 12:00 as it was", got)
	}

	// Sunday, closed, has no hours; opened, it starts with a working day's.
	sunday := `[data-testid=hours-form] tr[data-day="0"] `
	if got := eval[string](admin, `document.querySelector('`+sunday+`[data-field=start]').value`); got != "" {
		admin.fail("closed Sunday starts at %q, want no hours", got)
	}
	admin.click(sunday + "[data-field=open]")
	admin.waitFor("Sunday opened with 09:00–18:00", `document.querySelector('`+sunday+`[data-field=start]').value === '09:00' && document.querySelector('`+sunday+`[data-field=end]').value === '18:00'`+
		` && !document.querySelector('`+sunday+`[data-field=start]').disabled`)

	openWidget(visitor, s.host.URL)
	// In Seoul's time, the zone named when this computer is elsewhere.
	visitor.waitFrame("the widget closed for the holiday, saying when it opens", `d.querySelector('[data-testid=widget-offline]').dataset.reason === 'outside_hours'`+
		` && /^상담은 .*오전 9:00( GMT\+9)?에 다시 시작해요\.$/.test(d.querySelector('[data-testid=widget-reopens]')?.textContent)`)
	visitor.frameClick("[data-testid=widget-consent-agree]")
	visitor.waitFrame("the leave-a-message form", `d.querySelector('[data-testid=widget-leave-form]').checkVisibility()`)
	look(visitor, "widget-reopens-ko")
}

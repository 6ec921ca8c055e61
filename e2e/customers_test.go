package e2e

import (
	"fmt"
	"net/url"
	"testing"

	"github.com/chromedp/chromedp"
)

// The customer in the console's right-hand panel: the profile form with its
// drafts, refusals and a conversation closing under it, and changing a
// customer ID to one in use, which merges the two customers.

// startChat has a new visitor (a tab of their own) write first, and
// returns the visitor's tab and the new conversation's ID as the agent's
// list shows it.
func startChat(t *testing.T, agent *tab, s *site, visitor *tab, first string, known ...int64) int64 {
	t.Helper()
	openWidget(visitor, s.host.URL)
	agree(visitor)
	widgetSend(visitor, first)
	widgetShows(visitor, "visitor", first)
	return newConversation(agent, known...)
}

func value(p *tab, sel string) string {
	p.t.Helper()
	return eval[string](p, `document.querySelector(`+js(sel)+`).value`)
}

// TestBrowserCustomerPanel: the agent edits a customer's profile; the edit
// is a draft that survives switching conversations and is saved only by
// Save; a bad email is refused with nothing saved; a draft left when the
// conversation closes is pointed out, not dropped; changing a customer ID
// to one in use asks before merging the two customers.
func TestBrowserCustomerPanel(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	root := browser(t)
	agent := newTab(t, root, "agent")
	first := newTab(t, root, "first visitor")
	second := newTab(t, root, "second visitor")
	signIn(agent, s)
	id1 := startChat(t, agent, s, first, "배송이 언제 오나요?")
	id2 := startChat(t, agent, s, second, "환불 문의드립니다.", id1)
	c1, c2 := detail(agent, s, id1).Customer, detail(agent, s, id2).Customer

	openConversation(agent, id1)
	panelReady(agent, id1, c1.CustomerID)
	agent.waitFor("the conversation facts: agent, total", `document.querySelector('[data-testid=details-conversation] dd[data-field=total]')?.textContent === '1건'`+
		` && document.querySelector('[data-testid=details-conversation] dd[data-field=assignee]')?.textContent.trim() !== ''`)
	if v := value(agent, "[data-testid=customer-name]"); v != "" {
		agent.fail("an anonymous visitor's name field shows %q", v)
	}
	const name, note = "김민지", "선물 포장을 자주 요청하심"
	agent.do("type a name and a note", typeIn("[data-testid=customer-name]", name),
		typeIn("[data-testid=customer-note]", note))
	agent.waitFor("the unsaved marker and the note's count", `!document.querySelector('[data-testid=customer-unsaved]').hidden`+
		` && document.querySelector('[data-testid=customer-note-count]').textContent === `+js(fmt.Sprintf("%d/500자", len([]rune(note)))))

	// Another conversation: its own, clean form.
	openConversation(agent, id2)
	panelReady(agent, id2, c2.CustomerID)
	agent.waitFor("the second customer's clean form", `document.querySelector('[data-testid=customer-name]').value === '' && document.querySelector('[data-testid=customer-note]').value === '' && document.querySelector('[data-testid=customer-unsaved]').hidden`)

	// Back: the draft is there, still unsaved, and nothing was stored.
	openConversation(agent, id1)
	panelReady(agent, id1, c1.CustomerID)
	agent.waitFor("the draft restored", `document.querySelector('[data-testid=customer-name]').value === `+js(name)+
		` && document.querySelector('[data-testid=customer-note]').value === `+js(note)+` && !document.querySelector('[data-testid=customer-unsaved]').hidden`)
	if got := detail(agent, s, id1).Customer; got.Name != "" || got.Note != "" {
		agent.fail("a draft was stored before Save: %+v", got)
	}
	agent.click("[data-testid=customer-save]")
	agent.waitFor("the draft saved", `document.querySelector('[data-testid=customer-unsaved]').hidden && document.querySelector('[data-testid=customer-error]').textContent === ''`)
	if got := detail(agent, s, id1).Customer; got.Name != name || got.Note != note {
		agent.fail("stored profile %+v, want name %q and note %q", got, name, note)
	}

	// A reload shows what was saved, and no draft.
	agent.goTo(fmt.Sprintf("%s/console/#/c/%d", s.baseURL, id1))
	agent.waitFor("the console after reloading", `document.querySelector('[data-testid=connection]').dataset.state === 'live'`)
	panelReady(agent, id1, c1.CustomerID)
	agent.waitFor("the saved values after reloading", `document.querySelector('[data-testid=customer-name]').value === `+js(name)+
		` && document.querySelector('[data-testid=customer-note]').value === `+js(note)+` && document.querySelector('[data-testid=customer-unsaved]').hidden`)

	// A bad email: refused, the field marked, nothing stored, the draft kept.
	agent.do("type a bad email", typeIn("[data-testid=customer-email]", "minji-at-example"))
	agent.click("[data-testid=customer-save]")
	// The server's detail comes in the console's language.
	agent.waitFor("the refusal next to the form", `document.querySelector('[data-testid=customer-error]').dataset.code === 'invalid_input'`+
		` && document.querySelector('[data-testid=customer-error]').textContent.includes('입력한 내용')`+
		` && document.querySelector('[data-testid=customer-error] .detail')?.textContent === '이메일은 name@example.com 같은 주소여야 합니다.'`+
		` && document.querySelector('[data-testid=customer-email]').getAttribute('aria-invalid') === 'true' && !document.querySelector('[data-testid=customer-unsaved]').hidden`)
	look(agent, "customer-refused-ko")
	if got := detail(agent, s, id1).Customer; got.Email != "" || got.Name != name {
		agent.fail("a refused save changed the profile: %+v", got)
	}
	agent.click("[data-testid=customer-revert]")
	agent.waitFor("the draft dropped by Revert", `document.querySelector('[data-testid=customer-email]').value === '' && document.querySelector('[data-testid=customer-unsaved]').hidden`)

	// The conversation closes (here by the agent's other tab, through the
	// API) while a draft is open: the panel says so and keeps the draft.
	const phone = "010-1234-5678"
	agent.do("type a phone number", typeIn("[data-testid=customer-phone]", phone))
	agent.waitFor("the phone draft", `!document.querySelector('[data-testid=customer-unsaved]').hidden`)
	api[apiConversation](agent, s, "POST", fmt.Sprintf("/conversations/%d/assign", id1), nil)
	api[apiConversation](agent, s, "POST", fmt.Sprintf("/conversations/%d/close", id1), nil)
	agent.waitFor("the warning about the unsaved draft", `document.querySelector('[data-testid=conversation-state]')?.dataset.state === 'closed'`+
		` && document.querySelector('[data-testid=draft-warning]').checkVisibility() && document.querySelector('[data-testid=draft-warning]').textContent.includes('저장하지 않은')`+
		` && document.querySelector('[data-testid=customer-phone]').value === `+js(phone))
	agent.waitFor("a toast naming the conversation", `document.querySelector('[data-testid=toast]').textContent.includes('저장하지 않은')`)
	// Profiles outlive conversations: it can still be saved.
	agent.click("[data-testid=customer-save]")
	agent.waitFor("the draft saved and the warning gone", `document.querySelector('[data-testid=customer-unsaved]').hidden && document.querySelector('[data-testid=draft-warning]').hidden`)
	if got := detail(agent, s, id1).Customer; got.Phone != phone {
		agent.fail("stored phone %q, want %q", got.Phone, phone)
	}

	// The second customer takes the first's customer ID: asked, then merged.
	openConversation(agent, id2)
	panelReady(agent, id2, c2.CustomerID)
	agent.click("[data-testid=customer-id-edit]")
	agent.waitFor("the customer ID form", `document.querySelector('[data-testid=customer-id-form]').checkVisibility() && document.querySelector('[data-testid=customer-id-input]').value === `+js(c2.CustomerID))
	agent.do("type the first customer's ID", chromedp.Evaluate[chromedp.Void](`document.querySelector('[data-testid=customer-id-input]').select()`),
		typeIn("[data-testid=customer-id-input]", c1.CustomerID))
	agent.click("[data-testid=customer-id-save]")
	agent.waitFor("the merge question", `document.querySelector('[data-testid=merge-dialog]').open && document.querySelector('[data-testid=merge-text]').textContent.includes(`+js(c1.CustomerID)+`)`)
	if got := detail(agent, s, id2).Customer; got.CustomerID != c2.CustomerID {
		agent.fail("the customer ID changed before the merge was confirmed: %+v", got)
	}
	agent.clickAt("[data-testid=merge-confirm]")
	// Both are web visitors: the second's identifier becomes the first's
	// (SITEID_customerID, §1.3), one identifier with both conversations.
	agent.waitFor("the merged customer: its profile, its identifier, both conversations in the history", `!document.querySelector('[data-testid=merge-dialog]').open`+
		` && document.querySelector('[data-testid=customer-name]').value === `+js(name)+
		` && document.querySelector('[data-testid=details-conversation] dd[data-field=identifier]')?.textContent === `+js(c1.Identifier)+
		` && !document.querySelector('[data-testid=details-customer] dd[data-field=identifiers]')`+
		` && document.querySelector('[data-testid=details-conversation] dd[data-field=total]')?.textContent === '2건'`+
		` && document.querySelectorAll('[data-testid=history-list] [data-testid=history-item]').length === 2`)
	if got := detail(agent, s, id2); got.Customer.ID != c1.ID || got.Customer.Name != name || got.Customer.Identifiers != 1 || got.Total != 2 {
		agent.fail("after the merge: %+v, want the first customer %q named %q with 1 identifier and 2 conversations", got, c1.Identifier, name)
	}
}

// TestBrowserCustomerPanelLive: a manager changes, in their own console,
// the profile and tags of the customer an agent is talking to; the agent's
// panel shows the change without a reload (an agent's console is told
// which customer changed and reads it again). The agent's unsaved edit of
// another field stays, marked unsaved; one of the same field stays too,
// and a toast says the profile changed elsewhere. Revert shows the
// manager's value.
func TestBrowserCustomerPanelLive(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	root := browser(t)
	agent := newTab(t, root, "agent")
	manager := newTab(t, root, "manager")
	visitor := newTab(t, root, "visitor")
	s.addAgent("mina@sodam.local", "민아", "e2e-password-2")
	signInAs(agent, s, "mina@sodam.local", "e2e-password-2")
	agent.click("[data-testid=tab-unassigned]")
	id := startChat(t, agent, s, visitor, "주문 취소하고 싶어요.")
	openAndAssign(agent, id)
	cu := detail(agent, s, id).Customer
	panelReady(agent, id, cu.CustomerID)
	signIn(manager, s)
	manager.click("[data-testid=tab-waiting]")
	openConversation(manager, id)
	panelReady(manager, id, cu.CustomerID)

	field := func(name string) string { return `document.querySelector('[data-testid=customer-` + name + `]')` }
	unsaved := `!document.querySelector('[data-testid=customer-unsaved]').hidden`
	const note = "취소 사유: 배송 지연"
	agent.do("type a note", typeIn("[data-testid=customer-note]", note))
	agent.waitFor("the note unsaved", unsaved)

	const nickname = "단골 고객"
	manager.do("type a nickname", typeIn("[data-testid=customer-nickname]", nickname))
	manager.click("[data-testid=customer-save]")
	toastSays(manager, "저장했습니다.")
	vip := api[struct{ ID int64 }](manager, s, "POST", "/tags", map[string]any{"kind": "customer", "name": "VIP"})
	api[any](manager, s, "PUT", fmt.Sprintf("/conversations/%d/customer/tags", id), map[string]any{"tag_ids": []int64{vip.ID}})
	agent.waitFor("the manager's nickname and tag, the agent's note kept unsaved", field("nickname")+`.value === `+js(nickname)+
		` && document.querySelector('[data-testid=customer-tags] [data-testid=tag-chip][data-name=VIP]')`+
		` && `+field("note")+`.value === `+js(note)+` && `+unsaved)
	if toast := eval[string](agent, `document.querySelector('[data-testid=toast]').hidden ? '' : document.querySelector('[data-testid=toast]').textContent`); toast != "" {
		agent.fail("a toast %q for a change of fields the agent was not editing", toast)
	}

	// The manager changes the note as well.
	const other = "고객 요청으로 취소 보류"
	api[any](manager, s, "PATCH", fmt.Sprintf("/conversations/%d/customer", id), map[string]string{"note": other})
	toastSays(agent, "이 고객 정보가 다른 곳에서 바뀌었습니다. 저장하지 않은 내용은 그대로 두었습니다. 저장하면 그 변경을 덮어씁니다.")
	if got := eval[string](agent, field("note")+`.value`); got != note || !eval[bool](agent, unsaved) {
		agent.fail("the agent's note %q after the manager's change, want %q, unsaved", got, note)
	}
	agent.click("[data-testid=customer-revert]")
	agent.waitFor("the manager's note after Revert", field("note")+`.value === `+js(other)+` && !(`+unsaved+`)`)

	// With no conversation open, the list's name follows a change too: the
	// agent's console, told only which customer changed, reads it again.
	agent.click("[data-testid=tab-mine]")
	item := fmt.Sprintf(`document.querySelector("[data-testid=conversation-list] a[data-conversation-id='%d']")`, id)
	agent.do("close the conversation", chromedp.Evaluate[chromedp.Void](`location.hash = '#/'`))
	agent.waitFor("the conversation closed, in the list", item+` && !`+item+`.hasAttribute('aria-current')`)
	const renamed = "다시 찾은 단골"
	api[any](manager, s, "PATCH", fmt.Sprintf("/conversations/%d/customer", id), map[string]string{"nickname": renamed})
	agent.waitFor("the new name in the list", item+`.querySelector('.name').textContent === `+js(renamed))
}

// TestBrowserLongExtraName: the customer's site names its extra
// parameters, up to 64 bytes ("cus_extra_last_order_product_name…"). A
// long name wraps in its own column; the values beside it, and the
// language, address and device above, keep room to be read (they were
// squeezed to a letter a line: the label column took the width it
// wanted, whatever the values were left).
func TestBrowserLongExtraName(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	root := browser(t)
	agent := newTab(t, root, "agent")
	visitor := newTab(t, root, "visitor")
	head := `<script>window.SodamSettings = {extra: {cus_extra_username: "박서준", cus_extra_last_order_product_name_for_promotion: "백자 찻잔 2인 세트", cus_extra_grade: "VIP"}};</script>`
	signIn(agent, s)
	openWidget(visitor, s.host.URL+"?head="+url.QueryEscape(head))
	agree(visitor)
	widgetSend(visitor, "찻잔 세트 재입고 언제 되나요?")
	widgetShows(visitor, "visitor", "찻잔 세트 재입고 언제 되나요?")
	id := newConversation(agent)
	openConversation(agent, id)
	panelReady(agent, id, detail(agent, s, id).Customer.CustomerID)
	agent.waitFor("the extra parameters listed", `document.querySelector('[data-testid=details-customer-more] dd[data-field=cus_extra_grade]')?.textContent === 'VIP'`)
	look(agent, "long-extra-name")
	// Each value's box is at least half the list's width.
	narrow := eval[[]string](agent, `(() => {
		const dl = document.querySelector('[data-testid=details-customer-more]');
		return [...dl.querySelectorAll('dd')].filter((dd) => dd.getBoundingClientRect().width < dl.getBoundingClientRect().width / 2).map((dd) => dd.dataset.field);
	})()`)
	if len(narrow) > 0 {
		agent.fail("values squeezed beside a long parameter name: %v", narrow)
	}
}

// TestBrowserTypedWhileSaving: what the agent types into the profile
// while Save is on its way stays a draft, marked unsaved; what was saved
// leaves the draft.
func TestBrowserTypedWhileSaving(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	root := browser(t)
	agent := newTab(t, root, "agent")
	visitor := newTab(t, root, "visitor")
	signIn(agent, s)
	id := startChat(t, agent, s, visitor, "전화번호 바꿔 주세요")
	openConversation(agent, id)
	panelReady(agent, id, detail(agent, s, id).Customer.CustomerID)
	const phone, email = "010-3456-7890", "minji@example.com"
	agent.do("type a phone number", typeIn("[data-testid=customer-phone]", phone))
	agent.holdAnswers("*/conversations/*/customer")
	agent.click("[data-testid=customer-save]")
	agent.do("type an email while saving", typeIn("[data-testid=customer-email]", email))
	agent.unhold()
	agent.waitFor("the phone saved, the email still a draft", `document.querySelector('[data-testid=customer-phone]').value === `+js(phone)+
		` && document.querySelector('[data-testid=customer-email]').value === `+js(email)+
		` && !document.querySelector('[data-testid=customer-unsaved]').hidden && !document.querySelector('[data-testid=customer-save]').disabled`)
	if got := detail(agent, s, id).Customer; got.Phone != phone || got.Email != "" {
		agent.fail("after the first save: phone %q, email %q; want %q and none", got.Phone, got.Email, phone)
	}
	agent.click("[data-testid=customer-save]")
	agent.waitFor("the email saved", `document.querySelector('[data-testid=customer-unsaved]').hidden && document.querySelector('[data-testid=customer-email]').value === `+js(email))
	if got := detail(agent, s, id).Customer; got.Phone != phone || got.Email != email {
		agent.fail("after the second save: phone %q, email %q; want %q and %q", got.Phone, got.Email, phone, email)
	}
}

// TestBrowserAddressLineBreak: an address may hold a line break (the API
// takes one: "…테헤란로 1" and "101동 202호" on two lines, as a CRM
// writes it). The panel shows it as stored and, saving another field,
// leaves it as it is (a one-line input dropped the break as it was
// filled, so the form saw an edit nobody made, sent it with the phone,
// and the address was stored run together).
func TestBrowserAddressLineBreak(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	root := browser(t)
	agent := newTab(t, root, "agent")
	visitor := newTab(t, root, "visitor")
	signIn(agent, s)
	id := startChat(t, agent, s, visitor, "주소 변경하고 싶어요")
	const address = "서울시 강남구 테헤란로 1\n101동 202호"
	api[apiCustomer](agent, s, "PATCH", fmt.Sprintf("/conversations/%d/customer", id), map[string]string{"address": address})
	openConversation(agent, id)
	panelReady(agent, id, detail(agent, s, id).Customer.CustomerID)
	agent.waitFor("the address as stored, and no draft", `document.querySelector('[data-testid=customer-address]').value === `+js(address)+
		` && document.querySelector('[data-testid=customer-unsaved]').hidden`)
	look(agent, "address-line-break")
	const phone = "010-2345-6789"
	agent.do("type a phone number", typeIn("[data-testid=customer-phone]", phone))
	agent.click("[data-testid=customer-save]")
	agent.waitFor("the phone saved", `document.querySelector('[data-testid=customer-unsaved]').hidden && document.querySelector('[data-testid=customer-error]').textContent === ''`)
	if got := detail(agent, s, id).Customer; got.Phone != phone || got.Address != address {
		agent.fail("after saving the phone: phone %q, address %q; want %q and %q", got.Phone, got.Address, phone, address)
	}

	// A refused multi-line field is marked as an input is: a note over 500
	// characters (pasted past the field's limit by a script here).
	agent.do("a note of 501 characters", chromedp.Evaluate[chromedp.Void](`(() => { const n = document.querySelector('[data-testid=customer-note]');`+
		` n.value = '가'.repeat(501); n.dispatchEvent(new Event('input', { bubbles: true })); })()`))
	agent.click("[data-testid=customer-save]")
	agent.waitFor("the note refused and marked", `document.querySelector('[data-testid=customer-error]').dataset.code === 'invalid_input'`+
		` && document.querySelector('[data-testid=customer-note]').getAttribute('aria-invalid') === 'true'`+
		` && getComputedStyle(document.querySelector('[data-testid=customer-note]')).outlineStyle === 'solid'`)
}

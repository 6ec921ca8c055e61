package e2e

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// The customer context (§4) and the wrap-up note (§5.4) in the console's
// right-hand panel: the profile form with its drafts, the customer ID
// merge, tags, the category, the wrap-up dialog and the history.

// api calls the workspace's API from the console page, with the agent's
// session and CSRF token (the page's own api.js), and decodes the answer.
// A refusal fails the test.
func api[T any](p *tab, s *site, method, path string, body any) T {
	p.t.Helper()
	arg := "undefined"
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			p.t.Fatal(err)
		}
		arg = string(b)
	}
	return eval[T](p, fmt.Sprintf(`import('/console/api.js').then((m) => m.call(%s, %s, %s))`,
		js(method), js(fmt.Sprintf("/workspaces/%d%s", s.ws.ID, path)), arg))
}

// apiCustomer is the part of a customer the tests look at.
type apiCustomer struct {
	CustomerID  string `json:"customer_id"`
	Name        string `json:"name"`
	Phone       string `json:"phone"`
	Email       string `json:"email"`
	Note        string `json:"note"`
	Identifiers int    `json:"identifiers"`
	Tags        []struct {
		Name string `json:"name"`
	} `json:"tags"`
}

type apiConversation struct {
	State        string   `json:"state"`
	CategoryID   int64    `json:"category_id"`
	CategoryPath []string `json:"category_path"`
	Memo         string   `json:"memo"`
	Tags         []struct {
		Name string `json:"name"`
	} `json:"tags"`
}

type apiDetail struct {
	Conversation apiConversation `json:"conversation"`
	Customer     apiCustomer     `json:"customer"`
	Total        int             `json:"total_conversations"`
}

func detail(p *tab, s *site, id int64) apiDetail {
	p.t.Helper()
	return api[apiDetail](p, s, "GET", fmt.Sprintf("/conversations/%d", id), nil)
}

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

// newConversation waits until the agent's list has a conversation other
// than known ones and returns its ID.
func newConversation(agent *tab, known ...int64) int64 {
	agent.t.Helper()
	ids := make([]string, len(known))
	for i, id := range known {
		ids[i] = fmt.Sprint(id)
	}
	except := js(strings.Join(ids, ","))
	find := `[...document.querySelectorAll('[data-testid=conversation-list] a[data-conversation-id]')].find((a) => !` + except + `.split(',').includes(a.dataset.conversationId))`
	agent.waitFor("a new conversation in the list", find)
	return eval[int64](agent, `Number(`+find+`.dataset.conversationId)`)
}

// panelReady waits until the panel shows the customer of conversation id.
func panelReady(p *tab, id int64, customerID string) {
	p.t.Helper()
	p.waitFor(fmt.Sprintf("the panel showing conversation %d's customer", id),
		`document.querySelector('[data-testid=details]').dataset.state === 'open' && !document.querySelector('[data-testid=customer-form] fieldset').disabled`+
			` && document.querySelector('[data-testid=details-customer] dd[data-field=customer_id]')?.firstChild?.textContent === `+js(customerID))
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
	agent.do("type a name and a note", chromedp.SendKeys(chromedp.CSS("[data-testid=customer-name]"), name),
		chromedp.SendKeys(chromedp.CSS("[data-testid=customer-note]"), note))
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
	agent.do("type a bad email", chromedp.SendKeys(chromedp.CSS("[data-testid=customer-email]"), "minji-at-example"))
	agent.click("[data-testid=customer-save]")
	agent.waitFor("the refusal next to the form", `document.querySelector('[data-testid=customer-error]').dataset.code === 'invalid_input'`+
		` && document.querySelector('[data-testid=customer-error]').textContent.includes('입력한 내용')`+
		` && document.querySelector('[data-testid=customer-email]').getAttribute('aria-invalid') === 'true' && !document.querySelector('[data-testid=customer-unsaved]').hidden`)
	if got := detail(agent, s, id1).Customer; got.Email != "" || got.Name != name {
		agent.fail("a refused save changed the profile: %+v", got)
	}
	agent.click("[data-testid=customer-revert]")
	agent.waitFor("the draft dropped by Revert", `document.querySelector('[data-testid=customer-email]').value === '' && document.querySelector('[data-testid=customer-unsaved]').hidden`)

	// The conversation closes (here by the agent's other tab, through the
	// API) while a draft is open: the panel says so and keeps the draft.
	const phone = "010-1234-5678"
	agent.do("type a phone number", chromedp.SendKeys(chromedp.CSS("[data-testid=customer-phone]"), phone))
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
		chromedp.SendKeys(chromedp.CSS("[data-testid=customer-id-input]"), c1.CustomerID))
	agent.click("[data-testid=customer-id-save]")
	agent.waitFor("the merge question", `document.querySelector('[data-testid=merge-dialog]').open && document.querySelector('[data-testid=merge-text]').textContent.includes(`+js(c1.CustomerID)+`)`)
	if got := detail(agent, s, id2).Customer; got.CustomerID != c2.CustomerID {
		agent.fail("the customer ID changed before the merge was confirmed: %+v", got)
	}
	agent.clickAt("[data-testid=merge-confirm]")
	agent.waitFor("the merged customer: its profile, two identifiers, both conversations in the history", `!document.querySelector('[data-testid=merge-dialog]').open`+
		` && document.querySelector('[data-testid=customer-name]').value === `+js(name)+
		` && document.querySelector('[data-testid=details-customer] dd[data-field=identifiers]')?.textContent === '2개'`+
		` && document.querySelector('[data-testid=details-conversation] dd[data-field=total]')?.textContent === '2건'`+
		` && document.querySelectorAll('[data-testid=history-list] [data-testid=history-item]').length === 2`)
	if got := detail(agent, s, id2); got.Customer.CustomerID != c1.CustomerID || got.Customer.Name != name || got.Customer.Identifiers != 2 || got.Total != 2 {
		agent.fail("after the merge: %+v, want customer ID %q named %q with 2 identifiers and 2 conversations", got, c1.CustomerID, name)
	}
}

// TestBrowserWrapUpAndHistory: the agent tags the customer, drafts a memo,
// sees the customer's rating, and ends the conversation through the
// wrap-up dialog (category, tag, memo; cancelling keeps the edits). When
// the customer comes back, the history shows that conversation with its
// memo and category, and opens its transcript.
func TestBrowserWrapUpAndHistory(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	const hello = "주문한 찻잔이 아직 안 왔어요."
	agent, visitor, id := takenChat(t, s, hello)

	// What settings would hold: a category tree and tags of both kinds.
	type named struct {
		ID int64 `json:"id"`
	}
	top := api[named](agent, s, "POST", "/categories", map[string]any{"parent_id": 0, "name": "배송"})
	mid := api[named](agent, s, "POST", "/categories", map[string]any{"parent_id": top.ID, "name": "배송 지연"})
	api[named](agent, s, "POST", "/categories", map[string]any{"parent_id": 0, "name": "환불"})
	api[named](agent, s, "POST", "/tags", map[string]any{"kind": "customer", "name": "VIP"})
	api[named](agent, s, "POST", "/tags", map[string]any{"kind": "conversation", "name": "재문의"})
	// The panel reads them when a conversation is opened.
	agent.do("leave the conversation", chromedp.Evaluate[chromedp.Void](`location.hash = '#/'`))
	agent.waitFor("no conversation open", `document.querySelector('[data-testid=details]').dataset.state === 'empty'`)
	agent.click("[data-testid=tab-waiting]")
	openConversation(agent, id)
	c := detail(agent, s, id)
	panelReady(agent, id, c.Customer.CustomerID)

	const reply = "확인해 보겠습니다. 잠시만요."
	consoleSend(agent, reply)
	widgetShows(visitor, "agent", reply)

	// A customer tag, saved at once.
	tags := "[data-testid=customer-tags] "
	agent.click(tags + "[data-testid=tag-picker-input]")
	agent.keys("VIP\r")
	agent.waitFor("the customer tag chip", `document.querySelector(`+js(tags+"[data-testid=tag-chip][data-name=VIP]")+`)`)
	agent.poll("the customer tag stored", chromedp.Evaluate[bool](`import('/console/api.js').then((m) => m.call('GET', `+
		js(fmt.Sprintf("/workspaces/%d/conversations/%d", s.ws.ID, id))+`)).then((d) => d.customer.tags.map((tag) => tag.name).join() === 'VIP')`, chromedp.EvalAwaitPromise))
	agent.keys("없는태그\r")
	agent.waitFor("an unknown tag refused", `document.querySelector(`+js(tags+"[data-testid=tag-picker-error]")+`).textContent.includes('없는태그')`)

	// The visitor rates the chat; the panel shows the stars and comment.
	const comment = "친절하게 안내해 주셨어요"
	rated := frameEval[string](visitor, `const token = w.localStorage.getItem('sodam.visitor.' + new URLSearchParams(w.location.search).get('site_id'));
		const res = await w.fetch('/api/v1/widget/conversations/`+fmt.Sprint(id)+`/rating', {method: 'POST', headers: {'Content-Type': 'application/json', Authorization: 'Bearer ' + token}, body: JSON.stringify({score: 4, comment: `+js(comment)+`})});
		return String(res.status);`)
	if rated != "200" {
		visitor.fail("rating answered %s", rated)
	}
	agent.waitFor("the rating in the panel", `(() => { const dd = document.querySelector('[data-testid=details-conversation] dd[data-field=rating]'); return dd?.dataset.score === '4' && dd.querySelector('.stars').textContent === '★★★★☆' && dd.querySelector('.note').textContent === `+js(comment)+`; })()`)

	// A memo typed in the panel is a draft...
	const memo = "택배사 지연, 내일 도착 예정 안내"
	agent.do("type a memo", chromedp.SendKeys(chromedp.CSS("[data-testid=note-memo]"), memo))
	agent.waitFor("the note unsaved", `!document.querySelector('[data-testid=note-unsaved]').hidden`)

	// ...which the wrap-up dialog starts from.
	agent.click("[data-testid=close-button]")
	agent.waitFor("the wrap-up dialog with the drafted memo", `document.querySelector('[data-testid=wrapup-dialog]').open && document.querySelector('[data-testid=wrapup-memo]').value === `+js(memo))
	agent.waitFor("the categories offered", `document.querySelector('[data-testid=wrapup-category-1]').options.length === 3 && document.querySelector('[data-testid=wrapup-category-2]').disabled`)
	choose := func(sel string, id int64) {
		t.Helper()
		agent.do("choose "+sel, chromedp.Evaluate[chromedp.Void](`(() => { const s = document.querySelector(`+js(sel)+`); s.value = `+js(fmt.Sprint(id))+`; s.dispatchEvent(new Event('change', {bubbles: true})); })()`))
	}
	choose("[data-testid=wrapup-category-1]", top.ID)
	agent.waitFor("the medium categories of 배송", `!document.querySelector('[data-testid=wrapup-category-2]').disabled && document.querySelector('[data-testid=wrapup-category-2]').options.length === 2`)
	choose("[data-testid=wrapup-category-2]", mid.ID)
	agent.click("[data-testid=wrapup-tags] [data-testid=tag-picker-input]")
	agent.keys("재문의\r")
	agent.waitFor("the conversation tag chip", `document.querySelector('[data-testid=wrapup-tags] [data-testid=tag-chip][data-name=재문의]')`)

	// Cancel: still open, and the panel has the same unsaved note.
	agent.clickAt("[data-testid=close-cancel]")
	agent.waitFor("the dialog gone", `!document.querySelector('[data-testid=wrapup-dialog]').open`)
	agent.waitFor("the conversation open", `document.querySelector('[data-testid=conversation-state]').dataset.state === 'active'`)
	agent.waitFor("the note drafted in the panel", `!document.querySelector('[data-testid=note-unsaved]').hidden`+
		` && document.querySelector('[data-testid=note-category-2]').value === `+js(fmt.Sprint(mid.ID))+
		` && document.querySelector('[data-testid=conversation-tags] [data-testid=tag-chip][data-name=재문의]')`)
	if got := detail(agent, s, id).Conversation; got.State == "closed" || got.Memo != "" || got.CategoryID != 0 {
		agent.fail("cancelling the wrap-up changed the conversation: %+v", got)
	}

	// Save and close.
	agent.click("[data-testid=close-button]")
	agent.waitFor("the dialog again, as left", `document.querySelector('[data-testid=wrapup-dialog]').open && document.querySelector('[data-testid=wrapup-category-2]').value === `+js(fmt.Sprint(mid.ID))+
		` && document.querySelector('[data-testid=wrapup-memo]').value === `+js(memo))
	agent.clickAt("[data-testid=close-confirm]")
	agent.waitFor("the conversation closed with its note saved", `!document.querySelector('[data-testid=wrapup-dialog]').open && document.querySelector('[data-testid=conversation-state]').dataset.state === 'closed'`+
		` && document.querySelector('[data-testid=note-unsaved]').hidden`)
	visitor.waitFrame("the chat ended for the visitor", `d.querySelector('[data-testid=widget]').dataset.view === 'ended'`)
	got := detail(agent, s, id).Conversation
	if got.CategoryID != mid.ID || strings.Join(got.CategoryPath, ">") != "배송>배송 지연" || got.Memo != memo || len(got.Tags) != 1 || got.Tags[0].Name != "재문의" {
		agent.fail("stored note %+v, want category 배송 > 배송 지연, memo %q and tag 재문의", got, memo)
	}

	// The customer comes back: the history shows the earlier conversation.
	visitor.frameClick("[data-testid=widget-new-chat]")
	visitor.waitFrame("the chat view again", `d.querySelector('[data-testid=widget]').dataset.view === 'chat'`)
	const again = "또 문의드려요, 찻잔이 왔는데 금이 갔어요."
	widgetSend(visitor, again)
	widgetShows(visitor, "visitor", again)
	agent.click("[data-testid=tab-unassigned]")
	id2 := newConversation(agent, id)
	openConversation(agent, id2)
	item := fmt.Sprintf("[data-testid=history-list] [data-testid=history-item][data-conversation-id='%d']", id)
	agent.waitFor("the earlier conversation in the history, with its memo and category", `(() => { const b = document.querySelector(`+js(item)+`); return b && b.dataset.current === 'false'`+
		` && b.querySelector('[data-field=memo]').textContent === `+js(memo)+` && b.querySelector('[data-field=category]').textContent === '배송 > 배송 지연'`+
		` && b.querySelector('[data-field=agent_path]').textContent === 'Admin'; })()`+
		` && document.querySelector("[data-testid=history-list] [data-testid=history-item][data-current=true]")?.dataset.conversationId === '`+fmt.Sprint(id2)+`'`+
		` && document.querySelector('[data-testid=details-conversation] dd[data-field=total]')?.textContent === '2건'`)
	agent.click(item)
	agent.waitFor("the earlier conversation's transcript and note", `(() => { const d = document.querySelector('[data-testid=history-dialog]'); return d.open && d.dataset.conversationId === '`+fmt.Sprint(id)+`'`+
		` && [...d.querySelectorAll('[data-testid=history-messages] li[data-sender=visitor] .bubble')].some((b) => b.textContent === `+js(hello)+`)`+
		` && [...d.querySelectorAll('[data-testid=history-messages] li[data-sender=agent] .bubble')].some((b) => b.textContent === `+js(reply)+`)`+
		` && d.querySelector('[data-testid=history-facts] dd[data-field=memo]').textContent === `+js(memo)+
		` && d.querySelector('[data-testid=history-facts] dd[data-field=conversation_tags]').textContent === '재문의'`+
		` && d.querySelector('[data-testid=history-facts] dd[data-field=rating]')?.dataset.score === '4'`+
		` && d.querySelector('[data-testid=history-facts] dd[data-field=duration]').textContent !== ''; })()`)
	screenshot(t, agent.ctx, "console-history", "")
	agent.clickAt("[data-testid=history-close]")
	agent.waitFor("the history view closed", `!document.querySelector('[data-testid=history-dialog]').open`)
	// The customer tag belongs to the customer, not the conversation.
	agent.waitFor("the customer tag on the new conversation", `document.querySelector(`+js(tags+"[data-testid=tag-chip][data-name=VIP]")+`)`)
}

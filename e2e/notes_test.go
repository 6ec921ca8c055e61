package e2e

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// The conversation's note (category, tags, memo) written in the panel and
// the wrap-up dialog, and the customer's history that shows it later.

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
	agent.write("VIP\r")
	agent.waitFor("the customer tag chip", `document.querySelector(`+js(tags+"[data-testid=tag-chip][data-name=VIP]")+`)`)
	agent.poll("the customer tag stored", chromedp.Evaluate[bool](`import('/console/api.js').then((m) => m.call('GET', `+
		js(fmt.Sprintf("/workspaces/%d/conversations/%d", s.ws.ID, id))+`)).then((d) => d.customer.tags.map((tag) => tag.name).join() === 'VIP')`, chromedp.EvalAwaitPromise))
	agent.write("없는태그\r")
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
	agent.do("type a memo", typeIn("[data-testid=note-memo]", memo))
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
	agent.write("재문의\r")
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
	agent.clickAt(item) // the list is redrawn as the new conversation changes
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

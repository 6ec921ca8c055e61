package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/sodam-chat/sodam/internal/auth"
	"github.com/sodam-chat/sodam/internal/chat"
)

// The conversation's lifecycle as people meet it: the queue, the
// leave-a-message form and the To check list, blocking, and hold,
// important and transfer in the console.

// configure changes the workspace's settings in the store, as the settings
// page would. Settings carry no event: consoles already open should reload.
func (s *site) configure(change func(*chat.Settings)) {
	s.t.Helper()
	ctx := context.Background()
	ws, err := s.node.Store.Workspace(ctx, s.ws.ID)
	if err != nil {
		s.t.Fatal(err)
	}
	change(&ws.Settings)
	if _, err := s.node.Store.UpdateWorkspace(ctx, ws); err != nil {
		s.t.Fatalf("update workspace settings: %v", err)
	}
	s.ws = ws
}

// addAgent creates an agent with the agent role in the workspace and
// returns their ID.
func (s *site) addAgent(email, name, password string) int64 {
	s.t.Helper()
	ctx := context.Background()
	a := &chat.Agent{Email: email, Name: name, PasswordHash: auth.HashPassword(password)}
	if err := s.node.Store.CreateAgent(ctx, a); err != nil {
		s.t.Fatalf("create agent %s: %v", email, err)
	}
	if err := s.node.Store.AddMember(ctx, chat.Member{WorkspaceID: s.ws.ID, AgentID: a.ID, Role: chat.RoleAgent, Status: chat.StatusOffline}); err != nil {
		s.t.Fatalf("add member %s: %v", email, err)
	}
	return a.ID
}

// openConversation opens a conversation in the console by its address and
// waits for its messages.
func openConversation(p *tab, id int64) {
	p.t.Helper()
	p.do("open conversation", chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`location.hash = '#/c/%d'`, id)))
	p.waitFor(fmt.Sprintf("conversation %d loaded", id), fmt.Sprintf(`document.querySelector('#app').dataset.page === 'chat' && document.querySelector("[data-testid=conversation-list] a[data-conversation-id='%d']")?.getAttribute('aria-current') === 'page' && document.querySelector('[data-testid=conversation]').dataset.state === 'ready'`, id))
}

// widgetEvent waits until the widget shows a system event line with code.
func widgetEvent(p *tab, code string) {
	p.t.Helper()
	p.waitFrame("the "+code+" event line in the widget",
		`[...d.querySelectorAll('[data-testid=widget-messages] li[data-sender=system][data-code=`+code+`]')].some((li) => li.checkVisibility() && li.textContent.trim() !== '')`)
}

// consoleEvent waits until the open conversation shows a system event
// line with code.
func consoleEvent(p *tab, code string) {
	p.t.Helper()
	p.waitFor("the "+code+" event line in the console",
		`document.querySelector('[data-testid=messages] li[data-sender=system][data-code=`+code+`] .event')?.textContent.trim()`)
}

// TestBrowserQueuePosition: in auto mode with room for one conversation per
// agent, the next visitors wait in the queue and see their places; when the
// agent closes the first conversation, the second visitor is connected and
// the third moves up, live.
func TestBrowserQueuePosition(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	s.configure(func(st *chat.Settings) {
		st.AssignmentMode = chat.AssignAuto
		st.DefaultCapacity = 1
		st.Sticky = false
	})
	root := browser(t)
	agent := newTab(t, root, "agent")
	first := newTab(t, root, "first visitor")
	second := newTab(t, root, "second visitor")
	third := newTab(t, root, "third visitor")

	signIn(agent, s)
	openWidget(first, s.host.URL)
	agree(first)
	const hello = "첫 번째 손님입니다."
	widgetSend(first, hello)
	widgetShows(first, "visitor", hello)
	// Auto assignment: the agent is connected at once, no queue.
	widgetEvent(first, "assigned")
	first.waitFrame("no queue notice for the first visitor", `d.querySelector('[data-testid=widget-queue]').hidden && d.querySelector('[data-testid=widget-queue]').dataset.position === '0'`)

	// The agent now holds as many as the capacity allows: the next waits.
	openWidget(second, s.host.URL)
	agree(second)
	const wait = "두 번째 손님인데 기다릴게요."
	widgetSend(second, wait)
	widgetShows(second, "visitor", wait)
	second.waitFrame("queue position 1",
		`(() => { const q = d.querySelector('[data-testid=widget-queue]'); return q.checkVisibility() && q.dataset.position === '1' && q.textContent.includes('대기 순번') && q.textContent.includes('1'); })()`)
	if n := frameEval[int](second, `return d.querySelectorAll('[data-testid=widget-messages] li[data-sender=system][data-code=assigned]').length;`); n != 0 {
		second.fail("the queued visitor sees %d assigned lines, want none", n)
	}
	openWidget(third, s.host.URL)
	agree(third)
	const later = "세 번째로 문의드립니다."
	widgetSend(third, later)
	widgetShows(third, "visitor", later)
	queueAt := func(p *tab, n int) {
		t.Helper()
		p.waitFrame(fmt.Sprintf("queue position %d", n),
			fmt.Sprintf(`(() => { const q = d.querySelector('[data-testid=widget-queue]'); return q.checkVisibility() && q.dataset.position === '%d' && q.textContent.includes('대기 순번 %d번째'); })()`, n, n))
	}
	queueAt(third, 2)
	queueAt(second, 1)

	// The agent closes the first conversation: capacity frees and the
	// second visitor is connected live.
	agent.click("[data-testid=tab-waiting]")
	id := firstRequest(agent)
	openConversation(agent, id)
	consoleShows(agent, "visitor", hello)
	agent.click("[data-testid=close-button]")
	agent.click("[data-testid=close-confirm]")
	agent.waitFor("the first conversation closed", `document.querySelector('[data-testid=conversation-state]').dataset.state === 'closed'`)
	first.waitFrame("the first chat ended", `d.querySelector('[data-testid=widget]').dataset.view === 'ended'`)
	widgetEvent(second, "assigned")
	second.waitFrame("the queue notice gone once connected", `d.querySelector('[data-testid=widget-queue]').hidden && d.querySelector('[data-testid=widget-queue]').dataset.position === '0'`)
	// The one behind moves up, live.
	queueAt(third, 1)

	// The agent has the second conversation and can answer.
	agent.click("[data-testid=nav-chat]")
	agent.click("[data-testid=tab-waiting]")
	agent.waitFor("the second conversation in the waiting list", `[...document.querySelectorAll('[data-testid=conversation-list] a[data-conversation-id]')].some((a) => a.dataset.conversationId !== '`+fmt.Sprint(id)+`')`)
	id2 := eval[int64](agent, `Number([...document.querySelectorAll('[data-testid=conversation-list] a[data-conversation-id]')].find((a) => a.dataset.conversationId !== '`+fmt.Sprint(id)+`').dataset.conversationId)`)
	openConversation(agent, id2)
	consoleShows(agent, "visitor", wait)
	const reply = "기다려 주셔서 감사합니다."
	consoleSend(agent, reply)
	widgetShows(second, "agent", reply)
}

// TestBrowserLeaveMessage: outside business hours the widget offers the
// leave-a-message form; what the visitor leaves appears live on the
// console's To check page, where the agent processes it.
func TestBrowserLeaveMessage(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	s.configure(func(st *chat.Settings) {
		st.Hours.AlwaysOpen = false
		for i := range st.Hours.Days {
			st.Hours.Days[i] = chat.DayHours{} // closed every day
		}
	})
	root := browser(t)
	agent := newTab(t, root, "agent")
	visitor := newTab(t, root, "visitor")

	signIn(agent, s) // online, but the desk is closed
	agent.click("[data-testid=nav-tickets]")
	agent.waitFor("the empty To check page", `document.querySelector('#app').dataset.page === 'tickets' && document.querySelector('[data-testid=tickets]').checkVisibility() && document.querySelector('[data-testid=ticket-empty]').checkVisibility() && document.querySelector('[data-testid=tickets-count]').hidden`)

	openWidget(visitor, s.host.URL)
	agreeTo(visitor, "leave")
	visitor.waitFrame("the form saying it is outside hours",
		`d.querySelector('[data-testid=widget-offline]').dataset.reason === 'outside_hours' && d.querySelector('[data-testid=widget-offline]').textContent.includes('상담 시간이 아니에요') && !d.querySelector('[data-testid=widget-composer]').checkVisibility()`)

	// Submitting it empty says what is missing.
	visitor.frameClick("[data-testid=widget-leave-submit]")
	visitor.waitFrame("the missing fields pointed out", `['name', 'contact', 'message'].every((f) => d.querySelector('[data-testid=widget-leave-' + f + '-error]').textContent !== '' && d.querySelector('[data-testid=widget-leave-' + f + ']').getAttribute('aria-invalid') === 'true')`)

	const name, contact, message = "김민지", "minji@example.com", "찻잔 세트 재입고 일정이 궁금합니다."
	for _, f := range []struct{ field, text string }{{"name", name}, {"contact", contact}, {"message", message}} {
		sel := "[data-testid=widget-leave-" + f.field + "]"
		visitor.frameClick(sel)
		visitor.waitFrame("the keyboard focus in "+sel, `d.hasFocus() && d.activeElement === d.querySelector(`+js(sel)+`)`)
		visitor.keys(f.text)
	}
	visitor.frameClick("[data-testid=widget-leave-submit]")
	visitor.waitFrame("the thank-you", `d.querySelector('[data-testid=widget]').dataset.view === 'sent' && d.querySelector('[data-testid=widget-leave-thanks]').checkVisibility()`)

	// It appears live on the To check page, with the count.
	ticket := `document.querySelector('[data-testid=ticket-list] [data-testid=ticket]')`
	agent.waitFor("the ticket on the To check page", ticket+` && `+ticket+`.dataset.status === 'open'`+
		` && `+ticket+`.querySelector('[data-field=name]').textContent === `+js(name)+
		` && `+ticket+`.querySelector('[data-field=contact] a')?.getAttribute('href') === `+js("mailto:"+contact)+
		` && `+ticket+`.querySelector('[data-field=message]').textContent === `+js(message))
	agent.waitFor("the count badge and the open count", `(() => { const c = document.querySelector('[data-testid=tickets-count]'); return !c.hidden && c.textContent === '1' && document.querySelector('[data-testid=ticket-filter-open] .count').textContent === '1' && document.querySelector('[data-testid=ticket-empty]').hidden; })()`)

	// The agent processes it: a note, solved.
	agent.click("[data-testid=ticket] [data-testid=ticket-process]")
	agent.waitFor("the processing form proposing solved and this agent", `(() => { const f = document.querySelector('[data-testid=ticket] [data-testid=ticket-form]'); return f.checkVisibility() && f.querySelector('[data-testid=ticket-status]').value === 'solved' && f.querySelector('[data-testid=ticket-assignee]').value !== '0'; })()`)
	const note = "재입고 일정(다음 주 화요일)을 메일로 안내했습니다."
	agent.do("write the note", chromedp.SendKeys(chromedp.CSS("[data-testid=ticket] [data-testid=ticket-note]"), note))
	agent.click("[data-testid=ticket] [data-testid=ticket-save]")
	agent.waitFor("the ticket gone from the open list and the badge gone", `!document.querySelector('[data-testid=ticket-list] [data-testid=ticket]') && document.querySelector('[data-testid=ticket-empty]').checkVisibility() && document.querySelector('[data-testid=tickets-count]').hidden`)
	agent.click("[data-testid=ticket-filter-solved]")
	agent.waitFor("the ticket solved with the note", ticket+` && `+ticket+`.dataset.status === 'solved' && `+ticket+`.querySelector('[data-testid=ticket-note-text]')?.textContent === `+js(note)+
		` && `+ticket+`.querySelector('[data-field=outcome]').textContent.includes('Admin')`)
	tickets, err := s.node.Store.Tickets(context.Background(), s.ws.ID, chat.TicketFilter{Status: chat.TicketSolved})
	if err != nil {
		t.Fatal(err)
	}
	if len(tickets) != 1 || tickets[0].Note != note || tickets[0].Message != message || tickets[0].Contact != contact {
		t.Fatalf("stored solved tickets %+v, want the one left with the note", tickets)
	}
}

// TestBrowserBlocked: the agent blocks a customer from the console; the
// visitor's widget shows the polite notice, also after reloading, and no
// way to chat.
func TestBrowserBlocked(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	const spam = "지금 가입하면 100만 포인트! http://spam.example"
	agent, visitor, _ := takenChat(t, s, spam)
	consoleShows(agent, "visitor", spam)

	agent.click("[data-testid=block-button]")
	agent.waitFor("the block dialog", `document.querySelector('[data-testid=block-dialog]').open`)
	agent.click("[data-testid=block-reason-spam]")
	const note = "광고 링크 반복 전송"
	agent.do("write the note", chromedp.SendKeys(chromedp.CSS("[data-testid=block-note]"), note))
	agent.click("[data-testid=block-confirm]")
	agent.waitFor("the dialog closed and the conversation closed by blocking", `!document.querySelector('[data-testid=block-dialog]').open && document.querySelector('[data-testid=conversation-state]')?.dataset.state === 'closed'`+
		` && document.querySelector('[data-testid=details-conversation] dd[data-field=close_reason]')?.textContent.trim() !== ''`)
	agent.waitFor("the customer shown blocked, and no block button", `document.querySelector('[data-testid=details-customer] dd[data-field=blocked]')?.textContent.includes(`+js(note)+`) && document.querySelector('[data-testid=block-button]').hidden`)

	blocked := `d.querySelector('[data-testid=widget]').dataset.view === 'blocked' && d.querySelector('[data-testid=widget-blocked]').checkVisibility()` +
		` && d.querySelector('[data-testid=widget-blocked]').textContent.includes('상담이 제한되었습니다')` +
		` && !d.querySelector('[data-testid=widget-composer]').checkVisibility() && !d.querySelector('[data-testid=widget-leave-form]').checkVisibility() && !d.querySelector('[data-testid=widget-new-chat]').checkVisibility()`
	visitor.waitFrame("the blocked notice live", blocked)
	// Reloading does not get around it.
	openWidget(visitor, s.host.URL)
	visitor.waitFrame("the blocked notice after reloading", blocked)
	if n := frameEval[int](visitor, `return d.querySelectorAll('[data-testid=widget-messages] li[data-seq]').length;`); n != 0 {
		visitor.fail("the blocked visitor sees %d messages after reloading, want none", n)
	}
	// Nor does asking the server directly: starting a chat is refused.
	code := frameEval[string](visitor, `const token = w.localStorage.getItem('sodam.visitor.' + new URLSearchParams(w.location.search).get('site_id'));
		const res = await w.fetch('/api/v1/widget/conversations', {method: 'POST', headers: {'Content-Type': 'application/json', Authorization: 'Bearer ' + token}, body: JSON.stringify({consent: true})});
		return res.status + ' ' + ((await res.json().catch(() => null))?.error?.code ?? '');`)
	if code != "403 customer_blocked" {
		visitor.fail("starting a chat while blocked answered %q, want 403 customer_blocked", code)
	}
}

// TestBrowserHoldImportantTransfer: the agent takes a conversation, puts it
// on hold (the composer says why it refuses) and releases it, marks it
// important (the list's filter finds it), and transfers it with a reason
// to a second agent, who sees it arrive live; the visitor sees the
// transfer without the reason.
func TestBrowserHoldImportantTransfer(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	const seoyeonEmail, seoyeonPassword = "seoyeon@sodam.local", "e2e-password-2"
	seoyeonID := s.addAgent(seoyeonEmail, "이서연", seoyeonPassword)
	root := browser(t)
	agent := newTab(t, root, "agent")
	visitor := newTab(t, root, "visitor")
	seoyeon := newTab(t, root, "second agent")

	signIn(agent, s)
	signInAs(seoyeon, s, seoyeonEmail, seoyeonPassword)
	// The admin sees everyone's conversations by default: look at their own.
	agent.click("[data-testid=scope-mine]")
	openWidget(visitor, s.host.URL)
	agree(visitor)
	const hello = "선물 포장 문의드립니다."
	widgetSend(visitor, hello)
	widgetShows(visitor, "visitor", hello)
	id := firstRequest(agent)
	item := fmt.Sprintf("[data-testid=conversation-list] a[data-conversation-id='%d']", id)
	openAndAssign(agent, id)
	const reply = "네, 확인해 드릴게요."
	consoleSend(agent, reply)
	widgetShows(visitor, "agent", reply)
	agent.waitFor("the conversation active", `document.querySelector('[data-testid=conversation-state]').dataset.state === 'active'`)
	agent.click("[data-testid=tab-active]")
	openConversation(agent, id)

	// Hold: the composer refuses and says why.
	agent.click("[data-testid=hold-button]")
	agent.waitFor("the conversation on hold, the composer refusing", `document.querySelector('[data-testid=conversation]').dataset.onHold === 'true' && document.querySelector('[data-testid=hold-button]').getAttribute('aria-pressed') === 'true'`+
		` && document.querySelector('[data-testid=conversation-hold]') && document.querySelector('[data-testid=composer-input]').disabled`+
		` && document.querySelector('[data-testid=composer-reason]').dataset.reason === 'on_hold' && document.querySelector('[data-testid=composer-reason]').textContent.trim() !== ''`)
	consoleEvent(agent, "held")
	agent.waitFor("the hold line marked internal", `document.querySelector('[data-testid=messages] li[data-sender=system][data-code=held]').hasAttribute('data-internal')`)
	agent.waitFor("the pause icon in the list", `document.querySelector("`+item+`")?.dataset.onHold === 'true' && document.querySelector("`+item+` [data-testid=flag-hold]")`)

	// Release: the composer works again.
	agent.click("[data-testid=hold-button]")
	agent.waitFor("the hold released", `document.querySelector('[data-testid=conversation]').dataset.onHold === 'false' && !document.querySelector('[data-testid=conversation-hold]') && !document.querySelector('[data-testid=composer-input]').disabled && document.querySelector('[data-testid=composer-reason]').dataset.reason === ''`)
	consoleEvent(agent, "unheld")
	const back = "기다려 주셔서 감사합니다. 포장 가능합니다."
	consoleSend(agent, back)
	widgetShows(visitor, "agent", back)
	// Hold and release are for agents only.
	if n := frameEval[int](visitor, `return d.querySelectorAll('[data-testid=widget-messages] li[data-code=held], [data-testid=widget-messages] li[data-code=unheld]').length;`); n != 0 {
		visitor.fail("the visitor sees %d hold lines, want none", n)
	}

	// Important: the star, and the list's filter finds it.
	agent.click("[data-testid=important-button]")
	agent.waitFor("the conversation marked important", `document.querySelector('[data-testid=important-button]').getAttribute('aria-pressed') === 'true' && document.querySelector("`+item+`")?.dataset.important === 'true' && document.querySelector("`+item+` [data-testid=flag-important]")`)
	agent.click("[data-testid=filter-important]")
	agent.waitFor("the important filter showing it", `document.querySelector('[data-testid=filter-important]').getAttribute('aria-pressed') === 'true' && document.querySelector('[data-testid=conversation-list]').dataset.listFlag === 'important' && document.querySelector("`+item+`")`)
	agent.click("[data-testid=filter-hold]")
	agent.waitFor("the on-hold filter not showing it", `document.querySelector('[data-testid=conversation-list]').dataset.listFlag === 'hold' && !document.querySelector("`+item+`")`)
	agent.click("[data-testid=filter-all]")
	agent.waitFor("the list unfiltered", `document.querySelector('[data-testid=conversation-list]').dataset.listFlag === 'all' && document.querySelector("`+item+`")`)

	// Transfer to the second agent with a reason.
	seoyeon.click("[data-testid=tab-waiting]")
	agent.click("[data-testid=transfer-button]")
	choice := fmt.Sprintf("[data-testid=transfer-agents] label[data-agent-id='%d']", seoyeonID)
	agent.waitFor("the transfer dialog offering the second agent", `document.querySelector('[data-testid=transfer-dialog]').open && document.querySelector("`+choice+`")?.dataset.status === 'online' && !document.querySelector("`+choice+` [data-testid=transfer-agent]").disabled`)
	// The dialog redraws the list when the agents' statuses come back.
	agent.clickAt(choice + " [data-testid=transfer-agent]")
	agent.waitFor("the second agent chosen", `document.querySelector("`+choice+` [data-testid=transfer-agent]").checked`)
	const reason = "포장 담당자에게 넘깁니다"
	agent.do("write the reason", chromedp.SendKeys(chromedp.CSS("[data-testid=transfer-reason]"), reason))
	agent.click("[data-testid=transfer-confirm]")
	agent.waitFor("the dialog closed", `!document.querySelector('[data-testid=transfer-dialog]').open`)

	// The second agent sees it arrive live, as a new request.
	seoyeonItem := fmt.Sprintf("[data-testid=conversation-list] a[data-conversation-id='%d']", id)
	seoyeon.waitFor("the transferred conversation arriving", `document.querySelector("`+seoyeonItem+`")?.dataset.state === 'waiting' && document.querySelector("`+seoyeonItem+` [data-testid=unread-badge]")`)
	seoyeon.click(seoyeonItem)
	seoyeon.waitFor("the conversation loaded", `document.querySelector('[data-testid=conversation]').dataset.state === 'ready' && !document.querySelector('[data-testid=composer-input]').disabled`)
	consoleShows(seoyeon, "agent", back)
	seoyeon.waitFor("the transfer line with its reason", `(() => { const li = document.querySelector('[data-testid=messages] li[data-sender=system][data-code=transferred]'); return li && li.querySelector('.event').textContent.includes('이서연') && li.querySelector('.event-reason')?.textContent.includes(`+js(reason)+`); })()`)
	seoyeon.waitFor("the agent path", `document.querySelector('[data-testid=details-conversation] dd[data-field=agent_path]')?.textContent.includes('이서연')`)

	// The first agent loses it: gone from their list, no longer theirs to
	// answer.
	agent.waitFor("the composer saying it is someone else's", `document.querySelector('[data-testid=composer-reason]').dataset.reason === 'other' && document.querySelector('[data-testid=composer-input]').disabled`)
	agent.waitFor("the conversation gone from the first agent's list", `!document.querySelector("`+item+`")`)
	agent.click("[data-testid=tab-waiting]")
	agent.waitFor("nor in their waiting list", `document.querySelector('[data-testid=conversation-list]').dataset.listTab === 'waiting' && !document.querySelector("`+item+`")`)

	// The visitor sees who took over, but not the agents' reason.
	widgetEvent(visitor, "transferred")
	line := frameEval[string](visitor, `return [...d.querySelectorAll('[data-testid=widget-messages] li[data-code=transferred]')].map((li) => li.textContent).join('|');`)
	if !strings.Contains(line, "이서연") || strings.Contains(line, reason) {
		visitor.fail("the visitor's transfer line is %q, want the new agent's name and not the reason %q", line, reason)
	}
	if got := frameEval[string](visitor, `return d.body.innerText;`); strings.Contains(got, reason) {
		visitor.fail("the widget shows the transfer reason %q", reason)
	}

	// The new agent answers; the visitor sees it from them.
	const hi = "안녕하세요, 포장 담당 이서연입니다."
	consoleSend(seoyeon, hi)
	consoleShows(seoyeon, "agent", hi) // stored, not a draft, before comparing
	widgetShows(visitor, "agent", hi)
	if who := lastOf(widgetThread(visitor)).Who; who != "이서연" {
		visitor.fail("the new agent's reply shown from %q, want 이서연", who)
	}
	sameThread(t, widgetThread(visitor), consoleThread(seoyeon))
}

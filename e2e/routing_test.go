package e2e

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/sodam-chat/sodam/internal/chat"
)

// What a team sees as Sodam routes its chats (§3.2) and as they change
// hands.

// requestChimes counts the new-request chimes a tab played (their first
// note, 660 Hz: attention.js).
func requestChimes(p *tab) int {
	p.t.Helper()
	return eval[int](p, `window.__chimes.filter((c) => c.freq === 660).length`)
}

// listed waits until the tab's list, on tab, shows conversation id in state.
func listed(p *tab, tab string, id int64, state chat.State) {
	p.t.Helper()
	p.click("[data-testid=tab-" + tab + "]")
	p.waitFor(fmt.Sprintf("conversation %d %s in the %s list", id, state, tab),
		fmt.Sprintf(`document.querySelector("[data-testid=conversation-list] a[data-conversation-id='%d']")?.dataset.state === %s`, id, js(string(state))))
}

// TestBrowserAutoAssignAsksTheAssignee: in auto mode with one chat per
// agent, a new chat asks only the agent Sodam gives it to — the chime and
// the "new" mark — not the colleague or the manager watching; a chat that
// queues asks nobody (nobody may take it); and when capacity frees and
// Sodam gives the queued chat to an agent, that agent is asked then.
// Every console chimed for every new chat, the instant before it was
// assigned elsewhere, and the agent a queued chat later went to heard
// nothing.
func TestBrowserAutoAssignAsksTheAssignee(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	s.configure(func(st *chat.Settings) {
		st.AssignmentMode = chat.AssignAuto
		st.DefaultCapacity = 1
		st.Sticky = false
	})
	const seoyeonEmail, seoyeonPassword = "seoyeon@sodam.local", "e2e-password-2"
	const jiwooEmail, jiwooPassword = "jiwoo@sodam.local", "e2e-password-3"
	seoyeonID := s.addAgent(seoyeonEmail, "이서연", seoyeonPassword)
	s.addMember(jiwooEmail, "박지우", jiwooPassword, chat.RoleManager)
	root := browser(t)
	admin := newTab(t, root, "agent")
	seoyeon := newTab(t, root, "second agent")
	jiwoo := newTab(t, root, "manager")
	for _, p := range []*tab{admin, seoyeon, jiwoo} {
		stubAlerts(p)
	}
	signIn(admin, s)
	signInAs(seoyeon, s, seoyeonEmail, seoyeonPassword)
	signInAs(jiwoo, s, jiwooEmail, jiwooPassword)
	// The manager watches the desk: away, so Sodam gives them nothing.
	jiwoo.do("choose away", chromedp.SetValue(chromedp.CSS("[data-testid=status-select]"), "away"))
	jiwoo.do("confirm the choice", chromedp.Evaluate[chromedp.Void](`document.querySelector('[data-testid=status-select]').dispatchEvent(new Event('change', {bubbles: true}))`))
	jiwoo.waitFor("the manager away", `document.querySelector('[data-testid=status-select]').closest('label').dataset.status === 'away'`)
	// A click, so that the page may play sound (Chrome's autoplay rule).
	for _, p := range []*tab{admin, seoyeon, jiwoo} {
		p.click("[data-testid=tab-waiting]")
	}

	assignee := func(id int64) int64 {
		t.Helper()
		c, err := s.node.Store.Conversation(context.Background(), s.ws.ID, id)
		if err != nil {
			t.Fatal(err)
		}
		return c.AssigneeID
	}
	// visit has a new visitor write, and finds their chat on the manager's
	// list tab.
	visit := func(name, text, tab string, known ...int64) int64 {
		t.Helper()
		jiwoo.click("[data-testid=tab-" + tab + "]")
		v := newTab(t, root, name)
		openWidget(v, s.host.URL)
		agree(v)
		widgetSend(v, text)
		widgetShows(v, "visitor", text)
		return newConversation(jiwoo, known...)
	}

	// The first two chats go one to each agent.
	first := visit("first visitor", "주문한 찻잔 세트 배송 조회 부탁드려요.", "waiting")
	listed(jiwoo, "waiting", first, chat.StateWaiting)
	second := visit("second visitor", "선물 포장이 가능한지 궁금합니다.", "waiting", first)
	listed(jiwoo, "waiting", second, chat.StateWaiting)
	got, other := admin, seoyeon
	if assignee(first) == seoyeonID {
		got, other = seoyeon, admin
	}
	// Each agent's own list has their chat, marked new, and they heard one
	// request: their own.
	listed(got, "waiting", first, chat.StateWaiting)
	listed(other, "waiting", second, chat.StateWaiting)
	chimed(got, "the first agent asked", 660, 880)
	chimed(other, "the second agent asked", 660, 880)
	for _, p := range []*tab{got, other} {
		if n := requestChimes(p); n != 1 {
			p.fail("%d new-request chimes for two chats, one of them a colleague's; want 1", n)
		}
	}
	if n := requestChimes(jiwoo); n != 0 {
		jiwoo.fail("the manager heard %d new-request chimes for chats Sodam gave to agents, want none", n)
	}

	// Both agents are full: the third chat queues, and asks nobody.
	third := visit("third visitor", "환불 문의드립니다. 연락 기다릴게요.", "unassigned", first, second)
	listed(jiwoo, "unassigned", third, chat.StateUnassigned)
	for _, p := range []*tab{got, other} {
		listed(p, "unassigned", third, chat.StateUnassigned)
		if eval[bool](p, fmt.Sprintf(`document.querySelector("[data-testid=conversation-list] a[data-conversation-id='%d']").classList.contains('unread')`, third)) {
			p.fail("the queued chat is marked new for an agent who may not take it")
		}
		if n := requestChimes(p); n != 1 {
			p.fail("%d new-request chimes after a chat queued in auto mode, want still 1", n)
		}
	}
	if n := requestChimes(jiwoo); n != 0 {
		jiwoo.fail("the manager heard %d new-request chimes, want none", n)
	}

	// The first agent ends their chat: Sodam gives them the queued one,
	// and asks them now.
	got.click("[data-testid=tab-waiting]")
	openConversation(got, first)
	got.click("[data-testid=close-button]")
	got.click("[data-testid=close-confirm]")
	got.waitFor("the first chat closed", `document.querySelector('[data-testid=conversation-state]').dataset.state === 'closed'`)
	listed(got, "waiting", third, chat.StateWaiting)
	got.waitFor("the routed chat's request chime", `window.__chimes.filter((c) => c.freq === 660).length === 2`)
	got.waitFor("the routed chat marked new", fmt.Sprintf(`document.querySelector("[data-testid=conversation-list] a[data-conversation-id='%d']").classList.contains('unread')`, third))
	if n := requestChimes(other); n != 1 {
		other.fail("the colleague heard %d new-request chimes, want still 1", n)
	}
}

// TestBrowserDeactivatedAgentsChatRequeues: a master deactivates an agent
// in the middle of a chat; the chat goes back to the queue, and the
// visitor sees at once that they wait again, with their place — not the
// departed agent's chat, as if someone were still typing — and then who
// takes it over.
func TestBrowserDeactivatedAgentsChatRequeues(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	const seoyeonEmail, seoyeonPassword = "seoyeon@sodam.local", "e2e-password-2"
	seoyeonID := s.addAgent(seoyeonEmail, "이서연", seoyeonPassword)
	root := browser(t)
	admin := newTab(t, root, "master")
	seoyeon := newTab(t, root, "agent")
	visitor := newTab(t, root, "visitor")
	stubAlerts(admin)
	signIn(admin, s)
	signInAs(seoyeon, s, seoyeonEmail, seoyeonPassword)

	openWidget(visitor, s.host.URL)
	agree(visitor)
	const hello = "어제 주문한 다기 세트 주소를 바꾸고 싶어요."
	widgetSend(visitor, hello)
	widgetShows(visitor, "visitor", hello)
	seoyeon.click("[data-testid=tab-unassigned]")
	id := firstRequest(seoyeon)
	openAndAssign(seoyeon, id)
	const reply = "네, 바꾸실 주소를 알려 주세요."
	consoleSend(seoyeon, reply)
	widgetShows(visitor, "agent", reply)
	visitor.waitFrame("no queue notice while an agent chats", `d.querySelector('[data-testid=widget-queue]').hidden`)
	// The visitor has read the reply (and the agent sees it): nothing the
	// visitor does is on its way as the agent is deactivated.
	seoyeon.waitFor("the visitor's read receipt", `document.querySelector('[data-testid=messages] [data-testid=read-receipt]')?.closest('li').querySelector('.bubble').textContent === `+js(reply))
	// The master looks in on it (seen), and works elsewhere.
	admin.click("[data-testid=tab-active]")
	openConversation(admin, id)
	adminItem := fmt.Sprintf(`document.querySelector("[data-testid=conversation-list] a[data-conversation-id='%d']")`, id)
	admin.waitFor("the chat not marked new once seen", adminItem+` && !`+adminItem+`.classList.contains('unread')`)
	admin.do("open no conversation", chromedp.Evaluate[chromedp.Void](`location.hash = '#/'`))
	chimes := requestChimes(admin)

	api[any](admin, s, "PATCH", fmt.Sprintf("/agents/%d", seoyeonID), map[string]bool{"active": false})
	visitor.waitFrame("the visitor told they wait again, first in the queue",
		`(() => { const q = d.querySelector('[data-testid=widget-queue]'); return q.checkVisibility() && q.dataset.position === '1' && q.textContent.includes('1'); })()`)
	look(visitor, "requeued-widget")
	if n := frameEval[int](visitor, `return d.querySelectorAll('[data-testid=widget-messages] li[data-code=returned]').length;`); n != 0 {
		visitor.fail("the visitor sees %d agents-only returned lines, want none", n)
	}

	// The master, who may take it, is asked again: it waits in the queue.
	admin.click("[data-testid=tab-unassigned]")
	admin.waitFor("the returned chat marked new in the queue", adminItem+`?.dataset.state === 'unassigned' && `+adminItem+`.classList.contains('unread')`)
	admin.waitFor("the returned chat's request chime", fmt.Sprintf(`window.__chimes.filter((c) => c.freq === 660).length === %d`, chimes+1))

	// The master takes it over; the visitor sees who, and no queue.
	openAndAssign(admin, id)
	widgetEvent(visitor, "assigned")
	visitor.waitFrame("the queue notice gone", `d.querySelector('[data-testid=widget-queue]').hidden`)
	const again = "이어서 제가 도와드릴게요. 새 주소를 알려 주세요."
	consoleSend(admin, again)
	widgetShows(visitor, "agent", again)
}

// TestBrowserTakeRace: two agents click "Assign to me" on the same queued
// chat at once. One gets it; the other is told that a colleague already
// has it — not that the chat does not exist, which an agent's request
// that reached the server after the colleague's take was told — and sees
// the chat as the colleague's.
func TestBrowserTakeRace(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	const seoyeonEmail, seoyeonPassword = "seoyeon@sodam.local", "e2e-password-2"
	const minhoEmail, minhoPassword = "minho@sodam.local", "e2e-password-3"
	s.addAgent(seoyeonEmail, "이서연", seoyeonPassword)
	minhoID := s.addAgent(minhoEmail, "김민호", minhoPassword)
	root := browser(t)
	seoyeon := newTab(t, root, "first agent")
	minho := newTab(t, root, "second agent")
	visitor := newTab(t, root, "visitor")
	signInAs(seoyeon, s, seoyeonEmail, seoyeonPassword)
	signInAs(minho, s, minhoEmail, minhoPassword)

	openWidget(visitor, s.host.URL)
	agree(visitor)
	const hello = "주문 취소하고 싶어요. 아직 발송 전인가요?"
	widgetSend(visitor, hello)
	widgetShows(visitor, "visitor", hello)
	for _, p := range []*tab{seoyeon, minho} {
		p.click("[data-testid=tab-unassigned]")
	}
	id := firstRequest(seoyeon)
	for _, p := range []*tab{seoyeon, minho} {
		openConversation(p, id)
		p.waitFor("the assign button", `!document.querySelector('[data-testid=assign-button]').hidden`)
	}

	// The first agent's click is on its way (held in the browser) when the
	// second agent's take is done.
	seoyeon.hold("*/assign")
	seoyeon.click("[data-testid=assign-button]")
	minho.click("[data-testid=assign-button]")
	minho.waitFor("the chat taken", `document.querySelector('[data-testid=conversation-state]')?.dataset.state === 'waiting' && !document.querySelector('[data-testid=composer-input]').disabled`)
	seoyeon.release()
	toastSays(seoyeon, "다른 상담사가 이미 담당했습니다.")
	look(seoyeon, "take-race-loser")
	seoyeon.waitFor("the chat shown as the colleague's", `document.querySelector('[data-testid=composer-reason]').dataset.reason === 'other' && document.querySelector('[data-testid=composer-input]').disabled && document.querySelector('[data-testid=assign-button]').hidden`)
	if c := s.conversation(s.ws.ID, id); c.AssigneeID != minhoID || len(c.AgentPath) != 1 {
		t.Fatalf("after the race the chat is %d's, path %+v; want only 김민호's", c.AssigneeID, c.AgentPath)
	}
	widgetEvent(visitor, "assigned")
	if n := frameEval[int](visitor, `return d.querySelectorAll('[data-testid=widget-messages] li[data-code=assigned]').length;`); n != 1 {
		visitor.fail("the visitor sees %d assigned lines, want 1", n)
	}
}

// TestBrowserConsoleInTwoTabs: an agent with the console open in two tabs
// (one per screen) sees a new chat marked new in both; once they open it
// in one tab, the other drops the mark at once, rather than keep it (and
// the blinking title) until the chat is opened there too — and save it
// for the next page load.
func TestBrowserConsoleInTwoTabs(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	root := browser(t)
	left := newTab(t, root, "agent's first tab")
	signIn(left, s)
	right := anotherTab(t, left, "agent's second tab")
	right.goTo(s.baseURL + "/console/")
	right.waitFor("the second console live", `!document.querySelector('#app').hidden && document.querySelector('[data-testid=connection]').dataset.state === 'live'`)
	visitor := newTab(t, root, "visitor")

	openWidget(visitor, s.host.URL)
	agree(visitor)
	const hello = "택배가 반송되었다고 떠요. 확인 부탁드려요."
	widgetSend(visitor, hello)
	widgetShows(visitor, "visitor", hello)
	id := firstRequest(left)
	item := fmt.Sprintf(`document.querySelector("[data-testid=conversation-list] a[data-conversation-id='%d']")`, id)
	for _, p := range []*tab{left, right} {
		p.click("[data-testid=tab-unassigned]")
		p.waitFor("the new chat marked new", item+`?.classList.contains('unread')`)
	}

	openConversation(left, id)
	left.waitFor("the chat no longer marked in the tab that opened it", `!`+item+`.classList.contains('unread')`)
	right.waitFor("nor in the other tab", item+` && !`+item+`.classList.contains('unread')`)

	// The next page load of the second tab remembers no alert either.
	right.goTo(s.baseURL + "/console/")
	right.waitFor("the second console live again", `!document.querySelector('#app').hidden && document.querySelector('[data-testid=connection]').dataset.state === 'live'`)
	right.click("[data-testid=tab-unassigned]")
	right.waitFor("the chat listed, not marked", item+` && !`+item+`.classList.contains('unread')`)
}

// TestBrowserTakeWithFiveWaiting: an agent who already waits on five
// chats (§2.1) and takes a sixth is told, in their words, that they hold
// five waiting chats and should answer one first — the refusal's own
// sentence, "that agent already has 5 waiting conversations", is about a
// colleague chosen for a transfer.
func TestBrowserTakeWithFiveWaiting(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	root := browser(t)
	agent := newTab(t, root, "agent")
	signIn(agent, s)
	ctx := context.Background()
	me := chat.Actor{Kind: chat.SenderAgent, AgentID: s.agentID(adminEmail), Role: chat.RoleMaster, Status: chat.StatusOnline}
	var last int64
	for i := range chat.MaxWaiting + 1 {
		cu := &chat.Customer{WorkspaceID: s.ws.ID, ExternalID: fmt.Sprintf("waiting-%d", i)}
		if err := s.node.Store.UpsertCustomer(ctx, cu); err != nil {
			t.Fatal(err)
		}
		c, _, err := s.node.App.StartConversation(ctx, s.ws.ID, cu.ID, chat.ChannelWeb, "ko", "")
		if err != nil {
			t.Fatal(err)
		}
		if i < chat.MaxWaiting {
			if _, err := s.node.App.Take(ctx, s.ws.ID, c.ID, me); err != nil {
				t.Fatal(err)
			}
		}
		last = c.ID
	}
	agent.click("[data-testid=tab-unassigned]")
	openConversation(agent, last)
	agent.click("[data-testid=assign-button]")
	toastSays(agent, "이미 대기 상담 5건을 맡고 있습니다. 그중 한 건에 먼저 답변해 주세요.")
	if c := s.conversation(s.ws.ID, last); c.State != chat.StateUnassigned {
		t.Fatalf("the sixth chat is %s, want still queued", c.State)
	}
}

// TestBrowserInactivityCloseLive: the customer does not answer the agent
// within the inactivity timeout (§2.3): the chat ends by itself, and both
// see it at once — the visitor why, and that a new chat is a click away;
// the agent the chat closed with its reason.
func TestBrowserInactivityCloseLive(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	const first = "사이즈 교환 가능한가요?"
	agent, visitor, id := takenChat(t, s, first)
	const reply = "네, 가능합니다. 주문 번호를 알려 주시겠어요?"
	consoleSend(agent, reply)
	widgetShows(visitor, "agent", reply)

	// The timeout runs out: its timer comes due now.
	if err := s.node.Store.ScheduleJob(context.Background(), chat.Job{Kind: chat.JobInactivity, WorkspaceID: s.ws.ID, RefID: id, DueAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	visitor.waitFrame("the chat ended for inactivity", `d.querySelector('[data-testid=widget]').dataset.view === 'ended' && d.querySelector('[data-testid=widget-close-reason]')?.dataset.reason === 'inactivity' && d.querySelector('[data-testid=widget-close-reason]').textContent.includes('자동으로 종료')`)
	agent.waitFor("the chat closed in the console", `document.querySelector('[data-testid=conversation-state]').dataset.state === 'closed'`)
	consoleEvent(agent, "closed")
	if c := s.conversation(s.ws.ID, id); c.CloseReason != chat.CloseByInactivity {
		t.Fatalf("closed for %q, want inactivity", c.CloseReason)
	}
}

// TestBrowserTransferToDeactivatedColleague: an agent transfers a chat to a
// colleague whom a master deactivated a moment before (the agent's list
// was drawn earlier). The refusal, 403 member_inactive, names the
// colleague; the console took it for the agent's own deactivation and
// closed the workspace on them ("your account is deactivated"). The agent
// now stays in their console, with the chat still theirs.
func TestBrowserTransferToDeactivatedColleague(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	const seoyeonEmail, seoyeonPassword = "seoyeon@sodam.local", "e2e-password-2"
	const minhoEmail, minhoPassword = "minho@sodam.local", "e2e-password-3"
	seoyeonID := s.addAgent(seoyeonEmail, "이서연", seoyeonPassword)
	minhoID := s.addAgent(minhoEmail, "김민호", minhoPassword)
	root := browser(t)
	admin := newTab(t, root, "master")
	seoyeon := newTab(t, root, "agent")
	visitor := newTab(t, root, "visitor")
	signIn(admin, s)
	signInAs(seoyeon, s, seoyeonEmail, seoyeonPassword)

	openWidget(visitor, s.host.URL)
	agree(visitor)
	const hello = "결제가 두 번 된 것 같아요."
	widgetSend(visitor, hello)
	widgetShows(visitor, "visitor", hello)
	seoyeon.click("[data-testid=tab-unassigned]")
	id := firstRequest(seoyeon)
	openAndAssign(seoyeon, id)

	api[any](admin, s, "PATCH", fmt.Sprintf("/agents/%d", minhoID), map[string]bool{"active": false})
	// The transfer, as the dialog sends it, from the agent's console.
	code := eval[string](seoyeon, fmt.Sprintf(`import('/console/api.js').then((m) => m.call('POST', '/workspaces/%d/conversations/%d/transfer', {agent_id: %d, reason: ''})).then(() => 'sent', (err) => err.code)`, s.ws.ID, id, minhoID))
	if code != "member_inactive" {
		t.Fatalf("the transfer to a deactivated colleague answered %q, want member_inactive", code)
	}
	// Still in the console: not the deactivated page, the socket live, the
	// chat theirs to answer.
	seoyeon.waitFor("the console still live", `document.querySelector('[data-testid=connection]').dataset.state === 'live'`)
	if page := eval[string](seoyeon, `document.querySelector('#app').dataset.page`); page != "chat" {
		seoyeon.fail("the console shows page %q after a colleague's deactivation refused a transfer, want chat", page)
	}
	const reply = "확인해 보니 한 건은 자동 취소될 예정입니다."
	consoleSend(seoyeon, reply)
	widgetShows(visitor, "agent", reply)
	if c := s.conversation(s.ws.ID, id); c.AssigneeID != seoyeonID {
		t.Fatalf("the chat is %d's, want still 이서연's", c.AssigneeID)
	}
}

// TestBrowserVisitorInTwoTabs: a visitor has the shop open in two tabs.
// Both show the one chat live — the agent's replies, what the visitor
// wrote in the other tab — and ending it in one ends it in the other.
func TestBrowserVisitorInTwoTabs(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	const first = "장바구니에 담은 상품이 사라졌어요."
	agent, left, id := takenChat(t, s, first)
	right := anotherTab(t, left, "visitor's second tab")
	openWidget(right, s.host.URL)
	right.waitFrame("the chat resumed in the second tab", `d.querySelector('[data-testid=widget]').dataset.view === 'chat'`)
	widgetShows(right, "visitor", first)
	right.waitFrame("the second tab live", `d.querySelector('[data-testid=widget-connection]').dataset.state === 'live'`)

	const reply = "확인해 보겠습니다. 로그인 상태였나요?"
	consoleSend(agent, reply)
	widgetShows(left, "agent", reply)
	widgetShows(right, "agent", reply)
	const more = "네, 로그인한 상태였어요."
	widgetSend(right, more)
	widgetShows(right, "visitor", more)
	widgetShows(left, "visitor", more)
	consoleShows(agent, "visitor", more)
	sameThread(t, widgetThread(left), widgetThread(right))

	// Ended in one tab: ended in the other, and the agent wraps up.
	right.frameClick("[data-testid=widget-end]")
	right.frameClick("[data-testid=widget-end-confirm]")
	right.waitFrame("the chat ended", `d.querySelector('[data-testid=widget]').dataset.view === 'ended'`)
	left.waitFrame("the chat ended in the other tab", `d.querySelector('[data-testid=widget]').dataset.view === 'ended'`)
	agent.waitFor("the wrap-up offered", `document.querySelector('[data-testid=conversation]').dataset.customerLeft === 'true'`)
	if c := s.conversation(s.ws.ID, id); c.CustomerLeftAt == nil {
		t.Fatalf("the customer did not leave: %+v", c)
	}
}

package e2e

import (
	"fmt"
	"testing"
)

// TestBrowserMyOpenChats: an agent starts on "my open chats" (waiting and
// active conversations assigned to them); the conversation they open stays
// in view, in the list they opened it from, through every state change:
// taken from the queue, answered, closed.
func TestBrowserMyOpenChats(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	const email, password = "minho@sodam.local", "e2e-password-3"
	s.addAgent(email, "정민호", password)
	root := browser(t)
	agent := newTab(t, root, "agent")
	visitor := newTab(t, root, "visitor")
	signInAs(agent, s, email, password)
	agent.waitFor("my open chats chosen and empty, the scope switch hidden", `document.querySelector('[data-testid=tab-mine]').getAttribute('aria-selected') === 'true'`+
		` && document.querySelector('[data-testid=conversation-list]').dataset.listTab === 'mine' && !document.querySelector('[data-testid=list-empty]').hidden && document.querySelector('[data-testid=scope-switch]').hidden`)

	const hello = "주문 취소하고 싶어요."
	openWidget(visitor, s.host.URL)
	agree(visitor)
	widgetSend(visitor, hello)
	widgetShows(visitor, "visitor", hello)
	agent.waitFor("the request counted in the queue, not in my open chats", `document.querySelector('[data-testid=tab-unassigned] .count').textContent === '1' && document.querySelector('[data-testid=tab-mine] .count').textContent === ''`)
	agent.click("[data-testid=tab-unassigned]")
	id := firstRequest(agent)
	item := fmt.Sprintf("[data-testid=conversation-list] a[data-conversation-id='%d']", id)
	openAndAssign(agent, id)
	// Taken: no longer unassigned, but still in view where it was.
	agent.waitFor("the taken conversation kept in the queue's list, marked", `document.querySelector('[data-testid=conversation-list]').dataset.listTab === 'unassigned'`+
		` && document.querySelector("`+item+`")?.getAttribute('aria-current') === 'page' && document.querySelector("`+item+`").dataset.state === 'waiting' && document.querySelector("`+item+`").dataset.kept === 'true'`+
		` && document.querySelector("`+item+` [data-testid=kept-note]") && document.querySelector('[data-testid=list-empty]').hidden`)
	look(agent, "mine-kept")

	// My open chats has it, waiting, then active once answered.
	agent.click("[data-testid=tab-mine]")
	agent.waitFor("the conversation in my open chats", `document.querySelector('[data-testid=conversation-list]').dataset.listTab === 'mine' && document.querySelector("`+item+`")?.dataset.state === 'waiting' && !document.querySelector("`+item+`").dataset.kept`+
		` && document.querySelector('[data-testid=tab-mine] .count').textContent === '1'`)
	consoleSend(agent, "네, 주문번호 알려주시겠어요?")
	agent.waitFor("still there once active", `document.querySelector("`+item+`")?.dataset.state === 'active' && document.querySelector("`+item+`").getAttribute('aria-current') === 'page' && !document.querySelector("`+item+`").dataset.kept`)

	// Closed: it stays in view, marked, until the agent looks elsewhere.
	agent.click("[data-testid=close-button]")
	agent.click("[data-testid=close-confirm]")
	agent.waitFor("the closed conversation kept in view", `document.querySelector('[data-testid=conversation-state]').dataset.state === 'closed'`+
		` && document.querySelector("`+item+`")?.dataset.state === 'closed' && document.querySelector("`+item+`").dataset.kept === 'true' && document.querySelector('[data-testid=tab-mine] .count').textContent === ''`)
	agent.click("[data-testid=tab-active]")
	agent.click("[data-testid=tab-mine]")
	agent.waitFor("my open chats empty after looking elsewhere", `document.querySelector('[data-testid=conversation-list]').dataset.listTab === 'mine' && !document.querySelector("`+item+`") && !document.querySelector('[data-testid=list-empty]').hidden`)
}

package e2e

import (
	"fmt"
	"testing"

	"github.com/sodam-chat/sodam/internal/chat"
)

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

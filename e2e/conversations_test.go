package e2e

import (
	"fmt"
	"strings"
	"testing"
)

// What an agent does to a conversation besides answering it: hold,
// important and transfer.

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
	agent.pick(choice + " [data-testid=transfer-agent]")
	const reason = "포장 담당자에게 넘깁니다"
	agent.do("write the reason", typeIn("[data-testid=transfer-reason]", reason))
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

	// The first agent loses it: no longer theirs to answer, and gone from
	// their lists once they look elsewhere (while open it stays in view,
	// marked, rather than leaving them on an empty list).
	agent.waitFor("the composer saying it is someone else's", `document.querySelector('[data-testid=composer-reason]').dataset.reason === 'other' && document.querySelector('[data-testid=composer-input]').disabled`)
	agent.waitFor("the conversation kept in view, marked", `document.querySelector("`+item+`")?.dataset.kept === 'true' && document.querySelector("`+item+`").getAttribute('aria-current') === 'page'`)
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

package e2e

import (
	"strings"
	"testing"
)

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
	agent.do("write the note", typeIn("[data-testid=block-note]", note))
	agent.click("[data-testid=block-confirm]")
	agent.waitFor("the dialog closed and the conversation closed by blocking", `!document.querySelector('[data-testid=block-dialog]').open && document.querySelector('[data-testid=conversation-state]')?.dataset.state === 'closed'`+
		` && document.querySelector('[data-testid=details-conversation] dd[data-field=close_reason]')?.textContent.trim() !== ''`)
	agent.waitFor("the customer shown blocked, and no block button", `document.querySelector('[data-testid=details-customer] dd[data-field=blocked]')?.textContent.includes(`+js(note)+`) && document.querySelector('[data-testid=block-button]').hidden`)

	blocked := `d.querySelector('[data-testid=widget]').dataset.view === 'blocked' && d.querySelector('[data-testid=widget-blocked]').checkVisibility()` +
		` && d.querySelector('[data-testid=widget-blocked]').textContent.split('상담이 제한되었습니다').length === 2` + // the headline, once
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

// TestBrowserBlockedList: the customer blocked from a conversation is
// listed in settings under the name the conversation called them — an
// anonymous visitor "방문자 NNNN", not their random identifier — with the
// reason; unblocking takes them off the list and lets them chat again.
func TestBrowserBlockedList(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	const spam = "지금 가입하면 100만 포인트!"
	agent, visitor, _ := takenChat(t, s, spam)
	consoleShows(agent, "visitor", spam)
	name := eval[string](agent, `document.querySelector('[data-testid=conversation-title]').textContent`)
	if !strings.HasPrefix(name, "방문자 ") {
		agent.fail("the anonymous visitor is called %q, want 방문자 NNNN", name)
	}
	agent.click("[data-testid=block-button]")
	agent.waitFor("the block dialog", `document.querySelector('[data-testid=block-dialog]').open`)
	agent.click("[data-testid=block-reason-spam]")
	agent.click("[data-testid=block-confirm]")
	agent.waitFor("the conversation closed by blocking", `document.querySelector('[data-testid=conversation-state]')?.dataset.state === 'closed'`)

	openSettings(agent)
	entry := `document.querySelector('[data-testid=blocked-list] [data-testid=blocked-customer]')`
	agent.waitFor("the blocked customer listed", entry+` !== null`)
	if got := eval[string](agent, entry+`.querySelector('.blocked-who strong').textContent`); got != name {
		agent.fail("the blocked list names the customer %q, want %q as the conversation did", got, name)
	}
	if got := eval[string](agent, entry+`.querySelector('.blocked-why .chip').textContent`); got != "홍보·스팸" {
		agent.fail("the blocked list gives the reason %q, want 홍보·스팸", got)
	}
	agent.click("[data-testid=unblock-button]")
	agent.waitFor("the list empty", `document.querySelectorAll('[data-testid=blocked-customer]').length === 0 && document.querySelector('[data-testid=blocked-empty]').checkVisibility()`)
	openWidget(visitor, s.host.URL)
	visitor.waitFrame("the widget lets them chat again", `d.querySelector('[data-testid=widget]').dataset.view !== 'blocked'`)
}

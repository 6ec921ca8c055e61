package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/sodam-chat/sodam/internal/chat"
)

// The conversation header at the laptop sizes agents use, in both
// languages: a long Korean name, every flag and every button, none of them
// overlapping another, clipped or pushed out of the pane.

// longName is a customer name as long as real ones get: a person and their
// company.
const longName = "남궁서연 (주식회사 소담상사 구매팀)"

// TestBrowserHeaderFits checks the header of an unassigned conversation
// (the assign button), of an active important one (every tool), and of
// it on hold (both chips) at 1366×768, 1280×720 and on a phone in Korean
// and English, by measuring each element's box. On a busy day: the list's
// tabs above show counts of two and three digits, and all five stay on
// one row at both laptop sizes, in both languages, none of them clipped.
func TestBrowserHeaderFits(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	root := browser(t)
	agent := newTab(t, root, "agent")
	visitor := newTab(t, root, "visitor")
	signIn(agent, s)
	openWidget(visitor, s.host.URL)
	agree(visitor)
	widgetSend(visitor, "안녕하세요, 대량 구매 견적 문의드립니다.")
	id := firstRequest(agent)
	busyDay(t, s, 100, 12, 25)
	api[map[string]any](agent, s, "PATCH", fmt.Sprintf("/conversations/%d/customer", id), map[string]any{"name": longName})
	api[map[string]any](agent, s, "POST", fmt.Sprintf("/conversations/%d/important", id), map[string]any{"on": true})
	agent.do("reload the console", chromedp.Reload())
	agent.waitFor("the console live again", `document.querySelector('[data-testid=connection]')?.dataset.state === 'live'`)
	openConversation(agent, id)
	agent.waitFor("the busy day's counts on the tabs", `((c) => c('unassigned') === '99+' && c('waiting') === '12' && c('active') === '25' && c('mine') === '25' && c('closed') === '')`+
		`((tab) => document.querySelector('[data-testid=tab-' + tab + '] .count').textContent)`)
	agent.waitFor("the unassigned conversation with the assign button and the star", `document.querySelector('[data-testid=conversation-title]').textContent === `+js(longName)+
		` && !document.querySelector('[data-testid=assign-button]').hidden && document.querySelector('[data-testid=important-button]').getAttribute('aria-pressed') === 'true'`)
	headerFits(agent, "unassigned", []string{"assign-button", "important-button", "transfer-button", "block-button"})

	agent.click("[data-testid=assign-button]")
	consoleSend(agent, "네, 견적 도와드리겠습니다.")
	agent.waitFor("the conversation active with every tool", `document.querySelector('[data-testid=conversation-state]')?.dataset.state === 'active'`+
		` && !document.querySelector('[data-testid=close-button]').hidden && !document.querySelector('[data-testid=rating-request-button]').hidden`)
	headerFits(agent, "active", []string{"important-button", "hold-button", "transfer-button", "rating-request-button", "block-button", "close-button", "conversation-state"})
	// On hold: both chips; the rating request waits for the release.
	api[map[string]any](agent, s, "POST", fmt.Sprintf("/conversations/%d/hold", id), map[string]any{"on": true})
	agent.waitFor("both flags shown", `document.querySelector('[data-testid=conversation-hold]') && document.querySelector('[data-testid=hold-button]').getAttribute('aria-pressed') === 'true'`+
		` && !document.querySelector('[data-testid=close-button]').hidden && document.querySelector('[data-testid=rating-request-button]').hidden`)
	headerFits(agent, "held", []string{"important-button", "hold-button", "transfer-button", "block-button", "close-button", "conversation-state", "conversation-hold"})
}

// busyDay queues unassigned more conversations (past 99 the queue's count
// reads 99+, the widest a tab shows),
// gives colleagues waiting ones, four each (an agent may have five), and
// the admin active ones they have answered.
func busyDay(t *testing.T, s *site, unassigned, waiting, active int) {
	t.Helper()
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	agent := func(id int64) chat.Actor {
		return chat.Actor{Kind: chat.SenderAgent, AgentID: id}
	}
	admin := agent(s.agentID(adminEmail))
	var colleagues []chat.Actor
	for i := range (waiting + 3) / 4 {
		id := s.addAgent(fmt.Sprintf("colleague%d@example.com", i), fmt.Sprintf("동료 %d", i+1), "tea leaves at dawn 81")
		_, err := s.node.App.SetAgentStatus(ctx, s.ws.ID, id, chat.StatusOnline)
		must(err)
		colleagues = append(colleagues, agent(id))
	}
	for i := range unassigned + waiting + active {
		cu := &chat.Customer{WorkspaceID: s.ws.ID, ExternalID: fmt.Sprintf("busy-%03d", i)}
		must(s.node.Store.UpsertCustomer(ctx, cu))
		c, _, err := s.node.App.StartConversation(ctx, s.ws.ID, cu.ID, chat.ChannelWeb, "ko", "")
		must(err)
		switch j := i - unassigned; {
		case j < 0:
		case j < waiting:
			_, err = s.node.App.Take(ctx, s.ws.ID, c.ID, colleagues[j/4])
			must(err)
		default:
			_, err = s.node.App.Take(ctx, s.ws.ID, c.ID, admin)
			must(err)
			_, err = s.node.App.Send(ctx, s.ws.ID, c.ID, admin, chat.NewMessage{ClientMsgID: fmt.Sprintf("busy-%d", i), Body: "안녕하세요, 소담 상점입니다."})
			must(err)
		}
	}
}

// headerFits looks at the open conversation's header at both sizes and in
// both languages, and ends in Korean at the usual size. want are the
// data-testids that must be visible.
func headerFits(p *tab, state string, want []string) {
	p.t.Helper()
	for _, size := range [][2]int64{{1366, 768}, {1280, 720}, {390, 844}} {
		for _, lang := range []string{"ko", "en"} {
			p.do("size the page", chromedp.EmulateViewport(size[0], size[1]))
			eval[any](p, `import('/console/i18n.js').then((m) => m.chooseLanguage(`+js(lang)+`)).then(() => null)`)
			p.waitFor("the console in "+lang, `document.documentElement.lang === `+js(lang)+` && document.querySelector('[data-testid=close-button]').textContent === document.querySelector('[data-testid=close-button]').textContent.trim()`)
			// Let the page lay out at its new size and in its new words.
			eval[any](p, `new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r(null))))`)
			name := fmt.Sprintf("header-%s-%dx%d-%s", state, size[0], size[1], lang)
			look(p, name)
			problems := eval[[]string](p, headerProblems(want))
			if len(problems) > 0 {
				p.fail("%s: the header does not fit:\n  %s", name, strings.Join(problems, "\n  "))
			}
		}
	}
	p.do("size the page", chromedp.EmulateViewport(1280, 800))
	eval[any](p, `import('/console/i18n.js').then((m) => m.chooseLanguage('ko')).then(() => null)`)
}

// headerProblems is JavaScript listing what is wrong with the header's
// layout, measured from element boxes: a wanted element missing, an
// element with no size, clipped (its content wider or taller than its
// box), outside the conversation pane or the header, or two elements
// overlapping.
func headerProblems(want []string) string {
	return `(() => {
	const want = ` + jsList(want) + `;
	const head = document.querySelector('[data-testid=conversation] .conv-head');
	const pane = document.querySelector('[data-testid=conversation]').getBoundingClientRect();
	const box = head.getBoundingClientRect();
	const problems = [];
	const items = [];
	const name = (el) => el.dataset.testid || el.tagName.toLowerCase() + ':' + el.textContent.trim().slice(0, 20);
	const title = head.querySelector('[data-testid=conversation-title]');
	items.push(title);
	items.push(...head.querySelector('.conv-sub').children);
	items.push(...head.querySelectorAll('button'));
	const shown = items.filter((el) => el.checkVisibility());
	for (const id of want) {
		if (!shown.some((el) => el.dataset.testid === id)) problems.push(id + ' is not shown');
	}
	const rects = shown.map((el) => [el, el.getBoundingClientRect()]);
	for (const [el, r] of rects) {
		if (r.width < 1 || r.height < 1) problems.push(name(el) + ' has no size');
		if (el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1) problems.push(name(el) + ' is clipped (' + el.scrollWidth + '×' + el.scrollHeight + ' in ' + el.clientWidth + '×' + el.clientHeight + ')');
		if (r.left < pane.left - 0.5 || r.right > pane.right + 0.5) problems.push(name(el) + ' leaves the pane (' + r.left + '–' + r.right + ' outside ' + pane.left + '–' + pane.right + ')');
		if (r.top < box.top - 0.5 || r.bottom > box.bottom + 0.5) problems.push(name(el) + ' leaves the header');
	}
	for (let i = 0; i < rects.length; i++) {
		for (let j = i + 1; j < rects.length; j++) {
			const [a, ra] = rects[i], [b, rb] = rects[j];
			const w = Math.min(ra.right, rb.right) - Math.max(ra.left, rb.left);
			const h = Math.min(ra.bottom, rb.bottom) - Math.max(ra.top, rb.top);
			if (w > 0.5 && h > 0.5) problems.push(name(a) + ' overlaps ' + name(b));
		}
	}
	if (title.textContent.trim() === '') problems.push('the title is empty');
	// The list's tabs above, the same way: on one row, each whole with
	// its count inside it.
	const tabs = document.querySelector('sodam-conversation-list [role=tablist]');
	if (tabs.checkVisibility() && tabs.scrollWidth > tabs.clientWidth + 1) problems.push('the list tabs overflow (' + tabs.scrollWidth + ' in ' + tabs.clientWidth + ')');
	const tabRects = tabs.checkVisibility() ? [...tabs.children].map((tab) => [tab, tab.getBoundingClientRect()]) : [];
	if (new Set(tabRects.map(([, r]) => Math.round(r.top))).size > 1) problems.push('the list tabs take more than one row: ' + tabRects.map(([tab, r]) => tab.dataset.testid + ' at ' + Math.round(r.top)).join(', '));
	for (const [tab, r] of tabRects) {
		if (tab.scrollWidth > tab.clientWidth + 1) problems.push(tab.dataset.testid + ' is clipped (' + tab.scrollWidth + ' in ' + tab.clientWidth + ')');
		const count = tab.querySelector('.count');
		if (count.textContent === '') continue;
		const c = count.getBoundingClientRect();
		if (c.left < r.left - 0.5 || c.right > r.right + 0.5 || c.top < r.top - 0.5) problems.push(tab.dataset.testid + "'s count " + count.textContent + ' leaves its tab (' + c.left + '–' + c.right + ' outside ' + r.left + '–' + r.right + ')');
		const label = tab.querySelector('[data-i18n]').getBoundingClientRect();
		if (c.left < label.right - 0.5) problems.push(tab.dataset.testid + "'s count " + count.textContent + ' covers its label');
		if (c.right > tab.querySelector('.tab-label').getBoundingClientRect().right + 0.5) problems.push(tab.dataset.testid + "'s count " + count.textContent + ' is wider than the room its label keeps');
	}
	return problems;
})()`
}

// jsList quotes a list of Go strings as a JavaScript array.
func jsList(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = js(s)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

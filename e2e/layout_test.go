package e2e

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
)

// watchShifts starts recording the page's layout shifts in w.__shifts: the
// Layout Instability API reports an element that moves between two frames
// without the person's input, with where it was and where it went. It runs
// with w the window and d its document, and w.__rearranged a selector of
// regions whose moves are not counted (or none). w.__seen counts every
// shift, those just after the person's input too.
const watchShifts = `
	const describe = (el) => {
		const id = el.closest('[data-testid]')?.dataset.testid;
		return el.tagName.toLowerCase() + [...el.classList].map((c) => '.' + c).join('') + (id ? ' in ' + id : '');
	};
	const rect = (r) => [r.x, r.y, r.width, r.height].map(Math.round).join(',');
	w.__shifts = [];
	w.__seen = 0;
	new w.PerformanceObserver((list) => {
		for (const e of list.getEntries()) {
			w.__seen++;
			if (e.hadRecentInput) continue;
			const moved = e.sources.map((s) => ({el: s.node?.nodeType === 1 ? s.node : s.node?.parentElement, s}))
				.filter(({el}) => !el || !w.__rearranged || !el.closest(w.__rearranged));
			if (moved.length) w.__shifts.push(e.value.toFixed(4) + ': ' + moved.map(({el, s}) => (el ? describe(el) : '(gone)') + ' ' + rect(s.previousRect) + ' → ' + rect(s.currentRect)).join('; '));
		}
	}).observe({type: 'layout-shift'});
	return true;`

// takeShifts returns the shifts recorded since it was last asked, and
// forgets them.
const takeShifts = `return w.__shifts.splice(0);`

// tabLabels is where each of the console's list tabs has its label (x, y,
// width, rounded to the pixel), and the count it shows.
const tabLabels = `[...document.querySelectorAll('.tabs [data-tab]')].map((b) => {
	const r = b.querySelector('[data-i18n]').getBoundingClientRect();
	return b.dataset.tab + ' ' + [r.x, r.y, r.width].map(Math.round).join(',') + ' (' + b.querySelector('.count').textContent + ')';
})`

// TestBrowserLayoutStable: while messages stream in, nothing on the
// agent's or the visitor's screen jumps (§15), with the visitor on a
// laptop in Korean and on a phone in English. The agent reads an open
// chat while the customer writes and types, and another customer's chat
// arrives in the list; the customer reads while the agent types and
// answers. Each side's shifts are counted while the other side writes:
// what a person's own typing moves (their composer growing) is theirs.
// The console's list of chats is rearranged by what arrives; everything
// else (the tabs, the filters, the chat, the panel, the side bar) must
// stay still — a tab's label too, while its count appears, changes and
// goes (the console at 1366×768, in Korean, then in English with the
// visitor on a phone).
func TestBrowserLayoutStable(t *testing.T) {
	t.Parallel()
	for _, phoneEN := range []bool{false, true} {
		t.Run(map[bool]string{false: "laptop-ko", true: "phone-en"}[phoneEN], func(t *testing.T) {
			t.Parallel()
			layoutStable(t, phoneEN)
		})
	}
}

func layoutStable(t *testing.T, phoneEN bool) {
	s := startSite(t)
	agent, visitor, id := takenChat(t, s, "안녕하세요, 주문 건으로 문의드려요.")
	desktop(agent)
	other := newTab(t, browser(t), "other visitor")
	name := "layout-widget"
	if phoneEN {
		agent.click("[data-testid=nav-language]")
		agent.click("[data-testid=language-en]")
		agent.waitFor("the console in English", `document.documentElement.lang === 'en'`)
		// The same visitor back on a phone, the widget in English.
		phone(visitor)
		openWidget(visitor, s.host.URL+"?head="+url.QueryEscape(`<script>window.SodamSettings = {language: 'en'};</script>`))
		visitor.waitFrame("the chat in English", `d.documentElement.lang === 'en' && d.querySelector('[data-testid=widget]').dataset.view === 'chat'`)
		name += "-phone-en"
	}

	consoleShifts := func() []string { return eval[[]string](agent, "(() => { const w = window; "+takeShifts+" })()") }
	widgetShifts := func() []string { return frameEval[[]string](visitor, takeShifts) }
	eval[bool](agent, "(() => { const w = window, d = document; w.__rearranged = '.conv-list, .list-empty, .load-more'; "+watchShifts+" })()")
	frameEval[bool](visitor, watchShifts)
	still := func(p *tab, who, while string, shifts []string) {
		t.Helper()
		if len(shifts) > 0 {
			p.fail("the %s moved while %s:\n%s", who, while, strings.Join(shifts, "\n"))
		}
	}
	// The labels where they are now, the counts as they are: the first
	// reply moves a chat from waiting to active, the other customer's
	// chat adds one to unassigned. The move of a label by less than the
	// Layout Instability API's threshold is caught here too.
	labels := eval[[]string](agent, tabLabels)
	at := func(s string) string { return s[:strings.Index(s, " (")] }
	labelsStill := func(while string) {
		t.Helper()
		now := eval[[]string](agent, tabLabels)
		for i := range labels {
			if at(now[i]) != at(labels[i]) {
				agent.fail("the tab labels moved while %s:\n%s\n→\n%s", while, strings.Join(labels, "\n"), strings.Join(now, "\n"))
			}
		}
	}
	for i, text := range []string{
		"주문번호 2026-1204-0031 배송 상태가 궁금합니다.",
		"어제 오후에 결제했는데 아직 배송 준비 중으로 나와요. 선물할 거라 토요일까지는 받아야 해서요.",
		"네, 기다릴게요.",
	} {
		consoleShifts()
		widgetSend(visitor, text)
		consoleShows(agent, "visitor", text)
		if i == 1 {
			openWidget(other, s.host.URL)
			agree(other)
			widgetSend(other, "환불 문의드립니다.")
			newConversation(agent, id)
		}
		still(agent, "console", fmt.Sprintf("the customer wrote %q", text), consoleShifts())
		labelsStill(fmt.Sprintf("the customer wrote %q", text))

		widgetShifts()
		reply := fmt.Sprintf("확인해 보겠습니다. (%d/3)", i+1)
		consoleSend(agent, reply)
		widgetShows(visitor, "agent", reply)
		visitor.waitFrame("the typing line gone", `d.querySelector('[data-testid=widget-typing]').hidden`)
		still(visitor, "widget", fmt.Sprintf("the agent answered %q", reply), widgetShifts())
		labelsStill(fmt.Sprintf("the agent answered %q", reply))
	}
	if got := strings.Join(eval[[]string](agent, tabLabels), "|"); got == strings.Join(labels, "|") {
		agent.fail("no count changed: %s", got)
	}
	look(visitor, name)
	lang := map[bool]string{false: "ko", true: "en"}[phoneEN]
	look(agent, "layout-console-"+lang)
	// Every button of the header is shown now, and on a phone in English
	// they leave the title the least room: the availability line under
	// them is still read whole.
	visitor.waitFrame("the header's buttons and its availability line whole", `!d.querySelector('[data-testid=widget-rate]').hidden && !d.querySelector('[data-testid=widget-end]').hidden &&
		((a) => a.textContent !== '' && a.scrollWidth <= a.clientWidth)(d.getElementById('availability'))`)

	// The check can fail: a chat pushed down by 40 pixels moves. (The
	// agent may have typed within the last half second, which makes the
	// shift theirs: any shift seen counts here.)
	seen := eval[int](agent, `window.__seen`)
	eval[bool](agent, `(() => { document.querySelector('[data-testid=conversation]').style.paddingTop = '40px'; return true; })()`)
	agent.waitFor("the pushed chat seen as a shift", fmt.Sprintf(`window.__seen > %d`, seen))
	seen = frameEval[int](visitor, `return w.__seen;`)
	frameEval[bool](visitor, `d.querySelector('[data-testid=widget]').style.paddingTop = '40px'; return true;`)
	visitor.waitFrame("the pushed chat seen as a shift", fmt.Sprintf(`w.__seen > %d`, seen))

	// The tabs on a phone (the list, no chat open), for a person to look at.
	phone(agent)
	agent.goTo(s.baseURL + "/console/#/")
	agent.waitFor("the list's tabs on a phone", `document.querySelector('.tabs').checkVisibility() && document.querySelector('[data-testid=tab-mine] .count').textContent !== ''`)
	look(agent, "layout-console-phone-"+lang)
}

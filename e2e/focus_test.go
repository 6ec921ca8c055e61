package e2e

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// TestBrowserKeyboardFocus: a person who moves through the product with
// the Tab key always sees where the keyboard focus is (WCAG 2.4.7, §15).
// The real Tab key (so that :focus-visible applies) is pressed through the
// console's chat (side bar, list, open conversation, composer, customer
// panel), its settings page, its tickets page (the list and an open
// ticket), history page (with a result), statistics, team and audit
// pages, the widget (its launcher on the company's page, then the chat
// inside its iframe, and its FAQ panel) and the help center's home, in
// the light and in the dark scheme, at 1366×768. Each element the focus
// reaches must look different while it has it: an outline at least 2px
// wide or a box shadow, of 3:1 contrast against what is behind it, or a
// background or border colour that changes by 3:1; and no more than half
// of an outline may be cut off by the box it is in. A probe button
// without an outline shows the check itself finds a missing indicator.
func TestBrowserKeyboardFocus(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	seedShopFAQ(t, s)
	s.addAgent("mina@example.com", "김민아", "correct-horse-battery") // a colleague: the team page's row buttons
	root := browser(t)
	agent := newTab(t, root, "agent")
	visitor := newTab(t, root, "visitor")
	desktop(agent)
	desktop(visitor)
	signIn(agent, s)
	openWidget(visitor, s.host.URL)
	agree(visitor)
	widgetSend(visitor, "찻잔 세트 배송이 언제 되나요?")
	id := firstRequest(agent)
	openAndAssign(agent, id)
	consoleSend(agent, "오늘 출고됩니다.")
	widgetShows(visitor, "agent", "오늘 출고됩니다.")
	// A ticket, for the tickets page's list and view; read, so that
	// opening it does not redraw the list during the walk.
	ticket := api[struct {
		ID int64 `json:"id"`
	}](agent, s, "POST", "/tickets", map[string]any{"subject": "찻잔 세트 배송 확인", "conversation_id": id})
	api[any](agent, s, "POST", fmt.Sprintf("/tickets/%d/read", ticket.ID), nil)

	for _, scheme := range []string{"light", "dark"} {
		prefer(agent, scheme)
		prefer(visitor, scheme)

		agent.click("[data-testid=nav-chat]")
		openConversation(agent, id)
		agent.waitFor("the customer panel", `document.querySelector('[data-testid=details]').dataset.state === 'open' && !document.querySelector('[data-testid=customer-form] fieldset').disabled`)
		clickCorner(agent, ".rail")
		wantFocus(agent, "the console's chat ("+scheme+")", 80, "[nav-chat]", "[conversation-list]", "[composer-input]", "[customer-name]")

		openSettings(agent) // from the side bar: Tab goes on from there
		wantFocus(agent, "the settings page ("+scheme+")", 40, "[settings-menu-item]", "[settings-name]")

		// The other pages, each from its side-bar link: the rest of the
		// side bar, then the page; the tickets page with the ticket open
		// beside the list.
		for _, pg := range []struct {
			name, hash, ready string
			want              []string
		}{
			{"tickets", fmt.Sprintf("#/tickets/%d", ticket.ID), `document.querySelector('[data-testid=ticket][aria-current]') && document.querySelector('[data-testid=ticket-view]').checkVisibility() && !document.querySelector('[data-testid=ticket-more]').disabled`,
				[]string{"[ticket-new]", "[ticket]", "[ticket-status]", "[ticket-reply-body]"}},
			{"history", "", `document.querySelector('[data-testid=history]').dataset.state === 'ready' && document.querySelector('[data-testid=history-result]')`, []string{"[history-q]", "[export-start]", "[history-result]"}},
			{"stats", "", `document.querySelector('[data-testid=stats]').dataset.state === 'ready'`, []string{"[stats-preset]", "[stats-group]", "[stats-csv]"}},
			{"team", "", `document.querySelectorAll('[data-testid=team-member]').length === 2`, []string{"[team-invite]", "[member-role]", "[member-deactivate]"}},
			{"audit", "", `document.querySelector('[data-testid=audit]').dataset.state === 'ready'`, []string{"[audit-actor]", "[audit-clear]", "[audit-csv]"}},
		} {
			openPage(agent, pg.name)
			if pg.hash != "" { // the focus stays on the side-bar link
				agent.do("go to "+pg.hash, chromedp.Evaluate[chromedp.Void](`location.hash = `+js(pg.hash)))
			}
			agent.waitFor("the "+pg.name+" page's contents", pg.ready)
			wantFocus(agent, "the "+pg.name+" page ("+scheme+")", 60, pg.want...)
		}

		clickCorner(visitor, "header")
		wantFocus(visitor, "the widget ("+scheme+")", 30, "#sodam-launcher", "[widget-input]", "[widget-send]")

		visitor.frameClick("[data-testid=widget-faq-open]")
		visitor.waitFrame("the FAQ by category", `d.querySelectorAll('[data-testid=widget-faq-item]').length === 4`)
		clickCorner(visitor, "header")
		wantFocus(visitor, "the widget's FAQ ("+scheme+")", 30, "[widget-faq-input]", "[widget-faq-item]", "[widget-faq-agent]")
		visitor.frameClick("[data-testid=widget-faq-close]")
		visitor.waitFrame("the chat again", `d.querySelector('[data-testid=widget-faq]').hidden`)
	}

	agent.goTo(s.baseURL + "/help/" + s.ws.SiteID)
	agent.waitFor("the help center", `document.querySelector('main') !== null`)
	launcherInPlace(agent) // the Tab key skips it while it is hidden
	for _, scheme := range []string{"dark", "light"} {
		prefer(agent, scheme)
		clickCorner(agent, "header")
		wantFocus(agent, "the help center ("+scheme+")", 40, "#help-q", "#help-chat", "#sodam-launcher")
	}

	// The check finds a missing indicator where there is one: a button
	// whose outline is turned off is reported.
	agent.do("add a probe button without an outline", chromedp.Evaluate[chromedp.Void](`document.body.insertAdjacentHTML('afterbegin',
		'<p><span data-testid=focus-probe-start>초점 확인</span> <button type=button style="outline: none" data-testid=focus-probe>확인</button></p>')`))
	agent.click("[data-testid=focus-probe-start]")
	visited, unseen := focusWalk(agent, 2)
	if len(visited) == 0 || !strings.Contains(visited[0], "[focus-probe]") {
		agent.fail("the Tab key did not reach the probe button: %q", visited)
	}
	if !slices.ContainsFunc(unseen, func(l string) bool { return strings.Contains(l, "[focus-probe]") }) {
		agent.fail("the focus check reported %q for a button without an outline", unseen)
	}
}

// clickCorner clicks with the mouse just inside the top left corner of
// the element sel, a spot with no control: the next Tab key press moves
// the focus to the first control after it.
func clickCorner(p *tab, sel string) {
	p.t.Helper()
	r := eval[[2]float64](p, `(() => { const r = document.querySelector(`+js(sel)+`).getBoundingClientRect(); return [r.left, r.top]; })()`)
	p.do("click the corner of "+sel, chromedp.MouseClickXY(r[0]+2, r[1]+2))
}

// wantFocus presses Tab at most maxTabs times from where the keyboard
// focus is (focusWalk). It fails the test unless the focus went through
// at least five elements, among them one whose description holds each of
// want (a #id or [data-testid]), and every element it reached showed that
// it had the focus.
func wantFocus(p *tab, where string, maxTabs int, want ...string) {
	p.t.Helper()
	visited, unseen := focusWalk(p, maxTabs)
	for _, w := range want {
		if !slices.ContainsFunc(visited, func(v string) bool { return strings.Contains(v, w) }) {
			p.fail("the Tab key never reached %s in %s; it reached:\n%s", w, where, strings.Join(visited, "\n"))
		}
	}
	if len(visited) < 5 {
		p.fail("the Tab key moved the focus through only %d elements in %s:\n%s", len(visited), where, strings.Join(visited, "\n"))
	}
	if len(unseen) > 0 {
		p.fail("no visible keyboard focus in %s on:\n%s", where, strings.Join(unseen, "\n"))
	}
}

// focusStep is what focusCheck reports after a Tab key press.
type focusStep struct {
	ID     int      `json:"id"`     // the focused element's number in its document; 0 for none
	Frame  bool     `json:"frame"`  // the focus is in the widget's iframe: ask there
	What   string   `json:"what"`   // the focused element: tag, #id, [data-testid] and label
	Unseen []string `json:"unseen"` // elements judged to show no focus, with why
}

// focusWalk presses the Tab key up to maxTabs times from where the
// keyboard focus is, and stops early when the focus leaves the page or
// comes back to an element it had. It follows the focus into the widget's
// iframe. It returns the elements the focus reached, in order, and those
// that showed no visible focus indicator, with why.
func focusWalk(p *tab, maxTabs int) (visited, unseen []string) {
	p.t.Helper()
	check := func(frame, finish bool) focusStep {
		p.t.Helper()
		body := fmt.Sprintf("const finish = %t; %s", finish, focusCheck)
		var r focusStep
		if frame {
			r = frameEval[focusStep](p, body)
		} else {
			r = eval[focusStep](p, "(() => { const d = document, w = window; "+body+" })()")
		}
		unseen = append(unseen, r.Unseen...)
		return r
	}
	seen, last, widget := map[string]bool{}, "", false
	for range maxTabs {
		p.do("press Tab", chromedp.KeyEvent(kb.Tab))
		r := check(false, false)
		inFrame := r.Frame
		if inFrame {
			widget = true
			r = check(true, false)
		}
		key := fmt.Sprint(inFrame, r.ID)
		if key == last {
			continue // Tab moved inside the element: a date's month, day, year
		}
		if r.ID == 0 || seen[key] {
			break
		}
		seen[key], last = true, key
		visited = append(visited, r.What)
	}
	check(false, true)
	if widget {
		check(true, true)
	}
	return visited, unseen
}

// focusCheck is a function body over the document d, its window w and
// finish that follows the keyboard focus in d from one call to the next
// (its state is kept on w) and returns a focusStep. The element focused at
// the last call is judged once the focus has left it: how it looked then,
// focused, against how it looks now. One removed since, or still focused
// when finish is true, is judged by its focused look alone.
//
// An element, or its parent (a label around a hidden input), shows the
// focus when, focused, it has an outline at least 2px wide or a box shadow
// that it does not have unfocused, of 3:1 contrast against the colour
// behind it, an outline at least half of which the box that clips it
// leaves shown; or a background or border colour of 3:1 contrast against
// its unfocused one.
const focusCheck = colourMath + `
const s = (w.__sodamFocus ??= { ids: new WeakMap(), next: 1, prev: null });
const css = (c) => 'rgb(' + [c.r, c.g, c.b].map(Math.round).join(', ') + ')';
// The colour behind e: its background over its ancestors' (layers).
const backdrop = (e) => layers(e).bg;
// The share of e's outline ring that the box around it does not cut off
// however it is scrolled: the nearest box that clips its content (below
// the top layer, which such boxes do not clip) cuts at the edges of what
// it scrolls, its padding box grown to its scroll size; with none, the
// document's edges do.
const shown = (e, cs) => {
	const r = e.getBoundingClientRect(), off = parseFloat(cs.outlineOffset), width = parseFloat(cs.outlineWidth);
	const root = d.documentElement;
	let box = { left: -w.scrollX, top: -w.scrollY, right: root.scrollWidth - w.scrollX, bottom: root.scrollHeight - w.scrollY };
	for (let a = e.parentElement; a && a !== d.body && !e.matches(':popover-open, :modal'); e = a, a = a.parentElement) {
		const acs = w.getComputedStyle(a);
		if (acs.overflowX === 'visible' && acs.overflowY === 'visible') continue;
		const b = a.getBoundingClientRect();
		const left = b.left + a.clientLeft - a.scrollLeft, top = b.top + a.clientTop - a.scrollTop;
		box = { left, top, right: left + a.scrollWidth, bottom: top + a.scrollHeight };
		break;
	}
	const grow = (n) => ({ left: r.left - n, top: r.top - n, right: r.right + n, bottom: r.bottom + n });
	const inside = (x) => Math.max(0, Math.min(x.right, box.right) - Math.max(x.left, box.left)) * Math.max(0, Math.min(x.bottom, box.bottom) - Math.max(x.top, box.top));
	const area = (x) => (x.right - x.left) * (x.bottom - x.top);
	const outer = grow(off + width), inner = grow(off);
	return (inside(outer) - inside(inner)) / (area(outer) - area(inner));
};
// How e and its parent look: what can show the focus.
const styles = (e) => [e, e.parentElement].filter(Boolean).map((x) => {
	const cs = w.getComputedStyle(x);
	return {
		outline: cs.outlineStyle === 'none' ? 'none' : cs.outlineWidth + ' ' + cs.outlineStyle + ' ' + cs.outlineColor,
		width: parseFloat(cs.outlineWidth),
		color: rgba(cs.outlineColor),
		shown: cs.outlineStyle === 'none' ? 0 : shown(x, cs),
		shadow: cs.boxShadow,
		shadowColor: rgba(cs.boxShadow),
		// An outline drawn inside the element is seen against its own
		// background; one drawn outside, against its parent's.
		behind: backdrop(parseFloat(cs.outlineOffset) + parseFloat(cs.outlineWidth) > 0 ? x.parentElement : x),
		bg: backdrop(x),
		border: rgba(cs.borderTopWidth === '0px' ? 'none' : cs.borderTopColor),
	};
});
// Why the focused look f (against the unfocused look u, when known) shows
// no focus; empty when it does.
const judge = (f, u) => {
	const why = [];
	for (const [i, x] of f.entries()) {
		const y = u?.[i];
		if (x.outline !== 'none' && x.width >= 2 && x.outline !== y?.outline) {
			const c = x.color ? contrast(over(x.color, x.behind), x.behind) : 0;
			if (c < 3) why.push('outline ' + x.outline + ' on ' + css(x.behind) + ': ' + c.toFixed(2) + ' < 3');
			else if (x.shown < 0.5) why.push('outline ' + Math.round(x.shown * 100) + '% shown');
			else return '';
		}
		if (x.shadow !== 'none' && x.shadow !== y?.shadow) {
			const c = x.shadowColor ? contrast(over(x.shadowColor, x.behind), x.behind) : 0;
			if (c >= 3) return '';
			why.push('box shadow ' + x.shadow + ' on ' + css(x.behind) + ': ' + c.toFixed(2) + ' < 3');
		}
		if (y && css(x.bg) !== css(y.bg)) {
			const c = contrast(x.bg, y.bg);
			if (c >= 3) return '';
			why.push('background ' + css(y.bg) + ' to ' + css(x.bg) + ': ' + c.toFixed(2) + ' < 3');
		}
		if (y && x.border && y.border && css(x.border) !== css(y.border)) {
			const c = contrast(over(x.border, x.bg), over(y.border, y.bg));
			if (c >= 3) return '';
			why.push('border ' + css(y.border) + ' to ' + css(x.border) + ': ' + c.toFixed(2) + ' < 3');
		}
	}
	return why.length ? why.join('; ') : 'no outline, shadow, background or border while focused' + (u ? '' : ' (judged focused only)');
};
// e as a person finds it: tag, #id, [data-testid] (or the one of the
// nearest element that has one) and label.
const describe = (e) => {
	const label = e.getAttribute('aria-label') || e.placeholder || e.textContent.trim() || e.name || '';
	const where = e.dataset.testid ? '[' + e.dataset.testid + ']' : e.parentElement?.closest('[data-testid]') ? ' in [' + e.parentElement.closest('[data-testid]').dataset.testid + ']' : '';
	return e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + where + ' "' + label.replace(/\s+/g, ' ').slice(0, 30) + '"';
};
const el = d.hasFocus() && d.activeElement !== d.body ? d.activeElement : null;
const unseen = [];
if (s.prev && (s.prev.el !== el || finish)) {
	const now = s.prev.el.isConnected && s.prev.el !== el ? styles(s.prev.el) : null;
	const why = judge(s.prev.styles, now);
	if (why) unseen.push(s.prev.what + ': ' + why);
	s.prev = null;
}
if (!el || finish) return { id: 0, frame: false, what: '', unseen };
if (el.tagName === 'IFRAME') return { id: 0, frame: true, what: '', unseen };
if (!s.ids.has(el)) s.ids.set(el, s.next++);
s.prev = { el, what: describe(el), styles: styles(el) };
return { id: s.ids.get(el), frame: false, what: s.prev.what, unseen };
`

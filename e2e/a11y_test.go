package e2e

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// TestBrowserAccessibleNames: every control a keyboard or screen-reader
// user meets on the main screens — the console's chat with a conversation
// open, its other pages, the widget's chat and FAQ, and the help center —
// has an accessible name (WCAG 4.1.2), in Korean and in English: an icon
// button says what it does, a field says what it is for.
func TestBrowserAccessibleNames(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	refund := seedShopFAQ(t, s)
	root := browser(t)
	agent := newTab(t, root, "agent")
	visitor := newTab(t, root, "visitor")
	reader := newTab(t, root, "reader") // of the help center
	desktop(agent)
	desktop(visitor)
	signIn(agent, s)
	openWidget(visitor, s.host.URL)
	agree(visitor)
	widgetSend(visitor, "주문한 찻잔 세트가 아직 안 왔어요. 언제 오나요?")
	id := firstRequest(agent)
	openAndAssign(agent, id)
	consoleSend(agent, "확인해 보겠습니다. 잠시만 기다려 주세요.")
	widgetShows(visitor, "agent", "확인해 보겠습니다. 잠시만 기다려 주세요.")

	var missing, outline, languages, mains []string
	screens := 0
	check := func(p *tab, where string, frame bool) {
		p.t.Helper()
		var got []string
		if frame {
			got = frameEval[[]string](p, unnamedControls)
		} else {
			got = eval[[]string](p, "(() => { const d = document; "+unnamedControls+" })()")
		}
		screens++
		for _, g := range got {
			missing = append(missing, where+": "+g)
		}
		var jumps []string
		if frame {
			jumps = frameEval[[]string](p, headingJumps)
		} else {
			jumps = eval[[]string](p, "(() => { const d = document; "+headingJumps+" })()")
		}
		for _, j := range jumps {
			outline = append(outline, where+": "+j)
		}
		// One main landmark, where a screen reader's "skip to main" goes:
		// the page shown (WCAG 1.3.1, 2.4.1).
		if !frame && !strings.HasSuffix(where, "host page") {
			if n := eval[int](p, `[...document.querySelectorAll('main, [role=main]')].filter((m) => m.checkVisibility()).length`); n != 1 {
				mains = append(mains, fmt.Sprintf("%s: %d", where, n))
			}
		}
		if !frame {
			for _, n := range eval[[]string](p, "(() => { const d = document; "+unmarkedLanguages+" })()") {
				languages = append(languages, where+": "+n)
			}
		}
	}
	for _, lang := range []string{"ko", "en"} {
		agent.click("[data-testid=nav-chat]")
		openConversation(agent, id)
		agent.waitFor("the customer panel", `document.querySelector('[data-testid=details]').dataset.state === 'open'`)
		check(agent, lang+" console chat", false)
		agent.click("[data-testid=nav-language]") // its menu's items, in their own languages
		agent.waitFor("the language menu", `document.querySelector('[data-testid=language-menu]').matches(':popover-open')`)
		check(agent, lang+" console language menu", false)
		agent.do("close the language menu", chromedp.KeyEvent(kb.Escape))
		for _, page := range []string{"tickets", "history", "stats", "settings", "team", "audit", "workspaces"} {
			openPage(agent, page)
			check(agent, lang+" console "+page, false)
		}
		agent.do("open the profile page", chromedp.Evaluate[chromedp.Void](`location.hash = '#/profile'`))
		agent.waitFor("the profile page", `document.querySelector('#app').dataset.page === 'profile' && document.querySelector('[data-testid=profile]').checkVisibility()`)
		check(agent, lang+" console profile", false)
		check(visitor, lang+" widget chat", true)
		visitor.frameClick("[data-testid=widget-faq-open]")
		visitor.waitFrame("the FAQ by category", `d.querySelectorAll('[data-testid=widget-faq-item]').length === 4`)
		check(visitor, lang+" widget FAQ", true)
		visitor.frameClick("[data-testid=widget-faq-close]")
		visitor.waitFrame("the chat again", `d.querySelector('[data-testid=widget-faq]').hidden`)
		check(visitor, lang+" host page", false)

		reader.goTo(fmt.Sprintf("%s/help/%s?lang=%s", s.baseURL, s.ws.SiteID, lang))
		reader.waitFor("the help center", `document.querySelector('main') !== null`)
		check(reader, lang+" help center", false)
		reader.goTo(fmt.Sprintf("%s/help/%s/articles/%d?lang=%s", s.baseURL, s.ws.SiteID, refund.ID, lang))
		reader.waitFor("the article", `document.querySelector('main h1') !== null`)
		check(reader, lang+" help article", false)
		if lang == "ko" {
			agent.click("[data-testid=nav-language]")
			agent.click("[data-testid=language-en]")
			agent.waitFor("English", `document.documentElement.lang === 'en'`)
			openWidget(visitor, s.host.URL+"?head="+url.QueryEscape(`<script>window.SodamSettings = {language: 'en'};</script>`))
			visitor.waitFrame("the English widget", `d.documentElement.lang === 'en' && d.querySelector('[data-testid=widget-input]')`)
		}
	}
	// The check finds a missing name where there is one: an icon button
	// with nothing to read is reported.
	agent.do("add a probe icon button", chromedp.Evaluate[chromedp.Void](`document.body.insertAdjacentHTML('afterbegin', '<button type=button data-testid=name-probe><svg viewBox="0 0 24 24" aria-hidden="true" width="24" height="24"><path d="M4 4h16v16H4z"/></svg></button>')`))
	if got := eval[[]string](agent, "(() => { const d = document; "+unnamedControls+" })()"); !slices.ContainsFunc(got, func(g string) bool { return strings.Contains(g, "[name-probe]") }) {
		t.Errorf("the name check reported %q for an icon button without a name", got)
	}
	agent.do("remove the probe", chromedp.Evaluate[chromedp.Void](`document.querySelector('[data-testid=name-probe]').remove()`))
	t.Logf("checked %d screens", screens)
	if len(missing) > 0 {
		t.Errorf("controls without an accessible name:\n%s", strings.Join(missing, "\n"))
	}
	if len(languages) > 0 {
		t.Errorf("language names a screen reader would read in the page's language (WCAG 3.1.2):\n%s", strings.Join(languages, "\n"))
	}
	if len(outline) > 0 {
		t.Errorf("headings that do not form an outline:\n%s", strings.Join(outline, "\n"))
	}
	if len(mains) > 0 {
		t.Errorf("screens without exactly one visible main landmark:\n%s", strings.Join(mains, "\n"))
	}
}

// unnamedControls is a function body over the document d that returns
// each visible control (link, button, field, focusable element) without an
// accessible name, computed as a browser does in short: aria-labelledby,
// aria-label, a label, text content (alt of images in it), value of an
// input button, title, placeholder.
const unnamedControls = `
const text = (e) => {
	if (e.nodeType === 3) return e.textContent;
	if (e.nodeType !== 1 || e.getAttribute('aria-hidden') === 'true' || e.hidden) return '';
	if (e.tagName === 'IMG') return e.alt || '';
	if (e.getAttribute('aria-label')) return e.getAttribute('aria-label');
	return [...e.childNodes].map(text).join(' ');
};
const name = (e) => {
	const by = e.getAttribute('aria-labelledby');
	if (by) return by.split(/\s+/).map((id) => d.getElementById(id)).filter(Boolean).map((x) => x.textContent).join(' ');
	if (e.getAttribute('aria-label')) return e.getAttribute('aria-label');
	if (e.labels && e.labels.length) return [...e.labels].map(text).join(' ');
	if (e.matches('input[type=submit], input[type=button], input[type=reset]')) return e.value;
	if (!e.matches('input, select, textarea')) {
		const t = text(e);
		if (t.trim()) return t;
	}
	return e.title || e.placeholder || '';
};
const sel = 'a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]:not([tabindex="-1"]), [role=button], [role=link], [role=menuitem], [role=menuitemradio], [role=tab], [role=checkbox], [role=switch], [role=option], [contenteditable=true]';
const out = [];
for (const e of d.querySelectorAll(sel)) {
	if (!e.checkVisibility({ visibilityProperty: true })) continue;
	if (e.closest('[aria-hidden=true], [inert]')) continue;
	if (name(e).trim()) continue;
	const where = e.dataset.testid ? '[' + e.dataset.testid + ']' : e.parentElement?.closest('[data-testid]') ? ' in [' + e.parentElement.closest('[data-testid]').dataset.testid + ']' : '';
	out.push(e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.type && e.tagName === 'INPUT' ? '[type=' + e.type + ']' : '') + where + (e.className && typeof e.className === 'string' ? ' .' + e.className.trim().split(/\s+/).join('.') : ''));
}
return out;
`

// TestBrowserWidgetFocusReturn: in the widget, what opens over the chat —
// the FAQ panel, the question before ending the chat, the rating form —
// closes on Escape or its own cancel button and gives the keyboard focus
// back to the button that opened it, with the chat still open; so a
// keyboard or screen-reader user keeps their place. The rating form's
// error describes its stars. The last Escape hides the chat and focuses
// the launcher.
func TestBrowserWidgetFocusReturn(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	seedShopFAQ(t, s)
	agent, visitor, _ := takenChat(t, s, "찻잔 세트 배송이 언제 되나요?")
	const reply = "오늘 오후에 출고됩니다."
	consoleSend(agent, reply)
	widgetShows(visitor, "agent", reply)
	visitor.waitFrame("the rate button once the agent replied", `d.querySelector('[data-testid=widget-rate]').checkVisibility()`)

	press := func(key, what string) {
		visitor.t.Helper()
		visitor.do("press "+what, chromedp.KeyEvent(key))
	}
	focusOn := func(id string) {
		visitor.t.Helper()
		frameEval[bool](visitor, `d.getElementById(`+js(id)+`).focus(); return true;`)
	}
	focusBack := func(what, opener, closed string) {
		visitor.t.Helper()
		visitor.waitFrame(what+" closed, the focus back on #"+opener,
			closed+` && d.activeElement?.id === `+js(opener)+` && d.hasFocus()`)
		if !eval[bool](visitor, `document.querySelector('#sodam-frame').checkVisibility()`) {
			visitor.fail("closing %s hid the chat", what)
		}
	}
	for _, how := range []string{"Escape", "cancel"} {
		focusOn("faq-open")
		press(kb.Enter, "Enter on the FAQ button")
		visitor.waitFrame("the FAQ panel, its search focused", `!d.querySelector('[data-testid=widget-faq]').hidden && d.activeElement?.dataset.testid === 'widget-faq-input'`)
		if how == "Escape" {
			press(kb.Escape, "Escape in the FAQ panel")
		} else {
			frameEval[bool](visitor, `d.querySelector('[data-testid=widget-faq-close]').focus(); return true;`)
			press(kb.Enter, "Enter on the FAQ panel's close button")
		}
		focusBack("the FAQ panel ("+how+")", "faq-open", `d.querySelector('[data-testid=widget-faq]').hidden`)

		focusOn("end")
		press(kb.Enter, "Enter on the end button")
		visitor.waitFrame("the end question, its cancel focused", `!d.querySelector('[data-testid=widget-end-dialog]').hidden && d.activeElement?.dataset.testid === 'widget-end-cancel'`)
		if how == "Escape" {
			press(kb.Escape, "Escape in the end question")
		} else {
			press(kb.Enter, "Enter on the end question's cancel button")
		}
		focusBack("the end question ("+how+")", "end", `d.querySelector('[data-testid=widget-end-dialog]').hidden`)

		focusOn("rate")
		press(kb.Enter, "Enter on the rate button")
		visitor.waitFrame("the rating form, its first star focused", `!d.querySelector('[data-testid=widget-rating-form]').hidden && d.activeElement?.dataset.testid === 'widget-rating-star-1'`)
		if how == "Escape" {
			press(kb.Escape, "Escape in the rating form")
		} else {
			frameEval[bool](visitor, `d.querySelector('[data-testid=widget-rating-cancel]').focus(); return true;`)
			press(kb.Enter, "Enter on the rating form's cancel button")
		}
		focusBack("the rating form ("+how+")", "rate", `d.querySelector('[data-testid=widget-rating-form]').hidden`)
	}
	// Sent without stars, the rating form says why, and the stars are
	// described by that.
	visitor.frameClick("[data-testid=widget-rate]")
	visitor.frameClick("[data-testid=widget-rating-submit]")
	visitor.waitFrame("the stars asked for", `d.querySelector('[data-testid=widget-rating-error]').textContent !== ''`)
	if got := frameEval[string](visitor, `const e = d.querySelector('[data-testid=widget-rating-stars]'); return (e.getAttribute('aria-describedby') ?? '').split(/\s+/).filter(Boolean).map((id) => d.getElementById(id)?.textContent ?? '').join(' ');`); got != frameEval[string](visitor, `return d.querySelector('[data-testid=widget-rating-error]').textContent;`) {
		visitor.fail("the stars are described by %q, not the rating form's error", got)
	}
	visitor.frameClick("[data-testid=widget-rating-cancel]")

	// The rating form's stars, empty and chosen, are 3:1 against the form
	// in the light and the dark, and differ in shape (an outline, filled).
	visitor.frameClick("[data-testid=widget-rate]")
	for _, scheme := range []string{"light", "dark"} {
		prefer(visitor, scheme)
		frameEval[bool](visitor, `d.querySelector('[data-testid=widget-rating-star-3]').click(); return true;`)
		got := frameEval[[]string](visitor, colourMath+`
const form = d.querySelector('[data-testid=widget-rating-form]');
const bg = layers(form).bg;
const out = [];
for (const [i, label] of [...d.querySelectorAll('[data-testid=widget-rating-stars] label')].entries()) {
	const cs = w.getComputedStyle(label.querySelector('.star'));
	const chosen = i < 3;
	const fill = rgba(cs.color), stroke = rgba(cs.webkitTextStrokeColor), width = parseFloat(cs.webkitTextStrokeWidth);
	const seen = Math.max(fill.a > 0 ? contrast(over(fill, bg), bg) : 0, width > 0 && stroke.a > 0 ? contrast(over(stroke, bg), bg) : 0);
	if (seen < 3) out.push('star ' + (i + 1) + (chosen ? ' (chosen)' : '') + ': ' + seen.toFixed(2) + ' < 3');
	if (!chosen && fill.a > 0) out.push('star ' + (i + 1) + ' (empty) is filled like a chosen one');
}
return out;`)
		if len(got) > 0 {
			visitor.fail("the rating stars in the %s scheme:\n%s", scheme, strings.Join(got, "\n"))
		}
	}
	press(kb.Escape, "Escape")
	visitor.waitFrame("the rating form closed", `d.querySelector('[data-testid=widget-rating-form]').hidden`)

	// In the dark, each control of the rating form and the end question
	// shows the keyboard focus.
	prefer(visitor, "dark")
	for _, c := range []struct{ opener, first string }{{"rate", "widget-rating-star-1"}, {"end", "widget-end-cancel"}} {
		focusOn(c.opener)
		press(kb.Enter, "Enter on #"+c.opener)
		visitor.waitFrame("the focus on "+c.first, `d.activeElement?.dataset.testid === `+js(c.first))
		if _, unseen := focusWalk(visitor, 4); len(unseen) > 0 {
			visitor.fail("no visible keyboard focus after #%s on:\n%s", c.opener, strings.Join(unseen, "\n"))
		}
		look(visitor, "widget-focus-"+c.opener+"-dark")
		press(kb.Escape, "Escape")
		visitor.waitFrame("#"+c.opener+"'s part closed", `d.querySelector('[data-testid=widget-rating-form]').hidden && d.querySelector('[data-testid=widget-end-dialog]').hidden`)
	}

	// With nothing open over the chat, Escape hides it and the launcher
	// has the focus.
	press(kb.Escape, "Escape in the chat")
	visitor.waitFor("the chat hidden, the launcher focused", `!document.querySelector('#sodam-frame').checkVisibility() && document.activeElement?.id === 'sodam-launcher'`)
}

// TestBrowserMessagesAnnounced: a screen reader reads a chat message that
// arrives, alone and politely, in the console and in the widget — and
// does not read the whole thread again when a conversation opens. The
// lists of messages are in no live region; a polite live region of their
// own says the line that just arrived, from the other side, and not the
// user's own message coming back from the server.
func TestBrowserMessagesAnnounced(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	const first = "어제 주문한 찻잔 세트 배송 조회가 안 돼요."
	agent, visitor, id := takenChat(t, s, first)
	const thread, widgetThread = `document.querySelector('[data-testid=messages]')`, `d.querySelector('[data-testid=widget-messages]')`
	const live, widgetLive = `document.querySelector('[data-testid=messages-live]')`, `d.querySelector('[data-testid=widget-messages-live]')`
	const inLive = `.closest('[aria-live], [role=log], [role=status], [role=alert]')`
	if where := eval[string](agent, `(() => { const r = `+thread+inLive+`; return r ? r.outerHTML.slice(0, 80) : ''; })()`); where != "" {
		agent.fail("the console's thread is inside a live region, read again whole as a conversation opens: %s", where)
	}
	if where := frameEval[string](visitor, `const r = `+widgetThread+inLive+`; return r ? r.outerHTML.slice(0, 80) : '';`); where != "" {
		visitor.fail("the widget's thread is inside a live region, read again whole as the chat opens: %s", where)
	}

	const reply = "주문 번호를 알려 주시면 바로 확인해 드릴게요."
	consoleSend(agent, reply)
	widgetShows(visitor, "agent", reply)
	visitor.waitFrame("the reply announced in the widget", widgetLive+`?.getAttribute('aria-live') === 'polite' && `+widgetLive+`.textContent.includes(`+js(reply)+`)`)
	if got := frameEval[string](visitor, `return `+widgetLive+`.textContent;`); strings.Contains(got, first) {
		visitor.fail("the widget announced %q, the thread before the reply too", got)
	}
	if got := eval[string](agent, live+`.textContent`); strings.Contains(got, reply) {
		agent.fail("the console announced the agent's own reply: %q", got)
	}

	const answer = "주문 번호는 20261207-0412입니다."
	widgetSend(visitor, answer)
	consoleShows(agent, "visitor", answer)
	agent.waitFor("the visitor's message announced in the console", live+`?.getAttribute('aria-live') === 'polite' && `+live+`.textContent.includes(`+js(answer)+`)`)
	if got := eval[string](agent, live+`.textContent`); strings.Contains(got, first) || strings.Contains(got, reply) {
		agent.fail("the console announced %q, the thread before the message too", got)
	}
	if got := frameEval[string](visitor, `return `+widgetLive+`.textContent;`); strings.Contains(got, answer) {
		visitor.fail("the widget announced the visitor's own message: %q", got)
	}

	// Opened again, the conversation's messages are shown, not announced.
	agent.goTo(s.baseURL + "/console/")
	agent.do("open the conversation", chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`location.hash = '#/c/%d'`, id)))
	agent.waitFor("the conversation loaded", `document.querySelector('[data-testid=conversation]').dataset.state === 'ready'`)
	consoleShows(agent, "visitor", answer)
	if got := eval[string](agent, live+`.textContent`); got != "" {
		agent.fail("opening the conversation announced %q", got)
	}
}

// TestBrowserFieldErrors: a refused field says why to a screen reader
// whenever it has the focus, not only once as the error appears: it is
// aria-invalid and aria-describedby names the words of the error; typing
// in it takes both away. Checked on the sign-in form (a wrong password),
// the new ticket dialog (no subject) and the customer panel (a bad
// email).
func TestBrowserFieldErrors(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	root := browser(t)
	agent := newTab(t, root, "agent")
	// describedBy is the text of the elements a field's aria-describedby
	// names.
	describedBy := func(sel string) string {
		agent.t.Helper()
		return eval[string](agent, `(() => { const e = document.querySelector(`+js(sel)+`); return (e.getAttribute('aria-describedby') ?? '').split(/\s+/).filter(Boolean).map((id) => document.getElementById(id)?.textContent ?? '').join(' ').trim(); })()`)
	}

	agent.goTo(s.baseURL + "/console/")
	agent.waitFor("the sign-in form", `!document.querySelector('#login').hidden`)
	agent.do("sign in with a wrong password",
		chromedp.SendKeys(chromedp.CSS("[data-testid=login-email]"), adminEmail),
		chromedp.SendKeys(chromedp.CSS("[data-testid=login-password]"), "wrong-password-1"))
	agent.click("[data-testid=login-submit]")
	agent.waitFor("the refusal", `document.querySelector('[data-testid=login-error]').textContent !== ''`)
	refusal := eval[string](agent, `document.querySelector('[data-testid=login-error]').textContent`)
	for _, f := range []string{"[data-testid=login-email]", "[data-testid=login-password]"} {
		if got := describedBy(f); got != refusal {
			agent.fail("%s is described by %q, want the refusal %q", f, got, refusal)
		}
	}

	signIn(agent, s)
	openPage(agent, "tickets")
	agent.click("[data-testid=ticket-new]")
	agent.waitFor("the new ticket dialog", `document.querySelector('[data-testid=ticket-new-subject]')?.checkVisibility()`)
	agent.click("[data-testid=ticket-new-save]")
	const subject = "[data-testid=ticket-new-subject]"
	agent.waitFor("the subject refused", `document.querySelector(`+js(subject)+`).getAttribute('aria-invalid') === 'true'`)
	if got := describedBy(subject); got != "제목을 입력하세요." {
		agent.fail("the refused subject is described by %q, want its error", got)
	}
	agent.do("type a subject", chromedp.SendKeys(chromedp.CSS(subject), "찻잔 세트 교환 요청"))
	if got := eval[string](agent, `(() => { const e = document.querySelector(`+js(subject)+`); return (e.getAttribute('aria-invalid') ?? '') + (e.getAttribute('aria-describedby') ?? ''); })()`); got != "" {
		agent.fail("the subject stays marked refused after typing: %q", got)
	}
	agent.click("[data-testid=ticket-new-cancel]")

	visitor := newTab(t, root, "visitor")
	openWidget(visitor, s.host.URL)
	agree(visitor)
	widgetSend(visitor, "교환 접수했는데 연락이 없어요.")
	agent.click("[data-testid=nav-chat]")
	id := firstRequest(agent)
	openAndAssign(agent, id)
	agent.waitFor("the customer panel", `document.querySelector('[data-testid=details]').dataset.state === 'open' && !document.querySelector('[data-testid=customer-form] fieldset').disabled`)
	agent.do("type a bad email", chromedp.SendKeys(chromedp.CSS("[data-testid=customer-email]"), "minji-at-example"))
	agent.click("[data-testid=customer-save]")
	agent.waitFor("the email refused", `document.querySelector('[data-testid=customer-email]').getAttribute('aria-invalid') === 'true'`)
	if got, want := describedBy("[data-testid=customer-email]"), eval[string](agent, `document.querySelector('[data-testid=customer-error]').textContent`); got != want || want == "" {
		agent.fail("the refused email is described by %q, want the refusal %q", got, want)
	}
}

// headingJumps is a function body over the document d that returns what
// keeps the visible headings from forming an outline: no h1, or a heading
// more than one level below the one before it (an h2 then an h4).
const headingJumps = `
const hs = [...d.querySelectorAll('h1, h2, h3, h4, h5, h6, [role=heading]')].filter((h) => h.checkVisibility() && !h.closest('[aria-hidden=true]'));
const level = (h) => Number(h.getAttribute('aria-level') || h.tagName.slice(1)) || 2;
const out = [];
if (hs.length && !hs.some((h) => level(h) === 1)) out.push('no h1 among ' + hs.map((h) => h.tagName.toLowerCase() + ' "' + h.textContent.trim().slice(0, 20) + '"').join(', '));
let prev = 0;
for (const h of hs) {
	const l = level(h);
	if (prev && l > prev + 1) out.push('h' + l + ' "' + h.textContent.trim().slice(0, 30) + '" after an h' + prev);
	prev = l;
}
return out;
`

// TestBrowserConsoleDialogs: the console's dialogs and menus, opened from
// the keyboard, take the focus and close on Escape, giving the focus back
// to the button that opened them. A dialog keeps the focus while open
// (Tab never reaches the page behind it) and shows it on each of its
// controls in the dark scheme; a menu's arrow keys move between its
// items, and Tab out of it closes it.
func TestBrowserConsoleDialogs(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	agent, _, _ := takenChat(t, s, "환불 요청드렸는데 처리됐는지 궁금해요.")
	desktop(agent)
	prefer(agent, "dark")
	active := `(() => { const a = document.activeElement; return a && a !== document.body ? a.outerHTML.slice(0, 80) : ''; })()`
	for _, c := range []struct {
		opener, dialog, page string
		menu                 bool
	}{
		{"[data-testid=transfer-button]", "[data-testid=transfer-dialog]", "chat", false},
		{"[data-testid=block-button]", "[data-testid=block-dialog]", "chat", false},
		{"[data-testid=close-button]", "[data-testid=wrapup-dialog]", "chat", false},
		{"[data-testid=agent-avatar]", "[data-testid=account-menu]", "chat", true},
		{"[data-testid=nav-language]", "[data-testid=language-menu]", "chat", true},
		{"[data-testid=ticket-new]", "dialog:has([data-testid=ticket-new-subject])", "tickets", false},
	} {
		if c.page != "chat" {
			openPage(agent, c.page)
		}
		open := `(document.querySelector(` + js(c.dialog) + `)?.matches(':modal, :popover-open'))`
		inside := `document.querySelector(` + js(c.dialog) + `).contains(document.activeElement)`
		openIt := func() {
			agent.t.Helper()
			agent.waitFor(c.opener, `document.querySelector(`+js(c.opener)+`)?.checkVisibility()`)
			agent.do("focus "+c.opener, chromedp.Evaluate[chromedp.Void](`document.querySelector(`+js(c.opener)+`).focus()`))
			agent.do("press Enter on "+c.opener, chromedp.KeyEvent(kb.Enter))
			agent.waitFor(c.dialog+" open with the focus inside", open+` && `+inside)
		}
		openIt()
		agent.do("press Tab", chromedp.KeyEvent(kb.Tab)) // a ring to look at
		look(agent, "dialog-"+strings.Trim(strings.TrimPrefix(c.opener, "[data-testid="), "]"))
		if c.menu {
			first := eval[string](agent, active)
			agent.do("press the down arrow", chromedp.KeyEvent(kb.ArrowDown))
			if got := eval[string](agent, active); got == first || !eval[bool](agent, inside) {
				agent.fail("the down arrow in %s moved the focus from %s to %s", c.dialog, first, got)
			}
		} else {
			// Each control in it shows the focus (the focus check of
			// TestBrowserKeyboardFocus), in the dark scheme.
			if _, unseen := focusWalk(agent, 12); len(unseen) > 0 {
				agent.fail("no visible keyboard focus in %s on:\n%s", c.dialog, strings.Join(unseen, "\n"))
			}
			for i := range 12 {
				agent.do("press Tab", chromedp.KeyEvent(kb.Tab))
				if eval[bool](agent, `!`+inside) && eval[string](agent, active) != "" {
					agent.fail("Tab %d in %s reached the page behind it: %s", i+1, c.dialog, eval[string](agent, active))
					break
				}
			}
		}
		agent.do("press Escape", chromedp.KeyEvent(kb.Escape))
		agent.waitFor(c.dialog+" closed, the focus back on "+c.opener, `!`+open+` && document.activeElement === document.querySelector(`+js(c.opener)+`)`)
		if c.menu {
			openIt()
			for range 12 {
				agent.do("press Tab", chromedp.KeyEvent(kb.Tab))
				if eval[bool](agent, `!`+inside) {
					break
				}
			}
			agent.waitFor("Tab out of "+c.dialog+" to close it", `!`+open)
		}
	}
}

// unmarkedLanguages is a function body over the document d that returns
// the names of languages written in their own language ("한국어",
// "English": a language menu's items) whose element does not say that
// language (lang), for a screen reader to read them in its voice.
const unmarkedLanguages = `
const own = { '한국어': 'ko', 'English': 'en' };
const out = [];
for (const e of d.querySelectorAll('a, button, option, span, li')) {
	const want = own[e.textContent.trim()];
	if (!want || e.closest('[hidden]')) continue;
	const lang = e.closest('[lang]')?.lang ?? '';
	if (lang !== want) out.push(e.tagName.toLowerCase() + (e.dataset.testid ? '[' + e.dataset.testid + ']' : '') + ' "' + e.textContent.trim() + '" in lang "' + lang + '"');
}
return out;
`

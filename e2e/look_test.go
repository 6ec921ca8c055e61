package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/sodam-chat/sodam/internal/chat"
)

// A tour of every screen as a person sees it (§14, §15): the console's
// pages, the widget's views and the help center, at 1366×768 and on a
// phone, in Korean and in English, in the light and the dark scheme. On
// each, screenProblems measures what a person would notice: the page
// scrolling sideways, a control out of reach, words cut off, a catalog
// key or the other language's words shown. Each screen is saved (look)
// for a person to see.

// tourName is a customer's name as long as they get, in Korean and in
// English, with markup that must show as text.
const tourName = "남궁서연 <b>Seoyeon</b> Namgung-Whitfield (주식회사 소담상사)"

// longWord is a message with nowhere to break: a pasted tracking link.
const longWord = "https://tracking.example.com/parcel/2026120400310000000000000000000000000000?carrier=cj&lang=ko&ref=sodam-shop-order-20260412-0031-gift-wrap"

// catalogTexts are the words of the UI's catalogs in lang that differ
// from the other language's: what a screen in the other language must not
// show (a placeholder {x} matches anything).
func catalogTexts(t *testing.T, lang string) []string {
	t.Helper()
	other := map[string]string{"ko": "en", "en": "ko"}[lang]
	var out []string
	for _, dir := range []string{"console", "shared", "widget", "help"} {
		read := func(l string) map[string]string {
			b, err := os.ReadFile(filepath.Join("..", "internal", "web", dir, "i18n", l+".json"))
			if err != nil {
				t.Fatal(err)
			}
			m := map[string]string{}
			if err := json.Unmarshal(b, &m); err != nil {
				t.Fatal(err)
			}
			return m
		}
		mine, theirs := read(lang), read(other)
		for k, v := range mine {
			// Words of the language itself, outside placeholders: short
			// ones (OK, ID) and names of languages are alike in both.
			words := placeholder.ReplaceAllString(v, "")
			if v != theirs[k] && !strings.HasPrefix(k, "lang.") && (lang == "en" && latin.MatchString(words) && !hangul.MatchString(words) || lang == "ko" && hangul.MatchString(words)) {
				out = append(out, v)
			}
		}
	}
	return out
}

var (
	placeholder = regexp.MustCompile(`\{[a-z_]+\}`)
	latin       = regexp.MustCompile(`[A-Za-z]{3,}`)
	hangul      = regexp.MustCompile(`\p{Hangul}`)
)

// screenProblems is a script body run with w a window and d its document
// (as frameEval's), given lang the screen's language and foreign the
// other language's catalog texts: it lists what is wrong on the screen.
func screenProblems(lang string, foreign []string) string {
	f, _ := json.Marshal(foreign)
	return `
	const lang = ` + js(lang) + `, foreign = ` + string(f) + `;
	const problems = [];
	const W = w.innerWidth;
	const name = (el) => (el.dataset?.testid ? '[' + el.dataset.testid + ']' : el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + [...el.classList].map((c) => '.' + c).join('')) + ' "' + (el.textContent || el.placeholder || el.value || '').trim().slice(0, 30) + '"';
	const de = d.documentElement;
	if (de.scrollWidth > W + 1) {
		const wide = [...d.body.querySelectorAll('*')].filter((el) => el.checkVisibility() && el.getBoundingClientRect().right > W + 1).slice(-3).map(name);
		problems.push('the page scrolls sideways (' + de.scrollWidth + ' > ' + W + '): ' + wide.join(', '));
	}
	// The console is a frame of the window's height whose panes and pages
	// scroll inside it: the whole of it scrolling means something does not
	// fit (the side bar on a laptop's short window), and shows below the
	// frame, on no background of its own.
	if (d.getElementById('app')?.checkVisibility() && de.scrollHeight > w.innerHeight + 1) {
		const below = [...d.body.querySelectorAll('a[href], button')].filter((el) => el.checkVisibility() && el.getBoundingClientRect().bottom > w.innerHeight + 1).slice(0, 3).map(name);
		problems.push('the console scrolls as a whole (' + de.scrollHeight + ' > ' + w.innerHeight + '): ' + below.join(', '));
	}
	// Whether el is cut off by a box that scrolls or hides sideways (a
	// strip of tabs may scroll: its content is reached).
	const scroller = (el) => {
		for (let a = el.parentElement; a && a !== d.body; a = a.parentElement) {
			const o = w.getComputedStyle(a).overflowX;
			if (o === 'auto' || o === 'scroll') return true;
		}
		return false;
	};
	// The other language's texts, those with {placeholders} as one
	// pattern: made once, not once for each text on the screen.
	const exactly = new Set(foreign.filter((f) => !f.includes('{')));
	const patterns = foreign.filter((f) => f.includes('{')).map((f) => f.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[a-z_]+\}/g, '.+'));
	const anyPattern = new RegExp('^(?:' + (patterns.join('|') || '(?!)') + ')$', 's');
	const isForeign = (s) => exactly.has(s) || anyPattern.test(s);
	// What people wrote (a message, a ticket's subject, a name) may read
	// like a catalog text ("…요청 건" like "{n}건"): it is not the UI's.
	const ignore = (el) => el.closest('[data-user-text], .bubble, [data-testid=conversation-title], pre, code, [data-testid=snippet], [data-testid=workspace-name], [data-testid=ticket-subject], .ticket-name, .ticket-who');
	const texts = [];
	const walk = d.createTreeWalker(d.body, NodeFilter.SHOW_TEXT);
	for (let n; (n = walk.nextNode());) {
		const s = n.textContent.trim(), el = n.parentElement;
		if (s && el && !['SCRIPT', 'STYLE', 'OPTION'].includes(el.tagName) && el.checkVisibility()) texts.push([s, el]);
	}
	for (const el of d.body.querySelectorAll('[placeholder], [aria-label], [title]')) {
		if (!el.checkVisibility()) continue;
		// (An audit entry's changed field has its code on hover, on purpose.)
		for (const a of ['placeholder', 'aria-label', 'title']) if (el.getAttribute(a) && !(a === 'title' && el.matches('.change-key'))) texts.push([el.getAttribute(a).trim(), el]);
	}
	for (const [s, el] of texts) {
		if (ignore(el) || s === 'Admin') continue; // the admin's name
		if (/^[a-z_]+(\.[a-z0-9_]+)+$/.test(s)) problems.push('a catalog key shown: ' + name(el) + ' ' + s);
		// A time as the server sends it (UTC, to the nanosecond) is read
		// by no one: times show in the workspace's zone.
		// An empty quotation (a message made for a query, shown with none).
		if (/“”|‘’|""/.test(s)) problems.push('an empty quotation shown: ' + name(el) + ' ' + s);
		if (/\d{4}-\d\d-\d\dT\d\d:\d\d/.test(s)) problems.push('a raw timestamp shown: ' + name(el) + ' ' + s);
		if (isForeign(s)) problems.push('the other language on a ' + lang + ' screen: ' + name(el) + ' ' + JSON.stringify(s));
	}
	// The offer to turn on notifications keeps its dismiss button on a
	// line with its words or its button, not alone under them.
	for (const x of d.querySelectorAll('[data-testid=notify-offer-dismiss]')) {
		if (!x.checkVisibility()) continue;
		const mid = (r) => (r.top + r.bottom) / 2, xr = x.getBoundingClientRect();
		const beside = [x.parentElement.querySelector('p'), x.parentElement.querySelector('[data-testid=notify-offer-enable]')].some((el) => { const r = el.getBoundingClientRect(); return mid(xr) > r.top && mid(xr) < r.bottom; });
		if (!beside) problems.push('the notification offer\'s dismiss button on a line of its own');
	}
	// The audit log names what an entry changed in the screen's language
	// (the field's code on hover), not by the code: "title", "category_id".
	for (const k of d.querySelectorAll('.changes .change-key')) {
		if (k.checkVisibility() && k.textContent.replace(/: $/, '') === k.title) problems.push('a changed field shown by its code: ' + k.title);
	}
	// A message's bubble holds its words, however long (it wraps).
	for (const b of d.querySelectorAll('.bubble')) {
		if (b.checkVisibility() && b.scrollWidth > b.clientWidth + 1) problems.push('a message wider than its bubble: ' + name(b) + ' (' + b.scrollWidth + ' in ' + b.clientWidth + ')');
		const r = b.getBoundingClientRect();
		if (b.checkVisibility() && r.right > W + 1) problems.push('a bubble beyond the window: ' + name(b));
	}
	// The widget's read receipt sits on its time's line: the same size
	// and the same bottom, so one baseline.
	for (const r of d.querySelectorAll('[data-testid=widget-read-receipt]')) {
		const m = r.closest('li').querySelector('.meta');
		const fr = w.getComputedStyle(r).fontSize, fm = w.getComputedStyle(m).fontSize;
		// The boxes of the words themselves: of one font and size, their
		// bottoms are one baseline apart from it.
		const words = (el) => { const range = d.createRange(); range.selectNodeContents(el); return range.getBoundingClientRect().bottom; };
		if (r.checkVisibility() && (fr !== fm || Math.abs(words(r) - words(m)) > 0.5)) {
			problems.push('the read receipt is off its time\'s line: ' + fr + ' beside ' + fm + ', bottom ' + words(r) + ' beside ' + words(m));
		}
	}
	// A time shown gives the exact time on hover (§15), unless it is
	// exact already (a changed value in the audit log, a day).
	for (const el of d.querySelectorAll('time, sodam-time')) {
		if (el.closest('.changes') || /^\d{4}-\d\d-\d\d$/.test(el.textContent.trim())) continue;
		if (el.checkVisibility() && el.textContent.trim() && !el.title && !el.closest('[title]')) problems.push('a time without its exact time on hover: ' + name(el));
	}
	// A box that scrolls sideways hides part of what it holds on a
	// screen that has no room for it.
	for (const el of d.body.querySelectorAll('*')) {
		// Fields scroll their text, wide tables their columns (in a
		// .table-wrap), an ellipsis ends what is cut on purpose, and what
		// is hidden for screen readers has no width.
		if (['TEXTAREA', 'INPUT', 'SELECT', 'PRE', 'CODE'].includes(el.tagName) || el.classList.contains('table-wrap') || !el.checkVisibility()) continue;
		const cs = w.getComputedStyle(el), o = cs.overflowX;
		if ((o === 'auto' || o === 'scroll' || o === 'hidden') && el.scrollWidth > el.clientWidth + 1 && el.clientWidth > 1 && cs.textOverflow !== 'ellipsis') {
			const r = el.getBoundingClientRect();
			const inner = (c) => {
				for (let a = c.parentElement; a && a !== el; a = a.parentElement) if (w.getComputedStyle(a).overflowX !== 'visible') return true;
				return false;
			};
			const wide = [...el.querySelectorAll('*')].filter((c) => c.getBoundingClientRect().right > r.right + 1 && !inner(c)).slice(0, 3).map(name);
			problems.push('a box scrolls or clips sideways (' + o + '): ' + name(el) + ' (' + el.scrollWidth + ' in ' + el.clientWidth + '): ' + wide.join(', '));
		}
	}
	// A one-line field is about a line high: one stretched by the layout
	// around it (a flex basis meant for its width taken as its height)
	// looks like a box to write a letter in.
	for (const el of d.body.querySelectorAll('input:not([type=checkbox], [type=radio], [type=color], [type=file], [type=range], [type=hidden]), select:not([multiple], [size])')) {
		if (!el.checkVisibility()) continue;
		const h = el.getBoundingClientRect().height, fs = parseFloat(w.getComputedStyle(el).fontSize);
		if (h > 4 * fs) problems.push('a one-line field stretched tall: ' + name(el) + ' (' + Math.round(h) + 'px for ' + fs + 'px text)');
	}
	// Words cut short with an ellipsis (a long name in a list) are whole
	// on hover.
	for (const el of d.body.querySelectorAll('*')) {
		if (['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName) || !el.checkVisibility()) continue;
		const cs = w.getComputedStyle(el);
		if (cs.textOverflow === 'ellipsis' && el.scrollWidth > el.clientWidth + 1 && !el.closest('[title]')) problems.push('cut with an ellipsis and nothing on hover: ' + name(el));
	}
	// A group's heading (a legend) starts where what it heads starts, in
	// a group drawn without a box: a legend's own padding moved it in.
	for (const f of d.body.querySelectorAll('fieldset')) {
		const lg = f.querySelector(':scope > legend'), cs = w.getComputedStyle(f);
		if (!lg || !lg.checkVisibility() || parseFloat(cs.borderLeftWidth) > 0) continue;
		const range = d.createRange();
		range.selectNodeContents(lg);
		const off = range.getBoundingClientRect().left - (f.getBoundingClientRect().left + parseFloat(cs.paddingLeft));
		if (Math.abs(off) > 1) problems.push('a group heading out of line by ' + off.toFixed(1) + 'px: ' + name(lg));
	}
	// A field's hint longer than the field ends in an ellipsis, so it is
	// seen to go on rather than read as the whole (“(예: 환불,”).
	const ruler = d.createElement('canvas').getContext('2d');
	for (const el of d.body.querySelectorAll('input[placeholder]')) {
		if (!el.checkVisibility() || el.value || !el.placeholder) continue;
		const cs = w.getComputedStyle(el);
		ruler.font = cs.font;
		const room = el.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
		if (ruler.measureText(el.placeholder).width > room + 1 && cs.textOverflow !== 'ellipsis') problems.push('a field\'s hint cut off without an ellipsis: ' + name(el));
	}
	// Controls a person must reach: inside the window sideways (unless in
	// a strip that scrolls), whole, with their label not cut off.
	for (const el of d.body.querySelectorAll('button, a[href], input:not([type=hidden]), select, textarea, [role=tab]')) {
		if (!el.checkVisibility() || el.closest('[hidden], dialog:not([open])')) continue;
		const r = el.getBoundingClientRect();
		if (r.width < 1 || r.height < 1) continue;
		if ((r.right > W + 1 || r.left < -1) && !scroller(el)) problems.push('out of reach sideways: ' + name(el) + ' at ' + Math.round(r.left) + '–' + Math.round(r.right));
		if ((el.tagName === 'BUTTON' || el.getAttribute('role') === 'tab') && el.textContent.trim() && el.scrollWidth > el.clientWidth + 1 && w.getComputedStyle(el).textOverflow !== 'ellipsis') problems.push('a button cut off: ' + name(el) + ' (' + el.scrollWidth + ' in ' + el.clientWidth + ')');
	}
	return problems;`
}

// checkScreen saves the tab's screen as name and fails on its problems;
// inFrame checks the widget's frame rather than the page.
func checkScreen(p *tab, name, lang string, foreign []string, inFrame bool) {
	p.t.Helper()
	// Let the page lay out in its size and words.
	eval[any](p, `new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r(null))))`)
	look(p, "tour-"+name)
	var problems []string
	if inFrame {
		problems = frameEval[[]string](p, screenProblems(lang, foreign))
	} else {
		problems = eval[[]string](p, "(() => { const w = window, d = document; "+screenProblems(lang, foreign)+" })()")
	}
	if len(problems) > 0 {
		p.t.Errorf("%s: %s:\n  %s", p.name, name, strings.Join(problems, "\n  "))
	}
}

// TestBrowserTour walks every screen at both sizes, in both languages and
// both schemes, with a long customer name, and checks each (checkScreen).
func TestBrowserTour(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	refund := seedShopFAQ(t, s)
	// The widget's title as long as companies make it.
	ws, err := s.node.Store.Workspace(context.Background(), s.ws.ID)
	if err != nil {
		t.Fatal(err)
	}
	ws.Title = "소담 상점 고객센터 · Sodam Tea Shop Customer Care (평일 09:00–18:00)"
	if _, err := s.node.Store.UpdateWorkspace(context.Background(), ws, chat.Who{}); err != nil {
		t.Fatal(err)
	}
	agent, visitor, id := takenChat(t, s, "안녕하세요, 대량 구매 견적 문의드립니다. 찻잔 세트 50개를 회사 선물용으로 주문하려고 하는데 배송은 언제쯤 가능할까요?")
	api[map[string]any](agent, s, "PATCH", fmt.Sprintf("/conversations/%d/customer", id), map[string]any{"name": tourName})
	consoleSend(agent, "네, 견적 도와드리겠습니다. Thank you for reaching out — we'll check the stock right away.")
	widgetShows(visitor, "agent", "네, 견적 도와드리겠습니다. Thank you for reaching out — we'll check the stock right away.")
	// A line with no spaces to break it at, as pasted links and order
	// numbers come.
	widgetSend(visitor, longWord)
	consoleShows(agent, "visitor", longWord)
	ticket := api[struct {
		ID int64 `json:"id"`
	}](agent, s, "POST", "/tickets", map[string]any{"subject": "대량 구매 견적: " + tourName, "conversation_id": id})

	foreign := map[string][]string{"ko": catalogTexts(t, "en"), "en": catalogTexts(t, "ko")}
	// The sign-in page with a wrong password, before the tour.
	stranger := newTab(t, browser(t), "stranger")
	for _, lang := range []string{"ko", "en"} {
		for _, onPhone := range []bool{false, true} {
			if onPhone {
				phone(stranger)
			} else {
				desktop(stranger)
			}
			stranger.goTo(s.baseURL + "/console/")
			eval[any](stranger, `import('/console/i18n.js').then((m) => m.chooseLanguage(`+js(lang)+`)).then(() => null)`)
			stranger.waitFor("the sign-in form in "+lang, `document.documentElement.lang === `+js(lang)+` && document.querySelector('[data-testid=login-form]')?.checkVisibility()`)
			fill(stranger, "[data-testid=login-email]", adminEmail)
			fill(stranger, "[data-testid=login-password]", "not the password")
			stranger.click("[data-testid=login-submit]")
			stranger.waitFor("the refusal", `document.querySelector('[data-testid=login-error]').textContent !== ''`)
			name := fmt.Sprintf("login-%s-%s", map[bool]string{false: "laptop", true: "phone"}[onPhone], lang)
			checkScreen(stranger, name, lang, foreign[lang], false)
		}
	}
	for _, c := range []struct {
		lang, scheme string
		phone        bool
	}{{"ko", "light", false}, {"en", "dark", false}, {"ko", "dark", true}, {"en", "light", true}} {
		size := map[bool]string{false: "laptop", true: "phone"}[c.phone]
		at := fmt.Sprintf("%s-%s-%s", size, c.lang, c.scheme)
		for _, p := range []*tab{agent, visitor} {
			if c.phone {
				phone(p)
			} else {
				desktop(p)
			}
			prefer(p, c.scheme)
		}
		agent.goTo(s.baseURL + "/console/#/")
		agent.waitFor("the console", `document.querySelector('[data-testid=connection]')?.dataset.state === 'live'`)
		eval[any](agent, `import('/console/i18n.js').then((m) => m.chooseLanguage(`+js(c.lang)+`)).then(() => null)`)
		agent.waitFor("the console in "+c.lang, `document.documentElement.lang === `+js(c.lang))
		checkScreen(agent, "chats-"+at, c.lang, foreign[c.lang], false)
		// The account menu (on a phone, where the pages the bottom bar
		// has no room for are).
		agent.click("[data-testid=agent-avatar]")
		agent.waitFor("the account menu", `document.querySelector('[data-testid=account-menu]').matches(':popover-open')`)
		checkScreen(agent, "account-menu-"+at, c.lang, foreign[c.lang], false)
		agent.click("[data-testid=agent-avatar]")
		agent.waitFor("the account menu closed", `!document.querySelector('[data-testid=account-menu]').matches(':popover-open')`)
		agent.click("[data-testid=tab-mine]")
		openConversation(agent, id)
		checkScreen(agent, "chat-"+at, c.lang, foreign[c.lang], false)
		// "#" and "?" alone, with no canned response written yet: each list
		// says what to do, not that nothing matches an empty “”.
		for _, mark := range []string{"#", "?"} {
			list := map[string]string{"#": "canned-none", "?": "faq-none"}[mark]
			consoleType(agent, mark)
			agent.waitFor("the list for "+mark, `document.querySelector('[data-testid=`+list+`]')?.checkVisibility()`)
			checkScreen(agent, list+"-"+at, c.lang, foreign[c.lang], false)
			clearComposer(agent)
		}
		if c.phone {
			agent.click("[data-testid=info-button]")
			checkScreen(agent, "panel-"+at, c.lang, foreign[c.lang], false)
		}
		for _, page := range []string{"tickets", "history", "stats", "settings", "team", "audit", "workspaces", "profile"} {
			agent.goTo(s.baseURL + "/console/#/" + page)
			agent.waitFor("the "+page+" page", `document.querySelector('#app').dataset.page === `+js(page))
			// What the page loads arrives (a list drawn on a phone, too).
			eval[any](agent, `new Promise((r) => setTimeout(() => r(null), 500))`)
			checkScreen(agent, page+"-"+at, c.lang, foreign[c.lang], false)
			if page == "settings" {
				// The FAQ's export and import buttons, at the end.
				eval[any](agent, `document.querySelector('[data-testid=faq-export-json]').scrollIntoView({block: 'center'})`)
				checkScreen(agent, "settings-faq-"+at, c.lang, foreign[c.lang], false)
			}
			switch page {
			case "tickets":
				// Beside the list, before a ticket is chosen, the empty half
				// says what goes there (a phone shows the list alone).
				if !c.phone {
					agent.waitFor("the ticket placeholder", `document.querySelector('[data-testid=ticket-placeholder]')?.checkVisibility() && document.querySelector('[data-testid=ticket-placeholder]').textContent === `+js(map[string]string{"ko": "왼쪽 목록에서 티켓을 선택하세요.", "en": "Choose a ticket from the list."}[c.lang]))
				}
				agent.click("[data-testid=ticket-new]")
				agent.waitFor("the new ticket dialog", `document.querySelector('[data-testid=ticket-new-subject]')?.checkVisibility()`)
				agent.click("[data-testid=ticket-new-save]")
				// Without a subject: the refusal names the field in the
				// screen's language, at the field.
				agent.waitFor("the new ticket's error in "+c.lang, `document.querySelector('[data-testid=ticket-new-error]').textContent === `+js(map[string]string{"ko": "제목을 입력하세요.", "en": "Enter a subject."}[c.lang])+
					` && document.activeElement === document.querySelector('[data-testid=ticket-new-subject]') && document.activeElement.getAttribute('aria-invalid') === 'true'`)
				checkScreen(agent, "ticket-new-"+at, c.lang, foreign[c.lang], false)
				agent.click("[data-testid=ticket-new-cancel]")
			case "history":
				agent.click("[data-testid=history-result] .history-item")
				agent.waitFor("the history panel", `document.querySelector('[data-testid=history-panel]')?.checkVisibility() && document.querySelectorAll('[data-testid=history-message]').length > 0`)
				checkScreen(agent, "history-panel-"+at, c.lang, foreign[c.lang], false)
			case "team":
				agent.click("[data-testid=team-invite]")
				agent.waitFor("the invite dialog", `document.querySelector('dialog[open]') !== null`)
				checkScreen(agent, "team-invite-"+at, c.lang, foreign[c.lang], false)
				eval[any](agent, `document.querySelector('dialog[open]').close()`)
			}
			if page == "audit" {
				// Entries of the start-up and the operator's commands, by
				// the system, say so in the screen's language.
				agent.waitFor("the system's entries named in "+c.lang, `[...document.querySelectorAll('[data-testid=audit-entry] [data-field=actor]')].some((a) => a.textContent === `+js(map[string]string{"ko": "시스템", "en": "System"}[c.lang])+`)`)
			}
		}
		agent.goTo(fmt.Sprintf("%s/console/#/tickets/%d", s.baseURL, ticket.ID))
		agent.waitFor("the ticket", `document.querySelector('[data-testid=ticket-view]')?.checkVisibility()`)
		checkScreen(agent, "ticket-"+at, c.lang, foreign[c.lang], false)
		// Nothing is written in the ticket yet: its thread says so.
		agent.waitFor("the empty thread explained", `document.querySelector('[data-testid=ticket-thread-empty]')?.checkVisibility() && document.querySelector('[data-testid=ticket-thread-empty]').textContent.includes(`+js(map[string]string{"ko": "상담 내용", "en": "Chat transcript"}[c.lang])+`)`)

		// The help center, in the language the reader's browser asks for.
		agent.goTo(s.baseURL + "/help/" + s.ws.SiteID + "?lang=" + c.lang)
		agent.waitFor("the help center", `document.querySelector('main') !== null`)
		checkScreen(agent, "help-"+at, c.lang, foreign[c.lang], false)
		// Its chat speaks the page's language too.
		agent.waitFor("the launcher in the page's language", `document.querySelector('#sodam-launcher')?.getAttribute('aria-label') === `+js(map[string]string{"ko": "채팅 상담 열기", "en": "Open chat"}[c.lang]))
		// An article is in its own language, Korean here.
		agent.goTo(fmt.Sprintf("%s/help/%s/articles/%d", s.baseURL, s.ws.SiteID, refund.ID))
		agent.waitFor("the article", `document.querySelector('main') !== null`)
		checkScreen(agent, "article-"+at, "ko", foreign["ko"], false)
		// A search that finds nothing, with the long words people type,
		// and a page that is not there.
		agent.goTo(s.baseURL + "/help/" + s.ws.SiteID + "/search?lang=" + c.lang + "&q=" + url.QueryEscape("주문취소환불요청배송지변경방법알려주세요pleasetellmehowtocancelmyorder <b>now</b>"))
		agent.waitFor("the search", `document.querySelector('main .empty') !== null`)
		checkScreen(agent, "help-search-"+at, c.lang, foreign[c.lang], false)
		agent.goTo(s.baseURL + "/help/" + s.ws.SiteID + "/articles/999999?lang=" + c.lang)
		agent.waitFor("the missing page", `document.querySelector('main') !== null`)
		checkScreen(agent, "help-missing-"+at, c.lang, foreign[c.lang], false)

		// The widget: the chat, the FAQ.
		openWidget(visitor, s.host.URL+"?head="+url.QueryEscape(`<script>window.SodamSettings = {language: '`+c.lang+`'};</script>`))
		visitor.waitFrame("the chat in "+c.lang, `d.documentElement.lang === `+js(c.lang)+` && d.querySelector('[data-testid=widget]').dataset.view === 'chat'`)
		checkScreen(visitor, "widget-chat-"+at, c.lang, foreign[c.lang], true)
		// The long title takes two lines before it is cut, beside the
		// header's three buttons on a phone too.
		visitor.waitFrame("the title on two lines", `(() => { const h = d.querySelector('[data-testid=widget-title]');`+
			` return h.title === h.textContent && h.getBoundingClientRect().height > 1.5 * parseFloat(getComputedStyle(h).lineHeight); })()`)
		visitor.frameClick("[data-testid=widget-faq-open]")
		visitor.waitFrame("the FAQ", `d.querySelectorAll('[data-testid=widget-faq-item]').length > 0`)
		checkScreen(visitor, "widget-faq-"+at, c.lang, foreign[c.lang], true)
		visitor.frameClick("[data-testid=widget-faq-close]")
		visitor.frameClick("[data-testid=widget-rate]")
		visitor.waitFrame("the rating form", `d.querySelector('[data-testid=widget-rating-form]').checkVisibility()`)
		checkScreen(visitor, "widget-rating-"+at, c.lang, foreign[c.lang], true)
		visitor.frameClick("[data-testid=widget-rating-cancel]")

		// A newcomer while no one is online: the consent and the form to
		// leave a message.
		agent.goTo(s.baseURL + "/console/#/")
		agent.waitFor("the console", `document.querySelector('[data-testid=connection]')?.dataset.state === 'live'`)
		api[any](agent, s, "PUT", "/me/status", map[string]any{"status": "offline"})
		newcomer := newTab(t, browser(t), "newcomer")
		if c.phone {
			phone(newcomer)
		} else {
			desktop(newcomer)
		}
		prefer(newcomer, c.scheme)
		openWidget(newcomer, s.host.URL+"?head="+url.QueryEscape(`<script>window.SodamSettings = {language: '`+c.lang+`'};</script>`))
		newcomer.waitFrame("the consent and the form to leave a message", `d.querySelector('[data-testid=widget]').dataset.view === 'consent' && d.querySelector('[data-testid=widget-offline]').dataset.reason !== 'available' && d.querySelector('[data-testid=widget-offline]').textContent !== ''`)
		checkScreen(newcomer, "widget-start-"+at, c.lang, foreign[c.lang], true)
		agreeTo(newcomer, "leave")
		checkScreen(newcomer, "widget-leave-"+at, c.lang, foreign[c.lang], true)
		newcomer.frameClick("[data-testid=widget-leave-submit]")
		newcomer.waitFrame("the form's errors", `d.querySelector('[data-testid=widget-leave-message-error]').textContent !== ''`)
		checkScreen(newcomer, "widget-leave-errors-"+at, c.lang, foreign[c.lang], true)
		api[any](agent, s, "PUT", "/me/status", map[string]any{"status": "online"})
	}
	// The chat ended, on the last screen (a phone, in English).
	api[any](agent, s, "POST", fmt.Sprintf("/conversations/%d/close", id), nil)
	visitor.waitFrame("the chat ended", `d.querySelector('[data-testid=widget]').dataset.view === 'ended' && d.querySelector('[data-testid=widget-ended]').checkVisibility()`)
	checkScreen(visitor, "widget-ended-phone-en-light", "en", foreign["en"], true)
}

// consoleWords is the console's catalog in lang.
func consoleWords(t *testing.T, lang string) map[string]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "internal", "web", "console", "i18n", lang+".json"))
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestBrowserTourEmpty walks a brand-new workspace, nothing in it yet, as
// its first master sees it on a laptop in Korean (in a browser's window,
// shorter than the screen) and on a phone in English: each page passes checkScreen, and each empty list says it is
// empty in the screen's language rather than showing nothing.
func TestBrowserTourEmpty(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	// The one change so far, by the installation: assignment made
	// automatic.
	s.configure(func(st *chat.Settings) { st.AssignmentMode = chat.AssignAuto })
	agent := newTab(t, browser(t), "agent")
	signIn(agent, s)
	foreign := map[string][]string{"ko": catalogTexts(t, "en"), "en": catalogTexts(t, "ko")}
	for _, c := range []struct {
		lang  string
		phone bool
	}{{"ko", false}, {"en", true}} {
		at := map[bool]string{false: "laptop", true: "phone"}[c.phone] + "-" + c.lang
		if c.phone {
			phone(agent)
		} else {
			// A 1366×768 laptop's window, less the browser's own bars: the
			// side bar (all of it, for the installation's owner) fits.
			agent.do("size the page as a laptop's browser window", chromedp.EmulateViewport(1366, 657))
		}
		words := consoleWords(t, c.lang)
		shows := func(what, sel, key string) {
			t.Helper()
			agent.waitFor(what+" in "+c.lang, `(() => { const el = document.querySelector(`+js(sel)+`); return el?.checkVisibility() && el.textContent === `+js(words[key])+`; })()`)
		}
		agent.goTo(s.baseURL + "/console/#/")
		agent.waitFor("the console", `document.querySelector('[data-testid=connection]')?.dataset.state === 'live'`)
		eval[any](agent, `import('/console/i18n.js').then((m) => m.chooseLanguage(`+js(c.lang)+`)).then(() => null)`)
		agent.waitFor("the console in "+c.lang, `document.documentElement.lang === `+js(c.lang))
		shows("the empty conversation list", "[data-testid=list-empty]", "list.empty")
		checkScreen(agent, "empty-chats-"+at, c.lang, foreign[c.lang], false)
		if !c.phone {
			if got := eval[[]float64](agent, `(() => { const r = document.querySelector('.rail'); return [r.scrollHeight, r.clientHeight]; })()`); got[0] > got[1] {
				agent.fail("the side bar needs %v px in %v: the window's height shows only part of it", got[0], got[1])
			}
		}
		for _, p := range []struct{ page, what, sel, key string }{
			{"tickets", "no tickets", "[data-testid=ticket-empty]", "tickets.empty"},
			{"history", "no conversations found", "[data-testid=history-none]", "history.empty"},
			{"stats", "", "", ""},
			{"team", "no invitations", "[data-testid=invitation-empty]", "team.no_invitations"},
			{"settings", "no canned responses", "[data-testid=canned-card] .help[data-ref=empty]", "canned.empty"},
			{"audit", "", "", ""},
		} {
			agent.goTo(s.baseURL + "/console/#/" + p.page)
			agent.waitFor("the "+p.page+" page", `document.querySelector('#app').dataset.page === `+js(p.page))
			if p.sel != "" {
				shows(p.what, p.sel, p.key)
			} else {
				eval[any](agent, `new Promise((r) => setTimeout(() => r(null), 500))`)
			}
			if p.page == "tickets" && !c.phone {
				shows("the ticket placeholder", "[data-testid=ticket-placeholder]", "tickets.placeholder")
			}
			if p.page == "settings" {
				shows("no tags", "[data-testid=tags-card] .help[data-ref=empty]", "tag_settings.empty")
				shows("no FAQ articles", "[data-testid=faq-card] .help[data-ref=empty]", "faq.empty")
			}
			if p.page == "audit" {
				// The change names the modes as the settings page does.
				change := `[data-testid=audit-entry][data-action="workspace.update"] li:has(.change-key[title="settings.assignment_mode"])`
				shows("the assignment mode changed", change+" del", "mode.manual")
				shows("the assignment mode changed", change+" ins", "mode.auto")
			}
			checkScreen(agent, "empty-"+p.page+"-"+at, c.lang, foreign[c.lang], false)
		}
	}
}

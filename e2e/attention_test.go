package e2e

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// Issue 14, parts 5–7: internal notes with @mentions, read receipts both
// ways, and what keeps an agent from missing a chat — the chime, browser
// notifications, keyboard shortcuts and the quick switcher.
//
// The browser's Notification and AudioContext are replaced by recorders
// (stubAlerts), the only stubs: a headless browser shows no notification
// and plays no sound. The recorder keeps Chrome's autoplay rule: an
// AudioContext starts suspended and runs only once resumed.

const hanaEmail, hanaPassword = "hana@sodam.local", "연두색 우산 아래 2026"

// stubAlerts records notifications and chimes in every page of the tab.
func stubAlerts(p *tab) {
	p.t.Helper()
	const src = `(() => {
		window.__notes = []; window.__chimes = []; window.__asked = 0;
		class RecordedNotification {
			static permission = 'default';
			static requestPermission() { window.__asked++; RecordedNotification.permission = 'granted'; return Promise.resolve('granted'); }
			constructor(title, options = {}) { this.title = title; this.body = options.body; this.tag = options.tag; this.onclick = null; window.__notes.push(this); }
			close() { this.closed = true; }
		}
		window.Notification = RecordedNotification;
		class RecordedAudioContext {
			constructor() { this.state = 'suspended'; this.currentTime = 0; this.destination = {}; }
			resume() { this.state = 'running'; return Promise.resolve(); }
			createGain() { const g = { peak: 0, gain: { setValueAtTime() {}, exponentialRampToValueAtTime(v) { g.peak = Math.max(g.peak, v); } }, connect: (n) => n }; return g; }
			createOscillator() {
				const o = { type: '', frequency: { value: 0 }, stop() {} };
				o.connect = (g) => { o.gain = g; return g; };
				o.start = () => window.__chimes.push({ freq: o.frequency.value, peak: o.gain.peak });
				return o;
			}
		}
		window.AudioContext = RecordedAudioContext;
	})();`
	p.onEveryLoad("record notifications and sounds", src)
}

// unfocus makes the page believe its window lost the focus, as when the
// agent works in another window: notifications are for then. Headless
// Chromium keeps every page focused and visible whatever DevTools says
// (Emulation.setFocusEmulationEnabled false, Page.bringToFront of another
// tab: tried, no effect), so this one answer of the browser is replaced.
func unfocus(p *tab) {
	p.t.Helper()
	p.do("leave the window", chromedp.Evaluate[chromedp.Void](`Object.defineProperty(document, 'hasFocus', {value: () => false, configurable: true})`))
	p.waitFor("the page without focus", `!document.hasFocus()`)
}

func refocus(p *tab) {
	p.t.Helper()
	p.do("come back to the window", chromedp.Evaluate[chromedp.Void](`delete document.hasFocus`))
}

// frames records the text of every WebSocket frame the tab receives.
type frames struct {
	mu  sync.Mutex
	all []string
}

func recordFrames(p *tab) *frames {
	f := &frames{}
	chromedp.Listen(p.ctx, func(ev any) {
		if e, ok := ev.(*network.EventWebSocketFrameReceived); ok && e.Response != nil {
			f.mu.Lock()
			f.all = append(f.all, string(e.Response.PayloadData))
			f.mu.Unlock()
		}
	})
	return f
}

func (f *frames) containing(s string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, fr := range f.all {
		if strings.Contains(fr, s) {
			out = append(out, fr)
		}
	}
	return out
}

// consoleNote waits until the open conversation shows a note with text.
func consoleNote(p *tab, text string) {
	p.t.Helper()
	p.waitFor(fmt.Sprintf("the note %q", text),
		`[...document.querySelectorAll('[data-testid=messages] [data-testid=note][data-seq] .bubble')].some((b) => b.textContent === `+js(text)+`)`)
}

// chimed waits until the tab has played a chime starting at freq.
func chimed(p *tab, what string, freqs ...int) {
	p.t.Helper()
	parts := make([]string, len(freqs))
	for i, f := range freqs {
		parts[i] = fmt.Sprint(f)
	}
	p.waitFor(what, `window.__chimes.map((c) => c.freq).join(',').includes(`+js(strings.Join(parts, ","))+`)`)
}

// TestBrowserNotesAndReceipts: in Korean at 1366×768, the agent writes
// internal notes (the switch, Alt+N, the /메모 prefix) that mention a
// colleague; the visitor's widget and its socket never carry them; the
// colleague is chimed and notified, and the notification's click opens the
// conversation. Read receipts go both ways, the visitor's only while the
// chat is open on the page.
func TestBrowserNotesAndReceipts(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	s.addAgent(hanaEmail, "이하나", hanaPassword)
	root := browser(t)
	agent := newTab(t, root, "agent")
	hana := newTab(t, root, "hana")
	visitor := newTab(t, root, "visitor")
	for _, p := range []*tab{agent, hana, visitor} {
		desktop(p)
	}
	stubAlerts(agent)
	stubAlerts(hana)
	seen := recordFrames(visitor)

	signIn(agent, s)
	signInAs(hana, s, hanaEmail, hanaPassword)
	// Online is the moment to offer notifications; the browser asks only
	// when the agent says yes.
	hana.waitFor("the notification offer", `document.querySelector('[data-testid=notify-offer]').checkVisibility()`)
	if n := eval[int](hana, `window.__asked`); n != 0 {
		hana.fail("the permission was asked %d times before the agent chose", n)
	}
	hana.clickAt("[data-testid=notify-offer-enable]")
	hana.waitFor("notifications on, the offer gone", `Notification.permission === 'granted' && !document.querySelector('[data-testid=notify-offer]').checkVisibility()`)

	const hello = "지난주에 산 운동화 사이즈 교환 되나요?"
	openWidget(visitor, s.host.URL)
	agree(visitor)
	widgetSend(visitor, hello)
	widgetShows(visitor, "visitor", hello)
	id := firstRequest(agent)
	chimed(agent, "the new-request chime", 660, 880)
	openAndAssign(agent, id)
	look(agent, "notes-assigned-ko")

	// A note by the switch, mentioning 이하나 with an honorific.
	// "@" offers the colleagues; Enter puts the chosen name in.
	const note1 = "@이하나 이 고객 지난달에도 교환했어요. 이력 확인 부탁드려요"
	agent.clickAt("[data-testid=composer-note-toggle]")
	agent.waitFor("the composer in note mode", `document.querySelector('[data-testid=composer]').dataset.mode === 'note' && document.querySelector('[data-testid=composer-note-toggle]').getAttribute('aria-pressed') === 'true'`)
	consoleType(agent, "@이")
	agent.waitFor("이하나 offered", `(() => { const o = document.querySelectorAll('[data-testid=mention-list]:not([hidden]) [data-testid=mention-option]'); return o.length === 1 && o[0].textContent.startsWith('@이하나'); })()`)
	look(agent, "notes-mention-picker-ko")
	agent.keys("\r")
	agent.waitFor("the name put in", `document.querySelector('[data-testid=composer-input]').value === '@이하나 ' && document.querySelector('[data-testid=mention-list]').hidden`)
	consoleSend(agent, strings.TrimPrefix(note1, "@이하나 "))
	consoleNote(agent, note1)
	agent.waitFor("the mention marked", `[...document.querySelectorAll('[data-testid=note] [data-testid=mention]')].some((m) => m.textContent === '@이하나')`)
	// Alt+N back to replies; "/메모 " makes a note by itself.
	agent.do("Alt+N", chromedp.KeyEvent("n", chromedp.KeyModifiers(chromedp.ModifierAlt)))
	agent.waitFor("the composer back to replies", `document.querySelector('[data-testid=composer]').dataset.mode === 'reply'`)
	consoleSend(agent, "/메모 사이즈표 270 재고 확인 필요")
	consoleNote(agent, "사이즈표 270 재고 확인 필요")
	agent.waitFor("the prefix switched the composer to notes", `document.querySelector('[data-testid=composer]').dataset.mode === 'note'`)
	agent.do("Alt+N", chromedp.KeyEvent("n", chromedp.KeyModifiers(chromedp.ModifierAlt)))
	const reply = "네, 교환 가능합니다. 원하시는 사이즈를 알려주세요."
	agent.waitFor("the composer back to replies", `document.querySelector('[data-testid=composer]').dataset.mode === 'reply'`)
	consoleSend(agent, reply)
	consoleShows(agent, "agent", reply)
	widgetShows(visitor, "agent", reply)
	look(agent, "notes-console-ko")
	screenshot(t, agent.ctx, "console-notes", "")

	// The visitor never sees a note: not on screen, not in a frame.
	for _, secret := range []string{"지난달에도 교환", "사이즈표 270"} {
		if got := frameEval[bool](visitor, `return d.body.textContent.includes(`+js(secret)+`)`); got {
			visitor.fail("the widget shows the note %q", secret)
		}
		if got := seen.containing(secret); len(got) > 0 {
			visitor.fail("a socket frame carried the note %q: %s", secret, got[0])
		}
	}
	if len(seen.containing("교환 가능합니다")) == 0 {
		visitor.fail("the reply never came over the socket: the frame recorder saw nothing")
	}

	// 이하나 was chimed and, away from the window, notified; the click
	// opens the conversation she was asked about, with the notes.
	chimed(hana, "the mention chime", 880, 660, 880)
	unfocus(hana)
	agent.clickAt("[data-testid=composer-note-toggle]")
	consoleSend(agent, "@이하나 급해요, 고객이 기다리고 있어요")
	hana.waitFor("the mention notification", `window.__notes.some((n) => n.title === 'Admin 님이 나를 언급했습니다 (1번)' && n.tag === 'sodam-c-`+fmt.Sprint(id)+`')`)
	hana.do("click the notification", chromedp.Evaluate[chromedp.Void](`window.__notes.at(-1).onclick()`))
	refocus(hana)
	hana.waitFor("the conversation open for 이하나", `location.hash === '#/c/`+fmt.Sprint(id)+`' && document.querySelector('[data-testid=conversation]').dataset.state === 'ready'`)
	consoleNote(hana, note1)
	hana.waitFor("her mention set apart", `document.querySelector('[data-testid=note].mentions-me')`)
	look(hana, "notes-mentioned-ko")

	// Read receipts. The widget is open and visible: the agent's reply is
	// read, and the console says so under it.
	agent.waitFor("the customer's read receipt under the reply", `(() => { const r = document.querySelector('[data-testid=messages] [data-testid=read-receipt]'); return r && r.textContent === '읽음' && r.closest('li').querySelector('.bubble').textContent === `+js(reply)+`; })()`)
	// The agent has the conversation open: the visitor's next message is
	// read at once, and the widget says so.
	widgetSend(visitor, "270으로 부탁드려요")
	consoleShows(hana, "visitor", "270으로 부탁드려요") // her console follows the conversation she was asked about
	visitor.waitFrame("the agent's read receipt", `(() => { const r = d.querySelector('[data-testid=widget-read-receipt]'); return r && r.textContent === '읽음' && r.closest('li').querySelector('.bubble').textContent === '270으로 부탁드려요'; })()`)
	look(visitor, "notes-widget-ko")
	// With the chat closed on the page, a new reply stays unread.
	visitor.click("#sodam-launcher")
	visitor.waitFor("the chat closed", `document.getElementById('sodam-frame').hidden`)
	const later = "270 사이즈로 교환 접수했습니다."
	agent.clickAt("[data-testid=composer-note-toggle]")
	agent.waitFor("the composer back to replies", `document.querySelector('[data-testid=composer]').dataset.mode === 'reply'`)
	consoleSend(agent, later)
	consoleShows(agent, "agent", later)
	visitor.waitFor("the launcher's unread badge", `document.getElementById('sodam-badge').textContent === '1' && !document.getElementById('sodam-badge').hidden`)
	agent.do("wait a moment", chromedp.Sleep(700))
	if got := eval[string](agent, `document.querySelector('[data-testid=read-receipt]')?.closest('li').querySelector('.bubble').textContent ?? ''`); got != reply {
		agent.fail("with the chat closed, the receipt moved to %q", got)
	}
	// On the shop's next page the badge still counts it: the chat, opened
	// once in this tab, loads hidden and says how many replies are unread.
	visitor.goTo(s.host.URL + "/products")
	visitor.waitFor("the badge on the next page", `document.getElementById('sodam-frame')?.hidden && document.getElementById('sodam-badge').textContent === '1' && !document.getElementById('sodam-badge').hidden`)
	agent.do("wait a moment", chromedp.Sleep(500))
	if got := eval[string](agent, `document.querySelector('[data-testid=read-receipt]')?.closest('li').querySelector('.bubble').textContent ?? ''`); got != reply {
		agent.fail("the hidden chat on the next page marked %q read", got)
	}
	visitor.click("#sodam-launcher")
	visitor.waitFor("the badge gone with the chat open", `document.getElementById('sodam-badge').hidden`)
	agent.waitFor("the receipt under the newest reply once the chat is open", `document.querySelector('[data-testid=read-receipt]')?.closest('li').querySelector('.bubble').textContent === `+js(later))
}

// TestBrowserShortcutsAndAlerts: in Korean at 1366×768, two customers
// write; the agent hears each request (and nothing once the sound is off),
// is notified while away from the window and the click opens the chat,
// moves between conversations, assigns, focuses the composer, opens the
// wrap-up and the help with the keyboard, and finds a customer by the
// initials of her name in the quick switcher. On a phone in English the
// note switch, the help and the switcher read in English.
func TestBrowserShortcutsAndAlerts(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	root := browser(t)
	agent := newTab(t, root, "agent")
	first := newTab(t, root, "first visitor")
	second := newTab(t, root, "second visitor")
	desktop(agent)
	stubAlerts(agent)
	signIn(agent, s)
	agent.clickAt("[data-testid=notify-offer-enable]")
	agent.waitFor("notifications on", `Notification.permission === 'granted'`)

	openWidget(first, s.host.URL+"?head="+url.QueryEscape(s.memberHead("shop-member-301", "홍길동")))
	agree(first)
	widgetSend(first, "주문한 다기 세트 배송이 언제 오나요?")
	id1 := firstRequest(agent)
	chimed(agent, "the new-request chime", 660, 880)

	// Away from the window, a request is a notification; its click opens it.
	unfocus(agent)
	openWidget(second, s.host.URL+"?head="+url.QueryEscape(s.memberHead("shop-member-302", "박서준")))
	agree(second)
	widgetSend(second, "환불 요청드립니다. 포장이 파손되어 왔어요.")
	id2 := newConversation(agent, id1)
	agent.waitFor("the request's notification", `(() => { const mine = window.__notes.filter((n) => n.tag === 'sodam-c-`+fmt.Sprint(id2)+`'); return mine.some((n) => n.title === '새 상담 요청 · 박서준 (2번)') && mine.some((n) => n.body.includes('포장이 파손')); })()`)
	agent.do("click the notification", chromedp.Evaluate[chromedp.Void](`window.__notes.at(-1).onclick()`))
	refocus(agent)
	agent.waitFor("the clicked conversation open", `location.hash === '#/c/`+fmt.Sprint(id2)+`' && document.querySelector('[data-testid=conversation]').dataset.state === 'ready'`)

	// Next and previous follow the list shown (the queue, oldest first).
	alt := func(key string) {
		agent.do("Alt+"+key, chromedp.KeyEvent(key, chromedp.KeyModifiers(chromedp.ModifierAlt)))
	}
	agent.do("leave the composer", chromedp.Evaluate[chromedp.Void](`document.activeElement.blur()`))
	alt(kb.ArrowUp)
	agent.waitFor("the previous conversation", `location.hash === '#/c/`+fmt.Sprint(id1)+`'`)
	alt(kb.ArrowDown)
	agent.waitFor("the next conversation", `location.hash === '#/c/`+fmt.Sprint(id2)+`' && document.querySelector('[data-testid=conversation]').dataset.state === 'ready'`)
	alt("a")
	// Taking a chat focuses its composer once the answer is back (the live
	// event may come first): wait for that, so the focus does not land
	// after the blur below and swallow the "/".
	agent.waitFor("assigned with Alt+A", `document.querySelector('[data-testid=conversation-state]')?.dataset.state === 'waiting' && document.activeElement === document.querySelector('[data-testid=composer-input]')`)
	agent.do("leave the composer", chromedp.Evaluate[chromedp.Void](`document.activeElement.blur()`))
	// "/" pressed as a busy machine delivers it: its character a moment
	// after the key went down.
	agent.do("press / slowly", chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		for _, e := range []input.DispatchKeyEventParams{
			{Type: input.DispatchKeyEventTypeKeyDown, Key: "/", Code: "Slash", WindowsVirtualKeyCode: 191},
			{Type: input.DispatchKeyEventTypeChar, Key: "/", Code: "Slash", Text: "/", UnmodifiedText: "/", WindowsVirtualKeyCode: '/'},
			{Type: input.DispatchKeyEventTypeKeyUp, Key: "/", Code: "Slash", WindowsVirtualKeyCode: 191},
		} {
			if _, err := cdp.Call(ctx, t, input.DispatchKeyEvent, e); err != nil {
				return err
			}
			time.Sleep(300 * time.Millisecond)
		}
		return nil
	}))
	agent.waitFor("the composer focused by /", `document.activeElement === document.querySelector('[data-testid=composer-input]') && document.activeElement.value === ''`)
	consoleSend(agent, "안녕하세요, 파손 사진을 보내주시겠어요?")
	alt("c")
	agent.waitFor("the wrap-up opened with Alt+C", `document.querySelector('[data-testid=wrapup-dialog]').open`)
	agent.keys(kb.Escape)
	agent.waitFor("the wrap-up closed", `!document.querySelector('[data-testid=wrapup-dialog]').open`)

	// The help, in Korean.
	agent.do("leave the composer", chromedp.Evaluate[chromedp.Void](`document.activeElement.blur()`))
	agent.keys("?")
	agent.waitFor("the shortcuts help", `document.querySelector('[data-testid=shortcuts-dialog]').open && document.querySelector('#shortcuts-title').textContent === '키보드 단축키' && document.querySelectorAll('[data-testid=shortcuts-dialog] dt').length === 9`)
	look(agent, "shortcuts-help-ko")
	agent.keys(kb.Escape)
	agent.waitFor("the help closed", `!document.querySelector('[data-testid=shortcuts-dialog]').open`)

	// The keys without a modifier can be turned off, in the help, for this
	// browser (WCAG 2.1.4): J, /, ? then do nothing; Alt's still work.
	agent.do("Ctrl+/", chromedp.KeyEvent("/", chromedp.KeyModifiers(chromedp.ModifierCtrl)))
	agent.waitFor("the help, by Ctrl+/", `document.querySelector('[data-testid=shortcuts-dialog]').open && document.querySelector('[data-testid=shortcuts-single-keys]').checked`)
	agent.click("[data-testid=shortcuts-single-keys]")
	agent.waitFor("single keys off, kept", `localStorage.getItem('sodam.shortcuts.single-keys') === 'off'`)
	agent.keys(kb.Escape)
	agent.waitFor("the help closed again", `!document.querySelector('[data-testid=shortcuts-dialog]').open`)
	at := eval[string](agent, `location.hash`)
	agent.do("leave the composer", chromedp.Evaluate[chromedp.Void](`document.activeElement.blur()`))
	for _, k := range []string{"j", "/", "?"} {
		agent.keys(k)
	}
	eval[any](agent, `new Promise((r) => setTimeout(() => r(null), 300))`)
	if eval[bool](agent, `location.hash !== `+js(at)+` || document.querySelector('[data-testid=shortcuts-dialog]').open || document.activeElement === document.querySelector('[data-testid=composer-input]')`) {
		agent.fail("a single-key shortcut worked while turned off")
	}
	alt("r")
	agent.waitFor("the composer focused by Alt+R", `document.activeElement === document.querySelector('[data-testid=composer-input]')`)

	// The quick switcher finds 홍길동 by the initials ㅎㄱㄷ.
	agent.do("Ctrl+K", chromedp.KeyEvent("k", chromedp.KeyModifiers(chromedp.ModifierCtrl)))
	agent.waitFor("the switcher", `document.querySelector('[data-testid=switcher]').open && document.activeElement === document.querySelector('[data-testid=switcher-input]')`)
	agent.do("type the initials", chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, input.InsertText, input.InsertTextParams{Text: "ㅎㄱㄷ"})
		return err
	}))
	agent.waitFor("홍길동's conversation first and alone", `(() => { const r = document.querySelectorAll('[data-testid=switcher-result]'); return r.length === 1 && r[0].dataset.conversationId === '`+fmt.Sprint(id1)+`'; })()`)
	look(agent, "switcher-ko")
	screenshot(t, agent.ctx, "console-switcher", "")
	// Enter that an input method takes (key code 229: Safari reports the
	// Enter that ends a syllable so, after compositionend) opens nothing.
	agent.pressEnter(229)
	eval[any](agent, `new Promise((r) => setTimeout(() => r(null), 100))`)
	if !eval[bool](agent, `document.querySelector('[data-testid=switcher]').open`) {
		agent.fail("the IME's Enter in the switcher chose a conversation")
	}
	agent.keys("\r")
	agent.waitFor("홍길동's conversation open", `location.hash === '#/c/`+fmt.Sprint(id1)+`' && !document.querySelector('[data-testid=switcher]').open`)

	// Sound off: a new message makes no chime; the volume sets the loudness.
	agent.clickAt("[data-testid=alert-settings-button]")
	agent.waitFor("the alert settings", `document.querySelector('[data-testid=alert-settings]').matches(':popover-open')`)
	look(agent, "alert-settings-ko")
	agent.clickAt("[data-testid=alert-sound]")
	agent.waitFor("the sound off, kept", `JSON.parse(localStorage.getItem('sodam.alerts')).sound === false`)
	agent.keys(kb.Escape)
	agent.do("forget the chimes so far", chromedp.Evaluate[chromedp.Void](`window.__chimes.length = 0`))
	agent.do("look at the list", chromedp.Evaluate[chromedp.Void](`location.hash = '#/'`))
	widgetSend(second, "사진 보내드릴게요")
	agent.waitFor("the message counted in the tab's title", `document.title.startsWith('(1) ')`)
	if n := eval[int](agent, `window.__chimes.length`); n != 0 {
		agent.fail("%d chimes with the sound off", n)
	}

	// Chrome's autoplay rule: after a reload, nothing sounds until the
	// agent touches the page; then it does.
	agent.do("sound on again, and reload", chromedp.Evaluate[chromedp.Void](`localStorage.setItem('sodam.alerts', JSON.stringify({sound: true, volume: 0.5}))`), chromedp.Reload())
	agent.waitFor("the console live again", `document.querySelector('[data-testid=connection]')?.dataset.state === 'live'`)
	widgetSend(first, "혹시 오늘 출고되나요?")
	agent.waitFor("the message in the list", `document.querySelector("[data-testid=conversation-list] a[data-conversation-id='`+fmt.Sprint(id1)+`']")?.textContent.includes('혹시 오늘 출고')`)
	agent.do("let a chime come if it would", chromedp.Sleep(300))
	if n := eval[int](agent, `window.__chimes.length`); n != 0 {
		agent.fail("%d chimes before the agent touched the page", n)
	}
	agent.clickAt("[data-testid=workspace-name]")
	widgetSend(first, "주소는 그대로예요")
	agent.waitFor("a chime once the page was touched, at half volume", `window.__chimes.length > 0 && window.__chimes.every((c) => Math.abs(c.peak - 0.2) < 1e-9)`)

	// On a phone, in English.
	en := newTab(t, root, "agent on a phone")
	phone(en)
	en.goTo(s.baseURL + "/console/")
	en.do("choose English", chromedp.Evaluate[chromedp.Void](`localStorage.setItem('sodam.lang', 'en')`))
	signIn(en, s)
	en.do("open the conversation", chromedp.Evaluate[chromedp.Void](`location.hash = '#/c/`+fmt.Sprint(id2)+`'`))
	en.waitFor("the conversation loaded", `document.querySelector('[data-testid=conversation]').dataset.state === 'ready'`)
	en.clickAt("[data-testid=composer-note-toggle]")
	en.waitFor("the note placeholder in English", `document.querySelector('[data-testid=composer-input]').placeholder.startsWith('Internal note')`)
	consoleSend(en, "Customer sent photos of the broken box; refund approved")
	consoleNote(en, "Customer sent photos of the broken box; refund approved")
	en.waitFor("the note's label in English", `[...document.querySelectorAll('[data-testid=note] .internal-tag')].some((l) => l.textContent === 'Internal note')`)
	look(en, "notes-phone-en")
	en.do("leave the composer", chromedp.Evaluate[chromedp.Void](`document.activeElement.blur()`))
	en.keys("?")
	en.waitFor("the help in English", `document.querySelector('[data-testid=shortcuts-dialog]').open && document.querySelector('#shortcuts-title').textContent === 'Keyboard shortcuts'`)
	look(en, "shortcuts-help-phone-en")
	en.keys(kb.Escape)
	widgetShows(second, "agent", "안녕하세요, 파손 사진을 보내주시겠어요?")
	if got := frameEval[bool](second, `return d.body.textContent.includes('refund approved')`); got {
		second.fail("the widget shows the English note")
	}
}

// TestBrowserNoteTypingStaysInside (§2.7, §5): the customer is told the
// agent is typing a reply, never a note — not in note mode, not while
// "/메모 " is typed, and a reply begun and then switched to a note is
// taken back at once. The widget's socket carries no typing signal for
// the notes, and its indicator stays hidden.
func TestBrowserNoteTypingStaysInside(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	agent, visitor, id := takenChat(t, s, "환불 문의드립니다")
	visitor.waitFrame("the widget's socket live", `d.querySelector('[data-testid=widget-connection]').dataset.state === 'live'`)
	seen := recordFrames(visitor)
	visitor.do("watch the typing indicator", inFrame[chromedp.Void](`w.__typingShown = 0;
		new w.MutationObserver(() => { if (!d.querySelector('[data-testid=widget-typing]').hidden) w.__typingShown++; })
			.observe(d.querySelector('[data-testid=widget-typing]'), { attributes: true });`))

	// A note by the switch.
	const note1 = "이 고객 지난달에도 환불했어요"
	agent.clickAt("[data-testid=composer-note-toggle]")
	agent.waitFor("the composer in note mode", `document.querySelector('[data-testid=composer]').dataset.mode === 'note'`)
	consoleSend(agent, note1)
	consoleNote(agent, note1)
	// A note by the prefix, typed in reply mode.
	agent.clickAt("[data-testid=composer-note-toggle]")
	agent.waitFor("the composer back to replies", `document.querySelector('[data-testid=composer]').dataset.mode === 'reply'`)
	consoleSend(agent, "/메모 환불 규정 확인 필요")
	consoleNote(agent, "환불 규정 확인 필요")

	// The reply goes without typing (through the API): once the widget
	// shows it, what the notes' typing sent has arrived before it.
	const reply = "확인 후 안내드리겠습니다."
	api[map[string]any](agent, s, "POST", fmt.Sprintf("/conversations/%d/messages", id), map[string]any{"client_msg_id": "after-notes", "body": reply})
	widgetShows(visitor, "agent", reply)
	if got := seen.containing(`"type":"typing"`); len(got) > 0 {
		visitor.fail("the widget's socket carried the agent typing notes: %s", got[0])
	}
	if n := frameEval[int](visitor, `return w.__typingShown`); n > 0 {
		visitor.fail("the widget showed the agent typing %d times while the agent wrote notes", n)
	}

	// A reply begun shows the agent typing; switched to a note, it is
	// taken back at once, not when the widget's indicator times out.
	agent.clickAt("[data-testid=composer-note-toggle][aria-pressed=true]") // the prefix left it in note mode
	agent.waitFor("the composer in reply mode", `document.querySelector('[data-testid=composer]').dataset.mode === 'reply'`)
	consoleType(agent, "잠시만요")
	visitor.waitFrame("the agent's typing indicator", `!d.querySelector('[data-testid=widget-typing]').hidden`)
	agent.clickAt("[data-testid=composer-note-toggle]")
	agent.waitFor("the composer in note mode", `document.querySelector('[data-testid=composer]').dataset.mode === 'note'`)
	visitor.waitFrame("the typing indicator taken back", `d.querySelector('[data-testid=widget-typing]').hidden`)
}

// TestBrowserComposerDrafts (§5): what an agent typed and has not sent is
// kept per conversation with its mode — a note stays a note, so Enter on
// coming back never sends it to the customer — across switching
// conversations and reloading the tab; sending ends the draft.
func TestBrowserComposerDrafts(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	agent, _, idA := takenChat(t, s, "교환 문의드려요")
	other := newTab(t, browser(t), "second visitor")
	idB := startChat(t, agent, s, other, "배송 문의드려요", idA)
	openAndAssign(agent, idB)
	agent.click("[data-testid=tab-waiting]")
	openConversation(agent, idA)

	// A note half written in A; B is opened meanwhile.
	const note = "이 고객 지난달에도 교환, 규정 확인 필요"
	agent.clickAt("[data-testid=composer-note-toggle]")
	agent.waitFor("the composer in note mode", `document.querySelector('[data-testid=composer]').dataset.mode === 'note'`)
	consoleType(agent, note)
	openConversation(agent, idB)
	agent.waitFor("B's composer empty, for a reply", `document.querySelector('[data-testid=composer-input]').value === '' && document.querySelector('[data-testid=composer]').dataset.mode === 'reply'`)
	const reply = "내일 도착 예정입니다"
	consoleType(agent, reply)
	openConversation(agent, idA)
	noteBack := `document.querySelector('[data-testid=composer-input]').value === ` + js(note) + ` && document.querySelector('[data-testid=composer]').dataset.mode === 'note'`
	agent.waitFor("A's note back, still a note", noteBack)

	// Reloaded, both drafts are still there, each in its mode.
	agent.do("reload the console", chromedp.Reload())
	agent.click("[data-testid=tab-waiting]")
	openConversation(agent, idA)
	agent.waitFor("A's note back after reloading, still a note", noteBack)
	agent.click("[data-testid=composer-input]")
	agent.keys("\r")
	consoleNote(agent, note)
	openConversation(agent, idB)
	agent.waitFor("B's reply back after reloading", `document.querySelector('[data-testid=composer-input]').value === `+js(reply)+` && document.querySelector('[data-testid=composer]').dataset.mode === 'reply'`)

	// Sent, a draft is gone: after a reload A's composer is empty.
	agent.do("reload the console", chromedp.Reload())
	agent.click("[data-testid=tab-waiting]")
	openConversation(agent, idA)
	agent.waitFor("A's composer empty after the note was sent", `document.querySelector('[data-testid=composer-input]').value === ''`)
	if got := detail(agent, s, idA).Conversation.State; got != "waiting" {
		agent.fail("A is %s: the note reached the customer as a reply", got)
	}
}

// TestBrowserSwitcherWhileComposing: the quick switcher finds 홍길동 at
// every step a Korean input method passes through on the way to the name
// (홍ㄱ, 홍기, 홍길ㄷ, 홍길도), not only once a syllable is finished — the
// list went empty, "no conversations", between every keystroke.
func TestBrowserSwitcherWhileComposing(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	root := browser(t)
	agent := newTab(t, root, "agent")
	first := newTab(t, root, "first")
	second := newTab(t, root, "second")
	signIn(agent, s)
	openWidget(first, s.host.URL+"?head="+url.QueryEscape(s.memberHead("shop-member-401", "홍길동")))
	agree(first)
	widgetSend(first, "배송 문의드립니다.")
	hong := firstRequest(agent)
	openWidget(second, s.host.URL+"?head="+url.QueryEscape(s.memberHead("shop-member-402", "홍길순")))
	agree(second)
	widgetSend(second, "교환 문의드립니다.")
	other := newConversation(agent, hong)

	agent.do("Ctrl+K", chromedp.KeyEvent("k", chromedp.KeyModifiers(chromedp.ModifierCtrl)))
	agent.waitFor("the switcher", `document.querySelector('[data-testid=switcher]').open && document.activeElement === document.querySelector('[data-testid=switcher-input]')`)
	results := func(ids ...int64) string {
		want := make([]string, len(ids))
		for i, id := range ids {
			want[i] = fmt.Sprint(id)
		}
		return `[...document.querySelectorAll('[data-testid=switcher-result]')].map((r) => r.dataset.conversationId).sort().join() === ` + js(strings.Join(want, ","))
	}
	both := []int64{hong, other}
	if other < hong {
		both = []int64{other, hong}
	}
	for _, step := range []struct {
		text string
		want []int64
	}{
		{"홍", both}, {"홍ㄱ", both}, {"홍기", both}, {"홍길", both},
		{"홍길ㄷ", []int64{hong}}, {"홍길도", []int64{hong}}, {"홍길동", []int64{hong}},
	} {
		agent.compose(step.text)
		agent.waitFor(fmt.Sprintf("the switcher's results while composing %s", step.text), results(step.want...))
	}
	agent.commit("홍길동")
	agent.waitFor("홍길동 alone once committed", results(hong))

	// The same matching, case by case (hangul.js): a single final on its
	// way to a compound one (달 → 닭), a compound one on its way to the
	// next syllable (밠 → 발송), and what must not match.
	wrong := eval[[]string](agent, `import('/console/hangul.js').then(({ typedIn }) => [
		['홍길동', 'ㅎㄱㄷ', true], ['홍길동', '홍길ㄷ', true], ['홍길동', '홍긴', false], ['홍길동', '홍길순', false],
		['닭갈비', '달', true], ['닭갈비', '단', false], ['많은', '만', true], ['발송센터', '밠', true], ['발송센터', '밝', false],
	].filter(([text, q, want]) => typedIn(text, q) !== want).map(([text, q]) => text + ' ' + q))`)
	if len(wrong) > 0 {
		agent.fail("typedIn is wrong for %q", wrong)
	}
}

// TestBrowserMentionWhileComposing: "@이하" on the way to 이하나, and
// "@ㅇ" before it, keep offering 이하나 while the input method composes,
// and Enter then (the syllable finished) puts the name in.
func TestBrowserMentionWhileComposing(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	s.addAgent(hanaEmail, "이하나", hanaPassword)
	root := browser(t)
	agent := newTab(t, root, "agent")
	visitor := newTab(t, root, "visitor")
	signIn(agent, s)
	openWidget(visitor, s.host.URL)
	agree(visitor)
	widgetSend(visitor, "교환 문의드립니다.")
	openAndAssign(agent, firstRequest(agent))
	agent.clickAt("[data-testid=composer-note-toggle]")
	agent.waitFor("the composer in note mode", `document.querySelector('[data-testid=composer]').dataset.mode === 'note'`)
	consoleType(agent, "@")
	offered := `(() => { const o = document.querySelectorAll('[data-testid=mention-list]:not([hidden]) [data-testid=mention-option]'); return o.length === 1 && o[0].textContent.startsWith('@이하나'); })()`
	for _, step := range []string{"ㅇ", "이", "잏", "이하", "이한", "이하나"} {
		agent.compose(step)
		agent.waitFor("이하나 offered while composing "+step, offered)
	}
	agent.commit("이하나")
	agent.waitFor("이하나 offered once committed", offered)
	agent.keys("\r")
	agent.waitFor("the name put in", `document.querySelector('[data-testid=composer-input]').value === '@이하나 ' && document.querySelector('[data-testid=mention-list]').hidden`)
}

// TestBrowserShortcutsKoreanLayout: J and K step through the list with a
// Korean layout on too, where the keys type ㅓ and ㅏ (a Mac's Korean input
// source does so outside text fields as well) — they did nothing there.
func TestBrowserShortcutsKoreanLayout(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	root := browser(t)
	agent := newTab(t, root, "agent")
	first := newTab(t, root, "first")
	second := newTab(t, root, "second")
	signIn(agent, s)
	openWidget(first, s.host.URL)
	agree(first)
	widgetSend(first, "배송 문의드립니다.")
	id1 := firstRequest(agent)
	openWidget(second, s.host.URL)
	agree(second)
	widgetSend(second, "교환 문의드립니다.")
	id2 := newConversation(agent, id1)
	openConversation(agent, id1)
	agent.do("leave the composer", chromedp.Evaluate[chromedp.Void](`document.activeElement.blur()`))
	hangulKey := func(jamo, code string, vk int64) {
		agent.do("press "+jamo, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			for _, p := range []input.DispatchKeyEventParams{
				{Type: input.DispatchKeyEventTypeKeyDown, Key: jamo, Code: code, Text: jamo, WindowsVirtualKeyCode: vk, NativeVirtualKeyCode: vk},
				{Type: input.DispatchKeyEventTypeKeyUp, Key: jamo, Code: code, WindowsVirtualKeyCode: vk, NativeVirtualKeyCode: vk},
			} {
				if _, err := cdp.Call(ctx, t, input.DispatchKeyEvent, p); err != nil {
					return err
				}
			}
			return nil
		}))
	}
	// The queue lists the oldest first: the second request is below.
	hangulKey("ㅓ", "KeyJ", 74)
	agent.waitFor("the next conversation by ㅓ (J)", `location.hash === '#/c/`+fmt.Sprint(id2)+`'`)
	hangulKey("ㅏ", "KeyK", 75)
	agent.waitFor("the previous conversation by ㅏ (K)", `location.hash === '#/c/`+fmt.Sprint(id1)+`'`)
}

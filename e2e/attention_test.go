package e2e

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
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
	p.do("record notifications and sounds", chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: src})
		return err
	}))
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
	const note1 = "@이하나님 이 고객 지난달에도 교환했어요. 이력 확인 부탁드려요"
	agent.clickAt("[data-testid=composer-note-toggle]")
	agent.waitFor("the composer in note mode", `document.querySelector('[data-testid=composer]').dataset.mode === 'note' && document.querySelector('[data-testid=composer-note-toggle]').getAttribute('aria-pressed') === 'true'`)
	consoleSend(agent, note1)
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
	visitor.click("#sodam-launcher")
	agent.waitFor("the receipt under the newest reply once the chat is open", `document.querySelector('[data-testid=read-receipt]')?.closest('li').querySelector('.bubble').textContent === `+js(later))
}

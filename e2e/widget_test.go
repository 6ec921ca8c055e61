package e2e

import (
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/sodam-chat/sodam/internal/chat"
)

// The launcher on the company's page: Escape closes the chat, and agent
// replies that come while it is closed show as a badge on it. After a long
// chat ends, "start a new chat" is in view without scrolling.
func TestBrowserWidgetLauncher(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	const hello = "교환 신청은 어디서 하나요?"
	agent, visitor, _ := takenChat(t, s, hello)
	consoleShows(agent, "visitor", hello)

	// Escape in the chat (the composer has the focus) closes it and gives
	// the focus back to the launcher.
	visitor.waitFrame("the keyboard focus in the widget", `d.hasFocus()`)
	visitor.do("press Escape", chromedp.KeyEvent(kb.Escape))
	closed := `document.getElementById('sodam-frame').hidden && document.getElementById('sodam-launcher').getAttribute('aria-expanded') === 'false'`
	visitor.waitFor("the chat closed by Escape, the launcher focused", closed+` && document.activeElement === document.getElementById('sodam-launcher')`)
	badge := `document.getElementById('sodam-badge')`
	visitor.waitFor("no badge yet", badge+`.hidden`)

	// Replies while closed: the badge counts them.
	for i, reply := range []string{"마이페이지 > 주문내역에서 하실 수 있어요.", "다른 문의 있으시면 말씀해 주세요."} {
		consoleSend(agent, reply)
		consoleShows(agent, "agent", reply)
		visitor.waitFor(fmt.Sprintf("the badge saying %d", i+1), `!`+badge+`.hidden && `+badge+`.textContent === '`+fmt.Sprint(i+1)+`' && document.getElementById('sodam-launcher').getAttribute('aria-label').includes('새 메시지 `+fmt.Sprint(i+1)+`개')`)
	}
	look(visitor, "launcher-badge")
	visitor.click("#sodam-launcher")
	visitor.waitFor("the chat open and the badge gone", `!document.getElementById('sodam-frame').hidden && `+badge+`.hidden && document.getElementById('sodam-launcher').getAttribute('aria-label') === '채팅 상담 닫기'`)
	widgetShows(visitor, "agent", "다른 문의 있으시면 말씀해 주세요.")
	// A reply while open raises no badge.
	consoleSend(agent, "좋은 하루 보내세요.")
	widgetShows(visitor, "agent", "좋은 하루 보내세요.")
	if hidden := eval[bool](visitor, badge+`.hidden`); !hidden {
		visitor.fail("a badge shows while the chat is open")
	}
	// Escape on the page, the launcher focused, closes it too.
	visitor.do("focus the launcher", chromedp.Evaluate[chromedp.Void](`document.getElementById('sodam-launcher').focus()`))
	visitor.do("press Escape", chromedp.KeyEvent(kb.Escape))
	visitor.waitFor("the chat closed by Escape on the page", closed)
	visitor.click("#sodam-launcher")

	// A chat long enough to scroll, then the agent closes it: the new chat
	// button is in view at once.
	for i := range 8 {
		consoleSend(agent, fmt.Sprintf("안내 %d: 교환은 수령 후 7일 이내에 신청하실 수 있고, 상품 택을 떼지 않은 상태여야 합니다.", i+1))
	}
	consoleShows(agent, "agent", "안내 8: 교환은 수령 후 7일 이내에 신청하실 수 있고, 상품 택을 떼지 않은 상태여야 합니다.")
	agent.click("[data-testid=close-button]")
	agent.click("[data-testid=close-confirm]")
	visitor.waitFrame("the chat ended, the thread scrolling, the new chat button in view", `d.querySelector('[data-testid=widget]').dataset.view === 'ended'`+
		` && (() => { const s = d.getElementById('scroller'); return s.scrollHeight > s.clientHeight; })()`+
		` && (() => { const r = d.querySelector('[data-testid=widget-new-chat]').getBoundingClientRect(); return r.height > 0 && r.top >= 0 && r.bottom <= w.innerHeight; })()`)
	look(visitor, "widget-ended")
}

// TestBrowserLauncherWaitsForLook: on a site whose launcher is on the
// left, the launcher never shows at the default bottom right before the
// workspace's look has come (it crossed the page on every load): it stays
// hidden while the look is held back, then shows on the left. (A look
// later than the loader's wait, 1.5 s, may show it at the defaults first:
// TestBrowserWidgetSettings's early visitor opens the chat then.)
func TestBrowserLauncherWaitsForLook(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	s.configure(func(st *chat.Settings) { st.Widget.Position = "left" })
	visitor := newTab(t, browser(t), "visitor")

	// Every frame the page draws, from the launcher's first until its look
	// has come: whether it shows, where, and how long after it was put on
	// the page.
	const watch = `(() => {
		if (window !== top) return;
		const frames = window.__launcher = [];
		let start;
		new MutationObserver((_, o) => {
			if (document.getElementById('sodam-launcher')) { start = performance.now(); o.disconnect(); }
		}).observe(document, { childList: true, subtree: true });
		const sample = () => {
			const b = document.getElementById('sodam-launcher');
			if (b) frames.push({ ms: performance.now() - start, shown: b.checkVisibility({ visibilityProperty: true }), left: b.getBoundingClientRect().left, look: b.dataset.look ?? '' });
			if (!b?.dataset.look) requestAnimationFrame(sample);
		};
		requestAnimationFrame(sample);
	})();`
	visitor.onEveryLoad("watch the launcher from the next page on", watch)
	visitor.hold("*/api/v1/widget/launcher*")
	visitor.goTo(s.host.URL)
	visitor.waitFor("frames drawn while the look is held", `window.__launcher?.length >= 3`)
	visitor.release()
	launcher := `document.getElementById('sodam-launcher')`
	visitor.waitFor("the launcher shown on the left", launcher+`.dataset.look === 'loaded' && `+launcher+`.checkVisibility({ visibilityProperty: true })`+
		` && `+launcher+`.getBoundingClientRect().left === 20 && innerHeight - `+launcher+`.getBoundingClientRect().bottom === 20`)

	type frame struct {
		MS    float64
		Shown bool
		Left  float64
		Look  string
	}
	for _, f := range eval[[]frame](visitor, `window.__launcher`) {
		// Well within the loader's wait of 1.5 s, which a busy machine may
		// reach before the look is released.
		if f.Look == "" && f.Shown && f.MS < 1000 {
			visitor.fail("the launcher showed %.0f px from the left %.0f ms after it was put on the page, before its look came", f.Left, f.MS)
		}
	}
}

// TestBrowserCloseCrossesMessage: a message sent to a chat that ended
// without the widget hearing of it (its socket away, or the close
// crossing the message) is refused, the widget shows the chat ended, and
// "new chat" offers the message again in its composer: nothing the
// visitor wrote is lost.
func TestBrowserCloseCrossesMessage(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	agent, visitor, id := takenChat(t, s, "주문한 가방 색상을 바꾸고 싶어요.")
	consoleShows(agent, "visitor", "주문한 가방 색상을 바꾸고 싶어요.")

	// The widget's sockets, from the next load on, drop what they hear
	// once the test sets __deaf in its frame.
	const deafable = `(() => {
		const Real = window.WebSocket;
		window.WebSocket = class extends Real {
			constructor(...args) {
				super(...args);
				this.addEventListener('message', (e) => { if (window.__deaf) e.stopImmediatePropagation(); });
			}
		};
	})();`
	visitor.onEveryLoad("make the widget's sockets deafable", deafable)
	openWidget(visitor, s.host.URL)
	widgetShows(visitor, "visitor", "주문한 가방 색상을 바꾸고 싶어요.")
	visitor.waitFrame("the widget's socket live", `d.querySelector('[data-testid=widget-connection]')?.dataset.state === 'live'`)
	frameEval[bool](visitor, `window.__deaf = true; return true;`)
	c, err := s.node.Store.Conversation(t.Context(), s.ws.ID, id)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.node.App.CloseConversation(t.Context(), s.ws.ID, id, chat.Actor{Kind: chat.SenderAgent, AgentID: c.AssigneeID}); err != nil {
		t.Fatal(err)
	}
	const late = "아 그리고 사이즈도 한 치수 크게 부탁드려요."
	widgetSend(visitor, late)
	visitor.waitFrame("the chat shown ended", `d.querySelector('[data-testid=widget]').dataset.view === 'ended'`)
	visitor.frameClick("[data-testid=widget-new-chat]")
	visitor.waitFrame("the refused message in the new chat's composer",
		`d.querySelector('[data-testid=widget]').dataset.view === 'chat' && d.querySelector('[data-testid=widget-input]').value === `+js(late))
	visitor.frameClick("[data-testid=widget-input]")
	visitor.keys("\r")
	widgetShows(visitor, "visitor", late)
	agent.click("[data-testid=tab-unassigned]")
	second := newConversation(agent, id)
	openConversation(agent, second)
	consoleShows(agent, "visitor", late)
}

// TestBrowserWidgetLooksAgain: the widget's frame lives as long as the
// page, so when the visitor opens the chat again it asks once more whether
// chats are taken: the leave-a-message form shown while nobody was online
// turns into the chat once an agent is, and back; a form the visitor has
// written in is kept.
func TestBrowserWidgetLooksAgain(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	root := browser(t)
	agent := newTab(t, root, "agent")
	visitor := newTab(t, root, "visitor")

	openWidget(visitor, s.host.URL)
	agreeTo(visitor, "leave")
	closed := `document.getElementById('sodam-frame').hidden`
	visitor.click("#sodam-launcher")
	visitor.waitFor("the chat closed", closed)

	signIn(agent, s) // signing in comes online
	visitor.click("#sodam-launcher")
	visitor.waitFrame("the chat, not the form, now that an agent is online",
		`d.querySelector('[data-testid=widget]').dataset.view === 'chat' && d.querySelector('[data-testid=widget-composer]').checkVisibility()`+
			` && d.querySelector('[data-testid=widget-offline]').dataset.reason === 'available'`)

	visitor.click("#sodam-launcher")
	visitor.waitFor("the chat closed", closed)
	api[any](agent, s, "PUT", "/me/status", map[string]any{"status": "offline"})
	visitor.click("#sodam-launcher")
	visitor.waitFrame("the form again, now that nobody is online",
		`d.querySelector('[data-testid=widget]').dataset.view === 'leave' && d.querySelector('[data-testid=widget-offline]').dataset.reason === 'nobody_online'`)

	// Words in the form stay where they are.
	const note = "주문 번호 1234 배송 문의입니다."
	visitor.frameClick("[data-testid=widget-leave-message]")
	visitor.waitFrame("the keyboard focus in the form's message", `d.hasFocus() && d.activeElement === d.querySelector('[data-testid=widget-leave-message]')`)
	visitor.keys(note)
	visitor.waitFrame("the words in the form", `d.querySelector('[data-testid=widget-leave-message]').value === `+js(note))
	visitor.click("#sodam-launcher")
	visitor.waitFor("the chat closed", closed)
	api[any](agent, s, "PUT", "/me/status", map[string]any{"status": "online"})
	visitor.click("#sodam-launcher")
	visitor.waitFrame("the availability line saying an agent is online", `d.querySelector('[data-testid=widget-offline]').dataset.reason === 'available'`)
	visitor.waitFrame("the form kept with the visitor's words",
		`d.querySelector('[data-testid=widget]').dataset.view === 'leave' && d.querySelector('[data-testid=widget-leave-message]').value === `+js(note))
}

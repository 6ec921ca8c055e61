package e2e

import (
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
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

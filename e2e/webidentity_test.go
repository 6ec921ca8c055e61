package e2e

import (
	"net/url"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserWebIdentifierFollowsID (§1.3): an anonymous visitor chats;
// the agent recognises member-7, who has the widget open logged in on
// another computer, and gives the visitor that customer ID. The visitor's
// identifier becomes SITEID_member-7, the member's: the visitor's widget
// goes on in the chat, and the member's widget, reloaded, lands in the
// same conversation, where each sees what the other writes.
func TestBrowserWebIdentifierFollowsID(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	root := browser(t)
	agent := newTab(t, root, "agent")
	visitor := newTab(t, root, "anonymous visitor")
	member := newTab(t, root, "member")
	signIn(agent, s)

	// The member opens the widget logged in (no chat yet): SITEID_member-7.
	memberPage := s.host.URL + "?head=" + url.QueryEscape(s.memberHead("member-7", "김회원"))
	openWidget(member, memberPage)

	const asked, reply, again = "회원인데 로그인이 안 돼요", "회원 아이디를 알려 주세요", "member-7 입니다"
	id := startChat(t, agent, s, visitor, asked)
	openAndAssign(agent, id)
	consoleSend(agent, reply)
	widgetShows(visitor, "agent", reply)
	widgetSend(visitor, again)
	consoleShows(agent, "visitor", again)
	anon := detail(agent, s, id).Customer
	panelReady(agent, id, anon.CustomerID)

	// The agent gives the visitor the member's customer ID: asked, then
	// the two are one identifier, the member's.
	agent.click("[data-testid=customer-id-edit]")
	agent.waitFor("the customer ID form", `document.querySelector('[data-testid=customer-id-form]').checkVisibility()`)
	agent.do("type the member's ID", chromedp.Evaluate[chromedp.Void](`document.querySelector('[data-testid=customer-id-input]').select()`),
		typeIn("[data-testid=customer-id-input]", "member-7"))
	agent.click("[data-testid=customer-id-save]")
	agent.waitFor("the merge question", `document.querySelector('[data-testid=merge-dialog]').open`)
	agent.clickAt("[data-testid=merge-confirm]")
	identifier := s.ws.SiteID + "_member-7"
	agent.waitFor("the member's identifier on the chat", `!document.querySelector('[data-testid=merge-dialog]').open`+
		` && document.querySelector('[data-testid=details-customer] dd[data-field=customer_id]')?.firstChild?.textContent === 'member-7'`+
		` && document.querySelector('[data-testid=details-conversation] dd[data-field=identifier]')?.textContent === `+js(identifier))
	if got := detail(agent, s, id).Customer; got.Identifier != identifier || got.ID == anon.ID || !got.Verified || got.Identifiers != 1 {
		agent.fail("after the change the chat's customer is %+v, want the member's %s", got, identifier)
	}

	// The visitor's widget goes on, in the same chat.
	const more = "확인 부탁드려요"
	widgetSend(visitor, more)
	consoleShows(agent, "visitor", more)

	// The member's widget, reloaded, is in that chat: the whole thread.
	openWidget(member, memberPage)
	member.waitFrame("the chat view", `d.querySelector('[data-testid=widget]').dataset.view === 'chat'`)
	for _, text := range []string{asked, again, more} {
		widgetShows(member, "visitor", text)
	}
	widgetShows(member, "agent", reply)
	const fromPC = "PC에서 이어서 씁니다"
	widgetSend(member, fromPC)
	widgetShows(visitor, "visitor", fromPC)
	consoleShows(agent, "visitor", fromPC)

	// The visitor reloads: still the same chat, the member's line in it.
	openWidget(visitor, s.host.URL)
	visitor.waitFrame("the chat view after reloading", `d.querySelector('[data-testid=widget]').dataset.view === 'chat'`)
	widgetShows(visitor, "visitor", fromPC)
	widgetShows(visitor, "agent", reply)
}

// TestBrowserLoginMidChat (§1.3): an anonymous visitor chats; the agent
// asks them to log in, and the company's page, after the login, passes the
// member's signed ID. The widget goes on in the same chat — the agent's
// answer there, the next message reaching the agent — and the agent sees
// the member's identifier on the chat.
func TestBrowserLoginMidChat(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	const asked, reply, again = "주문 내역이 안 보여요", "로그인하신 뒤 다시 말씀해 주세요", "로그인했어요"
	agent, visitor, id := takenChat(t, s, asked)
	consoleSend(agent, reply)
	widgetShows(visitor, "agent", reply)

	// The visitor logs in on the company's site: the next page has the
	// member's signed ID.
	openWidget(visitor, s.host.URL+"?head="+url.QueryEscape(s.memberHead("member-31", "이로그")))
	visitor.waitFrame("the chat view after logging in", `d.querySelector('[data-testid=widget]').dataset.view === 'chat'`)
	widgetShows(visitor, "visitor", asked)
	widgetShows(visitor, "agent", reply)
	widgetSend(visitor, again)
	consoleShows(agent, "visitor", again)
	identifier := s.ws.SiteID + "_member-31"
	agent.waitFor("the member's identifier on the chat", `document.querySelector('[data-testid=details-conversation] dd[data-field=identifier]')?.textContent === `+js(identifier))
	if got := detail(agent, s, id).Customer; got.Identifier != identifier || !got.Verified {
		agent.fail("after the login the chat's customer is %+v, want %s", got, identifier)
	}
}

package e2e

import (
	"context"
	"fmt"
	"hash/fnv"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/outbox"
)

// How the console names a customer: the name saved in the details panel
// everywhere at once.

// TestBrowserNameRefresh: once the agent saves a customer's name in the
// details panel, the header, the list and the customer's messages show it
// at once, without a reload.
func TestBrowserNameRefresh(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	const hello = "반품 절차가 궁금합니다."
	agent, _, id := takenChat(t, s, hello)
	item := fmt.Sprintf("[data-testid=conversation-list] a[data-conversation-id='%d']", id)
	agent.click("[data-testid=scope-all]")
	agent.click("[data-testid=tab-waiting]")
	openConversation(agent, id)
	consoleShows(agent, "visitor", hello)
	panelReady(agent, id, detail(agent, s, id).Customer.CustomerID)

	const name = "박하늘"
	agent.do("type the customer's name", typeIn("[data-testid=customer-name]", name))
	agent.click("[data-testid=customer-save]")
	agent.waitFor("the profile saved", `document.querySelector('[data-testid=customer-unsaved]').hidden && document.querySelector('[data-testid=customer-error]').textContent === ''`)
	agent.waitFor("the new name in the header, the list and the customer's messages",
		`document.querySelector('[data-testid=conversation-title]').textContent === `+js(name)+
			` && document.querySelector("`+item+` .name")?.textContent === `+js(name)+
			` && [...document.querySelectorAll('[data-testid=messages] li[data-sender=visitor] .who')].every((w) => w.textContent === `+js(name)+`)`)
	look(agent, "name-refresh")
}

// visitorName is the console's generated name for an anonymous visitor
// (console/names.js): a number from 32-bit FNV-1a over the identifier,
// and the avatar's hue from the hash's upper bits.
func visitorName(identifier string) (number, hue uint32) {
	h := fnv.New32a()
	h.Write([]byte(identifier))
	x := h.Sum32()
	return 1000 + x%9000, (x >> 16) % 360
}

// TestBrowserVisitorNames: an anonymous visitor is "방문자 NNNN" with an
// avatar colour, the same in the list, the header and the messages, before
// and after a reload and in English ("Visitor NNNN"); the identifier stays
// in the details panel.
func TestBrowserVisitorNames(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	const hello = "사이즈 교환 가능한가요?"
	agent, _, id := takenChat(t, s, hello)
	ident := api[struct {
		Conversation struct {
			Identifier string `json:"identifier"`
		} `json:"conversation"`
	}](agent, s, "GET", fmt.Sprintf("/conversations/%d", id), nil).Conversation.Identifier
	number, hue := visitorName(ident)
	item := fmt.Sprintf("[data-testid=conversation-list] a[data-conversation-id='%d']", id)
	check := func(name string) {
		agent.t.Helper()
		agent.click("[data-testid=tab-waiting]")
		openConversation(agent, id)
		consoleShows(agent, "visitor", hello)
		agent.waitFor(fmt.Sprintf("%q with hue %d in the list, the header and the messages, the identifier in the details", name, hue),
			`document.querySelector('[data-testid=conversation-title]').textContent === `+js(name)+
				` && document.querySelector("`+item+` .name")?.textContent === `+js(name)+
				` && [...document.querySelectorAll('[data-testid=messages] li[data-sender=visitor] .who')].every((w) => w.textContent === `+js(name)+`)`+
				` && ['.conv-head', "`+item+`", '[data-testid=messages] li[data-sender=visitor]'].every((sel) => document.querySelector(sel + ' [data-testid=customer-avatar]')?.dataset.hue === '`+fmt.Sprint(hue)+`')`+
				` && document.querySelector('[data-testid=details-conversation] dd[data-field=identifier]')?.textContent === `+js(ident))
	}
	check(fmt.Sprintf("방문자 %d", number))
	look(agent, "visitor-names")
	agent.do("reload the console", chromedp.Reload())
	agent.waitFor("the console live again", `document.querySelector('[data-testid=connection]')?.dataset.state === 'live'`)
	check(fmt.Sprintf("방문자 %d", number))
	eval[any](agent, `import('/console/i18n.js').then((m) => m.chooseLanguage('en')).then(() => null)`)
	check(fmt.Sprintf("Visitor %d", number))
}

// TestBrowserMergedNameRefresh: two identifiers share one customer ID
// (merged) — a web visitor and the company's app, through the API channel
// — each with a queued chat. A name saved on one shows at once on the
// other's list entry too: they share the profile.
func TestBrowserMergedNameRefresh(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	ctx := context.Background()
	web := &chat.Customer{WorkspaceID: s.ws.ID, ExternalID: "merged-web"}
	if err := s.node.Store.UpsertCustomer(ctx, web); err != nil {
		t.Fatal(err)
	}
	ob := s.node.Store.(outbox.Store)
	ch := &outbox.Endpoint{WorkspaceID: s.ws.ID, Kind: outbox.KindChannel, ChannelKind: "api", URL: "https://app.example.com/sodam",
		Events: outbox.ChannelEvents, SealedSecret: "v1:sealed", QuietStart: -1, QuietEnd: -1}
	if err := ob.CreateEndpoint(ctx, ch, "app-channel-token", chat.Who{}); err != nil {
		t.Fatal(err)
	}
	app, err := ob.ChannelCustomer(ctx, *ch, "merged-app", outbox.ChannelProfile{})
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, cu := range []struct {
		id int64
		ch chat.Channel
	}{{web.ID, chat.ChannelWeb}, {app.ID, "api"}} {
		if _, err := s.node.App.ChangeCustomerID(ctx, s.ws.ID, cu.id, "member-7731", true, chat.Who{}); err != nil {
			t.Fatal(err)
		}
		c, _, err := s.node.App.StartConversation(ctx, s.ws.ID, cu.id, cu.ch, "ko", "")
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, c.ID)
	}
	root := browser(t)
	agent := newTab(t, root, "agent")
	signIn(agent, s)
	agent.click("[data-testid=tab-unassigned]")
	other := fmt.Sprintf("[data-testid=conversation-list] a[data-conversation-id='%d'] .name", ids[1])
	agent.waitFor("both chats queued", `document.querySelector("`+other+`")`)
	const name = "윤지호"
	api[map[string]any](agent, s, "PATCH", fmt.Sprintf("/conversations/%d/customer", ids[0]), map[string]any{"name": name})
	agent.waitFor("the other identifier's chat named too", `document.querySelector("`+other+`")?.textContent === `+js(name))
}

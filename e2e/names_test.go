package e2e

import (
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"
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
	agent.do("type the customer's name", chromedp.SendKeys(chromedp.CSS("[data-testid=customer-name]"), name))
	agent.click("[data-testid=customer-save]")
	agent.waitFor("the profile saved", `document.querySelector('[data-testid=customer-unsaved]').hidden && document.querySelector('[data-testid=customer-error]').textContent === ''`)
	agent.waitFor("the new name in the header, the list and the customer's messages",
		`document.querySelector('[data-testid=conversation-title]').textContent === `+js(name)+
			` && document.querySelector("`+item+` .name")?.textContent === `+js(name)+
			` && [...document.querySelectorAll('[data-testid=messages] li[data-sender=visitor] .who')].every((w) => w.textContent === `+js(name)+`)`)
	look(agent, "name-refresh")
}

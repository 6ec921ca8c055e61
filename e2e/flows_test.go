package e2e

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// What people do, step by step, as the browser tests share it.

// signIn logs the admin in to the console (see signInAs).
func signIn(p *tab, s *site) {
	p.t.Helper()
	signInAs(p, s, adminEmail, adminPassword)
}

// signInAs logs an agent in to the console: it writes the email and the
// password (see write), clicks the button, and waits for the live
// connection and the online status.
func signInAs(p *tab, s *site, email, password string) {
	p.t.Helper()
	p.goTo(s.baseURL + "/console/")
	p.waitFor("the sign-in form", `!document.querySelector('#login').hidden`)
	p.do("fill in the sign-in form",
		typeIn("[data-testid=login-email]", email),
		typeIn("[data-testid=login-password]", password),
	)
	p.click("[data-testid=login-submit]")
	p.waitFor("the console after signing in", `!document.querySelector('#app').hidden && document.querySelector('#login').hidden`)
	p.waitFor("the console's live connection", `document.querySelector('[data-testid=connection]').dataset.state === 'live'`)
	p.waitFor("the agent shown online", `document.querySelector('[data-testid=status-select]').closest('label').dataset.status === 'online'`)
}

// openWidget opens the page at url and the chat with the launcher, and
// waits until the widget has loaded (any view but loading and failure).
func openWidget(p *tab, url string) {
	p.t.Helper()
	p.goTo(url)
	launcherInPlace(p)
	p.click("#sodam-launcher")
	p.waitFrame("the widget to load", `['consent', 'chat', 'ended', 'leave', 'sent', 'blocked'].includes(d.querySelector('[data-testid=widget]')?.dataset.view)`)
}

// launcherInPlace waits until the workspace's look has come (or could
// not): until then the launcher is hidden, and a click where it is
// reaches the page under it. (A late look shows it at the defaults
// first, and it moves: to the left, say.)
func launcherInPlace(p *tab) {
	p.t.Helper()
	p.waitFor("the launcher in its place", `document.getElementById('sodam-launcher')?.dataset.look`)
}

// agree accepts the privacy notice and waits for the chat.
func agree(p *tab) {
	p.t.Helper()
	agreeTo(p, "chat")
}

// agreeTo accepts the privacy notice and waits for the view it leads to:
// chat, or leave (the leave-a-message form) when chats are not taken now.
func agreeTo(p *tab, view string) {
	p.t.Helper()
	p.waitFrame("the consent step", `d.querySelector('[data-testid=widget]').dataset.view === 'consent'`)
	p.frameClick("[data-testid=widget-consent-agree]")
	p.waitFrame("the "+view+" view after consent", `d.querySelector('[data-testid=widget]').dataset.view === `+js(view))
}

// widgetType clicks into the widget's composer and types text.
func widgetType(p *tab, text string) {
	p.t.Helper()
	p.frameClick("[data-testid=widget-input]")
	p.waitFrame("the keyboard focus in the widget's composer", `d.hasFocus() && d.activeElement === d.querySelector('[data-testid=widget-input]')`)
	p.write(text)
}

// widgetSend types a message in the widget and sends it with Enter.
func widgetSend(p *tab, text string) {
	p.t.Helper()
	widgetType(p, text)
	p.keys("\r")
}

// widgetShows waits until the widget shows text as a stored message.
func widgetShows(p *tab, sender, text string) {
	p.t.Helper()
	p.waitFrame(fmt.Sprintf("%s message %q in the widget", sender, text),
		`[...d.querySelectorAll('[data-testid=widget-messages] li[data-seq][data-sender=`+sender+`] .bubble')].some((b) => b.textContent === `+js(text)+`)`)
}

// consoleType types into the console's composer.
func consoleType(p *tab, text string) {
	p.t.Helper()
	p.waitFor("the composer enabled", `!document.querySelector('[data-testid=composer-input]').disabled`)
	p.do("type in the composer", typeIn("[data-testid=composer-input]", text))
}

// consoleSend types a reply in the console and sends it with Enter.
func consoleSend(p *tab, text string) {
	p.t.Helper()
	consoleType(p, text)
	p.keys("\r")
}

// consoleShows waits until the open conversation shows text as stored.
func consoleShows(p *tab, sender, text string) {
	p.t.Helper()
	p.waitFor(fmt.Sprintf("%s message %q in the console", sender, text),
		`[...document.querySelectorAll('[data-testid=messages] li[data-seq][data-sender=`+sender+`] .bubble')].some((b) => b.textContent === `+js(text)+`)`)
}

// firstRequest waits for a conversation in the console's list and returns
// its id.
func firstRequest(p *tab) int64 {
	p.t.Helper()
	p.waitFor("the console live", `document.querySelector('[data-testid=connection]')?.dataset.state === 'live'`)
	p.waitFor("a conversation in the list", `document.querySelector('[data-testid=conversation-list] a[data-conversation-id]')`)
	return eval[int64](p, `Number(document.querySelector('[data-testid=conversation-list] a[data-conversation-id]').dataset.conversationId)`)
}

// openAndAssign opens the conversation in the console and takes it.
func openAndAssign(p *tab, id int64) {
	p.t.Helper()
	p.click(fmt.Sprintf("[data-testid=conversation-list] a[data-conversation-id='%d']", id))
	p.waitFor("the conversation loaded", `document.querySelector('[data-testid=conversation]').dataset.state === 'ready'`)
	p.click("[data-testid=assign-button]")
	p.waitFor("the conversation assigned", `document.querySelector('[data-testid=conversation-state]')?.dataset.state === 'waiting' && !document.querySelector('[data-testid=composer-input]').disabled`)
}

// stored keeps the stored messages of a thread (no drafts).
func stored(bs []bubble) []bubble {
	var out []bubble
	for _, b := range bs {
		if b.Seq > 0 {
			out = append(out, b)
		}
	}
	return out
}

// checkThread fails unless the thread shows no draft, every message once
// in seq order, and, among the visitor's and agents' messages, exactly the
// texts want in that order.
func checkThread(p *tab, where string, bs []bubble, want []string) {
	p.t.Helper()
	var texts []string
	var last int64
	for _, b := range bs {
		if b.Seq == 0 {
			p.fail("%s still shows a draft: %v\nthread: %v", where, b, bs)
		}
		if b.Seq <= last {
			p.fail("%s shows seq %d after %d (duplicate or out of order)\nthread: %v", where, b.Seq, last, bs)
		}
		last = b.Seq
		if b.Sender != "system" {
			texts = append(texts, b.Text)
		}
	}
	if strings.Join(texts, "\n") != strings.Join(want, "\n") {
		p.fail("%s shows messages %q, want %q\nthread: %v", where, texts, want, bs)
	}
}

// sameThread fails unless the widget (w) and the console (c) show the same
// stored text messages, and every event line the widget shows is one the
// console shows too. Event lines are worded differently on each side by
// design (and some are for agents only), so only their seq and code are
// compared.
func sameThread(t *testing.T, w, c []bubble) {
	t.Helper()
	if fmt.Sprint(strip(w)) != fmt.Sprint(strip(c)) {
		t.Fatalf("the widget and the console disagree:\nwidget:  %v\nconsole: %v", w, c)
	}
	events := map[string]bool{}
	for _, b := range c {
		if b.Sender == "system" {
			events[fmt.Sprint(b.Seq, b.Code)] = true
		}
	}
	for _, b := range w {
		if b.Sender == "system" && !events[fmt.Sprint(b.Seq, b.Code)] {
			t.Fatalf("the widget shows event %d %s that the console does not:\nwidget:  %v\nconsole: %v", b.Seq, b.Code, w, c)
		}
	}
}

// strip keeps the text messages, without what differs by design between
// the two sides (who).
func strip(bs []bubble) []bubble {
	var out []bubble
	for _, b := range bs {
		if b.Sender != "system" {
			out = append(out, bubble{Seq: b.Seq, Sender: b.Sender, Pending: b.Pending, Text: b.Text})
		}
	}
	return out
}

// takenChat opens an agent's and a visitor's tab on s: the visitor agrees and
// writes first, and the agent takes the conversation. It returns both tabs
// and the conversation's ID.
func takenChat(t *testing.T, s *site, first string) (agent, visitor *tab, id int64) {
	t.Helper()
	root := browser(t)
	agent = newTab(t, root, "agent")
	visitor = newTab(t, root, "visitor")
	signIn(agent, s)
	openWidget(visitor, s.host.URL)
	agree(visitor)
	widgetSend(visitor, first)
	widgetShows(visitor, "visitor", first)
	id = firstRequest(agent)
	openAndAssign(agent, id)
	return agent, visitor, id
}

// newConversation waits until the agent's list has a conversation other
// than known ones and returns its ID.
func newConversation(agent *tab, known ...int64) int64 {
	agent.t.Helper()
	ids := make([]string, len(known))
	for i, id := range known {
		ids[i] = fmt.Sprint(id)
	}
	except := js(strings.Join(ids, ","))
	find := `[...document.querySelectorAll('[data-testid=conversation-list] a[data-conversation-id]')].find((a) => !` + except + `.split(',').includes(a.dataset.conversationId))`
	agent.waitFor("a new conversation in the list", find)
	return eval[int64](agent, `Number(`+find+`.dataset.conversationId)`)
}

// panelReady waits until the panel shows the customer of conversation id.
func panelReady(p *tab, id int64, customerID string) {
	p.t.Helper()
	p.waitFor(fmt.Sprintf("the panel showing conversation %d's customer", id),
		`document.querySelector('[data-testid=details]').dataset.state === 'open' && !document.querySelector('[data-testid=customer-form] fieldset').disabled`+
			` && document.querySelector('[data-testid=details-customer] dd[data-field=customer_id]')?.firstChild?.textContent === `+js(customerID))
}

// openConversation opens a conversation in the console by its address and
// waits for its messages.
func openConversation(p *tab, id int64) {
	p.t.Helper()
	p.do("open conversation", chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`location.hash = '#/c/%d'`, id)))
	p.waitFor(fmt.Sprintf("conversation %d loaded", id), fmt.Sprintf(`document.querySelector('#app').dataset.page === 'chat' && document.querySelector("[data-testid=conversation-list] a[data-conversation-id='%d']")?.getAttribute('aria-current') === 'page' && document.querySelector('[data-testid=conversation]').dataset.state === 'ready'`, id))
}

// widgetEvent waits until the widget shows a system event line with code.
func widgetEvent(p *tab, code string) {
	p.t.Helper()
	p.waitFrame("the "+code+" event line in the widget",
		`[...d.querySelectorAll('[data-testid=widget-messages] li[data-sender=system][data-code=`+code+`]')].some((li) => li.checkVisibility() && li.textContent.trim() !== '')`)
}

// consoleEvent waits until the open conversation shows a system event
// line with code.
func consoleEvent(p *tab, code string) {
	p.t.Helper()
	p.waitFor("the "+code+" event line in the console",
		`document.querySelector('[data-testid=messages] li[data-sender=system][data-code=`+code+`] .event')?.textContent.trim()`)
}

// api calls the workspace's API from the console page, with the agent's
// session and CSRF token (the page's own api.js), and decodes the answer.
// A refusal fails the test.
func api[T any](p *tab, s *site, method, path string, body any) T {
	p.t.Helper()
	arg := "undefined"
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			p.t.Fatal(err)
		}
		arg = string(b)
	}
	return eval[T](p, fmt.Sprintf(`import('/console/api.js').then((m) => m.call(%s, %s, %s))`,
		js(method), js(fmt.Sprintf("/workspaces/%d%s", s.ws.ID, path)), arg))
}

// apiCustomer is the part of a customer the tests look at.
type apiCustomer struct {
	ID          int64  `json:"id"`
	Identifier  string `json:"identifier"`
	Verified    bool   `json:"verified"`
	CustomerID  string `json:"customer_id"`
	Name        string `json:"name"`
	Nickname    string `json:"nickname"`
	Phone       string `json:"phone"`
	Email       string `json:"email"`
	Address     string `json:"address"`
	Note        string `json:"note"`
	Identifiers int    `json:"identifiers"`
	Tags        []struct {
		Name string `json:"name"`
	} `json:"tags"`
}

type apiConversation struct {
	State        string   `json:"state"`
	CategoryID   int64    `json:"category_id"`
	CategoryPath []string `json:"category_path"`
	Memo         string   `json:"memo"`
	Tags         []struct {
		Name string `json:"name"`
	} `json:"tags"`
}

type apiDetail struct {
	Conversation apiConversation `json:"conversation"`
	Customer     apiCustomer     `json:"customer"`
	Total        int             `json:"total_conversations"`
}

func detail(p *tab, s *site, id int64) apiDetail {
	p.t.Helper()
	return api[apiDetail](p, s, "GET", fmt.Sprintf("/conversations/%d", id), nil)
}

// openSettings opens the settings page from the side bar and waits until
// its cards have loaded.
func openSettings(p *tab) {
	p.t.Helper()
	p.click("[data-testid=nav-settings]")
	p.waitFor("the settings page", `document.querySelector('#app').dataset.page === 'settings' && document.querySelector('[data-testid=settings-form] [name=name]').value !== ''`)
}

// fill replaces an input's value by typing, as a person would after
// selecting what was there.
func fill(p *tab, sel, text string) {
	p.t.Helper()
	p.do("fill "+sel, chromedp.Evaluate[chromedp.Void](`document.querySelector(`+js(sel)+`).value = ''`), typeIn(sel, text))
}

// toastSays waits until the toast shows text.
func toastSays(p *tab, text string) {
	p.t.Helper()
	p.waitFor("the toast "+js(text), `(() => { const el = document.querySelector('[data-testid=toast]'); return !el.hidden && el.textContent === `+js(text)+`; })()`)
}

// addCanned adds a canned response on the settings page.
func addCanned(p *tab, title, body string, shared bool) {
	p.t.Helper()
	fill(p, "[data-testid=canned-title]", title)
	fill(p, "[data-testid=canned-body]", body)
	if shared {
		p.click("[data-testid=canned-shared]")
	}
	p.click("[data-testid=canned-save]")
	p.waitFor("the canned response "+title+" in the list",
		`[...document.querySelectorAll('[data-testid=canned-item]')].some((li) => li.querySelector('[data-field=title]').textContent === `+js(title)+` && li.dataset.shared === '`+fmt.Sprint(shared)+`')`)
}

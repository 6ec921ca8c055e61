package e2e

import (
	"context"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/sodam-chat/sodam/internal/chat"
)

// Tickets: what a visitor leaves when chats are not taken, and the
// console's To check page where agents process them.

// TestBrowserLeaveMessage: outside business hours the widget offers the
// leave-a-message form; what the visitor leaves appears live on the
// console's To check page, where the agent processes it.
func TestBrowserLeaveMessage(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	s.configure(func(st *chat.Settings) {
		st.Hours.AlwaysOpen = false
		for i := range st.Hours.Days {
			st.Hours.Days[i] = chat.DayHours{} // closed every day
		}
	})
	root := browser(t)
	agent := newTab(t, root, "agent")
	visitor := newTab(t, root, "visitor")

	signIn(agent, s) // online, but the desk is closed
	agent.click("[data-testid=nav-tickets]")
	agent.waitFor("the empty To check page", `document.querySelector('#app').dataset.page === 'tickets' && document.querySelector('[data-testid=tickets]').checkVisibility() && document.querySelector('[data-testid=ticket-empty]').checkVisibility() && document.querySelector('[data-testid=tickets-count]').hidden`)

	openWidget(visitor, s.host.URL)
	agreeTo(visitor, "leave")
	visitor.waitFrame("the form saying it is outside hours",
		`d.querySelector('[data-testid=widget-offline]').dataset.reason === 'outside_hours' && d.querySelector('[data-testid=widget-offline]').textContent.includes('상담 시간이 아니에요') && !d.querySelector('[data-testid=widget-composer]').checkVisibility()`)

	// Submitting it empty says what is missing.
	visitor.frameClick("[data-testid=widget-leave-submit]")
	visitor.waitFrame("the missing fields pointed out", `['name', 'contact', 'message'].every((f) => d.querySelector('[data-testid=widget-leave-' + f + '-error]').textContent !== '' && d.querySelector('[data-testid=widget-leave-' + f + ']').getAttribute('aria-invalid') === 'true')`)

	const name, contact, message = "김민지", "minji@example.com", "찻잔 세트 재입고 일정이 궁금합니다."
	for _, f := range []struct{ field, text string }{{"name", name}, {"contact", contact}, {"message", message}} {
		sel := "[data-testid=widget-leave-" + f.field + "]"
		visitor.frameClick(sel)
		visitor.waitFrame("the keyboard focus in "+sel, `d.hasFocus() && d.activeElement === d.querySelector(`+js(sel)+`)`)
		visitor.keys(f.text)
	}
	visitor.frameClick("[data-testid=widget-leave-submit]")
	visitor.waitFrame("the thank-you", `d.querySelector('[data-testid=widget]').dataset.view === 'sent' && d.querySelector('[data-testid=widget-leave-thanks]').checkVisibility()`)

	// It appears live on the To check page, with the count.
	ticket := `document.querySelector('[data-testid=ticket-list] [data-testid=ticket]')`
	agent.waitFor("the ticket on the To check page", ticket+` && `+ticket+`.dataset.status === 'open'`+
		` && `+ticket+`.querySelector('[data-field=name]').textContent === `+js(name)+
		` && `+ticket+`.querySelector('[data-field=contact] a')?.getAttribute('href') === `+js("mailto:"+contact)+
		` && `+ticket+`.querySelector('[data-field=message]').textContent === `+js(message))
	agent.waitFor("the count badge and the open count", `(() => { const c = document.querySelector('[data-testid=tickets-count]'); return !c.hidden && c.textContent === '1' && document.querySelector('[data-testid=ticket-filter-open] .count').textContent === '1' && document.querySelector('[data-testid=ticket-empty]').hidden; })()`)

	// The agent processes it: a note, solved.
	agent.click("[data-testid=ticket] [data-testid=ticket-process]")
	agent.waitFor("the processing form proposing solved and this agent", `(() => { const f = document.querySelector('[data-testid=ticket] [data-testid=ticket-form]'); return f.checkVisibility() && f.querySelector('[data-testid=ticket-status]').value === 'solved' && f.querySelector('[data-testid=ticket-assignee]').value !== '0'; })()`)
	const note = "재입고 일정(다음 주 화요일)을 메일로 안내했습니다."
	agent.do("write the note", chromedp.SendKeys(chromedp.CSS("[data-testid=ticket] [data-testid=ticket-note]"), note))
	agent.click("[data-testid=ticket] [data-testid=ticket-save]")
	agent.waitFor("the ticket gone from the open list and the badge gone", `!document.querySelector('[data-testid=ticket-list] [data-testid=ticket]') && document.querySelector('[data-testid=ticket-empty]').checkVisibility() && document.querySelector('[data-testid=tickets-count]').hidden`)
	agent.click("[data-testid=ticket-filter-solved]")
	agent.waitFor("the ticket solved with the note", ticket+` && `+ticket+`.dataset.status === 'solved' && `+ticket+`.querySelector('[data-testid=ticket-note-text]')?.textContent === `+js(note)+
		` && `+ticket+`.querySelector('[data-field=outcome]').textContent.includes('Admin')`)
	tickets, err := s.node.Store.Tickets(context.Background(), s.ws.ID, chat.TicketFilter{Status: chat.TicketSolved})
	if err != nil {
		t.Fatal(err)
	}
	if len(tickets) != 1 || tickets[0].Note != note || tickets[0].Message != message || tickets[0].Contact != contact {
		t.Fatalf("stored solved tickets %+v, want the one left with the note", tickets)
	}
}

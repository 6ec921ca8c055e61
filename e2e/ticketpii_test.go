package e2e

import (
	"context"
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/sodam-chat/sodam/internal/chat"
)

// TestBrowserLeftMessagePII: under automatic masking, a visitor who leaves
// a message with a refund account and a resident registration number
// (§7.1) has both masked before the ticket is stored — not in the
// database file, not in an event; a manager sees the message masked on
// the ticket page, with the mask styling of chat, and sees the
// registration number for a moment with a reason, which leaves the stored
// ticket masked. In suggest mode the page underlines a left message's
// card number and masks it in one click.
func TestBrowserLeftMessagePII(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	s.configure(func(st *chat.Settings) {
		st.PII.Mode = chat.PIIAuto
		st.Hours.AlwaysOpen = false
		for i := range st.Hours.Days {
			st.Hours.Days[i] = chat.DayHours{} // closed every day: the widget offers the form
		}
	})
	s.addMember("park@example.com", "박매니저", "park-password-2026", chat.RoleManager)
	root := browser(t)
	visitor := newTab(t, root, "visitor")
	openWidget(visitor, s.host.URL)
	agreeTo(visitor, "leave")
	const message = "환불 계좌는 국민은행 123456-01-234567 입니다, 주민번호 900101-1234568"
	for _, f := range []struct{ field, text string }{{"name", "홍길동"}, {"contact", "hong@example.com"}, {"message", message}} {
		sel := "[data-testid=widget-leave-" + f.field + "]"
		visitor.frameClick(sel)
		visitor.waitFrame("the keyboard focus in "+sel, `d.hasFocus() && d.activeElement === d.querySelector(`+js(sel)+`)`)
		visitor.write(f.text)
	}
	visitor.frameClick("[data-testid=widget-leave-submit]")
	visitor.waitFrame("the thank-you", `d.querySelector('[data-testid=widget]').dataset.view === 'sent'`)
	neverStored(t, s, "900101-1234568", "1234568", "123456-01-234567")

	park := newTab(t, root, "manager 박매니저")
	desktop(park)
	signInAs(park, s, "park@example.com", "park-password-2026")
	park.click("[data-testid=nav-tickets]")
	park.waitFor("the left message in the list", `document.querySelector('`+ticketItem+`') !== null`)
	park.clickAt(ticketItem + " a")
	const masked = "환불 계좌는 국민은행 **************** 입니다, 주민번호 **************"
	const spans = `[...document.querySelectorAll('[data-testid=ticket-original] [data-testid=masked-span]')]`
	park.waitFor("the message masked, as chat masks it", `document.querySelector('[data-testid=ticket-view]').checkVisibility()`+
		` && document.querySelector('[data-testid=ticket-original] [data-testid=ticket-message]')?.textContent === `+js(masked)+
		` && `+spans+`.length === 2 && `+spans+`.every((b) => !b.disabled && /^\*+$/.test(b.textContent) && getComputedStyle(b).backgroundColor !== getComputedStyle(b.closest('.ticket-entry')).backgroundColor)`+
		` && `+spans+`.map((b) => b.dataset.kind).join() === 'account,rrn'`)

	dialog := "[data-testid=ticket-unmask-dialog]"
	park.click("[data-testid=ticket-original] [data-testid=masked-span][data-kind=rrn]")
	park.waitFor("the unmask dialog", `document.querySelector(`+js(dialog)+`).open`)
	park.click(dialog + " [data-testid=unmask-confirm]")
	park.waitFor("a reason asked for", `document.querySelector(`+js(dialog+" [data-testid=unmask-error]")+`).textContent !== '' && document.querySelector(`+js(dialog)+`).open`)
	fill(park, dialog+" [data-testid=unmask-reason]", "환불 계좌 명의 확인")
	park.click(dialog + " [data-testid=unmask-confirm]")
	park.waitFor("the original shown to the manager", `document.querySelector('[data-testid=ticket-original] [data-testid=revealed-span]')?.textContent === '900101-1234568'`+
		` && !document.querySelector(`+js(dialog)+`).open && `+spans+`.length === 1`)
	look(park, "ticket-pii-revealed-ko")

	tickets, err := s.node.Store.Tickets(context.Background(), s.ws.ID, chat.TicketFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(tickets) != 1 || tickets[0].Message != masked || len(tickets[0].Masks) != 2 {
		t.Fatalf("the stored ticket %+v", tickets)
	}
	neverStored(t, s, "900101-1234568", "1234568", "123456-01-234567")
	// In suggest mode a left message is stored as typed: the ticket page
	// underlines the card number and masks it in one click.
	s.configure(func(st *chat.Settings) { st.PII.Mode = chat.PIISuggest })
	card := &chat.Ticket{WorkspaceID: s.ws.ID, Name: "김영희", Contact: "010-2345-6789", Message: "카드 4111-1111-1111-1111 로 결제했는데 환불 부탁드려요"}
	if err := s.node.App.CreateTicket(context.Background(), card); err != nil {
		t.Fatal(err)
	}
	if card.Message != "카드 4111-1111-1111-1111 로 결제했는데 환불 부탁드려요" {
		t.Fatalf("a suggest-mode left message was changed: %q", card.Message)
	}
	park.do("open the second ticket", chromedp.Evaluate[chromedp.Void](`location.hash = '#/tickets/`+fmt.Sprint(card.ID)+`'`))
	finding := "[data-testid=ticket-original] [data-testid=pii-finding][data-kind=card]"
	park.waitFor("the card number underlined", `document.querySelector(`+js(finding)+`)?.textContent === '4111-1111-1111-1111'`)
	park.click(finding)
	park.waitFor("the card number masked", `document.querySelector('[data-testid=ticket-original] [data-testid=ticket-message]')?.textContent === '카드 ******************* 로 결제했는데 환불 부탁드려요'`+
		` && document.querySelector('[data-testid=ticket-original] [data-testid=masked-span][data-kind=card]') !== null`)
	neverStored(t, s, "4111-1111-1111-1111")

	// What no detector finds, an address, is masked by selecting it, as
	// in a chat: the mask button appears over the selection.
	address := &chat.Ticket{WorkspaceID: s.ws.ID, Name: "이수진", Contact: "sujin@example.com", Message: "반품 회수는 서울시 마포구 월드컵로12길 34 3층으로 와 주세요"}
	if err := s.node.App.CreateTicket(context.Background(), address); err != nil {
		t.Fatal(err)
	}
	park.do("open the third ticket", chromedp.Evaluate[chromedp.Void](`location.hash = '#/tickets/`+fmt.Sprint(address.ID)+`'`))
	shown := "[data-testid=ticket-original] [data-testid=ticket-message]"
	park.waitFor("the third ticket's message", `document.querySelector(`+js(shown)+`)?.textContent === `+js(address.Message))
	park.do("select the address", chromedp.Evaluate[chromedp.Void](`(() => {
		const piece = document.querySelector(`+js(shown+" span[data-start]")+`).firstChild;
		const at = piece.data.indexOf('월드컵로12길 34 3층');
		const r = document.createRange();
		r.setStart(piece, at);
		r.setEnd(piece, at + '월드컵로12길 34 3층'.length);
		getSelection().removeAllRanges();
		getSelection().addRange(r);
	})()`))
	park.waitFor("the mask button over the selection", `document.querySelector('[data-testid=tickets] [data-testid=mask-selection]').checkVisibility()`)
	look(park, "ticket-pii-selection-ko")
	park.click("[data-testid=tickets] [data-testid=mask-selection]")
	park.waitFor("the address masked", `document.querySelector(`+js(shown)+`)?.textContent === '반품 회수는 서울시 마포구 *************으로 와 주세요'`+
		` && document.querySelector(`+js(shown+" [data-testid=masked-span]")+`) !== null && document.querySelector('[data-testid=tickets] [data-testid=mask-selection]').hidden`)
	neverStored(t, s, "월드컵로12길 34 3층")

	entries, err := s.node.Store.Audit(context.Background(), s.ws.ID, chat.AuditFilter{Action: chat.AuditPIIView})
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].ActorName != "박매니저" {
		t.Fatalf("the view's audit entries %+v", entries)
	}
}

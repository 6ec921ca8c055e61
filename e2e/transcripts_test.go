package e2e

import (
	"context"
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/store/storetest"
)

// TestBrowserLongChat: a chat of more than a thousand messages reads whole
// wherever its transcript shows — the live view, the history page's
// panel, the right-hand panel's past chat and a ticket's transcript — from
// its last message up to its first, by scrolling up or pressing "이전 메시지
// 보기", and what the agent looked at stays in place as a page comes in.
func TestBrowserLongChat(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	ctx := context.Background()
	const first, last = "처음 문의: 주문한 찻잔이 깨져서 왔어요", "마지막 인사: 감사합니다"
	cu := &chat.Customer{WorkspaceID: s.ws.ID, ExternalID: "long-chat"}
	if err := s.node.Store.UpsertCustomer(ctx, cu); err != nil {
		t.Fatal(err)
	}
	visitor := chat.Actor{Kind: chat.SenderVisitor, CustomerID: cu.ID}
	c, _, err := s.node.App.StartConversation(ctx, s.ws.ID, cu.ID, chat.ChannelWeb, "ko", "")
	if err != nil {
		t.Fatal(err)
	}
	say := func(conv int64, id, body string) {
		t.Helper()
		if _, err := s.node.App.Send(ctx, s.ws.ID, conv, visitor, chat.NewMessage{ClientMsgID: id, Body: body}); err != nil {
			t.Fatal(err)
		}
	}
	say(c.ID, "first", first)
	// Words without digits: the history page looks for personal
	// information in every line with a digit.
	letters := func(i int) string {
		s := ""
		for ; i > 0; i /= 26 {
			s = string(rune('a'+i%26)) + s
		}
		return s
	}
	storetest.Fill(t, s.node.Store, s.ws.ID, c.ID, visitor, chat.MaxMessagePage+50, func(i int) string { return "추가 문의 " + letters(i) })
	say(c.ID, "last", last)
	if _, err := s.node.App.CloseConversation(ctx, s.ws.ID, c.ID, visitor); err != nil {
		t.Fatal(err)
	}
	long, err := s.node.Store.Conversation(ctx, s.ws.ID, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	// The customer comes back.
	now, _, err := s.node.App.StartConversation(ctx, s.ws.ID, cu.ID, chat.ChannelWeb, "ko", "")
	if err != nil {
		t.Fatal(err)
	}
	say(now.ID, "back", "지난번 문의 이어서 드려요")

	agent := newTab(t, browser(t), "agent")
	desktop(agent)
	signIn(agent, s)

	// readUp reads a transcript up to its first message, each step as a
	// person takes it (scroll to the top, or press the button there),
	// and checks it then holds every message once, in order.
	readUp := func(where, list string, step func()) {
		t.Helper()
		q := "document.querySelector(" + js(list) + ")"
		agent.waitFor("the last page of "+where, `(() => { const l = `+q+`; return l && [...l.querySelectorAll('li[data-seq]')].some((li) => li.textContent.includes(`+js(last)+`))`+
			` && l.querySelector('[data-testid=thread-earlier]')?.textContent === '이전 메시지 보기' && !l.textContent.includes(`+js(first)+`); })()`)
		for range 20 {
			if eval[bool](agent, q+`.textContent.includes(`+js(first)+`)`) {
				break
			}
			step()
		}
		agent.waitFor("the first message in "+where, q+`.textContent.includes(`+js(first)+`) && !`+q+`.querySelector('[data-testid=thread-earlier]')`)
		seqs := eval[[]int64](agent, `[...`+q+`.querySelectorAll('li[data-seq]')].map((li) => Number(li.dataset.seq))`)
		for i, seq := range seqs {
			if seq != int64(i+1) {
				agent.fail("%s shows seq %d at %d (of %d), want every message once, in order", where, seq, i, len(seqs))
			}
		}
		if int64(len(seqs)) != long.LastSeq {
			agent.fail("%s shows %d messages, want %d", where, len(seqs), long.LastSeq)
		}
	}
	// scrollUp scrolls a transcript to its top and waits for the page it
	// brings (or for the first message).
	scrollUp := func(scroller, list string) func() {
		return func() {
			n := eval[int](agent, `document.querySelectorAll(`+js(list+" li[data-seq]")+`).length`)
			agent.do("scroll to the top", chromedp.Evaluate[chromedp.Void](`document.querySelector(`+js(scroller)+`).scrollTop = 0`))
			agent.waitFor("the page before", `document.querySelectorAll(`+js(list+" li[data-seq]")+`).length > `+fmt.Sprint(n))
		}
	}

	// The history page's panel, by scrolling; the line on top stays where
	// it was as the page before comes in.
	agent.click("[data-testid=nav-history]")
	result := fmt.Sprintf("[data-testid=history-result][data-conversation-id='%d'] button", c.ID)
	agent.waitFor("the long chat among the results", `document.querySelector(`+js(result)+`)`)
	agent.click(result)
	const transcript = "[data-testid=history-transcript]"
	// topLine is the line at the top of the transcript: its seq, and how
	// far below the transcript's top it is; lineAt is where the line with
	// a seq is.
	const topLine = `((l) => { const r = l.getBoundingClientRect(); const li = [...l.querySelectorAll('li[data-seq]')].find((li) => li.getBoundingClientRect().bottom > r.top + 40);` +
		` return [Number(li.dataset.seq), li.getBoundingClientRect().top - r.top]; })(document.querySelector('` + transcript + `'))`
	lineAt := func(seq float64) float64 {
		return eval[float64](agent, fmt.Sprintf(`document.querySelector("%s li[data-seq='%v']").getBoundingClientRect().top - document.querySelector('%s').getBoundingClientRect().top`, transcript, seq, transcript))
	}
	agent.waitFor("the panel's last page", `document.querySelector(`+js(transcript)+`)?.textContent.includes(`+js(last)+`)`)
	look(agent, "long-chat-history-ko")
	seen := eval[[2]float64](agent, `(() => { document.querySelector(`+js(transcript)+`).scrollTop = 0; return `+topLine+`; })()`)
	agent.waitFor("the page before", `document.querySelectorAll(`+js(transcript+" li[data-seq]")+`).length === `+fmt.Sprint(2*200))
	if at := lineAt(seen[0]); at < seen[1]-1 || at > seen[1]+1 {
		agent.fail("the line on top (seq %v) moved from %vpx to %vpx below the transcript's top", seen[0], seen[1], at)
	}
	readUp("the history page's panel", transcript, scrollUp(transcript, transcript))
	agent.do("scroll to the first message", chromedp.Evaluate[chromedp.Void](`document.querySelector(`+js(transcript)+`).scrollTop = 0`))
	look(agent, "long-chat-history-first-ko")

	// A ticket's transcript, by pressing the button.
	tk := api[struct{ ID int64 }](agent, s, "POST", "/tickets", map[string]any{"subject": "깨진 찻잔", "conversation_id": c.ID})
	agent.do("open the ticket", chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`location.hash = '#/tickets/%d'`, tk.ID)))
	agent.waitFor("the ticket's transcript tab", `document.querySelector('#app').dataset.page === 'tickets' && !document.querySelector('[data-testid=ticket-tab-transcript]').hidden`)
	agent.click("[data-testid=ticket-tab-transcript]")
	const ticket = "[data-testid=ticket-transcript]"
	agent.waitFor("the ticket's transcript with its earlier button", `document.querySelector(`+js(ticket+" [data-testid=thread-earlier]")+`)`)
	look(agent, "long-chat-ticket-ko")
	readUp("the ticket's transcript", ticket, func() {
		n := eval[int](agent, `document.querySelectorAll(`+js(ticket+" li[data-seq]")+`).length`)
		agent.clickAt(ticket + " [data-testid=thread-earlier]")
		agent.waitFor("the page before", `document.querySelectorAll(`+js(ticket+" li[data-seq]")+`).length > `+fmt.Sprint(n))
	})

	// The customer's new chat: its past chat in the right-hand panel.
	openConversation(agent, now.ID)
	item := fmt.Sprintf("[data-testid=history-item][data-conversation-id='%d']", c.ID)
	agent.waitFor("the long chat in the customer's history", `document.querySelector(`+js(item)+`)`)
	agent.click(item)
	agent.waitFor("the past chat's dialog", `document.querySelector('[data-testid=history-dialog]').open`)
	const past = "[data-testid=history-messages]"
	readUp("the past chat", past, scrollUp(past, past))
	agent.click("[data-testid=history-close]")

	// The live view opens the long chat at its end (closed, it is not in
	// the list of open chats).
	agent.do("open the long chat", chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`location.hash = '#/c/%d'`, c.ID)))
	agent.waitFor("the long chat in the live view", `document.querySelector('#app').dataset.page === 'chat' && document.querySelector('[data-testid=conversation]').dataset.state === 'ready'`)
	readUp("the live view", "[data-testid=messages]", scrollUp("[data-testid=messages]", "[data-testid=messages]"))

	// A new language redraws every line read, however many pages, in the
	// live view and in the history page's panel: nothing is read again
	// from the end, so the pages read before stay.
	lines := func(list string) string {
		return `document.querySelectorAll(` + js(list+" li[data-seq]") + `).length === ` + fmt.Sprint(long.LastSeq) + ` && !document.querySelector(` + js(list+" [data-testid=thread-earlier]") + `)`
	}
	closing := `document.querySelector("[data-testid=messages] li[data-seq='` + fmt.Sprint(long.LastSeq) + `']").textContent`
	ko := eval[string](agent, closing)
	agent.click("[data-testid=nav-language]")
	agent.click("[data-testid=language-en]")
	agent.waitFor("the whole chat in English in the live view", `document.documentElement.lang === 'en' && `+closing+` !== `+js(ko)+` && `+lines("[data-testid=messages]"))
	agent.click("[data-testid=nav-history]")
	agent.waitFor("the whole chat in English in the history page's panel", `document.querySelector('#app').dataset.page === 'history' && `+
		`document.querySelector("`+transcript+` li[data-seq='`+fmt.Sprint(long.LastSeq)+`']")?.textContent === `+closing+` && `+lines(transcript))
}

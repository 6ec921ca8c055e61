package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/sodam-chat/sodam/internal/chat"
)

// TestBrowserEndCommand (§2.3): a visitor who types !종료 before any chat
// exists has nothing to end: the composer clears and no conversation
// starts (no room number used, no abandoned request counted). Once a
// message started the chat, !end ends it.
func TestBrowserEndCommand(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	root := browser(t)
	agent := newTab(t, root, "agent")
	visitor := newTab(t, root, "visitor")
	signIn(agent, s)
	openWidget(visitor, s.host.URL)
	agree(visitor)
	conversations := func() []chat.Conversation {
		cs, err := s.node.Store.Conversations(context.Background(), s.ws.ID, chat.ConversationFilter{})
		if err != nil {
			t.Fatal(err)
		}
		return cs
	}

	widgetSend(visitor, "!종료")
	visitor.waitFrame("the composer cleared, the chat view still there", `d.querySelector('[data-testid=widget-input]').value === '' && d.querySelector('[data-testid=widget]').dataset.view === 'chat'`)
	time.Sleep(time.Second) // what a send would have done by now
	if cs := conversations(); len(cs) != 0 {
		t.Fatalf("!종료 before any chat started conversations %+v", cs)
	}
	if n := frameEval[int](visitor, `return d.querySelectorAll('[data-testid=widget-messages] li[data-sender=visitor]').length;`); n != 0 {
		visitor.fail("the widget shows %d messages of the visitor's", n)
	}
	look(visitor, "end-command-nothing-to-end")

	widgetSend(visitor, "주문 취소하고 싶어요")
	widgetShows(visitor, "visitor", "주문 취소하고 싶어요")
	if cs := conversations(); len(cs) != 1 || cs[0].RoomNo != 1 {
		t.Fatalf("the first message started %+v; want room 1", cs)
	}
	widgetSend(visitor, "!end")
	visitor.waitFrame("the chat ended", `d.querySelector('[data-testid=widget]').dataset.view === 'ended'`)
}

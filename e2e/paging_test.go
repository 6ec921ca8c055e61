package e2e

import (
	"context"
	"fmt"
	"testing"

	"github.com/sodam-chat/sodam/internal/chat"
)

// TestBrowserLoadMore: a workspace with more closed conversations than
// one page. The closed list shows the newest page and "Load more"; a
// click brings the rest, the oldest included, and the button goes away.
func TestBrowserLoadMore(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	ctx := context.Background()
	const n = chat.DefaultPage + 5
	var oldest int64
	for i := range n {
		cu := &chat.Customer{WorkspaceID: s.ws.ID, ExternalID: fmt.Sprintf("paging-%03d", i)}
		if err := s.node.Store.UpsertCustomer(ctx, cu); err != nil {
			t.Fatal(err)
		}
		c, _, err := s.node.App.StartConversation(ctx, s.ws.ID, cu.ID, chat.ChannelWeb, "ko", "")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.node.App.CloseConversation(ctx, s.ws.ID, c.ID, chat.VisitorActor); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			oldest = c.ID
		}
	}
	root := browser(t)
	agent := newTab(t, root, "manager")
	signIn(agent, s)
	agent.click("[data-testid=tab-closed]")
	items := `document.querySelectorAll('[data-testid=conversation-list] a.conv').length`
	oldestItem := fmt.Sprintf(`document.querySelector("[data-testid=conversation-list] a[data-conversation-id='%d']")`, oldest)
	agent.waitFor("one page of closed conversations and Load more", fmt.Sprintf(`%s === %d && !%s && !document.querySelector('[data-testid=list-more]').hidden`, items, chat.DefaultPage, oldestItem))
	agent.click("[data-testid=list-more]")
	agent.waitFor("every closed conversation, the oldest too, and no more button", fmt.Sprintf(`%s === %d && %s && document.querySelector('[data-testid=list-more]').hidden`, items, n, oldestItem))
}

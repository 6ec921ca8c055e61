package e2e

import (
	"context"
	"fmt"
	"testing"

	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/outbox"
)

// TestBrowserAlertLink (§10.2): an alert's link opens the conversation in
// the workspace it names, also for an agent in several workspaces whose
// console was last on another; the link chooses once, so a reload stays
// where the agent then is.
func TestBrowserAlertLink(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	ctx := context.Background()
	ws2 := &chat.Workspace{Name: "소담 도매", SiteID: "wholesale"}
	if err := s.node.Store.CreateWorkspace(ctx, ws2); err != nil {
		t.Fatal(err)
	}
	if err := s.node.Store.AddMember(ctx, chat.Member{WorkspaceID: ws2.ID, AgentID: s.agentID(adminEmail), Role: chat.RoleMaster, Status: chat.StatusOnline}); err != nil {
		t.Fatal(err)
	}
	root := browser(t)
	visitor := newTab(t, root, "visitor")
	agent := newTab(t, root, "agent")
	signIn(agent, s)
	openWidget(visitor, s.host.URL)
	agree(visitor)
	widgetSend(visitor, "배송이 언제 오나요?")
	widgetShows(visitor, "visitor", "배송이 언제 오나요?")
	cs, err := s.node.Store.Conversations(ctx, s.ws.ID, chat.ConversationFilter{})
	if err != nil || len(cs) != 1 {
		t.Fatalf("conversations %v %+v", err, cs)
	}
	// The agent last worked in the other workspace.
	agent.waitFor("the picker with both workspaces", `!document.querySelector('[data-testid=workspace-select]').closest('label').hidden`)
	choose(agent, "[data-testid=workspace-select]", fmt.Sprint(ws2.ID))
	agent.waitFor("the second workspace open", `document.querySelector('[data-testid=connection]').dataset.state === 'live' && document.title.startsWith('소담 도매')`)

	agent.goTo(outbox.ConsoleLink(s.baseURL, s.ws.ID, "c", cs[0].ID))
	opened := fmt.Sprintf(`document.querySelector('[data-testid=workspace-select]').value === '%d' && document.title.startsWith(%s)`+
		` && document.querySelector('#app').dataset.page === 'chat' && document.querySelector("[data-testid=conversation-list] a[data-conversation-id='%d']")?.getAttribute('aria-current') === 'page'`+
		` && document.querySelector('[data-testid=conversation]').dataset.state === 'ready'`, s.ws.ID, js(s.ws.Name), cs[0].ID)
	agent.waitFor("the linked workspace and conversation", opened+` && location.search === '' && location.hash === '#/c/`+fmt.Sprint(cs[0].ID)+`'`)
	look(agent, "alert-link-ko")
	// Switching, then reloading, keeps the switch: the link chose once.
	choose(agent, "[data-testid=workspace-select]", fmt.Sprint(ws2.ID))
	agent.waitFor("the second workspace open again", `document.querySelector('[data-testid=connection]').dataset.state === 'live' && document.title.startsWith('소담 도매')`)
	agent.goTo(s.baseURL + "/console/")
	agent.waitFor("the second workspace after a reload", fmt.Sprintf(`document.querySelector('[data-testid=connection]').dataset.state === 'live' && document.title.startsWith('소담 도매') && document.querySelector('[data-testid=workspace-select]').value === '%d'`, ws2.ID))
}

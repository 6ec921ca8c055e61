package e2e

import (
	"testing"

	"github.com/sodam-chat/sodam/internal/chat"
)

// TestBrowserArchivedWorkspace: an owner's archive closes the workspace
// at once in the consoles that have it open: the console stops and says
// the workspace was archived (not that the agent was deactivated), and
// "check again" opens it once it is restored. The visitor's widget says
// the chat is closed instead of reconnecting for ever.
func TestBrowserArchivedWorkspace(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	agent, visitor, _ := takenChat(t, s, "택배가 반송됐다고 나오는데 왜 그런가요?")

	if _, err := s.node.App.ArchiveWorkspace(t.Context(), s.ws.ID, true, chat.Who{}); err != nil {
		t.Fatal(err)
	}
	page := `document.querySelector('#app').dataset.page === 'deactivated' && document.querySelector('sodam-deactivated').dataset.reason === 'archived'`
	agent.waitFor("the console closed, saying the workspace was archived", page+
		` && document.querySelector('[data-testid=deactivated-text]').textContent === `+js(s.ws.Name+" 워크스페이스가 보관되어 닫혔습니다.")+
		` && document.querySelector('[data-testid=connection]').dataset.state === 'stopped'`)
	look(agent, "workspace-archived-console-ko")
	visitor.waitFrame("the widget closed, saying so", `d.querySelector('[data-testid=widget]').dataset.view === 'failure' && d.querySelector('[data-testid=widget-connection]').dataset.state === 'idle'`)
	look(visitor, "workspace-archived-widget-ko")

	// Still archived, "check again" says so; restored, it opens the workspace.
	agent.click("[data-testid=deactivated-retry]")
	toastSays(agent, "아직 보관된 상태입니다.")
	if _, err := s.node.App.ArchiveWorkspace(t.Context(), s.ws.ID, false, chat.Who{}); err != nil {
		t.Fatal(err)
	}
	agent.click("[data-testid=deactivated-retry]")
	agent.waitFor("the workspace open again", `document.querySelector('#app').dataset.page !== 'deactivated' && document.querySelector('[data-testid=connection]').dataset.state === 'live'`)
}

package storetest

import (
	"testing"

	"github.com/sodam-chat/sodam/internal/chat"
)

// testOperationStoppedEvent (§6): the workspace.updated of a save that
// stops or resumes operation says which, for every visitor of the
// workspace (chat.Event.ForEveryVisitor); another save says nothing of it.
func testOperationStoppedEvent(t *testing.T, s chat.Store) {
	f := setup(t, s, "opstop")
	save := func(change func(*chat.Settings)) chat.Event {
		t.Helper()
		change(&f.ws.Settings)
		must(t, f.ws.Settings.Validate())
		evs, err := s.UpdateWorkspace(ctx, f.ws, chat.Who{})
		must(t, err)
		for _, ev := range evs {
			if ev.Type == chat.EventWorkspaceUpdated {
				return ev
			}
		}
		t.Fatalf("no workspace.updated in %+v", evs)
		return chat.Event{}
	}
	for _, step := range []struct {
		name   string
		change func(*chat.Settings)
		want   *bool
	}{
		{"stopped", func(s *chat.Settings) { s.OperationStopped = true }, new(true)},
		{"saved again, still stopped", func(s *chat.Settings) { s.Greeting = "안녕하세요" }, nil},
		{"resumed", func(s *chat.Settings) { s.OperationStopped = false }, new(false)},
		{"another change", func(s *chat.Settings) { s.Greeting = "반갑습니다" }, nil},
	} {
		ev := save(step.change)
		if (ev.OperationStopped == nil) != (step.want == nil) || step.want != nil && *ev.OperationStopped != *step.want ||
			ev.ForEveryVisitor() != (step.want != nil) || chat.VisitorMaySee(ev, 999) != (step.want != nil) {
			t.Fatalf("%s: the event says %v", step.name, ev.OperationStopped)
		}
	}
}

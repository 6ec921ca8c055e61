package app_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/sodam-chat/sodam/internal/app"
	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/store/sqlite"
)

// deactivatingStore deactivates a membership right after the memberships
// are read: a master's change committing while an agent signs in.
type deactivatingStore struct {
	chat.Store
	during func()
}

func (s *deactivatingStore) Memberships(ctx context.Context, agentID int64) ([]chat.Member, error) {
	ms, err := s.Store.Memberships(ctx, agentID)
	if f := s.during; f != nil {
		s.during = nil
		f()
	}
	return ms, err
}

// TestSignInWhileDeactivatedInOneWorkspace: signing in puts the agent
// online in each of their workspaces. One that deactivated them after the
// list was read refused its status change (member_inactive), and that
// failed the whole sign-in, in the other workspaces too. The agent now
// comes online where they are still a member and stays offline there.
func TestSignInWhileDeactivatedInOneWorkspace(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "sodam.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var wss []*chat.Workspace
	for _, site := range []string{"shop", "outlet"} {
		ws, err := app.NewWorkspace(site, site)
		must(t, err)
		must(t, db.CreateWorkspace(ctx, ws))
		wss = append(wss, ws)
	}
	kim := &chat.Agent{Email: "kim@example.com", Name: "kim", PasswordHash: "x"}
	must(t, db.CreateAgent(ctx, kim))
	for _, ws := range wss {
		must(t, db.AddMember(ctx, chat.Member{WorkspaceID: ws.ID, AgentID: kim.ID, Role: chat.RoleAgent}))
	}
	s := &deactivatingStore{Store: db}
	a := app.New(s, discard{}, nil)
	s.during = func() {
		_, err := a.UpdateMember(ctx, wss[1].ID, kim.ID, chat.MemberPatch{Active: new(false)}, chat.Who{})
		must(t, err)
	}
	ms, err := a.SetAgentStatusEverywhere(ctx, kim.ID, chat.StatusOnline)
	if err != nil {
		t.Fatalf("signing in: %v", err)
	}
	got := map[int64]chat.Member{}
	for _, m := range ms {
		got[m.WorkspaceID] = m
	}
	if m := got[wss[0].ID]; !m.Active || m.Status != chat.StatusOnline {
		t.Fatalf("in the shop %+v", m)
	}
	if m := got[wss[1].ID]; m.Active || m.Status != chat.StatusOffline {
		t.Fatalf("in the outlet, deactivated meanwhile: %+v", m)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

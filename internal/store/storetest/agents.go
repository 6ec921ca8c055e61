package storetest

import (
	"reflect"
	"testing"
	"time"

	"github.com/sodam-chat/sodam/internal/chat"
)

func testAgentsAndMembers(t *testing.T, s chat.Store) {
	ws := newWorkspace(t, s, "agents")
	ws2 := newWorkspace(t, s, "agents2")
	n, err := s.CountAgents(ctx)
	must(t, err)
	if n != 0 {
		t.Fatalf("CountAgents on empty store = %d", n)
	}
	a := &chat.Agent{Email: "kim@example.com", Name: "김상담", PasswordHash: "hash"}
	must(t, s.CreateAgent(ctx, a))
	wantCode(t, s.CreateAgent(ctx, &chat.Agent{Email: "kim@example.com", Name: "dup", PasswordHash: "h"}), chat.ErrConflict)
	got, err := s.AgentByEmail(ctx, "kim@example.com")
	must(t, err)
	if got.ID != a.ID || got.PasswordHash != "hash" || got.Name != "김상담" {
		t.Fatalf("got %+v", got)
	}
	_, err = s.AgentByEmail(ctx, "nobody@example.com")
	wantCode(t, err, chat.ErrAgentNotFound)
	_, err = s.Agent(ctx, 999999)
	wantCode(t, err, chat.ErrAgentNotFound)

	must(t, s.AddMember(ctx, chat.Member{WorkspaceID: ws.ID, AgentID: a.ID, Role: chat.RoleManager}))
	must(t, s.AddMember(ctx, chat.Member{WorkspaceID: ws2.ID, AgentID: a.ID, Role: chat.RoleAgent}))
	wantCode(t, s.AddMember(ctx, chat.Member{WorkspaceID: ws.ID, AgentID: a.ID, Role: chat.RoleAgent}), chat.ErrConflict)
	wantCode(t, s.AddMember(ctx, chat.Member{WorkspaceID: ws.ID, AgentID: a.ID, Role: "boss"}), chat.ErrInvalid)
	ms, err := s.Memberships(ctx, a.ID)
	must(t, err)
	if len(ms) != 2 || ms[0].Role != chat.RoleManager || ms[1].Role != chat.RoleAgent || ms[0].Status != chat.StatusOffline || ms[0].Name != "김상담" {
		t.Fatalf("memberships %+v", ms)
	}

	before := lastSeq(t, s, ws.ID)
	m, events, err := s.SetAgentStatus(ctx, ws.ID, a.ID, chat.StatusOnline)
	must(t, err)
	if m.Status != chat.StatusOnline || len(events) != 1 || events[0].Type != chat.EventAgentStatus || events[0].Seq != before+1 || events[0].Member.AgentID != a.ID {
		t.Fatalf("status change: %+v %+v", m, events)
	}
	_, events, err = s.SetAgentStatus(ctx, ws.ID, a.ID, chat.StatusOnline)
	must(t, err)
	if len(events) != 0 {
		t.Fatalf("unchanged status wrote events: %+v", events)
	}
	_, _, err = s.SetAgentStatus(ctx, ws.ID, a.ID, "sleeping")
	wantCode(t, err, chat.ErrInvalid)
	_, _, err = s.SetAgentStatus(ctx, ws.ID, 999999, chat.StatusAway)
	wantCode(t, err, chat.ErrAgentNotFound)
	got2, err := s.Member(ctx, ws2.ID, a.ID)
	must(t, err)
	if got2.Status != chat.StatusOffline {
		t.Fatalf("status leaked across workspaces: %+v", got2)
	}
	members, err := s.Members(ctx, ws.ID)
	must(t, err)
	if len(members) != 1 || members[0].Status != chat.StatusOnline {
		t.Fatalf("members %+v", members)
	}
}

func testSessions(t *testing.T, s chat.Store) {
	a := &chat.Agent{Email: "s@example.com", Name: "S", PasswordHash: "h"}
	must(t, s.CreateAgent(ctx, a))
	now := time.Now()
	must(t, s.CreateSession(ctx, chat.Session{TokenHash: "live", AgentID: a.ID, CSRFToken: "c", ExpiresAt: now.Add(time.Hour)}))
	must(t, s.CreateSession(ctx, chat.Session{TokenHash: "old", AgentID: a.ID, CSRFToken: "c", ExpiresAt: now.Add(-time.Second)}))
	got, err := s.Session(ctx, "live", now)
	must(t, err)
	if got.AgentID != a.ID || got.CSRFToken != "c" {
		t.Fatalf("session %+v", got)
	}
	_, err = s.Session(ctx, "old", now)
	wantCode(t, err, chat.ErrUnauthorized)

	// ConsoleMember: the same session, its agent, and the membership of
	// the workspace asked about only.
	ws, other := newWorkspace(t, s, "console-member"), newWorkspace(t, s, "console-other")
	capacity := 3
	must(t, s.AddMember(ctx, chat.Member{WorkspaceID: ws.ID, AgentID: a.ID, Role: chat.RoleManager, Active: true, Capacity: &capacity}))
	sess, agent, m, err := s.ConsoleMember(ctx, "live", now, ws.ID)
	must(t, err)
	want, err := s.Member(ctx, ws.ID, a.ID)
	must(t, err)
	wantAgent, err := s.Agent(ctx, a.ID)
	must(t, err)
	if *sess != *got || agent == nil || *agent != *wantAgent || m == nil || !reflect.DeepEqual(*m, *want) {
		t.Fatalf("console member: %+v %+v %+v, want %+v %+v %+v", sess, agent, m, got, wantAgent, want)
	}
	if _, agent, m, err = s.ConsoleMember(ctx, "live", now, other.ID); err != nil || agent == nil || m != nil {
		t.Fatalf("another workspace: agent %+v, member %+v (%v); want the agent and no membership", agent, m, err)
	}
	_, _, _, err = s.ConsoleMember(ctx, "old", now, ws.ID)
	wantCode(t, err, chat.ErrUnauthorized)

	// The expired session does not count.
	if n, err := s.CountSessions(ctx, a.ID, now); err != nil || n != 1 {
		t.Fatalf("%d sessions (%v); want the live one", n, err)
	}
	must(t, s.DeleteSession(ctx, "live"))
	if n, err := s.CountSessions(ctx, a.ID, now); err != nil || n != 0 {
		t.Fatalf("%d sessions after the live one ended (%v)", n, err)
	}
	_, err = s.Session(ctx, "live", now)
	wantCode(t, err, chat.ErrUnauthorized)
	_, _, _, err = s.ConsoleMember(ctx, "live", now, ws.ID)
	wantCode(t, err, chat.ErrUnauthorized)
}

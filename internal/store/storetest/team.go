package storetest

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sodam-chat/sodam/internal/chat"
)

func whoOf(a chat.Actor, name string) chat.Who {
	return chat.Who{AgentID: a.AgentID, Name: name, Address: "127.0.0.1"}
}

func actions(t *testing.T, s chat.Store, ws int64) []string {
	t.Helper()
	entries, err := s.Audit(ctx, ws, chat.AuditFilter{})
	must(t, err)
	var out []string
	for _, e := range entries {
		out = append(out, e.Action+":"+e.Target+e.Refused)
	}
	return out
}

func testInvitations(t *testing.T, s chat.Store) {
	f := setup(t, s, "invite")
	clk := withClock(t, s)
	by := whoOf(f.master, "master")
	inv := &chat.Invitation{WorkspaceID: f.ws.ID, Email: "park@invite.test", Name: "박상담", Role: chat.RoleAgent, ExpiresAt: clk.Now().Add(chat.DefaultInviteTTL)}
	must(t, s.CreateInvitation(ctx, inv, "hash-1", by))
	if inv.ID == 0 || inv.InvitedBy != f.master.AgentID {
		t.Fatalf("invitation %+v", inv)
	}
	// Inviting again replaces the open invitation: the old link stops working.
	again := &chat.Invitation{WorkspaceID: f.ws.ID, Email: "park@invite.test", Name: "박상담", Role: chat.RoleManager, ExpiresAt: clk.Now().Add(chat.DefaultInviteTTL)}
	must(t, s.CreateInvitation(ctx, again, "hash-2", by))
	_, _, err := s.AcceptInvitation(ctx, "hash-1", &chat.Agent{Name: "박", PasswordHash: "h"}, "127.0.0.1")
	wantCode(t, err, chat.ErrInvitationRevoked)
	// An active member cannot be invited; the refusal changes nothing.
	err = s.CreateInvitation(ctx, &chat.Invitation{WorkspaceID: f.ws.ID, Email: "kim@invite.test", Name: "kim", Role: chat.RoleAgent, ExpiresAt: clk.Now().Add(time.Hour)}, "hash-x", by)
	wantCode(t, err, chat.ErrAlreadyMember)
	// Who is no longer an active master as the write happens (demoted
	// after the request checked the role) invites, resends and revokes
	// nothing: 403 role_required, nothing changed. So does a member who
	// never was one.
	for _, who := range []chat.Who{whoOf(f.a1, "kim"), {AgentID: 1 << 40, Name: "nobody"}} {
		err = s.CreateInvitation(ctx, &chat.Invitation{WorkspaceID: f.ws.ID, Email: "choi@invite.test", Name: "최", Role: chat.RoleMaster, ExpiresAt: clk.Now().Add(time.Hour)}, "hash-y", who)
		wantCode(t, err, chat.ErrRoleRequired)
		_, err = s.ResendInvitation(ctx, f.ws.ID, again.ID, "hash-z", clk.Now().Add(time.Hour), who)
		wantCode(t, err, chat.ErrRoleRequired)
		_, err = s.RevokeInvitation(ctx, f.ws.ID, again.ID, who)
		wantCode(t, err, chat.ErrRoleRequired)
	}
	list, err := s.Invitations(ctx, f.ws.ID, chat.InvitationFilter{})
	must(t, err)
	if len(list) != 2 || list[0].ID != again.ID || list[0].Status(clk.Now()) != chat.InvitationPending || list[1].Status(clk.Now()) != chat.InvitationRevoked {
		t.Fatalf("invitations %+v", list)
	}

	// Accepting without a password makes no login.
	_, _, err = s.AcceptInvitation(ctx, "hash-2", nil, "127.0.0.1")
	wantCode(t, err, chat.ErrInvalid)
	a, m, err := s.AcceptInvitation(ctx, "hash-2", &chat.Agent{Name: "박상담", PasswordHash: "argon"}, "127.0.0.1")
	must(t, err)
	if a.Email != "park@invite.test" || a.PasswordHash != "argon" || m.Role != chat.RoleManager || !m.Active || m.WorkspaceID != f.ws.ID {
		t.Fatalf("accepted: %+v %+v", a, m)
	}
	_, _, err = s.AcceptInvitation(ctx, "hash-2", &chat.Agent{Name: "x", PasswordHash: "y"}, "127.0.0.1")
	wantCode(t, err, chat.ErrInvitationUsed)
	_, err = s.RevokeInvitation(ctx, f.ws.ID, again.ID, by)
	wantCode(t, err, chat.ErrInvitationUsed)

	// An expired invitation cannot be used; a resend gives it a new life.
	late := &chat.Invitation{WorkspaceID: f.ws.ID, Email: "choi@invite.test", Name: "최", Role: chat.RoleAgent, ExpiresAt: clk.Now().Add(time.Hour)}
	must(t, s.CreateInvitation(ctx, late, "hash-3", by))
	clk.advance(2 * time.Hour)
	_, _, err = s.AcceptInvitation(ctx, "hash-3", &chat.Agent{Name: "최", PasswordHash: "h"}, "127.0.0.1")
	wantCode(t, err, chat.ErrInvitationExpired)
	_, err = s.ResendInvitation(ctx, f.ws.ID, late.ID, "hash-4", clk.Now().Add(time.Hour), by)
	must(t, err)
	_, _, err = s.AcceptInvitation(ctx, "hash-3", &chat.Agent{Name: "최", PasswordHash: "h"}, "127.0.0.1")
	wantCode(t, err, chat.ErrInvitationNotFound)
	_, _, err = s.AcceptInvitation(ctx, "hash-4", &chat.Agent{Name: "최", PasswordHash: "h"}, "127.0.0.1")
	must(t, err)

	// An existing login invited to another workspace gains a membership and
	// keeps its password.
	other := newWorkspace(t, s, "invite2")
	olga := newMember(t, s, other, "olga", chat.RoleMaster, chat.StatusOnline)
	must(t, s.CreateInvitation(ctx, &chat.Invitation{WorkspaceID: other.ID, Email: "park@invite.test", Name: "ignored", Role: chat.RoleAgent,
		ExpiresAt: clk.Now().Add(time.Hour)}, "hash-5", whoOf(olga, "olga")))
	a2, m2, err := s.AcceptInvitation(ctx, "hash-5", nil, "127.0.0.1")
	must(t, err)
	if a2.ID != a.ID || a2.PasswordHash != "argon" || m2.WorkspaceID != other.ID {
		t.Fatalf("existing login: %+v %+v", a2, m2)
	}
	ms, err := s.Memberships(ctx, a.ID)
	must(t, err)
	if len(ms) != 2 {
		t.Fatalf("memberships %+v", ms)
	}
	// A password chosen for a new login never opens one that exists: the
	// caller proved nothing about it.
	must(t, s.CreateInvitation(ctx, &chat.Invitation{WorkspaceID: other.ID, Email: "han@invite.test", Name: "한", Role: chat.RoleAgent,
		ExpiresAt: clk.Now().Add(time.Hour)}, "hash-8", whoOf(olga, "olga")))
	must(t, s.CreateAgent(ctx, &chat.Agent{Email: "han@invite.test", Name: "한", PasswordHash: "hers"}))
	_, _, err = s.AcceptInvitation(ctx, "hash-8", &chat.Agent{Name: "한", PasswordHash: "someone else's"}, "127.0.0.1")
	wantCode(t, err, chat.ErrInvalidCredentials)
	if han, err := s.AgentByEmail(ctx, "han@invite.test"); err != nil || han.PasswordHash != "hers" {
		t.Fatalf("han %+v %v", han, err)
	} else if _, err := s.Member(ctx, other.ID, han.ID); chat.ErrorCode(err) != chat.ErrAgentNotFound {
		t.Fatalf("han's membership: %v", err)
	}
	// An invitation never changes an active member: one the member is
	// reactivated before accepting is refused and stays open.
	must(t, s.CreateInvitation(ctx, &chat.Invitation{WorkspaceID: other.ID, Email: "choi@invite.test", Name: "최", Role: chat.RoleAgent,
		ExpiresAt: clk.Now().Add(time.Hour)}, "hash-6", whoOf(olga, "olga")))
	choi, err := s.AgentByEmail(ctx, "choi@invite.test")
	must(t, err)
	must(t, s.AddMember(ctx, chat.Member{WorkspaceID: other.ID, AgentID: choi.ID, Role: chat.RoleMaster, Status: chat.StatusOffline}))
	_, _, err = s.AcceptInvitation(ctx, "hash-6", nil, "127.0.0.1")
	wantCode(t, err, chat.ErrAlreadyMember)
	if m, err := s.Member(ctx, other.ID, choi.ID); err != nil || m.Role != chat.RoleMaster || !m.Active {
		t.Fatalf("choi after a refused acceptance: %+v %v", m, err)
	}
	// Another workspace's invitation IDs mean nothing here.
	_, err = s.RevokeInvitation(ctx, other.ID, late.ID, whoOf(olga, "olga"))
	wantCode(t, err, chat.ErrInvitationNotFound)
	got := actions(t, s, f.ws.ID)
	want := []string{"invitation.accept:choi@invite.test", "invitation.resend:choi@invite.test", "invitation.create:choi@invite.test",
		"invitation.accept:park@invite.test", "invitation.create:park@invite.test", "invitation.create:park@invite.test"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("audit %v\nwant %v", got, want)
	}
}

func testMemberAdministration(t *testing.T, s chat.Store) {
	f := setup(t, s, "members")
	by := whoOf(f.master, "master")
	role := func(r chat.Role) *chat.Role { return &r }
	off, on := new(bool), ptr(true)

	// The last master can be neither demoted nor deactivated.
	_, _, err := s.UpdateMember(ctx, f.ws.ID, f.master.AgentID, chat.MemberPatch{Role: role(chat.RoleAgent)}, by)
	wantCode(t, err, chat.ErrLastMaster)
	_, _, err = s.UpdateMember(ctx, f.ws.ID, f.master.AgentID, chat.MemberPatch{Active: off}, by)
	wantCode(t, err, chat.ErrLastMaster)
	_, _, err = s.UpdateMember(ctx, f.ws.ID, f.a1.AgentID, chat.MemberPatch{Role: role("owner")}, by)
	wantCode(t, err, chat.ErrInvalid)
	m, events, err := s.UpdateMember(ctx, f.ws.ID, f.manager.AgentID, chat.MemberPatch{Role: role(chat.RoleMaster)}, by)
	must(t, err)
	if m.Role != chat.RoleMaster || len(events) != 1 || events[0].Type != chat.EventAgentStatus {
		t.Fatalf("promoted %+v, events %+v", m, events)
	}
	// The master's open invitations die with their mastership; the other
	// master's stay.
	must(t, s.CreateInvitation(ctx, &chat.Invitation{WorkspaceID: f.ws.ID, Email: "gone@members.test", Name: "이전", Role: chat.RoleMaster,
		ExpiresAt: time.Now().Add(time.Hour)}, "members-hash-1", by))
	must(t, s.CreateInvitation(ctx, &chat.Invitation{WorkspaceID: f.ws.ID, Email: "stays@members.test", Name: "유지", Role: chat.RoleAgent,
		ExpiresAt: time.Now().Add(time.Hour)}, "members-hash-2", whoOf(f.manager, "manager")))
	_, _, err = s.UpdateMember(ctx, f.ws.ID, f.master.AgentID, chat.MemberPatch{Role: role(chat.RoleManager)}, whoOf(f.manager, "manager"))
	must(t, err)
	by = whoOf(f.manager, "manager") // the master now
	_, _, err = s.AcceptInvitation(ctx, "members-hash-1", &chat.Agent{Name: "이전", PasswordHash: "h"}, "127.0.0.1")
	wantCode(t, err, chat.ErrInvitationRevoked)
	open, err := s.Invitations(ctx, f.ws.ID, chat.InvitationFilter{Open: true})
	must(t, err)
	if len(open) != 1 || open[0].Email != "stays@members.test" {
		t.Fatalf("open invitations %+v", open)
	}

	// kim is deactivated mid-chat: the conversation goes back to the queue
	// and auto-assignment gives it to lee.
	settings(t, s, f.ws, func(st *chat.Settings) { st.AssignmentMode = chat.AssignAuto })
	for _, a := range []chat.Actor{f.master, f.manager, f.a2} {
		_, _, err = s.SetAgentStatus(ctx, f.ws.ID, a.AgentID, chat.StatusAway)
		must(t, err)
	}
	c := f.open(t, s) // kim is the only one online
	send(t, s, f.ws.ID, c.ID, f.a1, "k1", "확인해 드릴게요")
	must(t, s.CreateSession(ctx, chat.Session{TokenHash: "kim-session", AgentID: f.a1.AgentID, CSRFToken: "c", ExpiresAt: time.Now().Add(time.Hour)}))
	_, _, err = s.SetAgentStatus(ctx, f.ws.ID, f.a2.AgentID, chat.StatusOnline)
	must(t, err)
	held := &chat.Ticket{WorkspaceID: f.ws.ID, CustomerID: f.customer.ID, CreatedBy: f.manager.AgentID, AssigneeID: f.a1.AgentID, Subject: "교환 문의",
		Name: "홍길동", Contact: "010-1234-5678", Message: "교환 요청 건 회신 부탁드립니다"}
	_, err = s.CreateTicket(ctx, held)
	must(t, err)
	m, events, err = s.UpdateMember(ctx, f.ws.ID, f.a1.AgentID, chat.MemberPatch{Active: off}, by)
	must(t, err)
	if m.Active || m.Status != chat.StatusOffline {
		t.Fatalf("deactivated member %+v", m)
	}
	after := conv(t, s, f.ws.ID, c.ID)
	if after.AssigneeID != f.a2.AgentID || len(after.AgentPath) != 2 || after.AgentPath[0].Name != "kim" {
		t.Fatalf("after deactivation the conversation is %+v", after)
	}
	var returned, status bool
	for _, ev := range events {
		returned = returned || ev.Message != nil && ev.Message.Body == chat.SystemReturned && ev.Message.Internal && ev.PrevAssigneeID == f.a1.AgentID
		status = status || ev.Type == chat.EventAgentStatus && ev.Member.AgentID == f.a1.AgentID && !ev.Member.Active
	}
	if !returned || !status {
		t.Fatalf("events %+v", events)
	}
	// Active nowhere any more: the sessions are gone.
	_, err = s.Session(ctx, "kim-session", time.Now())
	wantCode(t, err, chat.ErrUnauthorized)
	// A deactivated member is nobody's transfer target and takes nothing.
	_, _, err = s.Transfer(ctx, f.ws.ID, c.ID, f.a2, f.a1.AgentID, "")
	wantCode(t, err, chat.ErrMemberInactive)
	// Nor is a ticket handed to them; one they held stays theirs, and can
	// still be worked on, until someone hands it on.
	_, err = s.CreateTicket(ctx, &chat.Ticket{WorkspaceID: f.ws.ID, CustomerID: f.customer.ID, CreatedBy: f.manager.AgentID, AssigneeID: f.a1.AgentID, Subject: "교환 문의",
		Name: "홍길동", Contact: "010-1234-5678", Message: "배송지 변경 요청"})
	wantCode(t, err, chat.ErrMemberInactive)
	unassigned := &chat.Ticket{WorkspaceID: f.ws.ID, CustomerID: f.customer.ID, CreatedBy: f.manager.AgentID, Subject: "영수증", Name: "홍길동", Contact: "010-1234-5678", Message: "영수증 재발행 요청"}
	_, err = s.CreateTicket(ctx, unassigned)
	must(t, err)
	_, _, err = s.UpdateTicket(ctx, f.ws.ID, unassigned.ID, chat.TicketPatch{AssigneeID: &f.a1.AgentID})
	wantCode(t, err, chat.ErrMemberInactive)
	pending, kept := chat.TicketPending, f.a1.AgentID
	tk, _, err := s.UpdateTicket(ctx, f.ws.ID, held.ID, chat.TicketPatch{Status: &pending, AssigneeID: &kept})
	must(t, err)
	if tk.Status != chat.TicketPending || tk.AssigneeID != f.a1.AgentID {
		t.Fatalf("the deactivated agent's ticket after an update %+v", tk)
	}
	// Reactivated, they can be assigned again; history kept their name.
	m, _, err = s.UpdateMember(ctx, f.ws.ID, f.a1.AgentID, chat.MemberPatch{Active: on}, by)
	must(t, err)
	if !m.Active {
		t.Fatalf("reactivated %+v", m)
	}
	_, _, err = s.Transfer(ctx, f.ws.ID, c.ID, f.a2, f.a1.AgentID, "")
	wantCode(t, err, chat.ErrAgentNotOnline)
	// Another workspace's agent ID is unknown here.
	other := setup(t, s, "members2")
	_, _, err = s.UpdateMember(ctx, f.ws.ID, other.a1.AgentID, chat.MemberPatch{Active: off}, by)
	wantCode(t, err, chat.ErrAgentNotFound)

	entries, err := s.Audit(ctx, f.ws.ID, chat.AuditFilter{Action: chat.AuditMemberActive})
	must(t, err)
	if len(entries) != 2 || string(entries[1].Before.(json.RawMessage)) != `{"active":true}` || string(entries[1].After.(json.RawMessage)) != `{"active":false}` {
		t.Fatalf("audit of activity %+v", entries)
	}
}

func testPasswords(t *testing.T, s chat.Store) {
	f := setup(t, s, "passwords")
	clk := withClock(t, s)
	for _, h := range []string{"s1", "s2"} {
		must(t, s.CreateSession(ctx, chat.Session{TokenHash: h, AgentID: f.a1.AgentID, CSRFToken: "c", ExpiresAt: clk.Now().Add(time.Hour)}))
	}
	ended, err := s.SetPassword(ctx, f.a1.AgentID, "new-hash", "s1", whoOf(f.a1, "kim"))
	must(t, err)
	if len(ended) != 1 || ended[0] != "s2" {
		t.Fatalf("a password change ended %q, want s2", ended)
	}
	if _, err := s.Session(ctx, "s1", clk.Now()); err != nil {
		t.Fatal("the session that changed the password ended")
	}
	_, err = s.Session(ctx, "s2", clk.Now())
	wantCode(t, err, chat.ErrUnauthorized)

	must(t, s.CreatePasswordReset(ctx, f.ws.ID, f.a1.AgentID, "reset-1", clk.Now().Add(time.Hour), whoOf(f.master, "master")))
	must(t, s.CreatePasswordReset(ctx, f.ws.ID, f.a1.AgentID, "reset-2", clk.Now().Add(time.Hour), whoOf(f.master, "master")))
	_, _, err = s.UsePasswordReset(ctx, "reset-1", "x", "127.0.0.1")
	wantCode(t, err, chat.ErrResetLinkInvalid) // replaced by the newer link
	a, ended, err := s.UsePasswordReset(ctx, "reset-2", "reset-hash", "127.0.0.1")
	must(t, err)
	if a.ID != f.a1.AgentID || len(ended) != 1 || ended[0] != "s1" {
		t.Fatalf("reset %+v, ended %q", a, ended)
	}
	got, err := s.Agent(ctx, f.a1.AgentID)
	must(t, err)
	if got.PasswordHash != "reset-hash" {
		t.Fatal("the reset did not set the password")
	}
	_, err = s.Session(ctx, "s1", clk.Now())
	wantCode(t, err, chat.ErrUnauthorized)
	_, _, err = s.UsePasswordReset(ctx, "reset-2", "again", "127.0.0.1")
	wantCode(t, err, chat.ErrResetLinkInvalid)
	must(t, s.CreatePasswordReset(ctx, f.ws.ID, f.a1.AgentID, "reset-3", clk.Now().Add(time.Hour), whoOf(f.master, "master")))
	clk.advance(2 * time.Hour)
	_, _, err = s.UsePasswordReset(ctx, "reset-3", "late", "127.0.0.1")
	wantCode(t, err, chat.ErrResetLinkInvalid)

	// A login that answers to another workspace too, or that owns the
	// installation, is not one master's to reset. A link the master made
	// before the login joined another workspace (or became an owner) ends
	// as it does: used then, it would sign the master into that workspace
	// too. A refusal leaves the link the login has (here the operator's).
	must(t, s.CreatePasswordReset(ctx, f.ws.ID, f.a2.AgentID, "reset-4", clk.Now().Add(time.Hour), whoOf(f.master, "master")))
	other := newWorkspace(t, s, "passwords-other")
	must(t, s.AddMember(ctx, chat.Member{WorkspaceID: other.ID, AgentID: f.a2.AgentID, Role: chat.RoleMaster, Status: chat.StatusOffline}))
	_, err = s.PasswordResetAgent(ctx, "reset-4")
	wantCode(t, err, chat.ErrResetLinkInvalid)
	_, _, err = s.UsePasswordReset(ctx, "reset-4", "taken-over", "127.0.0.1")
	wantCode(t, err, chat.ErrResetLinkInvalid)
	must(t, s.CreatePasswordReset(ctx, 0, f.a2.AgentID, "reset-4b", clk.Now().Add(time.Hour), chat.Who{}))
	wantCode(t, s.CreatePasswordReset(ctx, f.ws.ID, f.a2.AgentID, "reset-5", clk.Now().Add(time.Hour), whoOf(f.master, "master")), chat.ErrLoginShared)
	if _, err := s.PasswordResetAgent(ctx, "reset-4b"); err != nil {
		t.Fatalf("a refused reset took the earlier link: %v", err)
	}
	_, err = s.PasswordResetAgent(ctx, "reset-5")
	wantCode(t, err, chat.ErrResetLinkInvalid)
	must(t, s.CreatePasswordReset(ctx, f.ws.ID, f.manager.AgentID, "reset-6a", clk.Now().Add(time.Hour), whoOf(f.master, "master")))
	_, err = s.SetOwner(ctx, f.manager.AgentID, true, chat.Who{})
	must(t, err)
	_, err = s.PasswordResetAgent(ctx, "reset-6a")
	wantCode(t, err, chat.ErrResetLinkInvalid)
	wantCode(t, s.CreatePasswordReset(ctx, f.ws.ID, f.manager.AgentID, "reset-6", clk.Now().Add(time.Hour), whoOf(f.master, "master")), chat.ErrLoginShared)
	// The operator (sodam admin) answers for every login.
	must(t, s.CreatePasswordReset(ctx, 0, f.manager.AgentID, "reset-7", clk.Now().Add(time.Hour), chat.Who{}))

	lang := "en"
	name := "  김민지 "
	a, events, err := s.UpdateAgent(ctx, f.a1.AgentID, chat.AgentPatch{Name: &name, Language: &lang})
	must(t, err)
	if a.Name != "김민지" || a.Language != "en" {
		t.Fatalf("profile %+v", a)
	}
	// A new name reaches the colleagues in every workspace of the login
	// (lee is a member of two): agent.status with the member as it is now.
	// A language alone, or the same name, is nobody else's business.
	if len(events) != 1 || events[0].Type != chat.EventAgentStatus || events[0].Member.Name != "김민지" || events[0].WorkspaceID != f.ws.ID {
		t.Fatalf("a rename's events %+v", events)
	}
	renamed := "이서준"
	_, events, err = s.UpdateAgent(ctx, f.a2.AgentID, chat.AgentPatch{Name: &renamed})
	must(t, err)
	seen := map[int64]string{}
	for _, ev := range events {
		if ev.Type == chat.EventAgentStatus && ev.Member != nil && ev.Member.AgentID == f.a2.AgentID && ev.Member.WorkspaceID == ev.WorkspaceID {
			seen[ev.WorkspaceID] = ev.Member.Name
		}
	}
	if len(events) != 2 || seen[f.ws.ID] != renamed || seen[other.ID] != renamed {
		t.Fatalf("a rename in two workspaces: events %+v", events)
	}
	_, events, err = s.UpdateAgent(ctx, f.a2.AgentID, chat.AgentPatch{Name: &renamed, Language: &lang})
	must(t, err)
	if len(events) != 0 {
		t.Fatalf("the same name again: events %+v", events)
	}
	bad := "fr"
	_, _, err = s.UpdateAgent(ctx, f.a1.AgentID, chat.AgentPatch{Language: &bad})
	wantCode(t, err, chat.ErrInvalid)
}

func testAPITokens(t *testing.T, s chat.Store) {
	f := setup(t, s, "tokens")
	clk := withClock(t, s)
	by := whoOf(f.master, "master")
	tok := &chat.APIToken{WorkspaceID: f.ws.ID, Name: "CRM sync", Scopes: []chat.Scope{chat.ScopeRead, chat.ScopeWrite}}
	must(t, s.CreateAPIToken(ctx, tok, "tok-hash", by))
	got, err := s.APITokenByHash(ctx, "tok-hash")
	must(t, err)
	if got.ID != tok.ID || got.Name != "CRM sync" || len(got.Scopes) != 2 || got.Scopes[1] != chat.ScopeWrite || got.LastUsedAt != nil {
		t.Fatalf("token %+v", got)
	}
	must(t, s.TouchAPIToken(ctx, tok.ID, clk.Now()))
	list, err := s.APITokens(ctx, f.ws.ID)
	must(t, err)
	if len(list) != 1 || list[0].LastUsedAt == nil || !list[0].LastUsedAt.Equal(clk.Now()) {
		t.Fatalf("tokens %+v", list)
	}
	other := setup(t, s, "tokens2")
	_, err = s.RevokeAPIToken(ctx, other.ws.ID, tok.ID, by)
	wantCode(t, err, chat.ErrTokenNotFound)
	revoked, err := s.RevokeAPIToken(ctx, f.ws.ID, tok.ID, by)
	must(t, err)
	if revoked.RevokedAt == nil || revoked.Usable(clk.Now()) == nil {
		t.Fatalf("revoked %+v", revoked)
	}
	_, err = s.APITokenByHash(ctx, "nope")
	wantCode(t, err, chat.ErrTokenNotFound)
	for i := range chat.MaxAPITokensPerWS {
		must(t, s.CreateAPIToken(ctx, &chat.APIToken{WorkspaceID: f.ws.ID, Name: fmt.Sprint("t", i), Scopes: []chat.Scope{chat.ScopeRead}}, fmt.Sprint("h", i), by))
	}
	err = s.CreateAPIToken(ctx, &chat.APIToken{WorkspaceID: f.ws.ID, Name: "one too many", Scopes: []chat.Scope{chat.ScopeRead}}, "h-last", by)
	wantCode(t, err, chat.ErrTooManyTokens)
	entries, err := s.Audit(ctx, f.ws.ID, chat.AuditFilter{Action: chat.AuditTokenRevoke})
	must(t, err)
	if len(entries) != 1 || entries[0].Target != "CRM sync" || entries[0].ActorName != "master" {
		t.Fatalf("audit %+v", entries)
	}
}

func testAuditLog(t *testing.T, s chat.Store) {
	f := setup(t, s, "audit")
	clk := withClock(t, s)
	start := clk.Now()
	for i := range 5 {
		clk.advance(time.Minute)
		must(t, s.AppendAudit(ctx, chat.AuditEntry{WorkspaceID: f.ws.ID, At: clk.Now(), ActorID: f.master.AgentID, ActorName: "master",
			Address: "10.0.0.1", Action: chat.AuditInvite, Target: fmt.Sprint("x", i), Refused: chat.ErrAlreadyMember}))
	}
	must(t, s.AppendAudit(ctx, chat.AuditEntry{WorkspaceID: f.ws.ID, At: clk.Now(), ActorID: f.manager.AgentID, ActorName: "manager",
		Action: chat.AuditTokenCreate, Target: "t", After: map[string]int{"n": 1}}))
	all, err := s.Audit(ctx, f.ws.ID, chat.AuditFilter{})
	must(t, err)
	if len(all) != 6 || all[0].Action != chat.AuditTokenCreate || string(all[0].After.(json.RawMessage)) != `{"n":1}` || all[1].Refused != chat.ErrAlreadyMember {
		t.Fatalf("entries %+v", all)
	}
	page, err := s.Audit(ctx, f.ws.ID, chat.AuditFilter{Limit: 2, Before: all[1].ID})
	must(t, err)
	if len(page) != 2 || page[0].ID != all[2].ID {
		t.Fatalf("page %+v", page)
	}
	byActor, err := s.Audit(ctx, f.ws.ID, chat.AuditFilter{ActorID: f.manager.AgentID})
	must(t, err)
	period, err := s.Audit(ctx, f.ws.ID, chat.AuditFilter{From: start.Add(2 * time.Minute), To: start.Add(4 * time.Minute)})
	must(t, err)
	if len(byActor) != 1 || len(period) != 2 {
		t.Fatalf("by actor %d, in period %d", len(byActor), len(period))
	}
	other := setup(t, s, "audit2")
	none, err := s.Audit(ctx, other.ws.ID, chat.AuditFilter{})
	must(t, err)
	if len(none) != 0 {
		t.Fatalf("another workspace sees %+v", none)
	}
}

func testOwnersAndWorkspaces(t *testing.T, s chat.Store) {
	f := setup(t, s, "owners")
	by := whoOf(f.master, "master")
	// Only an owner grants ownership; the operator (no agent) makes the first.
	_, err := s.SetOwner(ctx, f.master.AgentID, true, by)
	wantCode(t, err, chat.ErrOwnerRequired)
	_, err = s.SetOwner(ctx, f.master.AgentID, true, chat.Who{})
	must(t, err)
	_, err = s.SetOwner(ctx, f.master.AgentID, false, by)
	wantCode(t, err, chat.ErrLastOwner)
	a, err := s.SetOwner(ctx, f.a1.AgentID, true, by)
	must(t, err)
	if !a.Owner {
		t.Fatalf("owner %+v", a)
	}
	// kim withdraws the master's ownership while the master's own
	// requests are on their way: decided under ownership as it is when
	// each is written, they are refused and change nothing.
	_, err = s.SetOwner(ctx, f.master.AgentID, false, whoOf(f.a1, "kim"))
	must(t, err)
	_, err = s.SetOwner(ctx, f.master.AgentID, true, by)
	wantCode(t, err, chat.ErrOwnerRequired)
	_, err = s.SetOwner(ctx, f.a1.AgentID, false, by)
	wantCode(t, err, chat.ErrOwnerRequired)
	err = s.CreateWorkspaceWith(ctx, &chat.Workspace{SiteID: "by-former-owner", Name: "x", IdentitySecret: "s", Settings: chat.DefaultSettings()}, f.master.AgentID, by)
	wantCode(t, err, chat.ErrOwnerRequired)
	_, _, err = s.ArchiveWorkspace(ctx, f.ws.ID, true, by)
	wantCode(t, err, chat.ErrOwnerRequired)
	if got, err := s.Workspace(ctx, f.ws.ID); err != nil || got.ArchivedAt != nil {
		t.Fatalf("the workspace after a former owner's archive %+v %v", got, err)
	}
	by = whoOf(f.a1, "kim") // the owner now

	w := &chat.Workspace{SiteID: "second", Name: "두 번째 가게", IdentitySecret: "s", Settings: chat.DefaultSettings()}
	must(t, s.CreateWorkspaceWith(ctx, w, f.a1.AgentID, whoOf(f.a1, "kim")))
	m, err := s.Member(ctx, w.ID, f.a1.AgentID)
	must(t, err)
	if m.Role != chat.RoleMaster || !m.Active {
		t.Fatalf("first master %+v", m)
	}
	err = s.CreateWorkspaceWith(ctx, &chat.Workspace{SiteID: "second", Name: "dup", IdentitySecret: "s"}, f.a1.AgentID, by)
	wantCode(t, err, chat.ErrConflict)
	must(t, s.CreateInvitation(ctx, &chat.Invitation{WorkspaceID: w.ID, Email: "early@owners.test", Name: "e", Role: chat.RoleAgent,
		ExpiresAt: time.Now().Add(time.Hour)}, "arch-0", whoOf(f.a1, "kim")))
	arch, events, err := s.ArchiveWorkspace(ctx, w.ID, true, by)
	must(t, err)
	if arch.ArchivedAt == nil || len(events) != 1 {
		t.Fatalf("archived %+v %+v", arch, events)
	}
	all, err := s.AllWorkspaces(ctx)
	must(t, err)
	found := false
	for _, x := range all {
		found = found || x.ID == w.ID && x.ArchivedAt != nil
	}
	if !found {
		t.Fatalf("workspaces %+v", all)
	}
	restored, _, err := s.ArchiveWorkspace(ctx, w.ID, false, by)
	must(t, err)
	if restored.ArchivedAt != nil {
		t.Fatal("not restored")
	}
	if got := actions(t, s, w.ID); len(got) != 4 || got[3] != "workspace.create:second" {
		t.Fatalf("audit %v", got)
	}
}

func ptr[T any](v T) *T { return &v }

// testDeactivationEndsLeftConversations: of a deactivated member's open
// conversations, one whose customer already left (kept open only for the
// agent's wrap-up, §2.3) ends as the customer's close; it does not queue
// and is not routed to a colleague as if someone were waiting. The others
// go back to the queue as before.
func testDeactivationEndsLeftConversations(t *testing.T, s chat.Store) {
	f := setup(t, s, "leftdeact")
	settings(t, s, f.ws, func(st *chat.Settings) { st.AssignmentMode = chat.AssignHybrid })
	for _, a := range []chat.Actor{f.master, f.manager, f.a2} {
		_, _, err := s.SetAgentStatus(ctx, f.ws.ID, a.AgentID, chat.StatusAway)
		must(t, err)
	}
	left := f.open(t, s) // kim is the only one online
	send(t, s, f.ws.ID, left.ID, f.a1, "k1", "확인해 드릴게요")
	_, _, err := s.CloseConversation(ctx, f.ws.ID, left.ID, chat.VisitorActor)
	must(t, err)
	other := newCustomer(t, s, f.ws, "cust-2")
	waiting, _, err := openConversation(s, f.ws.ID, other.ID, chat.ChannelWeb)
	must(t, err)
	if left := conv(t, s, f.ws.ID, left.ID); left.CustomerLeftAt == nil || left.AssigneeID != f.a1.AgentID || waiting.AssigneeID != f.a1.AgentID {
		t.Fatalf("before: left %+v, waiting %+v", left, waiting)
	}
	_, _, err = s.SetAgentStatus(ctx, f.ws.ID, f.a2.AgentID, chat.StatusOnline)
	must(t, err)
	_, _, err = s.UpdateMember(ctx, f.ws.ID, f.a1.AgentID, chat.MemberPatch{Active: new(bool)}, whoOf(f.master, "master"))
	must(t, err)
	got := conv(t, s, f.ws.ID, left.ID)
	if got.State != chat.StateClosed || got.CloseReason != chat.CloseByCustomer || got.AssigneeID != f.a1.AgentID {
		t.Fatalf("the left conversation after deactivation %+v", got)
	}
	if got := conv(t, s, f.ws.ID, waiting.ID); got.AssigneeID != f.a2.AgentID || got.State != chat.StateWaiting {
		t.Fatalf("the waiting conversation after deactivation %+v", got)
	}
	n, err := s.QueuePosition(ctx, f.ws.ID, left.ID)
	must(t, err)
	if n != 0 {
		t.Fatalf("queue position %d", n)
	}
}

// testAdministrationByFormerMaster: a member administration change is
// decided under the actor's role as it is when the write happens. A master
// demoted (or deactivated) by a colleague while their own request was on
// its way cannot make themselves master again, change another member, make
// a password link or set a capacity; nothing changes.
func testAdministrationByFormerMaster(t *testing.T, s chat.Store) {
	f := setup(t, s, "formermaster")
	master2 := newMember(t, s, f.ws, "master2", chat.RoleMaster, chat.StatusOnline)
	by, by2 := whoOf(f.master, "master"), whoOf(master2, "master2")
	role := func(r chat.Role) *chat.Role { return &r }
	_, _, err := s.UpdateMember(ctx, f.ws.ID, master2.AgentID, chat.MemberPatch{Role: role(chat.RoleAgent)}, by)
	must(t, err)
	before := lastSeq(t, s, f.ws.ID)
	_, _, err = s.UpdateMember(ctx, f.ws.ID, master2.AgentID, chat.MemberPatch{Role: role(chat.RoleMaster)}, by2)
	wantCode(t, err, chat.ErrRoleRequired)
	_, _, err = s.UpdateMember(ctx, f.ws.ID, f.a1.AgentID, chat.MemberPatch{Active: new(bool)}, by2)
	wantCode(t, err, chat.ErrRoleRequired)
	err = s.CreatePasswordReset(ctx, f.ws.ID, f.a1.AgentID, "former-master-reset", time.Now().Add(time.Hour), by2)
	wantCode(t, err, chat.ErrRoleRequired)
	// A manager demoted to agent sets no capacity any more.
	_, _, err = s.UpdateMember(ctx, f.ws.ID, f.manager.AgentID, chat.MemberPatch{Role: role(chat.RoleAgent)}, by)
	must(t, err)
	before = lastSeq(t, s, f.ws.ID)
	_, _, err = s.SetCapacity(ctx, f.ws.ID, f.a1.AgentID, ptr(9), whoOf(f.manager, "manager"))
	wantCode(t, err, chat.ErrRoleRequired)
	if after := lastSeq(t, s, f.ws.ID); after != before {
		t.Fatalf("a refused change wrote events: %d → %d", before, after)
	}
	m, err := s.Member(ctx, f.ws.ID, master2.AgentID)
	must(t, err)
	kim, err := s.Member(ctx, f.ws.ID, f.a1.AgentID)
	must(t, err)
	if m.Role != chat.RoleAgent || !kim.Active || kim.Capacity != nil {
		t.Fatalf("after the refusals: master2 %+v, kim %+v", m, kim)
	}
	if _, err := s.PasswordResetAgent(ctx, "former-master-reset"); chat.ErrorCode(err) != chat.ErrResetLinkInvalid {
		t.Fatalf("the refused password link works: %v", err)
	}
	// Nor does the demoted manager change the settings, nor the demoted
	// master (a manager now) rotate the identity secret.
	_, _, err = s.PatchWorkspace(ctx, f.ws.ID, func(w *chat.Workspace) error { w.Settings.AssignmentMode = chat.AssignAuto; return nil }, whoOf(f.manager, "manager"))
	wantCode(t, err, chat.ErrRoleRequired)
	_, _, err = s.UpdateMember(ctx, f.ws.ID, master2.AgentID, chat.MemberPatch{Role: role(chat.RoleManager)}, by)
	must(t, err)
	before = lastSeq(t, s, f.ws.ID)
	_, _, err = s.PatchWorkspace(ctx, f.ws.ID, func(w *chat.Workspace) error { w.IdentitySecret = "rotated"; return nil }, by2)
	wantCode(t, err, chat.ErrRoleRequired)
	if after := lastSeq(t, s, f.ws.ID); after != before {
		t.Fatalf("a refused settings change wrote events: %d → %d", before, after)
	}
	if w, err := s.Workspace(ctx, f.ws.ID); err != nil || w.Settings.AssignmentMode != chat.AssignManual || w.IdentitySecret != f.ws.IdentitySecret {
		t.Fatalf("the workspace after the refusals: %+v %v", w, err)
	}
	_, _, err = s.PatchWorkspace(ctx, f.ws.ID, func(w *chat.Workspace) error { w.Settings.Sticky = true; return nil }, by2)
	must(t, err) // a manager's setting
	// A manager sets capacities; the operator (no agent) does anything.
	_, _, err = s.SetCapacity(ctx, f.ws.ID, f.a1.AgentID, ptr(3), by2)
	must(t, err)
	_, _, err = s.UpdateMember(ctx, f.ws.ID, master2.AgentID, chat.MemberPatch{Role: role(chat.RoleMaster)}, chat.Who{})
	must(t, err)
}

// testPasswordAudit: a password change, signed in or through a reset
// link, is in the audit log of every workspace the login is an active
// member of — where the masters who made the link, and who answer for
// the member, read it — with who and from which address. It was written
// installation-wide, where no workspace's log showed it, and a link's use
// was not written at all.
func testPasswordAudit(t *testing.T, s chat.Store) {
	f := setup(t, s, "pwaudit")
	clk := withClock(t, s)
	other := newWorkspace(t, s, "pwaudit-other")
	must(t, s.AddMember(ctx, chat.Member{WorkspaceID: other.ID, AgentID: f.a1.AgentID, Role: chat.RoleManager, Status: chat.StatusOffline}))
	gone := newWorkspace(t, s, "pwaudit-gone")
	must(t, s.AddMember(ctx, chat.Member{WorkspaceID: gone.ID, AgentID: f.a1.AgentID, Role: chat.RoleAgent, Status: chat.StatusOffline}))
	_, _, err := s.UpdateMember(ctx, gone.ID, f.a1.AgentID, chat.MemberPatch{Active: ptr(false)}, chat.Who{})
	must(t, err)

	changes := func(ws int64) []chat.AuditEntry {
		t.Helper()
		entries, err := s.Audit(ctx, ws, chat.AuditFilter{Action: chat.AuditPasswordChange})
		must(t, err)
		return entries
	}
	_, err = s.SetPassword(ctx, f.a1.AgentID, "new-hash", "", chat.Who{AgentID: f.a1.AgentID, Name: "kim", Address: "10.0.0.7"})
	must(t, err)
	for _, ws := range []int64{f.ws.ID, other.ID} {
		e := changes(ws)
		if len(e) != 1 || e[0].Target != "kim@pwaudit.test" || e[0].ActorID != f.a1.AgentID || e[0].Address != "10.0.0.7" {
			t.Fatalf("workspace %d: a signed-in password change audited as %+v", ws, e)
		}
	}
	if e := changes(gone.ID); len(e) != 0 {
		t.Fatalf("a workspace the login was deactivated in logged its password change: %+v", e)
	}

	must(t, s.CreatePasswordReset(ctx, f.ws.ID, f.a2.AgentID, "pwaudit-link", clk.Now().Add(time.Hour), whoOf(f.master, "master")))
	_, _, err = s.UsePasswordReset(ctx, "pwaudit-link", "link-hash", "10.0.0.9")
	must(t, err)
	e := changes(f.ws.ID)
	if len(e) != 2 || e[0].Target != "lee@pwaudit.test" || e[0].ActorID != f.a2.AgentID || e[0].ActorName != "lee" || e[0].Address != "10.0.0.9" {
		t.Fatalf("a reset link's use audited as %+v", e)
	}
}

// testReactivationEndsInvitations: a member reactivated by a master has
// no use for the invitation another master sent to readmit them, and it
// is revoked (audited, with the reason): left open, the member, removed
// again within its week, could readmit themselves with it.
func testReactivationEndsInvitations(t *testing.T, s chat.Store) {
	f := setup(t, s, "reactivate")
	clk := withClock(t, s)
	by := whoOf(f.master, "master")
	off, on := false, true
	_, _, err := s.UpdateMember(ctx, f.ws.ID, f.a1.AgentID, chat.MemberPatch{Active: &off}, by)
	must(t, err)
	inv := &chat.Invitation{WorkspaceID: f.ws.ID, Email: "kim@reactivate.test", Name: "kim", Role: chat.RoleAgent, ExpiresAt: clk.Now().Add(7 * 24 * time.Hour)}
	must(t, s.CreateInvitation(ctx, inv, "readmit-kim", by))
	_, _, err = s.UpdateMember(ctx, f.ws.ID, f.a1.AgentID, chat.MemberPatch{Active: &on}, by)
	must(t, err)
	got, err := s.InvitationByToken(ctx, "readmit-kim")
	must(t, err)
	if got.Status(clk.Now()) != chat.InvitationRevoked {
		t.Fatalf("the readmitting invitation of a member reactivated is %s", got.Status(clk.Now()))
	}
	_, _, err = s.UpdateMember(ctx, f.ws.ID, f.a1.AgentID, chat.MemberPatch{Active: &off}, by)
	must(t, err)
	_, _, err = s.AcceptInvitation(ctx, "readmit-kim", nil, "10.0.0.3")
	wantCode(t, err, chat.ErrInvitationRevoked)
	if a := actions(t, s, f.ws.ID); !slices.Contains(a, "invitation.revoke:kim@reactivate.test") {
		t.Fatalf("the revocation is not in the audit log: %v", a)
	}
}

// testDeactivationRevokesTokens: a member's working API tokens are revoked
// as they are deactivated, for good. They were only refused while the
// member was inactive, and worked again when a master reactivated them.
// Nor does a token written after the deactivation (a request that checked
// the role before it) escape it: a member no longer an active master
// makes none.
func testDeactivationRevokesTokens(t *testing.T, s chat.Store) {
	f := setup(t, s, "tokenoff")
	clk := withClock(t, s)
	by := whoOf(f.master, "master")
	choi := newMember(t, s, f.ws, "choi", chat.RoleMaster, chat.StatusOnline)
	byChoi := whoOf(choi, "choi")
	token := func(name, hash string, who chat.Who, expires *time.Time) *chat.APIToken {
		tok := &chat.APIToken{WorkspaceID: f.ws.ID, Name: name, Scopes: []chat.Scope{chat.ScopeRead, chat.ScopeWrite}, ExpiresAt: expires}
		must(t, s.CreateAPIToken(ctx, tok, hash, who))
		return tok
	}
	erp := token("ERP 주문 동기화", "off-erp", byChoi, nil)
	token("배송 조회 봇", "off-bot", byChoi, ptr(clk.Now().Add(time.Hour)))
	old := token("예전 정산 스크립트", "off-old", byChoi, nil)
	_, err := s.RevokeAPIToken(ctx, f.ws.ID, old.ID, byChoi)
	must(t, err)
	crm := token("CRM 연동", "off-crm", by, nil)
	clk.advance(2 * time.Hour) // the bot's token has expired

	off, on := false, true
	_, _, err = s.UpdateMember(ctx, f.ws.ID, choi.AgentID, chat.MemberPatch{Active: &off}, by)
	must(t, err)
	deactivated := clk.Now()
	clk.advance(time.Minute)
	wantCode(t, s.CreateAPIToken(ctx, &chat.APIToken{WorkspaceID: f.ws.ID, Name: "나가기 전에", Scopes: []chat.Scope{chat.ScopeAdmin}}, "off-late", byChoi), chat.ErrRoleRequired)
	_, err = s.RevokeAPIToken(ctx, f.ws.ID, crm.ID, byChoi) // nor revoke, even the tokens of others
	wantCode(t, err, chat.ErrRoleRequired)
	_, _, err = s.UpdateMember(ctx, f.ws.ID, choi.AgentID, chat.MemberPatch{Active: &on}, by)
	must(t, err)

	list, err := s.APITokens(ctx, f.ws.ID)
	must(t, err)
	state := map[string]string{}
	for _, tk := range list {
		switch {
		case tk.RevokedAt != nil && tk.RevokedAt.Equal(deactivated):
			state[tk.Name] = "revoked with choi"
		case tk.RevokedAt != nil:
			state[tk.Name] = "revoked before"
		case tk.Usable(clk.Now()) != nil:
			state[tk.Name] = "expired"
		default:
			state[tk.Name] = "working"
		}
	}
	want := map[string]string{"ERP 주문 동기화": "revoked with choi", "배송 조회 봇": "expired", "예전 정산 스크립트": "revoked before", "CRM 연동": "working"}
	if fmt.Sprint(state) != fmt.Sprint(want) {
		t.Fatalf("tokens after choi's deactivation and reactivation: %v, want %v", state, want)
	}
	got, err := s.APITokenByHash(ctx, "off-erp")
	must(t, err)
	if got.ID != erp.ID || got.Usable(clk.Now()) == nil {
		t.Fatalf("choi's token works again after the reactivation: %+v", got)
	}
	if got, err := s.APITokenByHash(ctx, "off-crm"); err != nil || got.ID != crm.ID || got.Usable(clk.Now()) != nil {
		t.Fatalf("the master's own token: %+v, %v", got, err)
	}
	entries, err := s.Audit(ctx, f.ws.ID, chat.AuditFilter{Action: chat.AuditTokenRevoke})
	must(t, err)
	var revoked []string
	for _, e := range entries {
		after, _ := json.Marshal(e.After)
		revoked = append(revoked, fmt.Sprintf("%s by %s: %s", e.Target, e.ActorName, after))
	}
	wantAudit := []string{
		`ERP 주문 동기화 by master: {"reason":"its creator choi@tokenoff.test was deactivated"}`,
		`예전 정산 스크립트 by choi: null`,
	}
	if !slices.Equal(revoked, wantAudit) {
		t.Fatalf("revocations in the audit log:\n%s\nwant\n%s", strings.Join(revoked, "\n"), strings.Join(wantAudit, "\n"))
	}
}

// testAPITokenLimitLive: a workspace's limit counts the tokens that still
// work. An expired one counted until a master revoked it too, so a team
// making a short-lived token per deploy was refused too_many_tokens with
// not one token working.
func testAPITokenLimitLive(t *testing.T, s chat.Store) {
	f := setup(t, s, "tokenlimit")
	clk := withClock(t, s)
	by := whoOf(f.master, "master")
	for i := range chat.MaxAPITokensPerWS {
		tok := &chat.APIToken{WorkspaceID: f.ws.ID, Name: fmt.Sprint("deploy ", i), Scopes: []chat.Scope{chat.ScopeWrite}, ExpiresAt: ptr(clk.Now().Add(time.Hour))}
		must(t, s.CreateAPIToken(ctx, tok, fmt.Sprint("limit-", i), by))
	}
	extra := &chat.APIToken{WorkspaceID: f.ws.ID, Name: "one more", Scopes: []chat.Scope{chat.ScopeRead}}
	wantCode(t, s.CreateAPIToken(ctx, extra, "limit-extra", by), chat.ErrTooManyTokens)
	clk.advance(2 * time.Hour)
	must(t, s.CreateAPIToken(ctx, extra, "limit-extra", by))
}

// TokensAcrossUpgrade: an API token made by a member deactivated before
// deactivation revoked their tokens (testDeactivationRevokesTokens) is
// revoked by migration 0039, so that reactivating them does not bring it
// back; a working member's token stays working. downgrade is
// SearchAcrossUpgrade's.
func TokensAcrossUpgrade(t *testing.T, s chat.Store, _ bool, downgrade func(sql string) chat.Store) {
	f := setup(t, s, "upgrade0039")
	choi := newMember(t, s, f.ws, "choi", chat.RoleMaster, chat.StatusOnline)
	for _, tk := range []struct {
		name, hash string
		by         chat.Who
	}{{"ERP 주문 동기화", "up-erp", whoOf(choi, "choi")}, {"CRM 연동", "up-crm", whoOf(f.master, "master")}} {
		must(t, s.CreateAPIToken(ctx, &chat.APIToken{WorkspaceID: f.ws.ID, Name: tk.name, Scopes: []chat.Scope{chat.ScopeRead}}, tk.hash, tk.by))
	}
	off := false
	_, _, err := s.UpdateMember(ctx, f.ws.ID, choi.AgentID, chat.MemberPatch{Active: &off}, whoOf(f.master, "master"))
	must(t, err)
	// As before 0039: the deactivation left choi's token unrevoked.
	s = downgrade(`UPDATE api_tokens SET revoked_at = NULL;
DELETE FROM schema_migrations WHERE version = '0039_tokens_of_deactivated.sql';`)
	for hash, want := range map[string]bool{"up-erp": false, "up-crm": true} {
		tok, err := s.APITokenByHash(ctx, hash)
		must(t, err)
		if works := tok.Usable(time.Now()) == nil; works != want {
			t.Fatalf("after the upgrade, the token %q works: %t, want %t (revoked at %v)", tok.Name, works, want, tok.RevokedAt)
		}
	}
}

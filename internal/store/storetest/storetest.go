// Package storetest is the conformance suite every chat.Store must pass.
// The sqlite and postgres packages run it against a fresh database each.
package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/sodam-chat/sodam/internal/chat"
)

// Opener returns a new, empty, migrated store; it registers its own cleanup.
type Opener func(t testing.TB) chat.Store

// Run runs the whole suite.
func Run(t *testing.T, open Opener) {
	tests := []struct {
		name string
		fn   func(*testing.T, chat.Store)
	}{
		{"Workspaces", testWorkspaces},
		{"Bootstrap", testBootstrap},
		{"AgentsAndMembers", testAgentsAndMembers},
		{"Sessions", testSessions},
		{"Customers", testCustomers},
		{"OpenConversation", testOpenConversation},
		{"ConcurrentOpenConversation", testConcurrentOpen},
		{"AssignAndSend", testAssignAndSend},
		{"IdempotentSend", testIdempotentSend},
		{"RefusalsWriteNothing", testRefusalsWriteNothing},
		{"Close", testClose},
		{"ListsAndVisibility", testLists},
		{"WorkspaceIsolation", testIsolation},
		{"ConcurrentSendsKeepOrder", testConcurrentSends},
		{"BatchFailureStaysAlone", testBatchFailureStaysAlone},
		{"ConcurrentWritersGapFree", testConcurrentWritersGapFree},
	}
	for _, tt := range append(append(append(tests, lifecycleTests...), contextTests...), attachmentTests...) {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, open(t)) })
	}
}

var ctx = context.Background()

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := chat.ErrorCode(err); got != code {
		t.Fatalf("error = %v (code %q), want code %q", err, got, code)
	}
}

// fixture is a workspace with a master, a manager and two agents, and a customer.
type fixture struct {
	ws                      *chat.Workspace
	master, manager, a1, a2 chat.Actor
	customer                *chat.Customer
}

func newWorkspace(t *testing.T, s chat.Store, siteID string) *chat.Workspace {
	t.Helper()
	w := &chat.Workspace{SiteID: siteID, Name: "Shop " + siteID, IdentitySecret: "secret-" + siteID}
	must(t, s.CreateWorkspace(ctx, w))
	return w
}

func newMember(t *testing.T, s chat.Store, ws *chat.Workspace, name string, role chat.Role, status chat.AgentStatus) chat.Actor {
	t.Helper()
	a := &chat.Agent{Email: name + "@" + ws.SiteID + ".test", Name: name, PasswordHash: "x"}
	must(t, s.CreateAgent(ctx, a))
	must(t, s.AddMember(ctx, chat.Member{WorkspaceID: ws.ID, AgentID: a.ID, Role: role, Status: status}))
	return chat.Actor{Kind: chat.SenderAgent, AgentID: a.ID, Role: role, Status: status}
}

func newCustomer(t *testing.T, s chat.Store, ws *chat.Workspace, id string) *chat.Customer {
	t.Helper()
	c := &chat.Customer{WorkspaceID: ws.ID, ExternalID: id}
	must(t, s.UpsertCustomer(ctx, c))
	return c
}

func setup(t *testing.T, s chat.Store, siteID string) fixture {
	t.Helper()
	ws := newWorkspace(t, s, siteID)
	return fixture{
		ws:       ws,
		master:   newMember(t, s, ws, "master", chat.RoleMaster, chat.StatusOnline),
		manager:  newMember(t, s, ws, "manager", chat.RoleManager, chat.StatusOnline),
		a1:       newMember(t, s, ws, "kim", chat.RoleAgent, chat.StatusOnline),
		a2:       newMember(t, s, ws, "lee", chat.RoleAgent, chat.StatusOnline),
		customer: newCustomer(t, s, ws, "cust-1"),
	}
}

func (f fixture) open(t *testing.T, s chat.Store) chat.Conversation {
	t.Helper()
	c, _, err := openConversation(s, f.ws.ID, f.customer.ID, chat.ChannelWeb)
	must(t, err)
	return c
}

func send(t *testing.T, s chat.Store, ws int64, conv int64, actor chat.Actor, id, body string) chat.Message {
	t.Helper()
	m, _, _, err := s.AppendMessage(ctx, ws, conv, actor, chat.NewMessage{ClientMsgID: id, Body: body})
	must(t, err)
	return m
}

func lastSeq(t *testing.T, s chat.Store, ws int64) int64 {
	t.Helper()
	seq, err := s.LastEventSeq(ctx, ws)
	must(t, err)
	return seq
}

func testWorkspaces(t *testing.T, s chat.Store) {
	w := &chat.Workspace{SiteID: "shop1", Name: "가게", IdentitySecret: "s", AllowedOrigins: []string{"https://shop.example"}, ConsentText: "동의"}
	must(t, s.CreateWorkspace(ctx, w))
	if w.ID == 0 || w.CreatedAt.IsZero() {
		t.Fatalf("ID/CreatedAt not filled: %+v", w)
	}
	wantCode(t, s.CreateWorkspace(ctx, &chat.Workspace{SiteID: "shop1", Name: "dup", IdentitySecret: "s"}), chat.ErrConflict)
	got, err := s.WorkspaceBySiteID(ctx, "shop1")
	must(t, err)
	if got.ID != w.ID || got.Name != "가게" || got.IdentitySecret != "s" || len(got.AllowedOrigins) != 1 || got.ConsentText != "동의" {
		t.Fatalf("got %+v", got)
	}
	got.Name, got.AllowedOrigins, got.Color = "새 이름", nil, "#123456"
	_, err = s.UpdateWorkspace(ctx, got)
	must(t, err)
	got, err = s.Workspace(ctx, w.ID)
	must(t, err)
	if got.Name != "새 이름" || len(got.AllowedOrigins) != 0 || got.Color != "#123456" {
		t.Fatalf("after update %+v", got)
	}
	_, err = s.Workspace(ctx, 999999)
	wantCode(t, err, chat.ErrWorkspaceNotFound)
	_, err = s.WorkspaceBySiteID(ctx, "nope")
	wantCode(t, err, chat.ErrWorkspaceNotFound)
	_, err = s.UpdateWorkspace(ctx, &chat.Workspace{ID: 999999})
	wantCode(t, err, chat.ErrWorkspaceNotFound)
}

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
	must(t, s.DeleteSession(ctx, "live"))
	_, err = s.Session(ctx, "live", now)
	wantCode(t, err, chat.ErrUnauthorized)
}

func testCustomers(t *testing.T, s chat.Store) {
	ws := newWorkspace(t, s, "cust")
	c := &chat.Customer{WorkspaceID: ws.ID, ExternalID: "u1", Profile: chat.Profile{Name: "홍길동", Extra: map[string]string{"cus_extra_plan": "gold"}}}
	must(t, s.UpsertCustomer(ctx, c))
	id := c.ID
	again := &chat.Customer{WorkspaceID: ws.ID, ExternalID: "u1", Verified: true, Profile: chat.Profile{Email: "hong@example.com", Extra: map[string]string{"cus_extra_level": "3"}}}
	must(t, s.UpsertCustomer(ctx, again))
	if again.ID != id || again.Name != "홍길동" || again.Email != "hong@example.com" || !again.Verified ||
		again.Extra["cus_extra_plan"] != "gold" || again.Extra["cus_extra_level"] != "3" {
		t.Fatalf("merged customer %+v", again)
	}
	got, err := s.Customer(ctx, ws.ID, id)
	must(t, err)
	if got.ExternalID != "u1" || got.Name != "홍길동" {
		t.Fatalf("customer %+v", got)
	}
	_, err = s.Customer(ctx, ws.ID, 999999)
	wantCode(t, err, chat.ErrNotFound)

	must(t, s.CreateVisitorSession(ctx, chat.VisitorSession{TokenHash: "vt", WorkspaceID: ws.ID, CustomerID: id}))
	vs, err := s.VisitorSession(ctx, "vt")
	must(t, err)
	if vs.CustomerID != id || vs.WorkspaceID != ws.ID {
		t.Fatalf("visitor session %+v", vs)
	}
	_, err = s.VisitorSession(ctx, "nope")
	wantCode(t, err, chat.ErrUnauthorized)
}

func testOpenConversation(t *testing.T, s chat.Store) {
	f := setup(t, s, "open")
	before := lastSeq(t, s, f.ws.ID)
	c, events, err := openConversation(s, f.ws.ID, f.customer.ID, chat.ChannelWeb)
	must(t, err)
	if c.State != chat.StateUnassigned || c.RoomNo != 1 || c.Identifier != "open_cust-1" || c.Channel != chat.ChannelWeb {
		t.Fatalf("new conversation %+v", c)
	}
	if len(events) != 1 || events[0].Type != chat.EventConversationCreated || events[0].Seq != before+1 {
		t.Fatalf("events %+v", events)
	}
	again, events, err := openConversation(s, f.ws.ID, f.customer.ID, chat.ChannelWeb)
	must(t, err)
	if again.ID != c.ID || len(events) != 0 {
		t.Fatalf("second open made %+v, events %+v", again, events)
	}
	cur, err := s.CurrentConversation(ctx, f.ws.ID, f.customer.ID, chat.ChannelWeb)
	must(t, err)
	if cur.ID != c.ID {
		t.Fatalf("current = %d, want %d", cur.ID, c.ID)
	}
	_, _, err = s.CloseConversation(ctx, f.ws.ID, c.ID, chat.VisitorActor)
	must(t, err)
	_, err = s.CurrentConversation(ctx, f.ws.ID, f.customer.ID, chat.ChannelWeb)
	wantCode(t, err, chat.ErrConversationNotFound)
	next, _, err := openConversation(s, f.ws.ID, f.customer.ID, chat.ChannelWeb)
	must(t, err)
	if next.ID == c.ID || next.RoomNo != 2 {
		t.Fatalf("after close, open gave %+v", next)
	}
	_, _, err = openConversation(s, f.ws.ID, 999999, chat.ChannelWeb)
	wantCode(t, err, chat.ErrNotFound)
}

func testConcurrentOpen(t *testing.T, s chat.Store) {
	f := setup(t, s, "race")
	const n = 20
	ids := make([]int64, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			c, _, err := openConversation(s, f.ws.ID, f.customer.ID, chat.ChannelWeb)
			if err != nil {
				t.Error(err)
				return
			}
			ids[i] = c.ID
		})
	}
	wg.Wait()
	for _, id := range ids {
		if id != ids[0] {
			t.Fatalf("concurrent opens made several conversations: %v", ids)
		}
	}
	if seq := lastSeq(t, s, f.ws.ID); seq != 1 {
		t.Fatalf("%d events for one conversation", seq)
	}
}

func testAssignAndSend(t *testing.T, s chat.Store) {
	f := setup(t, s, "flow")
	c := f.open(t, s)
	v := send(t, s, f.ws.ID, c.ID, chat.VisitorActor, "v1", "안녕하세요, 주문 문의입니다")
	if v.Seq != 1 || v.SenderType != chat.SenderVisitor {
		t.Fatalf("visitor message %+v", v)
	}
	// An agent may not reply before taking the conversation.
	_, _, _, err := s.AppendMessage(ctx, f.ws.ID, c.ID, f.a1, chat.NewMessage{ClientMsgID: "a0", Body: "hi"})
	wantCode(t, err, chat.ErrConversationNotOpen)

	offline := newMember(t, s, f.ws, "park", chat.RoleAgent, chat.StatusOffline)
	_, _, err = s.Take(ctx, f.ws.ID, c.ID, offline)
	wantCode(t, err, chat.ErrAgentNotOnline)

	got, events, err := s.Take(ctx, f.ws.ID, c.ID, f.a1)
	must(t, err)
	if got.State != chat.StateWaiting || got.AssigneeID != f.a1.AgentID || got.AssigneeName != "kim" {
		t.Fatalf("assigned %+v", got)
	}
	if len(events) != 1 || events[0].Type != chat.EventConversationAssigned || events[0].PrevState != chat.StateUnassigned ||
		events[0].Message == nil || events[0].Message.Kind != chat.KindSystem || events[0].Message.Body != chat.SystemAssigned || events[0].Message.Meta["agent"] != "kim" {
		t.Fatalf("assign events %+v", events)
	}
	if len(got.AgentPath) != 1 || got.AgentPath[0].Name != "kim" {
		t.Fatalf("agent path %+v", got.AgentPath)
	}
	_, _, err = s.Take(ctx, f.ws.ID, c.ID, f.a2)
	wantCode(t, err, chat.ErrAlreadyAssigned)
	_, _, _, err = s.AppendMessage(ctx, f.ws.ID, c.ID, f.a2, chat.NewMessage{ClientMsgID: "b1", Body: "hi"})
	wantCode(t, err, chat.ErrNotAssignee)

	// The assignee's first message moves waiting to active.
	m, events, dup, err := s.AppendMessage(ctx, f.ws.ID, c.ID, f.a1, chat.NewMessage{ClientMsgID: "a1", Body: "네, 도와드릴게요", SenderName: "kim"})
	must(t, err)
	if dup || m.Seq != 3 || m.SenderID != f.a1.AgentID || m.SenderName != "kim" || m.Kind != chat.KindText {
		t.Fatalf("agent message %+v dup=%v", m, dup)
	}
	if len(events) != 1 || events[0].Conversation.State != chat.StateActive || events[0].PrevState != chat.StateWaiting || events[0].Message.ID != m.ID {
		t.Fatalf("message events %+v", events)
	}
	cur, err := s.Conversation(ctx, f.ws.ID, c.ID)
	must(t, err)
	if cur.State != chat.StateActive || cur.LastSeq != 3 || cur.LastMessage != "네, 도와드릴게요" || cur.FirstReplyAt == nil {
		t.Fatalf("conversation after reply %+v", cur)
	}
	msgs, err := s.Messages(ctx, f.ws.ID, c.ID, 0, 0)
	must(t, err)
	if len(msgs) != 3 || msgs[0].Body != "안녕하세요, 주문 문의입니다" || msgs[1].Kind != chat.KindSystem || msgs[2].Seq != 3 {
		t.Fatalf("messages %+v", msgs)
	}
	msgs, err = s.Messages(ctx, f.ws.ID, c.ID, 2, 0)
	must(t, err)
	if len(msgs) != 1 || msgs[0].Seq != 3 {
		t.Fatalf("messages after 1: %+v", msgs)
	}
}

func testIdempotentSend(t *testing.T, s chat.Store) {
	f := setup(t, s, "idem")
	c := f.open(t, s)
	first := send(t, s, f.ws.ID, c.ID, chat.VisitorActor, "same-id", "hello")
	seq := lastSeq(t, s, f.ws.ID)
	again, events, dup, err := s.AppendMessage(ctx, f.ws.ID, c.ID, chat.VisitorActor, chat.NewMessage{ClientMsgID: "same-id", Body: "hello"})
	must(t, err)
	if !dup || again.ID != first.ID || again.Seq != first.Seq || len(events) != 0 {
		t.Fatalf("retry stored again: %+v dup=%v events=%v", again, dup, events)
	}
	if lastSeq(t, s, f.ws.ID) != seq {
		t.Fatal("retry wrote an event")
	}
	_, _, _, err = s.AppendMessage(ctx, f.ws.ID, c.ID, chat.VisitorActor, chat.NewMessage{ClientMsgID: "same-id", Body: "other"})
	wantCode(t, err, chat.ErrClientMsgIDConflict)
	// A retry is answered even after the conversation closed.
	_, _, err = s.CloseConversation(ctx, f.ws.ID, c.ID, chat.VisitorActor)
	must(t, err)
	_, _, dup, err = s.AppendMessage(ctx, f.ws.ID, c.ID, chat.VisitorActor, chat.NewMessage{ClientMsgID: "same-id", Body: "hello"})
	must(t, err)
	if !dup {
		t.Fatal("retry after close was not recognised")
	}
	if n := len(texts(t, s, f.ws.ID, c.ID)); n != 1 {
		t.Fatalf("%d messages stored, want 1", n)
	}
}

// texts lists a conversation's text messages (not system messages).
func texts(t *testing.T, s chat.Store, ws, conv int64) []chat.Message {
	t.Helper()
	msgs, err := s.Messages(ctx, ws, conv, 0, 0)
	must(t, err)
	var out []chat.Message
	for _, m := range msgs {
		if m.Kind == chat.KindText {
			out = append(out, m)
		}
	}
	return out
}

func testRefusalsWriteNothing(t *testing.T, s chat.Store) {
	f := setup(t, s, "refuse")
	c := f.open(t, s)
	send(t, s, f.ws.ID, c.ID, chat.VisitorActor, "v1", "hi")
	seq := lastSeq(t, s, f.ws.ID)
	long := make([]rune, chat.MaxMessageLength+1)
	for i := range long {
		long[i] = '가'
	}
	cases := []struct {
		name string
		err  error
		code string
	}{
		{"empty body", sendErr(s, f.ws.ID, c.ID, chat.VisitorActor, "e1", "  "), chat.ErrEmptyMessage},
		{"too long", sendErr(s, f.ws.ID, c.ID, chat.VisitorActor, "e2", string(long)), chat.ErrMessageTooLong},
		{"no client id", sendErr(s, f.ws.ID, c.ID, chat.VisitorActor, "", "x"), chat.ErrInvalid},
		{"unknown conversation", sendErr(s, f.ws.ID, 999999, chat.VisitorActor, "e3", "x"), chat.ErrConversationNotFound},
		{"agent not assigned", sendErr(s, f.ws.ID, c.ID, f.a1, "e4", "x"), chat.ErrConversationNotOpen},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { wantCode(t, tc.err, tc.code) })
	}
	_, _, err := s.CloseConversation(ctx, f.ws.ID, c.ID, f.a1)
	wantCode(t, err, chat.ErrNotAssignee)
	if got := lastSeq(t, s, f.ws.ID); got != seq {
		t.Fatalf("refusals wrote events: seq %d → %d", seq, got)
	}
	msgs, err := s.Messages(ctx, f.ws.ID, c.ID, 0, 0)
	must(t, err)
	if len(msgs) != 1 {
		t.Fatalf("refusals stored messages: %+v", msgs)
	}
}

func sendErr(s chat.Store, ws, conv int64, actor chat.Actor, id, body string) error {
	_, _, _, err := s.AppendMessage(ctx, ws, conv, actor, chat.NewMessage{ClientMsgID: id, Body: body})
	return err
}

func testClose(t *testing.T, s chat.Store) {
	f := setup(t, s, "close")
	c := f.open(t, s)
	_, _, err := s.Take(ctx, f.ws.ID, c.ID, f.a1)
	must(t, err)
	_, _, err = s.CloseConversation(ctx, f.ws.ID, c.ID, f.a2)
	wantCode(t, err, chat.ErrNotAssignee)
	got, events, err := s.CloseConversation(ctx, f.ws.ID, c.ID, f.manager)
	must(t, err)
	if got.State != chat.StateClosed || got.CloseReason != chat.CloseByManager || got.ClosedAt == nil {
		t.Fatalf("closed %+v", got)
	}
	if len(events) != 1 || events[0].Type != chat.EventConversationClosed || events[0].PrevAssigneeID != f.a1.AgentID || events[0].PrevState != chat.StateWaiting {
		t.Fatalf("close events %+v", events)
	}
	_, _, err = s.CloseConversation(ctx, f.ws.ID, c.ID, f.a1)
	wantCode(t, err, chat.ErrConversationClosed)
	err = sendErr(s, f.ws.ID, c.ID, chat.VisitorActor, "late", "still there?")
	wantCode(t, err, chat.ErrConversationClosed)

	c2 := f.open(t, s)
	_, _, err = s.Take(ctx, f.ws.ID, c2.ID, f.a1)
	must(t, err)
	got, _, err = s.CloseConversation(ctx, f.ws.ID, c2.ID, f.a1)
	must(t, err)
	if got.CloseReason != chat.CloseByAgent {
		t.Fatalf("close reason %q", got.CloseReason)
	}
}

func testLists(t *testing.T, s chat.Store) {
	ws := newWorkspace(t, s, "lists")
	a1 := newMember(t, s, ws, "kim", chat.RoleAgent, chat.StatusOnline)
	a2 := newMember(t, s, ws, "lee", chat.RoleAgent, chat.StatusOnline)
	var convs []chat.Conversation
	for i := range 4 {
		cu := newCustomer(t, s, ws, fmt.Sprintf("c%d", i))
		c, _, err := openConversation(s, ws.ID, cu.ID, chat.ChannelWeb)
		must(t, err)
		convs = append(convs, c)
	}
	_, _, err := s.Take(ctx, ws.ID, convs[0].ID, a1)
	must(t, err)
	_, _, err = s.Take(ctx, ws.ID, convs[1].ID, a2)
	must(t, err)
	_, _, err = s.CloseConversation(ctx, ws.ID, convs[3].ID, chat.VisitorActor)
	must(t, err)

	count := func(f chat.ConversationFilter) int {
		t.Helper()
		cs, err := s.Conversations(ctx, ws.ID, f)
		must(t, err)
		return len(cs)
	}
	for _, tc := range []struct {
		name string
		f    chat.ConversationFilter
		want int
	}{
		{"all", chat.ConversationFilter{}, 4},
		{"unassigned", chat.ConversationFilter{State: chat.StateUnassigned}, 1},
		{"waiting", chat.ConversationFilter{State: chat.StateWaiting}, 2},
		{"closed", chat.ConversationFilter{State: chat.StateClosed}, 1},
		{"mine", chat.ConversationFilter{AssigneeID: a1.AgentID}, 1},
		{"visible to kim", chat.ConversationFilter{VisibleTo: a1.AgentID}, 2},
		{"visible to kim, waiting", chat.ConversationFilter{VisibleTo: a1.AgentID, State: chat.StateWaiting}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := count(tc.f); got != tc.want {
				t.Fatalf("got %d, want %d", got, tc.want)
			}
		})
	}
	// Newest activity first.
	send(t, s, ws.ID, convs[2].ID, chat.VisitorActor, "x", "ping")
	cs, err := s.Conversations(ctx, ws.ID, chat.ConversationFilter{})
	must(t, err)
	if cs[0].ID != convs[2].ID {
		t.Fatalf("first listed %d, want %d", cs[0].ID, convs[2].ID)
	}
}

func testIsolation(t *testing.T, s chat.Store) {
	a := setup(t, s, "isoa")
	b := setup(t, s, "isob")
	ca := a.open(t, s)
	_, err := s.Conversation(ctx, b.ws.ID, ca.ID)
	wantCode(t, err, chat.ErrConversationNotFound)
	_, err = s.Messages(ctx, b.ws.ID, ca.ID, 0, 0)
	wantCode(t, err, chat.ErrConversationNotFound)
	_, _, err = s.Take(ctx, b.ws.ID, ca.ID, b.a1)
	wantCode(t, err, chat.ErrConversationNotFound)
	// An agent of workspace b cannot take a's conversation through a's ID either.
	_, _, err = s.Take(ctx, a.ws.ID, ca.ID, b.a1)
	wantCode(t, err, chat.ErrAgentNotFound)
	err = sendErr(s, b.ws.ID, ca.ID, chat.VisitorActor, "x", "hi")
	wantCode(t, err, chat.ErrConversationNotFound)
	_, err = s.Customer(ctx, b.ws.ID, a.customer.ID)
	wantCode(t, err, chat.ErrNotFound)
	_, _, err = openConversation(s, b.ws.ID, a.customer.ID, chat.ChannelWeb)
	wantCode(t, err, chat.ErrNotFound)
	evs, err := s.Events(ctx, b.ws.ID, chat.EventFilter{})
	must(t, err)
	for _, ev := range evs {
		if ev.WorkspaceID != b.ws.ID {
			t.Fatalf("workspace b sees event of %d", ev.WorkspaceID)
		}
	}
	cs, err := s.Conversations(ctx, b.ws.ID, chat.ConversationFilter{})
	must(t, err)
	if len(cs) != 0 {
		t.Fatalf("workspace b lists %d conversations", len(cs))
	}
}

func testConcurrentSends(t *testing.T, s chat.Store) {
	f := setup(t, s, "burst")
	c := f.open(t, s)
	_, _, err := s.Take(ctx, f.ws.ID, c.ID, f.a1)
	must(t, err)
	start := lastSeq(t, s, f.ws.ID)
	const n = 40
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			actor := chat.VisitorActor
			if i%2 == 1 {
				actor = f.a1
			}
			if _, _, _, err := s.AppendMessage(ctx, f.ws.ID, c.ID, actor, chat.NewMessage{ClientMsgID: fmt.Sprint("m", i), Body: fmt.Sprint("message ", i)}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	msgs, err := s.Messages(ctx, f.ws.ID, c.ID, 0, 0)
	must(t, err)
	if len(msgs) != n+1 { // and the system message of the assignment
		t.Fatalf("%d messages, want %d", len(msgs), n+1)
	}
	for i, m := range msgs {
		if m.Seq != int64(i+1) {
			t.Fatalf("message %d has seq %d", i, m.Seq)
		}
	}
	evs, err := s.Events(ctx, f.ws.ID, chat.EventFilter{AfterSeq: start})
	must(t, err)
	if len(evs) != n {
		t.Fatalf("%d events, want %d", len(evs), n)
	}
	for i, ev := range evs {
		if ev.Seq != start+int64(i)+1 {
			t.Fatalf("event %d has seq %d: the log has a gap", i, ev.Seq)
		}
		// Commit order equals sequence order: each event's message seq rises.
		if i > 0 && ev.Message.Seq <= evs[i-1].Message.Seq {
			t.Fatalf("event %d carries message seq %d after %d", ev.Seq, ev.Message.Seq, evs[i-1].Message.Seq)
		}
	}
	byConv, err := s.Events(ctx, f.ws.ID, chat.EventFilter{ConversationID: c.ID, AfterSeq: start, Limit: 5})
	must(t, err)
	if len(byConv) != 5 || byConv[0].Seq != start+1 {
		t.Fatalf("filtered events %d, first %d", len(byConv), byConv[0].Seq)
	}
}

func testBootstrap(t *testing.T, s chat.Store) {
	id, err := s.InstallationID(ctx)
	must(t, err)
	again, err := s.InstallationID(ctx)
	must(t, err)
	if len(id) != 16 || id != again {
		t.Fatalf("installation ID %q then %q", id, again)
	}
	const n = 4
	var wg sync.WaitGroup
	created := make([]bool, n)
	for i := range n {
		wg.Go(func() {
			ws := &chat.Workspace{SiteID: fmt.Sprint("first", i), Name: "first", IdentitySecret: "s"}
			a := &chat.Agent{Email: "admin@example.com", Name: "Admin", PasswordHash: "h"}
			ok, err := s.Bootstrap(ctx, ws, a)
			if err != nil {
				t.Error(err)
			}
			created[i] = ok
		})
	}
	wg.Wait()
	count := 0
	for _, ok := range created {
		if ok {
			count++
		}
	}
	if count != 1 {
		t.Fatalf("%d nodes bootstrapped", count)
	}
	a, err := s.AgentByEmail(ctx, "admin@example.com")
	must(t, err)
	ms, err := s.Memberships(ctx, a.ID)
	must(t, err)
	if len(ms) != 1 || ms[0].Role != chat.RoleMaster {
		t.Fatalf("memberships %+v", ms)
	}
	if _, err := s.LastEventSeq(ctx, ms[0].WorkspaceID); err != nil {
		t.Fatal(err)
	}
}

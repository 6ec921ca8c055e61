// Package storetest is the conformance suite every chat.Store must pass.
// The sqlite and postgres packages run it against a fresh database each.
package storetest

import (
	"context"
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
		{"WorkspaceIsolation", testIsolation},
		{"LastEventSeqs", testLastEventSeqs},
		{"InstallationSecret", testInstallationSecret},
		{"AgentsAndMembers", testAgentsAndMembers},
		{"Sessions", testSessions},
		{"Customers", testCustomers},
		{"ProfileEdit", testProfileEdit},
		{"AgeInWorkspaceZone", testAgeInWorkspaceZone},
		{"ChangeCustomerIDAndMerge", testMerge},
		{"MergeLimit", testMergeLimit},
		{"WebIdentifierFollowsID", testWebIdentifierFollowsID},
		{"WebIdentifierRefusals", testWebIdentifierRefusals},
		{"CustomerIDAudit", testCustomerIDAudit},
		{"Block", testBlock},
		{"BlockedMessengerUser", testBlockedMessengerUser},
		{"OpenConversation", testOpenConversation},
		{"ConcurrentOpenConversation", testConcurrentOpen},
		{"Close", testClose},
		{"ListsAndVisibility", testLists},
		{"Paging", testPaging},
		{"HoldAndImportant", testHoldAndImportant},
		{"CustomerLeavesForWrapUp", testCustomerLeaves},
		{"Transfer", testTransfer},
		{"OperationStopped", testOperationStopped},
		{"NoteAndHistory", testNoteAndHistory},
		{"GreetingAndRating", testGreetingAndRating},
		{"AssignAndSend", testAssignAndSend},
		{"IdempotentSend", testIdempotentSend},
		{"MessagePages", testMessagePages},
		{"RefusalsWriteNothing", testRefusalsWriteNothing},
		{"ConcurrentSendsKeepOrder", testConcurrentSends},
		{"FileMessages", testFileMessages},
		{"FileRefusalsWriteNothing", testFileRefusals},
		{"AttachmentIsolation", testAttachmentIsolation},
		{"AutoRouting", testAutoRouting},
		{"StickyRouting", testStickyRouting},
		{"StickyFollowsCustomerID", testStickyFollowsCustomerID},
		{"ManualAndHybridTake", testTakeModes},
		{"RouteOnReply", testRouteOnReply},
		{"QueueOrder", testQueueOrder},
		{"QueueOrderAsWritten", testQueueOrderAsWritten},
		{"RoutingUnderConcurrency", testRoutingConcurrency},
		{"InactivityTimer", testInactivityTimer},
		{"BatchStopsTimers", testBatchStopsTimers},
		{"JobLeases", testJobLeases},
		{"JobRenewal", testJobRenewal},
		{"OfflineTimer", testOfflineTimer},
		{"Tags", testTags},
		{"Categories", testCategories},
		{"CannedResponses", testCanned},
		{"Tickets", testTickets},
		{"TicketThread", testTicketThread},
		{"TicketThreadPages", testTicketThreadPages},
		{"TicketPaging", testTicketPaging},
		{"BatchFailureStaysAlone", testBatchFailureStaysAlone},
		{"BatchMovesConversations", testBatchMovesConversations},
		{"ConcurrentWritersGapFree", testConcurrentWritersGapFree},
		{"Invitations", testInvitations},
		{"MemberAdministration", testMemberAdministration},
		{"DeactivationEndsLeftConversations", testDeactivationEndsLeftConversations},
		{"AdministrationByFormerMaster", testAdministrationByFormerMaster},
		{"Passwords", testPasswords},
		{"PasswordAudit", testPasswordAudit},
		{"ReactivationEndsInvitations", testReactivationEndsInvitations},
		{"APITokens", testAPITokens},
		{"APITokenLimitLive", testAPITokenLimitLive},
		{"DeactivationRevokesTokens", testDeactivationRevokesTokens},
		{"AuditLog", testAuditLog},
		{"OwnersAndWorkspaces", testOwnersAndWorkspaces},
		{"RefusedOrigins", testRefusedOrigins},
		{"Consent", testConsent},
		{"Outbox", testOutbox},
		{"EndpointAudit", testEndpointAudit},
		{"DeliveryClaims", testDeliveryClaims},
		{"DeliveryInFlightWhenDeleted", testDeliveryInFlightWhenDeleted},
		{"DeliveryBacklog", testDeliveryBacklog},
		{"PII", testPII},
		{"PIIMaskInBatch", testPIIMaskInBatch},
		{"PIIFileNames", testPIIFileNames},
		{"PIITickets", testPIITickets},
		{"Notes", testNotes},
		{"ReadReceipts", testReadReceipts},
		{"FAQ", testFAQ},
		{"FAQImport", testFAQImport},
		{"FAQImportFull", testFAQImportFull},
		{"FAQCategoryNames", testFAQCategoryNames},
		{"WorkspaceLimits", testWorkspaceLimits},
		{"FAQImageDelete", testFAQImageDelete},
		{"FAQImageSweep", testFAQImageSweep},
		{"FAQImageTrash", testFAQImageTrash},
		{"HelpCenterSites", testHelpCenterSites},
		{"FAQConcurrentPatches", testFAQConcurrentPatches},
		{"Robot", testRobot},
		{"RobotIdle", testRobotIdle},
		{"RobotTakeover", testRobotTakeover},
		{"RobotRefusedShown", testRobotRefusedShown},
		{"AwayReply", testAwayReply},
		{"ChannelUserLanguage", testChannelUserLanguage},
		{"OperationStoppedEvent", testOperationStoppedEvent},
		// History (§9).
		{"HistorySearchRecall", testHistorySearchRecall},
		{"SearchIgnoresSpacing", testSearchIgnoresSpacing},
		{"HistoryFilters", testHistoryFilters},
		{"Exports", testExports},
		{"SearchBackfill", testSearchBackfill},
		{"HistoryCustomerRecall", testHistoryCustomerRecall},
		{"HistoryCustomerPhoneForms", testHistoryCustomerPhoneForms},
		{"SearchFollowsMasking", testSearchFollowsMasking},
		{"StatsExact", testStatsExact},
	}
	for _, tt := range tests {
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

// clock is a settable time source for stores that accept one.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) advance(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	return c.now
}

// withClock gives s a clock the test moves by hand.
func withClock(t *testing.T, s chat.Store) *clock {
	t.Helper()
	cs, ok := s.(interface{ SetClock(func() time.Time) })
	if !ok {
		t.Fatalf("%T has no SetClock", s)
	}
	c := &clock{now: time.Date(2026, 11, 23, 1, 0, 0, 0, time.UTC)}
	cs.SetClock(c.Now)
	return c
}

func settings(t *testing.T, s chat.Store, ws *chat.Workspace, f func(*chat.Settings)) {
	t.Helper()
	f(&ws.Settings)
	must(t, ws.Settings.Validate())
	_, err := s.UpdateWorkspace(ctx, ws, chat.Who{})
	must(t, err)
}

func conv(t *testing.T, s chat.Store, ws, id int64) chat.Conversation {
	t.Helper()
	c, err := s.Conversation(ctx, ws, id)
	must(t, err)
	return *c
}

// active opens a conversation for a new customer, gives it to agent and
// lets the agent answer, so it is active.
func active(t *testing.T, s chat.Store, f fixture, customer string, agent chat.Actor) chat.Conversation {
	t.Helper()
	cu := newCustomer(t, s, f.ws, customer)
	c, _, err := openConversation(s, f.ws.ID, cu.ID, chat.ChannelWeb)
	must(t, err)
	_, _, err = s.Take(ctx, f.ws.ID, c.ID, agent)
	must(t, err)
	send(t, s, f.ws.ID, c.ID, agent, "hello-"+customer, "안녕하세요")
	return conv(t, s, f.ws.ID, c.ID)
}

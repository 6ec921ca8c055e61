package storetest

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/outbox"
)

// messengers makes messenger identifiers (KakaoTalk accounts) of one
// channel of ws.
func messengers(t *testing.T, s chat.Store, ws *chat.Workspace) func(user string) *chat.Customer {
	t.Helper()
	ob := outboxOf(t, s)
	ch := &outbox.Endpoint{WorkspaceID: ws.ID, Kind: outbox.KindChannel, ChannelKind: "kakao", URL: "https://bridge.example.com/" + ws.SiteID,
		Events: outbox.ChannelEvents, SealedSecret: "v1:sealed", QuietStart: -1, QuietEnd: -1}
	must(t, ob.CreateEndpoint(ctx, ch, "channel-token-"+ws.SiteID, chat.Who{}))
	return func(user string) *chat.Customer {
		t.Helper()
		cu, err := ob.ChannelCustomer(ctx, *ch, user, outbox.ChannelProfile{Name: user})
		must(t, err)
		return cu
	}
}

// member makes a web identifier from a signed site_uid, with a widget
// session a login opened.
func member(t *testing.T, s chat.Store, ws *chat.Workspace, uid, token string) *chat.Customer {
	t.Helper()
	cu := &chat.Customer{WorkspaceID: ws.ID, ExternalID: uid, Verified: true}
	must(t, s.UpsertCustomer(ctx, cu))
	must(t, s.CreateVisitorSession(ctx, chat.VisitorSession{TokenHash: token, WorkspaceID: ws.ID, CustomerID: cu.ID, Signed: true}))
	return cu
}

// visitor makes an anonymous web identifier with its widget session.
func visitor(t *testing.T, s chat.Store, ws *chat.Workspace, id, token string) *chat.Customer {
	t.Helper()
	cu := newCustomer(t, s, ws, id)
	must(t, s.CreateVisitorSession(ctx, chat.VisitorSession{TokenHash: token, WorkspaceID: ws.ID, CustomerID: cu.ID}))
	return cu
}

// testWebIdentifierFollowsID (§1.3): on the web the identifier is
// SITEID_customerID. Giving an anonymous visitor a member's customer ID
// folds the visitor's identifier into the member's — conversations (the
// open one with every message), widget sessions, tickets, tags and
// consent — so both land in one open conversation; a messenger identifier
// keeps its name.
func testWebIdentifierFollowsID(t *testing.T, s chat.Store) {
	f := setup(t, s, "webid")
	kakao := messengers(t, s, f.ws)
	vip, err := s.CreateTag(ctx, f.ws.ID, chat.TagCustomer, "VIP", chat.Who{})
	must(t, err)
	refund, err := s.CreateTag(ctx, f.ws.ID, chat.TagCustomer, "환불", chat.Who{})
	must(t, err)

	// Member kim-1 chatted before, and is tagged VIP.
	kim := member(t, s, f.ws, "kim-1", "t-kim")
	past, _, err := openConversation(s, f.ws.ID, kim.ID, chat.ChannelWeb)
	must(t, err)
	_, _, err = s.CloseConversation(ctx, f.ws.ID, past.ID, f.manager)
	must(t, err)
	_, _, err = s.SetCustomerTags(ctx, f.ws.ID, kim.ID, []int64{vip.ID})
	must(t, err)

	// An anonymous visitor chats now, has left a message and agreed to
	// the privacy notice; a KakaoTalk account shares their customer ID.
	anon := visitor(t, s, f.ws, "v9f8e7", "t-anon")
	_, err = s.Write(ctx, func(tx chat.Tx) error { return tx.RecordConsent(ctx, f.ws.ID, anon.ID, "c1") })
	must(t, err)
	_, _, err = s.SetCustomerTags(ctx, f.ws.ID, anon.ID, []int64{refund.ID})
	must(t, err)
	tk := &chat.Ticket{WorkspaceID: f.ws.ID, CustomerID: anon.ID, Name: "방문자", Contact: "visitor@example.com", Message: "배송 문의"}
	_, err = s.CreateTicket(ctx, tk)
	must(t, err)
	c, _, err := openConversation(s, f.ws.ID, anon.ID, chat.ChannelWeb)
	must(t, err)
	_, _, err = s.Take(ctx, f.ws.ID, c.ID, f.a1)
	must(t, err)
	asAnon := chat.VisitorActor
	asAnon.CustomerID = anon.ID
	send(t, s, f.ws.ID, c.ID, asAnon, "m1", "주문한 상품이 안 왔어요")
	send(t, s, f.ws.ID, c.ID, f.a1, "m2", "확인해 드릴게요")
	k := kakao("u-77")
	_, _, err = s.ChangeCustomerID(ctx, f.ws.ID, k.ID, "v9f8e7", true, chat.Who{})
	must(t, err)

	// Unconfirmed, and in another workspace: nothing changes.
	seq := lastSeq(t, s, f.ws.ID)
	_, _, err = s.ChangeCustomerID(ctx, f.ws.ID, anon.ID, "kim-1", false, chat.Who{})
	wantCode(t, err, chat.ErrMergeRequired)
	other := setup(t, s, "webid-other")
	_, _, err = s.ChangeCustomerID(ctx, other.ws.ID, anon.ID, "kim-1", true, chat.Who{})
	wantCode(t, err, chat.ErrNotFound)
	_, _, err = s.ChangeCustomerID(ctx, f.ws.ID, 999999, "kim-1", true, chat.Who{})
	wantCode(t, err, chat.ErrNotFound)
	if got, _ := s.Customer(ctx, f.ws.ID, anon.ID); got == nil || got.CustomerID != "v9f8e7" || lastSeq(t, s, f.ws.ID) != seq {
		t.Fatalf("a refused change changed %+v", got)
	}

	moves := workspaceOf(t, s, f.ws.ID).SessionMoves
	cu, events, err := s.ChangeCustomerID(ctx, f.ws.ID, anon.ID, "kim-1", true, chat.Who{})
	must(t, err)
	// The member's identifier is what remains: verified, both tags, the
	// visitor's consent, and the KakaoTalk account beside it.
	if cu.ID != kim.ID || cu.Identifier != "webid_kim-1" || cu.CustomerID != "kim-1" || !cu.Verified || cu.Identifiers != 2 ||
		cu.ConsentVersion != "c1" || len(cu.Tags) != 2 {
		t.Fatalf("folded into %+v", cu)
	}
	_, err = s.Customer(ctx, f.ws.ID, anon.ID)
	wantCode(t, err, chat.ErrNotFound)
	if got, _ := s.Customer(ctx, f.ws.ID, k.ID); got.ExternalID != k.ExternalID || got.CustomerID != "kim-1" {
		t.Fatalf("the KakaoTalk account %+v", got)
	}
	// The open conversation is the member's now, every message kept, and
	// consoles are told; the member's next start lands in it.
	moved := conv(t, s, f.ws.ID, c.ID)
	if moved.CustomerID != kim.ID || moved.Identifier != "webid_kim-1" || moved.State != chat.StateActive {
		t.Fatalf("the open conversation %+v", moved)
	}
	msgs, err := s.Messages(ctx, f.ws.ID, c.ID, 0, 0)
	must(t, err)
	if !slices.ContainsFunc(msgs, func(m chat.Message) bool { return m.Body == "주문한 상품이 안 왔어요" }) ||
		!slices.ContainsFunc(msgs, func(m chat.Message) bool { return m.Body == "확인해 드릴게요" }) {
		t.Fatalf("messages after the fold %+v", msgs)
	}
	told := map[chat.EventType]int{}
	for _, ev := range events {
		told[ev.Type]++
		if ev.Type == chat.EventConversationUpdated && (ev.Conversation.ID != c.ID || ev.Conversation.CustomerID != kim.ID) {
			t.Errorf("conversation.updated %+v", ev.Conversation)
		}
	}
	if told[chat.EventConversationUpdated] != 1 || told[chat.EventCustomerUpdated] != 2 {
		t.Fatalf("events %v", told)
	}
	again, started, err := openConversation(s, f.ws.ID, kim.ID, chat.ChannelWeb)
	must(t, err)
	if len(started) != 0 || again.ID != c.ID {
		t.Fatalf("the member's start: %+v, events %+v", again, started)
	}
	// Both widget sessions reach the member's identifier; only the
	// member's was opened by a login. Nodes re-read cached sessions.
	for token, signed := range map[string]bool{"t-anon": false, "t-kim": true} {
		vs, err := s.VisitorSession(ctx, token)
		must(t, err)
		if vs.CustomerID != kim.ID || vs.Signed != signed {
			t.Fatalf("session %s: %+v", token, vs)
		}
	}
	if got := workspaceOf(t, s, f.ws.ID).SessionMoves; got != moves+1 {
		t.Fatalf("session moves %d, want %d", got, moves+1)
	}
	if state, err := s.CustomerConversationState(ctx, f.ws.ID, kim.ID, c.ID); err != nil || state != chat.StateActive {
		t.Fatalf("the member's state of the conversation: %q, %v", state, err)
	}
	got, err := s.Ticket(ctx, f.ws.ID, tk.ID, f.manager.AgentID)
	must(t, err)
	if got.CustomerID != kim.ID {
		t.Fatalf("ticket %+v", got)
	}
	history, err := s.CustomerConversations(ctx, f.ws.ID, kim.ID, chat.Page{})
	must(t, err)
	if len(history) != 2 || history[0].ID != c.ID || history[1].ID != past.ID {
		t.Fatalf("history %+v", history)
	}

	// A free customer ID renames the web identifier; its sessions stay
	// and nothing moves. A messenger identifier's new ID renames only the
	// web identifier of its customer ID.
	lee := visitor(t, s, f.ws, "v1234", "t-lee")
	cl, _, err := openConversation(s, f.ws.ID, lee.ID, chat.ChannelWeb)
	must(t, err)
	cu, events, err = s.ChangeCustomerID(ctx, f.ws.ID, lee.ID, "lee-2", false, chat.Who{})
	must(t, err)
	if cu.ID != lee.ID || cu.ExternalID != "lee-2" || cu.Identifier != "webid_lee-2" || cu.CustomerID != "lee-2" ||
		conv(t, s, f.ws.ID, cl.ID).Identifier != "webid_lee-2" || len(events) != 2 || workspaceOf(t, s, f.ws.ID).SessionMoves != moves+1 {
		t.Fatalf("renamed %+v, %d events", cu, len(events))
	}
	cu, _, err = s.ChangeCustomerID(ctx, f.ws.ID, k.ID, "kim-2", false, chat.Who{})
	must(t, err)
	if cu.ExternalID != k.ExternalID || cu.CustomerID != "kim-2" {
		t.Fatalf("the KakaoTalk account renamed %+v", cu)
	}
	if got, _ := s.Customer(ctx, f.ws.ID, kim.ID); got.ExternalID != "kim-2" || got.Identifier != "webid_kim-2" {
		t.Fatalf("the web identifier of the KakaoTalk account's customer ID %+v", got)
	}
	// The same ID again changes nothing.
	cu, _, err = s.ChangeCustomerID(ctx, f.ws.ID, kim.ID, "kim-2", false, chat.Who{})
	must(t, err)
	if cu.ID != kim.ID || cu.ExternalID != "kim-2" || cu.Identifiers != 2 {
		t.Fatalf("the same ID %+v", cu)
	}
}

// testWebIdentifierRefusals: a change that would make two web identifiers
// one is refused, changing nothing, while each has an open conversation,
// while one is blocked and the other not, and when the name it needs is a
// messenger account's; once the member's conversation is left, it goes
// through.
func testWebIdentifierRefusals(t *testing.T, s chat.Store) {
	f := setup(t, s, "webref")
	kakao := messengers(t, s, f.ws)
	kim := member(t, s, f.ws, "kim-1", "r-kim")
	mine, _, err := openConversation(s, f.ws.ID, kim.ID, chat.ChannelWeb)
	must(t, err)
	anon := visitor(t, s, f.ws, "v5555", "r-anon")
	theirs, _, err := openConversation(s, f.ws.ID, anon.ID, chat.ChannelWeb)
	must(t, err)
	troll := member(t, s, f.ws, "troll", "r-troll")
	_, _, err = s.BlockCustomer(ctx, f.ws.ID, troll.ID, "abuse", "", chat.Who{})
	must(t, err)
	k := kakao("u-1")

	seq := lastSeq(t, s, f.ws.ID)
	unchanged := func(when string) {
		t.Helper()
		if got, _ := s.Customer(ctx, f.ws.ID, anon.ID); got == nil || got.ExternalID != "v5555" || got.CustomerID != "v5555" ||
			conv(t, s, f.ws.ID, theirs.ID).CustomerID != anon.ID || lastSeq(t, s, f.ws.ID) != seq {
			t.Fatalf("%s: changed %+v", when, got)
		}
		if vs, _ := s.VisitorSession(ctx, "r-anon"); vs.CustomerID != anon.ID {
			t.Fatalf("%s: the session moved %+v", when, vs)
		}
	}
	for _, confirm := range []bool{false, true} {
		_, _, err = s.ChangeCustomerID(ctx, f.ws.ID, anon.ID, "kim-1", confirm, chat.Who{})
		wantCode(t, err, chat.ErrMergeOpenChats)
		if !strings.Contains(err.Error(), fmt.Sprintf("webref_v5555 (room %d)", theirs.RoomNo)) ||
			!strings.Contains(err.Error(), fmt.Sprintf("webref_kim-1 (room %d)", mine.RoomNo)) {
			t.Errorf("the refusal names neither chat: %v", err)
		}
		unchanged("both open")
	}
	_, _, err = s.ChangeCustomerID(ctx, f.ws.ID, anon.ID, "troll", true, chat.Who{})
	wantCode(t, err, chat.ErrMergeBlocked)
	unchanged("one blocked")
	_, _, err = s.ChangeCustomerID(ctx, f.ws.ID, anon.ID, k.ExternalID, true, chat.Who{})
	wantCode(t, err, chat.ErrIdentifierInUse)
	unchanged("a messenger's name")

	// The member left their chat for the agent's wrap-up: it no longer
	// counts as open, and both stay with the member.
	_, _, err = s.CloseConversation(ctx, f.ws.ID, mine.ID, chat.VisitorActor)
	must(t, err)
	cu, _, err := s.ChangeCustomerID(ctx, f.ws.ID, anon.ID, "kim-1", true, chat.Who{})
	must(t, err)
	if cu.ID != kim.ID || conv(t, s, f.ws.ID, theirs.ID).CustomerID != kim.ID || conv(t, s, f.ws.ID, mine.ID).CustomerID != kim.ID {
		t.Fatalf("folded %+v", cu)
	}
	if cur, err := s.CurrentConversation(ctx, f.ws.ID, kim.ID, chat.ChannelWeb); err != nil || cur.ID != theirs.ID {
		t.Fatalf("current conversation %+v, %v", cur, err)
	}
}

func workspaceOf(t *testing.T, s chat.Store, id int64) *chat.Workspace {
	t.Helper()
	ws, err := s.Workspace(ctx, id)
	must(t, err)
	return ws
}

package storetest

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/sodam-chat/sodam/internal/chat"
)

// walk reads a paged list two items at a time, as a client following
// cursors does, and returns the IDs in the order they came.
func walk[T any](t *testing.T, list func(chat.Page) ([]T, error), id func(T) int64, cursor func(T) chat.Cursor) []int64 {
	t.Helper()
	var ids []int64
	p := chat.Page{Limit: 2}
	for range 100 { // bounded: a broken cursor must not loop for ever
		items, err := list(p)
		must(t, err)
		for _, it := range items {
			ids = append(ids, id(it))
		}
		if len(items) < p.Limit {
			return ids
		}
		p.After = cursor(items[len(items)-1])
	}
	t.Fatal("paging did not end")
	return nil
}

// testPaging checks that walking every paged list by cursor gives each item
// exactly once, in the order of the whole list, ties in the sort key
// included (the clock stands still, so many items share a time).
func testPaging(t *testing.T, s chat.Store) {
	f := setup(t, s, "paging")
	clk := withClock(t, s)
	var convs []chat.Conversation
	for i := range 7 {
		cu := newCustomer(t, s, f.ws, fmt.Sprintf("p%d", i))
		c, _, err := openConversation(s, f.ws.ID, cu.ID, chat.ChannelWeb)
		must(t, err)
		convs = append(convs, c)
		if i%3 == 0 {
			// Minutes, not seconds: the list spans several of its index's
			// five-minute buckets (migration 0023), and pages cross them.
			clk.advance(2 * time.Minute)
		}
	}
	// The first conversation's message moves it to the top, past the
	// later ones' buckets.
	clk.advance(3 * time.Minute)
	_, _, _, err := s.AppendMessage(ctx, f.ws.ID, convs[0].ID, chat.VisitorActor, chat.NewMessage{ClientMsgID: "paging-up", Body: "다시 문의"})
	must(t, err)
	byActivity := func(c chat.Conversation) chat.Cursor {
		return chat.Cursor{Key: c.LastMessageAt.UnixMicro(), ID: c.ID}
	}
	convID := func(c chat.Conversation) int64 { return c.ID }
	list := func(base chat.ConversationFilter) func(chat.Page) ([]chat.Conversation, error) {
		return func(p chat.Page) ([]chat.Conversation, error) {
			base.Page = p
			return s.Conversations(ctx, f.ws.ID, base)
		}
	}
	whole := func(base chat.ConversationFilter) []int64 {
		base.Page = chat.Page{Limit: 500}
		cs, err := s.Conversations(ctx, f.ws.ID, base)
		must(t, err)
		ids := make([]int64, len(cs))
		for i, c := range cs {
			ids[i] = c.ID
		}
		return ids
	}

	all := walk(t, list(chat.ConversationFilter{}), convID, byActivity)
	if want := whole(chat.ConversationFilter{}); len(all) != 7 || !slices.Equal(all, want) {
		t.Fatalf("pages gave %v, the whole list is %v", all, want)
	}
	// Most recent activity first, ties by ID.
	newestFirst := func(a, b chat.Conversation) int {
		if c := b.LastMessageAt.Compare(a.LastMessageAt); c != 0 {
			return c
		}
		return int(b.ID - a.ID)
	}
	byID := map[int64]chat.Conversation{}
	for _, c := range whole0(t, s, f.ws.ID, chat.ConversationFilter{}) {
		byID[c.ID] = c
	}
	if all[0] != convs[0].ID || !slices.IsSortedFunc(all, func(a, b int64) int { return newestFirst(byID[a], byID[b]) }) {
		t.Fatalf("the list %v is not by last activity, newest first, then ID", all)
	}
	// The queue pages in the order it was entered, ties by ID (these
	// entered it as they began).
	queue := walk(t, list(chat.ConversationFilter{State: chat.StateUnassigned}), convID,
		func(c chat.Conversation) chat.Cursor { return chat.Cursor{Key: c.QueuedAt.UnixMicro(), ID: c.ID} })
	if !slices.IsSorted(queue) || len(queue) != 7 {
		t.Fatalf("queue pages %v, want all 7 in ID order", queue)
	}
	// A state's list, over buckets, by activity too: close three.
	for _, c := range []chat.Conversation{convs[5], convs[1], convs[3]} {
		clk.advance(4 * time.Minute)
		_, _, err := s.CloseConversation(ctx, f.ws.ID, c.ID, chat.VisitorActor)
		must(t, err)
	}
	closed := walk(t, list(chat.ConversationFilter{State: chat.StateClosed}), convID, byActivity)
	cs := whole0(t, s, f.ws.ID, chat.ConversationFilter{State: chat.StateClosed})
	if len(closed) != 3 || len(cs) != 3 || !slices.IsSortedFunc(cs, newestFirst) {
		t.Fatalf("closed pages %v, the whole closed list %d long and sorted %v", closed, len(cs), slices.IsSortedFunc(cs, newestFirst))
	}
	for i, c := range cs {
		if closed[i] != c.ID {
			t.Fatalf("closed pages %v differ from the whole closed list", closed)
		}
	}

	// A customer's history: one customer ID, newest first.
	kim := newCustomer(t, s, f.ws, "kim-history")
	var mine []int64
	for range 5 {
		c, _, err := openConversation(s, f.ws.ID, kim.ID, chat.ChannelWeb)
		must(t, err)
		_, _, err = s.CloseConversation(ctx, f.ws.ID, c.ID, chat.VisitorActor)
		must(t, err)
		mine = append([]int64{c.ID}, mine...)
	}
	history := walk(t, func(p chat.Page) ([]chat.Conversation, error) {
		return s.CustomerConversations(ctx, f.ws.ID, kim.ID, p)
	}, convID, func(c chat.Conversation) chat.Cursor { return chat.Cursor{ID: c.ID} })
	if !slices.Equal(history, mine) {
		t.Fatalf("history pages %v, want %v", history, mine)
	}
	if n, err := s.CountCustomerConversations(ctx, f.ws.ID, kim.ID); err != nil || n != 5 {
		t.Fatalf("count = %d, %v; want 5", n, err)
	}

	// Blocked customers: the latest blocked first, ties by ID.
	var blocked []int64
	for i, c := range convs[:5] {
		if i%2 == 0 {
			clk.advance(time.Second)
		}
		_, _, err := s.BlockCustomer(ctx, f.ws.ID, c.CustomerID, "spam", "", chat.Who{})
		must(t, err)
		blocked = append(blocked, c.CustomerID)
	}
	got := walk(t, func(p chat.Page) ([]chat.Customer, error) { return s.BlockedCustomers(ctx, f.ws.ID, p) },
		func(c chat.Customer) int64 { return c.ID },
		func(c chat.Customer) chat.Cursor { return chat.Cursor{Key: c.BlockedAt.UnixMicro(), ID: c.ID} })
	slices.Sort(got)
	if !slices.Equal(got, blocked) {
		t.Fatalf("blocked pages %v, want %v", got, blocked)
	}

	// Invitations, newest first.
	var invs []int64
	for i := range 5 {
		inv := &chat.Invitation{WorkspaceID: f.ws.ID, Email: fmt.Sprintf("p%d@paging.test", i), Name: "상담원", Role: chat.RoleAgent, ExpiresAt: clk.Now().Add(time.Hour)}
		must(t, s.CreateInvitation(ctx, inv, fmt.Sprintf("paging-%d", i), whoOf(f.master, "master")))
		invs = append([]int64{inv.ID}, invs...)
	}
	gotInv := walk(t, func(p chat.Page) ([]chat.Invitation, error) {
		return s.Invitations(ctx, f.ws.ID, chat.InvitationFilter{Page: p})
	},
		func(inv chat.Invitation) int64 { return inv.ID },
		func(inv chat.Invitation) chat.Cursor { return chat.Cursor{ID: inv.ID} })
	if !slices.Equal(gotInv, invs) {
		t.Fatalf("invitation pages %v, want %v", gotInv, invs)
	}
	// The open filter leaves out what was accepted or revoked.
	_, err = s.RevokeInvitation(ctx, f.ws.ID, invs[0], whoOf(f.master, "master"))
	must(t, err)
	open := walk(t, func(p chat.Page) ([]chat.Invitation, error) {
		return s.Invitations(ctx, f.ws.ID, chat.InvitationFilter{Page: p, Open: true})
	}, func(inv chat.Invitation) int64 { return inv.ID }, func(inv chat.Invitation) chat.Cursor { return chat.Cursor{ID: inv.ID} })
	if !slices.Equal(open, invs[1:]) {
		t.Fatalf("open invitation pages %v, want %v", open, invs[1:])
	}
}

// whole0 is a conversation list in one page.
func whole0(t *testing.T, s chat.Store, wid int64, f chat.ConversationFilter) []chat.Conversation {
	t.Helper()
	f.Page = chat.Page{Limit: 500}
	cs, err := s.Conversations(ctx, wid, f)
	must(t, err)
	return cs
}

package storetest

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/sodam-chat/sodam/internal/chat"
)

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

func testHoldAndImportant(t *testing.T, s chat.Store) {
	f := setup(t, s, "flags")
	c := f.open(t, s)
	_, _, err := s.Take(ctx, f.ws.ID, c.ID, f.a1)
	must(t, err)
	_, _, err = s.SetHold(ctx, f.ws.ID, c.ID, f.a1, true)
	wantCode(t, err, chat.ErrHoldNeedsActive)
	send(t, s, f.ws.ID, c.ID, f.a1, "a1", "확인해 보겠습니다")

	_, _, err = s.SetHold(ctx, f.ws.ID, c.ID, f.a2, true)
	wantCode(t, err, chat.ErrNotAssignee)
	held, events, err := s.SetHold(ctx, f.ws.ID, c.ID, f.a1, true)
	must(t, err)
	if !held.OnHold || len(events) != 1 || events[0].Type != chat.EventConversationUpdated ||
		events[0].Message.Body != chat.SystemHeld || !events[0].Message.Internal {
		t.Fatalf("hold: %+v %+v", held, events)
	}
	err = sendErr(s, f.ws.ID, c.ID, f.a1, "a2", "still there?")
	wantCode(t, err, chat.ErrOnHold)
	send(t, s, f.ws.ID, c.ID, chat.VisitorActor, "v1", "네") // the customer may still write
	_, events, err = s.SetHold(ctx, f.ws.ID, c.ID, f.a1, true)
	must(t, err)
	if len(events) != 0 {
		t.Fatalf("holding a held conversation wrote %+v", events)
	}

	flagged, events, err := s.SetImportant(ctx, f.ws.ID, c.ID, f.manager, true)
	must(t, err)
	if !flagged.Important || len(events) != 1 {
		t.Fatalf("important: %+v %+v", flagged, events)
	}
	_, _, err = s.SetImportant(ctx, f.ws.ID, c.ID, f.a2, false)
	wantCode(t, err, chat.ErrNotAssignee)

	// Filters: all / important / on hold / both.
	other := active(t, s, f, "other", f.a1)
	_, _, err = s.SetImportant(ctx, f.ws.ID, other.ID, f.a1, true)
	must(t, err)
	yes, no := true, false
	for _, tc := range []struct {
		name string
		f    chat.ConversationFilter
		want []int64
	}{
		{"important", chat.ConversationFilter{Important: &yes}, []int64{c.ID, other.ID}},
		{"on hold", chat.ConversationFilter{OnHold: &yes}, []int64{c.ID}},
		{"both", chat.ConversationFilter{Important: &yes, OnHold: &yes}, []int64{c.ID}},
		{"important, not held", chat.ConversationFilter{Important: &yes, OnHold: &no}, []int64{other.ID}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cs, err := s.Conversations(ctx, f.ws.ID, tc.f)
			must(t, err)
			var ids []int64
			for _, c := range cs {
				ids = append(ids, c.ID)
			}
			slices.Sort(ids)
			if !slices.Equal(ids, tc.want) {
				t.Fatalf("got %v, want %v", ids, tc.want)
			}
		})
	}

	released, _, err := s.SetHold(ctx, f.ws.ID, c.ID, f.a1, false)
	must(t, err)
	if released.OnHold {
		t.Fatal("still held")
	}
	send(t, s, f.ws.ID, c.ID, f.a1, "a3", "기다려 주셔서 감사합니다")
}

func testCustomerLeaves(t *testing.T, s chat.Store) {
	f := setup(t, s, "leave")
	c := active(t, s, f, "leaver", f.a1)
	left, events, err := s.CloseConversation(ctx, f.ws.ID, c.ID, chat.VisitorActor)
	must(t, err)
	if left.State != chat.StateActive || left.CustomerLeftAt == nil || left.CloseReason != chat.CloseByCustomer ||
		len(events) != 1 || events[0].Message.Body != chat.SystemCustomerLeft {
		t.Fatalf("customer left: %+v %+v", left, events)
	}
	// Closed for the customer: sending and the current conversation are gone.
	wantCode(t, sendErr(s, f.ws.ID, c.ID, chat.VisitorActor, "late", "hi"), chat.ErrConversationClosed)
	wantCode(t, sendErr(s, f.ws.ID, c.ID, f.a1, "late", "hi"), chat.ErrCustomerLeft)
	cu := c.CustomerID
	_, err = s.CurrentConversation(ctx, f.ws.ID, cu, chat.ChannelWeb)
	wantCode(t, err, chat.ErrConversationNotFound)
	// The customer can start anew while the agent wraps up.
	next, _, err := openConversation(s, f.ws.ID, cu, chat.ChannelWeb)
	must(t, err)
	if next.ID == c.ID {
		t.Fatal("resumed a conversation the customer left")
	}
	// Still in the agent's list until they end it.
	mine, err := s.Conversations(ctx, f.ws.ID, chat.ConversationFilter{AssigneeID: f.a1.AgentID, State: chat.StateActive})
	must(t, err)
	if len(mine) != 1 || mine[0].ID != c.ID {
		t.Fatalf("agent's active list %+v", mine)
	}
	ended, events, err := s.CloseConversation(ctx, f.ws.ID, c.ID, f.a1)
	must(t, err)
	if ended.State != chat.StateClosed || ended.CloseReason != chat.CloseByCustomer || !ended.Processed ||
		events[0].Type != chat.EventConversationClosed {
		t.Fatalf("wrap-up end: %+v %+v", ended, events)
	}
	// A conversation nobody answered closes unprocessed.
	cu2 := newCustomer(t, s, f.ws, "quiet")
	q, _, err := openConversation(s, f.ws.ID, cu2.ID, chat.ChannelWeb)
	must(t, err)
	q, _, err = s.CloseConversation(ctx, f.ws.ID, q.ID, chat.VisitorActor)
	must(t, err)
	if q.State != chat.StateClosed || q.Processed || q.CustomerLeftAt != nil {
		t.Fatalf("abandoned conversation %+v", q)
	}
}

func testTransfer(t *testing.T, s chat.Store) {
	f := setup(t, s, "xfer")
	offline := newMember(t, s, f.ws, "park", chat.RoleAgent, chat.StatusOffline)
	away := newMember(t, s, f.ws, "choi", chat.RoleAgent, chat.StatusAway)
	foreign := setup(t, s, "xfer2").a1
	c := active(t, s, f, "cust", f.a1)
	seq := lastSeq(t, s, f.ws.ID)
	for _, tc := range []struct {
		name  string
		actor chat.Actor
		to    int64
		code  string
	}{
		{"to an offline agent", f.a1, offline.AgentID, chat.ErrAgentNotOnline},
		{"to an agent who is away", f.a1, away.AgentID, chat.ErrAgentNotOnline},
		{"by a manager to an agent who is away", f.manager, away.AgentID, chat.ErrAgentNotOnline},
		{"to another workspace's agent", f.a1, foreign.AgentID, chat.ErrAgentNotFound},
		{"to an unknown agent", f.a1, 999999, chat.ErrAgentNotFound},
		{"by a colleague", f.a2, f.manager.AgentID, chat.ErrNotAssignee},
		{"to the same agent", f.a1, f.a1.AgentID, chat.ErrInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := s.Transfer(ctx, f.ws.ID, c.ID, tc.actor, tc.to, "")
			wantCode(t, err, tc.code)
		})
	}
	if lastSeq(t, s, f.ws.ID) != seq {
		t.Fatal("refused transfers wrote events")
	}
	moved, events, err := s.Transfer(ctx, f.ws.ID, c.ID, f.a1, f.a2.AgentID, "배송 담당자에게 넘깁니다")
	must(t, err)
	if moved.AssigneeID != f.a2.AgentID || moved.State != chat.StateWaiting || len(moved.AgentPath) != 2 ||
		moved.AgentPath[0].Name != "kim" || moved.AgentPath[1].Name != "lee" {
		t.Fatalf("transferred %+v", moved)
	}
	m := events[0].Message
	if events[0].Type != chat.EventConversationTransferred || m.Body != chat.SystemTransferred ||
		m.Meta["from"] != "kim" || m.Meta["to"] != "lee" || m.Meta["reason"] != "배송 담당자에게 넘깁니다" || events[0].PrevAssigneeID != f.a1.AgentID {
		t.Fatalf("transfer event %+v %+v", events[0], m)
	}
	wantCode(t, sendErr(s, f.ws.ID, c.ID, f.a1, "old", "hi"), chat.ErrNotAssignee)
	// A manager transfers anyone's; a reason of spaces is none.
	back, events, err := s.Transfer(ctx, f.ws.ID, c.ID, f.manager, f.a1.AgentID, "  \n ")
	must(t, err)
	if _, ok := events[0].Message.Meta["reason"]; ok {
		t.Fatalf("a reason of spaces was kept: %q", events[0].Message.Meta["reason"])
	}
	if len(back.AgentPath) != 3 || back.AgentPath[2].AgentID != f.a1.AgentID {
		t.Fatalf("path %+v", back.AgentPath)
	}
	// Nobody receives a sixth waiting conversation.
	for i := range chat.MaxWaiting {
		cu := newCustomer(t, s, f.ws, fmt.Sprint("w", i))
		w, _, err := openConversation(s, f.ws.ID, cu.ID, chat.ChannelWeb)
		must(t, err)
		_, _, err = s.Take(ctx, f.ws.ID, w.ID, f.a2)
		must(t, err)
	}
	_, _, err = s.Transfer(ctx, f.ws.ID, c.ID, f.a1, f.a2.AgentID, "")
	wantCode(t, err, chat.ErrTooManyWaiting)
	cu := newCustomer(t, s, f.ws, "w-extra")
	w, _, err := openConversation(s, f.ws.ID, cu.ID, chat.ChannelWeb)
	must(t, err)
	_, _, err = s.Take(ctx, f.ws.ID, w.ID, f.a2)
	wantCode(t, err, chat.ErrTooManyWaiting)
}

func testOperationStopped(t *testing.T, s chat.Store) {
	f := setup(t, s, "stop")
	c := active(t, s, f, "cust", f.a1)
	settings(t, s, f.ws, func(st *chat.Settings) { st.OperationStopped = true })
	wantCode(t, sendErr(s, f.ws.ID, c.ID, f.a1, "x", "hi"), chat.ErrOperationStopped)
	send(t, s, f.ws.ID, c.ID, chat.VisitorActor, "v", "여보세요?")
	settings(t, s, f.ws, func(st *chat.Settings) { st.OperationStopped = false })
	send(t, s, f.ws.ID, c.ID, f.a1, "x", "네")
}

func testNoteAndHistory(t *testing.T, s chat.Store) {
	f := setup(t, s, "note")
	cat, err := s.CreateCategory(ctx, f.ws.ID, 0, "환불", chat.Who{})
	must(t, err)
	tag, err := s.CreateTag(ctx, f.ws.ID, chat.TagConversation, "재문의", chat.Who{})
	must(t, err)
	custTag, err := s.CreateTag(ctx, f.ws.ID, chat.TagCustomer, "VIP", chat.Who{})
	must(t, err)
	first := active(t, s, f, "hist", f.a1)
	seq := lastSeq(t, s, f.ws.ID)
	for _, bad := range []struct {
		n    chat.Note
		code string
	}{
		{chat.Note{Memo: strings.Repeat("메", chat.MaxMemo+1)}, chat.ErrInvalid},
		{chat.Note{CategoryID: 999999}, chat.ErrNotFound},
		{chat.Note{TagIDs: []int64{custTag.ID}}, chat.ErrNotFound},
		{chat.Note{Memo: "ok", TagIDs: []int64{tag.ID, 999999}}, chat.ErrNotFound},
	} {
		_, _, err := s.SetNote(ctx, f.ws.ID, first.ID, bad.n)
		wantCode(t, err, bad.code)
	}
	if got := conv(t, s, f.ws.ID, first.ID); got.Memo != "" || len(got.Tags) != 0 || lastSeq(t, s, f.ws.ID) != seq {
		t.Fatalf("a refused note changed %+v", got)
	}
	c, events, err := s.SetNote(ctx, f.ws.ID, first.ID, chat.Note{CategoryID: cat.ID, TagIDs: []int64{tag.ID}, Memo: "환불 접수"})
	must(t, err)
	if c.Memo != "환불 접수" || len(c.Tags) != 1 || c.CategoryID != cat.ID || len(events) != 1 || events[0].Type != chat.EventConversationUpdated {
		t.Fatalf("note %+v events %+v", c, events)
	}
	// Wrap-up after the close still works.
	_, _, err = s.CloseConversation(ctx, f.ws.ID, first.ID, f.a1)
	must(t, err)
	c, _, err = s.SetNote(ctx, f.ws.ID, first.ID, chat.Note{CategoryID: cat.ID, Memo: "환불 완료"})
	must(t, err)
	if c.Memo != "환불 완료" || len(c.Tags) != 0 {
		t.Fatalf("note after close %+v", c)
	}
	second, _, err := openConversation(s, f.ws.ID, first.CustomerID, chat.ChannelWeb)
	must(t, err)
	history, err := s.CustomerConversations(ctx, f.ws.ID, first.CustomerID, chat.Page{})
	must(t, err)
	if len(history) != 2 || history[0].ID != second.ID || history[1].Memo != "환불 완료" ||
		len(history[1].AgentPath) != 1 || strings.Join(history[1].CategoryPath, ">") != "환불" {
		t.Fatalf("history %+v", history)
	}
	other := setup(t, s, "note-other")
	_, _, err = s.SetNote(ctx, other.ws.ID, first.ID, chat.Note{Memo: "x"})
	wantCode(t, err, chat.ErrConversationNotFound)
	if h, _ := s.CustomerConversations(ctx, other.ws.ID, first.CustomerID, chat.Page{}); len(h) != 0 {
		t.Fatalf("another workspace sees history %+v", h)
	}
}

func testGreetingAndRating(t *testing.T, s chat.Store) {
	f := setup(t, s, "rating")
	settings(t, s, f.ws, func(st *chat.Settings) {
		st.Greeting = "안녕하세요, 소담입니다."
		st.RatingRequest = "별점을 남겨 주세요"
	})
	cu := newCustomer(t, s, f.ws, "rater")
	c, _, err := openConversation(s, f.ws.ID, cu.ID, chat.ChannelWeb)
	must(t, err)
	msgs, err := s.Messages(ctx, f.ws.ID, c.ID, 0, 0)
	must(t, err)
	if len(msgs) != 1 || msgs[0].Body != chat.SystemGreeting || msgs[0].Meta["text"] != "안녕하세요, 소담입니다." || msgs[0].Internal {
		t.Fatalf("greeting %+v", msgs)
	}
	_, _, err = s.Take(ctx, f.ws.ID, c.ID, f.a1)
	must(t, err)
	_, _, err = s.RequestRating(ctx, f.ws.ID, c.ID, f.a1)
	wantCode(t, err, chat.ErrNotReplied)
	_, _, err = s.Rate(ctx, f.ws.ID, c.ID, 5, "")
	wantCode(t, err, chat.ErrNotReplied)
	send(t, s, f.ws.ID, c.ID, f.a1, "r1", "도와드릴까요?")
	_, _, err = s.RequestRating(ctx, f.ws.ID, c.ID, f.a2)
	wantCode(t, err, chat.ErrNotAssignee)
	// The request is a message to the customer: not while the chat is on
	// hold or the workspace's operation is stopped.
	_, _, err = s.SetHold(ctx, f.ws.ID, c.ID, f.a1, true)
	must(t, err)
	_, _, err = s.RequestRating(ctx, f.ws.ID, c.ID, f.a1)
	wantCode(t, err, chat.ErrOnHold)
	_, _, err = s.SetHold(ctx, f.ws.ID, c.ID, f.a1, false)
	must(t, err)
	settings(t, s, f.ws, func(st *chat.Settings) { st.OperationStopped = true })
	_, _, err = s.RequestRating(ctx, f.ws.ID, c.ID, f.a1)
	wantCode(t, err, chat.ErrOperationStopped)
	settings(t, s, f.ws, func(st *chat.Settings) { st.OperationStopped = false })
	msg, events, err := s.RequestRating(ctx, f.ws.ID, c.ID, f.a1)
	must(t, err)
	if msg.Body != chat.SystemRatingRequested || msg.Meta["text"] != "별점을 남겨 주세요" || len(events) != 1 {
		t.Fatalf("request %+v", msg)
	}
	for _, score := range []int{0, 6} {
		_, _, err = s.Rate(ctx, f.ws.ID, c.ID, score, "")
		wantCode(t, err, chat.ErrInvalid)
	}
	// A rating given during the chat: the request is not sent again.
	during := f.open(t, s)
	_, _, err = s.Take(ctx, f.ws.ID, during.ID, f.a2)
	must(t, err)
	send(t, s, f.ws.ID, during.ID, f.a2, "d1", "주문 확인해 드렸습니다.")
	_, _, err = s.Rate(ctx, f.ws.ID, during.ID, 5, "")
	must(t, err)
	_, _, err = s.RequestRating(ctx, f.ws.ID, during.ID, f.a2)
	wantCode(t, err, chat.ErrAlreadyRated)
	_, _, err = s.CloseConversation(ctx, f.ws.ID, c.ID, f.a1)
	must(t, err)
	// Rating after the close, once.
	rated, events, err := s.Rate(ctx, f.ws.ID, c.ID, 4, "친절했어요")
	must(t, err)
	if rated.Rating == nil || rated.Rating.Score != 4 || rated.Rating.Comment != "친절했어요" || len(events) != 1 ||
		events[0].Message.Body != chat.SystemRated || events[0].Message.Meta["score"] != "4" {
		t.Fatalf("rated %+v events %+v", rated.Rating, events)
	}
	_, _, err = s.Rate(ctx, f.ws.ID, c.ID, 1, "")
	wantCode(t, err, chat.ErrAlreadyRated)
	if got := conv(t, s, f.ws.ID, c.ID); got.Rating.Score != 4 {
		t.Fatalf("rating changed to %+v", got.Rating)
	}
	_, _, err = s.RequestRating(ctx, f.ws.ID, c.ID, f.a1)
	wantCode(t, err, chat.ErrConversationClosed)

	// A visitor whose browser prefers English is greeted and asked in
	// English; the Korean wording above stays the default.
	settings(t, s, f.ws, func(st *chat.Settings) {
		st.Widget.Texts = map[string]chat.WidgetText{"en": {Greeting: "Hello from Sodam.", RatingRequest: "Please rate this chat."}}
	})
	en := &chat.Customer{WorkspaceID: f.ws.ID, ExternalID: "rater-en", Language: "en-US"}
	must(t, s.UpsertCustomer(ctx, en))
	ce, _, err := openConversationIn(s, f.ws.ID, en.ID, chat.ChannelWeb, en.Language)
	must(t, err)
	_, _, err = s.Take(ctx, f.ws.ID, ce.ID, f.a1)
	must(t, err)
	send(t, s, f.ws.ID, ce.ID, f.a1, "e1", "How can I help?")
	msg, _, err = s.RequestRating(ctx, f.ws.ID, ce.ID, f.a1)
	must(t, err)
	msgs, err = s.Messages(ctx, f.ws.ID, ce.ID, 0, 0)
	must(t, err)
	if msgs[0].Meta["text"] != "Hello from Sodam." || msg.Meta["text"] != "Please rate this chat." {
		t.Fatalf("English greeting %q and rating request %q", msgs[0].Meta["text"], msg.Meta["text"])
	}
	// A Korean visitor still gets the workspace's own wording.
	ko, _, err := openConversation(s, f.ws.ID, newCustomer(t, s, f.ws, "rater-ko").ID, chat.ChannelWeb)
	must(t, err)
	_, _, err = s.Take(ctx, f.ws.ID, ko.ID, f.a2)
	must(t, err)
	send(t, s, f.ws.ID, ko.ID, f.a2, "k1", "무엇을 도와드릴까요?")
	if msg, _, err = s.RequestRating(ctx, f.ws.ID, ko.ID, f.a2); err != nil || msg.Meta["text"] != "별점을 남겨 주세요" {
		t.Fatalf("Korean rating request %q, %v", msg.Meta["text"], err)
	}
}

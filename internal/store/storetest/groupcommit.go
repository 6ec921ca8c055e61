package storetest

import (
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/store/sqldb"
)

// grouper is implemented by stores that commit concurrent writes in
// batches; GroupNext(n) makes the next n writes share one transaction.
type grouper interface{ GroupNext(n int) }

// groupNext makes the next n writes one batch where the store batches;
// elsewhere the test still checks the same outcomes of concurrent writes.
func groupNext(s chat.Store, n int) {
	if g, ok := s.(grouper); ok {
		g.GroupNext(n)
	}
}

// waitQueued waits until n writes wait for the batch GroupNext holds,
// where the store batches, so that the next write comes after them.
func waitQueued(t *testing.T, s chat.Store, n int) {
	t.Helper()
	q, ok := s.(interface{ Queued() int })
	if !ok {
		return
	}
	for deadline := time.Now().Add(5 * time.Second); q.Queued() < n; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d writes queued, want %d", q.Queued(), n)
		}
	}
}

// A write that fails inside a batch fails alone with its own error; the
// others commit, and every success is committed by the time it returns.
func testBatchFailureStaysAlone(t *testing.T, s chat.Store) {
	f := setup(t, s, "batch")
	c := f.open(t, s)
	_, _, err := s.Take(ctx, f.ws.ID, c.ID, f.a1)
	must(t, err)
	send(t, s, f.ws.ID, c.ID, chat.VisitorActor, "earlier", "first words")
	start := lastSeq(t, s, f.ws.ID)

	type attempt struct {
		name  string
		actor chat.Actor
		conv  int64
		id    string
		body  string
		code  string // "" for success
		dup   bool
	}
	attempts := []attempt{
		{name: "visitor", actor: chat.VisitorActor, conv: c.ID, id: "v1", body: "hello"},
		{name: "not the assignee", actor: f.a2, conv: c.ID, id: "x1", body: "mine now", code: chat.ErrNotAssignee},
		{name: "agent", actor: f.a1, conv: c.ID, id: "a1", body: "hi, how can I help?"},
		{name: "reused id", actor: chat.VisitorActor, conv: c.ID, id: "earlier", body: "something else", code: chat.ErrClientMsgIDConflict},
		{name: "retry", actor: chat.VisitorActor, conv: c.ID, id: "earlier", body: "first words", dup: true},
		{name: "no such conversation", actor: chat.VisitorActor, conv: c.ID + 1000, id: "n1", body: "anyone?", code: chat.ErrConversationNotFound},
		{name: "visitor again", actor: chat.VisitorActor, conv: c.ID, id: "v2", body: "thanks"},
		// A visitor that names its customer writes only in that customer's
		// conversations (the widget's send: Actor.CustomerID).
		{name: "the customer's own", actor: chat.Actor{Kind: chat.SenderVisitor, CustomerID: f.customer.ID}, conv: c.ID, id: "o1", body: "it is mine"},
		{name: "another customer's", actor: chat.Actor{Kind: chat.SenderVisitor, CustomerID: f.customer.ID + 1000}, conv: c.ID, id: "o2", body: "not mine", code: chat.ErrConversationNotFound},
		// The same send twice at once: stored once, both told so.
		{name: "twin", actor: chat.VisitorActor, conv: c.ID, id: "t1", body: "double tap"},
		{name: "twin", actor: chat.VisitorActor, conv: c.ID, id: "t1", body: "double tap"},
	}
	type result struct {
		msg    chat.Message
		events []chat.Event
		dup    bool
		err    error
		seen   []chat.Event // the log right after the call returned
	}
	results := make([]result, len(attempts))
	stats, counts := s.(interface{ WriterStats() sqldb.WriterStats })
	var before sqldb.WriterStats
	if counts {
		before = stats.WriterStats()
	}
	groupNext(s, len(attempts))
	var wg sync.WaitGroup
	for i, a := range attempts {
		wg.Go(func() {
			r := &results[i]
			r.msg, r.events, r.dup, r.err = s.AppendMessage(ctx, f.ws.ID, a.conv, a.actor, chat.NewMessage{ClientMsgID: a.id, Body: a.body})
			if r.err == nil && len(r.events) > 0 {
				r.seen, _ = s.Events(ctx, f.ws.ID, chat.EventFilter{AfterSeq: r.events[0].Seq - 1, Limit: 1})
			}
		})
	}
	wg.Wait()
	// The writer counts one batch carrying every attempt, refusals too.
	if counts {
		after := stats.WriterStats()
		if after.Batches != before.Batches+1 || after.Writes != before.Writes+int64(len(attempts)) || after.Busy <= before.Busy {
			t.Fatalf("writer stats went from %+v to %+v for one batch of %d", before, after, len(attempts))
		}
	}

	var stored []string
	var twins []result
	for i, a := range attempts {
		r := results[i]
		switch {
		case a.name == "twin":
			if r.err != nil {
				t.Fatalf("twin: %v", r.err)
			}
			twins = append(twins, r)
			if !r.dup {
				stored = append(stored, a.body)
			}
		case a.code != "":
			wantCode(t, r.err, a.code)
		case r.err != nil:
			t.Fatalf("%s: %v", a.name, r.err)
		case a.dup:
			if !r.dup || r.msg.Body != a.body || len(r.events) != 0 {
				t.Fatalf("%s: dup %v, %+v, %d events", a.name, r.dup, r.msg, len(r.events))
			}
		default:
			stored = append(stored, a.body)
			if r.dup || len(r.events) != 1 || r.events[0].Message.ID != r.msg.ID {
				t.Fatalf("%s: dup %v, events %+v", a.name, r.dup, r.events)
			}
			// Acknowledged means committed: the event was in the log
			// as soon as the call returned.
			if len(r.seen) != 1 || r.seen[0].Seq != r.events[0].Seq || r.seen[0].Message.ID != r.msg.ID {
				t.Fatalf("%s: event %d not in the log when acknowledged: %+v", a.name, r.events[0].Seq, r.seen)
			}
		}
	}
	if len(twins) != 2 || twins[0].dup == twins[1].dup || twins[0].msg.ID != twins[1].msg.ID || twins[0].msg.ID == 0 {
		t.Fatalf("twins: %+v", twins)
	}
	var got []string
	for _, m := range texts(t, s, f.ws.ID, c.ID) {
		got = append(got, m.Body)
	}
	want := []string{"first words"}
	// Batched or not, the successful writes are stored once each, in some
	// order: compare as sets after the first.
	if len(got) != len(want)+len(stored) || got[0] != want[0] {
		t.Fatalf("stored %q, want %q then %q", got, want, stored)
	}
	for _, b := range stored {
		n := 0
		for _, g := range got {
			if g == b {
				n++
			}
		}
		if n != 1 {
			t.Fatalf("%q stored %d times in %q", b, n, got)
		}
	}
	evs, err := s.Events(ctx, f.ws.ID, chat.EventFilter{AfterSeq: start})
	must(t, err)
	if len(evs) != len(stored) {
		t.Fatalf("%d events, want %d", len(evs), len(stored))
	}
	for i, ev := range evs {
		if ev.Seq != start+int64(i)+1 {
			t.Fatalf("event %d has seq %d: the log has a gap", i, ev.Seq)
		}
	}
	// The event carries the conversation as stored.
	now, err := s.Conversation(ctx, f.ws.ID, c.ID)
	must(t, err)
	last := evs[len(evs)-1].Conversation
	if last.LastSeq != now.LastSeq || last.LastMessage != now.LastMessage || !last.LastMessageAt.Equal(now.LastMessageAt) ||
		last.State != now.State || !reflect.DeepEqual(last.FirstReplyAt != nil, now.FirstReplyAt != nil) {
		t.Fatalf("event conversation %+v, stored %+v", last, now)
	}
}

// One batch of messages moves each conversation it writes in, whether its
// state changes (an agent's first reply: waiting → active) or stays: the
// stored conversation is the one the last event carried, and the lists by
// state (their indexes) find it under its new state only.
func testBatchMovesConversations(t *testing.T, s chat.Store) {
	f := setup(t, s, "batchmove")
	steady := f.open(t, s)
	_, _, err := s.Take(ctx, f.ws.ID, steady.ID, f.a1)
	must(t, err)
	send(t, s, f.ws.ID, steady.ID, f.a1, "s0", "hello") // active now
	other := newCustomer(t, s, f.ws, "cust-2")
	moving, _, err := openConversation(s, f.ws.ID, other.ID, chat.ChannelWeb)
	must(t, err)
	_, _, err = s.Take(ctx, f.ws.ID, moving.ID, f.a1) // waiting for the agent's first reply
	must(t, err)

	sends := []struct {
		conv  int64
		actor chat.Actor
		id    string
	}{{steady.ID, f.a1, "s1"}, {moving.ID, f.a1, "m1"}, {steady.ID, chat.VisitorActor, "s2"}}
	last := map[int64]*chat.Conversation{}
	var mu sync.Mutex
	groupNext(s, len(sends))
	var wg sync.WaitGroup
	for _, x := range sends {
		wg.Go(func() {
			m, evs, _, err := s.AppendMessage(ctx, f.ws.ID, x.conv, x.actor, chat.NewMessage{ClientMsgID: x.id, Body: "text " + x.id})
			if err != nil || len(evs) != 1 {
				t.Errorf("%s: %v, %d events", x.id, err, len(evs))
				return
			}
			mu.Lock()
			defer mu.Unlock()
			if c := evs[0].Conversation; last[x.conv] == nil || c.LastSeq > last[x.conv].LastSeq {
				last[x.conv] = c
			}
			if m.ID == 0 {
				t.Errorf("%s: no message ID", x.id)
			}
		})
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	for _, id := range []int64{steady.ID, moving.ID} {
		got, err := s.Conversation(ctx, f.ws.ID, id)
		must(t, err)
		want := last[id]
		if got.State != chat.StateActive || want.State != chat.StateActive || got.LastSeq != want.LastSeq ||
			got.LastMessage != want.LastMessage || !got.LastMessageAt.Equal(want.LastMessageAt) || got.FirstReplyAt == nil {
			t.Fatalf("conversation %d stored %+v, last event %+v", id, got, want)
		}
	}
	for state, want := range map[chat.State]int{chat.StateActive: 2, chat.StateWaiting: 0} {
		list, err := s.Conversations(ctx, f.ws.ID, chat.ConversationFilter{State: state})
		must(t, err)
		if len(list) != want {
			t.Fatalf("%d %s conversations listed, want %d: %+v", len(list), state, want, list)
		}
	}
}

// Many writers over two workspaces — messages, status changes that route
// the queue, new conversations — each workspace's log stays gap-free, and
// what every caller was told is what the log holds.
func testConcurrentWritersGapFree(t *testing.T, s chat.Store) {
	fs := []fixture{setup(t, s, "many1"), setup(t, s, "many2")}
	type conv struct {
		ws, id int64
		agent  chat.Actor
	}
	var convs []conv
	starts := map[int64]int64{}
	for _, f := range fs {
		for i := range 4 {
			cu := newCustomer(t, s, f.ws, fmt.Sprint("busy", i))
			c, _, err := openConversation(s, f.ws.ID, cu.ID, chat.ChannelWeb)
			must(t, err)
			agent := []chat.Actor{f.a1, f.a2}[i%2]
			_, _, err = s.Take(ctx, f.ws.ID, c.ID, agent)
			must(t, err)
			convs = append(convs, conv{f.ws.ID, c.ID, agent})
		}
		starts[f.ws.ID] = lastSeq(t, s, f.ws.ID)
	}
	const writers, each = 16, 12
	var mu sync.Mutex
	told := map[int64]map[int64]chat.Event{} // workspace → seq → event
	record := func(evs []chat.Event) {
		mu.Lock()
		defer mu.Unlock()
		for _, ev := range evs {
			if told[ev.WorkspaceID] == nil {
				told[ev.WorkspaceID] = map[int64]chat.Event{}
			}
			if _, ok := told[ev.WorkspaceID][ev.Seq]; ok {
				t.Errorf("seq %d given twice", ev.Seq)
			}
			told[ev.WorkspaceID][ev.Seq] = ev
		}
	}
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				c := convs[(w+i)%len(convs)]
				f := fs[0]
				if c.ws != f.ws.ID {
					f = fs[1]
				}
				var evs []chat.Event
				var err error
				switch i % 4 {
				case 3: // moves load: takes the routing lock
					status := chat.StatusAway
					if (w+i)%2 == 0 {
						status = chat.StatusOnline
					}
					_, evs, err = s.SetAgentStatus(ctx, f.ws.ID, f.manager.AgentID, status)
				case 2:
					_, evs, _, err = s.AppendMessage(ctx, c.ws, c.id, c.agent, chat.NewMessage{ClientMsgID: fmt.Sprint("a", w, "-", i), Body: "answer"})
				default:
					_, evs, _, err = s.AppendMessage(ctx, c.ws, c.id, chat.VisitorActor, chat.NewMessage{ClientMsgID: fmt.Sprint("v", w, "-", i), Body: "question"})
				}
				if err != nil {
					t.Error(err)
					return
				}
				record(evs)
			}
		})
	}
	wg.Wait()
	for _, f := range fs {
		evs, err := s.Events(ctx, f.ws.ID, chat.EventFilter{AfterSeq: starts[f.ws.ID]})
		must(t, err)
		if len(evs) != len(told[f.ws.ID]) {
			t.Fatalf("workspace %d: %d events in the log, callers were told of %d", f.ws.ID, len(evs), len(told[f.ws.ID]))
		}
		for i, ev := range evs {
			if ev.Seq != starts[f.ws.ID]+int64(i)+1 {
				t.Fatalf("workspace %d: event %d has seq %d: the log has a gap", f.ws.ID, i, ev.Seq)
			}
			got := told[f.ws.ID][ev.Seq]
			if got.Type != ev.Type || (ev.Message != nil && (got.Message == nil || got.Message.ID != ev.Message.ID)) {
				t.Fatalf("seq %d: caller was told %+v, log has %+v", ev.Seq, got, ev)
			}
		}
	}
}

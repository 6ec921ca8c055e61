package storetest

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/event"
	"github.com/sodam-chat/sodam/internal/outbox"
)

func outboxOf(t *testing.T, s chat.Store) outbox.Store {
	t.Helper()
	ob, ok := s.(outbox.Store)
	if !ok {
		t.Fatalf("%T keeps no outbox", s)
	}
	return ob
}

func newWebhook(t *testing.T, ob outbox.Store, ws *chat.Workspace, events ...string) *outbox.Endpoint {
	t.Helper()
	e := &outbox.Endpoint{WorkspaceID: ws.ID, Kind: outbox.KindWebhook, URL: "https://hooks.example.com/" + ws.SiteID, Events: events,
		SealedSecret: "v1:sealed", QuietStart: -1, QuietEnd: -1}
	must(t, ob.CreateEndpoint(ctx, e, "", chat.Who{}))
	return e
}

// testOutbox: deliveries commit with their events (group commit
// included), only for endpoints that subscribed (outbox.Deliverable, which
// has its own table test), and never across workspaces.
func testOutbox(t *testing.T, s chat.Store) {
	ob := outboxOf(t, s)
	f := setup(t, s, "outbox")
	other := setup(t, s, "outbox-other")
	msgs := newWebhook(t, ob, f.ws, "message.created")
	created := newWebhook(t, ob, f.ws, "conversation.created")
	c := f.open(t, s)
	_, _, err := s.Take(ctx, f.ws.ID, c.ID, f.a1)
	must(t, err)
	// Writes that share one batch write their deliveries in it.
	if g, ok := s.(interface{ GroupNext(int) }); ok {
		g.GroupNext(5)
	}
	before := lastSeq(t, s, f.ws.ID)
	var wg sync.WaitGroup
	var mu sync.Mutex
	sent := map[int64]chat.Event{} // the events the sends returned, by seq
	for i := range 5 {
		wg.Go(func() {
			_, evs, _, err := s.AppendMessage(ctx, f.ws.ID, c.ID, f.a1, chat.NewMessage{ClientMsgID: fmt.Sprint("b", i), Body: fmt.Sprintf("%d번째 안내 드립니다", i+1)})
			must(t, err)
			mu.Lock()
			defer mu.Unlock()
			for _, ev := range evs {
				sent[ev.Seq] = ev
			}
		})
	}
	wg.Wait()
	count := func(e *outbox.Endpoint) int {
		t.Helper()
		list, err := ob.Deliveries(ctx, f.ws.ID, e.ID, outbox.DeliveryFilter{Limit: 200})
		must(t, err)
		return len(list)
	}
	if n := count(msgs); n != 5 {
		t.Fatalf("message webhook: %d deliveries", n)
	}
	// The batch numbered its events once: what the callers got, what the
	// log holds and what the deliveries point at agree.
	stored, err := s.Events(ctx, f.ws.ID, chat.EventFilter{AfterSeq: before})
	must(t, err)
	if len(stored) != 5 || len(sent) != 5 {
		t.Fatalf("%d events stored, %d returned; want 5", len(stored), len(sent))
	}
	for _, ev := range stored {
		got, ok := sent[ev.Seq]
		if !ok || got.Message == nil || ev.Message == nil || got.Message.ID != ev.Message.ID || got.Message.Seq != ev.Message.Seq {
			t.Fatalf("stored event %d (%v) is not the one returned (%v)", ev.Seq, ev.Message, got.Message)
		}
		decoded, err := event.Decode(got.Encoded)
		if err != nil || decoded.Seq != ev.Seq || decoded.Message.ID != ev.Message.ID {
			t.Fatalf("event %d: its encoded form says %d, message %v (%v)", ev.Seq, decoded.Seq, decoded.Message, err)
		}
	}
	list, err := ob.Deliveries(ctx, f.ws.ID, msgs.ID, outbox.DeliveryFilter{Limit: 200})
	must(t, err)
	for _, d := range list {
		if ev, ok := sent[d.EventSeq]; !ok || ev.Type != chat.EventMessageCreated {
			t.Fatalf("delivery %d points at event %d, not one of the batch's messages", d.ID, d.EventSeq)
		}
	}
	if n := count(created); n != 1 {
		t.Fatalf("conversation.created webhook: %d deliveries", n)
	}
	list, err = ob.Deliveries(ctx, other.ws.ID, msgs.ID, outbox.DeliveryFilter{})
	must(t, err)
	if len(list) != 0 {
		t.Fatal("another workspace reads the deliveries")
	}
	if _, err := ob.Endpoint(ctx, other.ws.ID, msgs.ID); chat.ErrorCode(err) != outbox.ErrEndpointNotFound {
		t.Fatalf("another workspace reads the endpoint: %v", err)
	}
	// The other workspace's events write nothing here.
	oc := other.open(t, s)
	_, _, err = s.Take(ctx, other.ws.ID, oc.ID, other.a1)
	must(t, err)
	send(t, s, other.ws.ID, oc.ID, other.a1, "o1", "다른 가게입니다")
	if n := count(msgs); n != 5 {
		t.Fatalf("another workspace's message was delivered here: %d", n)
	}
}

// testDeliveryClaims: nodes claiming at once take different deliveries; a
// lease that runs out gives the delivery to another node with the same
// ID, and the first node's late outcome is not recorded over it.
func testDeliveryClaims(t *testing.T, s chat.Store) {
	ob := outboxOf(t, s)
	clk := withClock(t, s)
	f := setup(t, s, "claims")
	newWebhook(t, ob, f.ws, "message.created")
	c := f.open(t, s)
	_, _, err := s.Take(ctx, f.ws.ID, c.ID, f.a1)
	must(t, err)
	for i := range 40 {
		send(t, s, f.ws.ID, c.ID, f.a1, fmt.Sprint("m", i), "배송은 내일 도착 예정입니다")
	}
	var mu sync.Mutex
	seen := map[int64]string{}
	var wg sync.WaitGroup
	for n := range 4 {
		node := fmt.Sprint("node-", n)
		wg.Go(func() {
			for {
				got, err := ob.ClaimDeliveries(ctx, node, clk.Now(), time.Minute, 7)
				if err != nil {
					t.Error(err)
					return
				}
				if len(got) == 0 {
					return
				}
				mu.Lock()
				for _, d := range got {
					if prev, ok := seen[d.ID]; ok {
						t.Errorf("delivery %d claimed by %s and %s", d.ID, prev, node)
					}
					seen[d.ID] = node
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(seen) != 40 {
		t.Fatalf("claimed %d of 40", len(seen))
	}
	// Nothing is due again until the leases end.
	if got, err := ob.ClaimDeliveries(ctx, "node-x", clk.Now(), time.Minute, 100); err != nil || len(got) != 0 {
		t.Fatalf("claimed while leased: %d %v", len(got), err)
	}
	clk.advance(2 * time.Minute)
	again, err := ob.ClaimDeliveries(ctx, "node-x", clk.Now(), time.Minute, 100)
	must(t, err)
	if len(again) != 40 || again[0].Attempts != 2 {
		t.Fatalf("after the leases: %d, attempts %d", len(again), again[0].Attempts)
	}
	// The first holder's outcome comes late: ignored. The new holder's counts.
	late := outbox.Delivery{ID: again[0].ID, Attempts: 1}
	must(t, ob.FinishDeliveries(ctx, seen[again[0].ID], []outbox.Outcome{{Delivery: late, Status: outbox.StatusDelivered, Code: 200, Completed: clk.Now()}}))
	list, err := ob.Deliveries(ctx, f.ws.ID, again[0].EndpointID, outbox.DeliveryFilter{Status: outbox.StatusDelivered})
	must(t, err)
	if len(list) != 0 {
		t.Fatal("a stale claim's outcome was recorded")
	}
	var outs []outbox.Outcome
	for i, d := range again {
		o := outbox.Outcome{Delivery: d, Status: outbox.StatusDelivered, Code: 204, Completed: clk.Now()}
		if i == 0 {
			o = outbox.Outcome{Delivery: d, Status: outbox.StatusPending, NextAt: clk.Now().Add(time.Second), Code: 503, Body: "점검 중", Error: "the receiver answered 503"}
		}
		outs = append(outs, o)
	}
	must(t, ob.FinishDeliveries(ctx, "node-x", outs))
	if got, _ := ob.ClaimDeliveries(ctx, "node-y", clk.Now(), time.Minute, 100); len(got) != 0 {
		t.Fatal("a retry was claimed before its time")
	}
	clk.advance(time.Second)
	got, err := ob.ClaimDeliveries(ctx, "node-y", clk.Now(), time.Minute, 100)
	must(t, err)
	if len(got) != 1 || got[0].ID != again[0].ID || got[0].LastCode != 503 || got[0].LastBody != "점검 중" || got[0].Attempts != 3 {
		t.Fatalf("the retry: %+v", got)
	}
	// Settled deliveries are pruned after the retention; the pending one stays.
	n, err := ob.PruneDeliveries(ctx, clk.Now().Add(-time.Hour), 1000)
	must(t, err)
	if n != 0 {
		t.Fatalf("pruned %d recent deliveries", n)
	}
	clk.advance(outbox.Retention)
	n, err = ob.PruneDeliveries(ctx, clk.Now().Add(-outbox.Retention+time.Minute), 10)
	must(t, err)
	if n != 10 {
		t.Fatalf("pruned %d, want a chunk of 10", n)
	}
	n, err = ob.PruneDeliveries(ctx, clk.Now().Add(-outbox.Retention+time.Minute), 1000)
	must(t, err)
	if n != 29 {
		t.Fatalf("pruned %d, want the other 29", n)
	}
}

// testDeliveryBacklog: while a receiver is down, its backlog is neither
// claimed nor rewritten — the endpoint holds it back until its next probe,
// so the chat's writes never wait for a rewrite of it — and the healthy
// receiver's deliveries are claimed meanwhile. At the probe's time it is
// due again, as it was; held back again, it stays as it was; and once it
// has waited outbox.DefaultBackoff.GiveUp it fails, a chunk at a time.
func testDeliveryBacklog(t *testing.T, s chat.Store) {
	ob := outboxOf(t, s)
	clk := withClock(t, s)
	f := setup(t, s, "backlog")
	newWebhook(t, ob, f.ws, "message.created")
	newWebhook(t, ob, f.ws, "message.created") // a healthy receiver
	c := f.open(t, s)
	_, _, err := s.Take(ctx, f.ws.ID, c.ID, f.a1)
	must(t, err)
	for i := range 6 {
		send(t, s, f.ws.ID, c.ID, f.a1, fmt.Sprint("m", i), "배송 안내 드립니다")
		clk.advance(time.Millisecond)
	}
	// A claim takes one, the probe; it fails.
	got, err := ob.ClaimDeliveries(ctx, "node-a", clk.Now(), time.Minute, 1)
	must(t, err)
	if len(got) != 1 {
		t.Fatalf("claimed %+v", got)
	}
	probe, failing := got[0], got[0].EndpointID
	next := clk.Now().Add(8 * time.Second)
	must(t, ob.FinishDeliveries(ctx, "node-a", []outbox.Outcome{
		{Delivery: probe, Status: outbox.StatusPending, NextAt: next, Code: 503, Error: "the receiver answered 503", Completed: clk.Now()},
	}))
	// Written while it is down.
	for i := range 3 {
		send(t, s, f.ws.ID, c.ID, f.a1, fmt.Sprint("d", i), "점검 중에 보낸 안내")
	}
	written := map[int64]outbox.Delivery{}
	unchanged := func(when string) {
		t.Helper()
		list, err := ob.Deliveries(ctx, f.ws.ID, failing, outbox.DeliveryFilter{Limit: 100})
		must(t, err)
		if len(list) != 9 {
			t.Fatalf("%s: %d deliveries to the failing receiver", when, len(list))
		}
		for _, d := range list {
			if d.ID == probe.ID {
				if d.Attempts != probe.Attempts || !d.NextAt.Equal(next.UTC().Truncate(time.Microsecond)) || d.LastCode != 503 {
					t.Fatalf("%s: the probe %+v", when, d)
				}
				continue
			}
			if d.Status != outbox.StatusPending || d.Attempts != 0 || !d.NextAt.Equal(d.CreatedAt) {
				t.Fatalf("%s: delivery %d (%s, %d attempts) is due at %v, written %v: rewritten", when, d.ID, d.Status, d.Attempts, d.NextAt, d.CreatedAt)
			}
			if w, ok := written[d.ID]; ok && !w.NextAt.Equal(d.NextAt) {
				t.Fatalf("%s: delivery %d moved from %v to %v", when, d.ID, w.NextAt, d.NextAt)
			}
			written[d.ID] = d
		}
	}
	unchanged("after the failed probe")
	// Now only the healthy receiver's deliveries are due.
	due, err := ob.ClaimDeliveries(ctx, "node-b", clk.Now(), time.Minute, 100)
	must(t, err)
	for _, d := range due {
		if d.EndpointID == failing {
			t.Fatalf("delivery %d to the failing receiver is due before its probe", d.ID)
		}
	}
	if len(due) != 9 {
		t.Fatalf("%d deliveries to the healthy receiver are due, want 9", len(due))
	}
	clk.advance(8 * time.Second)
	due, err = ob.ClaimDeliveries(ctx, "node-b", clk.Now(), time.Minute, 100)
	must(t, err)
	if len(due) != 9 || due[0].EndpointID != failing {
		t.Fatalf("at the probe's time %d deliveries are due, want the failing receiver's 9", len(due))
	}
	// The next probe fails too; the others, not attempted, stay as they were.
	next = clk.Now().Add(16 * time.Second)
	outs := []outbox.Outcome{{Delivery: due[0], Status: outbox.StatusPending, NextAt: next, Code: 503, Error: "the receiver answered 503", Completed: clk.Now()}}
	for _, d := range due[1:] {
		outs = append(outs, outbox.Outcome{Delivery: d, Status: outbox.StatusPending, NotAttempted: true, Completed: clk.Now()})
	}
	must(t, ob.FinishDeliveries(ctx, "node-b", outs))
	probe = due[0]
	unchanged("after the second failed probe")
	if got, err := ob.ClaimDeliveries(ctx, "node-c", clk.Now(), time.Minute, 100); err != nil || len(got) != 0 {
		t.Fatalf("claimed %d (%v) while the receiver waits for its next probe", len(got), err)
	}
	// A day later, what waited that long fails, a chunk at a time.
	clk.advance(outbox.DefaultBackoff.GiveUp + time.Minute)
	before := clk.Now().Add(-outbox.DefaultBackoff.GiveUp)
	for _, want := range []int{4, 4, 1, 0} {
		n, err := ob.ExpireDeliveries(ctx, failing, before, clk.Now(), "the receiver was failing: 503", 4)
		must(t, err)
		if n != want {
			t.Fatalf("expired %d, want %d", n, want)
		}
	}
	list, err := ob.Deliveries(ctx, f.ws.ID, failing, outbox.DeliveryFilter{Status: outbox.StatusFailed, Limit: 100})
	must(t, err)
	if len(list) != 9 || list[0].LastError != "the receiver was failing: 503" || list[0].DoneAt == nil {
		t.Fatalf("%d failed: %+v", len(list), list)
	}
}

// testEndpointAudit: the audit log, kept for good, names an endpoint by
// its kind and host: an incoming-webhook URL is a credential, and deleting
// the endpoint cannot take it out of the log. An email target's address
// stays whole.
func testEndpointAudit(t *testing.T, s chat.Store) {
	ob := outboxOf(t, s)
	f := setup(t, s, "endpoint-audit")
	const hook = "https://hooks.slack.com/services/T0SODAM/B0SODAM/s3cr3tT0ken"
	slack := &outbox.Endpoint{WorkspaceID: f.ws.ID, Kind: outbox.KindSlack, Name: "상담 알림", URL: hook, Events: []string{"conversation.waiting"}, QuietStart: -1, QuietEnd: -1}
	must(t, ob.CreateEndpoint(ctx, slack, "", chat.Who{}))
	must(t, ob.DeleteEndpoint(ctx, f.ws.ID, slack.ID, chat.Who{}))
	mail := &outbox.Endpoint{WorkspaceID: f.ws.ID, Kind: outbox.KindEmail, URL: "cs-lead@example.com", Events: []string{"conversation.waiting"}, QuietStart: -1, QuietEnd: -1}
	must(t, ob.CreateEndpoint(ctx, mail, "", chat.Who{}))
	entries, err := s.Audit(ctx, f.ws.ID, chat.AuditFilter{Limit: 10})
	must(t, err)
	var targets []string
	for _, e := range entries {
		raw, err := json.Marshal(e)
		must(t, err)
		if strings.Contains(string(raw), "s3cr3tT0ken") || strings.Contains(string(raw), "T0SODAM") {
			t.Fatalf("the audit log keeps the webhook's URL: %s", raw)
		}
		targets = append(targets, e.Target)
	}
	want := []string{"email cs-lead@example.com", "slack https://hooks.slack.com/…", "slack https://hooks.slack.com/…"}
	if !slices.Equal(targets, want) {
		t.Fatalf("audit targets %q, want %q", targets, want)
	}
}

// testDeliveryInFlightWhenDeleted: an endpoint deleted while a node is
// sending to it has its deliveries skipped, those in flight too; the
// node's late outcome — a failed attempt to retry — does not make them
// pending again, where they would stay for good (nothing claims a deleted
// endpoint's deliveries) and count in the outbox's backlog.
func testDeliveryInFlightWhenDeleted(t *testing.T, s chat.Store) {
	ob := outboxOf(t, s)
	clk := withClock(t, s)
	f := setup(t, s, "inflight")
	hook := newWebhook(t, ob, f.ws, "message.created")
	c := f.open(t, s)
	_, _, err := s.Take(ctx, f.ws.ID, c.ID, f.a1)
	must(t, err)
	send(t, s, f.ws.ID, c.ID, f.a1, "m1", "주문하신 상품이 출고되었습니다")
	claimed, err := ob.ClaimDeliveries(ctx, "node-1", clk.Now(), time.Minute, 100)
	must(t, err)
	if len(claimed) != 1 {
		t.Fatalf("claimed %d, want 1", len(claimed))
	}
	must(t, ob.DeleteEndpoint(ctx, f.ws.ID, hook.ID, chat.Who{}))
	must(t, ob.FinishDeliveries(ctx, "node-1", []outbox.Outcome{{Delivery: claimed[0], Status: outbox.StatusPending,
		NextAt: clk.Now().Add(time.Second), Code: 503, Error: "the receiver answered 503", Completed: clk.Now()}}))
	pending, err := ob.PendingDeliveries(ctx)
	must(t, err)
	if n := pending[f.ws.ID]; n != 0 {
		t.Fatalf("%d deliveries of a deleted endpoint are pending again", n)
	}
}

// WaitingAcrossUpgrade: a waiting alert written before migration 0041
// (once per target and conversation) counts as written for its
// conversation's stint in the queue then, so the upgrade does not send it
// twice. downgrade is SearchAcrossUpgrade's.
func WaitingAcrossUpgrade(t *testing.T, s chat.Store, _ bool, downgrade func(sql string) chat.Store) {
	ob := outboxOf(t, s)
	clk := withClock(t, s)
	f := setup(t, s, "upgrade0041")
	slack := &outbox.Endpoint{WorkspaceID: f.ws.ID, Kind: outbox.KindSlack, Name: "대기 알림", URL: "https://hooks.slack.com/services/T0/B0/wait",
		Events: []string{outbox.AlertWaiting}, WaitMinutes: 3, QuietStart: -1, QuietEnd: -1}
	must(t, ob.CreateEndpoint(ctx, slack, "", chat.Who{}))
	c := f.open(t, s)
	if c.State != chat.StateUnassigned {
		t.Fatalf("opened %s, want it queued", c.State)
	}
	clk.advance(3*time.Minute + time.Second)
	pending := func(ob outbox.Store, when string) {
		t.Helper()
		_, err := ob.EnqueueWaiting(ctx, f.ws.ID, c.ID)
		must(t, err)
		n, err := ob.PendingDeliveries(ctx)
		must(t, err)
		if n[f.ws.ID] != 1 {
			t.Fatalf("%s: %d waiting alerts, want 1", when, n[f.ws.ID])
		}
	}
	pending(ob, "before the upgrade")
	s = downgrade(`DROP INDEX deliveries_waiting;
CREATE UNIQUE INDEX deliveries_waiting ON deliveries (endpoint_id, conversation_id) WHERE event_type = 'conversation.waiting';
ALTER TABLE deliveries DROP COLUMN waiting_since;
DELETE FROM schema_migrations WHERE version = '0041_waiting_per_stint.sql';`)
	pending(outboxOf(t, s), "after the upgrade")
}

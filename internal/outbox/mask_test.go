package outbox_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/sodam-chat/sodam/internal/bus"
	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/event"
	"github.com/sodam-chat/sodam/internal/outbox"
	"github.com/sodam-chat/sodam/internal/pii"
)

// nowhere is a publisher with nobody behind it: the test only wants what
// Kicking tells the worker.
type nowhere struct{}

func (nowhere) Publish(context.Context, []chat.Event) {}

// TestMaskDuringAClaim: a worker claims two deliveries and, while the
// receiver keeps the first one waiting, the second's message is masked.
// The second is sent after the mask committed, so it carries the masked
// text: the claim read its event before the mask, and it sent that copy
// with the number the mask hid.
func TestMaskDuringAClaim(t *testing.T) {
	for _, kind := range kinds() {
		t.Run(kind, func(t *testing.T) {
			const number = "010-2345-6789"
			var mu sync.Mutex
			var bodies []string
			first, release := make(chan struct{}), make(chan struct{})
			var once sync.Once
			rc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				raw, _ := io.ReadAll(r.Body)
				mu.Lock()
				bodies = append(bodies, string(raw))
				n := len(bodies)
				mu.Unlock()
				if n == 1 {
					close(first)
					<-release
				}
				w.WriteHeader(http.StatusNoContent)
			}))
			t.Cleanup(func() { once.Do(func() { close(release) }); rc.Close() })
			f := newFixture(t, kind, rc.URL)
			ctx := context.Background()
			for i, body := range []string{"배송지 변경 도와드릴게요.", "기사님 연락처는 " + number + " 입니다."} {
				if _, _, _, err := f.db.AppendMessage(ctx, f.ws.ID, f.conv.ID, f.ag, chat.NewMessage{ClientMsgID: "mask-" + string(rune('a'+i)), Body: body}); err != nil {
					t.Fatal(err)
				}
			}
			msgs, err := f.db.Messages(ctx, f.ws.ID, f.conv.ID, 0, 100)
			must(t, err)
			target := msgs[len(msgs)-1]

			w := worker(f.db, "node-a")
			w.Concurrency = 1
			done := make(chan int)
			go func() { done <- w.RunDue(ctx) }()
			<-first // the claim is read, its first delivery waits at the receiver

			k, err := pii.NewKeyring(pii.GenerateKey())
			must(t, err)
			start := strings.Index(target.Body, number)
			span := pii.Span{Start: len([]rune(target.Body[:start])), Kind: pii.Phone}
			span.End = span.Start + len([]rune(number))
			_, events, err := f.db.MaskMessage(ctx, f.ws.ID, f.conv.ID, target.ID, span, k, chat.Who{AgentID: f.ag.AgentID, Name: "김상담"})
			must(t, err)
			// The node publishes what the mask committed, through the
			// worker's publisher, as app.App does.
			outbox.Kicking(nowhere{}, w).Publish(ctx, events)
			once.Do(func() { close(release) })
			if n := <-done; n != 2 {
				t.Fatalf("sent %d deliveries, want 2", n)
			}
			mu.Lock()
			defer mu.Unlock()
			if len(bodies) != 2 {
				t.Fatalf("%d requests", len(bodies))
			}
			if strings.Contains(bodies[1], number) || !strings.Contains(bodies[1], "*************") {
				t.Fatalf("the delivery sent after the mask carries %s", bodies[1])
			}
		})
	}
}

// TestMaskHeardOverBus: a worker hears of a mask committed on another
// node from the event on the cluster bus (its bytes: another node's event
// comes undecoded) — message.updated, or ticket.updated, which a ticket's
// mask is told as — and of nothing else.
func TestMaskHeardOverBus(t *testing.T) {
	b, got := spiedBus(t, 10)
	w := &outbox.Worker{Node: "node-b"}
	cancel := w.OverBus(context.Background(), b)
	defer cancel()
	conv := &chat.Conversation{ID: 7, WorkspaceID: 1, LastMessage: "기사님 연락처는 ************* 입니다."}
	for i, ev := range []chat.Event{
		{WorkspaceID: 1, Seq: 10, Type: chat.EventMessageCreated, Conversation: conv,
			Message: &chat.Message{ID: 3, ConversationID: 7, Kind: chat.KindText, Body: `"type":"message.updated"`}},
		{WorkspaceID: 1, Seq: 11, Type: chat.EventMessageUpdated, Conversation: conv,
			Message: &chat.Message{ID: 2, ConversationID: 7, Kind: chat.KindText, Body: conv.LastMessage}},
		{WorkspaceID: 1, Seq: 12, Type: chat.EventTicketUpdated, Ticket: &chat.Ticket{ID: 5, WorkspaceID: 1, Name: "홍길동", Message: "전화 주세요 *************"}},
	} {
		data, err := event.Encode(ev)
		must(t, err)
		must(t, b.Publish(context.Background(), bus.Message{WorkspaceID: 1, Seq: ev.Seq, Data: data}))
		<-got
		if n := w.RewritesHeard(); n != uint64(i) {
			t.Fatalf("after %s, %d rewrites heard; want %d", ev.Type, n, i)
		}
	}
}

// TestTicketMaskDuringAClaim: as TestMaskDuringAClaim, for a left
// message's ticket masked while a claim of ticket.created deliveries is
// being sent (its mask is told as ticket.updated).
func TestTicketMaskDuringAClaim(t *testing.T) {
	for _, kind := range kinds() {
		t.Run(kind, func(t *testing.T) {
			const number = "010-2345-6789"
			var mu sync.Mutex
			var bodies []string
			first, release := make(chan struct{}), make(chan struct{})
			var once sync.Once
			rc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				raw, _ := io.ReadAll(r.Body)
				mu.Lock()
				bodies = append(bodies, string(raw))
				n := len(bodies)
				mu.Unlock()
				if n == 1 {
					close(first)
					<-release
				}
				w.WriteHeader(http.StatusNoContent)
			}))
			t.Cleanup(func() { once.Do(func() { close(release) }); rc.Close() })
			f := newFixture(t, kind, rc.URL)
			ctx := context.Background()
			e := &outbox.Endpoint{WorkspaceID: f.ws.ID, Kind: outbox.KindWebhook, URL: rc.URL, Events: []string{"ticket.created"},
				SealedSecret: sealer.Seal(outbox.NewSecret()), QuietStart: -1, QuietEnd: -1}
			must(t, f.db.CreateEndpoint(ctx, e, "", chat.Who{}))
			var last *chat.Ticket
			for _, text := range []string{"주문 취소 부탁드립니다.", "통화 가능한 번호는 " + number + " 입니다."} {
				last = &chat.Ticket{WorkspaceID: f.ws.ID, Name: "홍길동", Contact: "hong@example.com", Message: text}
				_, err := f.db.CreateTicket(ctx, last)
				must(t, err)
			}

			w := worker(f.db, "node-a")
			w.Concurrency = 1
			done := make(chan int)
			go func() { done <- w.RunDue(ctx) }()
			<-first

			k, err := pii.NewKeyring(pii.GenerateKey())
			must(t, err)
			start := len([]rune(last.Message[:strings.Index(last.Message, number)]))
			_, events, err := f.db.MaskTicket(ctx, f.ws.ID, last.ID, pii.Span{Start: start, End: start + len([]rune(number)), Kind: pii.Phone}, k, chat.Who{AgentID: f.ag.AgentID, Name: "김상담"})
			must(t, err)
			outbox.Kicking(nowhere{}, w).Publish(ctx, events)
			once.Do(func() { close(release) })
			if n := <-done; n != 2 {
				t.Fatalf("sent %d deliveries, want 2", n)
			}
			mu.Lock()
			defer mu.Unlock()
			if len(bodies) != 2 || strings.Contains(bodies[1], number) || !strings.Contains(bodies[1], "*************") {
				t.Fatalf("the delivery sent after the mask carries %q", bodies)
			}
		})
	}
}

// TestReplyEchoingAMaskedMessage: a receiver that answers with the request
// it was sent. The request left before the message was masked, its answer
// came after: the answer is not kept to be shown in the deliveries' log,
// which a mask empties of the replies to the events it rewrote.
func TestReplyEchoingAMaskedMessage(t *testing.T) {
	for _, kind := range kinds() {
		t.Run(kind, func(t *testing.T) {
			const number = "010-2345-6789"
			arrived, release := make(chan struct{}), make(chan struct{})
			var once sync.Once
			rc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				raw, _ := io.ReadAll(r.Body)
				close(arrived)
				<-release
				w.WriteHeader(http.StatusOK)
				w.Write(raw)
			}))
			t.Cleanup(func() { once.Do(func() { close(release) }); rc.Close() })
			f := newFixture(t, kind, rc.URL)
			ctx := context.Background()
			_, _, _, err := f.db.AppendMessage(ctx, f.ws.ID, f.conv.ID, f.ag, chat.NewMessage{ClientMsgID: "echo", Body: "기사님 연락처는 " + number + " 입니다."})
			must(t, err)
			msgs, err := f.db.Messages(ctx, f.ws.ID, f.conv.ID, 0, 100)
			must(t, err)
			target := msgs[len(msgs)-1]

			w := worker(f.db, "node-a")
			done := make(chan int)
			go func() { done <- w.RunDue(ctx) }()
			<-arrived // sent with the number, not answered yet
			k, err := pii.NewKeyring(pii.GenerateKey())
			must(t, err)
			start := len([]rune("기사님 연락처는 "))
			_, events, err := f.db.MaskMessage(ctx, f.ws.ID, f.conv.ID, target.ID, pii.Span{Start: start, End: start + 13, Kind: pii.Phone}, k, chat.Who{AgentID: f.ag.AgentID, Name: "김상담"})
			must(t, err)
			outbox.Kicking(nowhere{}, w).Publish(ctx, events)
			once.Do(func() { close(release) })
			if n := <-done; n != 1 {
				t.Fatalf("sent %d deliveries, want 1", n)
			}
			list, err := f.db.Deliveries(ctx, f.ws.ID, f.endpoint, outbox.DeliveryFilter{Limit: 10})
			must(t, err)
			if len(list) != 1 || list[0].Status != outbox.StatusDelivered || strings.Contains(list[0].LastBody, number) {
				t.Fatalf("deliveries %+v: the reply recorded after the mask keeps the number", list)
			}
		})
	}
}

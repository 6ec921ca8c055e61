package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/httpapi"
	"github.com/sodam-chat/sodam/internal/jobs"
	"github.com/sodam-chat/sodam/internal/notify"
	"github.com/sodam-chat/sodam/internal/outbox"
)

// receiver is a webhook receiver started by a test. It verifies every
// request with the Standard Webhooks project's own Go library — an
// implementation independent of Sodam's — and keeps what arrived.
type receiver struct {
	t   *testing.T
	srv *httptest.Server
	mu  sync.Mutex
	wh  *standardwebhooks.Webhook
	got []received
	// answer, when set, decides the response (default 204).
	answer func(w http.ResponseWriter, r *http.Request)
	// anyTime skips the timestamp's tolerance, for tests that move the
	// server's clock away from the wall clock.
	anyTime bool
}

type received struct {
	ID   string
	Body outbox.Body
	Raw  []byte
	Err  error // the verifier's verdict
}

func newReceiver(t *testing.T) *receiver {
	rc := &receiver{t: t}
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		var err error
		switch {
		case rc.wh != nil && rc.anyTime:
			err = rc.wh.VerifyIgnoringTimestamp(raw, r.Header)
		case rc.wh != nil:
			err = rc.wh.Verify(raw, r.Header)
		}
		var b outbox.Body
		if jerr := json.Unmarshal(raw, &b); jerr != nil && err == nil {
			err = jerr
		}
		rc.got = append(rc.got, received{ID: r.Header.Get("webhook-id"), Body: b, Raw: raw, Err: err})
		answer := rc.answer
		rc.mu.Unlock()
		if answer != nil {
			answer(w, r)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *receiver) secret(s string) {
	wh, err := standardwebhooks.NewWebhook(s)
	must(rc.t, err)
	rc.mu.Lock()
	rc.wh = wh
	rc.mu.Unlock()
}

func (rc *receiver) all() []received {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]received(nil), rc.got...)
}

func (rc *receiver) types() []string {
	var out []string
	for _, g := range rc.all() {
		if g.Err != nil {
			rc.t.Fatalf("delivery %s failed verification: %v (%s)", g.ID, g.Err, g.Raw)
		}
		out = append(out, g.Body.Type)
	}
	return out
}

// worker is a delivery worker over the env's store and clock, as a node
// runs one.
func (e *env) worker() *outbox.Worker {
	secret, err := e.store.InstallationSecret(context.Background())
	must(e.t, err)
	// The store's clock is the server's, so that what is due agrees.
	e.store.(interface{ SetClock(func() time.Time) }).SetClock(e.clock.Now)
	return &outbox.Worker{Store: e.store.(outbox.Store), Reader: e.store, Sealer: outbox.NewSealer(secret),
		Client: outbox.NewClient(true, 2*time.Second), BaseURL: e.srv.URL, Log: slog.New(slog.DiscardHandler),
		Node: "test-node", Now: e.clock.Now}
}

func allowPrivate(c *httpapi.Config) { c.AllowPrivateWebhooks = true }

type createdWebhook struct {
	ID     int64    `json:"id"`
	Secret string   `json:"secret"`
	Events []string `json:"events"`
}

func deliveriesOf(t *testing.T, c *client, path string) []outbox.Delivery {
	var out struct {
		Deliveries []outbox.Delivery `json:"deliveries"`
	}
	c.json("GET", path, "", 200, &out)
	return out.Deliveries
}

// TestWebhookDeliveries: a webhook receives the events it subscribed to,
// signed so that the Standard Webhooks library verifies them; a receiver
// that fails is retried with the same webhook-id until it gives up, and a
// master redelivers what failed.
func TestWebhookDeliveries(t *testing.T) {
	t.Parallel()
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			e := newEnvOn(t, kind, allowPrivate)
			master := e.login("master")
			rc := newReceiver(t)
			var wh createdWebhook
			master.json("POST", e.shopPath()+"/webhooks", `{"url":"`+rc.srv.URL+`/hook","events":["conversation.created","message.created"]}`, 201, &wh)
			if !strings.HasPrefix(wh.Secret, "whsec_") {
				t.Fatalf("secret %q", wh.Secret)
			}
			rc.secret(wh.Secret)
			// The secret is never shown again.
			status, data := master.do("GET", e.shopPath()+"/webhooks", "")
			if status != 200 || strings.Contains(string(data), wh.Secret) || !strings.Contains(string(data), rc.srv.URL) {
				t.Fatalf("list: %d %s", status, data)
			}
			w := e.worker()
			v := e.visitor("shop", "")
			conv := v.start()
			v.json("POST", fmt.Sprintf("/api/v1/widget/conversations/%d/messages", conv.ID), `{"client_msg_id":"m1","body":"환불 문의드립니다. 주문번호 2024-1187 입니다."}`, 201, nil)
			if n := w.RunDue(t.Context()); n == 0 {
				t.Fatal("nothing was due")
			}
			types := rc.types()
			if !slices.Contains(types, "conversation.created") || !slices.Contains(types, "message.created") ||
				!slices.ContainsFunc(rc.all(), func(g received) bool { return strings.Contains(string(g.Raw), "환불 문의드립니다") }) {
				t.Fatalf("received %v", types)
			}
			for _, g := range rc.all() {
				if g.Body.Type == "message.created" && strings.Contains(string(g.Raw), `"internal":true`) {
					t.Fatalf("an internal message reached a webhook that did not ask: %s", g.Raw)
				}
			}
			list := deliveriesOf(t, master, fmt.Sprintf("%s/webhooks/%d/deliveries", e.shopPath(), wh.ID))
			if len(list) != len(types) || list[0].Status != outbox.StatusDelivered || list[0].LastCode != 204 || list[0].Attempts != 1 {
				t.Fatalf("deliveries %+v", list)
			}

			// Paged like every list: one at a time, by cursor, newest first.
			var page struct {
				Deliveries []outbox.Delivery `json:"deliveries"`
				NextCursor string            `json:"next_cursor"`
			}
			master.json("GET", fmt.Sprintf("%s/webhooks/%d/deliveries?limit=1", e.shopPath(), wh.ID), "", 200, &page)
			if len(page.Deliveries) != 1 || page.Deliveries[0].ID != list[0].ID || page.NextCursor == "" {
				t.Fatalf("first page %+v", page)
			}
			master.json("GET", fmt.Sprintf("%s/webhooks/%d/deliveries?limit=1&cursor=%s", e.shopPath(), wh.ID, page.NextCursor), "", 200, &page)
			if len(page.Deliveries) != 1 || page.Deliveries[0].ID != list[1].ID {
				t.Fatalf("second page %+v", page)
			}
			// The receiver fails with a large body: retried, same ID, an excerpt kept.
			rc.mu.Lock()
			rc.answer = func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(500)
				w.Write([]byte(strings.Repeat("서버 오류 ", 100000)))
			}
			rc.anyTime = true
			rc.mu.Unlock()
			e.clock.freeze()
			v.json("POST", fmt.Sprintf("/api/v1/widget/conversations/%d/messages", conv.ID), `{"client_msg_id":"m2","body":"아직 답변이 없네요"}`, 201, nil)
			w.RunDue(t.Context())
			list = deliveriesOf(t, master, fmt.Sprintf("%s/webhooks/%d/deliveries", e.shopPath(), wh.ID))
			d := list[0]
			if d.Status != outbox.StatusPending || d.LastCode != 500 || len(d.LastBody) > outbox.ExcerptBytes || !strings.HasPrefix(d.LastBody, "서버 오류") {
				t.Fatalf("after a failure: %+v", d)
			}
			if wait := d.NextAt.Sub(e.clock.Now()); wait < 800*time.Millisecond || wait > 1200*time.Millisecond {
				t.Fatalf("first retry in %s, want 1s ± 20%%", wait)
			}
			if w.RunDue(t.Context()) != 0 {
				t.Fatal("retried before its time")
			}
			// A receiver failing for ten minutes is retried after up to ten
			// (the cap, ±20 % jitter): 13 minutes is always past it.
			for range 3 {
				e.clock.advance(13 * time.Minute)
				w.RunDue(t.Context())
			}
			e.clock.advance(24 * time.Hour)
			w.RunDue(t.Context())
			failed := deliveriesOf(t, master, fmt.Sprintf("%s/webhooks/%d/deliveries?status=failed", e.shopPath(), wh.ID))
			if len(failed) != 1 || failed[0].ID != d.ID || failed[0].Attempts != 5 {
				t.Fatalf("failed: %+v", failed)
			}
			var ids []string
			for _, g := range rc.all() {
				if strings.Contains(string(g.Raw), "아직 답변이 없네요") {
					ids = append(ids, g.ID)
				}
			}
			if len(ids) != 5 || ids[0] != ids[4] || ids[0] != fmt.Sprintf("msg_%d", d.ID) {
				t.Fatalf("attempts carried ids %v", ids)
			}
			// Redeliver all failed: it arrives, once more, with the same ID.
			rc.mu.Lock()
			rc.answer = nil
			rc.mu.Unlock()
			var n struct {
				Redelivered int `json:"redelivered"`
			}
			master.json("POST", fmt.Sprintf("%s/webhooks/%d/redeliver-failed", e.shopPath(), wh.ID), "", 200, &n)
			if n.Redelivered != 1 || w.RunDue(t.Context()) != 1 {
				t.Fatalf("redelivered %d", n.Redelivered)
			}
			got := rc.all()
			if last := got[len(got)-1]; last.ID != ids[0] || last.Err != nil {
				t.Fatalf("redelivery %+v", last)
			}
			// One more by hand.
			master.json("POST", fmt.Sprintf("%s/webhooks/%d/deliveries/%d/redeliver", e.shopPath(), wh.ID, d.ID), "", 200, nil)
			if w.RunDue(t.Context()) != 1 {
				t.Fatal("the redelivery was not sent")
			}
			// Both redeliveries are in the audit log: a master sending
			// customers' conversations out again is an administrative
			// action, recorded with who and what was sent; a manager's
			// attempt is refused, and recorded too.
			manager := e.login("manager")
			if status, _ := manager.do("POST", fmt.Sprintf("%s/webhooks/%d/redeliver-failed", e.shopPath(), wh.ID), ""); status != 403 {
				t.Fatalf("a manager redelivered: %d", status)
			}
			var log struct {
				Entries []chat.AuditEntry `json:"entries"`
			}
			master.json("GET", e.shopPath()+"/audit-log?action=endpoint.redeliver", "", 200, &log)
			after := func(i int) string { b, _ := json.Marshal(log.Entries[i].After); return string(b) }
			if len(log.Entries) != 3 || log.Entries[0].Refused != chat.ErrRoleRequired ||
				log.Entries[1].Refused != "" || log.Entries[1].ActorName != "master" || after(1) != fmt.Sprintf(`{"delivery":%d}`, d.ID) ||
				log.Entries[2].Refused != "" || after(2) != `{"redelivered":1}` || log.Entries[2].Target != "webhook "+rc.srv.URL+"/…" {
				t.Fatalf("redeliveries audited as %+v", log.Entries)
			}
			// Another workspace's master sees none of it.
			olga := e.login("olga")
			if status, _ := olga.do("GET", fmt.Sprintf("/api/v1/workspaces/%d/webhooks/%d/deliveries", e.other.ID, wh.ID), ""); status != 404 {
				t.Fatalf("another workspace read the deliveries: %d", status)
			}
			// Deleted: pending deliveries are skipped, nothing more is written.
			master.json("DELETE", fmt.Sprintf("%s/webhooks/%d", e.shopPath(), wh.ID), "", 204, nil)
			v.json("POST", fmt.Sprintf("/api/v1/widget/conversations/%d/messages", conv.ID), `{"client_msg_id":"m3","body":"여보세요?"}`, 201, nil)
			if w.RunDue(t.Context()) != 0 {
				t.Fatal("a deleted webhook got a delivery")
			}
		})
	}
}

// TestWebhookLaterEvents: a webhook may subscribe to message.updated,
// conversation.read and ticket.replied. A masked message reaches it with
// its masked text only; a ticket's internal comment does not.
func TestWebhookLaterEvents(t *testing.T) {
	t.Parallel()
	e := newEnvWith(t, allowPrivate)
	master, kim := e.login("master"), e.login("kim")
	rc := newReceiver(t)
	var wh createdWebhook
	master.json("POST", e.shopPath()+"/webhooks", `{"url":"`+rc.srv.URL+`","events":["message.updated","conversation.read","ticket.replied"]}`, 201, &wh)
	rc.secret(wh.Secret)
	w := e.worker()
	v := e.visitor("shop", "")
	conv := v.start()
	kim.json("POST", e.convPath(conv.ID)+"/assign", "", 200, nil)
	var sent sent
	v.json("POST", fmt.Sprintf("/api/v1/widget/conversations/%d/messages", conv.ID), `{"client_msg_id":"v1","body":"제 번호는 010-2345-6789 입니다"}`, 201, &sent)
	// The agent masks the number (characters 6 to 19) and reads the message.
	kim.json("POST", fmt.Sprintf("%s/messages/%d/mask", e.convPath(conv.ID), sent.Message.ID), `{"start":6,"end":19}`, 200, nil)
	kim.json("POST", e.convPath(conv.ID)+"/read", fmt.Sprintf(`{"seq":%d}`, sent.Message.Seq), 200, nil)
	// A left message: an internal comment, then a reply.
	v2 := e.visitor("shop", "")
	v2.json("POST", "/api/v1/widget/tickets", `{"name":"김영희","contact":"young@example.com","message":"영수증을 다시 받을 수 있을까요?"}`, 201, nil)
	var tickets []chat.Ticket
	kim.json("GET", e.shopPath()+"/tickets", "", 200, &tickets)
	tpath := fmt.Sprintf("%s/tickets/%d", e.shopPath(), tickets[0].ID)
	kim.json("POST", tpath+"/replies", `{"body":"내부 메모: 결제 확인 필요","internal":true}`, 201, nil)
	kim.json("POST", tpath+"/replies", `{"body":"영수증을 메일로 보내 드렸습니다","internal":false}`, 201, nil)
	w.RunDue(t.Context())

	if got := slices.Sorted(slices.Values(rc.types())); !slices.Equal(got, []string{"conversation.read", "message.updated", "ticket.replied"}) {
		t.Fatalf("received %v", got)
	}
	for _, g := range rc.all() {
		raw := string(g.Raw)
		switch g.Body.Type {
		case "message.updated":
			if strings.Contains(raw, "2345") || strings.Contains(raw, "6789") || !strings.Contains(raw, "제 번호는 ************* 입니다") {
				t.Fatalf("the masked message: %s", raw)
			}
		case "conversation.read":
			if !strings.Contains(raw, fmt.Sprintf(`"agent_read_seq":%d`, sent.Message.Seq)) {
				t.Fatalf("the read mark: %s", raw)
			}
		case "ticket.replied":
			if strings.Contains(raw, "내부 메모") || !strings.Contains(raw, "영수증을 메일로") {
				t.Fatalf("the reply: %s", raw)
			}
		}
	}
}

// TestReceiversThatMisbehave: a receiver that redirects to another host,
// one that does not answer in time, and one on a private address when
// private addresses are not allowed all fail the attempt.
func TestReceiversThatMisbehave(t *testing.T) {
	t.Parallel()
	e := newEnvWith(t, allowPrivate)
	master := e.login("master")
	other := newReceiver(t)
	redirect := newReceiver(t)
	redirect.answer = func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, strings.Replace(other.srv.URL, "127.0.0.1", "localhost", 1)+"/elsewhere", http.StatusTemporaryRedirect)
	}
	slow := newReceiver(t)
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	slow.answer = func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}
	for _, u := range []string{redirect.srv.URL, slow.srv.URL} {
		master.json("POST", e.shopPath()+"/webhooks", `{"url":"`+u+`","events":["conversation.created"]}`, 201, nil)
	}
	w := e.worker()
	w.Client = outbox.NewClient(true, 300*time.Millisecond)
	e.visitor("shop", "").start()
	w.RunDue(t.Context())
	if n := len(other.all()); n != 0 {
		t.Fatalf("a redirect to another host was followed %d times", n)
	}
	var hooks struct {
		Webhooks []struct{ ID int64 } `json:"webhooks"`
	}
	master.json("GET", e.shopPath()+"/webhooks", "", 200, &hooks)
	r := deliveriesOf(t, master, fmt.Sprintf("%s/webhooks/%d/deliveries", e.shopPath(), hooks.Webhooks[0].ID))[0]
	s := deliveriesOf(t, master, fmt.Sprintf("%s/webhooks/%d/deliveries", e.shopPath(), hooks.Webhooks[1].ID))[0]
	if r.Status != outbox.StatusPending || r.LastCode != 307 {
		t.Fatalf("redirect: %+v", r)
	}
	if s.Status != outbox.StatusPending || s.LastError == "" || s.LastCode != 0 {
		t.Fatalf("slow: %+v", s)
	}
	// A worker that may not reach private addresses refuses at connect time.
	w.Client = outbox.NewClient(false, time.Second)
	e.clock.freeze()
	e.clock.advance(time.Hour)
	w.RunDue(t.Context())
	r = deliveriesOf(t, master, fmt.Sprintf("%s/webhooks/%d/deliveries", e.shopPath(), hooks.Webhooks[0].ID))[0]
	if !strings.Contains(r.LastError, "private") || r.Attempts != 2 {
		t.Fatalf("private: %+v", r)
	}
}

// TestIntegrationsBadInput: each refusal has its code and changes nothing.
func TestIntegrationsBadInput(t *testing.T) {
	t.Parallel()
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			e := newEnvOn(t, kind, nil) // private addresses not allowed
			master := e.login("master")
			long := "https://example.com/" + strings.Repeat("a", 2100)
			scenarios := []scenario{
				{name: "ftp webhook", as: master, method: "POST", path: e.shopPath() + "/webhooks", body: `{"url":"ftp://example.com/x","events":["message.created"]}`, status: 400, code: outbox.ErrInvalidURL},
				{name: "relative webhook", as: master, method: "POST", path: e.shopPath() + "/webhooks", body: `{"url":"/hook","events":["message.created"]}`, status: 400, code: outbox.ErrInvalidURL},
				{name: "long webhook", as: master, method: "POST", path: e.shopPath() + "/webhooks", body: `{"url":"` + long + `","events":["message.created"]}`, status: 400, code: outbox.ErrInvalidURL},
				{name: "loopback webhook", as: master, method: "POST", path: e.shopPath() + "/webhooks", body: `{"url":"http://127.0.0.1:9/x","events":["message.created"]}`, status: 400, code: outbox.ErrPrivateAddress},
				{name: "metadata webhook", as: master, method: "POST", path: e.shopPath() + "/webhooks", body: `{"url":"http://169.254.169.254/latest","events":["message.created"]}`, status: 400, code: outbox.ErrPrivateAddress},
				{name: "port out of range", as: master, method: "POST", path: e.shopPath() + "/webhooks", body: `{"url":"https://example.com:99999/x","events":["message.created"]}`, status: 400, code: outbox.ErrInvalidURL},
				{name: "port zero", as: master, method: "POST", path: e.shopPath() + "/webhooks", body: `{"url":"https://example.com:0/x","events":["message.created"]}`, status: 400, code: outbox.ErrInvalidURL},
				{name: "short loopback", as: master, method: "POST", path: e.shopPath() + "/webhooks", body: `{"url":"http://127.1/x","events":["message.created"]}`, status: 400, code: outbox.ErrInvalidURL},
				{name: "decimal loopback", as: master, method: "POST", path: e.shopPath() + "/channels", body: `{"kind":"kakao","name":"카카오","webhook_url":"http://2130706433/x"}`, status: 400, code: outbox.ErrInvalidURL},
				{name: "hex loopback", as: master, method: "POST", path: e.shopPath() + "/alert-targets", body: `{"kind":"slack","url":"http://0x7f.0.0.1/x","events":["conversation.created"]}`, status: 400, code: outbox.ErrInvalidURL},
				{name: "localhost webhook", as: master, method: "POST", path: e.shopPath() + "/webhooks", body: `{"url":"http://localhost:8080/x","events":["message.created"]}`, status: 400, code: outbox.ErrPrivateAddress},
				{name: "unknown event", as: master, method: "POST", path: e.shopPath() + "/webhooks", body: `{"url":"https://example.com/x","events":["message.exploded"]}`, status: 400, code: outbox.ErrUnknownEvent},
				{name: "no events", as: master, method: "POST", path: e.shopPath() + "/webhooks", body: `{"url":"https://example.com/x","events":[]}`, status: 400, code: chat.ErrInvalid},
				{name: "weak secret", as: master, method: "POST", path: e.shopPath() + "/webhooks", body: `{"url":"https://example.com/x","events":["message.created"],"secret":"hunter2"}`, status: 400, code: chat.ErrInvalid},
				{name: "events as a string", as: master, method: "POST", path: e.shopPath() + "/webhooks", body: `{"url":"https://example.com/x","events":"message.created"}`, status: 400, code: chat.ErrInvalid},
				{name: "channel kind", as: master, method: "POST", path: e.shopPath() + "/channels", body: `{"kind":"line","name":"라인","webhook_url":"https://example.com/x"}`, status: 400, code: chat.ErrInvalid},
				{name: "channel url", as: master, method: "POST", path: e.shopPath() + "/channels", body: `{"kind":"kakao","name":"카카오","webhook_url":"javascript:alert(1)"}`, status: 400, code: outbox.ErrInvalidURL},
				{name: "channel name", as: master, method: "POST", path: e.shopPath() + "/channels", body: `{"kind":"kakao","name":"","webhook_url":"https://example.com/x"}`, status: 400, code: chat.ErrInvalid},
				{name: "channel name of spaces", as: master, method: "POST", path: e.shopPath() + "/channels", body: `{"kind":"kakao","name":"   ","webhook_url":"https://example.com/x"}`, status: 400, code: chat.ErrInvalid},
				{name: "channel name turned around", as: master, method: "POST", path: e.shopPath() + "/channels", body: `{"kind":"kakao","name":"카카오\u202e톡","webhook_url":"https://example.com/x"}`, status: 400, code: chat.ErrInvalid},
				{name: "url turned around", as: master, method: "POST", path: e.shopPath() + "/webhooks", body: `{"url":"https://\u202emoc.elpmaxe/x","events":["message.created"]}`, status: 400, code: outbox.ErrInvalidURL},
				{name: "alert kind", as: master, method: "POST", path: e.shopPath() + "/alert-targets", body: `{"kind":"teams","url":"https://example.com/x","events":["conversation.created"]}`, status: 400, code: chat.ErrInvalid},
				{name: "alert email", as: master, method: "POST", path: e.shopPath() + "/alert-targets", body: `{"kind":"email","url":"not an address","events":["conversation.created"]}`, status: 400, code: chat.ErrInvalid},
				{name: "alert event", as: master, method: "POST", path: e.shopPath() + "/alert-targets", body: `{"kind":"slack","url":"https://hooks.slack.com/services/T0/B0/x","events":["message.created"]}`, status: 400, code: outbox.ErrUnknownEvent},
				{name: "alert wait", as: master, method: "POST", path: e.shopPath() + "/alert-targets", body: `{"kind":"slack","url":"https://hooks.slack.com/services/T0/B0/x","events":["conversation.waiting"],"wait_minutes":5000}`, status: 400, code: chat.ErrInvalid},
				{name: "quiet hours half set", as: master, method: "PUT", path: e.shopPath() + "/me/alerts", body: `{"events":["conversation.created"],"quiet_start":1320,"quiet_end":-1}`, status: 400, code: chat.ErrInvalid},
				{name: "unknown webhook", as: master, method: "GET", path: e.shopPath() + "/webhooks/999999/deliveries", status: 404, code: outbox.ErrEndpointNotFound},
				{name: "bad status filter", as: master, method: "GET", path: e.shopPath() + "/webhooks/999999/deliveries?status=lost", status: 404, code: outbox.ErrEndpointNotFound},
				{name: "unknown delivery", as: master, method: "DELETE", path: e.shopPath() + "/channels/999999", status: 404, code: outbox.ErrEndpointNotFound},
				{name: "agent creates a webhook", as: e.login("kim"), method: "POST", path: e.shopPath() + "/webhooks", body: `{"url":"https://example.com/x","events":["message.created"]}`, status: 403, code: chat.ErrRoleRequired},
			}
			e.refuse(func() string {
				ob := e.store.(outbox.Store)
				eps, err := ob.Endpoints(t.Context(), e.shop.ID)
				must(t, err)
				return fmt.Sprint(len(eps), e.lastSeqs())
			}, scenarios)
			// A name is kept as checked: trimmed.
			var ch struct{ Name string }
			master.json("POST", e.shopPath()+"/channels", `{"kind":"kakao","name":"  카카오톡 @소담샵  ","webhook_url":"https://example.com/x"}`, 201, &ch)
			if ch.Name != "카카오톡 @소담샵" {
				t.Fatalf("the channel's name was kept as %q", ch.Name)
			}
		})
	}
}

// TestAlerts: a new chat reaches a Slack-style, a Jandi and an email
// target, each with a link to the console; an agent's own email alerts
// keep quiet hours; a chat left waiting alerts once its wait is over.
func TestAlerts(t *testing.T) {
	t.Parallel()
	smtp := newSMTPServer(t)
	e := newEnvWith(t, func(c *httpapi.Config) { allowPrivate(c); c.Mail = smtp.mailer() })
	master := e.login("master")
	slack, jandi := newReceiver(t), newReceiver(t)
	master.json("POST", e.shopPath()+"/alert-targets", `{"kind":"slack","url":"`+slack.srv.URL+`","events":["conversation.created","ticket.created","conversation.waiting"],"wait_minutes":3}`, 201, nil)
	master.json("POST", e.shopPath()+"/alert-targets", `{"kind":"jandi","url":"`+jandi.srv.URL+`","events":["conversation.created"]}`, 201, nil)
	master.json("POST", e.shopPath()+"/alert-targets", `{"kind":"email","url":"desk@example.com","events":["conversation.created"]}`, 201, nil)
	// kim wants new chats by email, except at night (22:00–08:00).
	kim := e.login("kim")
	kim.json("PUT", e.shopPath()+"/me/alerts", `{"events":["conversation.created"],"quiet_start":1320,"quiet_end":480}`, 200, nil)
	var mine struct {
		Events     []string `json:"events"`
		QuietStart int      `json:"quiet_start"`
	}
	kim.json("GET", e.shopPath()+"/me/alerts", "", 200, &mine)
	if len(mine.Events) != 1 || mine.QuietStart != 1320 {
		t.Fatalf("kim's alerts %+v", mine)
	}
	var targets struct {
		SMTP bool `json:"smtp_configured"`
	}
	master.json("GET", e.shopPath()+"/alert-targets", "", 200, &targets)
	if !targets.SMTP {
		t.Fatal("smtp_configured is false with an SMTP server")
	}
	// lee wants to hear of chats given to them while away.
	lee := e.login("lee")
	lee.json("PUT", e.shopPath()+"/me/alerts", `{"events":["conversation.assigned_away"],"quiet_start":-1,"quiet_end":-1}`, 200, nil)
	// Conversations queue (manual assignment, the default) and nobody takes this one.
	loc := e.shop.Settings.Location()
	day := time.Date(2026, 3, 9, 14, 0, 0, 0, loc)
	e.clock.mu.Lock()
	e.clock.frozen = day
	e.clock.mu.Unlock()
	w := e.worker()
	w.Mail = smtp.mailer()
	v := e.visitor("shop", `,"extra":{"cus_extra_username":"김민지"}`)
	conv := v.start()
	v.json("POST", fmt.Sprintf("/api/v1/widget/conversations/%d/messages", conv.ID), `{"client_msg_id":"m1","body":"배송이 아직 안 왔어요"}`, 201, nil)
	w.RunDue(t.Context())
	// The link names the workspace, for an agent in several (app.js reads ?ws=).
	link := fmt.Sprintf("%s/console/?ws=%d#/c/%d", e.srv.URL, e.shop.ID, conv.ID)
	if g := slack.all(); len(g) != 1 || !strings.Contains(string(g[0].Raw), "새 상담 요청") || !strings.Contains(string(g[0].Raw), link) {
		t.Fatalf("slack got %v", g)
	}
	var jb struct {
		Body         string `json:"body"`
		ConnectColor string `json:"connectColor"`
		ConnectInfo  []struct{ Title, Description string }
	}
	if g := jandi.all(); len(g) != 1 || json.Unmarshal(g[0].Raw, &jb) != nil || !strings.Contains(jb.Body, link) || len(jb.ConnectInfo) != 1 {
		t.Fatalf("jandi got %v", jandi.all())
	}
	mails := smtp.wait(t, 2)
	var desk, kimMail bool
	for _, m := range mails {
		desk = desk || strings.Contains(m, "desk@example.com") && strings.Contains(m, fmt.Sprintf("#/c/%d", conv.ID))
		kimMail = kimMail || strings.Contains(m, "kim@example.com")
	}
	if !desk || !kimMail {
		t.Fatalf("mails %v", mails)
	}
	// Waiting 3 minutes unassigned: one alert; the job runs once more and adds none.
	e.clock.advance(3*time.Minute + time.Second)
	runJobs(t, e, w)
	w.RunDue(t.Context())
	waiting := 0
	for _, g := range slack.all() {
		if strings.Contains(string(g.Raw), "대기 중") {
			waiting++
		}
	}
	if waiting != 1 {
		t.Fatalf("waiting alerts: %d", waiting)
	}
	// lee, away, receives no transfer (§3.1: only online agents receive
	// chats), but may take one themselves, which alerts lee alone.
	e.setStatus("lee", chat.StatusAway)
	var refused struct{ Error struct{ Code string } }
	master.json("POST", e.convPath(conv.ID)+"/transfer", fmt.Sprintf(`{"agent_id":%d,"reason":"배송 담당"}`, e.agents["lee"].ID), 409, &refused)
	if refused.Error.Code != chat.ErrAgentNotOnline {
		t.Fatalf("a transfer to lee while away: %+v", refused)
	}
	lee.json("POST", e.convPath(conv.ID)+"/assign", "", 200, nil)
	w.RunDue(t.Context())
	mails = smtp.wait(t, 3)
	if last := mails[2]; !strings.Contains(last, "lee@example.com") || strings.Contains(last, "kim@example.com") {
		t.Fatalf("the away alert: %s", last)
	}
	// At night kim's alert is skipped; the desk's still goes.
	night := time.Date(2026, 3, 9, 23, 30, 0, 0, loc)
	e.clock.mu.Lock()
	e.clock.frozen = night
	e.clock.mu.Unlock()
	e.visitor("shop", `,"extra":{"cus_extra_username":"박서준"}`).start()
	w.RunDue(t.Context())
	smtp.wait(t, 4)
	time.Sleep(200 * time.Millisecond)
	if n := len(smtp.all()); n != 4 {
		t.Fatalf("%d mails at night, want 4 (kim's skipped)", n)
	}
	// A left message's alert links to the ticket itself, in its workspace.
	e.visitor("shop", "").json("POST", "/api/v1/widget/tickets", `{"name":"김영희","contact":"young@example.com","message":"영수증을 다시 받을 수 있을까요?"}`, 201, nil)
	w.RunDue(t.Context())
	var tickets []chat.Ticket
	master.json("GET", e.shopPath()+"/tickets", "", 200, &tickets)
	g := slack.all()
	if last := string(g[len(g)-1].Raw); len(tickets) != 1 || !strings.Contains(last, "새 부재 메시지") ||
		!strings.Contains(last, fmt.Sprintf("%s/console/?ws=%d#/tickets/%d", e.srv.URL, e.shop.ID, tickets[0].ID)) {
		t.Fatalf("the left message's alert: %s", last)
	}
}

// TestAlertsNeedSMTP: on a node without an SMTP server, an email target
// and an agent's own email alerts are refused with 409
// smtp_not_configured and a message saying why, and nothing changes;
// Slack targets still work, an agent may still turn theirs off, and the
// lists say smtp_configured false for the console. An email target made
// while the node had SMTP fails at once once it has none — failed, with
// the reason, not retried for a day — and is not redelivered.
func TestAlertsNeedSMTP(t *testing.T) {
	t.Parallel()
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			e := newEnvOn(t, kind, allowPrivate) // no SMTP
			master, kim := e.login("master"), e.login("kim")
			ob := e.store.(outbox.Store)
			state := func() string {
				eps, err := ob.Endpoints(t.Context(), e.shop.ID)
				must(t, err)
				mine, err := ob.PersonalAlerts(t.Context(), e.shop.ID, e.agents["kim"].ID)
				must(t, err)
				return fmt.Sprint(len(eps), mine, e.lastSeqs())
			}
			targets := e.shopPath() + "/alert-targets"
			e.refuse(state, []scenario{
				{name: "an email target", as: master, method: "POST", path: targets, body: `{"kind":"email","url":"desk@example.com","events":["conversation.created"]}`, status: 409, code: outbox.ErrSMTPNotConfigured},
				{name: "my email alerts", as: kim, method: "PUT", path: e.shopPath() + "/me/alerts", body: `{"events":["conversation.created"],"quiet_start":-1,"quiet_end":-1}`, status: 409, code: outbox.ErrSMTPNotConfigured},
				// Bad input is told first.
				{name: "a bad address", as: master, method: "POST", path: targets, body: `{"kind":"email","url":"desk","events":["conversation.created"]}`, status: 400, code: chat.ErrInvalid},
			})
			if _, msg := errorBodyOf(t, func() []byte {
				_, data := master.do("POST", targets, `{"kind":"email","url":"desk@example.com","events":["conversation.created"]}`)
				return data
			}()); !strings.Contains(msg, "SMTP") {
				t.Errorf("the refusal says %q", msg)
			}
			master.json("POST", targets, `{"kind":"slack","url":"https://hooks.slack.com/services/T0/B0/x","events":["conversation.created"]}`, 201, nil)
			var mine struct {
				Events []string `json:"events"`
				SMTP   *bool    `json:"smtp_configured"`
			}
			kim.json("PUT", e.shopPath()+"/me/alerts", `{"events":[],"quiet_start":-1,"quiet_end":-1}`, 200, &mine)
			if mine.SMTP == nil || *mine.SMTP {
				t.Fatalf("PUT my alerts: smtp_configured %v", mine.SMTP)
			}
			kim.json("GET", e.shopPath()+"/me/alerts", "", 200, &mine)
			var list struct {
				Targets []struct{ Kind string } `json:"alert_targets"`
				SMTP    *bool                   `json:"smtp_configured"`
			}
			master.json("GET", targets, "", 200, &list)
			if mine.SMTP == nil || *mine.SMTP || list.SMTP == nil || *list.SMTP || len(list.Targets) != 1 {
				t.Fatalf("GET my alerts: smtp_configured %v; the targets %+v, smtp_configured %v", mine.SMTP, list.Targets, list.SMTP)
			}

			// A target from before the SMTP server was taken away.
			desk := &outbox.Endpoint{WorkspaceID: e.shop.ID, Kind: outbox.KindEmail, URL: "desk@example.com", Events: []string{outbox.AlertNewChat}, QuietStart: -1, QuietEnd: -1}
			must(t, ob.CreateEndpoint(t.Context(), desk, "", chat.Who{}))
			e.visitor("shop", "").start()
			e.worker().RunDue(t.Context())
			path := fmt.Sprintf("%s/%d", targets, desk.ID)
			ds := deliveriesOf(t, master, path+"/deliveries")
			if len(ds) != 1 || ds[0].Status != outbox.StatusFailed || ds[0].Attempts != 1 || ds[0].DoneAt == nil || !strings.Contains(ds[0].LastError, "no SMTP server") {
				t.Fatalf("the email alert without SMTP: %+v", ds)
			}
			e.refuse(func() string { return fmt.Sprint(deliveriesOf(t, master, path+"/deliveries")) }, []scenario{
				{name: "redeliver one", as: master, method: "POST", path: fmt.Sprintf("%s/deliveries/%d/redeliver", path, ds[0].ID), status: 409, code: outbox.ErrSMTPNotConfigured},
				{name: "redeliver the failed", as: master, method: "POST", path: path + "/redeliver-failed", status: 409, code: outbox.ErrSMTPNotConfigured},
			})
		})
	}
}

// TestWaitingAlertForReturnedChat: a chat that goes back to the queue
// (its agent deactivated) waits anew, and its waiting alert is sent again
// once the wait is over: once per stint in the queue, and no new-chat
// alert, since nobody newly asked.
func TestWaitingAlertForReturnedChat(t *testing.T) {
	t.Parallel()
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			e := newEnvOn(t, kind, allowPrivate)
			master, kim := e.login("master"), e.login("kim")
			slack := newReceiver(t)
			master.json("POST", e.shopPath()+"/alert-targets", `{"kind":"slack","url":"`+slack.srv.URL+`","events":["conversation.created","conversation.waiting"],"wait_minutes":3}`, 201, nil)
			e.clock.mu.Lock()
			e.clock.frozen = time.Date(2026, 3, 9, 14, 0, 0, 0, e.shop.Settings.Location())
			e.clock.mu.Unlock()
			w := e.worker()
			alerts := func() (newChat, waiting int) {
				t.Helper()
				runJobs(t, e, w)
				w.RunDue(t.Context())
				for _, g := range slack.all() {
					newChat += strings.Count(string(g.Raw), "새 상담 요청")
					waiting += strings.Count(string(g.Raw), "3분째 대기 중")
				}
				return newChat, waiting
			}
			conv := e.visitor("shop", `,"extra":{"cus_extra_username":"김민지"}`).start()
			e.clock.advance(3*time.Minute + time.Second)
			if n, wt := alerts(); n != 1 || wt != 1 {
				t.Fatalf("after the first wait: %d new-chat and %d waiting alerts", n, wt)
			}
			// kim takes it, and leaves the team: the chat is back in the queue.
			kim.json("POST", e.convPath(conv.ID)+"/assign", "", 200, nil)
			e.clock.advance(time.Minute)
			master.json("PATCH", fmt.Sprintf("%s/agents/%d", e.shopPath(), e.agents["kim"].ID), `{"active":false}`, 200, nil)
			e.clock.advance(2 * time.Minute)
			if n, wt := alerts(); n != 1 || wt != 1 {
				t.Fatalf("2 minutes after it went back: %d new-chat and %d waiting alerts", n, wt)
			}
			e.clock.advance(time.Minute + time.Second)
			if n, wt := alerts(); n != 1 || wt != 2 {
				t.Fatalf("3 minutes after it went back: %d new-chat and %d waiting alerts, want 1 and 2", n, wt)
			}
			e.clock.advance(10 * time.Minute)
			if n, wt := alerts(); n != 1 || wt != 2 {
				t.Fatalf("the same stint again: %d new-chat and %d waiting alerts, want 1 and 2", n, wt)
			}
		})
	}
}

// TestAlertsWithRobot: with the robot on, a chat asks for a person when the
// robot hands it over, not when the robot starts answering: the new-chat
// alert and the waiting alert follow the handover; an agent taking a chat
// over from the robot alerts nobody.
func TestAlertsWithRobot(t *testing.T) {
	t.Parallel()
	e := newEnvWith(t, allowPrivate)
	master := e.login("master")
	slack := newReceiver(t)
	master.json("POST", e.shopPath()+"/alert-targets", `{"kind":"slack","url":"`+slack.srv.URL+`","events":["conversation.created","conversation.waiting"],"wait_minutes":3}`, 201, nil)
	master.json("PATCH", e.shopPath(), `{"settings":{"robot":{"enabled":true}}}`, 200, nil)
	e.clock.mu.Lock()
	e.clock.frozen = time.Date(2026, 3, 9, 14, 0, 0, 0, e.shop.Settings.Location())
	e.clock.mu.Unlock()
	w := e.worker()
	got := func() (out []string) {
		for _, g := range slack.all() {
			out = append(out, string(g.Raw))
		}
		return out
	}
	alerts := func(words string) int {
		t.Helper()
		runJobs(t, e, w)
		w.RunDue(t.Context())
		n := 0
		for _, g := range slack.all() {
			if strings.Contains(string(g.Raw), words) {
				n++
			}
		}
		return n
	}
	v := e.visitor("shop", `,"extra":{"cus_extra_username":"김민지"}`)
	conv := v.start()
	if conv.State != chat.StateBot {
		t.Fatalf("started %s", conv.State)
	}
	send := func(cmid, body string) {
		v.json("POST", fmt.Sprintf("/api/v1/widget/conversations/%d/messages", conv.ID), fmt.Sprintf(`{"client_msg_id":%q,"body":%q}`, cmid, body), 201, nil)
	}
	send("q1", "배송이 아직 안 왔어요")
	e.clock.advance(10 * time.Minute)
	if n := len(slack.all()) + alerts(""); n != 0 {
		t.Fatalf("alerts while the robot answers: %v", got())
	}
	// The visitor asks for a person: a new chat request, now.
	send("q2", "상담원 연결해주세요")
	if n := alerts("새 상담 요청"); n != 1 || !strings.Contains(string(slack.all()[0].Raw), fmt.Sprintf("/c/%d", conv.ID)) {
		t.Fatalf("after the handover: %v", got())
	}
	// Left waiting 3 minutes since then (13 since it began): one waiting alert.
	e.clock.advance(2 * time.Minute)
	if n := alerts("대기 중"); n != 0 {
		t.Fatalf("waiting alert too early: %v", got())
	}
	e.clock.advance(time.Minute + time.Second)
	if n := alerts("3분째 대기 중"); n != 1 {
		t.Fatalf("waiting alerts: %v", got())
	}
	// An agent takes another chat over from the robot: nobody asked.
	other := e.visitor("shop", "").start()
	master.json("POST", e.convPath(other.ID)+"/assign", "", 200, nil)
	e.clock.advance(10 * time.Minute)
	if n := alerts(""); n != 2 {
		t.Fatalf("a take-over alerted: %v", got())
	}
}

// TestAlertsQuoteOnce: a shared target's alert is worded in Korean and
// English, but what the customer wrote — the last message of a chat left
// waiting, a left message — is quoted once, under both languages' labels.
func TestAlertsQuoteOnce(t *testing.T) {
	t.Parallel()
	e := newEnvWith(t, allowPrivate)
	slack := newReceiver(t)
	e.login("master").json("POST", e.shopPath()+"/alert-targets", `{"kind":"slack","url":"`+slack.srv.URL+`","events":["conversation.waiting","ticket.created"],"wait_minutes":1}`, 201, nil)
	e.clock.freeze()
	w := e.worker()
	v := e.visitor("shop", `,"extra":{"cus_extra_username":"김민지"}`)
	conv := v.start()
	v.json("POST", fmt.Sprintf("/api/v1/widget/conversations/%d/messages", conv.ID), `{"client_msg_id":"m1","body":"배송이 아직 안 왔어요"}`, 201, nil)
	e.clock.advance(time.Minute + time.Second)
	runJobs(t, e, w)
	w.RunDue(t.Context())
	e.visitor("shop", "").json("POST", "/api/v1/widget/tickets", `{"name":"김영희","contact":"young@example.com","message":"영수증을 다시 받을 수 있을까요?"}`, 201, nil)
	w.RunDue(t.Context())
	got := slack.all()
	if len(got) != 2 {
		t.Fatalf("%d alerts, want 2", len(got))
	}
	for i, said := range []string{"배송이 아직 안 왔어요", "영수증을 다시 받을 수 있을까요?"} {
		var body struct{ Text string }
		must(t, json.Unmarshal(got[i].Raw, &body))
		label := [2]string{"마지막 메시지 / Last message: “", "남긴 메시지 / Message: “"}[i]
		if n := strings.Count(body.Text, said); n != 1 || !strings.Contains(body.Text, label+said+"”") ||
			!strings.Contains(body.Text, "님") || !strings.Contains(body.Text, "Open in the console") {
			t.Fatalf("alert %d quotes %q %d times:\n%s", i, said, n, body.Text)
		}
	}
}

// smtpInbox is a real SMTP server (fakeSMTP) that keeps every message.
type smtpInbox struct {
	addr string
	mu   sync.Mutex
	got  []string
}

func newSMTPServer(t *testing.T) *smtpInbox {
	ch := make(chan string, 100)
	mb := &smtpInbox{addr: fakeSMTP(t, ch)}
	go func() {
		for m := range ch {
			mb.mu.Lock()
			mb.got = append(mb.got, m)
			mb.mu.Unlock()
		}
	}()
	return mb
}

func (mb *smtpInbox) all() []string {
	mb.mu.Lock()
	defer mb.mu.Unlock()
	return append([]string(nil), mb.got...)
}

func (mb *smtpInbox) wait(t *testing.T, n int) []string {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if got := mb.all(); len(got) >= n {
			return got
		}
	}
	t.Fatalf("%d emails arrived, want %d", len(mb.all()), n)
	return nil
}

func (mb *smtpInbox) mailer() *notify.Mailer {
	host, port, _ := net.SplitHostPort(mb.addr)
	p, _ := strconv.Atoi(port)
	return notify.NewMailer(notify.SMTP{Host: host, Port: p, From: "Sodam <sodam@example.com>", TLS: "none"}, slog.New(slog.DiscardHandler))
}

// runJobs runs the durable jobs due on the env's clock with the outbox's
// waiting-alert handler, as a node's job runner does.
func runJobs(t *testing.T, e *env, w *outbox.Worker) {
	t.Helper()
	r := &jobs.Runner{Store: e.store, Handlers: jobs.Registry{outbox.JobWaiting: w.WaitingJob()}, Log: slog.New(slog.DiscardHandler),
		Node: "test-node", Lease: time.Minute, Now: e.clock.Now}
	r.RunDue(t.Context())
}

// TestAlertsStopWhenDeactivated: a member's own email alerts stop when a
// master deactivates them — an employee who left reads no more customers'
// names and words — both those written after and those still pending; they
// resume, as the member had set them, once the member is active again.
func TestAlertsStopWhenDeactivated(t *testing.T) {
	t.Parallel()
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			smtp := newSMTPServer(t)
			e := newEnvOn(t, kind, func(c *httpapi.Config) { allowPrivate(c); c.Mail = smtp.mailer() })
			master, kim := e.login("master"), e.login("kim")
			master.json("POST", e.shopPath()+"/alert-targets", `{"kind":"email","url":"desk@example.com","events":["conversation.created"]}`, 201, nil)
			kim.json("PUT", e.shopPath()+"/me/alerts", `{"events":["conversation.created"],"quiet_start":-1,"quiet_end":-1}`, 200, nil)
			w := e.worker()
			w.Mail = smtp.mailer()
			kimPath := fmt.Sprintf("%s/agents/%d", e.shopPath(), e.agents["kim"].ID)
			kimMails := func() int {
				n := 0
				for _, m := range smtp.all() {
					if strings.Contains(m, "kim@example.com") {
						n++
					}
				}
				return n
			}
			// A chat's alerts are written, then kim is deactivated before
			// the worker sends them; another chat comes after.
			e.visitor("shop", "").start()
			master.json("PATCH", kimPath, `{"active":false}`, 200, nil)
			e.visitor("shop", "").start()
			w.RunDue(t.Context())
			smtp.wait(t, 2) // the desk's two
			time.Sleep(200 * time.Millisecond)
			if n := kimMails(); n != 0 || len(smtp.all()) != 2 {
				t.Fatalf("deactivated kim got %d alerts (%d mails in all)", n, len(smtp.all()))
			}
			master.json("PATCH", kimPath, `{"active":true}`, 200, nil)
			e.visitor("shop", "").start()
			w.RunDue(t.Context())
			smtp.wait(t, 4)
			if n := kimMails(); n != 1 {
				t.Fatalf("kim, active again, got %d alerts", n)
			}
		})
	}
}

// TestAlertsStopWhenTurnedOff: an agent's own email alerts turned off
// stop at once, also those already written and not yet sent (the worker
// had not come to them, or the mail server was down and they retried): an
// agent flooded by alerts turns them off and hears no more of them, as
// quiet hours set since are kept.
func TestAlertsStopWhenTurnedOff(t *testing.T) {
	t.Parallel()
	smtp := newSMTPServer(t)
	e := newEnvWith(t, func(c *httpapi.Config) { allowPrivate(c); c.Mail = smtp.mailer() })
	master, kim := e.login("master"), e.login("kim")
	master.json("POST", e.shopPath()+"/alert-targets", `{"kind":"email","url":"desk@example.com","events":["conversation.created"]}`, 201, nil)
	kim.json("PUT", e.shopPath()+"/me/alerts", `{"events":["conversation.created"],"quiet_start":-1,"quiet_end":-1}`, 200, nil)
	w := e.worker()
	w.Mail = smtp.mailer()
	// A chat's alerts are written; kim turns hers off before they go.
	e.visitor("shop", "").start()
	kim.json("PUT", e.shopPath()+"/me/alerts", `{"events":[],"quiet_start":-1,"quiet_end":-1}`, 200, nil)
	w.RunDue(t.Context())
	smtp.wait(t, 1) // the desk's
	time.Sleep(200 * time.Millisecond)
	for _, m := range smtp.all() {
		if strings.Contains(m, "kim@example.com") {
			t.Fatalf("kim turned her alerts off and still got one (%d mails in all)", len(smtp.all()))
		}
	}
}

// TestSlackAlertEscapesWhatCustomersWrite: what a customer writes reaches
// a Slack-style alert as text: Slack's control sequences in a name or a
// message (<!channel> pinging the whole channel, <url|label> making a link
// that reads like another) are escaped, as Slack asks; the alert's own
// link to the console stays a link.
func TestSlackAlertEscapesWhatCustomersWrite(t *testing.T) {
	t.Parallel()
	e := newEnvWith(t, allowPrivate)
	slack := newReceiver(t)
	e.login("master").json("POST", e.shopPath()+"/alert-targets", `{"kind":"slack","url":"`+slack.srv.URL+`","events":["ticket.created"]}`, 201, nil)
	w := e.worker()
	e.visitor("shop", "").json("POST", "/api/v1/widget/tickets", `{"name":"<!channel> 김영희","contact":"young@example.com","message":"<https://phish.example/login|영수증 다시 받기> & 환불"}`, 201, nil)
	w.RunDue(t.Context())
	got := slack.all()
	if len(got) != 1 {
		t.Fatalf("%d alerts, want 1", len(got))
	}
	var body struct{ Text string }
	must(t, json.Unmarshal(got[0].Raw, &body))
	if strings.Contains(body.Text, "<!channel>") || strings.Contains(body.Text, "<https://phish.example") ||
		!strings.Contains(body.Text, "&lt;!channel&gt; 김영희") || !strings.Contains(body.Text, "&lt;https://phish.example/login|영수증 다시 받기&gt; &amp; 환불") {
		t.Fatalf("the customer's words reach Slack unescaped:\n%s", body.Text)
	}
	if !strings.Contains(body.Text, "<"+e.srv.URL+"/console/?ws=") {
		t.Fatalf("the alert's own link is gone:\n%s", body.Text)
	}
}

// TestSlackAlertQuietForMarkdownReceivers: the Slack-style target also
// serves Mattermost and Rocket.Chat, which render markdown and @-mentions
// in the same body. What a customer writes stays text there too: their
// @channel or @all calls no one, their [label](url) makes no link and
// their ![x](url) no image — each broken by an invisible word joiner —
// while an email address they leave is as written.
func TestSlackAlertQuietForMarkdownReceivers(t *testing.T) {
	t.Parallel()
	e := newEnvWith(t, allowPrivate)
	slack := newReceiver(t)
	e.login("master").json("POST", e.shopPath()+"/alert-targets", `{"kind":"slack","url":"`+slack.srv.URL+`","events":["ticket.created"]}`, 201, nil)
	w := e.worker()
	e.visitor("shop", "").json("POST", "/api/v1/widget/tickets", `{"name":"@channel 김영희","contact":"young.kim@example.com","message":"@all 환불 [영수증 다시 받기](https://phish.example/login) ![x](https://track.example/p.png) 연락은 young.kim@example.com 으로"}`, 201, nil)
	w.RunDue(t.Context())
	got := slack.all()
	if len(got) != 1 {
		t.Fatalf("%d alerts, want 1", len(got))
	}
	var body struct{ Text string }
	must(t, json.Unmarshal(got[0].Raw, &body))
	for _, loud := range []string{"@channel", "@all", "](https://phish", "](https://track"} {
		if strings.Contains(body.Text, loud) {
			t.Fatalf("%q reaches a markdown receiver as written:\n%s", loud, body.Text)
		}
	}
	plain := strings.ReplaceAll(body.Text, "\u2060", "")
	if !strings.Contains(plain, "@channel 김영희") || !strings.Contains(plain, "@all 환불 [영수증 다시 받기](https://phish.example/login) ![x](https://track.example/p.png)") {
		t.Fatalf("the customer's words are changed:\n%s", body.Text)
	}
	// The contact's and the message's: the @ after a letter is no mention.
	if strings.Count(body.Text, "young.kim@example.com") < 2 || !strings.Contains(body.Text, "young.kim@example.com 으로") {
		t.Fatalf("an email address is not as written:\n%q", body.Text)
	}
}

// TestJandiAlertEscapesWhatCustomersWrite: what a customer writes
// reaches a Jandi alert as text. Jandi renders [label](url) as a link, so
// a name or a message written as one would show a link to anywhere,
// labelled as the customer likes — and a stray "]" in a name inside the
// alert's own link label would close it early and lose the link. Every
// "]" a customer wrote is followed by an invisible word joiner (no link
// form survives it), and the alert's own link keeps a label of our words.
func TestJandiAlertEscapesWhatCustomersWrite(t *testing.T) {
	t.Parallel()
	e := newEnvWith(t, allowPrivate)
	jandi := newReceiver(t)
	e.login("master").json("POST", e.shopPath()+"/alert-targets", `{"kind":"jandi","url":"`+jandi.srv.URL+`","events":["ticket.created"]}`, 201, nil)
	w := e.worker()
	e.visitor("shop", "").json("POST", "/api/v1/widget/tickets", `{"name":"[환불 담당](https://phish.example/a) 김영희]","contact":"young@example.com","message":"[영수증 다시 받기](https://phish.example/login) 부탁드려요\n[1]: https://phish.example/ref"}`, 201, nil)
	w.RunDue(t.Context())
	got := jandi.all()
	if len(got) != 1 {
		t.Fatalf("%d alerts, want 1", len(got))
	}
	var jb struct {
		Body        string `json:"body"`
		ConnectInfo []struct{ Title, Description string }
	}
	must(t, json.Unmarshal(got[0].Raw, &jb))
	if len(jb.ConnectInfo) != 1 {
		t.Fatalf("jandi got %s", got[0].Raw)
	}
	desc := jb.ConnectInfo[0].Description
	for _, s := range []string{jb.Body, desc} {
		if strings.Contains(s, "](https://phish") || strings.Contains(s, "]: https://phish") {
			t.Fatalf("the customer's words reach Jandi as a link:\n%s", s)
		}
	}
	// Read without the joiners, the words are as written.
	plain := strings.ReplaceAll(jb.Body+desc, "\u2060", "")
	if !strings.Contains(plain, "[환불 담당](https://phish.example/a) 김영희]") || !strings.Contains(plain, "[영수증 다시 받기](https://phish.example/login) 부탁드려요") {
		t.Fatalf("the customer's words are changed:\n%s\n%s", jb.Body, desc)
	}
	var tickets []chat.Ticket
	e.login("master").json("GET", e.shopPath()+"/tickets", "", 200, &tickets)
	link := fmt.Sprintf("%s/console/?ws=%d#/tickets/%d", e.srv.URL, e.shop.ID, tickets[0].ID)
	if last := jb.Body[strings.LastIndex(jb.Body, "\n")+1:]; !strings.HasPrefix(last, "[상담 콘솔에서 열기") || !strings.HasSuffix(last, "]("+link+")") {
		t.Fatalf("the alert's own link is not the body's last line:\n%s", jb.Body)
	}
}

// TestLeftMessageAlertOnlyForLeftMessages (§10.1): the left-message alert
// (ticket.created, "새 부재 메시지") is for what a customer left in the
// widget; a ticket an agent makes — from a call, or from a chat — alerts
// nobody (a webhook subscribed to ticket.created still receives both).
func TestLeftMessageAlertOnlyForLeftMessages(t *testing.T) {
	t.Parallel()
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			e := newEnvOn(t, kind, allowPrivate)
			master, kim := e.login("master"), e.login("kim")
			slack, hook := newReceiver(t), newReceiver(t)
			master.json("POST", e.shopPath()+"/alert-targets", `{"kind":"slack","url":"`+slack.srv.URL+`","events":["ticket.created"]}`, 201, nil)
			master.json("POST", e.shopPath()+"/webhooks", `{"url":"`+hook.srv.URL+`","events":["ticket.created"]}`, 201, nil)
			w := e.worker()
			kim.json("POST", e.shopPath()+"/tickets", `{"subject":"전화 문의 — 배송지 변경","name":"박서준","contact":"010-1234-5678"}`, 201, nil)
			conv := e.visitor("shop", "").start()
			kim.json("POST", e.shopPath()+"/tickets", fmt.Sprintf(`{"subject":"교환 접수","conversation_id":%d}`, conv.ID), 201, nil)
			e.visitor("shop", "").json("POST", "/api/v1/widget/tickets", `{"name":"김영희","contact":"young@example.com","message":"영수증을 다시 받을 수 있을까요?"}`, 201, nil)
			w.RunDue(t.Context())
			got := slack.all()
			if len(got) != 1 || !strings.Contains(string(got[0].Raw), "김영희") {
				t.Fatalf("%d left-message alerts, want the customer's one: %v", len(got), got)
			}
			if n := len(hook.all()); n != 3 {
				t.Fatalf("the webhook received %d ticket.created, want 3", n)
			}
		})
	}
}

// TestAddressUnreadable: after SODAM_SECRET_KEY changed, an endpoint whose
// address (stored encrypted) no longer opens is listed with an empty URL
// and address_unreadable, so that Settings can say to make it again; with
// the key back it reads as before. On both stores.
func TestAddressUnreadable(t *testing.T) {
	t.Parallel()
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			e := newEnvOn(t, kind, nil)
			master := e.login("master")
			const hook, bridge, slack = "https://example.com/hook", "https://bridge.example.com/sodam", "https://hooks.slack.com/services/T1/B1/x"
			master.json("POST", e.shopPath()+"/webhooks", `{"url":"`+hook+`","events":["conversation.created"]}`, 201, nil)
			master.json("POST", e.shopPath()+"/channels", `{"kind":"kakao","name":"카카오톡","webhook_url":"`+bridge+`"}`, 201, nil)
			master.json("POST", e.shopPath()+"/alert-targets", `{"kind":"slack","url":"`+slack+`","events":["conversation.created"]}`, 201, nil)
			type row struct {
				URL        string `json:"url"`
				WebhookURL string `json:"webhook_url"`
				Unreadable bool   `json:"address_unreadable"`
			}
			list := func() (out [3]row) {
				var w struct{ Webhooks []row }
				var c struct{ Channels []row }
				var a struct {
					Targets []row `json:"alert_targets"`
				}
				master.json("GET", e.shopPath()+"/webhooks", "", 200, &w)
				master.json("GET", e.shopPath()+"/channels", "", 200, &c)
				master.json("GET", e.shopPath()+"/alert-targets", "", 200, &a)
				if len(w.Webhooks) != 1 || len(c.Channels) != 1 || len(a.Targets) != 1 {
					t.Fatalf("listed %d webhooks, %d channels, %d alert targets; want one each", len(w.Webhooks), len(c.Channels), len(a.Targets))
				}
				return [3]row{w.Webhooks[0], c.Channels[0], a.Targets[0]}
			}
			keyed := e.store.(interface {
				UseSecretKey(context.Context, string) (*outbox.Sealer, error)
			})
			if got := list(); got != [3]row{{URL: hook}, {WebhookURL: bridge}, {URL: slack}} {
				t.Fatalf("under the key that sealed them: %+v", got)
			}
			if _, err := keyed.UseSecretKey(context.Background(), "another secret key, 32 characters or more"); err != nil {
				t.Fatal(err)
			}
			if got := list(); got != [3]row{{Unreadable: true}, {Unreadable: true}, {Unreadable: true}} {
				t.Fatalf("under another key: %+v", got)
			}
			if _, err := keyed.UseSecretKey(context.Background(), ""); err != nil {
				t.Fatal(err)
			}
			if got := list(); got != [3]row{{URL: hook}, {WebhookURL: bridge}, {URL: slack}} {
				t.Fatalf("with the key back: %+v", got)
			}
		})
	}
}

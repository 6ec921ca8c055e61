package cluster

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/sodam-chat/sodam/internal/store/postgres"
)

// TestFaultSigkillMidDelivery kills a node (SIGKILL) while it is sending a
// webhook delivery the receiver holds, and restarts it on the same data:
// once the dead node's claim has run out (SODAM_DELIVERY_LEASE, 15 s
// here) the new process sends everything, and what the receiver had seen
// comes again under the same webhook-id — at least once, deduplicable.
func TestFaultSigkillMidDelivery(t *testing.T) {
	needBinary(t)
	t.Parallel()
	testSigkillMidDelivery(t, "")
}

// TestFaultSigkillMidDeliveryPostgres is the same on PostgreSQL, where the
// claim is a row lock (SKIP LOCKED) and a lease, not SQLite's one writer.
func TestFaultSigkillMidDeliveryPostgres(t *testing.T) {
	needBinary(t)
	base, schema := postgres.TestSchema(t) // skips without the database
	testSigkillMidDelivery(t, withSearchPath(t, base, schema))
}

func testSigkillMidDelivery(t *testing.T, dbURL string) {
	c, dir := newSingle(t, dbURL)
	n := c.nodes[0]
	var mu sync.Mutex
	got := map[string]int{}
	var bad []string
	holding := true
	var wh *standardwebhooks.Webhook
	rc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		mu.Lock()
		if err := wh.Verify(raw, r.Header); err != nil {
			bad = append(bad, err.Error())
		}
		got[r.Header.Get("webhook-id")]++
		hold := holding
		mu.Unlock()
		if hold {
			<-r.Context().Done() // the sender dies first
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(rc.Close)
	master := c.loginMaster(n)
	var hook struct {
		ID     int64  `json:"id"`
		Secret string `json:"secret"`
	}
	master.json(n, "POST", c.wsPath()+"/webhooks", `{"url":"`+rc.URL+`","events":["message.created"]}`, 201, &hook)
	var err error
	if wh, err = standardwebhooks.NewWebhook(hook.Secret); err != nil {
		t.Fatal(err)
	}
	v := c.visitor(n, "visitor")
	conv := v.start(n)
	for i := range 10 {
		v.send(n, conv.ID, fmt.Sprint("v", i), fmt.Sprintf("%d번째 문의입니다: 주문번호 2024-%04d", i+1, 1180+i))
	}
	c.eventually("a delivery in flight", func() (bool, string) {
		mu.Lock()
		defer mu.Unlock()
		return len(got) > 0, fmt.Sprint(got)
	})
	c.kill(n)
	mu.Lock()
	before := map[string]int{}
	for id, k := range got {
		before[id] = k
	}
	holding = false
	mu.Unlock()

	restarted := c.startNodeIn("node1-restarted", dir)
	c.awaitNode(restarted)
	c.nodes = append(c.nodes, restarted)
	master = c.loginMaster(restarted)
	type delivery struct {
		ID       int64  `json:"id"`
		Status   string `json:"status"`
		Attempts int    `json:"attempts"`
	}
	var list struct{ Deliveries []delivery }
	deadline := time.Now().Add(60 * time.Second)
	for {
		master.json(restarted, "GET", fmt.Sprintf("%s/webhooks/%d/deliveries", c.wsPath(), hook.ID), "", 200, &list)
		done := len(list.Deliveries) >= 10
		for _, d := range list.Deliveries {
			done = done && d.Status == "delivered"
		}
		if done {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not all delivered after the restart: %+v", list.Deliveries)
		}
		time.Sleep(250 * time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(bad) > 0 {
		t.Fatalf("signatures failed verification: %v", bad)
	}
	if len(got) != len(list.Deliveries) {
		t.Fatalf("%d distinct webhook-ids for %d deliveries", len(got), len(list.Deliveries))
	}
	for id := range before {
		if got[id] < 2 {
			t.Fatalf("%s, in flight when the node died, was not sent again (%d)", id, got[id])
		}
	}
	t.Logf("in flight at the kill: %v; after the restart: %d deliveries, all delivered", before, len(list.Deliveries))
}

package bench

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// A socket the server drops reconnects with ?after= the last sequence it
// saw, as the widget does, and keeps reporting what arrives.
func TestSocketReconnects(t *testing.T) {
	var mu sync.Mutex
	var afters []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		afters = append(afters, r.URL.Query().Get("after"))
		n := len(afters)
		mu.Unlock()
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		ctx := context.Background()
		if n == 1 {
			c.Write(ctx, websocket.MessageText, []byte(`{"type":"ready","seq":5}`))
			c.Write(ctx, websocket.MessageText, []byte(`{"type":"event","event":{"seq":6,"message":{"client_msg_id":"a1","sender_type":"agent"}}}`))
			c.Close(websocket.StatusGoingAway, "too slow; reconnect to resume") // the server drops it
			return
		}
		c.Write(ctx, websocket.MessageText, []byte(`{"type":"event","event":{"seq":7,"message":{"client_msg_id":"a2","sender_type":"agent"}}}`))
		c.Write(ctx, websocket.MessageText, []byte(`{"type":"ready","seq":7}`))
		c.Read(ctx) // until the client closes
	}))
	defer srv.Close()

	tr := newTracker()
	for _, id := range []string{"a1", "a2"} {
		tr.sending(id, toVisitor, time.Now(), time.Now())
		tr.acked(id)
	}
	var errs errorCounts
	c := newClients(newDialer(2, srv.URL))
	s, err := c.dial(context.Background(), withAfter("ws"+srv.URL[len("http"):]+"/ws?token=x", "&"), -1, nil, tr, toVisitor, &errs)
	if err != nil {
		t.Fatal(err)
	}
	defer s.close()
	for deadline := time.Now().Add(10 * time.Second); tr.delivery().Missing > 0; {
		if time.Now().After(deadline) {
			t.Fatalf("delivery %+v, errors %v", tr.delivery(), errs.snapshot())
		}
		time.Sleep(10 * time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	if fmt.Sprint(afters) != "[ 6]" || s.last.Load() != 7 || errs.snapshot()["socket dropped by the server (reconnected)"] != 1 {
		t.Fatalf("dials with after=%q, last %d, errors %v", afters, s.last.Load(), errs.snapshot())
	}
}

// A refused send comes back after the server's hint: Retry-After-Ms
// first (the sub-second hint of a node shedding load), then Retry-After.
func TestRetryAfter(t *testing.T) {
	for _, tt := range []struct {
		name string
		h    http.Header
		want time.Duration
	}{
		{"milliseconds", http.Header{"Retry-After": {"1"}, "Retry-After-Ms": {"150"}}, 150 * time.Millisecond},
		{"seconds", http.Header{"Retry-After": {"3"}}, 3 * time.Second},
		{"bad milliseconds", http.Header{"Retry-After": {"2"}, "Retry-After-Ms": {"soon"}}, 2 * time.Second},
		{"none", http.Header{}, time.Second},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := retryAfter(tt.h); got != tt.want {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
		})
	}
}

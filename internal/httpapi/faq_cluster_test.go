package httpapi_test

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/sodam-chat/sodam/internal/app"
	"github.com/sodam-chat/sodam/internal/bus"
	"github.com/sodam-chat/sodam/internal/httpapi"
	"github.com/sodam-chat/sodam/internal/realtime"
)

// TestFAQSameOnEveryNode: a second node over the same database answers
// every question exactly as the first, and sees an FAQ change at once
// (its index is rebuilt at the new revision), on both stores.
func TestFAQSameOnEveryNode(t *testing.T) {
	t.Parallel()
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) { faqSameOnEveryNode(t, newEnvOn(t, kind, nil)) })
	}
}

func faqSameOnEveryNode(t *testing.T, e *env) {
	seedFAQ(t, e)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	ctx, cancel := context.WithCancel(context.Background())
	hub := realtime.NewHub(e.store, bus.NewMemory(), log)
	done := make(chan struct{})
	go func() { defer close(done); hub.Run(ctx, 200*time.Millisecond) }()
	second := httptest.NewServer(httpapi.New(httpapi.Config{BaseURL: e.srv.URL, NoLimits: true}, e.store, app.New(e.store, hub, nil), e.files, hub, log).Handler())
	t.Cleanup(func() { second.Close(); cancel(); <-done })

	ask := func(base, q string) string {
		t.Helper()
		c := e.anonymous()
		req := base + "/api/v1/widget/faq/search?site_id=shop&lang=ko&q=" + url.QueryEscape(q)
		resp, err := c.hc.Get(req)
		must(t, err)
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		must(t, err)
		return string(b)
	}
	questions := []string{"환불 언제 돼요", "배송조회", "ㅎㅂ", "운송장", "refund", "오늘 점심 메뉴", "환뷸", "배송 조회 방법 알려주세요"}
	for _, q := range questions {
		if a, b := ask(e.srv.URL, q), ask(second.URL, q); a != b {
			t.Fatalf("%q: node 1 %s, node 2 %s", q, a, b)
		}
	}
	// A change through node 1 is what node 2 answers with next.
	m := e.login("manager")
	m.json("POST", e.shopPath()+"/faq/articles", `{"title":"교환 신청 방법","body_html":"<p>주문내역에서 교환을 신청하세요.</p>","published":true}`, 201, nil)
	if a, b := ask(e.srv.URL, "교환 신청"), ask(second.URL, "교환 신청"); a != b || !strings.Contains(b, "교환 신청 방법") {
		t.Fatalf("after a change: node 1 %s, node 2 %s", a, b)
	}
}

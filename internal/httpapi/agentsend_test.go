package httpapi_test

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sodam-chat/sodam/internal/app"
	"github.com/sodam-chat/sodam/internal/bus"
	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/httpapi"
	"github.com/sodam-chat/sodam/internal/realtime"
)

// convReads is a store that counts its reads of a conversation.
type convReads struct {
	chat.Store
	n atomic.Int64
}

func (s *convReads) Conversation(ctx context.Context, workspaceID, id int64) (*chat.Conversation, error) {
	s.n.Add(1)
	return s.Store.Conversation(ctx, workspaceID, id)
}

// TestAgentReplyReadsNothingFirst: the assigned agent's reply reads no
// conversation before its batch, which checks under the conversation's
// lock that the agent is its assignee; a refused reply is still told as
// not found where the agent may not see the conversation, on both stores.
func TestAgentReplyReadsNothingFirst(t *testing.T) {
	t.Parallel()
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			e := newEnvOn(t, kind, nil)
			kim, lee, manager := e.login("kim"), e.login("lee"), e.login("manager")
			c := e.visitor("shop", "").start()
			kim.json("POST", e.convPath(c.ID)+"/assign", "", 200, nil)

			// A second server over the same database, whose handlers read
			// through the counting store; the sessions are the same.
			reads := &convReads{Store: e.store}
			log := slog.New(slog.NewTextHandler(io.Discard, nil))
			ctx, cancel := context.WithCancel(context.Background())
			hub := realtime.NewHub(e.store, bus.NewMemory(), log)
			done := make(chan struct{})
			go func() { defer close(done); hub.Run(ctx, 200*time.Millisecond) }()
			second := httptest.NewServer(httpapi.New(httpapi.Config{BaseURL: e.srv.URL, NoLimits: true}, reads, app.New(e.store, hub, nil), e.files, hub, log).Handler())
			t.Cleanup(func() { second.Close(); cancel(); <-done })
			on := *e
			on.srv = second
			at := func(c *client) *client { return &client{e: &on, hc: c.hc, csrf: c.csrf} }

			at(kim).json("POST", e.convPath(c.ID)+"/messages", `{"client_msg_id":"r1","body":"안녕하세요, 무엇을 도와드릴까요?"}`, 201, nil)
			if n := reads.n.Load(); n != 0 {
				t.Fatalf("the assignee's reply read the conversation %d times before its batch", n)
			}
			send := `{"client_msg_id":"x1","body":"제가 답할게요"}`
			e.run([]scenario{
				{name: "an agent who may not see it", as: at(lee), method: "POST", path: e.convPath(c.ID) + "/messages", body: send, status: 404, code: chat.ErrConversationNotFound},
				{name: "a manager, who sees it", as: at(manager), method: "POST", path: e.convPath(c.ID) + "/messages", body: send, status: 403, code: chat.ErrNotAssignee},
			})
		})
	}
}

package httpapi_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/sodam-chat/sodam/internal/chat"
)

// convStepStore runs during, once, right after the HTTP layer's next read
// of a conversation: another change then commits between that read and
// the request's own change.
type convStepStore struct {
	chat.Store
	mu     sync.Mutex
	during func()
}

func (s *convStepStore) Conversation(ctx context.Context, workspaceID, id int64) (*chat.Conversation, error) {
	c, err := s.Store.Conversation(ctx, workspaceID, id)
	s.mu.Lock()
	during := s.during
	s.during = nil
	s.mu.Unlock()
	if during != nil {
		during()
	}
	return c, err
}

// TestWidgetCloseRace: the visitor ends the chat while its agent (or the
// visitor's other tab) ends it too. The visitor's "end" that finds the
// conversation closed meanwhile answers with the conversation as it now
// is, closed, not as it read it before: the widget shows the chat as over.
func TestWidgetCloseRace(t *testing.T) {
	t.Parallel()
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			cs := &convStepStore{}
			e := newEnvWrapped(t, kind, nil, func(s chat.Store) chat.Store { cs.Store = s; return cs })
			kim := e.login("kim")
			for _, tt := range []struct {
				name, reason string
				end          func(v *client, c chat.Conversation)
			}{
				{"the agent", chat.CloseByAgent, func(_ *client, c chat.Conversation) {
					kim.json("POST", e.convPath(c.ID)+"/close", "", 200, nil)
				}},
				{"another tab", chat.CloseByCustomer, func(v *client, c chat.Conversation) {
					v.json("POST", fmt.Sprintf("/api/v1/widget/conversations/%d/close", c.ID), "", 200, nil)
				}},
			} {
				v := e.visitor("shop", "")
				c := v.start()
				kim.json("POST", e.convPath(c.ID)+"/assign", "", 200, nil)
				cs.mu.Lock()
				cs.during = func() { tt.end(v, c) }
				cs.mu.Unlock()
				var res struct {
					Conversation struct {
						State       chat.State `json:"state"`
						CloseReason string     `json:"close_reason"`
					} `json:"conversation"`
				}
				v.json("POST", fmt.Sprintf("/api/v1/widget/conversations/%d/close", c.ID), "", 200, &res)
				if res.Conversation.State != chat.StateClosed || res.Conversation.CloseReason != tt.reason {
					t.Errorf("%s ended it meanwhile: the visitor's end answered state %q, reason %q", tt.name, res.Conversation.State, res.Conversation.CloseReason)
				}
			}
		})
	}
}

// TestArchivedWorkspaceWidget: an archived workspace's widget is closed
// (the loader draws no launcher, the console lists the workspace no
// more), and so is its API: no session, chat, message or left message is
// taken, since no agent would ever see it, and nothing is stored. Taken
// out of the archive, it works again.
func TestArchivedWorkspaceWidget(t *testing.T) {
	t.Parallel()
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			e := newEnvOn(t, kind, nil)
			ctx := context.Background()
			_, err := e.store.SetOwner(ctx, e.agents["master"].ID, true, chat.Who{})
			must(t, err)
			owner := e.login("master")
			v, fresh := e.visitor("shop", ""), e.visitor("shop", "")
			c := v.start()
			archive := fmt.Sprintf("/api/v1/workspaces/%d/archive", e.shop.ID)
			owner.json("POST", archive, `{"archived":true}`, 200, nil)
			state := func() string {
				tickets, err := e.store.Tickets(ctx, e.shop.ID, chat.TicketFilter{})
				must(t, err)
				msgs, err := e.store.Messages(ctx, e.shop.ID, c.ID, 0, 1000)
				must(t, err)
				convs, err := e.store.Conversations(ctx, e.shop.ID, chat.ConversationFilter{})
				must(t, err)
				return fmt.Sprint(len(tickets), len(msgs), len(convs))
			}
			send := fmt.Sprintf("/api/v1/widget/conversations/%d/messages", c.ID)
			e.refuse(state, []scenario{
				{name: "config", as: e.anonymous(), method: "GET", path: "/api/v1/widget/config?site_id=shop", status: 404, code: chat.ErrWorkspaceNotFound},
				{name: "a new session", as: e.anonymous(), method: "POST", path: "/api/v1/widget/sessions", body: `{"site_id":"shop"}`, status: 404, code: chat.ErrWorkspaceNotFound},
				{name: "a new chat", as: fresh, method: "POST", path: "/api/v1/widget/conversations", body: `{"consent":true}`, status: 404, code: chat.ErrWorkspaceNotFound},
				{name: "a message in the open chat", as: v, method: "POST", path: send, body: `{"client_msg_id":"a1","body":"안녕하세요"}`, status: 404, code: chat.ErrWorkspaceNotFound},
				{name: "a left message", as: v, method: "POST", path: "/api/v1/widget/tickets", body: `{"name":"홍길동","contact":"hong@example.com","message":"문의"}`, status: 404, code: chat.ErrWorkspaceNotFound},
			})
			owner.json("POST", archive, `{"archived":false}`, 200, nil)
			v.json("POST", send, `{"client_msg_id":"a1","body":"안녕하세요"}`, 201, nil)
		})
	}
}

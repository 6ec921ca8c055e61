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

package httpapi_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/sodam-chat/sodam/internal/chat"
)

// midRequestStore lets a test act in the middle of a console request:
// after the request has read the member and the conversation, before the
// change is written.
type midRequestStore struct {
	chat.Store
	during func()
}

func (s *midRequestStore) Conversation(ctx context.Context, workspaceID, id int64) (*chat.Conversation, error) {
	c, err := s.Store.Conversation(ctx, workspaceID, id)
	if f := s.during; f != nil {
		s.during = nil
		f()
	}
	return c, err
}

// TestConversationChangeByFormerManager: a demotion or deactivation that
// commits while a manager's change to a colleague's conversation is on its
// way is the rule the change is decided under: the change is refused and
// the conversation stays as it was, as if the request had come a moment
// later.
func TestConversationChangeByFormerManager(t *testing.T) {
	t.Parallel()
	demote := func(e *env) {
		_, err := e.app.UpdateMember(context.Background(), e.shop.ID, e.agents["manager"].ID, chat.MemberPatch{Role: new(chat.RoleAgent)}, chat.Who{AgentID: e.agents["master"].ID})
		must(t, err)
	}
	deactivate := func(e *env) {
		_, err := e.app.UpdateMember(context.Background(), e.shop.ID, e.agents["manager"].ID, chat.MemberPatch{Active: new(false)}, chat.Who{AgentID: e.agents["master"].ID})
		must(t, err)
	}
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			for _, tc := range []struct {
				name   string
				change func(*env)
				action string // path suffix
				body   string
				code   string
			}{
				{"close after a demotion", demote, "/close", "", chat.ErrNotAssignee},
				{"transfer after a demotion", demote, "/transfer", `{"agent_id":%d,"reason":"담당 변경"}`, chat.ErrNotAssignee},
				{"hold after a demotion", demote, "/hold", `{"on":true}`, chat.ErrNotAssignee},
				{"close after a deactivation", deactivate, "/close", "", chat.ErrMemberInactive},
				{"transfer after a deactivation", deactivate, "/transfer", `{"agent_id":%d}`, chat.ErrMemberInactive},
			} {
				t.Run(tc.name, func(t *testing.T) {
					ms := &midRequestStore{}
					e := newEnvWrapped(t, kind, nil, func(s chat.Store) chat.Store { ms.Store = s; return ms })
					manager, kim := e.login("manager"), e.login("kim")
					c := e.visitor("shop", "").start()
					kim.json("POST", e.convPath(c.ID)+"/assign", "", 200, nil)
					kim.json("POST", e.convPath(c.ID)+"/messages", `{"client_msg_id":"k1","body":"안녕하세요, 무엇을 도와드릴까요?"}`, 201, nil)
					before := kim.detailOf(c.ID).Conversation
					body := tc.body
					if body != "" && tc.action == "/transfer" {
						body = fmt.Sprintf(body, e.agents["lee"].ID)
					}
					ms.during = func() { tc.change(e) }
					status, data := manager.do("POST", e.convPath(c.ID)+tc.action, body)
					if code, _ := errorBodyOf(t, data); status/100 != 4 || code != tc.code {
						t.Fatalf("status %d %s, want %s", status, data, tc.code)
					}
					after := kim.detailOf(c.ID).Conversation
					if after.State != before.State || after.AssigneeID != before.AssigneeID || after.OnHold != before.OnHold || after.LastSeq != before.LastSeq {
						t.Fatalf("refused change changed the conversation:\nbefore %+v\nafter  %+v", before, after)
					}
				})
			}
		})
	}
}

// consoleMemberStore runs during once the console request has read its
// member, before the handler acts.
type consoleMemberStore struct {
	chat.Store
	during func()
}

func (s *consoleMemberStore) ConsoleMember(ctx context.Context, tokenHash string, now time.Time, workspaceID int64) (*chat.Session, *chat.Agent, *chat.Member, error) {
	sess, a, m, err := s.Store.ConsoleMember(ctx, tokenHash, now, workspaceID)
	if f := s.during; f != nil {
		s.during = nil
		f()
	}
	return sess, a, m, err
}

// TestStatusAfterDeactivation: an agent deactivated while their "online"
// is on its way stays offline. Only online agents are counted as someone
// to chat with (the widget's availability), so a deactivated agent shown
// online would open the chat with nobody there to take it.
func TestStatusAfterDeactivation(t *testing.T) {
	t.Parallel()
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			ms := &consoleMemberStore{}
			e := newEnvWrapped(t, kind, nil, func(s chat.Store) chat.Store { ms.Store = s; return ms })
			kim := e.login("kim")
			e.setStatus("kim", chat.StatusAway)
			ms.during = func() {
				_, err := e.app.UpdateMember(context.Background(), e.shop.ID, e.agents["kim"].ID, chat.MemberPatch{Active: new(false)}, chat.Who{AgentID: e.agents["master"].ID})
				must(t, err)
			}
			status, data := kim.do("PUT", e.shopPath()+"/me/status", `{"status":"online"}`)
			if code, _ := errorBodyOf(t, data); status != 403 || code != chat.ErrMemberInactive {
				t.Fatalf("status %d %s, want 403 member_inactive", status, data)
			}
			m, err := e.store.Member(context.Background(), e.shop.ID, e.agents["kim"].ID)
			must(t, err)
			if m.Active || m.Status != chat.StatusOffline {
				t.Fatalf("deactivated member %+v", m)
			}
		})
	}
}

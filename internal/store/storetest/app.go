package storetest

import (
	"context"
	"sync"

	"github.com/sodam-chat/sodam/internal/app"
	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/jobs"
)

// Workflows that span several store steps live in the application layer;
// the suite runs them over the store under test, catching what they
// publish.

type captured struct {
	mu     sync.Mutex
	events []chat.Event
}

func (c *captured) Publish(_ context.Context, events []chat.Event) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.events = append(c.events, events...)
}

// openConversation starts a conversation as the widget does.
func openConversation(s chat.Store, workspaceID, customerID int64, ch chat.Channel) (chat.Conversation, []chat.Event, error) {
	return openConversationIn(s, workspaceID, customerID, ch, "ko")
}

// openConversationIn is openConversation for a visitor whose browser
// prefers lang.
func openConversationIn(s chat.Store, workspaceID, customerID int64, ch chat.Channel, lang string) (chat.Conversation, []chat.Event, error) {
	var pub captured
	c, _, err := app.New(s, &pub, nil).StartConversation(ctx, workspaceID, customerID, ch, lang, "")
	return c, pub.events, err
}

// runJob carries out a job node claimed, as that node's runner does.
func runJob(s chat.Store, j chat.Job, node string) ([]chat.Event, error) {
	var pub captured
	a := app.New(s, &pub, nil)
	r := &jobs.Runner{Store: s, Commit: a, Handlers: a.Jobs(), Node: node}
	err := r.Do(ctx, j)
	return pub.events, err
}

package app

import (
	"context"

	"github.com/sodam-chat/sodam/internal/chat"
)

// AddNote stores an agent's internal note (§2.7) and publishes it to the
// agents who may see the conversation and those it mentions; the visitor
// never receives it (chat.VisitorMaySee).
func (a *App) AddNote(ctx context.Context, workspaceID, conversationID int64, actor chat.Actor, m chat.NewMessage) (Sent, error) {
	msg, events, dup, err := a.store.AddNote(ctx, workspaceID, conversationID, actor, m)
	a.publish(ctx, events)
	out := Sent{Message: msg, Dup: dup}
	if len(events) > 0 {
		out.Conversation = events[0].Conversation
	}
	return out, err
}

// MarkRead records how far the visitor or the assigned agent has read and
// publishes the receipt (conversation.read) when the mark moved.
func (a *App) MarkRead(ctx context.Context, workspaceID, conversationID int64, reader chat.Actor, seq int64) (chat.ReadMarks, error) {
	c, events, err := a.store.MarkRead(ctx, workspaceID, conversationID, reader, seq)
	return done(ctx, a, c, events, err)
}

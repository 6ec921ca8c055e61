package app

import (
	"context"

	"github.com/sodam-chat/sodam/internal/chat"
)

// StartConversation returns the customer's open conversation on ch, or
// starts one: the greeting first, then routing, so an agent assigned at
// once sees the greeting above the customer's first message. (The robot,
// when it comes, will answer here before routing.)
//
// lang is the visitor's browser language; the greeting is the widget's
// wording for it. consent, when set, is the version of the privacy notice
// the customer agrees to with this start: it is recorded in the same
// transaction, so a start refused (a blocked customer) records nothing.
func (a *App) StartConversation(ctx context.Context, workspaceID, customerID int64, ch chat.Channel, lang, consent string) (c chat.Conversation, started bool, err error) {
	err = a.Commit(ctx, func(tx chat.Tx) error {
		ws, err := tx.LockRouting(ctx, workspaceID)
		if err != nil {
			return err
		}
		start := tx.StartConversation
		if ws.Settings.Robot.Enabled {
			start = tx.StartBotConversation // the robot answers first (robot.go)
		}
		if c, started, err = start(ctx, workspaceID, customerID, ch); err != nil {
			return err
		}
		if consent != "" {
			if err := tx.RecordConsent(ctx, workspaceID, customerID, consent); err != nil {
				return err
			}
		}
		if !started {
			return nil
		}
		if g := ws.TextsFor(ws.Settings.Widget.WidgetLanguage(lang)).Greeting; g != "" {
			if err := tx.SystemMessage(ctx, c, chat.SystemGreeting, map[string]string{"text": g}); err != nil {
				return err
			}
		}
		if c.State == chat.StateBot {
			if err := a.robotWelcome(ctx, tx, ws, c); err != nil {
				return err
			}
		}
		if err := tx.Route(ctx, ws); err != nil {
			return err
		}
		c, err = tx.Conversation(ctx, workspaceID, c.ID)
		return err
	})
	return c, started, err
}

// Take gives a queued conversation to the acting agent ("Assign to me").
func (a *App) Take(ctx context.Context, workspaceID, conversationID int64, actor chat.Actor) (chat.Conversation, error) {
	c, events, err := a.store.Take(ctx, workspaceID, conversationID, actor)
	return done(ctx, a, c, events, err)
}

// Transfer hands a conversation to another agent, with an optional reason.
func (a *App) Transfer(ctx context.Context, workspaceID, conversationID int64, actor chat.Actor, toAgentID int64, reason string) (chat.Conversation, error) {
	c, events, err := a.store.Transfer(ctx, workspaceID, conversationID, actor, toAgentID, reason)
	return done(ctx, a, c, events, err)
}

// SetHold puts a conversation on hold or takes it off.
func (a *App) SetHold(ctx context.Context, workspaceID, conversationID int64, actor chat.Actor, on bool) (chat.Conversation, error) {
	c, events, err := a.store.SetHold(ctx, workspaceID, conversationID, actor, on)
	return done(ctx, a, c, events, err)
}

// SetImportant flags a conversation as important or not.
func (a *App) SetImportant(ctx context.Context, workspaceID, conversationID int64, actor chat.Actor, on bool) (chat.Conversation, error) {
	c, events, err := a.store.SetImportant(ctx, workspaceID, conversationID, actor, on)
	return done(ctx, a, c, events, err)
}

// CloseConversation ends a conversation on a visitor's or agent's behalf.
func (a *App) CloseConversation(ctx context.Context, workspaceID, conversationID int64, actor chat.Actor) (chat.Conversation, error) {
	c, events, err := a.store.CloseConversation(ctx, workspaceID, conversationID, actor)
	return done(ctx, a, c, events, err)
}

// Route serves a workspace's queue.
func (a *App) Route(ctx context.Context, workspaceID int64) error {
	events, err := a.store.Route(ctx, workspaceID)
	_, err = done(ctx, a, struct{}{}, events, err)
	return err
}

// SetNote saves a conversation's wrap-up note (§5.4).
func (a *App) SetNote(ctx context.Context, workspaceID, conversationID int64, n chat.Note) (chat.Conversation, error) {
	c, events, err := a.store.SetNote(ctx, workspaceID, conversationID, n)
	return done(ctx, a, c, events, err)
}

// RequestRating sends the rating request to the customer (§5.3).
func (a *App) RequestRating(ctx context.Context, workspaceID, conversationID int64, actor chat.Actor) (chat.Message, error) {
	m, events, err := a.store.RequestRating(ctx, workspaceID, conversationID, actor)
	return done(ctx, a, m, events, err)
}

// Rate stores the customer's rating.
func (a *App) Rate(ctx context.Context, workspaceID, conversationID int64, score int, comment string) (chat.Conversation, error) {
	c, events, err := a.store.Rate(ctx, workspaceID, conversationID, score, comment)
	return done(ctx, a, c, events, err)
}

// Sent is what Send reports.
type Sent struct {
	Message chat.Message
	// Dup says the message was a retry of one already stored.
	Dup bool
	// Conversation is the conversation as the message left it; nil for a
	// retry.
	Conversation *chat.Conversation
	// RobotErr is why the robot could not answer the message, which is
	// stored all the same (the caller logs it; a retry tries again).
	RobotErr error
}

// Send stores a message: text, or a file already in blob storage.
func (a *App) Send(ctx context.Context, workspaceID, conversationID int64, actor chat.Actor, m chat.NewMessage) (Sent, error) {
	msg, events, dup, err := a.store.AppendMessage(ctx, workspaceID, conversationID, actor, m)
	a.publish(ctx, events)
	out := Sent{Message: msg, Dup: dup}
	if len(events) > 0 {
		out.Conversation = events[0].Conversation
	}
	if err == nil && actor.Kind == chat.SenderVisitor {
		// The robot answers a message to it (robot.go); a retry answers it
		// if the first attempt did not get to.
		c := out.Conversation
		if c == nil {
			c, err = a.store.Conversation(ctx, workspaceID, conversationID)
		}
		if err == nil {
			out.RobotErr = a.answer(ctx, *c, msg)
		}
	}
	return out, err
}

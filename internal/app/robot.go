package app

import (
	"context"
	"encoding/json"
	"strconv"
	"time"

	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/faq"
)

// The robot (§8.2). A workspace that turns it on starts new conversations
// in the bot state, held by robot-<site_id>; each visitor message there is
// answered with the best FAQ articles (up to three), or with "no answer"
// and an offer of a person. Asking for a person (a button, or text such as
// 상담원 연결 or agent) hands the conversation to routing, the robot first
// on its agent path; switching back to the bot ends the agent's part
// (close reason bot) and starts a new bot conversation.
//
// A robot answer is a system message keyed by the visitor message it
// answers (robot-<message ID>), written under the conversation's row lock:
// the node that stored the visitor's message answers it at once, and a
// retry of the message (the same client_msg_id, after a lost answer or a
// crash) answers it if it was not; no two nodes both answer. Answers are
// events like any other, published by App.

// robotArticle is one article of a robot answer, as visitors see it.
type robotArticle struct {
	ID      int64  `json:"id"`
	Title   string `json:"title"`
	Excerpt string `json:"excerpt"`
	URL     string `json:"url"`
}

// ArticleURL, when set, gives an article's help center address (the HTTP
// layer knows the base URL).
type ArticleURL func(siteID string, id int64) string

// SetArticleURL tells the robot how to link articles.
func (a *App) SetArticleURL(f ArticleURL) { a.articleURL = f }

// startWithRobot starts a bot conversation and the robot's welcome, in the
// transaction that starts the conversation.
func (a *App) robotWelcome(ctx context.Context, tx chat.Tx, ws *chat.Workspace, c chat.Conversation) error {
	_, err := tx.RobotReply(ctx, c, 0, map[string]string{"robot": chat.RobotName(ws.SiteID), "outcome": chat.RobotWelcome})
	return err
}

// answer is the robot's reply to visitor message m of bot conversation c.
func (a *App) answer(ctx context.Context, c chat.Conversation, m chat.Message) error {
	if c.State != chat.StateBot || m.Kind != chat.KindText || m.SenderType != chat.SenderVisitor {
		return nil
	}
	ws, err := a.store.Workspace(ctx, c.WorkspaceID)
	if err != nil {
		return err
	}
	if chat.WantsAgent(m.Body) {
		avail, err := a.availability(ctx, ws, m.CreatedAt)
		if err != nil {
			return err
		}
		if avail != chat.Available {
			// Nobody can take it: the robot keeps it and says so, and the
			// widget offers to leave a message. The visitor wanted a
			// person: closed by the robot, it is not one the robot resolved.
			meta := map[string]string{"robot": chat.RobotName(ws.SiteID), "outcome": chat.RobotNoAgent, "reason": string(avail), "reply_to": strconv.FormatInt(m.ID, 10)}
			return a.Commit(ctx, func(tx chat.Tx) error {
				if _, err := tx.RobotReply(ctx, c, m.ID, meta); err != nil {
					return err
				}
				return tx.AgentRefused(ctx, c)
			})
		}
		_, err = a.Handover(ctx, c.WorkspaceID, c.ID)
		if code := chat.ErrorCode(err); code == chat.ErrInvalid || code == chat.ErrConversationClosed {
			return nil // handed over already, or ended meanwhile
		}
		return err
	}
	lang := ""
	if cu, err := a.store.Customer(ctx, c.WorkspaceID, c.CustomerID); err == nil {
		lang = ws.Settings.Widget.WidgetLanguage(cu.Language)
	}
	q := []rune(m.Body)
	if len(q) > chat.MaxFAQQuery {
		q = q[:chat.MaxFAQQuery]
	}
	found, err := a.faq.Search(ctx, c.WorkspaceID, string(q), lang, 3)
	if err != nil {
		return err
	}
	meta := map[string]string{"robot": chat.RobotName(ws.SiteID), "outcome": chat.RobotNoAnswer, "reply_to": strconv.FormatInt(m.ID, 10)}
	if len(found) > 0 {
		arts := make([]robotArticle, len(found))
		for i, f := range found {
			arts[i] = robotArticle{ID: f.Article.ID, Title: f.Article.Title, Excerpt: faq.Excerpt(f.Article.BodyText, 80)}
			if a.articleURL != nil {
				arts[i].URL = a.articleURL(ws.SiteID, f.Article.ID)
			}
		}
		b, err := json.Marshal(arts)
		if err != nil {
			return err
		}
		meta["outcome"], meta["articles"] = chat.RobotAnswered, string(b)
	}
	return a.Commit(ctx, func(tx chat.Tx) error {
		_, err := tx.RobotReply(ctx, c, m.ID, meta)
		return err
	})
}

// availability says whether agents can chat at now (when the visitor
// asked, by the store's clock, as the server's is in tests), as the
// widget's config does: the workspace's hours and switch, and anyone
// online.
func (a *App) availability(ctx context.Context, ws *chat.Workspace, now time.Time) (chat.Availability, error) {
	ms, err := a.store.Members(ctx, ws.ID)
	if err != nil {
		return "", err
	}
	online := 0
	for _, m := range ms {
		if m.Status == chat.StatusOnline {
			online++
		}
	}
	return ws.Settings.AvailabilityAt(now, online), nil
}

// Handover gives a bot conversation to routing: unassigned, the robot
// first on its agent path, and routed at once when the workspace assigns
// automatically.
func (a *App) Handover(ctx context.Context, workspaceID, conversationID int64) (chat.Conversation, error) {
	var c chat.Conversation
	err := a.Commit(ctx, func(tx chat.Tx) error {
		ws, err := tx.LockRouting(ctx, workspaceID)
		if err != nil {
			return err
		}
		if c, err = tx.Conversation(ctx, workspaceID, conversationID); err != nil {
			return err
		}
		if c, err = tx.LeaveBot(ctx, c, chat.RobotName(ws.SiteID)); err != nil {
			return err
		}
		if err := tx.Route(ctx, ws); err != nil {
			return err
		}
		c, err = tx.Conversation(ctx, workspaceID, conversationID)
		return err
	})
	return c, err
}

// AgentRefused records that the visitor of bot conversation c asked for a
// person when nobody could chat ("Talk to an agent" refused): closed by
// the robot, it counts as unprocessed (tx.AgentRefused).
func (a *App) AgentRefused(ctx context.Context, c chat.Conversation) error {
	return a.Commit(ctx, func(tx chat.Tx) error { return tx.AgentRefused(ctx, c) })
}

// BackToBot ends the agent's part of a conversation (close reason bot,
// §2.3) and starts a new one with the robot, in one transaction; the
// capacity it frees is routed.
func (a *App) BackToBot(ctx context.Context, workspaceID, conversationID int64) (chat.Conversation, error) {
	var c chat.Conversation
	err := a.Commit(ctx, func(tx chat.Tx) error {
		ws, err := tx.LockRouting(ctx, workspaceID)
		if err != nil {
			return err
		}
		if !ws.Settings.Robot.Enabled {
			return chat.Errorf(chat.ErrInvalid, "this workspace has no robot")
		}
		old, err := tx.LockConversation(ctx, workspaceID, conversationID)
		if err != nil {
			return err
		}
		switch {
		case old.State == chat.StateBot:
			c = old
			return nil
		case old.State == chat.StateClosed || old.CustomerLeftAt != nil:
			return chat.Errorf(chat.ErrConversationClosed, "the conversation has ended")
		}
		if err := tx.CloseConversation(ctx, old, chat.CloseByBot); err != nil {
			return err
		}
		var started bool
		if c, started, err = tx.StartBotConversation(ctx, workspaceID, old.CustomerID, old.Channel); err != nil {
			return err
		}
		if started {
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
	return c, err
}

// robotIdleClose closes a conversation the robot still holds once its
// visitor has asked nothing more for a while: resolved by the robot
// (close reason robot). A handover cancels the timer; a conversation
// handed over or closed since is left alone.
func robotIdleClose(ctx context.Context, tx chat.Tx, j chat.Job) error {
	if _, err := tx.LockRouting(ctx, j.WorkspaceID); err != nil {
		return err
	}
	c, err := tx.LockConversation(ctx, j.WorkspaceID, j.RefID)
	if chat.ErrorCode(err) == chat.ErrConversationNotFound {
		return nil
	}
	if err != nil || c.State != chat.StateBot {
		return err
	}
	return tx.CloseConversation(ctx, c, chat.CloseByRobot)
}

// AwayReply answers a messenger user's message to conversation c, written
// at now, when the desk takes no chats (chat.AwayReplyDue): an automatic
// reply saying why and, outside the hours, when the desk opens again. A
// user told less than chat.AwayReplyGap ago is not told again. It reports
// whether it answered.
func (a *App) AwayReply(ctx context.Context, ws *chat.Workspace, c chat.Conversation, now time.Time) (bool, error) {
	avail, err := a.availability(ctx, ws, now)
	if err != nil || !chat.AwayReplyDue(avail, c.State) {
		return false, err
	}
	meta := map[string]string{"reason": string(avail)}
	if avail == chat.UnavailableHours {
		if at, ok := ws.Settings.Hours.NextOpen(now); ok {
			meta["reopens_at"] = at.UTC().Format(time.RFC3339)
		}
	}
	var added bool
	err = a.Commit(ctx, func(tx chat.Tx) error {
		added, err = tx.AwayReply(ctx, c, avail, meta, chat.AwayReplyGap)
		return err
	})
	return added, err
}

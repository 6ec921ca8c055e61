package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/sodam-chat/sodam/internal/chat"
)

// AwayReply adds the automatic reply to a messenger's user (chat.SystemAway)
// under the conversation's row lock: a second node answering the same
// night, or two messages at once, find the first reply and add none.
func (x tx) AwayReply(ctx context.Context, c chat.Conversation, avail chat.Availability, meta map[string]string, gap time.Duration) (bool, error) {
	c, err := x.db.lockConversation(ctx, x.t.q, c.WorkspaceID, c.ID)
	if err != nil {
		return false, err
	}
	if !chat.AwayReplyDue(avail, c.State) {
		return false, nil
	}
	var last int64
	err = x.t.row(ctx, `SELECT created_at FROM messages WHERE conversation_id = ? AND kind = 'system' AND body = ?
		ORDER BY id DESC LIMIT 1`, c.ID, chat.SystemAway).Scan(&last)
	switch {
	case err == nil && x.t.now.Sub(fromMicros(last)) < gap:
		return false, nil
	case err != nil && !errors.Is(err, sql.ErrNoRows):
		return false, err
	}
	return true, x.db.systemMessage(ctx, x.t, c, chat.EventMessageCreated, chat.SystemAway, meta, false)
}

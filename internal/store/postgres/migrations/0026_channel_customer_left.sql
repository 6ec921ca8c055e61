-- A messenger user who ended the chat (!종료, §2.3) left it for the
-- agent's wrap-up, as a widget visitor does: their next message starts a
-- new conversation while the agent still writes the old one's note, so
-- the old one no longer counts as their one open conversation.
DROP INDEX conversations_one_open_channel;
CREATE UNIQUE INDEX conversations_one_open_channel ON conversations (customer_id)
    WHERE state <> 'closed' AND channel <> 'web' AND customer_left_at IS NULL;

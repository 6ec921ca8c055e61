-- A chat that goes back to the queue (its agent deactivated) waits anew,
-- and its waiting alert is sent again: once per target and stint in the
-- queue, keyed by when the stint began (outbox.WaitingSince), where it
-- was once per target and conversation. The alerts already written
-- belong to their conversation's current stint, or to one it has left.
ALTER TABLE deliveries ADD COLUMN waiting_since BIGINT;
UPDATE deliveries SET waiting_since = (SELECT COALESCE(c.queued_at, c.created_at) FROM conversations c WHERE c.id = deliveries.conversation_id)
    WHERE event_type = 'conversation.waiting';
DROP INDEX deliveries_waiting;
CREATE UNIQUE INDEX deliveries_waiting ON deliveries (endpoint_id, conversation_id, waiting_since)
    WHERE event_type = 'conversation.waiting';

-- The queue is first in, first out by when a chat entered it (§3.2), not
-- by when the chat began: a chat the robot hands over joins the end of the
-- queue at the handover, though it began earlier, and so does one a
-- deactivated agent's leaving returns to it. queued_at is when the chat
-- last entered the queue; NULL for a chat that never did (one the robot
-- still holds). Chats queued now entered it when they began (before this
-- migration a handover kept the chat's place by its start), the best
-- there is; older chats, which the queue never reads again, keep NULL
-- as if they never queued.
-- The queue's index orders by it, replacing (workspace_id, state, id).
ALTER TABLE conversations ADD COLUMN queued_at INTEGER;
UPDATE conversations SET queued_at = created_at WHERE state = 'unassigned';
DROP INDEX conversations_queue;
CREATE INDEX conversations_queue ON conversations (workspace_id, state, queued_at, id);

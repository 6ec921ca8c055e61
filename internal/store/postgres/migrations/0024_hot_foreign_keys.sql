-- Every message written checked three foreign keys, each a query of its
-- own per row (issue 17: the PostgreSQL write path's CPU): messages to
-- their workspace and their conversation, events to their workspace.
-- Dropping them made the store benchmark's 64 writers about 15 % faster
-- (docs/benchmarks.md). They guarded nothing the code does not:
--   - workspaces, conversations, messages and events are never deleted;
--   - a message is written only for a conversation its transaction has
--     locked and read (appendMessages' lock, insertMessage's UPDATE …
--     RETURNING, the bulk import's own INSERT), with that conversation's
--     workspace;
--   - an event's sequence comes from its workspace's event_seqs row
--     (appendEventArrays joins it; a missing row leaves seq NULL, which
--     NOT NULL refuses), and event_seqs keeps its key to workspaces.
ALTER TABLE messages DROP CONSTRAINT IF EXISTS messages_workspace_id_fkey;
ALTER TABLE messages DROP CONSTRAINT IF EXISTS messages_conversation_id_fkey;
ALTER TABLE events DROP CONSTRAINT IF EXISTS events_workspace_id_fkey;

-- The search index stops storing each message's token count (issue 17:
-- SQLite's write throughput). FTS5 kept it in message_fts_docsize, one
-- row a message keyed like the index (its conversation, then its
-- number), so every message stored dirtied a page of that table at its
-- own conversation's place: one of the four scattered pages a message
-- costs the log. Nothing reads the counts (the search ranks by
-- conversation, not by bm25), and columnsize=0 drops the table; SQLite
-- refuses columnsize=0 with contentless_delete=1, so a masked message's
-- old entry is now removed with FTS5's 'delete' command and the tokens it
-- was indexed with, which Go computes again from the text the row holds
-- (sqldb.reindexRewritten). The table is made anew, empty, and the
-- search_backfill job indexes every message stored before, from the first
-- to the last one stored now, a thousand a transaction; until the job
-- reaches a message, a history search does not find it by its text
-- (its other filters do). A later change of history.Grams must empty the
-- index again ('delete-all', or a new table) and queue the backfill:
-- the 'delete' command needs the very tokens the row was given.
DROP TABLE message_fts;
CREATE VIRTUAL TABLE message_fts USING fts5(grams, content='', columnsize=0, tokenize='ascii');
UPDATE search_backfill SET next_id = 0, upto = (SELECT COALESCE(MAX(id), 0) FROM messages) WHERE id = 1;
INSERT INTO jobs (kind, workspace_id, ref_id, due_at)
    SELECT 'search_backfill', id, 0, 0 FROM workspaces
    WHERE id = (SELECT MIN(id) FROM workspaces) AND EXISTS (SELECT 1 FROM messages)
    ON CONFLICT (kind, workspace_id, ref_id) DO UPDATE SET due_at = 0;

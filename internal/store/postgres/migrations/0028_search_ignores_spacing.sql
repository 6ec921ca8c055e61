-- History search ignores spacing (§9): a term is looked for in a
-- message's text with the spaces of both taken out (history.Compact), so
-- 카드취소 finds 카드 취소가 and "카드 취소" finds 카드취소. The index
-- changes with the rule: its grams are the bigrams of the whole compact
-- text, across words (카드 드취 취소), and PostgreSQL's message_search.norm
-- holds the compact text. Go computes them, so every message stored
-- before is indexed again by the search_backfill job (as after 0009),
-- from the first message to the last one stored now, a thousand a
-- transaction, resuming where it stopped; until it reaches a message,
-- that message is found by its old grams (a term within one of its
-- words, not across a space). Messages written from now on are indexed
-- the new way. The customer index is rebuilt by this migration's Go step
-- (sqldb.rebuildCustomerIndex), in its transaction.
UPDATE search_backfill SET next_id = 0, upto = (SELECT COALESCE(MAX(id), 0) FROM messages) WHERE id = 1;
INSERT INTO jobs (kind, workspace_id, ref_id, due_at)
    SELECT 'search_backfill', id, 0, 0 FROM workspaces
    WHERE id = (SELECT MIN(id) FROM workspaces) AND EXISTS (SELECT 1 FROM messages)
    ON CONFLICT (kind, workspace_id, ref_id) DO UPDATE SET due_at = 0;

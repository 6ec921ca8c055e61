-- History and customer search fold full- and half-width forms (§9): a
-- phone or an IME types 주문번호 １１８３ or ＫＢ카드, and 1183 or kb카드
-- must find it, as must the full-width query find the ordinary text
-- (history.fold applies width.Fold before NFC and lower case). The index
-- holds folded text, so every message stored before is indexed again by
-- the search_backfill job, from the first message to the last one stored
-- now, as after 0028; until the job reaches a message, that message is
-- found by its other words, not by its full-width ones. The customer index is rebuilt by this migration's Go step
-- (sqldb.rebuildCustomerIndex), in its transaction.
UPDATE search_backfill SET next_id = 0, upto = (SELECT COALESCE(MAX(id), 0) FROM messages) WHERE id = 1;
INSERT INTO jobs (kind, workspace_id, ref_id, due_at)
    SELECT 'search_backfill', id, 0, 0 FROM workspaces
    WHERE id = (SELECT MIN(id) FROM workspaces) AND EXISTS (SELECT 1 FROM messages)
    ON CONFLICT (kind, workspace_id, ref_id) DO UPDATE SET due_at = 0;

-- The per-message UPDATE of a conversation becomes HOT (issue 17: the
-- PostgreSQL write path's CPU). conversations_list held last_message_at,
-- which every message changes, so every update of the row wrote a new
-- entry in all nine of the table's indexes. The list is now indexed by
-- list_bucket, last_message_at in five-minute buckets (300,000,000 µs;
-- sqldb.listBucket must match), which a message changes at most once in
-- five minutes; the list reads its index in bucket order and sorts within
-- a bucket (an incremental sort), the same order as before:
-- ORDER BY list_bucket DESC, last_message_at DESC, id DESC.
-- fillfactor leaves room on each page for the row's next version, which a
-- HOT update needs (it applies to the pages the ADD COLUMN rewrites).
ALTER TABLE conversations SET (fillfactor = 80);
ALTER TABLE conversations ADD COLUMN list_bucket BIGINT GENERATED ALWAYS AS (last_message_at / 300000000) STORED;
DROP INDEX conversations_list;
CREATE INDEX conversations_list ON conversations (workspace_id, state, list_bucket);

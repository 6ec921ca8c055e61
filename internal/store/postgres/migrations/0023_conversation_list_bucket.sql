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

-- The search index keeps its grams as numbers (history.GramCode): a
-- character is its code point, a bigram ab is (a+1)·2²¹ + b. One-to-one,
-- so searches find exactly what they found; the GIN index compares 8-byte
-- integers instead of strings under the database's collation, and the
-- write path sends a binary bigint[]. Every row is rewritten from its text
-- grams here, exactly as the Go side encodes them.
CREATE FUNCTION pg_temp.gram_codes(grams TEXT[]) RETURNS BIGINT[] LANGUAGE sql IMMUTABLE AS $$
    SELECT COALESCE(array_agg(c ORDER BY c), '{}') FROM (
        SELECT DISTINCT CASE WHEN length(g) = 1 THEN ascii(g)::BIGINT
            ELSE ((ascii(g)::BIGINT + 1) << 21) | ascii(substr(g, 2, 1)) END AS c
        FROM unnest(grams) AS g) AS codes
$$;
DROP INDEX message_search_grams;
ALTER TABLE message_search ALTER COLUMN grams TYPE BIGINT[] USING pg_temp.gram_codes(grams);
CREATE INDEX message_search_grams ON message_search USING gin (grams);

-- Room numbers get a row of their own, as event sequences did (0002): a
-- new conversation no longer rewrites its workspace's row, settings and
-- all, whose dead versions every read of the workspace walked past until
-- vacuum (docs/benchmarks.md, branch pglive).
CREATE TABLE room_seqs (
    workspace_id BIGINT PRIMARY KEY REFERENCES workspaces (id),
    seq          BIGINT NOT NULL
);
INSERT INTO room_seqs (workspace_id, seq) SELECT id, room_seq FROM workspaces;
ALTER TABLE workspaces DROP COLUMN room_seq;

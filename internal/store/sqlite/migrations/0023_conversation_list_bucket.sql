-- The conversation list is indexed by list_bucket, last_message_at in
-- five-minute buckets (300,000,000 µs; sqldb.listBucket must match), as on
-- PostgreSQL, where it lets the per-message update of a conversation be
-- HOT (see the PostgreSQL migration). The list reads the index in bucket
-- order and sorts within a bucket: the same order as before,
-- ORDER BY list_bucket DESC, last_message_at DESC, id DESC. SQLite can
-- add only a virtual generated column; the index stores its value.
ALTER TABLE conversations ADD COLUMN list_bucket INTEGER GENERATED ALWAYS AS (last_message_at / 300000000) VIRTUAL;
DROP INDEX conversations_list;
CREATE INDEX conversations_list ON conversations (workspace_id, state, list_bucket);

-- Room numbers get a row of their own, as event sequences did (0002): a
-- new conversation no longer rewrites its workspace's row, settings and
-- all, whose dead versions every read of the workspace walked past until
-- vacuum (docs/benchmarks.md, branch pglive).
CREATE TABLE room_seqs (
    workspace_id INTEGER PRIMARY KEY REFERENCES workspaces (id),
    seq          INTEGER NOT NULL
);
INSERT INTO room_seqs (workspace_id, seq) SELECT id, room_seq FROM workspaces;
ALTER TABLE workspaces DROP COLUMN room_seq;

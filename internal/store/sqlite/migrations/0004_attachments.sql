-- Attachments (§3.4): one file per message. The bytes live in blob storage
-- (uploads/ under the data directory); a row describes them and names the
-- stored blobs, whose keys are random and never derived from the file name.
CREATE TABLE attachments (
    id              INTEGER PRIMARY KEY,
    workspace_id    INTEGER NOT NULL REFERENCES workspaces (id),
    conversation_id INTEGER NOT NULL REFERENCES conversations (id),
    message_id      INTEGER NOT NULL UNIQUE REFERENCES messages (id),
    name            TEXT    NOT NULL,
    size            INTEGER NOT NULL,
    content_type    TEXT    NOT NULL,
    kind            TEXT    NOT NULL,
    width           INTEGER NOT NULL DEFAULT 0,
    height          INTEGER NOT NULL DEFAULT 0,
    blob_key        TEXT    NOT NULL UNIQUE,
    thumbnail_key   TEXT    NOT NULL DEFAULT '',
    created_at      INTEGER NOT NULL
);
CREATE INDEX attachments_conversation ON attachments (workspace_id, conversation_id);

-- A key every node shares for signing short-lived download links (the
-- widget's <img> cannot send its bearer token). randomblob draws from
-- SQLite's CSPRNG, seeded by the operating system.
ALTER TABLE installation ADD COLUMN secret TEXT NOT NULL DEFAULT '';
UPDATE installation SET secret = lower(hex(randomblob(32)));

-- History search and exports (§9).
--
-- message_fts indexes messages' text as our own tokens (history.Grams:
-- each word's bigrams and its last character), which FTS5's "ascii"
-- tokenizer keeps as they are. Its rowid is the message's ID; it stores no
-- copy of the text (contentless), and contentless_delete lets a rewrite
-- (masking) replace a message's tokens.
CREATE VIRTUAL TABLE message_fts USING fts5(grams, content='', contentless_delete=1, tokenize='ascii');

-- Messages stored before this migration are indexed by a resumable job
-- (search_backfill): next_id is where it goes on, upto the last message
-- it has to index (later ones are indexed as they are written).
CREATE TABLE search_backfill (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    next_id INTEGER NOT NULL,
    upto    INTEGER NOT NULL
);
INSERT INTO search_backfill (id, next_id, upto) SELECT 1, 0, COALESCE(MAX(id), 0) FROM messages;
INSERT INTO jobs (kind, workspace_id, ref_id, due_at)
    SELECT 'search_backfill', id, 0, 0 FROM workspaces
    WHERE id = (SELECT MIN(id) FROM workspaces) AND EXISTS (SELECT 1 FROM messages);

-- The history page lists in the order conversations were created, newest first.
CREATE INDEX conversations_history ON conversations (workspace_id, id);
-- A period finds its range of conversation IDs here.
CREATE INDEX conversations_started ON conversations (workspace_id, created_at);

CREATE TABLE exports (
    id           INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL REFERENCES workspaces (id),
    agent_id     INTEGER NOT NULL REFERENCES agents (id),
    format       TEXT    NOT NULL,
    layout       TEXT    NOT NULL,
    filter       TEXT    NOT NULL,
    state        TEXT    NOT NULL,
    total        INTEGER NOT NULL DEFAULT 0,
    done         INTEGER NOT NULL DEFAULT 0,
    rows         INTEGER NOT NULL DEFAULT 0,
    blob_key     TEXT    NOT NULL DEFAULT '',
    size         INTEGER NOT NULL DEFAULT 0,
    runner       TEXT    NOT NULL DEFAULT '',
    heartbeat_at INTEGER,
    error        TEXT    NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    finished_at  INTEGER,
    expires_at   INTEGER
);
CREATE INDEX exports_agent ON exports (workspace_id, agent_id, state);

-- History search and exports (§9).
--
-- message_search holds, per message, its normalized text (history.Normalize)
-- and its distinct characters and bigrams (history.GramSet) under a GIN
-- index: a query finds the messages holding every gram of its terms, then
-- keeps those whose normalized text has each term. pg_trgm is not used: it
-- pads words and needs three characters, so it cannot find 환불 inside
-- 환불은 by index.
CREATE TABLE message_search (
    message_id      BIGINT PRIMARY KEY REFERENCES messages (id),
    workspace_id    BIGINT NOT NULL,
    conversation_id BIGINT NOT NULL,
    norm            TEXT   NOT NULL,
    grams           TEXT[] NOT NULL
);
CREATE INDEX message_search_grams ON message_search USING gin (grams);
-- A common word is searched newest conversation first, stopping at a page.
CREATE INDEX message_search_conversation ON message_search (workspace_id, conversation_id);

-- Messages stored before this migration are indexed by a resumable job
-- (search_backfill): next_id is where it goes on, upto the last message
-- it has to index (later ones are indexed as they are written).
CREATE TABLE search_backfill (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    next_id BIGINT NOT NULL,
    upto    BIGINT NOT NULL
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
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workspace_id BIGINT  NOT NULL REFERENCES workspaces (id),
    agent_id     BIGINT  NOT NULL REFERENCES agents (id),
    format       TEXT    NOT NULL,
    layout       TEXT    NOT NULL,
    filter       TEXT    NOT NULL,
    state        TEXT    NOT NULL,
    total        BIGINT  NOT NULL DEFAULT 0,
    done         BIGINT  NOT NULL DEFAULT 0,
    rows         BIGINT  NOT NULL DEFAULT 0,
    blob_key     TEXT    NOT NULL DEFAULT '',
    size         BIGINT  NOT NULL DEFAULT 0,
    runner       TEXT    NOT NULL DEFAULT '',
    heartbeat_at BIGINT,
    error        TEXT    NOT NULL DEFAULT '',
    created_at   BIGINT  NOT NULL,
    finished_at  BIGINT,
    expires_at   BIGINT
);
CREATE INDEX exports_agent ON exports (workspace_id, agent_id, state);

-- Conversation lifecycle and routing: settings, capacity, flags, agent
-- path, customer wrap-up, system messages, blocking, tickets, durable jobs.
ALTER TABLE workspaces ADD COLUMN settings TEXT NOT NULL DEFAULT '{}';

-- The installation's own name: nodes of one installation share it, and it
-- keeps installations apart on a shared NATS server.
CREATE TABLE installation (id TEXT NOT NULL);
INSERT INTO installation (id) VALUES (lower(hex(randomblob(8))));

-- The event sequence gets a row of its own: appending events is the last
-- lock every transaction takes, and nothing else may lock the same row
-- (settings and room numbers lock the workspace row early).
CREATE TABLE event_seqs (
    workspace_id INTEGER PRIMARY KEY REFERENCES workspaces (id),
    seq          INTEGER NOT NULL
);
INSERT INTO event_seqs (workspace_id, seq) SELECT id, event_seq FROM workspaces;
ALTER TABLE workspaces DROP COLUMN event_seq;

ALTER TABLE members ADD COLUMN capacity INTEGER;
ALTER TABLE members ADD COLUMN last_closed_at INTEGER;

ALTER TABLE customers ADD COLUMN blocked_at INTEGER;
ALTER TABLE customers ADD COLUMN block_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN block_note TEXT NOT NULL DEFAULT '';

ALTER TABLE conversations ADD COLUMN important INTEGER NOT NULL DEFAULT 0;
ALTER TABLE conversations ADD COLUMN on_hold INTEGER NOT NULL DEFAULT 0;
ALTER TABLE conversations ADD COLUMN agent_path TEXT NOT NULL DEFAULT '[]';
ALTER TABLE conversations ADD COLUMN customer_left_at INTEGER;
ALTER TABLE conversations ADD COLUMN first_reply_at INTEGER;

-- A conversation the customer left is closed for them: they may start another.
DROP INDEX conversations_one_open_web;
CREATE UNIQUE INDEX conversations_one_open_web ON conversations (customer_id)
    WHERE state <> 'closed' AND channel = 'web' AND customer_left_at IS NULL;
CREATE INDEX conversations_queue ON conversations (workspace_id, state, id);
CREATE INDEX conversations_assignee ON conversations (workspace_id, assignee_id, state);
CREATE INDEX conversations_customer ON conversations (customer_id, id);

ALTER TABLE messages ADD COLUMN kind TEXT NOT NULL DEFAULT 'text';
ALTER TABLE messages ADD COLUMN meta TEXT NOT NULL DEFAULT '{}';
ALTER TABLE messages ADD COLUMN internal INTEGER NOT NULL DEFAULT 0;

CREATE TABLE tickets (
    id           INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL REFERENCES workspaces (id),
    customer_id  INTEGER REFERENCES customers (id),
    name         TEXT    NOT NULL,
    contact      TEXT    NOT NULL,
    message      TEXT    NOT NULL,
    status       TEXT    NOT NULL,
    assignee_id  INTEGER REFERENCES agents (id),
    note         TEXT    NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    solved_at    INTEGER
);
CREATE INDEX tickets_list ON tickets (workspace_id, status, id);

-- Durable timers: one row per pending effect, claimed with a lease by any
-- node, deleted in the transaction that carries the effect out.
CREATE TABLE jobs (
    id            INTEGER PRIMARY KEY,
    kind          TEXT    NOT NULL,
    workspace_id  INTEGER NOT NULL REFERENCES workspaces (id),
    ref_id        INTEGER NOT NULL,
    due_at        INTEGER NOT NULL,
    attempts      INTEGER NOT NULL DEFAULT 0,
    claimed_by    TEXT,
    claimed_until INTEGER,
    last_error    TEXT    NOT NULL DEFAULT '',
    UNIQUE (kind, workspace_id, ref_id)
);
CREATE INDEX jobs_due ON jobs (due_at);

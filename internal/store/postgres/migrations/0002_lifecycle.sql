-- Conversation lifecycle and routing: settings, capacity, flags, agent
-- path, customer wrap-up, system messages, blocking, tickets, durable jobs.
ALTER TABLE workspaces ADD COLUMN settings TEXT NOT NULL DEFAULT '{}';

-- The installation's own name: nodes of one installation share it, and it
-- keeps installations apart on a shared NATS server.
CREATE TABLE installation (id TEXT NOT NULL);
INSERT INTO installation (id) VALUES (substr(md5(random()::text || clock_timestamp()::text), 1, 16));

-- The event sequence gets a row of its own: appending events is the last
-- lock every transaction takes, and nothing else may lock the same row
-- (settings and room numbers lock the workspace row early).
CREATE TABLE event_seqs (
    workspace_id BIGINT PRIMARY KEY REFERENCES workspaces (id),
    seq          BIGINT NOT NULL
);
INSERT INTO event_seqs (workspace_id, seq) SELECT id, event_seq FROM workspaces;
ALTER TABLE workspaces DROP COLUMN event_seq;

ALTER TABLE members ADD COLUMN capacity BIGINT;
ALTER TABLE members ADD COLUMN last_closed_at BIGINT;

ALTER TABLE customers ADD COLUMN blocked_at BIGINT;
ALTER TABLE customers ADD COLUMN block_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN block_note TEXT NOT NULL DEFAULT '';

ALTER TABLE conversations ADD COLUMN important BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE conversations ADD COLUMN on_hold BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE conversations ADD COLUMN agent_path TEXT NOT NULL DEFAULT '[]';
ALTER TABLE conversations ADD COLUMN customer_left_at BIGINT;
ALTER TABLE conversations ADD COLUMN first_reply_at BIGINT;

-- A conversation the customer left is closed for them: they may start another.
DROP INDEX conversations_one_open_web;
CREATE UNIQUE INDEX conversations_one_open_web ON conversations (customer_id)
    WHERE state <> 'closed' AND channel = 'web' AND customer_left_at IS NULL;
CREATE INDEX conversations_queue ON conversations (workspace_id, state, id);
CREATE INDEX conversations_assignee ON conversations (workspace_id, assignee_id, state);
CREATE INDEX conversations_customer ON conversations (customer_id, id);

ALTER TABLE messages ADD COLUMN kind TEXT NOT NULL DEFAULT 'text';
ALTER TABLE messages ADD COLUMN meta TEXT NOT NULL DEFAULT '{}';
ALTER TABLE messages ADD COLUMN internal BOOLEAN NOT NULL DEFAULT FALSE;

CREATE TABLE tickets (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspaces (id),
    customer_id  BIGINT REFERENCES customers (id),
    name         TEXT    NOT NULL,
    contact      TEXT    NOT NULL,
    message      TEXT    NOT NULL,
    status       TEXT    NOT NULL,
    assignee_id  BIGINT REFERENCES agents (id),
    note         TEXT    NOT NULL DEFAULT '',
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    solved_at    BIGINT
);
CREATE INDEX tickets_list ON tickets (workspace_id, status, id);

-- Durable timers: one row per pending effect, claimed with a lease by any
-- node, deleted in the transaction that carries the effect out.
CREATE TABLE jobs (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind          TEXT    NOT NULL,
    workspace_id  BIGINT NOT NULL REFERENCES workspaces (id),
    ref_id        BIGINT NOT NULL,
    due_at        BIGINT NOT NULL,
    attempts      BIGINT NOT NULL DEFAULT 0,
    claimed_by    TEXT,
    claimed_until BIGINT,
    last_error    TEXT    NOT NULL DEFAULT '',
    UNIQUE (kind, workspace_id, ref_id)
);
CREATE INDEX jobs_due ON jobs (due_at);

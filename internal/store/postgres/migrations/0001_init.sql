-- Times are Unix microseconds (UTC) in both dialects so that ordering and
-- arithmetic behave the same on SQLite and PostgreSQL.
CREATE TABLE workspaces (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    site_id         TEXT    NOT NULL UNIQUE,
    name            TEXT    NOT NULL,
    identity_secret TEXT    NOT NULL,
    allowed_origins TEXT    NOT NULL DEFAULT '[]',
    consent_text    TEXT    NOT NULL DEFAULT '',
    color           TEXT    NOT NULL DEFAULT '',
    title           TEXT    NOT NULL DEFAULT '',
    room_seq        BIGINT NOT NULL DEFAULT 0,
    event_seq       BIGINT NOT NULL DEFAULT 0,
    created_at      BIGINT NOT NULL
);

CREATE TABLE agents (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email         TEXT    NOT NULL UNIQUE,
    name          TEXT    NOT NULL,
    password_hash TEXT    NOT NULL,
    created_at    BIGINT NOT NULL
);

CREATE TABLE members (
    workspace_id BIGINT NOT NULL REFERENCES workspaces (id),
    agent_id     BIGINT NOT NULL REFERENCES agents (id),
    role         TEXT    NOT NULL,
    status       TEXT    NOT NULL DEFAULT 'offline',
    PRIMARY KEY (workspace_id, agent_id)
);
CREATE INDEX members_agent ON members (agent_id);

CREATE TABLE sessions (
    token_hash TEXT    PRIMARY KEY,
    agent_id   BIGINT NOT NULL REFERENCES agents (id),
    csrf_token TEXT    NOT NULL,
    expires_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE customers (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspaces (id),
    external_id  TEXT    NOT NULL,
    verified     BOOLEAN NOT NULL DEFAULT FALSE,
    name         TEXT    NOT NULL DEFAULT '',
    email        TEXT    NOT NULL DEFAULT '',
    phone        TEXT    NOT NULL DEFAULT '',
    language     TEXT    NOT NULL DEFAULT '',
    extra        TEXT    NOT NULL DEFAULT '{}',
    created_at   BIGINT NOT NULL,
    UNIQUE (workspace_id, external_id)
);

CREATE TABLE visitor_sessions (
    token_hash   TEXT    PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspaces (id),
    customer_id  BIGINT NOT NULL REFERENCES customers (id),
    created_at   BIGINT NOT NULL
);

CREATE TABLE conversations (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workspace_id    BIGINT NOT NULL REFERENCES workspaces (id),
    room_no         BIGINT NOT NULL,
    customer_id     BIGINT NOT NULL REFERENCES customers (id),
    channel         TEXT    NOT NULL,
    state           TEXT    NOT NULL,
    assignee_id     BIGINT REFERENCES agents (id),
    close_reason    TEXT    NOT NULL DEFAULT '',
    last_seq        BIGINT NOT NULL DEFAULT 0,
    last_message    TEXT    NOT NULL DEFAULT '',
    last_message_at BIGINT NOT NULL,
    created_at      BIGINT NOT NULL,
    closed_at       BIGINT,
    UNIQUE (workspace_id, room_no)
);
CREATE INDEX conversations_list ON conversations (workspace_id, state, last_message_at);
-- The store also checks this in its transaction; the index is the backstop.
CREATE UNIQUE INDEX conversations_one_open_web ON conversations (customer_id)
    WHERE state <> 'closed' AND channel = 'web';

CREATE TABLE messages (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workspace_id    BIGINT NOT NULL REFERENCES workspaces (id),
    conversation_id BIGINT NOT NULL REFERENCES conversations (id),
    seq             BIGINT NOT NULL,
    sender_type     TEXT    NOT NULL,
    sender_id       BIGINT,
    sender_name     TEXT    NOT NULL DEFAULT '',
    client_msg_id   TEXT    NOT NULL,
    body            TEXT    NOT NULL,
    created_at      BIGINT NOT NULL,
    UNIQUE (conversation_id, seq),
    UNIQUE (conversation_id, client_msg_id)
);

CREATE TABLE events (
    workspace_id    BIGINT NOT NULL REFERENCES workspaces (id),
    seq             BIGINT NOT NULL,
    type            TEXT    NOT NULL,
    conversation_id BIGINT,
    payload         TEXT    NOT NULL,
    created_at      BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, seq)
);
CREATE INDEX events_conversation ON events (workspace_id, conversation_id, seq);

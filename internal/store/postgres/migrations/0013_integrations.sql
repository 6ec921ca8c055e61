-- Integrations (§10.1–10.3, §1.2, §1.3): webhooks, API channels for
-- messenger bridges and alert targets are all *endpoints*; what leaves
-- Sodam for them is a *delivery*, written in the same transaction as the
-- event it carries (the outbox) and sent by a worker on any node.

CREATE TABLE endpoints (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workspace_id  BIGINT  NOT NULL REFERENCES workspaces (id),
    -- webhook, channel, slack, jandi or email
    kind          TEXT    NOT NULL,
    name          TEXT    NOT NULL DEFAULT '',
    -- the receiver's URL, or an email address
    url           TEXT    NOT NULL,
    -- the event types it wants, a JSON array
    events        TEXT    NOT NULL DEFAULT '[]',
    -- the signing secret, sealed (AES-GCM); '' where nothing is signed
    secret        TEXT    NOT NULL DEFAULT '',
    -- a channel's inbound token, SHA-256 only
    token_hash    TEXT    UNIQUE,
    -- a channel's messenger: kakao, naver, telegram or api
    channel_kind  TEXT    NOT NULL DEFAULT '',
    -- internal (agent-only) messages are sent only where this is set
    internal      BOOLEAN NOT NULL DEFAULT FALSE,
    -- a personal alert target: the agent who opted in, quiet hours in
    -- minutes of the workspace's day (-1: none)
    agent_id      BIGINT  REFERENCES agents (id),
    quiet_start   BIGINT  NOT NULL DEFAULT -1,
    quiet_end     BIGINT  NOT NULL DEFAULT -1,
    -- "waiting longer than N minutes unassigned"
    wait_minutes  BIGINT  NOT NULL DEFAULT 0,
    -- while a receiver fails, its other deliveries wait for this time
    -- instead of each trying on its own (one probe at a time)
    down_until    BIGINT,
    created_by    BIGINT  REFERENCES agents (id),
    created_at    BIGINT  NOT NULL,
    deleted_at    BIGINT 
);
CREATE INDEX endpoints_workspace ON endpoints (workspace_id) WHERE deleted_at IS NULL;
CREATE UNIQUE INDEX endpoints_personal ON endpoints (workspace_id, agent_id) WHERE agent_id IS NOT NULL;

-- A messenger account (a channel's external user) is one customer
-- identifier; its conversations go back through that channel.
CREATE TABLE channel_users (
    customer_id      BIGINT PRIMARY KEY REFERENCES customers (id),
    workspace_id     BIGINT  NOT NULL REFERENCES workspaces (id),
    channel_id       BIGINT  NOT NULL REFERENCES endpoints (id),
    external_user_id TEXT    NOT NULL,
    UNIQUE (channel_id, external_user_id)
);

-- One open conversation per messenger account (the web has its own index).
CREATE UNIQUE INDEX conversations_one_open_channel ON conversations (customer_id)
    WHERE state <> 'closed' AND channel <> 'web';

-- The outbox. The payload is not stored: it is built from the stored
-- event (or, for an alert, the conversation) when it is sent, so masking
-- that rewrites the event log reaches what is still pending.
CREATE TABLE deliveries (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workspace_id    BIGINT  NOT NULL REFERENCES workspaces (id),
    endpoint_id     BIGINT  NOT NULL REFERENCES endpoints (id),
    event_seq       BIGINT  NOT NULL DEFAULT 0,
    event_type      TEXT    NOT NULL,
    conversation_id BIGINT  NOT NULL DEFAULT 0,
    -- pending, delivered, failed or skipped
    status          TEXT    NOT NULL DEFAULT 'pending',
    attempts        BIGINT  NOT NULL DEFAULT 0,
    next_at         BIGINT  NOT NULL,
    claimed_by      TEXT,
    claimed_until   BIGINT ,
    last_code       BIGINT  NOT NULL DEFAULT 0,
    last_body       TEXT    NOT NULL DEFAULT '',
    last_error      TEXT    NOT NULL DEFAULT '',
    created_at      BIGINT  NOT NULL,
    done_at         BIGINT 
);
CREATE INDEX deliveries_due ON deliveries (next_at) WHERE status = 'pending';
CREATE INDEX deliveries_endpoint ON deliveries (endpoint_id, id);
-- A waiting alert is sent once per conversation and target.
CREATE UNIQUE INDEX deliveries_waiting ON deliveries (endpoint_id, conversation_id)
    WHERE event_type = 'conversation.waiting';

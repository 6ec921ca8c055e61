-- Real tickets (issue 13, part 5): a subject, the channel (web: a left
-- message; chat: made from a conversation, which it links), priority, a due
-- time, tags, a thread of public replies and internal comments with the
-- email delivery state of each reply, and what each agent has read.
ALTER TABLE tickets ADD COLUMN subject TEXT NOT NULL DEFAULT '';
ALTER TABLE tickets ADD COLUMN channel TEXT NOT NULL DEFAULT 'web';
ALTER TABLE tickets ADD COLUMN conversation_id BIGINT  REFERENCES conversations (id);
ALTER TABLE tickets ADD COLUMN priority TEXT NOT NULL DEFAULT 'normal';
ALTER TABLE tickets ADD COLUMN due_at BIGINT;
ALTER TABLE tickets ADD COLUMN created_by BIGINT  REFERENCES agents (id);
ALTER TABLE tickets ADD COLUMN replies INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tickets ADD COLUMN activity_at BIGINT  NOT NULL DEFAULT 0;
UPDATE tickets SET activity_at = updated_at;
-- The list pages newest first within a workspace, with or without filters.
CREATE INDEX tickets_page ON tickets (workspace_id, id);

CREATE TABLE ticket_tags (
    ticket_id BIGINT  NOT NULL REFERENCES tickets (id),
    tag       TEXT    NOT NULL,
    PRIMARY KEY (ticket_id, tag)
);

CREATE TABLE ticket_replies (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workspace_id     BIGINT  NOT NULL REFERENCES workspaces (id),
    ticket_id        BIGINT  NOT NULL REFERENCES tickets (id),
    author_id        BIGINT  REFERENCES agents (id),
    internal         BOOLEAN NOT NULL DEFAULT FALSE,
    body             TEXT    NOT NULL,
    created_at       BIGINT  NOT NULL,
    delivery         TEXT    NOT NULL DEFAULT '',
    delivery_to      TEXT    NOT NULL DEFAULT '',
    delivery_attempts INTEGER NOT NULL DEFAULT 0,
    delivery_error   TEXT    NOT NULL DEFAULT '',
    delivered_at     BIGINT
);
CREATE INDEX ticket_replies_thread ON ticket_replies (ticket_id, id);

CREATE TABLE ticket_reads (
    agent_id  BIGINT  NOT NULL REFERENCES agents (id),
    ticket_id BIGINT  NOT NULL REFERENCES tickets (id),
    seen_at   BIGINT  NOT NULL,
    PRIMARY KEY (agent_id, ticket_id)
);

-- Internal notes, mentions and read receipts (issue 14, §2.7).
-- A note is a message with internal = true (the column exists since the
-- system messages for agents). Read receipts: how far the assigned agent
-- and the visitor have read, as message sequence numbers.
ALTER TABLE conversations ADD COLUMN agent_read_seq BIGINT NOT NULL DEFAULT 0;
ALTER TABLE conversations ADD COLUMN visitor_read_seq BIGINT NOT NULL DEFAULT 0;

-- One row per agent mentioned in a note: the console alerts them, the
-- mentioned agent may open the conversation, and alerts by email can
-- follow from here.
CREATE TABLE mentions (
    workspace_id    BIGINT NOT NULL REFERENCES workspaces (id),
    conversation_id BIGINT NOT NULL REFERENCES conversations (id),
    message_id      BIGINT NOT NULL REFERENCES messages (id),
    agent_id        BIGINT NOT NULL REFERENCES agents (id),
    created_at      BIGINT NOT NULL,
    PRIMARY KEY (message_id, agent_id)
);
CREATE INDEX mentions_agent ON mentions (workspace_id, agent_id, created_at);
CREATE INDEX mentions_conversation ON mentions (conversation_id, agent_id);

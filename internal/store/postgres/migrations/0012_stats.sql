-- Statistics (issue 16; docs/statistics.md). Two tables, both kept in
-- the transaction that changes a conversation (group commit included):
--
-- stat_conversations holds what each conversation last contributed to the
-- roll-up (its parts, as JSON), so a change applies exactly the difference.
-- stat_days is the roll-up: additive measures per workspace, local day
-- (YYYYMMDD in the workspace's time zone), agent, channel and category, at
-- eight levels: every combination of the three dimensions (agent_id -1,
-- channel '' and category_id -1 mean "all"; level is the bit mask of the
-- dimensions a row splits by: 1 agent, 2 channel, 4 category), so that a
-- query reads only the rows of its own level.
-- frt_ms, dur_ms and queue_ms are sums in milliseconds; h00..h24 count first
-- response times in the 25 buckets of stats.Bounds.
CREATE TABLE stat_conversations (
    conversation_id BIGINT PRIMARY KEY REFERENCES conversations (id),
    workspace_id    BIGINT NOT NULL REFERENCES workspaces (id),
    parts           TEXT   NOT NULL
);
CREATE INDEX stat_conversations_workspace ON stat_conversations (workspace_id);

CREATE TABLE stat_days (
    workspace_id    BIGINT NOT NULL REFERENCES workspaces (id),
    level           INTEGER NOT NULL,
    day             INTEGER NOT NULL,
    agent_id        BIGINT NOT NULL,
    channel         TEXT    NOT NULL,
    category_id     BIGINT NOT NULL,
    inflow          BIGINT NOT NULL DEFAULT 0,
    completed       BIGINT NOT NULL DEFAULT 0,
    same_day        BIGINT NOT NULL DEFAULT 0,
    unprocessed     BIGINT NOT NULL DEFAULT 0,
    robot_resolved  BIGINT NOT NULL DEFAULT 0,
    frt_n           BIGINT NOT NULL DEFAULT 0,
    frt_ms          BIGINT NOT NULL DEFAULT 0,
    dur_n           BIGINT NOT NULL DEFAULT 0,
    dur_ms          BIGINT NOT NULL DEFAULT 0,
    queue_n         BIGINT NOT NULL DEFAULT 0,
    queue_ms        BIGINT NOT NULL DEFAULT 0,
    transfers       BIGINT NOT NULL DEFAULT 0,
    rated           BIGINT NOT NULL DEFAULT 0,
    r1              BIGINT NOT NULL DEFAULT 0,
    r2              BIGINT NOT NULL DEFAULT 0,
    r3              BIGINT NOT NULL DEFAULT 0,
    r4              BIGINT NOT NULL DEFAULT 0,
    r5              BIGINT NOT NULL DEFAULT 0,
    rating_eligible BIGINT NOT NULL DEFAULT 0,
    h00             BIGINT NOT NULL DEFAULT 0,
    h01             BIGINT NOT NULL DEFAULT 0,
    h02             BIGINT NOT NULL DEFAULT 0,
    h03             BIGINT NOT NULL DEFAULT 0,
    h04             BIGINT NOT NULL DEFAULT 0,
    h05             BIGINT NOT NULL DEFAULT 0,
    h06             BIGINT NOT NULL DEFAULT 0,
    h07             BIGINT NOT NULL DEFAULT 0,
    h08             BIGINT NOT NULL DEFAULT 0,
    h09             BIGINT NOT NULL DEFAULT 0,
    h10             BIGINT NOT NULL DEFAULT 0,
    h11             BIGINT NOT NULL DEFAULT 0,
    h12             BIGINT NOT NULL DEFAULT 0,
    h13             BIGINT NOT NULL DEFAULT 0,
    h14             BIGINT NOT NULL DEFAULT 0,
    h15             BIGINT NOT NULL DEFAULT 0,
    h16             BIGINT NOT NULL DEFAULT 0,
    h17             BIGINT NOT NULL DEFAULT 0,
    h18             BIGINT NOT NULL DEFAULT 0,
    h19             BIGINT NOT NULL DEFAULT 0,
    h20             BIGINT NOT NULL DEFAULT 0,
    h21             BIGINT NOT NULL DEFAULT 0,
    h22             BIGINT NOT NULL DEFAULT 0,
    h23             BIGINT NOT NULL DEFAULT 0,
    h24             BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (workspace_id, level, day, agent_id, channel, category_id)
);
-- An agent's or a category's rows of a level, day by day.
CREATE INDEX stat_days_agent ON stat_days (workspace_id, level, agent_id, day);
CREATE INDEX stat_days_category ON stat_days (workspace_id, level, category_id, day);

-- The time zone each workspace's roll-up is counted in. When a workspace's
-- zone changes, the next write schedules a stats_rebuild job, which
-- recounts every day in the new zone.
CREATE TABLE stat_zones (
    workspace_id BIGINT PRIMARY KEY REFERENCES workspaces (id),
    time_zone    TEXT   NOT NULL
);
-- Conversations from before this migration: every workspace's roll-up is
-- computed once by the job runner, as soon as a node runs.
INSERT INTO jobs (kind, workspace_id, ref_id, due_at) SELECT 'stats_rebuild', id, 0, 0 FROM workspaces;

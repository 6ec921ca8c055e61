-- The statistics roll-up kept in key order (docs/benchmarks.md,
-- "Statistics queries"). A query reads the rows of one level over a range
-- of days; in a rowid table those rows sit among every other level's, each
-- found through the primary key and then fetched from the table. Without a
-- rowid the table is its primary key, (workspace_id, level, day, …), so a
-- level's days lie side by side and a 3-month split by agent reads a few
-- hundred neighbouring pages. Same columns, same indexes.
CREATE TABLE stat_days_clustered (
    workspace_id    INTEGER NOT NULL REFERENCES workspaces (id),
    level           INTEGER NOT NULL,
    day             INTEGER NOT NULL,
    agent_id        INTEGER NOT NULL,
    channel         TEXT    NOT NULL,
    category_id     INTEGER NOT NULL,
    inflow          INTEGER NOT NULL DEFAULT 0,
    completed       INTEGER NOT NULL DEFAULT 0,
    same_day        INTEGER NOT NULL DEFAULT 0,
    unprocessed     INTEGER NOT NULL DEFAULT 0,
    robot_resolved  INTEGER NOT NULL DEFAULT 0,
    frt_n           INTEGER NOT NULL DEFAULT 0,
    frt_ms          INTEGER NOT NULL DEFAULT 0,
    dur_n           INTEGER NOT NULL DEFAULT 0,
    dur_ms          INTEGER NOT NULL DEFAULT 0,
    queue_n         INTEGER NOT NULL DEFAULT 0,
    queue_ms        INTEGER NOT NULL DEFAULT 0,
    transfers       INTEGER NOT NULL DEFAULT 0,
    rated           INTEGER NOT NULL DEFAULT 0,
    r1              INTEGER NOT NULL DEFAULT 0,
    r2              INTEGER NOT NULL DEFAULT 0,
    r3              INTEGER NOT NULL DEFAULT 0,
    r4              INTEGER NOT NULL DEFAULT 0,
    r5              INTEGER NOT NULL DEFAULT 0,
    rating_eligible INTEGER NOT NULL DEFAULT 0,
    h00             INTEGER NOT NULL DEFAULT 0,
    h01             INTEGER NOT NULL DEFAULT 0,
    h02             INTEGER NOT NULL DEFAULT 0,
    h03             INTEGER NOT NULL DEFAULT 0,
    h04             INTEGER NOT NULL DEFAULT 0,
    h05             INTEGER NOT NULL DEFAULT 0,
    h06             INTEGER NOT NULL DEFAULT 0,
    h07             INTEGER NOT NULL DEFAULT 0,
    h08             INTEGER NOT NULL DEFAULT 0,
    h09             INTEGER NOT NULL DEFAULT 0,
    h10             INTEGER NOT NULL DEFAULT 0,
    h11             INTEGER NOT NULL DEFAULT 0,
    h12             INTEGER NOT NULL DEFAULT 0,
    h13             INTEGER NOT NULL DEFAULT 0,
    h14             INTEGER NOT NULL DEFAULT 0,
    h15             INTEGER NOT NULL DEFAULT 0,
    h16             INTEGER NOT NULL DEFAULT 0,
    h17             INTEGER NOT NULL DEFAULT 0,
    h18             INTEGER NOT NULL DEFAULT 0,
    h19             INTEGER NOT NULL DEFAULT 0,
    h20             INTEGER NOT NULL DEFAULT 0,
    h21             INTEGER NOT NULL DEFAULT 0,
    h22             INTEGER NOT NULL DEFAULT 0,
    h23             INTEGER NOT NULL DEFAULT 0,
    h24             INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (workspace_id, level, day, agent_id, channel, category_id)
) WITHOUT ROWID;
INSERT INTO stat_days_clustered SELECT * FROM stat_days;
DROP TABLE stat_days;
ALTER TABLE stat_days_clustered RENAME TO stat_days;
-- An agent's or a category's rows of a level, day by day.
CREATE INDEX stat_days_agent ON stat_days (workspace_id, level, agent_id, day);
CREATE INDEX stat_days_category ON stat_days (workspace_id, level, category_id, day);

-- The statistics roll-up, one partition per level (docs/benchmarks.md,
-- "Statistics queries"). A query reads the rows of one level over a range
-- of days; in one heap those rows lie among every other level's, about one
-- to a page (a 3-month split by agent read 4,659 pages for 4,641 rows). In
-- its level's own partition they are a few pages a day. Same columns, same
-- key, same indexes; the level (0-7, stats.Levels) picks the partition.
CREATE TABLE stat_days_by_level (
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
) PARTITION BY LIST (level);
CREATE TABLE stat_days_l0 PARTITION OF stat_days_by_level FOR VALUES IN (0);
CREATE TABLE stat_days_l1 PARTITION OF stat_days_by_level FOR VALUES IN (1);
CREATE TABLE stat_days_l2 PARTITION OF stat_days_by_level FOR VALUES IN (2);
CREATE TABLE stat_days_l3 PARTITION OF stat_days_by_level FOR VALUES IN (3);
CREATE TABLE stat_days_l4 PARTITION OF stat_days_by_level FOR VALUES IN (4);
CREATE TABLE stat_days_l5 PARTITION OF stat_days_by_level FOR VALUES IN (5);
CREATE TABLE stat_days_l6 PARTITION OF stat_days_by_level FOR VALUES IN (6);
CREATE TABLE stat_days_l7 PARTITION OF stat_days_by_level FOR VALUES IN (7);
INSERT INTO stat_days_by_level SELECT * FROM stat_days;
DROP TABLE stat_days;
ALTER TABLE stat_days_by_level RENAME TO stat_days;
-- An agent's or a category's rows of a level, day by day.
CREATE INDEX stat_days_agent ON stat_days (workspace_id, level, agent_id, day);
CREATE INDEX stat_days_category ON stat_days (workspace_id, level, category_id, day);
ANALYZE stat_days;

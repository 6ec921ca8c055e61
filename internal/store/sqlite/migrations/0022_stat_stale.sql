-- The statistics roll-up is folded in a step of its own (issue 16,
-- docs/statistics.md): a write that changes what a conversation counts
-- marks it here, in its own transaction, and the step — every second, on
-- start-up and before every statistics read — folds every marked
-- conversation at once and deletes the marks, in one transaction. The
-- table is a bare rowid B-tree: a mark is one small row.
CREATE TABLE stat_stale (
    conversation_id INTEGER PRIMARY KEY
);

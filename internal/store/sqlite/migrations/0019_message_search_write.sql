-- PostgreSQL's 0019 drops message_search's foreign key to messages (a
-- cost on every message written). SQLite's index is the FTS5 table
-- message_fts, which has none: nothing changes here; the file keeps the
-- two stores' migrations in step.
SELECT 1;

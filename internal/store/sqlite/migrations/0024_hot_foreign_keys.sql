-- PostgreSQL's 0024 drops the foreign keys of messages and events (a
-- query per row on every message written). SQLite checks a key with an
-- index lookup inside the statement, and dropping one means rebuilding
-- the table: nothing changes here; the file keeps the two stores'
-- migrations in step.
SELECT 1;

-- SQLite's 0040 makes its FTS5 search index anew without the token
-- counts it kept a message. PostgreSQL's index (message_search) keeps
-- no such counts: nothing changes here; the file keeps the two stores'
-- migrations in step.
SELECT 1;

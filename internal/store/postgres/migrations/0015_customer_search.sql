-- The history's customer filter by index (issue 13): every profile's name,
-- nickname, email and phone digits (history.CustomerFields), one a line in
-- norm, and their distinct characters and bigrams under a GIN index, as
-- message_search keeps messages. The profiles already stored are indexed
-- by this migration's Go step (sqldb.backfillCustomerIndex), in its
-- transaction.
CREATE TABLE customer_search (
    profile_id   BIGINT PRIMARY KEY REFERENCES profiles (id),
    workspace_id BIGINT NOT NULL,
    norm         TEXT   NOT NULL,
    grams        TEXT[] NOT NULL
);
CREATE INDEX customer_search_grams ON customer_search USING gin (grams);

-- A mask (§11) empties the stored replies of the deliveries that sent
-- what it hides, since a receiver may answer with the request's body:
-- those of the events it rewrites (by seq) and the alerts of its
-- conversation (seq 0). Only deliveries that kept a reply are indexed.
CREATE INDEX deliveries_replies ON deliveries (workspace_id, event_seq) WHERE last_body <> '';

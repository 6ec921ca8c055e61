-- Due deliveries are found receiver by receiver (issue 14): a claim walks
-- the live endpoints whose receiver is not down and takes each one's due
-- deliveries from this index, so the backlog of a receiver that is down
-- is neither read nor rewritten while it waits for its next probe — the
-- probe's time is the endpoint's down_until, not a column of every
-- delivery. The index it replaces ordered every receiver's deliveries by
-- due time together, which put a down receiver's backlog in front of
-- every look.
DROP INDEX deliveries_due;
CREATE INDEX deliveries_due ON deliveries (endpoint_id, next_at) WHERE status = 'pending';

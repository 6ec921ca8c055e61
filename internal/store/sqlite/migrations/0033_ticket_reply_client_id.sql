-- A ticket reply may carry the client's idempotency key (client_id, as a
-- chat message's client_msg_id): a reply sent again after its answer was
-- lost is answered with the reply stored the first time, not stored (and
-- emailed) twice. Replies stored before have none.
ALTER TABLE ticket_replies ADD COLUMN client_id TEXT;
CREATE UNIQUE INDEX ticket_replies_client ON ticket_replies (ticket_id, client_id) WHERE client_id IS NOT NULL;

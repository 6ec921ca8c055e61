-- Automatic masking covers left messages (§7.1, §11). A ticket's masks
-- are the spans of its message shown as '*', as JSON ('' for none), as a
-- message's are (0011). The text a mask hid is kept only in
-- ticket_pii_originals, sealed under the workspace's key and bound to the
-- ticket (chat.TicketSealScope); key_id names the key it was sealed under.
ALTER TABLE tickets ADD COLUMN masks TEXT NOT NULL DEFAULT '';

CREATE TABLE ticket_pii_originals (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workspace_id BIGINT  NOT NULL REFERENCES workspaces (id),
    ticket_id    BIGINT  NOT NULL REFERENCES tickets (id),
    span_start   BIGINT  NOT NULL,
    span_end     BIGINT  NOT NULL,
    kind         TEXT    NOT NULL,
    key_id       TEXT    NOT NULL,
    sealed       BYTEA   NOT NULL,
    created_at   BIGINT  NOT NULL
);
CREATE INDEX ticket_pii_originals_ticket ON ticket_pii_originals (ticket_id, id);

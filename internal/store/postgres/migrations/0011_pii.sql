-- Personal information (issue 15, §11). A message's masks are the spans
-- of its body shown as '*', as JSON ('' for none). The text a mask hid is
-- kept only in pii_originals, sealed with AES-256-GCM under a key derived
-- from the server's PII key for the workspace; key_id names the key it was
-- sealed under. A mask drawn over an earlier one keeps both pieces: the
-- older piece saw the text before any mask.
ALTER TABLE messages ADD COLUMN masks TEXT NOT NULL DEFAULT '';

CREATE TABLE pii_originals (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspaces (id),
    message_id   BIGINT NOT NULL REFERENCES messages (id),
    span_start   BIGINT NOT NULL,
    span_end     BIGINT NOT NULL,
    kind         TEXT    NOT NULL,
    key_id       TEXT    NOT NULL,
    sealed       BYTEA   NOT NULL,
    created_at   BIGINT NOT NULL
);
CREATE INDEX pii_originals_message ON pii_originals (message_id, id);

-- The installation's PII key, by ID only: a node started with another key
-- (or none) refuses to serve rather than show ciphertext or seal under a
-- key the others cannot open.
CREATE TABLE pii_key (
    one        BIGINT PRIMARY KEY CHECK (one = 1),
    key_id     TEXT    NOT NULL,
    created_at BIGINT NOT NULL
);

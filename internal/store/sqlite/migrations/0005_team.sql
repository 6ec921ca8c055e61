-- Team administration (§0, §13, §10.4): installation owners, members that
-- can be deactivated, invitations and password resets as single-use links,
-- API tokens, archived workspaces, and the audit log.

ALTER TABLE agents ADD COLUMN owner BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE agents ADD COLUMN language TEXT NOT NULL DEFAULT '';
-- The first agent is the installation's first master: its owner.
UPDATE agents SET owner = TRUE WHERE id = (SELECT MIN(id) FROM agents);

ALTER TABLE members ADD COLUMN active BOOLEAN NOT NULL DEFAULT TRUE;

ALTER TABLE workspaces ADD COLUMN archived_at INTEGER;

-- An invitation is a single-use link to join a workspace with a role; a
-- password reset is a single-use link to choose a new password. Only the
-- token's SHA-256 is kept.
CREATE TABLE invitations (
    id           INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL REFERENCES workspaces (id),
    email        TEXT    NOT NULL,
    name         TEXT    NOT NULL,
    role         TEXT    NOT NULL,
    token_hash   TEXT    NOT NULL UNIQUE,
    invited_by   INTEGER REFERENCES agents (id),
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    accepted_at  INTEGER,
    revoked_at   INTEGER
);
CREATE INDEX invitations_workspace ON invitations (workspace_id, created_at);
-- At most one open invitation per address and workspace.
CREATE UNIQUE INDEX invitations_open ON invitations (workspace_id, email)
    WHERE accepted_at IS NULL AND revoked_at IS NULL;

CREATE TABLE password_resets (
    token_hash TEXT    PRIMARY KEY,
    agent_id   INTEGER NOT NULL REFERENCES agents (id),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER
);
CREATE INDEX password_resets_agent ON password_resets (agent_id);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL REFERENCES workspaces (id),
    name         TEXT    NOT NULL,
    scopes       TEXT    NOT NULL,
    token_hash   TEXT    NOT NULL UNIQUE,
    created_by   INTEGER REFERENCES agents (id),
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER,
    last_used_at INTEGER,
    revoked_at   INTEGER
);
CREATE INDEX api_tokens_workspace ON api_tokens (workspace_id);

-- The audit log is append-only: no interface updates or deletes a row.
-- workspace_id is NULL for installation-wide actions (a new workspace, an
-- owner granted).
CREATE TABLE audit_log (
    id           INTEGER PRIMARY KEY,
    workspace_id INTEGER REFERENCES workspaces (id),
    at           INTEGER NOT NULL,
    actor_id     INTEGER,
    actor_name   TEXT    NOT NULL,
    address      TEXT    NOT NULL,
    action       TEXT    NOT NULL,
    target       TEXT    NOT NULL,
    before_json  TEXT,
    after_json   TEXT,
    refused      TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_workspace ON audit_log (workspace_id, id);

-- Origins the widget was recently refused from, so that the settings page
-- can point out an allowed origin that is missing or mistyped.
CREATE TABLE refused_origins (
    workspace_id INTEGER NOT NULL REFERENCES workspaces (id),
    origin       TEXT    NOT NULL,
    last_at      INTEGER NOT NULL,
    hits         INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, origin)
);

-- Customer context and agent tools (§4, §5): profiles shared by the
-- identifiers of one customer ID, tags, categories, wrap-up notes,
-- canned responses, ratings.

-- A profile is a customer ID (§1.3): the identifiers linked to it share its
-- profile and history. customers rows stay the identifiers.
CREATE TABLE profiles (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workspace_id   BIGINT  NOT NULL REFERENCES workspaces (id),
    customer_key   TEXT    NOT NULL,
    name           TEXT    NOT NULL DEFAULT '',
    nickname       TEXT    NOT NULL DEFAULT '',
    phone          TEXT    NOT NULL DEFAULT '',
    verified_phone TEXT    NOT NULL DEFAULT '',
    email          TEXT    NOT NULL DEFAULT '',
    birth_date     TEXT    NOT NULL DEFAULT '',
    address        TEXT    NOT NULL DEFAULT '',
    note           TEXT    NOT NULL DEFAULT '',
    extra          TEXT    NOT NULL DEFAULT '{}',
    created_at     BIGINT  NOT NULL,
    updated_at     BIGINT  NOT NULL,
    UNIQUE (workspace_id, customer_key)
);
INSERT INTO profiles (workspace_id, customer_key, name, phone, email, extra, created_at, updated_at)
    SELECT workspace_id, external_id, name, phone, email, extra, created_at, created_at FROM customers;
ALTER TABLE customers ADD COLUMN profile_id BIGINT  REFERENCES profiles (id);
UPDATE customers SET profile_id = (SELECT p.id FROM profiles p
    WHERE p.workspace_id = customers.workspace_id AND p.customer_key = customers.external_id);
ALTER TABLE customers DROP COLUMN name;
ALTER TABLE customers DROP COLUMN email;
ALTER TABLE customers DROP COLUMN phone;
ALTER TABLE customers DROP COLUMN extra;
ALTER TABLE customers ADD COLUMN ip TEXT NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN device TEXT NOT NULL DEFAULT '';
ALTER TABLE customers ALTER COLUMN profile_id SET NOT NULL;
CREATE INDEX customers_profile ON customers (profile_id);

-- Tags of two kinds, managed in settings (§4.3).
CREATE TABLE tags (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workspace_id BIGINT  NOT NULL REFERENCES workspaces (id),
    kind         TEXT    NOT NULL,
    name         TEXT    NOT NULL,
    created_at   BIGINT  NOT NULL,
    UNIQUE (workspace_id, kind, name)
);
CREATE TABLE customer_tags (
    customer_id BIGINT  NOT NULL REFERENCES customers (id),
    tag_id      BIGINT  NOT NULL REFERENCES tags (id),
    PRIMARY KEY (customer_id, tag_id)
);
CREATE TABLE conversation_tags (
    conversation_id BIGINT  NOT NULL REFERENCES conversations (id),
    tag_id          BIGINT  NOT NULL REFERENCES tags (id),
    PRIMARY KEY (conversation_id, tag_id)
);

-- Categories (처리유형): a tree of up to three levels (§4.4). Deleted ones
-- stay for the paths of past conversations.
CREATE TABLE categories (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workspace_id BIGINT  NOT NULL REFERENCES workspaces (id),
    parent_id    BIGINT  REFERENCES categories (id),
    depth        BIGINT  NOT NULL,
    name         TEXT    NOT NULL,
    position     BIGINT  NOT NULL DEFAULT 0,
    deleted_at   BIGINT ,
    created_at   BIGINT  NOT NULL
);
CREATE UNIQUE INDEX categories_name ON categories (workspace_id, COALESCE(parent_id, 0), name)
    WHERE deleted_at IS NULL;

ALTER TABLE conversations ADD COLUMN category_id BIGINT  REFERENCES categories (id);
ALTER TABLE conversations ADD COLUMN memo TEXT NOT NULL DEFAULT '';
ALTER TABLE conversations ADD COLUMN rating_score BIGINT ;
ALTER TABLE conversations ADD COLUMN rating_comment TEXT NOT NULL DEFAULT '';
ALTER TABLE conversations ADD COLUMN rated_at BIGINT ;
ALTER TABLE conversations ADD COLUMN rating_requested_at BIGINT ;

-- Canned responses (§5.1): shared (owner_id NULL) or an agent's own, and
-- each agent's favourites.
CREATE TABLE canned_responses (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workspace_id BIGINT  NOT NULL REFERENCES workspaces (id),
    owner_id     BIGINT  REFERENCES agents (id),
    title        TEXT    NOT NULL,
    body         TEXT    NOT NULL,
    created_at   BIGINT  NOT NULL,
    updated_at   BIGINT  NOT NULL
);
CREATE INDEX canned_workspace ON canned_responses (workspace_id, owner_id);
CREATE TABLE canned_favourites (
    agent_id BIGINT  NOT NULL REFERENCES agents (id),
    canned_id BIGINT  NOT NULL REFERENCES canned_responses (id),
    PRIMARY KEY (agent_id, canned_id)
);

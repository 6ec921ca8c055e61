-- FAQ and help center (issue 12, §8): ordered categories, articles in
-- Korean or English with sanitized HTML bodies and their text version,
-- and per workspace the synonyms and a revision that every FAQ change
-- moves (search indexes are rebuilt when it moves, so every node answers
-- from the same rows).
CREATE TABLE faq_categories (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workspace_id BIGINT  NOT NULL REFERENCES workspaces (id),
    name         TEXT    NOT NULL,
    name_en      TEXT    NOT NULL DEFAULT '',
    position     INTEGER NOT NULL DEFAULT 0,
    created_at   BIGINT  NOT NULL
);
CREATE INDEX faq_categories_workspace ON faq_categories (workspace_id, position);

CREATE TABLE faq_articles (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workspace_id BIGINT  NOT NULL REFERENCES workspaces (id),
    category_id  BIGINT  REFERENCES faq_categories (id),
    lang         TEXT    NOT NULL,
    title        TEXT    NOT NULL,
    body_html    TEXT    NOT NULL,
    body_text    TEXT    NOT NULL,
    keywords     TEXT    NOT NULL DEFAULT '[]',
    published    BOOLEAN NOT NULL DEFAULT FALSE,
    position     INTEGER NOT NULL DEFAULT 0,
    helpful      INTEGER NOT NULL DEFAULT 0,
    not_helpful  INTEGER NOT NULL DEFAULT 0,
    created_at   BIGINT  NOT NULL,
    updated_at   BIGINT  NOT NULL
);
CREATE INDEX faq_articles_workspace ON faq_articles (workspace_id, category_id, position);

CREATE TABLE faq_state (
    workspace_id BIGINT  PRIMARY KEY REFERENCES workspaces (id),
    revision     BIGINT  NOT NULL DEFAULT 0,
    synonyms     TEXT    NOT NULL DEFAULT '[]'
);

-- Images in article bodies: the bytes in blob storage (as attachments'),
-- a row naming them, served publicly at /help/{site_id}/images/{id}.
CREATE TABLE faq_images (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workspace_id BIGINT  NOT NULL REFERENCES workspaces (id),
    name         TEXT    NOT NULL,
    content_type TEXT    NOT NULL,
    size         BIGINT  NOT NULL,
    blob_key     TEXT    NOT NULL UNIQUE,
    created_at   BIGINT  NOT NULL
);

-- A deleted FAQ image's record went in the transaction and its file after
-- it: a file deletion that failed, or a node that died between the two,
-- left the bytes on disk for good, named by nothing. The deletion now
-- moves the image's key here in its transaction, and the key is
-- forgotten only once the file is gone (the faq_image_files job retries
-- until it is), as an expired export keeps its key.
CREATE TABLE faq_image_trash (
    blob_key     TEXT    PRIMARY KEY,
    workspace_id BIGINT  NOT NULL REFERENCES workspaces (id)
);
CREATE INDEX faq_image_trash_workspace ON faq_image_trash (workspace_id);

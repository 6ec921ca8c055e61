-- Consent (issue 11): when a visitor agreed to the privacy notice, and to
-- which wording (a hash of its text), so that they are asked again only
-- when the wording changes.
ALTER TABLE customers ADD COLUMN consent_at BIGINT;
ALTER TABLE customers ADD COLUMN consent_version TEXT NOT NULL DEFAULT '';

-- Deactivating a member now revokes the API tokens they made in the
-- workspace; a member deactivated before kept theirs, which would work
-- again on reactivation. They are revoked now (no audit entry: the
-- migration is nobody's act; the list shows them revoked).
UPDATE api_tokens SET revoked_at = (EXTRACT(EPOCH FROM clock_timestamp()) * 1000000)::BIGINT
WHERE revoked_at IS NULL
  AND (expires_at IS NULL OR expires_at > (EXTRACT(EPOCH FROM clock_timestamp()) * 1000000)::BIGINT)
  AND EXISTS (SELECT 1 FROM members m WHERE m.workspace_id = api_tokens.workspace_id
              AND m.agent_id = api_tokens.created_by AND NOT m.active);

-- What a conversation last contributed to the statistics roll-up (its
-- parts) and its trail (migration 0017) move from stat_conversations onto
-- the conversation's own row. Every write the roll-up counts changes that
-- row already, so keeping them there dirties no page of its own, where the
-- separate table and its index were two more pages in the log at every
-- commit, a fifth of what the roll-up cost the write path
-- (docs/benchmarks.md, branch rollup3). Copied exactly: the roll-up itself
-- (stat_days) is unchanged. NULL for a conversation never counted.
ALTER TABLE conversations ADD COLUMN stat_parts TEXT;
ALTER TABLE conversations ADD COLUMN stat_trail TEXT;
UPDATE conversations SET stat_parts = s.parts, stat_trail = s.trail
    FROM stat_conversations s WHERE s.conversation_id = conversations.id;
DROP TABLE stat_conversations;

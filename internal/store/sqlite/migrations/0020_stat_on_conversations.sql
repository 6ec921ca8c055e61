-- What a conversation last contributed to the statistics roll-up (its
-- parts) and its trail (migration 0017) move from stat_conversations onto
-- the conversation's own row. Every write the roll-up counts changes that
-- row already, so keeping them there dirties no page of its own, where the
-- separate table and its index were one or two more pages in the log at
-- every commit (docs/benchmarks.md, branch rollup3). Copied exactly; NULL
-- for a conversation never counted.
--
-- And the levels split by agent (1, 3, 7) keep no rows for "no agent"
-- (agent_id 0): a query derives them as the level without the agent minus
-- the agents (stats.Levels, stats.NoAgent), so a take writes one row per
-- such level, not two. Deleting them loses nothing.
ALTER TABLE conversations ADD COLUMN stat_parts TEXT;
ALTER TABLE conversations ADD COLUMN stat_trail TEXT;
UPDATE conversations SET stat_parts = s.parts, stat_trail = s.trail
    FROM stat_conversations s WHERE s.conversation_id = conversations.id;
DROP TABLE stat_conversations;
DELETE FROM stat_days WHERE level IN (1, 3, 7) AND agent_id = 0;

-- A visitor who asked the robot for a person when nobody could chat (the
-- robot's "no agent" answer to a typed request, or "Talk to an agent"
-- refused with chat_unavailable) stayed with the robot, and its close by
-- the robot counted as robot-resolved although the visitor wanted a
-- person and did not get one. agent_refused_at is when the conversation
-- was first so refused (NULL: never); a conversation the robot closes
-- with it counts as unprocessed (docs/statistics.md, "The robot").
-- Typed requests refused before this migration left the robot's answer
-- (outcome no_agent), from which the mark is filled in; a refused button
-- left nothing. The roll-up of every workspace with such a conversation
-- is then recomputed (the stats_rebuild job), so that its days agree.
ALTER TABLE conversations ADD COLUMN agent_refused_at BIGINT;
UPDATE conversations SET agent_refused_at = (
    SELECT MIN(m.created_at) FROM messages m
    WHERE m.conversation_id = conversations.id AND m.kind = 'system' AND m.body = 'robot'
      AND m.meta LIKE '%"outcome":"no_agent"%')
WHERE close_reason = 'robot' OR state = 'bot';
INSERT INTO jobs (kind, workspace_id, ref_id, due_at)
SELECT DISTINCT 'stats_rebuild', workspace_id, 0, 0 FROM conversations WHERE agent_refused_at IS NOT NULL
ON CONFLICT (kind, workspace_id, ref_id) DO NOTHING;

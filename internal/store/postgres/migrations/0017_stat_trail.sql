-- What a conversation's statistics take from its events and messages —
-- when it was first assigned and to whom, its transfers, its first agent
-- reply, the robot's handover (stats.History) — kept beside the parts it
-- contributed, as JSON, so that keeping the roll-up in a write reads no
-- events and, once the first reply is known, no messages
-- (docs/statistics.md). NULL for a conversation counted before this
-- migration: its next change reads its events and messages once and
-- fills it.
ALTER TABLE stat_conversations ADD COLUMN trail TEXT;

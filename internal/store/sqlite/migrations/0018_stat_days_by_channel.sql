-- The statistics roll-up keeps five levels, not eight: the agents' (level
-- 1) and the four split by channel (level bit 2: 2 channel, 3 agent,
-- 6 category, 7 agent and category). A query for a level that is not kept
-- (0 the total, 4 category, 5 agent and category) reads the same level
-- split by channel and sums the (three to five) channels; each change
-- writes five rows where it wrote eight (docs/benchmarks.md, branch
-- rollup). Each kept level is the whole roll-up at its dimensions, so
-- deleting the other three loses nothing and needs no recount.
DELETE FROM stat_days WHERE level IN (0, 4, 5);

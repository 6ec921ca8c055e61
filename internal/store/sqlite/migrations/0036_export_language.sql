-- An export keeps its reader's language (ko or en): the lines Sodam
-- writes in its own words, the system messages of a messages export, are
-- in it. Exports from before have none, which reads as Korean.
ALTER TABLE exports ADD COLUMN language TEXT NOT NULL DEFAULT '';

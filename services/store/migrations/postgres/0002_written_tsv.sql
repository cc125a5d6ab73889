-- newsflow store, PostgreSQL schema v2.
-- The search vector is computed by the writer, which spreads the work of a
-- batch over several connections (to_tsvector is most of the cost of a
-- write), instead of by a generated column. Existing values are kept.
ALTER TABLE articles ALTER COLUMN tsv DROP EXPRESSION;

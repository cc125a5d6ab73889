-- newsflow store, SQLite schema v4.
-- The store indexes a batch's new and changed articles in the full-text
-- index once, at the end of the batch (see SQLite.Upsert), instead of a
-- trigger per article: FTS5 writes its pending terms out at every
-- statement of a transaction that has touched it, so per-article triggers
-- made a small index segment per article and kept merging them. Deleting
-- an article still removes it from the index by trigger.
DROP TRIGGER articles_fts_insert;
DROP TRIGGER articles_fts_update;

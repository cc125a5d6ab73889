-- newsflow store, SQLite schema v2.
-- Near-duplicate candidates are read by id for their cluster, fingerprint
-- and age. Those columns sit after the article text in the row, so each
-- candidate used to cost a walk through the text's overflow pages; this
-- covering index answers the lookup on its own.
CREATE INDEX articles_duplicate_candidates ON articles (id, first_seen, seq, cluster_id, fingerprint);

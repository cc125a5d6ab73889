-- newsflow store, SQLite schema v1.
-- Times are INTEGER unix microseconds (UTC). JSON columns hold arrays.

CREATE TABLE articles (
	seq              INTEGER PRIMARY KEY, -- stable rowid, the FTS5 content rowid
	id               TEXT    NOT NULL UNIQUE,
	url              TEXT    NOT NULL DEFAULT '',
	canonical_url    TEXT    NOT NULL DEFAULT '',
	source           TEXT    NOT NULL DEFAULT '',
	title            TEXT    NOT NULL DEFAULT '',
	authors          TEXT    NOT NULL DEFAULT '[]', -- JSON array of strings
	published_at     INTEGER,
	modified_at      INTEGER,
	fetched_at       INTEGER NOT NULL,
	sort_at          INTEGER NOT NULL, -- coalesce(published_at, fetched_at)
	language         TEXT    NOT NULL DEFAULT '',
	relevance        REAL    NOT NULL DEFAULT 0,
	on_topic         INTEGER NOT NULL DEFAULT 0,
	cluster_id       TEXT    NOT NULL,
	summary          TEXT    NOT NULL DEFAULT '',
	site_name        TEXT    NOT NULL DEFAULT '',
	description      TEXT    NOT NULL DEFAULT '',
	image            TEXT    NOT NULL DEFAULT '',
	word_count       INTEGER NOT NULL DEFAULT 0,
	text             TEXT    NOT NULL DEFAULT '',
	keywords         TEXT    NOT NULL DEFAULT '[]', -- JSON array of strings
	pipeline_version TEXT    NOT NULL DEFAULT '',
	fingerprint      TEXT    NOT NULL DEFAULT '',
	content_hash     TEXT    NOT NULL DEFAULT '',
	fetched_seq      INTEGER NOT NULL DEFAULT 0,
	doc_hash         TEXT    NOT NULL DEFAULT '', -- hash of the stored article, to skip identical writes
	first_seen       INTEGER NOT NULL,
	updated_at       INTEGER NOT NULL
);

CREATE INDEX articles_sort ON articles (sort_at, id);
CREATE INDEX articles_relevance ON articles (relevance, id);
CREATE INDEX articles_source ON articles (source, sort_at);
CREATE INDEX articles_language ON articles (language, sort_at);
CREATE INDEX articles_on_topic ON articles (on_topic, sort_at);
CREATE INDEX articles_cluster ON articles (cluster_id);
CREATE INDEX articles_fetched ON articles (fetched_at);

CREATE TABLE article_entities (
	article_id TEXT    NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
	ord        INTEGER NOT NULL,
	name       TEXT    NOT NULL,
	type       TEXT    NOT NULL DEFAULT '',
	count      INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (article_id, ord)
) WITHOUT ROWID;

CREATE INDEX article_entities_name ON article_entities (name COLLATE NOCASE, article_id);
CREATE INDEX article_entities_type ON article_entities (type, name);

CREATE TABLE quotes (
	article_id TEXT    NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
	ord        INTEGER NOT NULL,
	text       TEXT    NOT NULL,
	speaker    TEXT    NOT NULL DEFAULT '',
	PRIMARY KEY (article_id, ord)
) WITHOUT ROWID;

CREATE TABLE facts (
	article_id TEXT    NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
	ord        INTEGER NOT NULL,
	kind       TEXT    NOT NULL DEFAULT '',
	text       TEXT    NOT NULL DEFAULT '',
	value      REAL    NOT NULL DEFAULT 0,
	unit       TEXT    NOT NULL DEFAULT '',
	PRIMARY KEY (article_id, ord)
) WITHOUT ROWID;

-- LSH bands of article fingerprints, for near-duplicate candidates.
CREATE TABLE lsh_bands (
	article_id TEXT    NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
	band       INTEGER NOT NULL,
	key        INTEGER NOT NULL,
	PRIMARY KEY (article_id, band)
) WITHOUT ROWID;

CREATE INDEX lsh_bands_key ON lsh_bands (key);

-- Full-text index over title, text and summary, with articles as its
-- external content, kept in step by triggers.
CREATE VIRTUAL TABLE articles_fts USING fts5 (
	title, text, summary,
	content = 'articles',
	content_rowid = 'seq',
	tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
	INSERT INTO articles_fts (rowid, title, text, summary)
	VALUES (new.seq, new.title, new.text, new.summary);
END;

CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
	INSERT INTO articles_fts (articles_fts, rowid, title, text, summary)
	VALUES ('delete', old.seq, old.title, old.text, old.summary);
END;

CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, text, summary ON articles BEGIN
	INSERT INTO articles_fts (articles_fts, rowid, title, text, summary)
	VALUES ('delete', old.seq, old.title, old.text, old.summary);
	INSERT INTO articles_fts (rowid, title, text, summary)
	VALUES (new.seq, new.title, new.text, new.summary);
END;

-- newsflow store, SQLite schema v3.
-- Chinese and Japanese are written without spaces: the tokenizer would see
-- a whole run of characters as one word. A fourth column of the full-text
-- index holds such articles' text one character a word (the store writes
-- articles.cjk; see cjk.go), so that a search for 普京 finds 普京表示. The
-- index is rebuilt once; the store then fills cjk for the articles stored
-- before this version.
ALTER TABLE articles ADD COLUMN cjk TEXT NOT NULL DEFAULT '';

DROP TRIGGER articles_fts_insert;
DROP TRIGGER articles_fts_delete;
DROP TRIGGER articles_fts_update;
DROP TABLE articles_fts;

CREATE VIRTUAL TABLE articles_fts USING fts5 (
	title, text, summary, cjk,
	content = 'articles',
	content_rowid = 'seq',
	tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
	INSERT INTO articles_fts (rowid, title, text, summary, cjk)
	VALUES (new.seq, new.title, new.text, new.summary, new.cjk);
END;

CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
	INSERT INTO articles_fts (articles_fts, rowid, title, text, summary, cjk)
	VALUES ('delete', old.seq, old.title, old.text, old.summary, old.cjk);
END;

CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, text, summary, cjk ON articles BEGIN
	INSERT INTO articles_fts (articles_fts, rowid, title, text, summary, cjk)
	VALUES ('delete', old.seq, old.title, old.text, old.summary, old.cjk);
	INSERT INTO articles_fts (rowid, title, text, summary, cjk)
	VALUES (new.seq, new.title, new.text, new.summary, new.cjk);
END;

INSERT INTO articles_fts (articles_fts) VALUES ('rebuild');

-- newsflow store, PostgreSQL schema v4.
-- Chinese and Japanese are written without spaces: the parser would see a
-- whole run of characters as one word. Their text is also indexed one
-- character a word (weight D, the simple configuration), so that a search
-- for 普京 finds 普京表示; see cjk.go. newsflow_cjk returns the text with
-- a space around each such character, or '' when it has none.
CREATE FUNCTION newsflow_cjk(t TEXT) RETURNS TEXT
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
	SELECT CASE WHEN t ~ '[\u2E80-\u2FDF\u3040-\u30FF\u3400-\u4DBF\u4E00-\u9FFF\uF900-\uFAFF]'
		THEN regexp_replace(t, '([\u2E80-\u2FDF\u3040-\u30FF\u3400-\u4DBF\u4E00-\u9FFF\uF900-\uFAFF])', ' \1 ', 'g')
		ELSE '' END
$$;

-- The articles stored before this version.
UPDATE articles
SET tsv = tsv || setweight(to_tsvector('simple', newsflow_cjk(title || ' ' || summary || ' ' || text)), 'D')
WHERE newsflow_cjk(title || ' ' || summary || ' ' || text) <> '';

-- newsflow store, PostgreSQL schema v3.
-- Article text and search vectors are compressed with lz4, which costs a
-- write a fraction of the default pglz, where the server has it (built
-- --with-lz4, PostgreSQL 14 and later). Stored values keep their method.
DO $$
BEGIN
	ALTER TABLE articles ALTER COLUMN text SET COMPRESSION lz4, ALTER COLUMN tsv SET COMPRESSION lz4;
EXCEPTION WHEN OTHERS THEN
	RAISE NOTICE 'lz4 compression not available (%); keeping the default', SQLERRM;
END
$$;

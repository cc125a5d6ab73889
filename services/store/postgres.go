package store

import (
	"cmp"
	"context"
	"embed"
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/segmentio/encoding/json"
	"go.uber.org/zap"

	"github.com/newsflow/newsflow/proto"
)

//go:embed migrations/postgres/*.sql
var postgresMigrations embed.FS

// migrationLock is the advisory lock key that serializes migrations of
// processes sharing a database.
const migrationLock = 0x6e657773666c6f77 // "newsflow"

// Snippet settings of ts_headline: the same markers as the SQLite backend,
// and about the same length.
const headlineOptions = "StartSel=" + markOpen + ", StopSel=" + markClose +
	", MaxWords=24, MinWords=10, ShortWord=2, MaxFragments=1, FragmentDelimiter=…"

// snippetHead is how many characters from the start of an article
// ts_headline reads first for a snippet, in articles over twice as long.
const snippetHead = 1500

// Tag brackets are swapped for these private-use characters before
// ts_headline sees a text (it would drop what looks like markup) and put
// back before the snippet is HTML-escaped.
const (
	ltStandIn = "\uE002"
	gtStandIn = "\uE003"
)

// Postgres is the Store on PostgreSQL: full-text search through a
// generated tsvector column with a GIN index, built with the search
// configuration of each article's language.
type Postgres struct {
	pool     *pgConns
	log      *zap.Logger
	readOnly bool
	now      func() time.Time
	// search configuration (oid) per language code, as in ts_languages
	tsConfigs map[string]uint32
}

var _ Store = (*Postgres)(nil)

// OpenPostgres connects to the database at dsn (postgres://…) and brings
// its schema up to date.
func OpenPostgres(ctx context.Context, dsn string, log *zap.Logger) (*Postgres, error) {
	return openPostgres(ctx, dsn, log, false)
}

// OpenPostgresReadOnly connects for reading only: it runs no migrations,
// its sessions are read-only, and Upsert returns ErrReadOnly. It fails if
// the schema is missing or older than this code.
func OpenPostgresReadOnly(ctx context.Context, dsn string, log *zap.Logger) (*Postgres, error) {
	return openPostgres(ctx, dsn, log, true)
}

func openPostgres(ctx context.Context, dsn string, log *zap.Logger, readOnly bool) (*Postgres, error) {
	if log == nil {
		log = zap.NewNop()
	}
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		// The parse error may quote the password; say only what is wrong.
		return nil, fmt.Errorf("open postgres: invalid dsn: %w", errors.Unwrap(err))
	}
	cfg.RuntimeParams["application_name"] = "newsflow"
	if readOnly {
		cfg.RuntimeParams["default_transaction_read_only"] = "on"
	}
	pool := newPGConns(cfg, max(4, min(16, 2*runtime.GOMAXPROCS(0))))
	s := &Postgres{pool: pool, log: log.With(zap.String("component", "store")), readOnly: readOnly, now: time.Now}
	if err := pool.with(ctx, func(c *pgx.Conn) error { return c.Ping(ctx) }); err != nil {
		pool.close()
		return nil, fmt.Errorf("open postgres %s:%d: %w", cfg.Host, cfg.Port, err)
	}
	if readOnly {
		err = s.checkSchema(ctx)
	} else if err = s.migrate(ctx); err == nil {
		err = s.loadTSConfigs(ctx)
	}
	if err != nil {
		pool.close()
		return nil, err
	}
	s.log.Info("store opened", zap.String("host", cfg.Host), zap.String("database", cfg.Database),
		zap.Bool("read_only", readOnly))
	return s, nil
}

// Analyze vacuums the store's tables and updates their planner statistics.
// Autovacuum does this in the background; call it after a bulk load to
// have good query plans and fast first queries at once.
func (s *Postgres) Analyze(ctx context.Context) error {
	if s.readOnly {
		return ErrReadOnly
	}
	return s.pool.with(ctx, func(c *pgx.Conn) error {
		// VACUUM also sets the visibility map (index-only scans) and the
		// hint bits, which the first queries after a load would otherwise
		// set, slowly.
		_, err := c.Exec(ctx, `VACUUM (ANALYZE) articles, article_entities, lsh_bands`)
		return err
	})
}

// Close closes the connection pool.
func (s *Postgres) Close() error {
	s.pool.close()
	return nil
}

// migrate applies the migrations not applied yet, each in its own
// transaction, recording them in schema_version. Concurrent opens wait for
// each other on an advisory lock.
func (s *Postgres) migrate(ctx context.Context) error {
	ms, err := migrations(postgresMigrations, "migrations/postgres")
	if err != nil {
		return err
	}
	if err := s.pool.with(ctx, func(c *pgx.Conn) error {
		_, err := c.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_version (
			version    INTEGER PRIMARY KEY,
			name       TEXT NOT NULL,
			applied_at TIMESTAMPTZ NOT NULL
		)`)
		return err
	}); err != nil && !isUniqueViolation(err) {
		// Two processes creating the table at once: one gets a unique
		// violation on the catalog, and the table exists either way.
		return fmt.Errorf("migrate: create schema_version: %w", err)
	}
	for _, m := range ms {
		if err := s.applyMigration(ctx, m); err != nil {
			return err
		}
	}
	return nil
}

func (s *Postgres) applyMigration(ctx context.Context, m migration) error {
	return s.pool.tx(ctx, pgx.TxOptions{}, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(migrationLock)); err != nil {
			return fmt.Errorf("migrate %s: lock: %w", m.name, err)
		}
		var n int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM schema_version WHERE version = $1`, m.version).Scan(&n); err != nil {
			return fmt.Errorf("migrate %s: %w", m.name, err)
		}
		if n > 0 {
			return nil
		}
		// Simple protocol: a migration is several statements.
		if _, err := tx.Exec(ctx, m.sql, pgx.QueryExecModeSimpleProtocol); err != nil {
			return fmt.Errorf("migrate %s: %w", m.name, err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO schema_version (version, name, applied_at) VALUES ($1, $2, $3)`,
			m.version, m.name, s.now()); err != nil {
			return fmt.Errorf("migrate %s: %w", m.name, err)
		}
		s.log.Info("schema migrated", zap.Int("version", m.version), zap.String("migration", m.name))
		return nil
	})
}

// loadTSConfigs reads the search configuration of each language code.
// Migrations alone write ts_languages.
func (s *Postgres) loadTSConfigs(ctx context.Context) error {
	s.tsConfigs = map[string]uint32{}
	err := s.pool.with(ctx, func(c *pgx.Conn) error {
		rows, err := c.Query(ctx, `SELECT code, config::oid FROM ts_languages`)
		if err != nil {
			return err
		}
		var (
			code string
			cfg  uint32
		)
		_, err = pgx.ForEachRow(rows, []any{&code, &cfg}, func() error {
			s.tsConfigs[code] = cfg
			return nil
		})
		return err
	})
	if err == nil && s.tsConfigs[""] == 0 {
		err = errors.New("no fallback configuration")
	}
	if err != nil {
		return fmt.Errorf("open postgres: read search configurations: %w", err)
	}
	return nil
}

// tsConfig returns the search configuration of a language tag ("en",
// "pt-BR"), as newsflow_ts_config does in SQL: that of its leading letters
// in lower case, else the fallback (the empty code).
func (s *Postgres) tsConfig(lang string) uint32 {
	n := 0
	for n < len(lang) && ('a' <= lang[n] && lang[n] <= 'z' || 'A' <= lang[n] && lang[n] <= 'Z') {
		n++
	}
	if cfg, ok := s.tsConfigs[strings.ToLower(lang[:n])]; ok && n > 0 {
		return cfg
	}
	return s.tsConfigs[""]
}

// checkSchema verifies that the database has every migration.
func (s *Postgres) checkSchema(ctx context.Context) error {
	ms, err := migrations(postgresMigrations, "migrations/postgres")
	if err != nil {
		return err
	}
	var v *int64
	if err := s.pool.with(ctx, func(c *pgx.Conn) error {
		return c.QueryRow(ctx, `SELECT max(version) FROM schema_version`).Scan(&v)
	}); err != nil {
		return fmt.Errorf("open postgres read-only: no newsflow schema: %w", err)
	}
	if want := ms[len(ms)-1].version; v == nil || *v < int64(want) {
		got := int64(0)
		if v != nil {
			got = *v
		}
		return fmt.Errorf("open postgres read-only: schema version %d, want %d (open it read-write once to migrate)", got, want)
	}
	return nil
}

// OIDs of the built-in tsvector types.
const (
	tsvectorOID      = 3614
	tsvectorArrayOID = 3643
)

// tsvectorCodec passes tsvector values in their binary wire format, as
// the server built them: the writer never reads or builds one.
type tsvectorCodec struct{ pgtype.ByteaCodec }

func (tsvectorCodec) FormatSupported(format int16) bool { return format == pgtype.BinaryFormatCode }
func (tsvectorCodec) PreferredFormat() int16            { return pgtype.BinaryFormatCode }

// registerTSVector lets a connection pass tsvector values as they are on
// the wire ([]byte, nil for NULL), and arrays of them, in place of pgx's
// codec, which would decode and encode each.
func registerTSVector(m *pgtype.Map) {
	if t, ok := m.TypeForOID(tsvectorOID); ok {
		if _, raw := t.Codec.(tsvectorCodec); raw {
			return
		}
	}
	t := &pgtype.Type{Name: "tsvector", OID: tsvectorOID, Codec: tsvectorCodec{}}
	m.RegisterType(t)
	m.RegisterType(&pgtype.Type{Name: "_tsvector", OID: tsvectorArrayOID, Codec: &pgtype.ArrayCodec{ElementType: t}})
}

// errConcurrentWrite means that a write found an article changed by a
// writer that does not take the locks this code takes.
var errConcurrentWrite = errors.New("article changed by a concurrent writer")

func isUniqueViolation(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505"
}

// pgItem is one article of a batch as it will be written.
type pgItem struct {
	a       proto.Article
	docHash string
	pos     int // position in the batch
	// set while planning the write
	exists    bool
	clusterID string
	newBands  bool
	bands     []band
}

// pgStored is what the upsert needs to know of a stored article.
type pgStored struct {
	fetched     int64 // unix µs
	pv, docHash string
	fingerprint string
	clusterID   string
	firstSeen   int64
	seq         int64
}

// replaces reports whether an incoming article (fetched at f, pipeline
// version pv, document hash h) replaces the stored one; see Store.Upsert.
func replaces(st pgStored, f int64, pv, h string) bool {
	switch {
	case st.fetched > f:
		return false
	case st.fetched == f && st.pv > pv:
		return false
	default:
		return st.docHash != h
	}
}

// Upsert writes arts in one transaction; see Store.Upsert. Articles are
// written in a few chunks, a round trip each, whatever the batch size.
func (s *Postgres) Upsert(ctx context.Context, arts []proto.Article) error {
	if s.readOnly {
		return ErrReadOnly
	}
	if len(arts) == 0 {
		return nil
	}
	for i := range arts {
		if err := ValidateArticle(&arts[i]); err != nil {
			return fmt.Errorf("upsert: article %d: %w", i, err)
		}
	}
	// One write per id: the batch folded in order, as if written one by one.
	byID := make(map[string]*pgItem, len(arts))
	var items []*pgItem
	for i := range arts {
		a, h, err := prepareArticle(&arts[i])
		if err != nil {
			return fmt.Errorf("upsert: %w", err)
		}
		if prev, ok := byID[a.ID]; ok {
			if replaces(pgStored{fetched: micros(prev.a.FetchedAt), pv: prev.a.PipelineVersion, docHash: prev.docHash},
				micros(a.FetchedAt), a.PipelineVersion, h) {
				prev.a, prev.docHash = a, h
			}
			continue
		}
		it := &pgItem{a: a, docHash: h, pos: i}
		byID[a.ID] = it
		items = append(items, it)
	}
	ids := make([]string, len(items))
	for i, it := range items {
		ids[i] = it.a.ID
	}
	written := 0
	err := s.pool.tx(ctx, pgx.TxOptions{}, func(tx pgx.Tx) error {
		stored, err := s.lockStored(ctx, tx, ids)
		if err != nil {
			return err
		}
		var todo []*pgItem
		for _, it := range items {
			st, ok := stored[it.a.ID]
			if ok && !replaces(st, micros(it.a.FetchedAt), it.a.PipelineVersion, it.docHash) {
				continue
			}
			it.exists = ok
			todo = append(todo, it)
		}
		if len(todo) == 0 {
			return nil
		}
		if err := s.assignClusters(ctx, tx, todo, stored); err != nil {
			return err
		}
		n, err := s.writeArticles(ctx, tx, todo)
		written = n
		return err
	})
	if err != nil {
		return fmt.Errorf("upsert: %w", err)
	}
	s.log.Debug("batch stored", zap.Int("articles", len(arts)), zap.Int("written", written))
	return nil
}

// idLockClass is the first key of the advisory locks a writer takes on the
// ids of its batch (the second is a hash of the id).
const idLockClass = 0x6e66 // "nf"

// lockStored locks the ids of a batch and reads the stored rows of those
// that exist. Every writer first takes an advisory lock per id, in key
// order, so writers of overlapping batches run one after the other on the
// ids they share and never deadlock; an id absent here cannot be inserted
// by another writer before this transaction ends, so the outcome of every
// write is known before it is sent. The rows are read in a second
// statement (pipelined with the first), which sees what writers that held
// the locks before committed.
func (s *Postgres) lockStored(ctx context.Context, tx pgx.Tx, ids []string) (map[string]pgStored, error) {
	keys := make([]int32, 0, len(ids))
	for _, id := range ids {
		h := fnv.New32a()
		h.Write([]byte(id))
		keys = append(keys, int32(h.Sum32()))
	}
	slices.Sort(keys)
	keys = slices.Compact(keys)
	out := make(map[string]pgStored, len(ids))
	b := &pgx.Batch{}
	b.Queue(`SELECT count(pg_advisory_xact_lock($1::int4, k)) FROM unnest($2::int4[]) AS u(k)`, int32(idLockClass), keys)
	b.Queue(`SELECT id, fetched_at, pipeline_version, doc_hash, fingerprint, cluster_id, first_seen, seq
		FROM articles WHERE id = ANY($1) ORDER BY id FOR UPDATE`, ids).Query(func(rows pgx.Rows) error {
		var (
			id               string
			st               pgStored
			fetched, firstAt time.Time
		)
		_, err := pgx.ForEachRow(rows, []any{&id, &fetched, &st.pv, &st.docHash, &st.fingerprint, &st.clusterID, &firstAt, &st.seq},
			func() error {
				st.fetched, st.firstSeen = micros(fetched), micros(firstAt)
				out[id] = st
				return nil
			})
		return err
	})
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return nil, fmt.Errorf("lock and read stored versions: %w", err)
	}
	return out, nil
}

// clusterCand is an article that may be a near-duplicate.
type clusterCand struct {
	id, clusterID, fingerprint string
	firstSeen, seq             int64
	keys                       map[int64]bool
}

// assignClusters sets the cluster of each article to write: that of the
// earliest article (stored, or earlier in the batch) sharing an LSH band
// with it at or above DuplicateThreshold, else its own id. An article
// whose fingerprint is unchanged keeps its cluster.
func (s *Postgres) assignClusters(ctx context.Context, tx pgx.Tx, todo []*pgItem, stored map[string]pgStored) error {
	var keys []int64
	for _, it := range todo {
		st := stored[it.a.ID]
		if it.exists && strings.EqualFold(st.fingerprint, it.a.Fingerprint) {
			it.clusterID, it.newBands = st.clusterID, false
			continue
		}
		it.newBands = true
		it.bands = fingerprintBands(it.a.Fingerprint)
		for _, b := range it.bands {
			keys = append(keys, b.Key)
		}
	}
	if len(keys) == 0 {
		for _, it := range todo {
			if it.newBands {
				it.clusterID = it.a.ID
			}
		}
		return nil
	}
	// Candidates: stored articles sharing a band key with the batch, at
	// most candidatesPerKey for each key (every copy of a large cluster
	// names the same cluster, so a story copied thousands of times costs
	// no more than a new one).
	slices.Sort(keys)
	keys = slices.Compact(keys)
	cands := map[string]*clusterCand{}
	byKey := map[int64][]*clusterCand{}
	rows, err := tx.Query(ctx, `SELECT k.key, a.id, a.cluster_id, a.fingerprint, a.first_seen, a.seq
		FROM unnest($1::bigint[]) AS k(key)
		CROSS JOIN LATERAL (SELECT b.article_id FROM lsh_bands b WHERE b.key = k.key LIMIT $2) b
		JOIN articles a ON a.id = b.article_id`, keys, candidatesPerKey)
	if err != nil {
		return fmt.Errorf("find duplicates: %w", err)
	}
	var (
		key             int64
		id, cluster, fp string
		firstSeen       time.Time
		seq             int64
	)
	_, err = pgx.ForEachRow(rows, []any{&key, &id, &cluster, &fp, &firstSeen, &seq}, func() error {
		c := cands[id]
		if c == nil {
			c = &clusterCand{id: id, clusterID: cluster, fingerprint: fp, firstSeen: micros(firstSeen), seq: seq, keys: map[int64]bool{}}
			cands[id] = c
		}
		c.keys[key] = true
		byKey[key] = append(byKey[key], c)
		return nil
	})
	if err != nil {
		return fmt.Errorf("find duplicates: %w", err)
	}
	// Walk the batch in order, as sequential writes would: each write
	// updates what later articles of the batch see.
	nextSeq := int64(math.MaxInt64 / 2)
	now := micros(s.now())
	for _, it := range todo {
		if it.newBands {
			it.clusterID = it.a.ID
			var found []*clusterCand
			seen := map[string]bool{it.a.ID: true}
			for _, b := range it.bands {
				for _, c := range byKey[b.Key] {
					if !seen[c.id] && c.keys[b.Key] {
						seen[c.id] = true
						found = append(found, c)
					}
				}
			}
			slices.SortFunc(found, func(x, y *clusterCand) int {
				return cmp.Or(cmp.Compare(x.firstSeen, y.firstSeen), cmp.Compare(x.seq, y.seq))
			})
			for _, c := range found[:min(len(found), 1000)] {
				if similarity(it.a.Fingerprint, c.fingerprint) >= DuplicateThreshold {
					it.clusterID = c.clusterID
					break
				}
			}
		}
		c := cands[it.a.ID]
		if c == nil {
			c = &clusterCand{id: it.a.ID, firstSeen: now, seq: nextSeq}
			nextSeq++
			if st, ok := stored[it.a.ID]; ok {
				c.firstSeen, c.seq = st.firstSeen, st.seq
			}
			cands[it.a.ID] = c
		}
		c.clusterID, c.fingerprint = it.clusterID, it.a.Fingerprint
		if it.newBands {
			c.keys = make(map[int64]bool, len(it.bands))
			for _, b := range it.bands {
				c.keys[b.Key] = true
				byKey[b.Key] = append(byKey[b.Key], c)
			}
		}
	}
	return nil
}

// pgSearchVector is the search vector of an article (u) in configuration
// u.cfg (an oid): the title weighs most (A), then the summary (B), then
// the body (C); Chinese and Japanese text also one character a word (D,
// see cjk.go and migration 0004).
const pgSearchVector = `setweight(to_tsvector(u.cfg::regconfig, u.title), 'A') ||
	setweight(to_tsvector(u.cfg::regconfig, u.summary), 'B') || setweight(to_tsvector(u.cfg::regconfig, u.text), 'C') ||
	setweight(to_tsvector('simple', newsflow_cjk(u.title || ' ' || u.summary || ' ' || u.text)), 'D')`

// pgUpsertSQL writes articles. The search vector is the one given ($28),
// or built here when that is NULL. The version check is repeated in
// SQL, although the ids are locked (see lockStored), so that no writer
// overwrites a newer row, whatever the code of the others.
const pgUpsertSQL = `INSERT INTO articles AS a (
	id, url, canonical_url, source, title, authors, published_at, modified_at, fetched_at,
	language, ts_config, relevance, on_topic, cluster_id, summary, site_name, description, image, word_count,
	text, keywords, pipeline_version, fingerprint, content_hash, fetched_seq, doc_hash, first_seen, updated_at, tsv)
SELECT u.id, u.url, u.canonical_url, u.source, u.title, ARRAY(SELECT jsonb_array_elements_text(u.authors::jsonb)),
	u.published_at, u.modified_at, u.fetched_at, u.language, u.cfg, u.relevance,
	u.on_topic, u.cluster_id, u.summary, u.site_name, u.description, u.image, u.word_count, u.text,
	ARRAY(SELECT jsonb_array_elements_text(u.keywords::jsonb)), u.pipeline_version, u.fingerprint,
	u.content_hash, u.fetched_seq, u.doc_hash, $27, $27, coalesce(u.tsv, ` + pgSearchVector + `)
FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::timestamptz[],
	$8::timestamptz[], $9::timestamptz[], $10::text[], $11::float8[], $12::bool[], $13::text[], $14::text[],
	$15::text[], $16::text[], $17::text[], $18::int[], $19::text[], $20::text[], $21::text[], $22::text[],
	$23::text[], $24::bigint[], $25::text[], $26::int[], $28::tsvector[], $29::oid[])
	AS u(id, url, canonical_url, source, title, authors, published_at, modified_at, fetched_at, language,
	relevance, on_topic, cluster_id, summary, site_name, description, image, word_count, text, keywords,
	pipeline_version, fingerprint, content_hash, fetched_seq, doc_hash, ord, tsv, cfg)
ORDER BY u.id
ON CONFLICT (id) DO UPDATE SET
	url = excluded.url, canonical_url = excluded.canonical_url, source = excluded.source,
	title = excluded.title, authors = excluded.authors, published_at = excluded.published_at,
	modified_at = excluded.modified_at, fetched_at = excluded.fetched_at, language = excluded.language,
	ts_config = excluded.ts_config, relevance = excluded.relevance, on_topic = excluded.on_topic,
	cluster_id = excluded.cluster_id, summary = excluded.summary, site_name = excluded.site_name,
	description = excluded.description, image = excluded.image, word_count = excluded.word_count,
	text = excluded.text, keywords = excluded.keywords, pipeline_version = excluded.pipeline_version,
	fingerprint = excluded.fingerprint, content_hash = excluded.content_hash,
	fetched_seq = excluded.fetched_seq, doc_hash = excluded.doc_hash, updated_at = excluded.updated_at,
	tsv = excluded.tsv
WHERE a.doc_hash <> excluded.doc_hash AND (a.fetched_at < excluded.fetched_at OR
	(a.fetched_at = excluded.fetched_at AND a.pipeline_version <= excluded.pipeline_version))
RETURNING a.id`

// pgSearchVectorSQL builds the search vectors of articles.
const pgSearchVectorSQL = `SELECT ` + pgSearchVector + `
FROM unnest($1::oid[], $2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS u(cfg, title, summary, text, i)
ORDER BY u.i`

// A batch is written in at most pgChunks chunks of at least pgChunk
// articles each. Building the search vectors (to_tsvector) is
// about half of the database's work in a write; chunks let a second
// connection build them for some articles while the transaction's
// connection writes others. Each chunk costs a few statements more, so
// there are few.
const (
	pgChunk  = 25
	pgChunks = 4
)

// vectorResult is the search vectors of a chunk built on the helper
// connection.
type vectorResult struct {
	chunk []*pgItem
	tsv   [][]byte
	err   error
}

// writeArticles writes the planned articles and their child rows, a chunk
// at a time; it returns how many articles were written. When the batch
// has several chunks and the pool a free connection, that connection
// builds the search vectors of chunks taken from the end of the batch
// while the transaction writes chunks from the start, building theirs in
// the INSERT; the transaction writes the helper's chunks as they come.
// The helper only computes: it reads no article and writes nothing, so the
// batch is still written by one transaction.
func (s *Postgres) writeArticles(ctx context.Context, tx pgx.Tx, todo []*pgItem) (int, error) {
	var chunks [][]*pgItem
	for c := range slices.Chunk(todo, max(pgChunk, (len(todo)+pgChunks-1)/pgChunks)) {
		chunks = append(chunks, c)
	}
	var (
		mu          sync.Mutex
		front, back = 0, len(chunks) // chunks not taken yet
	)
	take := func(fromBack bool) ([]*pgItem, bool) {
		mu.Lock()
		defer mu.Unlock()
		if front >= back {
			return nil, false
		}
		if fromBack {
			back--
			return chunks[back], true
		}
		front++
		return chunks[front-1], true
	}
	ready := make(chan vectorResult, len(chunks))
	var other *pgx.Conn
	if len(chunks) > 1 {
		other = s.pool.tryAcquire(ctx)
	}
	if other != nil {
		defer func() { // the helper takes no more chunks
			mu.Lock()
			front = back
			mu.Unlock()
		}()
		go func() {
			defer s.pool.release(other)
			for {
				c, ok := take(true)
				if !ok {
					return
				}
				tsv, err := s.searchVectors(ctx, other, c)
				ready <- vectorResult{chunk: c, tsv: tsv, err: err}
				if err != nil {
					return
				}
			}
		}()
	}
	written, fromHelper := 0, 0
	write := func(c []*pgItem, tsv [][]byte) error {
		n, err := s.writeChunk(ctx, tx, c, tsv)
		written += n
		return err
	}
	fromReady := func(r vectorResult) error {
		fromHelper++
		if r.err != nil { // build them here
			s.log.Warn("search vectors on a second connection failed", zap.Error(r.err))
			r.tsv = nil
		}
		return write(r.chunk, r.tsv)
	}
	for {
		select {
		case r := <-ready:
			if err := fromReady(r); err != nil {
				return written, err
			}
			continue
		default:
		}
		if c, ok := take(false); ok {
			if err := write(c, nil); err != nil {
				return written, err
			}
			continue
		}
		mu.Lock()
		mine := front // every chunk is taken: the helper took the rest
		mu.Unlock()
		if fromHelper == len(chunks)-mine {
			return written, nil
		}
		if err := fromReady(<-ready); err != nil {
			return written, err
		}
	}
}

// searchVectors builds the search vectors of items on c, in the binary
// format of tsvector.
func (s *Postgres) searchVectors(ctx context.Context, c *pgx.Conn, items []*pgItem) ([][]byte, error) {
	cfgs, titles, sums, texts := make([]uint32, len(items)), make([]string, len(items)), make([]string, len(items)), make([]string, len(items))
	for i, it := range items {
		cfgs[i], titles[i], sums[i], texts[i] = s.tsConfig(it.a.Language), it.a.Title, it.a.Summary, it.a.Text
	}
	registerTSVector(c.TypeMap())
	rows, err := c.Query(ctx, pgSearchVectorSQL, pgx.QueryResultFormats{pgx.BinaryFormatCode}, cfgs, titles, sums, texts)
	if err != nil {
		return nil, fmt.Errorf("search vectors: %w", err)
	}
	out := make([][]byte, 0, len(items))
	for rows.Next() {
		out = append(out, slices.Clone(rows.RawValues()[0]))
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("search vectors: %w", err)
	}
	if len(out) != len(items) {
		return nil, fmt.Errorf("search vectors: %d for %d articles", len(out), len(items))
	}
	return out, nil
}

// writeChunk writes articles and their child rows in one round trip: the
// old child rows of stored articles go, the articles are upserted (with
// the search vectors tsv, or building them when tsv is nil), and the new
// child rows are inserted. The ids are locked (see lockStored), so every
// article planned is written; if one is not, the batch fails.
func (s *Postgres) writeChunk(ctx context.Context, tx pgx.Tx, todo []*pgItem, tsv [][]byte) (int, error) {
	n := len(todo)
	var (
		ids, urls, canon, sources, titles, authors = make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		published, modified, fetched               = make([]pgtype.Timestamptz, n), make([]pgtype.Timestamptz, n), make([]pgtype.Timestamptz, n)
		langs, clusters, summaries, sites, descs   = make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		images, texts, keywords, pvs, fps, chs     = make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		docHashes                                  = make([]string, n)
		cfgs                                       = make([]uint32, n)
		tsvs                                       = make([][]byte, n) // nil: build it
		relevance                                  = make([]float64, n)
		onTopic                                    = make([]bool, n)
		wordCounts, ords                           = make([]int32, n), make([]int32, n)
		fetchedSeqs                                = make([]int64, n)
	)
	ts := func(t *time.Time) pgtype.Timestamptz {
		if t == nil {
			return pgtype.Timestamptz{}
		}
		return pgtype.Timestamptz{Time: *t, Valid: true}
	}
	var (
		entA, entName, entType  []string
		entOrd, entCount        []int32
		qA, qText, qSpeaker     []string
		qOrd                    []int32
		fA, fKind, fText, fUnit []string
		fOrd                    []int32
		fValue                  []float64
		bA                      []string
		bBand                   []int32
		bKey                    []int64
		replaced, rebanded      []string // stored ids whose child rows or bands go
	)
	for i, it := range todo {
		a := &it.a
		ab, err := json.Marshal(a.Authors)
		if err != nil {
			return 0, fmt.Errorf("encode authors of %s: %w", a.ID, err)
		}
		kb, err := json.Marshal(a.Keywords)
		if err != nil {
			return 0, fmt.Errorf("encode keywords of %s: %w", a.ID, err)
		}
		ids[i], urls[i], canon[i], sources[i], titles[i], authors[i] = a.ID, a.URL, a.CanonicalURL, a.Source, a.Title, string(ab)
		published[i], modified[i], fetched[i] = ts(a.PublishedAt), ts(a.ModifiedAt), ts(&a.FetchedAt)
		langs[i], relevance[i], onTopic[i], clusters[i] = a.Language, a.Relevance, a.OnTopic, it.clusterID
		summaries[i], sites[i], descs[i], images[i], wordCounts[i] = a.Summary, a.SiteName, a.Description, a.Image, int32(a.WordCount)
		texts[i], keywords[i], pvs[i], fps[i], chs[i] = a.Text, string(kb), a.PipelineVersion, a.Fingerprint, a.ContentHash
		fetchedSeqs[i], docHashes[i], ords[i], cfgs[i] = int64(a.FetchedSeq), it.docHash, int32(it.pos), s.tsConfig(a.Language)
		if tsv != nil {
			tsvs[i] = tsv[i]
		}
		if it.exists {
			replaced = append(replaced, a.ID)
			if it.newBands {
				rebanded = append(rebanded, a.ID)
			}
		}
		if it.newBands {
			for _, b := range it.bands {
				bA, bBand, bKey = append(bA, a.ID), append(bBand, int32(b.Index)), append(bKey, b.Key)
			}
		}
		for i, e := range a.Entities {
			entA, entOrd, entName, entType, entCount = append(entA, a.ID), append(entOrd, int32(i)), append(entName, e.Name),
				append(entType, e.Type), append(entCount, int32(e.Count))
		}
		for i, q := range a.Quotes {
			qA, qOrd, qText, qSpeaker = append(qA, a.ID), append(qOrd, int32(i)), append(qText, q.Text), append(qSpeaker, q.Speaker)
		}
		for i, f := range a.Facts {
			fA, fOrd, fKind, fText, fValue, fUnit = append(fA, a.ID), append(fOrd, int32(i)), append(fKind, f.Kind),
				append(fText, f.Text), append(fValue, f.Value), append(fUnit, f.Unit)
		}
	}
	registerTSVector(tx.Conn().TypeMap())
	b := &pgx.Batch{}
	if len(replaced) > 0 {
		b.Queue(`DELETE FROM article_entities WHERE article_id = ANY($1)`, replaced)
		b.Queue(`DELETE FROM quotes WHERE article_id = ANY($1)`, replaced)
		b.Queue(`DELETE FROM facts WHERE article_id = ANY($1)`, replaced)
	}
	if len(rebanded) > 0 {
		b.Queue(`DELETE FROM lsh_bands WHERE article_id = ANY($1)`, rebanded)
	}
	written := 0
	b.Queue(pgUpsertSQL, ids, urls, canon, sources, titles, authors, published, modified, fetched,
		langs, relevance, onTopic, clusters, summaries, sites, descs, images, wordCounts, texts, keywords, pvs, fps, chs,
		fetchedSeqs, docHashes, ords, s.now(), tsvs, cfgs).Query(func(rows pgx.Rows) error {
		var id string
		_, err := pgx.ForEachRow(rows, []any{&id}, func() error {
			written++
			return nil
		})
		return err
	})
	if len(entA) > 0 {
		b.Queue(`INSERT INTO article_entities (article_id, ord, name, type, count)
			SELECT * FROM unnest($1::text[], $2::int[], $3::text[], $4::text[], $5::int[])`,
			entA, entOrd, entName, entType, entCount)
	}
	if len(qA) > 0 {
		b.Queue(`INSERT INTO quotes (article_id, ord, text, speaker)
			SELECT * FROM unnest($1::text[], $2::int[], $3::text[], $4::text[])`, qA, qOrd, qText, qSpeaker)
	}
	if len(fA) > 0 {
		b.Queue(`INSERT INTO facts (article_id, ord, kind, text, value, unit)
			SELECT * FROM unnest($1::text[], $2::int[], $3::text[], $4::text[], $5::float8[], $6::text[])`,
			fA, fOrd, fKind, fText, fValue, fUnit)
	}
	if len(bA) > 0 {
		b.Queue(`INSERT INTO lsh_bands (article_id, band, key)
			SELECT * FROM unnest($1::text[], $2::int[], $3::bigint[])`, bA, bBand, bKey)
	}
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return 0, fmt.Errorf("write articles: %w", err)
	}
	if written != n {
		// Another writer changed a locked id: it does not lock ids as
		// this code does. The batch is retried.
		return 0, fmt.Errorf("write articles: %d of %d written: %w", written, n, errConcurrentWrite)
	}
	return written, nil
}

// Get returns one article; see Store.Get.
func (s *Postgres) Get(ctx context.Context, id string) (*proto.Article, error) {
	if checkText("id", id) != nil {
		return nil, fmt.Errorf("get %q: %w", id, ErrNotFound) // no stored id is like that
	}
	var a proto.Article
	err := s.pool.tx(ctx, pgx.TxOptions{AccessMode: pgx.ReadOnly, IsoLevel: pgx.RepeatableRead}, func(tx pgx.Tx) error {
		var (
			published, modified *time.Time
			fetchedSeq          int64
		)
		err := tx.QueryRow(ctx, `SELECT id, url, canonical_url, source, title, authors, published_at,
			modified_at, fetched_at, language, relevance, on_topic, cluster_id, summary, site_name, description,
			image, word_count, text, keywords, pipeline_version, fingerprint, content_hash, fetched_seq
			FROM articles WHERE id = $1`, id).Scan(
			&a.ID, &a.URL, &a.CanonicalURL, &a.Source, &a.Title, &a.Authors, &published,
			&modified, &a.FetchedAt, &a.Language, &a.Relevance, &a.OnTopic, &a.ClusterID, &a.Summary, &a.SiteName,
			&a.Description, &a.Image, &a.WordCount, &a.Text, &a.Keywords, &a.PipelineVersion, &a.Fingerprint,
			&a.ContentHash, &fetchedSeq)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		a.PublishedAt, a.ModifiedAt = utcPtr(published), utcPtr(modified)
		a.FetchedAt = a.FetchedAt.UTC()
		a.FetchedSeq = uint64(fetchedSeq)
		return s.getChildren(ctx, tx, &a)
	})
	if err != nil {
		return nil, fmt.Errorf("get %s: %w", id, err)
	}
	a.Normalize()
	return &a, nil
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// getChildren reads an article's entities, quotes, facts and duplicates.
func (s *Postgres) getChildren(ctx context.Context, tx pgx.Tx, a *proto.Article) error {
	b := &pgx.Batch{}
	b.Queue(`SELECT name, type, count FROM article_entities WHERE article_id = $1 ORDER BY ord`, a.ID).Query(
		func(rows pgx.Rows) error {
			var e proto.Entity
			_, err := pgx.ForEachRow(rows, []any{&e.Name, &e.Type, &e.Count}, func() error {
				a.Entities = append(a.Entities, e)
				return nil
			})
			return err
		})
	b.Queue(`SELECT text, speaker FROM quotes WHERE article_id = $1 ORDER BY ord`, a.ID).Query(
		func(rows pgx.Rows) error {
			var q proto.Quote
			_, err := pgx.ForEachRow(rows, []any{&q.Text, &q.Speaker}, func() error {
				a.Quotes = append(a.Quotes, q)
				return nil
			})
			return err
		})
	b.Queue(`SELECT kind, text, value, unit FROM facts WHERE article_id = $1 ORDER BY ord`, a.ID).Query(
		func(rows pgx.Rows) error {
			var f proto.Fact
			_, err := pgx.ForEachRow(rows, []any{&f.Kind, &f.Text, &f.Value, &f.Unit}, func() error {
				a.Facts = append(a.Facts, f)
				return nil
			})
			return err
		})
	b.Queue(`SELECT id FROM articles WHERE cluster_id = $1 AND id <> $2 ORDER BY first_seen, seq`, a.ClusterID, a.ID).Query(
		func(rows pgx.Rows) error {
			var id string
			_, err := pgx.ForEachRow(rows, []any{&id}, func() error {
				a.Duplicates = append(a.Duplicates, id)
				return nil
			})
			return err
		})
	return tx.SendBatch(ctx, b).Close()
}

// tsQuery renders search terms as to_tsquery input. Words hold letters,
// digits and marks only and are single-quoted, so no user text is ever
// read as tsquery syntax; the query travels as a bind parameter. OR binds
// tighter than the implicit AND, as in fts5Query.
func tsQuery(terms []searchTerm) string {
	return joinTerms(terms, " | ", " & ", func(t searchTerm) string {
		ws := make([]string, len(t.Words))
		for i, w := range t.Words {
			ws[i] = "'" + w + "'"
		}
		if t.Prefix {
			ws[len(ws)-1] += ":*"
		}
		s := strings.Join(ws, " <-> ")
		if len(ws) > 1 {
			s = "(" + s + ")"
		}
		return s
	})
}

// searchQuery turns search text into a tsquery (as text) that matches an
// article in any language: the text is normalized with the configuration
// of every language stored (or of the language filter), and the results
// are joined with OR. It returns "" when nothing is left to search for
// (only stop words, or an empty store).
func (s *Postgres) searchQuery(ctx context.Context, q Query) (string, error) {
	terms, err := parseSearch(q.Q)
	if err != nil {
		return "", err
	}
	text := tsQuery(terms)
	var out *string
	err = s.pool.with(ctx, func(c *pgx.Conn) error {
		if q.Language != "" {
			return c.QueryRow(ctx, `SELECT to_tsquery(newsflow_ts_config($2), $1)::text`, text, q.Language).Scan(&out)
		}
		return c.QueryRow(ctx, `SELECT newsflow_tsquery_or(to_tsquery(l.config, $1))::text
			FROM (SELECT DISTINCT config FROM ts_languages) l
			WHERE EXISTS (SELECT 1 FROM articles a WHERE a.ts_config = l.config)`, text).Scan(&out)
	})
	var pe *pgconn.PgError
	if errors.As(err, &pe) && (strings.HasPrefix(pe.Code, "22") || pe.Code == "42601") {
		// A data exception or syntax error: the text, not the database.
		return "", &QueryError{"q", fmt.Sprintf("cannot search for %q: %s", q.Q, pe.Message)}
	}
	if err != nil {
		return "", fmt.Errorf("search %q: %w", q.Q, err)
	}
	if out == nil {
		return "", nil
	}
	return *out, nil
}

// List returns one page of summaries; see Store.List.
func (s *Postgres) List(ctx context.Context, q Query) (Page, error) {
	q, mode, after, err := prepareList(q)
	if err != nil {
		return Page{}, err
	}
	var (
		where []string
		args  []any
		score = "0::float8"
		tsq   string
	)
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	page := Page{Articles: []Summary{}}
	if q.Q != "" {
		if tsq, err = s.searchQuery(ctx, q); err != nil {
			return Page{}, err
		}
		if tsq == "" {
			return page, nil
		}
		p := arg(tsq)
		where = append(where, "a.tsv @@ "+p+"::tsquery")
		if mode == modeRank {
			// Lower is better, as with SQLite's bm25. Title matches weigh
			// most (A), then the summary (B), then the body (C).
			score = "(-ts_rank(a.tsv, " + p + "::tsquery, 1))::float8"
		}
	}
	if !q.Since.IsZero() {
		where = append(where, "a.sort_at >= "+arg(q.Since))
	}
	if !q.Until.IsZero() {
		where = append(where, "a.sort_at < "+arg(q.Until))
	}
	if q.Source != "" {
		where = append(where, "a.source = "+arg(q.Source))
	}
	if q.Language != "" {
		where = append(where, "lower(a.language) = lower("+arg(q.Language)+")")
	}
	if q.OnTopic != nil {
		where = append(where, "a.on_topic = "+arg(*q.OnTopic))
	}
	if q.MinRelevance > 0 {
		where = append(where, "a.relevance >= "+arg(q.MinRelevance))
	}
	if q.Entity != "" {
		where = append(where, "EXISTS (SELECT 1 FROM article_entities e WHERE lower(e.name) = lower("+arg(q.Entity)+
			") AND e.article_id = a.id)")
	}
	var order string
	switch mode {
	case modePublished:
		order = "a.sort_at DESC, a.id DESC"
		if after != nil {
			t, id := arg(fromMicros(after.t)), arg(after.id)
			where = append(where, "(a.sort_at, a.id) < ("+t+", "+id+")")
		}
	case modeRelevance:
		order = "a.relevance DESC, a.id ASC"
		if after != nil {
			f, id := arg(after.f), arg(after.id)
			where = append(where, "(a.relevance < "+f+" OR (a.relevance = "+f+" AND a.id > "+id+"))")
		}
	case modeRank:
		order = "a.score ASC, a.id ASC"
	}
	const cols = `a.id, a.url, a.canonical_url, a.source, a.title, a.authors, a.published_at,
		a.fetched_at, a.sort_at, a.language, a.relevance, a.on_topic, a.cluster_id, a.summary`
	base := `SELECT ` + cols + `, a.seq, ` + score + ` AS score FROM articles a`
	if len(where) > 0 {
		base += " WHERE " + strings.Join(where, " AND ")
	}
	with := ""
	if tsq != "" && q.Entity != "" {
		// Both filters select a few percent of the corpus each, and their
		// intersection far less. The planner, which does not count the
		// cost of reading each article's search vector, would walk the
		// sort order testing both on every article; matching both sets
		// first and then sorting the few rows left is much faster.
		with = `WITH m AS MATERIALIZED (` + base + `) `
		base = `SELECT * FROM m a`
	}
	if mode == modeRank {
		// Rank the newest rankCandidates matches only (see rankCandidates):
		// the scan stops there, and only they are ranked.
		base += ` ORDER BY a.seq DESC LIMIT ` + arg(rankCandidates)
	}
	query := with + `SELECT ` + cols + `, a.score FROM (` + base + `) a`
	if mode == modeRank && after != nil {
		f, id := arg(after.f), arg(after.id)
		query += " WHERE (a.score > " + f + " OR (a.score = " + f + " AND a.id > " + id + "))"
	}
	query += " ORDER BY " + order + " LIMIT " + arg(q.Limit+1)

	type row struct {
		sortAt time.Time
		score  float64
	}
	var rs []row
	var (
		sm        Summary
		rw        row
		published *time.Time
	)
	err = s.pool.with(ctx, func(c *pgx.Conn) error {
		rows, err := c.Query(ctx, query, args...)
		if err != nil {
			return err
		}
		_, err = pgx.ForEachRow(rows, []any{&sm.ID, &sm.URL, &sm.CanonicalURL, &sm.Source, &sm.Title, &sm.Authors,
			&published, &sm.FetchedAt, &rw.sortAt, &sm.Language, &sm.Relevance, &sm.OnTopic, &sm.ClusterID,
			&sm.Summary, &rw.score}, func() error {
			out := sm
			if out.Authors == nil {
				out.Authors = []string{}
			}
			out.PublishedAt, out.FetchedAt = utcPtr(published), out.FetchedAt.UTC()
			page.Articles = append(page.Articles, out)
			rs = append(rs, rw)
			sm.Authors = nil
			return nil
		})
		return err
	})
	if err != nil {
		return Page{}, fmt.Errorf("list: %w", err)
	}
	if len(page.Articles) > q.Limit {
		page.Articles, rs = page.Articles[:q.Limit], rs[:q.Limit]
		last, lr := page.Articles[q.Limit-1], rs[q.Limit-1]
		c := cursor{mode: mode, id: last.ID}
		switch mode {
		case modePublished:
			c.t = micros(lr.sortAt)
		case modeRelevance:
			c.f = last.Relevance
		case modeRank:
			c.f = lr.score
		}
		page.NextCursor = c.encode()
	}
	if tsq != "" && len(page.Articles) > 0 {
		if err := s.snippets(ctx, tsq, page.Articles); err != nil {
			return Page{}, err
		}
	}
	return page, nil
}

// snippets sets the highlighted snippet of each listed article, as HTML.
func (s *Postgres) snippets(ctx context.Context, tsq string, arts []Summary) error {
	ids := make([]string, len(arts))
	for i, a := range arts {
		ids[i] = a.ID
	}
	out := make(map[string]string, len(ids))
	err := s.pool.with(ctx, func(c *pgx.Conn) error {
		// ts_headline parses the whole text it is given: in a long
		// article, try the beginning first (title, summary and the first
		// paragraphs, cut at a word), and the whole text only when no
		// match is there.
		rows, err := c.Query(ctx, `SELECT id, CASE WHEN strpos(head, $5) > 0 THEN head
				ELSE ts_headline(cfg, doc, $1::tsquery, $2) END
			FROM (SELECT a.id, a.ts_config AS cfg, d.doc, CASE WHEN length(d.doc) > 2 * $6
						THEN ts_headline(a.ts_config, regexp_replace(left(d.doc, $6), '\S*$', ''), $1::tsquery, $2) END AS head
				FROM articles a, LATERAL (SELECT translate(concat_ws(E'\n', nullif(a.title, ''), nullif(a.summary, ''),
					nullif(a.text, '')), '<>', $3) AS doc OFFSET 0) d
				WHERE a.id = ANY($4) OFFSET 0) s`, // OFFSET 0: doc and head are computed once, not where they are used
			tsq, headlineOptions, ltStandIn+gtStandIn, ids, markOpen, snippetHead)
		if err != nil {
			return err
		}
		var id, raw string
		_, err = pgx.ForEachRow(rows, []any{&id, &raw}, func() error {
			raw = strings.NewReplacer(ltStandIn, "<", gtStandIn, ">").Replace(raw)
			out[id] = highlightHTML(raw)
			return nil
		})
		return err
	})
	if err != nil {
		return fmt.Errorf("snippets: %w", err)
	}
	for i := range arts {
		arts[i].Snippet = out[arts[i].ID]
	}
	return nil
}

// Entities returns the top entities; see Store.Entities.
func (s *Postgres) Entities(ctx context.Context, q EntityQuery) ([]EntityCount, error) {
	q, err := normalizeEntityQuery(q)
	if err != nil {
		return nil, err
	}
	var (
		where = []string{"e.name <> ''"}
		args  []any
	)
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	if q.Type != "" {
		where = append(where, "e.type = "+arg(q.Type))
	}
	if !q.Since.IsZero() {
		where = append(where, "a.sort_at >= "+arg(q.Since))
	}
	if !q.Until.IsZero() {
		where = append(where, "a.sort_at < "+arg(q.Until))
	}
	if q.OnTopic != nil {
		where = append(where, "a.on_topic = "+arg(*q.OnTopic))
	}
	query := `SELECT e.name, e.type, count(DISTINCT e.article_id) AS n, sum(e.count) AS m
		FROM article_entities e JOIN articles a ON a.id = e.article_id
		WHERE ` + strings.Join(where, " AND ") + `
		GROUP BY e.name, e.type ORDER BY n DESC, m DESC, e.name, e.type LIMIT ` + arg(q.Limit)
	out := []EntityCount{}
	err = s.pool.with(ctx, func(c *pgx.Conn) error {
		rows, err := c.Query(ctx, query, args...)
		if err != nil {
			return err
		}
		var e EntityCount
		_, err = pgx.ForEachRow(rows, []any{&e.Name, &e.Type, &e.Articles, &e.Mentions}, func() error {
			out = append(out, e)
			return nil
		})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("entities: %w", err)
	}
	return out, nil
}

// Stats returns corpus-wide counts; see Store.Stats.
func (s *Postgres) Stats(ctx context.Context) (Stats, error) {
	st := Stats{Sources: []SourceCount{}, Languages: []LangCount{}, Days: []DayCount{}}
	err := s.pool.tx(ctx, pgx.TxOptions{AccessMode: pgx.ReadOnly, IsoLevel: pgx.RepeatableRead}, func(tx pgx.Tx) error {
		var lastFetched, lastUpdated *time.Time
		if err := tx.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE on_topic), count(DISTINCT cluster_id),
			max(fetched_at), max(updated_at) FROM articles`).Scan(
			&st.Articles, &st.OnTopic, &st.Clusters, &lastFetched, &lastUpdated); err != nil {
			return err
		}
		st.LastFetchedAt, st.LastUpdatedAt = utcPtr(lastFetched), utcPtr(lastUpdated)
		b := &pgx.Batch{}
		b.Queue(`SELECT count(*) FROM (SELECT DISTINCT name, type FROM article_entities) d`).QueryRow(
			func(r pgx.Row) error { return r.Scan(&st.Entities) })
		b.Queue(`SELECT source, count(*) AS n FROM articles GROUP BY source ORDER BY n DESC, source`).Query(
			func(rows pgx.Rows) error {
				var c SourceCount
				_, err := pgx.ForEachRow(rows, []any{&c.Source, &c.Articles}, func() error {
					st.Sources = append(st.Sources, c)
					return nil
				})
				return err
			})
		b.Queue(`SELECT language, count(*) AS n FROM articles GROUP BY language ORDER BY n DESC, language`).Query(
			func(rows pgx.Rows) error {
				var c LangCount
				_, err := pgx.ForEachRow(rows, []any{&c.Language, &c.Articles}, func() error {
					st.Languages = append(st.Languages, c)
					return nil
				})
				return err
			})
		b.Queue(`SELECT to_char(d, 'YYYY-MM-DD'), count(*) FROM (
				SELECT date_trunc('day', sort_at AT TIME ZONE 'UTC') AS d FROM articles
				WHERE sort_at >= 'epoch'::timestamptz) x
			GROUP BY d ORDER BY d`).Query(
			func(rows pgx.Rows) error {
				var c DayCount
				_, err := pgx.ForEachRow(rows, []any{&c.Day, &c.Articles}, func() error {
					st.Days = append(st.Days, c)
					return nil
				})
				return err
			})
		return tx.SendBatch(ctx, b).Close()
	})
	if err != nil {
		return Stats{}, fmt.Errorf("stats: %w", err)
	}
	return st, nil
}

package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"html"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/newsflow/newsflow/internal/telemetry"
	"github.com/newsflow/newsflow/proto"
	"github.com/segmentio/encoding/json"
	"go.uber.org/zap"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

//go:embed migrations/sqlite/*.sql
var sqliteMigrations embed.FS

// busyTimeout is how long a connection waits for a lock before failing.
const busyTimeout = 10 * time.Second

// Snippet markers: private-use characters that SQLite puts around matches,
// replaced by <mark> tags once the snippet has been HTML-escaped.
const (
	markOpen  = "\uE000"
	markClose = "\uE001"
)

// SQLite is the embedded Store: one file, WAL mode, one writer connection
// and a pool of readers.
type SQLite struct {
	w        *sql.DB // the single writer; nil when read-only
	r        *sql.DB // readers (query_only)
	log      *zap.Logger
	readOnly bool
	now      func() time.Time
	ckpt     *checkpointer // background WAL checkpoints; nil in memory or read-only
}

var _ Store = (*SQLite)(nil)

// Open opens the store named by dsn, "sqlite:PATH" or a PostgreSQL URL
// (postgres://… or postgresql://…), and brings its schema up to date.
func Open(ctx context.Context, dsn string, log *zap.Logger) (Store, error) {
	return open(ctx, dsn, log, false)
}

// OpenReadOnly is Open for a process that only reads (newsflow serve): it
// runs no migrations, creates nothing, and its Upsert returns ErrReadOnly.
func OpenReadOnly(ctx context.Context, dsn string, log *zap.Logger) (Store, error) {
	return open(ctx, dsn, log, true)
}

func open(ctx context.Context, dsn string, log *zap.Logger, readOnly bool) (Store, error) {
	scheme, rest, ok := strings.Cut(dsn, ":")
	if !ok {
		return nil, fmt.Errorf("open store %q: unsupported dsn scheme (want sqlite:PATH or postgres://…)", dsn)
	}
	switch strings.ToLower(scheme) {
	case "sqlite", "sqlite3":
		if readOnly {
			return OpenSQLiteReadOnly(ctx, rest, log)
		}
		return OpenSQLite(ctx, rest, log)
	case "postgres", "postgresql":
		if readOnly {
			return OpenPostgresReadOnly(ctx, dsn, log)
		}
		return OpenPostgres(ctx, dsn, log)
	default:
		return nil, fmt.Errorf("open store: unsupported dsn scheme %q (want sqlite:PATH or postgres://…)", scheme)
	}
}

// OpenSQLite opens (creating if needed) the SQLite database at path and
// brings its schema up to date. path ":memory:" opens a private in-memory
// database (tests).
func OpenSQLite(ctx context.Context, path string, log *zap.Logger) (*SQLite, error) {
	return openSQLite(ctx, path, log, false)
}

// OpenSQLiteReadOnly opens an existing SQLite database for reading only. It
// fails if the database is missing or its schema is older than this code.
func OpenSQLiteReadOnly(ctx context.Context, path string, log *zap.Logger) (*SQLite, error) {
	return openSQLite(ctx, path, log, true)
}

func openSQLite(ctx context.Context, path string, log *zap.Logger, readOnly bool) (*SQLite, error) {
	if log == nil {
		log = zap.NewNop()
	}
	if path == "" {
		return nil, errors.New("open sqlite: empty path")
	}
	if strings.ContainsAny(path, "?#") {
		return nil, fmt.Errorf("open sqlite %q: path must not contain '?' or '#'", path)
	}
	s := &SQLite{log: log.With(zap.String("component", "store")), readOnly: readOnly, now: time.Now}
	// Statement journals and temp b-trees in memory; a 32 MiB page cache.
	common := "_busy_timeout=" + strconv.Itoa(int(busyTimeout/time.Millisecond)) +
		"&_foreign_keys=1&_pragma=temp_store(MEMORY)&_pragma=cache_size(-32768)"
	memory := path == ":memory:"
	switch {
	case memory:
		db, err := sql.Open("sqlite", path+"?"+common)
		if err != nil {
			return nil, fmt.Errorf("open sqlite: %w", err)
		}
		db.SetMaxOpenConns(1) // every connection would be a different database
		db.SetConnMaxIdleTime(0)
		db.SetConnMaxLifetime(0)
		s.w, s.r = db, db
	case readOnly:
		if _, err := os.Stat(path); err != nil {
			return nil, fmt.Errorf("open sqlite read-only: %w", err)
		}
	default:
		if dir := filepath.Dir(path); dir != "" {
			if err := os.MkdirAll(dir, 0o750); err != nil {
				return nil, fmt.Errorf("open sqlite: %w", err)
			}
		}
		w, err := sql.Open("sqlite", path+"?"+common+"&_journal_mode=WAL&_synchronous=NORMAL&_txlock=immediate"+
			"&_pragma=wal_autocheckpoint("+strconv.Itoa(walBackstopPages)+")")
		if err != nil {
			return nil, fmt.Errorf("open sqlite: %w", err)
		}
		w.SetMaxOpenConns(1)
		w.SetMaxIdleConns(1)
		w.SetConnMaxIdleTime(0)
		s.w = w
		c, err := sql.Open("sqlite", path+"?"+common)
		if err != nil {
			s.Close()
			return nil, fmt.Errorf("open sqlite: %w", err)
		}
		c.SetMaxOpenConns(1)
		c.SetMaxIdleConns(1)
		s.ckpt = startCheckpointer(c, s.log)
	}
	if !memory {
		r, err := sql.Open("sqlite", path+"?"+common+"&_query_only=1")
		if err != nil {
			s.Close()
			return nil, fmt.Errorf("open sqlite: %w", err)
		}
		n := max(2, min(8, runtime.GOMAXPROCS(0)))
		r.SetMaxOpenConns(n)
		r.SetMaxIdleConns(n)
		s.r = r
	}
	if readOnly {
		s.w = nil
		if err := s.checkSchema(ctx); err != nil {
			s.Close()
			return nil, err
		}
	} else if err := s.migrate(ctx); err != nil {
		s.Close()
		return nil, err
	}
	s.log.Info("store opened", zap.String("path", path), zap.Bool("read_only", readOnly))
	return s, nil
}

// Close closes the database.
func (s *SQLite) Close() error {
	var errs []error
	if s.ckpt != nil {
		errs = append(errs, s.ckpt.Close())
	}
	if s.w != nil {
		errs = append(errs, s.w.Close())
	}
	if s.r != nil && s.r != s.w {
		errs = append(errs, s.r.Close())
	}
	return errors.Join(errs...)
}

// migration is one embedded schema file.
type migration struct {
	version int
	name    string
	sql     string
}

// migrations returns the embedded migrations of dir in version order.
func migrations(fsys embed.FS, dir string) ([]migration, error) {
	ents, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	var ms []migration
	for _, e := range ents {
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migration %s: name must start with a version number", e.Name())
		}
		b, err := fsys.ReadFile(path.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("read migration %s: %w", e.Name(), err)
		}
		ms = append(ms, migration{version: v, name: e.Name(), sql: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i := 1; i < len(ms); i++ {
		if ms[i].version == ms[i-1].version {
			return nil, fmt.Errorf("migrations %s and %s share a version", ms[i-1].name, ms[i].name)
		}
	}
	return ms, nil
}

// migrate applies the migrations not applied yet, each in its own
// transaction, recording them in schema_version. Safe to run on every open
// and from several processes at once.
func (s *SQLite) migrate(ctx context.Context) error {
	ms, err := migrations(sqliteMigrations, "migrations/sqlite")
	if err != nil {
		return err
	}
	if _, err := s.w.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_version (
		version    INTEGER PRIMARY KEY,
		name       TEXT    NOT NULL,
		applied_at INTEGER NOT NULL
	)`); err != nil {
		return fmt.Errorf("migrate: create schema_version: %w", err)
	}
	for _, m := range ms {
		if err := s.applyMigration(ctx, m); err != nil {
			return err
		}
	}
	return nil
}

// sqliteCJKVersion is the migration that adds the character index.
const sqliteCJKVersion = 3

// backfillCJK fills the character index column of the articles stored
// before it existed (see cjk.go); the update trigger indexes them.
func backfillCJK(ctx context.Context, tx *sql.Tx) error {
	type row struct {
		seq    int64
		spaced string
	}
	var todo []row
	err := scanAll(ctx, tx, `SELECT seq, title, summary, text FROM articles`, nil, func(r *sql.Rows) error {
		var (
			seq                  int64
			title, summary, text string
		)
		if err := r.Scan(&seq, &title, &summary, &text); err != nil {
			return err
		}
		if sp := spacedCJK(title, summary, text); sp != "" {
			todo = append(todo, row{seq, sp})
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("backfill character index: %w", err)
	}
	for _, r := range todo {
		if _, err := tx.ExecContext(ctx, `UPDATE articles SET cjk = ? WHERE seq = ?`, r.spaced, r.seq); err != nil {
			return fmt.Errorf("backfill character index: %w", err)
		}
	}
	return nil
}

func (s *SQLite) applyMigration(ctx context.Context, m migration) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migrate %s: %w", m.name, err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_version WHERE version = ?`, m.version).Scan(&n); err != nil {
		return fmt.Errorf("migrate %s: %w", m.name, err)
	}
	if n > 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return fmt.Errorf("migrate %s: %w", m.name, err)
	}
	if m.version == sqliteCJKVersion {
		if err := backfillCJK(ctx, tx); err != nil {
			return fmt.Errorf("migrate %s: %w", m.name, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)`,
		m.version, m.name, s.now().UnixMicro()); err != nil {
		return fmt.Errorf("migrate %s: %w", m.name, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migrate %s: %w", m.name, err)
	}
	s.log.Info("schema migrated", zap.Int("version", m.version), zap.String("migration", m.name))
	return nil
}

// checkSchema verifies that a read-only database has every migration.
func (s *SQLite) checkSchema(ctx context.Context) error {
	ms, err := migrations(sqliteMigrations, "migrations/sqlite")
	if err != nil {
		return err
	}
	var v sql.NullInt64
	if err := s.r.QueryRowContext(ctx, `SELECT max(version) FROM schema_version`).Scan(&v); err != nil {
		return fmt.Errorf("open sqlite read-only: no newsflow schema: %w", err)
	}
	if want := ms[len(ms)-1].version; v.Int64 < int64(want) {
		return fmt.Errorf("open sqlite read-only: schema version %d, want %d (open it read-write once to migrate)", v.Int64, want)
	}
	return nil
}

// micros converts t to the stored form, unix microseconds.
func micros(t time.Time) int64 { return t.UnixMicro() }

// fromMicros converts a stored time back.
func fromMicros(v int64) time.Time { return time.UnixMicro(v).UTC() }

func nullMicros(t *time.Time) any {
	if t == nil {
		return nil
	}
	return micros(*t)
}

func fromNullMicros(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := fromMicros(v.Int64)
	return &t
}

// prepareArticle returns the article as it will be stored: times in UTC at
// microsecond precision, slices non-nil, store-computed fields cleared. It
// also returns the hash of that form, which detects identical rewrites.
func prepareArticle(in *proto.Article) (proto.Article, string, error) {
	a := *in
	a.FetchedAt = a.FetchedAt.UTC().Truncate(time.Microsecond)
	if a.PublishedAt != nil {
		t := a.PublishedAt.UTC().Truncate(time.Microsecond)
		a.PublishedAt = &t
	}
	if a.ModifiedAt != nil {
		t := a.ModifiedAt.UTC().Truncate(time.Microsecond)
		a.ModifiedAt = &t
	}
	a.ClusterID = ""
	a.Duplicates = nil
	cleanArticle(&a)
	a.Normalize()
	b, err := json.Marshal(&a)
	if err != nil {
		return a, "", fmt.Errorf("encode article %s: %w", a.ID, err)
	}
	sum := sha256.Sum256(b)
	return a, hex.EncodeToString(sum[:]), nil
}

// upsertStmts are the statements of one Upsert transaction.
type upsertStmts struct {
	existing, article, candidates              *sql.Stmt
	delEntities, delQuotes, delFacts, delBands *sql.Stmt
	saveIndexed                                *sql.Stmt // prepared at the batch's first rewrite

	tx                             *sql.Tx
	entities, quotes, facts, bands rowWriter

	// reindex holds the rows (seq) written in this batch, whose full-text
	// entries are rewritten at its end (see indexBatch).
	reindex map[int64]struct{}
}

const upsertArticleSQL = `INSERT INTO articles (
	id, url, canonical_url, source, title, authors, published_at, modified_at, fetched_at, sort_at,
	language, relevance, on_topic, cluster_id, summary, site_name, description, image, word_count,
	text, keywords, pipeline_version, fingerprint, content_hash, fetched_seq, doc_hash, first_seen, updated_at, cjk
) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (id) DO UPDATE SET
	url = excluded.url, canonical_url = excluded.canonical_url, source = excluded.source,
	title = excluded.title, authors = excluded.authors, published_at = excluded.published_at,
	modified_at = excluded.modified_at, fetched_at = excluded.fetched_at, sort_at = excluded.sort_at,
	language = excluded.language, relevance = excluded.relevance, on_topic = excluded.on_topic,
	cluster_id = excluded.cluster_id, summary = excluded.summary, site_name = excluded.site_name,
	description = excluded.description, image = excluded.image, word_count = excluded.word_count,
	text = excluded.text, keywords = excluded.keywords, pipeline_version = excluded.pipeline_version,
	fingerprint = excluded.fingerprint, content_hash = excluded.content_hash,
	fetched_seq = excluded.fetched_seq, doc_hash = excluded.doc_hash, updated_at = excluded.updated_at,
	cjk = excluded.cjk`

func (s *SQLite) prepareUpsert(ctx context.Context, tx *sql.Tx) (*upsertStmts, error) {
	var (
		st  upsertStmts
		err error
	)
	prep := func(dst **sql.Stmt, q string) {
		if err != nil {
			return
		}
		*dst, err = tx.PrepareContext(ctx, q)
	}
	prep(&st.existing, `SELECT seq, fetched_at, pipeline_version, doc_hash, fingerprint, cluster_id FROM articles WHERE id = ?`)
	prep(&st.article, upsertArticleSQL)
	prep(&st.candidates, sqliteCandidatesSQL)
	prep(&st.delEntities, `DELETE FROM article_entities WHERE article_id = ?`)
	prep(&st.delQuotes, `DELETE FROM quotes WHERE article_id = ?`)
	prep(&st.delFacts, `DELETE FROM facts WHERE article_id = ?`)
	prep(&st.delBands, `DELETE FROM lsh_bands WHERE article_id = ?`)
	st.tx = tx
	st.entities = rowWriter{insert: `INSERT INTO article_entities (article_id, ord, name, type, count) VALUES `, ncol: 5}
	st.quotes = rowWriter{insert: `INSERT INTO quotes (article_id, ord, text, speaker) VALUES `, ncol: 4}
	st.facts = rowWriter{insert: `INSERT INTO facts (article_id, ord, kind, text, value, unit) VALUES `, ncol: 6}
	st.bands = rowWriter{insert: `INSERT INTO lsh_bands (article_id, band, key) VALUES `, ncol: 3}
	if err != nil {
		return nil, fmt.Errorf("prepare upsert: %w", err)
	}
	st.reindex = make(map[int64]struct{})
	return &st, nil
}

// rowWriter inserts rows into one table with multi-row VALUES statements
// of rowChunks rows, each prepared once per transaction: binding values
// row by row costs less than handing SQLite a JSON array to take apart.
type rowWriter struct {
	insert string // "INSERT INTO … VALUES "
	ncol   int
	stmts  [len(rowChunks)]*sql.Stmt
}

var rowChunks = [...]int{16, 4, 1}

// write inserts the rows whose values args lists, ncol per row.
func (w *rowWriter) write(ctx context.Context, tx *sql.Tx, args []any) error {
	for i, size := range rowChunks {
		for n := size * w.ncol; len(args) >= n; args = args[n:] {
			if w.stmts[i] == nil {
				row := "(" + strings.TrimSuffix(strings.Repeat("?, ", w.ncol), ", ") + ")"
				q := w.insert + strings.TrimSuffix(strings.Repeat(row+", ", size), ", ")
				st, err := tx.PrepareContext(ctx, q)
				if err != nil {
					return err
				}
				w.stmts[i] = st
			}
			if _, err := w.stmts[i].ExecContext(ctx, args[:n]...); err != nil {
				return err
			}
		}
	}
	return nil
}

// saveIndexedRow keeps a stored row as the full-text index has it, to
// remove from the index at the batch's end (see indexBatch).
func (st *upsertStmts) saveIndexedRow(ctx context.Context, seq int64) error {
	if st.saveIndexed == nil {
		if _, err := st.tx.ExecContext(ctx, `CREATE TEMP TABLE IF NOT EXISTS fts_indexed (
			seq INTEGER PRIMARY KEY, title TEXT, text TEXT, summary TEXT, cjk TEXT)`); err != nil {
			return err
		}
		stmt, err := st.tx.PrepareContext(ctx, `INSERT OR IGNORE INTO temp.fts_indexed (seq, title, text, summary, cjk)
			SELECT seq, title, text, summary, cjk FROM articles WHERE seq = ?`)
		if err != nil {
			return err
		}
		st.saveIndexed = stmt
	}
	_, err := st.saveIndexed.ExecContext(ctx, seq)
	return err
}

// indexBatch brings the full-text index in step with the rows written in
// the batch: it removes the entries of the rewritten rows as they were
// before the batch (kept by saveIndexedRow) and adds the entries of every
// written row as it is now, one statement each, so that the index writes
// one segment per batch.
func indexBatch(ctx context.Context, st *upsertStmts) error {
	if len(st.reindex) == 0 {
		return nil
	}
	if st.saveIndexed != nil {
		for _, q := range []string{
			`INSERT INTO articles_fts (articles_fts, rowid, title, text, summary, cjk)
				SELECT 'delete', seq, title, text, summary, cjk FROM temp.fts_indexed`,
			`DELETE FROM temp.fts_indexed`,
		} {
			if _, err := st.tx.ExecContext(ctx, q); err != nil {
				return fmt.Errorf("index batch: %w", err)
			}
		}
	}
	seqs := make([]int64, 0, len(st.reindex))
	for seq := range st.reindex {
		seqs = append(seqs, seq)
	}
	b, err := json.Marshal(seqs)
	if err != nil {
		return fmt.Errorf("index batch: %w", err)
	}
	if _, err := st.tx.ExecContext(ctx, `INSERT INTO articles_fts (rowid, title, text, summary, cjk)
		SELECT seq, title, text, summary, cjk FROM articles WHERE seq IN (SELECT value FROM json_each(?))`, string(b)); err != nil {
		return fmt.Errorf("index batch: %w", err)
	}
	return nil
}

// Upsert writes arts in one transaction; see Store.Upsert.
func (s *SQLite) Upsert(ctx context.Context, arts []proto.Article) error {
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
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("upsert: begin: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	st, err := s.prepareUpsert(ctx, tx)
	if err != nil {
		return err
	}
	now := s.now().UnixMicro()
	written := 0
	for i := range arts {
		ok, err := s.upsertOne(ctx, st, &arts[i], now)
		if err != nil {
			return fmt.Errorf("upsert %s: %w", arts[i].ID, err)
		}
		if ok {
			written++
		}
	}
	if err := indexBatch(ctx, st); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("upsert: commit: %w", err)
	}
	if s.ckpt != nil {
		s.ckpt.Written(written)
	}
	s.log.Debug("batch stored", zap.Int("articles", len(arts)), zap.Int("written", written))
	return nil
}

// upsertOne writes one article unless the stored version wins or is the
// same; it reports whether it wrote.
func (s *SQLite) upsertOne(ctx context.Context, st *upsertStmts, in *proto.Article, now int64) (bool, error) {
	a, docHash, err := prepareArticle(in)
	if err != nil {
		return false, err
	}
	var (
		exSeq, exFetched                int64
		exPV, exHash, exFP, exClusterID string
	)
	err = st.existing.QueryRowContext(ctx, a.ID).Scan(&exSeq, &exFetched, &exPV, &exHash, &exFP, &exClusterID)
	exists := err == nil
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return false, fmt.Errorf("read stored version: %w", err)
	}
	fetched := micros(a.FetchedAt)
	if exists {
		switch {
		case exFetched > fetched:
			s.log.Debug("older article ignored", telemetry.ArticleID(a.ID))
			return false, nil
		case exFetched == fetched && ComparePipelineVersions(exPV, a.PipelineVersion) > 0:
			s.log.Debug("older pipeline version ignored", telemetry.ArticleID(a.ID))
			return false, nil
		case exHash == docHash:
			return false, nil
		}
	}

	bands := fingerprintBands(a.Fingerprint)
	clusterID, newBands := a.ID, true
	if exists && strings.EqualFold(exFP, a.Fingerprint) {
		clusterID, newBands = exClusterID, false
	} else if len(bands) > 0 {
		if clusterID, err = s.findCluster(ctx, st, &a, bands); err != nil {
			return false, err
		}
	}

	authors, err := json.Marshal(a.Authors)
	if err != nil {
		return false, fmt.Errorf("encode authors: %w", err)
	}
	keywords, err := json.Marshal(a.Keywords)
	if err != nil {
		return false, fmt.Errorf("encode keywords: %w", err)
	}
	sortAt := fetched
	if a.PublishedAt != nil {
		sortAt = micros(*a.PublishedAt)
	}
	if _, pending := st.reindex[exSeq]; exists && !pending {
		// Keep the row as the index has it, to remove at the batch's end.
		if err := st.saveIndexedRow(ctx, exSeq); err != nil {
			return false, fmt.Errorf("save indexed text: %w", err)
		}
	}
	res, err := st.article.ExecContext(ctx,
		a.ID, a.URL, a.CanonicalURL, a.Source, a.Title, string(authors),
		nullMicros(a.PublishedAt), nullMicros(a.ModifiedAt), fetched, sortAt,
		a.Language, a.Relevance, a.OnTopic, clusterID, a.Summary, a.SiteName, a.Description, a.Image,
		a.WordCount, a.Text, string(keywords), a.PipelineVersion, a.Fingerprint, a.ContentHash,
		int64(a.FetchedSeq), docHash, now, now, spacedCJK(a.Title, a.Summary, a.Text),
	)
	if err != nil {
		return false, fmt.Errorf("write article: %w", err)
	}
	seq := exSeq
	if !exists {
		if seq, err = res.LastInsertId(); err != nil {
			return false, fmt.Errorf("write article: %w", err)
		}
	}
	st.reindex[seq] = struct{}{}

	if exists {
		for _, del := range []*sql.Stmt{st.delEntities, st.delQuotes, st.delFacts} {
			if _, err := del.ExecContext(ctx, a.ID); err != nil {
				return false, fmt.Errorf("replace children: %w", err)
			}
		}
	}
	args := make([]any, 0, 6*max(len(a.Entities), len(a.Quotes), len(a.Facts), len(bands)))
	for i, e := range a.Entities {
		args = append(args, a.ID, i, e.Name, e.Type, e.Count)
	}
	if err := st.entities.write(ctx, st.tx, args); err != nil {
		return false, fmt.Errorf("write entities: %w", err)
	}
	args = args[:0]
	for i, q := range a.Quotes {
		args = append(args, a.ID, i, q.Text, q.Speaker)
	}
	if err := st.quotes.write(ctx, st.tx, args); err != nil {
		return false, fmt.Errorf("write quotes: %w", err)
	}
	args = args[:0]
	for i, f := range a.Facts {
		args = append(args, a.ID, i, f.Kind, f.Text, f.Value, f.Unit)
	}
	if err := st.facts.write(ctx, st.tx, args); err != nil {
		return false, fmt.Errorf("write facts: %w", err)
	}
	if newBands {
		if exists {
			if _, err := st.delBands.ExecContext(ctx, a.ID); err != nil {
				return false, fmt.Errorf("replace bands: %w", err)
			}
		}
		args = args[:0]
		for _, b := range bands {
			args = append(args, a.ID, b.Index, b.Key)
		}
		if err := st.bands.write(ctx, st.tx, args); err != nil {
			return false, fmt.Errorf("write bands: %w", err)
		}
	}
	return true, nil
}

// sqliteCandidatesSQL lists stored articles sharing a band key with an
// article (?1…?16; fewer keys are repeated), oldest first: for each key
// at most candidatesPerKey of them, so that a story copied thousands of
// times costs no more than a new one (every copy of a large cluster
// names the same cluster). The covering index articles_duplicate_candidates
// answers it without reading the articles' text.
var sqliteCandidatesSQL = func() string {
	var b strings.Builder
	b.WriteString(`SELECT a.id, a.cluster_id, a.fingerprint FROM articles a INDEXED BY articles_duplicate_candidates WHERE a.id IN (`)
	for i := range lshBands {
		if i > 0 {
			b.WriteString(" UNION ALL ")
		}
		fmt.Fprintf(&b, "SELECT * FROM (SELECT article_id FROM lsh_bands WHERE key = ?%d LIMIT %d)", i+1, candidatesPerKey)
	}
	fmt.Fprintf(&b, ") AND a.id <> ?%d ORDER BY a.first_seen, a.seq", lshBands+1)
	return b.String()
}()

// findCluster returns the cluster a joins: that of the earliest stored
// article sharing a band with a at or above DuplicateThreshold, else a's
// own id.
func (s *SQLite) findCluster(ctx context.Context, st *upsertStmts, a *proto.Article, bands []band) (string, error) {
	args := make([]any, lshBands+1)
	for i := range lshBands {
		args[i] = bands[min(i, len(bands)-1)].Key
	}
	args[lshBands] = a.ID
	rows, err := st.candidates.QueryContext(ctx, args...)
	if err != nil {
		return "", fmt.Errorf("find duplicates: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, cluster, fp string
		if err := rows.Scan(&id, &cluster, &fp); err != nil {
			return "", fmt.Errorf("find duplicates: %w", err)
		}
		if similarity(a.Fingerprint, fp) >= DuplicateThreshold {
			return cluster, nil
		}
	}
	if err := rows.Err(); err != nil {
		return "", fmt.Errorf("find duplicates: %w", err)
	}
	return a.ID, nil
}

// Get returns one article; see Store.Get.
func (s *SQLite) Get(ctx context.Context, id string) (*proto.Article, error) {
	tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("get %s: %w", id, err)
	}
	defer tx.Rollback() //nolint:errcheck // read-only
	var (
		a                  proto.Article
		authors, keywords  string
		published, modifed sql.NullInt64
		fetched            int64
		fetchedSeq         int64
	)
	err = tx.QueryRowContext(ctx, `SELECT id, url, canonical_url, source, title, authors, published_at,
		modified_at, fetched_at, language, relevance, on_topic, cluster_id, summary, site_name, description,
		image, word_count, text, keywords, pipeline_version, fingerprint, content_hash, fetched_seq
		FROM articles WHERE id = ?`, id).Scan(
		&a.ID, &a.URL, &a.CanonicalURL, &a.Source, &a.Title, &authors, &published,
		&modifed, &fetched, &a.Language, &a.Relevance, &a.OnTopic, &a.ClusterID, &a.Summary, &a.SiteName,
		&a.Description, &a.Image, &a.WordCount, &a.Text, &keywords, &a.PipelineVersion, &a.Fingerprint,
		&a.ContentHash, &fetchedSeq)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("get %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("get %s: %w", id, err)
	}
	a.PublishedAt, a.ModifiedAt = fromNullMicros(published), fromNullMicros(modifed)
	a.FetchedAt = fromMicros(fetched)
	a.FetchedSeq = uint64(fetchedSeq)
	if err := json.Unmarshal([]byte(authors), &a.Authors); err != nil {
		return nil, fmt.Errorf("get %s: decode authors: %w", id, err)
	}
	if err := json.Unmarshal([]byte(keywords), &a.Keywords); err != nil {
		return nil, fmt.Errorf("get %s: decode keywords: %w", id, err)
	}
	if err := s.getChildren(ctx, tx, &a); err != nil {
		return nil, fmt.Errorf("get %s: %w", id, err)
	}
	a.Normalize()
	return &a, nil
}

// getChildren reads an article's entities, quotes, facts and duplicates.
func (s *SQLite) getChildren(ctx context.Context, tx *sql.Tx, a *proto.Article) error {
	type query struct {
		sql  string
		args []any
		scan func(*sql.Rows) error
	}
	qs := []query{
		{`SELECT name, type, count FROM article_entities WHERE article_id = ? ORDER BY ord`, []any{a.ID},
			func(r *sql.Rows) error {
				var e proto.Entity
				err := r.Scan(&e.Name, &e.Type, &e.Count)
				a.Entities = append(a.Entities, e)
				return err
			}},
		{`SELECT text, speaker FROM quotes WHERE article_id = ? ORDER BY ord`, []any{a.ID},
			func(r *sql.Rows) error {
				var q proto.Quote
				err := r.Scan(&q.Text, &q.Speaker)
				a.Quotes = append(a.Quotes, q)
				return err
			}},
		{`SELECT kind, text, value, unit FROM facts WHERE article_id = ? ORDER BY ord`, []any{a.ID},
			func(r *sql.Rows) error {
				var f proto.Fact
				err := r.Scan(&f.Kind, &f.Text, &f.Value, &f.Unit)
				a.Facts = append(a.Facts, f)
				return err
			}},
		{`SELECT id FROM articles WHERE cluster_id = ? AND id <> ? ORDER BY first_seen, seq`, []any{a.ClusterID, a.ID},
			func(r *sql.Rows) error {
				var id string
				err := r.Scan(&id)
				a.Duplicates = append(a.Duplicates, id)
				return err
			}},
	}
	for _, q := range qs {
		if err := scanAll(ctx, tx, q.sql, q.args, q.scan); err != nil {
			return err
		}
	}
	return nil
}

// queryer is *sql.DB or *sql.Tx.
type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// scanAll runs a query and calls scan for every row.
func scanAll(ctx context.Context, db queryer, query string, args []any, scan func(*sql.Rows) error) error {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// Search planning. A search over a word found in most articles matches
// tens of thousands of rows; reading and sorting them all costs hundreds of
// milliseconds, so List plans by how many rows the search text matches.
const (
	// sqliteDenseMatches is the match count from which a newest-first
	// search walks the articles in sort order, in windows, and keeps
	// those the search finds, instead of reading every match and sorting.
	// Counting stops there, so the count itself stays cheap.
	sqliteDenseMatches = 1000
	// sqliteWindowMax bounds that walk: after this many articles (in sort
	// order, past the other filters) without a full page of matches, the
	// matches are too sparse among them and List reads every match
	// instead. Either way the page is exact.
	sqliteWindowMax = 20000
)

// sqlKey is the sort key of a listed row.
type sqlKey struct {
	seq    int64
	sortAt int64
	id     string
	score  float64
}

// List returns one page of summaries; see Store.List.
//
// It runs in two steps: a query of sort keys (seq, time, id, score) finds
// the page, then the rows of the page are read. Only the page's rows are
// read in full.
func (s *SQLite) List(ctx context.Context, q Query) (Page, error) {
	q, mode, after, err := prepareList(q)
	if err != nil {
		return Page{}, err
	}
	var (
		where []string
		args  []any
		match string
	)
	if q.Q != "" {
		terms, err := parseSearch(q.Q)
		if err != nil {
			return Page{}, err
		}
		match = fts5Query(terms)
	}
	keyMatch := match // the search as publishedKeys runs it; "" if in where
	add := func(cond string, v ...any) {
		where = append(where, cond)
		args = append(args, v...)
	}
	if !q.Since.IsZero() {
		add("a.sort_at >= ?", micros(q.Since))
	}
	if !q.Until.IsZero() {
		add("a.sort_at < ?", micros(q.Until))
	}
	if q.Source != "" {
		add("a.source = ?", q.Source)
	}
	if q.Language != "" {
		add("a.language = ? COLLATE NOCASE", q.Language)
	}
	if q.OnTopic != nil {
		if mode == modeRelevance {
			// Half the corpus is on topic: walking the relevance index
			// beats the on_topic index, which SQLite prefers without
			// statistics ("+" keeps it from using an index for this).
			add("+a.on_topic = ?", *q.OnTopic)
		} else {
			add("a.on_topic = ?", *q.OnTopic)
		}
	}
	if q.MinRelevance > 0 {
		add("a.relevance >= ?", q.MinRelevance)
	}
	// One read transaction: the keys and the rows come from one snapshot.
	tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return Page{}, fmt.Errorf("list: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // read-only
	switch {
	case q.Entity != "" && match != "" && mode == modePublished:
		// Few articles name an entity, and of those the search keeps fewer:
		// intersect the two as seqs, which the indexes hold, and read only
		// the articles in both.
		both, err := s.entityMatches(ctx, tx, q.Entity, match)
		if err != nil {
			if isFTSError(err) {
				return Page{}, &QueryError{"q", fmt.Sprintf("cannot search for %q: %v", q.Q, err)}
			}
			return Page{}, fmt.Errorf("list: %w", err)
		}
		add("a.seq IN (SELECT value FROM json_each(?))", both)
		keyMatch = ""
	case q.Entity != "":
		add("EXISTS (SELECT 1 FROM article_entities e WHERE e.article_id = a.id AND e.name = ? COLLATE NOCASE)", q.Entity)
	}
	var keys []sqlKey
	switch {
	case mode == modeRelevance:
		if after != nil {
			add("(a.relevance < ? OR (a.relevance = ? AND a.id > ?))", after.f, after.f, after.id)
		}
		keys, err = s.keys(ctx, tx, `SELECT a.seq, a.sort_at, a.id, a.relevance FROM articles a`+whereSQL(where)+
			` ORDER BY a.relevance DESC, a.id ASC LIMIT ?`, append(args, q.Limit+1))
	case mode == modeRank:
		// Rank the newest rankCandidates matches (see rankCandidates).
		inner := `SELECT a.seq, a.sort_at, a.id, bm25(articles_fts, 10.0, 1.0, 2.0) AS score
			FROM articles_fts JOIN articles a ON a.seq = articles_fts.rowid` +
			whereSQL(append([]string{"articles_fts MATCH ?"}, where...)) +
			` ORDER BY articles_fts.rowid DESC LIMIT ?`
		args = append([]any{match}, args...)
		args = append(args, rankCandidates)
		outer := `SELECT seq, sort_at, id, score FROM (` + inner + `) c`
		if after != nil {
			outer += ` WHERE (c.score > ? OR (c.score = ? AND c.id > ?))`
			args = append(args, after.f, after.f, after.id)
		}
		keys, err = s.keys(ctx, tx, outer+` ORDER BY c.score ASC, c.id ASC LIMIT ?`, append(args, q.Limit+1))
	default: // modePublished
		if after != nil {
			add("(a.sort_at < ? OR (a.sort_at = ? AND a.id < ?))", after.t, after.t, after.id)
		}
		keys, err = s.publishedKeys(ctx, tx, keyMatch, where, args, q.Limit+1)
	}
	if err != nil {
		if isFTSError(err) {
			return Page{}, &QueryError{"q", fmt.Sprintf("cannot search for %q: %v", q.Q, err)}
		}
		return Page{}, fmt.Errorf("list: %w", err)
	}
	page := Page{Articles: []Summary{}}
	if len(keys) > q.Limit {
		keys = keys[:q.Limit]
		last := keys[q.Limit-1]
		c := cursor{mode: mode, id: last.id}
		switch mode {
		case modePublished:
			c.t = last.sortAt
		default:
			c.f = last.score
		}
		page.NextCursor = c.encode()
	}
	if len(keys) == 0 {
		return page, nil
	}
	if page.Articles, err = s.summaries(ctx, tx, keys); err != nil {
		return Page{}, err
	}
	if match != "" {
		seqs := make([]int64, len(keys))
		for i, k := range keys {
			seqs[i] = k.seq
		}
		snips, err := s.snippets(ctx, tx, match, seqs)
		if err != nil {
			return Page{}, err
		}
		for i, k := range keys {
			page.Articles[i].Snippet = snips[k.seq]
		}
	}
	return page, nil
}

// entityMatches returns, as a JSON array, the seqs of the articles that
// name entity and match the search. The search's matches are listed once,
// as rowids (SQLite keeps them in a temporary index), and each article
// naming the entity is looked up there.
func (s *SQLite) entityMatches(ctx context.Context, tx *sql.Tx, entity, match string) (string, error) {
	var named []int64
	err := scanAll(ctx, tx, `SELECT x.seq FROM article_entities e JOIN articles x ON x.id = e.article_id
		WHERE e.name = ? COLLATE NOCASE`, []any{entity}, func(r *sql.Rows) error {
		var seq int64
		err := r.Scan(&seq)
		named = append(named, seq)
		return err
	})
	if err != nil || len(named) == 0 {
		return "[]", err
	}
	nb, err := json.Marshal(named)
	if err != nil {
		return "", err
	}
	var both string
	err = tx.QueryRowContext(ctx, `SELECT coalesce(json_group_array(value), '[]') FROM json_each(?)
		WHERE value IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?)`, string(nb), match).Scan(&both)
	return both, err
}

// whereSQL joins conditions into a WHERE clause ("" for none).
func whereSQL(conds []string) string {
	if len(conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(conds, " AND ")
}

// keys runs a query of sort keys (seq, sort_at, id, score).
func (s *SQLite) keys(ctx context.Context, tx *sql.Tx, query string, args []any) ([]sqlKey, error) {
	var out []sqlKey
	err := scanAll(ctx, tx, query, args, func(r *sql.Rows) error {
		var k sqlKey
		if err := r.Scan(&k.seq, &k.sortAt, &k.id, &k.score); err != nil {
			return err
		}
		out = append(out, k)
		return nil
	})
	return out, err
}

// publishedKeys returns the first n keys, newest first, of the articles
// matching where (and the search match, if any). A search matching many
// articles walks them in sort order (windowKeys); one matching few reads
// its matches and sorts them.
func (s *SQLite) publishedKeys(ctx context.Context, tx *sql.Tx, match string,
	where []string, args []any, n int) ([]sqlKey, error) {
	const order = ` ORDER BY a.sort_at DESC, a.id DESC`
	if match == "" {
		return s.keys(ctx, tx, `SELECT a.seq, a.sort_at, a.id, 0 FROM articles a`+whereSQL(where)+order+` LIMIT ?`,
			append(args, n))
	}
	var count int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT rowid FROM articles_fts
		WHERE articles_fts MATCH ? LIMIT ?)`, match, sqliteDenseMatches).Scan(&count); err != nil {
		return nil, err
	}
	if count >= sqliteDenseMatches {
		out, ok, err := s.windowKeys(ctx, tx, match, where, args, n)
		if err != nil || ok {
			return out, err
		}
	}
	return s.keys(ctx, tx, `SELECT a.seq, a.sort_at, a.id, 0 FROM articles_fts JOIN articles a ON a.seq = articles_fts.rowid`+
		whereSQL(append([]string{"articles_fts MATCH ?"}, where...))+order+` LIMIT ?`,
		append(append([]any{match}, args...), n))
}

// windowKeys walks the articles passing where newest first, in windows
// that grow fourfold, and keeps those the search finds, until it has n.
// The search of a window is bounded by the window's smallest and largest
// seq, so it reads only the matches stored about when the window's
// articles were (seq follows storage order, which mostly follows time);
// the result is exact whatever the order. ok is false, with no keys, when
// sqliteWindowMax articles held fewer than n matches.
func (s *SQLite) windowKeys(ctx context.Context, tx *sql.Tx, match string, where []string, args []any, n int) ([]sqlKey, bool, error) {
	var (
		out    []sqlKey
		last   *sqlKey
		walked int
	)
	for w := max(4*n, 256); ; w *= 4 {
		conds, cargs := slices.Clone(where), slices.Clone(args)
		if last != nil {
			conds = append(conds, "(a.sort_at < ? OR (a.sort_at = ? AND a.id < ?))")
			cargs = append(cargs, last.sortAt, last.sortAt, last.id)
		}
		win, err := s.keys(ctx, tx, `SELECT a.seq, a.sort_at, a.id, 0 FROM articles a`+whereSQL(conds)+
			` ORDER BY a.sort_at DESC, a.id DESC LIMIT ?`, append(cargs, w))
		if err != nil || len(win) == 0 {
			return out, err == nil, err
		}
		lo, hi := win[0].seq, win[0].seq
		for _, k := range win {
			lo, hi = min(lo, k.seq), max(hi, k.seq)
		}
		hits := map[int64]bool{}
		err = scanAll(ctx, tx, `SELECT rowid FROM articles_fts WHERE articles_fts MATCH ? AND rowid >= ? AND rowid <= ?`,
			[]any{match, lo, hi}, func(r *sql.Rows) error {
				var seq int64
				err := r.Scan(&seq)
				hits[seq] = true
				return err
			})
		if err != nil {
			return nil, false, err
		}
		for _, k := range win {
			if hits[k.seq] {
				out = append(out, k)
				if len(out) == n {
					return out, true, nil
				}
			}
		}
		if len(win) < w {
			return out, true, nil // every article passing where was seen
		}
		if walked += len(win); walked >= sqliteWindowMax {
			return nil, false, nil
		}
		last = &win[len(win)-1]
	}
}

// summaries reads the rows of keys, in the order of keys.
func (s *SQLite) summaries(ctx context.Context, tx *sql.Tx, keys []sqlKey) ([]Summary, error) {
	seqs := make([]int64, len(keys))
	pos := make(map[int64]int, len(keys))
	for i, k := range keys {
		seqs[i] = k.seq
		pos[k.seq] = i
	}
	sb, err := json.Marshal(seqs)
	if err != nil {
		return nil, fmt.Errorf("list: %w", err)
	}
	out := make([]Summary, len(keys))
	found := 0
	err = scanAll(ctx, tx, `SELECT a.seq, a.id, a.url, a.canonical_url, a.source, a.title, a.authors, a.published_at,
		a.fetched_at, a.language, a.relevance, a.on_topic, a.cluster_id, a.summary
		FROM articles a WHERE a.seq IN (SELECT value FROM json_each(?))`, []any{string(sb)},
		func(r *sql.Rows) error {
			var (
				sm        Summary
				seq       int64
				authors   string
				published sql.NullInt64
				fetched   int64
			)
			if err := r.Scan(&seq, &sm.ID, &sm.URL, &sm.CanonicalURL, &sm.Source, &sm.Title, &authors,
				&published, &fetched, &sm.Language, &sm.Relevance, &sm.OnTopic, &sm.ClusterID, &sm.Summary); err != nil {
				return err
			}
			if err := json.Unmarshal([]byte(authors), &sm.Authors); err != nil || sm.Authors == nil {
				sm.Authors = []string{}
			}
			sm.PublishedAt, sm.FetchedAt = fromNullMicros(published), fromMicros(fetched)
			out[pos[seq]] = sm
			found++
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("list: %w", err)
	}
	if found != len(keys) {
		return nil, fmt.Errorf("list: %d of %d listed articles vanished", len(keys)-found, len(keys))
	}
	return out, nil
}

// snippets returns the highlighted snippet of each matching row, as HTML.
func (s *SQLite) snippets(ctx context.Context, tx *sql.Tx, match string, seqs []int64) (map[int64]string, error) {
	if len(seqs) == 0 {
		return nil, nil
	}
	sb, err := json.Marshal(seqs)
	if err != nil {
		return nil, fmt.Errorf("snippets: %w", err)
	}
	out := make(map[int64]string, len(seqs))
	// One pass of the full-text index over the page's range of rows: the
	// unary plus keeps the IN list from the index, which would otherwise
	// run the whole MATCH (for a prefix, merging every matching term's
	// list) once per row.
	err = scanAll(ctx, tx, `SELECT rowid, snippet(articles_fts, -1, ?, ?, '…', 24) FROM articles_fts
		WHERE articles_fts MATCH ? AND rowid BETWEEN ? AND ? AND +rowid IN (SELECT value FROM json_each(?))`,
		[]any{markOpen, markClose, match, slices.Min(seqs), slices.Max(seqs), string(sb)},
		func(r *sql.Rows) error {
			var (
				seq int64
				raw string
			)
			if err := r.Scan(&seq, &raw); err != nil {
				return err
			}
			out[seq] = joinCJK(highlightHTML(raw))
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("snippets: %w", err)
	}
	return out, nil
}

// highlightHTML escapes a raw snippet and turns its match markers into
// <mark> tags, leaving them balanced.
func highlightHTML(raw string) string {
	var b strings.Builder
	open := false
	for len(raw) > 0 {
		i := strings.IndexAny(raw, markOpen+markClose)
		if i < 0 {
			b.WriteString(html.EscapeString(raw))
			break
		}
		b.WriteString(html.EscapeString(raw[:i]))
		isOpen := strings.HasPrefix(raw[i:], markOpen)
		switch {
		case isOpen && !open:
			b.WriteString("<mark>")
			open = true
		case !isOpen && open:
			b.WriteString("</mark>")
			open = false
		}
		raw = raw[i+len(markOpen):] // both markers are 3 bytes in UTF-8
	}
	if open {
		b.WriteString("</mark>")
	}
	return b.String()
}

// isFTSError reports whether err is SQLite rejecting a MATCH expression.
func isFTSError(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "fts5") || strings.Contains(msg, "syntax error") ||
		strings.Contains(msg, "malformed MATCH")
}

// Entities returns the top entities; see Store.Entities.
func (s *SQLite) Entities(ctx context.Context, q EntityQuery) ([]EntityCount, error) {
	q, err := normalizeEntityQuery(q)
	if err != nil {
		return nil, err
	}
	var (
		where = []string{"e.name <> ''"}
		args  []any
	)
	if q.Type != "" {
		where, args = append(where, "e.type = ?"), append(args, q.Type)
	}
	if !q.Since.IsZero() {
		where, args = append(where, "a.sort_at >= ?"), append(args, micros(q.Since))
	}
	if !q.Until.IsZero() {
		where, args = append(where, "a.sort_at < ?"), append(args, micros(q.Until))
	}
	if q.OnTopic != nil {
		where, args = append(where, "a.on_topic = ?"), append(args, *q.OnTopic)
	}
	args = append(args, q.Limit)
	out := []EntityCount{}
	err = scanAll(ctx, s.r, `SELECT e.name, e.type, count(DISTINCT e.article_id) AS n, sum(e.count) AS m
		FROM article_entities e JOIN articles a ON a.id = e.article_id
		WHERE `+strings.Join(where, " AND ")+`
		GROUP BY e.name, e.type ORDER BY n DESC, m DESC, e.name, e.type LIMIT ?`, args,
		func(r *sql.Rows) error {
			var e EntityCount
			if err := r.Scan(&e.Name, &e.Type, &e.Articles, &e.Mentions); err != nil {
				return err
			}
			out = append(out, e)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("entities: %w", err)
	}
	return out, nil
}

// Stats returns corpus-wide counts; see Store.Stats.
func (s *SQLite) Stats(ctx context.Context) (Stats, error) {
	tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return Stats{}, fmt.Errorf("stats: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // read-only
	st := Stats{Sources: []SourceCount{}, Languages: []LangCount{}, Days: []DayCount{}}
	var lastFetched, lastUpdated sql.NullInt64
	if err := tx.QueryRowContext(ctx, `SELECT count(*), coalesce(sum(on_topic), 0), count(DISTINCT cluster_id),
		max(fetched_at), max(updated_at) FROM articles`).Scan(
		&st.Articles, &st.OnTopic, &st.Clusters, &lastFetched, &lastUpdated); err != nil {
		return Stats{}, fmt.Errorf("stats: %w", err)
	}
	st.LastFetchedAt, st.LastUpdatedAt = fromNullMicros(lastFetched), fromNullMicros(lastUpdated)
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT DISTINCT name, type FROM article_entities)`).
		Scan(&st.Entities); err != nil {
		return Stats{}, fmt.Errorf("stats: %w", err)
	}
	err = scanAll(ctx, tx, `SELECT source, count(*) AS n FROM articles GROUP BY source ORDER BY n DESC, source`, nil,
		func(r *sql.Rows) error {
			var c SourceCount
			err := r.Scan(&c.Source, &c.Articles)
			st.Sources = append(st.Sources, c)
			return err
		})
	if err != nil {
		return Stats{}, fmt.Errorf("stats: %w", err)
	}
	err = scanAll(ctx, tx, `SELECT language, count(*) AS n FROM articles GROUP BY language ORDER BY n DESC, language`, nil,
		func(r *sql.Rows) error {
			var c LangCount
			err := r.Scan(&c.Language, &c.Articles)
			st.Languages = append(st.Languages, c)
			return err
		})
	if err != nil {
		return Stats{}, fmt.Errorf("stats: %w", err)
	}
	const dayMicros = int64(24 * time.Hour / time.Microsecond)
	err = scanAll(ctx, tx, `SELECT sort_at / ? AS d, count(*) FROM articles WHERE sort_at >= 0 GROUP BY d ORDER BY d`,
		[]any{dayMicros},
		func(r *sql.Rows) error {
			var (
				d int64
				c DayCount
			)
			if err := r.Scan(&d, &c.Articles); err != nil {
				return err
			}
			c.Day = fromMicros(d * dayMicros).Format(time.DateOnly)
			st.Days = append(st.Days, c)
			return nil
		})
	if err != nil {
		return Stats{}, fmt.Errorf("stats: %w", err)
	}
	return st, nil
}

package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"testing"

	"go.uber.org/zap"
)

func TestCJKText(t *testing.T) {
	if got := spacedCJK("Ferry resumes", "", "night service"); got != "" {
		t.Errorf("spacedCJK(no CJK) = %q; want \"\"", got)
	}
	if got, want := spacedCJK("渡轮", "", "APEC峰会"), " 渡  轮 \n\nAPEC 峰  会 "; got != want {
		t.Errorf("spacedCJK = %q; want %q", got, want)
	}
	for w, want := range map[string][]string{
		"ferry":    {"ferry"},
		"布兰特":      {"布", "兰", "特"},
		"APEC峰会":   {"APEC", "峰", "会"},
		"2024年报告":  {"2024", "年", "报", "告"},
		"カタカナtest": {"カ", "タ", "カ", "ナ", "test"},
	} {
		if got := splitCJK(w); !slices.Equal(got, want) {
			t.Errorf("splitCJK(%q) = %q; want %q", w, got, want)
		}
	}
	for in, want := range map[string]string{
		"plain text stays": "plain text stays",
		" 市  长 <mark>布</mark> <mark>兰</mark> <mark>特</mark> 在 ": "市长<mark>布兰特</mark>在",
		" 达  到 2401 亿  美  元 ":                                   "达到 2401 亿美元",
		"\n 访  问 。 普  京 表  示 ：“ 我  们 …":                         "访问。普京表示：“我们…",
		"…the <mark>ferry</mark> and 渡 轮":                       "…the <mark>ferry</mark> and 渡轮",
	} {
		if got := joinCJK(in); got != want {
			t.Errorf("joinCJK(%q) = %q; want %q", in, got, want)
		}
	}
}

// TestSQLiteCJKBackfill: articles stored before the character index
// existed (schema v2) are indexed by its migration's backfill.
func TestSQLiteCJKBackfill(t *testing.T) {
	ctx := context.Background()
	path := t.TempDir() + "/cjk.db"
	old, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	ms, err := migrations(sqliteMigrations, "migrations/sqlite")
	if err != nil {
		t.Fatal(err)
	}
	stmts := []string{`CREATE TABLE schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`}
	for _, m := range ms[:sqliteCJKVersion-1] {
		stmts = append(stmts, m.sql, fmt.Sprintf(`INSERT INTO schema_version VALUES (%d, '%s', 0)`, m.version, m.name))
	}
	stmts = append(stmts, `INSERT INTO articles (id, title, text, fetched_at, sort_at, language, cluster_id, first_seen, updated_at)
		VALUES ('zh', '渡轮恢复夜间航班', '市长布兰特在码头迎接了第一班渡轮。', 1, 1, 'zh', 'zh', 1, 1)`)
	for _, q := range stmts {
		if _, err := old.ExecContext(ctx, q); err != nil {
			t.Fatalf("build a v%d database: %v", sqliteCJKVersion-1, err)
		}
	}
	if err := old.Close(); err != nil {
		t.Fatal(err)
	}

	st, err := OpenSQLite(ctx, path, zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	p, err := st.List(ctx, Query{Q: "布兰特"})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Articles) != 1 {
		t.Errorf("after the migration a search for a word inside the stored Chinese article found %d articles; want 1", len(p.Articles))
	}
}

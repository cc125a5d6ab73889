package store

import (
	"context"
	"slices"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/newsflow/newsflow/proto"
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
// existed are indexed by the migration's backfill.
func TestSQLiteCJKBackfill(t *testing.T) {
	ctx := context.Background()
	st, err := OpenSQLite(ctx, t.TempDir()+"/cjk.db", zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	at := time.Date(2031, 3, 10, 12, 0, 0, 0, time.UTC)
	a := proto.Article{ID: "zh", URL: "https://example.test/zh", Title: "渡轮恢复夜间航班", Text: "市长布兰特在码头迎接了第一班渡轮。",
		FetchedAt: at, PublishedAt: &at, Language: "zh", PipelineVersion: "v1"}
	if err := st.Upsert(ctx, []proto.Article{a}); err != nil {
		t.Fatal(err)
	}
	found := func() bool {
		p, err := st.List(ctx, Query{Q: "布兰特"})
		if err != nil {
			t.Fatal(err)
		}
		return len(p.Articles) == 1
	}
	if !found() {
		t.Fatal("a stored Chinese article is not found by a word inside it")
	}
	// As stored before the character index: no cjk value.
	if _, err := st.w.ExecContext(ctx, `UPDATE articles SET cjk = ''`); err != nil {
		t.Fatal(err)
	}
	if found() {
		t.Fatal("found without the character index")
	}
	tx, err := st.w.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := backfillCJK(ctx, tx); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if !found() {
		t.Error("the backfill did not index the article")
	}
}

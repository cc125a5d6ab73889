package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/segmentio/encoding/json"
	"go.uber.org/zap"

	"github.com/newsflow/newsflow/services/store"
)

func cmdSearch(ctx context.Context, args []string, stdout io.Writer) error {
	fs := newFlagSet("search", "QUERY")
	var c common
	c.register(fs, false)
	var q store.Query
	var since, until, onTopic string
	fs.StringVar(&since, "since", "", "only articles published since `time` (RFC 3339 or YYYY-MM-DD)")
	fs.StringVar(&until, "until", "", "only articles published before `time`")
	fs.StringVar(&q.Source, "source", "", "only this `source`")
	fs.StringVar(&q.Entity, "entity", "", "only articles mentioning this `entity`")
	fs.StringVar(&q.Language, "language", "", "only this `language` (en, ru, zh, ...)")
	fs.StringVar(&onTopic, "on-topic", "", "true or false: only on- or off-topic articles")
	fs.Float64Var(&q.MinRelevance, "min-relevance", 0, "only articles at least this relevant")
	fs.StringVar(&q.Sort, "sort", "", "published (newest first) or relevance")
	fs.IntVar(&q.Limit, "limit", 20, "at most `n` articles")
	fs.StringVar(&q.Cursor, "cursor", "", "continue from a previous page's next_cursor")
	asJSON := fs.Bool("json", false, "print JSON instead of a table")
	if err := fs.Parse(args); err != nil {
		return err
	}
	q.Q = strings.Join(fs.Args(), " ")
	var err error
	if q.Since, err = parseTime(since); err != nil {
		return fmt.Errorf("search: -since: %w", err)
	}
	if q.Until, err = parseTime(until); err != nil {
		return fmt.Errorf("search: -until: %w", err)
	}
	if onTopic != "" {
		b, err := strconv.ParseBool(onTopic)
		if err != nil {
			return fmt.Errorf("search: -on-topic: %q is not true or false", onTopic)
		}
		q.OnTopic = &b
	}
	cfg, err := c.load()
	if err != nil {
		return err
	}
	st, err := store.OpenReadOnly(ctx, cfg.storeDSN(c.data), zap.NewNop())
	if err != nil {
		return fmt.Errorf("search: open store: %w", err)
	}
	defer st.Close()
	page, err := st.List(ctx, q)
	if err != nil {
		return fmt.Errorf("search: %w", err)
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetEscapeHTML(false)
		return enc.Encode(page)
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "PUBLISHED\tSOURCE\tLANG\tREL\tID\tTITLE")
	for _, a := range page.Articles {
		when := a.FetchedAt
		if a.PublishedAt != nil {
			when = *a.PublishedAt
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%.2f\t%s\t%s\n", when.Format("2006-01-02 15:04"), a.Source, a.Language, a.Relevance, a.ID, store.Headline(a.Title, a.Summary))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%d articles", len(page.Articles))
	if page.NextCursor != "" {
		fmt.Fprintf(stdout, "; more with -cursor %s", page.NextCursor)
	}
	fmt.Fprintln(stdout)
	return nil
}

// parseTime reads RFC 3339 or a date.
func parseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is neither RFC 3339 nor YYYY-MM-DD", s)
	}
	return t, nil
}

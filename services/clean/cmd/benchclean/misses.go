package main

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// listMisses prints, set by set, the pages where an extractor's title,
// authors or date differ from the gold values, with the source of each
// value when the extractor reports one.
func listMisses(w io.Writer, pages []page, res map[string]output) {
	fmt.Fprintln(w)
	fmt.Fprintln(w, "## misses")
	for _, p := range pages {
		o := res[p.Set+"/"+p.ID]
		for _, m := range pageMisses(p, o) {
			fmt.Fprintf(w, "%s/%s %s\n  gold: %s\n  got:  %s", p.Set, p.ID, m.field, m.want, m.got)
			if src := o.Sources[m.source]; src != "" {
				fmt.Fprintf(w, " [%s]", src)
			}
			fmt.Fprintln(w)
		}
	}
}

type miss struct{ field, want, got, source string }

// pageMisses compares one output with the gold values the same way
// scorePage does.
func pageMisses(p page, o output) []miss {
	g := p.Gold
	var out []miss
	if g.Title != "" && normTitle(o.Title) != normTitle(g.Title) {
		out = append(out, miss{"title", g.Title, o.Title, "title"})
	}
	got := strings.Join(o.Authors, "; ")
	switch {
	case p.Set == setTrafilatura && g.Author != "" && normWS(got) != normWS(g.Author):
		out = append(out, miss{"authors", g.Author, got, "authors"})
	case p.Set == setFundus && g.Authors != nil && !sameNames(o.Authors, g.Authors):
		out = append(out, miss{"authors", strings.Join(g.Authors, "; "), got, "authors"})
	case p.Set == setReadability && g.Byline != "" && !sameNames(o.Authors, splitByline(g.Byline)):
		out = append(out, miss{"authors", g.Byline, got, "authors"})
	}
	switch {
	case p.Set == setHtmldate && dayOf(o.Date) != g.Date:
		out = append(out, miss{"date", g.Date, o.Date, "published_at"})
	case p.Set != setHtmldate && g.Date != "" && g.Date != "none" && dayOf(o.Date) != g.Date:
		out = append(out, miss{"date", g.Date, o.Date, "published_at"})
	case g.DateTime != nil:
		if t, err := time.Parse(time.RFC3339, o.Date); err != nil || !t.Equal(*g.DateTime) {
			out = append(out, miss{"datetime", g.DateTime.Format(time.RFC3339Nano), o.Date, "published_at"})
		}
	}
	return out
}

package main

import (
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
)

// counts is a confusion count.
type counts struct{ TP, FP, TN, FN int }

func (c counts) precision() float64 { return ratio(c.TP, c.TP+c.FP) }
func (c counts) recall() float64    { return ratio(c.TP, c.TP+c.FN) }
func (c counts) accuracy() float64  { return ratio(c.TP+c.TN, c.TP+c.TN+c.FP+c.FN) }
func (c counts) f1() float64        { return ratio(2*c.TP, 2*c.TP+c.FP+c.FN) }

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// hit counts the pages of a field that came out right.
type hit struct{ Right, Total int }

func (h *hit) add(ok bool) {
	h.Total++
	if ok {
		h.Right++
	}
}

func (h hit) rate() float64 { return ratio(h.Right, h.Total) }

// mean averages per-page scores.
type mean struct {
	Sum float64
	N   int
}

func (m *mean) add(v float64) { m.Sum += v; m.N++ }
func (m mean) value() float64 {
	if m.N == 0 {
		return 0
	}
	return m.Sum / float64(m.N)
}

// scores are one extractor's results on one set.
type scores struct {
	Pages    int
	Errors   int
	Snippets counts // trafilatura-eval with/without
	BodyF1   mean   // token F1 against the expected body
	Title    hit
	Author   hit
	Date     hit    // day
	DateTime hit    // the instant (fundus, readability)
	Dates    counts // htmldate scoring
}

var spaceRe = regexp.MustCompile(`\s+`)

func normWS(s string) string { return strings.TrimSpace(spaceRe.ReplaceAllString(s, " ")) }

// scorePage adds one output to s.
func (s *scores) scorePage(p page, o output) {
	s.Pages++
	if o.Err != "" {
		s.Errors++
	}
	g := p.Gold
	text := normWS(o.Text)
	switch p.Set {
	case setTrafilatura:
		for _, w := range g.With {
			if strings.Contains(text, normWS(w)) {
				s.Snippets.TP++
			} else {
				s.Snippets.FN++
			}
		}
		for _, w := range g.Without {
			if strings.Contains(text, normWS(w)) {
				s.Snippets.FP++
			} else {
				s.Snippets.TN++
			}
		}
		if g.Author != "" {
			s.Author.add(normWS(strings.Join(o.Authors, "; ")) == normWS(g.Author))
		}
	case setFundus:
		if g.Authors != nil {
			s.Author.add(sameNames(o.Authors, g.Authors))
		}
	case setReadability:
		if g.Byline != "" {
			s.Author.add(sameNames(o.Authors, splitByline(g.Byline)))
		}
	case setHtmldate:
		day := dayOf(o.Date)
		switch {
		case day == "" && g.Date == "none":
			s.Dates.FN++
		case day == "":
			s.Dates.FN++
		case day == g.Date:
			s.Dates.TP++
		default:
			s.Dates.FP++
		}
		s.Date.add(day == g.Date)
		return
	}
	if g.Body != "" {
		s.BodyF1.add(tokenF1(o.Text, g.Body))
	}
	if g.Title != "" {
		s.Title.add(normTitle(o.Title) == normTitle(g.Title))
	}
	if g.Date != "" && g.Date != "none" {
		s.Date.add(dayOf(o.Date) == g.Date)
	}
	if g.DateTime != nil {
		t, err := time.Parse(time.RFC3339, o.Date)
		s.DateTime.add(err == nil && t.Equal(*g.DateTime))
	}
}

// dayOf is the calendar day of an RFC 3339 time in its own offset.
func dayOf(s string) string {
	if len(s) < 10 {
		return ""
	}
	return s[:10]
}

// normTitle compares titles up to white space and quote style.
func normTitle(s string) string {
	s = strings.NewReplacer("’", "'", "‘", "'", "“", `"`, "”", `"`, "\u00a0", " ").Replace(s)
	return normWS(s)
}

// splitByline turns a byline string into names: "By A and B" -> [A B].
func splitByline(s string) []string {
	s = normWS(s)
	s = regexp.MustCompile(`(?i)^by\s+`).ReplaceAllString(s, "")
	var out []string
	for _, part := range regexp.MustCompile(`(?i)\s*(?:,|;|&|\|)\s*|\s+and\s+`).Split(s, -1) {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

// sameNames compares author lists as sets, ignoring case and punctuation.
func sameNames(got, want []string) bool {
	key := func(list []string) []string {
		var out []string
		for _, n := range list {
			k := strings.Join(strings.FieldsFunc(strings.ToLower(n), func(r rune) bool {
				return !unicode.IsLetter(r) && !unicode.IsDigit(r)
			}), " ")
			if k != "" && !slices.Contains(out, k) {
				out = append(out, k)
			}
		}
		slices.Sort(out)
		return out
	}
	return slices.Equal(key(got), key(want))
}

// tokenF1 is the bag-of-words F1 of got against want, lowercased.
func tokenF1(got, want string) float64 {
	tok := func(s string) map[string]int {
		m := make(map[string]int)
		for _, f := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
			return !unicode.IsLetter(r) && !unicode.IsDigit(r)
		}) {
			m[f]++
		}
		return m
	}
	g, w := tok(got), tok(want)
	var ng, nw, common int
	for _, c := range g {
		ng += c
	}
	for t, c := range w {
		nw += c
		common += min(c, g[t])
	}
	if ng == 0 || nw == 0 || common == 0 {
		return 0
	}
	p, r := float64(common)/float64(ng), float64(common)/float64(nw)
	return 2 * p * r / (p + r)
}

package main

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/jdkato/prose/v3"

	"github.com/newsflow/newsflow/services/extract"
)

// types are the scored entity types; MISC (wikigold only) is reported
// apart.
var types = []string{"PER", "ORG", "LOC"}

// system is an entity recogniser under test.
type system struct {
	name string
	find func(text string) []span
}

func newSystems() ([]system, error) {
	f, err := extract.NewEntityFinder()
	if err != nil {
		return nil, err
	}
	nf := system{name: "newsflow", find: func(text string) []span {
		ms := f.Find(text)
		out := make([]span, 0, len(ms))
		for _, m := range ms {
			t := ""
			switch m.Type {
			case extract.TypePerson:
				t = "PER"
			case extract.TypeOrg:
				t = "ORG"
			case extract.TypePlace:
				t = "LOC"
			}
			if t != "" {
				out = append(out, span{m.Start, m.End, t})
			}
		}
		return out
	}}
	pr := system{name: "prose/v3", find: func(text string) []span {
		d, err := prose.NewDocument(text)
		if err != nil {
			return nil
		}
		var out []span
		for _, e := range d.Entities() {
			t := ""
			switch e.Label {
			case "PERSON":
				t = "PER"
			case "ORGANIZATION", "ORG":
				t = "ORG"
			case "GPE", "LOCATION", "LOC":
				t = "LOC"
			}
			if t != "" {
				out = append(out, span{e.Start, e.End(), t})
			}
		}
		return out
	}}
	return []system{nf, pr}, nil
}

// counts are true positives, false positives and false negatives.
type counts struct{ tp, fp, fn int }

func (c counts) prf() (p, r, f float64) {
	if c.tp+c.fp > 0 {
		p = float64(c.tp) / float64(c.tp+c.fp)
	}
	if c.tp+c.fn > 0 {
		r = float64(c.tp) / float64(c.tp+c.fn)
	}
	if p+r > 0 {
		f = 2 * p * r / (p + r)
	}
	return p, r, f
}

// result is one system's score on one set.
type result struct {
	byType   map[string]*counts
	micro    counts
	miscHits int // predictions that exactly cover a MISC gold span
	elapsed  time.Duration
	errs     []string
}

// score compares predictions with gold on exact span and type. MISC gold
// spans are left out of recall; a prediction on one is a false positive.
func score(docs []doc, preds [][]span, maxErrs int) result {
	res := result{byType: map[string]*counts{}}
	for _, t := range types {
		res.byType[t] = &counts{}
	}
	for i, d := range docs {
		gold := map[span]bool{}
		misc := map[[2]int]bool{}
		for _, g := range d.gold {
			if g.typ == "MISC" {
				misc[[2]int{g.start, g.end}] = true
				continue
			}
			gold[g] = true
		}
		pred := map[span]bool{}
		for _, p := range preds[i] {
			pred[p] = true
		}
		for p := range pred {
			c := res.byType[p.typ]
			if gold[p] {
				c.tp++
				continue
			}
			c.fp++
			if misc[[2]int{p.start, p.end}] {
				res.miscHits++
			}
			if len(res.errs) < maxErrs {
				res.errs = append(res.errs, fmt.Sprintf("FP %s %q%s", p.typ, d.text[p.start:p.end], goldAt(d, p)))
			}
		}
		for g := range gold {
			if !pred[g] {
				res.byType[g.typ].fn++
				if len(res.errs) < maxErrs {
					res.errs = append(res.errs, fmt.Sprintf("FN %s %q  in: %s", g.typ, d.text[g.start:g.end], context(d.text, g)))
				}
			}
		}
	}
	for _, t := range types {
		c := res.byType[t]
		res.micro.tp += c.tp
		res.micro.fp += c.fp
		res.micro.fn += c.fn
	}
	sort.Strings(res.errs)
	return res
}

// goldAt describes the gold entity overlapping p, if any.
func goldAt(d doc, p span) string {
	for _, g := range d.gold {
		if g.start < p.end && p.start < g.end {
			return fmt.Sprintf("  (gold %s %q)", g.typ, d.text[g.start:g.end])
		}
	}
	return "  in: " + context(d.text, p)
}

// context is the line around s, shortened.
func context(text string, s span) string {
	a := strings.LastIndexByte(text[:s.start], '\n') + 1
	b := strings.IndexByte(text[s.end:], '\n')
	if b < 0 {
		b = len(text)
	} else {
		b += s.end
	}
	if s.start-a > 60 {
		a = s.start - 60
	}
	if b-s.end > 60 {
		b = s.end + 60
	}
	return strings.ToValidUTF8(text[a:b], "")
}

// report runs every system over docs and prints the scores and speeds.
func report(w io.Writer, name string, docs []doc, systems []system, rounds, maxErrs int) {
	var sents, toks int
	gold := map[string]int{}
	for _, d := range docs {
		sents += d.sentences
		toks += d.tokens
		for _, g := range d.gold {
			gold[g.typ]++
		}
	}
	fmt.Fprintf(w, "== %s: %d documents, %d sentences, %d tokens; gold PER %d, ORG %d, LOC %d", name, len(docs), sents, toks, gold["PER"], gold["ORG"], gold["LOC"])
	if gold["MISC"] > 0 {
		fmt.Fprintf(w, ", MISC %d (not scored)", gold["MISC"])
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "%-10s %-5s %6s %6s %6s %6s %6s %6s\n", "system", "type", "P", "R", "F1", "tp", "fp", "fn")
	var results []result
	for _, sys := range systems {
		preds := make([][]span, len(docs))
		best := time.Duration(1<<63 - 1)
		for r := 0; r < max(1, rounds); r++ {
			start := time.Now()
			for i, d := range docs {
				preds[i] = sys.find(d.text)
			}
			best = min(best, time.Since(start))
		}
		errN := 0
		if sys.name == "newsflow" {
			errN = maxErrs
		}
		res := score(docs, preds, errN)
		res.elapsed = best
		results = append(results, res)
		for _, t := range types {
			c := res.byType[t]
			p, r, f := c.prf()
			fmt.Fprintf(w, "%-10s %-5s %6.3f %6.3f %6.3f %6d %6d %6d\n", sys.name, t, p, r, f, c.tp, c.fp, c.fn)
		}
		p, r, f := res.micro.prf()
		fmt.Fprintf(w, "%-10s %-5s %6.3f %6.3f %6.3f %6d %6d %6d\n", sys.name, "micro", p, r, f, res.micro.tp, res.micro.fp, res.micro.fn)
	}
	for i, sys := range systems {
		res := results[i]
		sec := res.elapsed.Seconds()
		fmt.Fprintf(w, "%-10s speed: %.0f documents/s, %.0f sentences/s, %.0f tokens/s (best of %d rounds, 1 goroutine)", sys.name,
			float64(len(docs))/sec, float64(sents)/sec, float64(toks)/sec, max(1, rounds))
		if gold["MISC"] > 0 {
			fmt.Fprintf(w, "; %d false positives are exact MISC spans", res.miscHits)
		}
		fmt.Fprintln(w)
	}
	if len(results) > 0 && len(results[0].errs) > 0 {
		fmt.Fprintln(w, "newsflow errors:")
		for _, e := range results[0].errs {
			fmt.Fprintln(w, "  "+e)
		}
	}
	fmt.Fprintln(w)
}

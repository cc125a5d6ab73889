package extract

import (
	"sort"
	"strings"
)

// Keyword extraction limits.
const (
	maxKeywords = 8
	minKeywords = 5
)

// Keywords returns up to 8 key phrases of text (lowercased unigrams and
// bigrams without English or Russian function words), best first. A
// phrase scores its frequency weighted by how early it first appears;
// phrases in the title count extra, bigrams must occur twice, and a word
// is dropped when a chosen bigram already covers it. For Chinese, pairs of
// Han characters stand in for words.
func Keywords(title, text string) []string {
	toks := tokenize(text)
	if len(toks) == 0 {
		return nil
	}
	inTitle := map[string]bool{}
	titleToks := tokenize(title)
	for i, t := range titleToks {
		inTitle[t.lower] = true
		if i > 0 && adjacent(title, titleToks[i-1], t) {
			inTitle[titleToks[i-1].lower+" "+t.lower] = true
		}
	}

	type cand struct {
		phrase string
		count  int
		first  int
		bigram bool
		han    bool
	}
	cands := map[string]*cand{}
	add := func(p string, pos int, bigram, han bool) {
		c := cands[p]
		if c == nil {
			c = &cand{phrase: p, first: pos, bigram: bigram, han: han}
			cands[p] = c
		}
		c.count++
	}
	good := func(t token) bool {
		if t.script == scriptHan {
			return false
		}
		// Two letters are enough for a name ("Xi", "EU").
		n := runeCount(t.lower)
		return (n >= 3 || (n == 2 && isCapitalized(t.text))) && !isNumber(t.lower) && !isStopword(t.lower)
	}
	for i, t := range toks {
		if t.script == scriptHan {
			if i > 0 && toks[i-1].script == scriptHan && toks[i-1].end == t.start {
				add(toks[i-1].lower+t.lower, i, false, true)
			}
			continue
		}
		if !good(t) {
			continue
		}
		add(t.lower, i, false, false)
		if i > 0 && good(toks[i-1]) && adjacent(text, toks[i-1], t) {
			add(toks[i-1].lower+" "+t.lower, i-1, true, false)
		}
	}

	n := float64(len(toks))
	type scored struct {
		c     *cand
		score float64
	}
	list := make([]scored, 0, len(cands))
	for _, c := range cands {
		// Bigrams, and pairs of Han characters, must recur to mean anything.
		if (c.bigram || c.han) && c.count < 2 && !inTitle[c.phrase] {
			continue
		}
		s := float64(c.count) * (1 + 0.5*(1-float64(c.first)/n))
		if c.bigram {
			s *= 1.5
		}
		if inTitle[c.phrase] {
			s += 2
		}
		list = append(list, scored{c, s})
	}
	sort.Slice(list, func(i, j int) bool {
		if list[i].score != list[j].score {
			return list[i].score > list[j].score
		}
		return list[i].c.phrase < list[j].c.phrase
	})

	var out []string
	covered := map[string]int{} // word -> count inside chosen bigrams
	for _, s := range list {
		if len(out) == maxKeywords {
			break
		}
		// After the minimum, stop at phrases seen once: they are noise.
		if len(out) >= minKeywords && s.c.count < 2 {
			break
		}
		if !s.c.bigram {
			if covered[s.c.phrase]*2 >= s.c.count {
				continue
			}
		} else {
			for _, w := range strings.Fields(s.c.phrase) {
				covered[w] += s.c.count
			}
			// Drop words chosen before that this bigram now covers.
			kept := out[:0]
			for _, o := range out {
				if c := cands[o]; c != nil && !c.bigram && covered[o]*2 >= c.count {
					continue
				}
				kept = append(kept, o)
			}
			out = kept
		}
		out = append(out, s.c.phrase)
	}
	return out
}

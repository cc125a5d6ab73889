package extract

import (
	"math"
	"sort"
)

// Relevance tuning. A keyword of weight w hit h times in the body and t
// times in the title adds w·log2(1 + h + titleBoost·t); the sum s becomes
// 1 − exp(−s/keywordScale), so the first hits count most. Cosine
// similarity to the closest exemplar is divided by cosineFull (a cosine of
// cosineFull or more is a full match). Both present, they combine as a
// noisy OR, 1 − (1 − keywords)·(1 − exemplarShare·exemplars): exemplars
// only add, so an article in another language than the exemplars is
// judged by its keywords alone, and exemplar likeness alone is worth at
// most exemplarShare.
const (
	titleBoost    = 3
	keywordScale  = 3.0
	cosineFull    = 0.4
	exemplarShare = 0.6
	minTermLength = 2
)

// phrase is a topic keyword, split as the text will be.
type phrase struct {
	toks   []token
	weight float64
}

// vector is a sparse term-weight vector with its norm.
type vector struct {
	w    map[string]float64
	norm float64
}

// scorer computes topic relevance. It is built once from the topic and is
// safe for concurrent use.
type scorer struct {
	phrases   []phrase
	idf       map[string]float64
	defIDF    float64
	exemplars []vector
}

func newScorer(t Topic, exemplars []string) *scorer {
	s := &scorer{}
	keys := make([]string, 0, len(t.Keywords))
	for k := range t.Keywords {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		toks := tokenize(k)
		if len(toks) == 0 || t.Keywords[k] <= 0 {
			continue
		}
		s.phrases = append(s.phrases, phrase{toks: toks, weight: t.Keywords[k]})
	}
	// Document frequency over the exemplars, smoothed: with a handful of
	// documents IDF mostly damps words every exemplar shares.
	tfs := make([]map[string]float64, 0, len(exemplars))
	df := map[string]int{}
	for _, ex := range exemplars {
		tf := termFreq(ex)
		if len(tf) == 0 {
			continue
		}
		tfs = append(tfs, tf)
		for w := range tf {
			df[w]++
		}
	}
	n := float64(len(tfs))
	s.idf = make(map[string]float64, len(df))
	for w, d := range df {
		s.idf[w] = math.Log((n+1)/(float64(d)+1)) + 1
	}
	s.defIDF = math.Log(n+1) + 1
	for _, tf := range tfs {
		s.exemplars = append(s.exemplars, s.vectorize(tf))
	}
	return s
}

// termFreq counts the stemmed content words of text.
func termFreq(text string) map[string]float64 {
	tf := map[string]float64{}
	for _, t := range tokenize(text) {
		if isStopword(t.lower) || isNumber(t.lower) {
			continue
		}
		if t.script != scriptHan && runeCount(t.lower) < minTermLength {
			continue
		}
		tf[stem(t)]++
	}
	return tf
}

func (s *scorer) vectorize(tf map[string]float64) vector {
	v := vector{w: make(map[string]float64, len(tf))}
	for w, c := range tf {
		idf, ok := s.idf[w]
		if !ok {
			idf = s.defIDF
		}
		x := (1 + math.Log(c)) * idf
		v.w[w] = x
		v.norm += x * x
	}
	v.norm = math.Sqrt(v.norm)
	return v
}

func cosine(a, b vector) float64 {
	if a.norm == 0 || b.norm == 0 {
		return 0
	}
	if len(a.w) > len(b.w) {
		a, b = b, a
	}
	dot := 0.0
	for w, x := range a.w {
		dot += x * b.w[w]
	}
	return dot / (a.norm * b.norm)
}

// relevance returns the topic relevance of an article in [0, 1]. A topic
// with neither keywords nor exemplars makes everything 0.
func (s *scorer) relevance(title, text string) float64 {
	hasKW, hasEx := len(s.phrases) > 0, len(s.exemplars) > 0
	var kw, ex float64
	if hasKW {
		kw = s.keywordScore(title, text)
	}
	if hasEx {
		ex = s.exemplarScore(title + "\n" + text)
	}
	var r float64
	switch {
	case hasKW && hasEx:
		r = 1 - (1-kw)*(1-exemplarShare*ex)
	case hasKW:
		r = kw
	case hasEx:
		r = ex
	}
	return math.Max(0, math.Min(1, r))
}

func (s *scorer) keywordScore(title, text string) float64 {
	body, head := tokenize(text), tokenize(title)
	sum := 0.0
	for _, p := range s.phrases {
		h, t := countPhrase(body, p.toks), countPhrase(head, p.toks)
		if h+t == 0 {
			continue
		}
		sum += p.weight * math.Log2(1+float64(h)+titleBoost*float64(t))
	}
	return 1 - math.Exp(-sum/keywordScale)
}

func (s *scorer) exemplarScore(text string) float64 {
	v := s.vectorize(termFreq(text))
	best := 0.0
	for _, e := range s.exemplars {
		best = math.Max(best, cosine(v, e))
	}
	return math.Min(1, best/cosineFull)
}

// countPhrase counts the occurrences of the token sequence p in toks,
// ignoring case; Cyrillic words also match with a case ending of up to
// Russian case ending ("путин" matches "Путина", "россия" "России").
func countPhrase(toks, p []token) int {
	if len(p) == 0 {
		return 0
	}
	n := 0
	for i := 0; i+len(p) <= len(toks); i++ {
		ok := true
		for j, pt := range p {
			if !wordMatches(toks[i+j], pt) {
				ok = false
				break
			}
		}
		if ok {
			n++
			i += len(p) - 1
		}
	}
	return n
}

func wordMatches(t, p token) bool {
	if t.lower == p.lower {
		return true
	}
	if p.script != scriptCyrillic || t.script != scriptCyrillic {
		return false
	}
	s := cyrillicStem(p.lower)
	if s == p.lower && runeCount(s) < 4 {
		return false // too short to inflect safely ("си")
	}
	return hasCaseEnding(t.lower, s)
}

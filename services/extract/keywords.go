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

// Keywords returns up to 8 key phrases of text, lower case, best first:
// words, pairs of words and "X of Y" phrases ("power of siberia") without
// English or Russian function words at their ends. A phrase scores its
// frequency weighted by how early it first appears; phrases in the title
// count extra, and phrases of several words must occur twice. What says
// little about one story is left out on its own, though kept inside a
// phrase: news-wide words ("president", "countries", "key"), nationality
// adjectives ("russian"), past forms and adverbs ("travelled",
// "largely"). A word of one of names, the people the text names, stands
// for the whole name ("mitrova" is "tatiana mitrova"), and a word is
// dropped when a chosen phrase already covers it. For Chinese, pairs of
// Han characters stand in for words.
func Keywords(title, text string, names ...string) []string {
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
		words  int // words in the phrase
		han    bool
		upper  int // times written capitalised
	}
	cands := map[string]*cand{}
	add := func(p string, pos, words int, han, upper bool) {
		c := cands[p]
		if c == nil {
			c = &cand{phrase: p, first: pos, words: words, han: han}
			cands[p] = c
		}
		c.count++
		if upper {
			c.upper++
		}
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
			if pair, ok := hanPair(toks, i-1); ok {
				add(pair, i, 1, true, false)
			}
			continue
		}
		if !good(t) {
			continue
		}
		add(t.lower, i, 1, false, isCapitalized(t.text))
		if i == 0 || !adjacent(text, toks[i-1], t) {
			continue
		}
		prev := toks[i-1]
		if good(prev) && !keywordTitles[prev.lower] {
			add(prev.lower+" "+t.lower, i-1, 2, false, isCapitalized(prev.text) && isCapitalized(t.text))
		}
		if i >= 2 && prev.lower == "of" && good(toks[i-2]) && adjacent(text, toks[i-2], prev) {
			add(toks[i-2].lower+" of "+t.lower, i-2, 3, false, false)
		}
	}

	// A word of a person's name alone stands for the name ("mitrova" is
	// "tatiana mitrova"), unless two of the names share it.
	fullName := map[string]string{}
	for _, name := range names {
		ws := strings.Fields(strings.ToLower(name))
		if len(ws) < 2 {
			continue
		}
		full := strings.Join(ws, " ")
		for _, w := range ws {
			if f, seen := fullName[w]; seen && f != full {
				fullName[w] = ""
			} else {
				fullName[w] = full
			}
		}
	}

	n := float64(len(toks))
	type scored struct {
		c     *cand
		score float64
	}
	list := make([]scored, 0, len(cands))
	for _, c := range cands {
		// Phrases, and pairs of Han characters, must recur to mean anything.
		if (c.words > 1 || c.han) && c.count < 2 && !inTitle[c.phrase] {
			continue
		}
		if c.words == 1 && !c.han && !keywordAlone(c.phrase, c.upper == c.count) {
			continue
		}
		if c.words > 1 && !keywordEnd(c.phrase[strings.LastIndexByte(c.phrase, ' ')+1:]) {
			continue
		}
		s := float64(c.count) * (1 + 0.5*(1-float64(c.first)/n))
		if c.words > 1 {
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
	chosen := map[string]bool{}
	covered := map[string]int{} // word -> count inside chosen phrases
	for _, s := range list {
		if len(out) == maxKeywords {
			break
		}
		// After the minimum, stop at phrases seen once: they are noise.
		if len(out) >= minKeywords && s.c.count < 2 {
			break
		}
		phrase := s.c.phrase
		if s.c.words == 1 {
			if covered[phrase]*2 >= s.c.count {
				continue
			}
			if full := fullName[phrase]; full != "" {
				phrase = full
			}
		}
		if chosen[phrase] {
			continue
		}
		if words := strings.Fields(phrase); len(words) > 1 {
			for _, w := range words {
				covered[w] += s.c.count
			}
			// Drop words chosen before that this phrase now covers.
			kept := out[:0]
			for _, o := range out {
				if c := cands[o]; c != nil && c.words == 1 && covered[o]*2 >= c.count {
					delete(chosen, o)
					continue
				}
				kept = append(kept, o)
			}
			out = kept
		}
		chosen[phrase] = true
		out = append(out, phrase)
	}
	return out
}

// keywordAlone reports whether word w (lower case) says enough about a
// story to be a key phrase on its own; capitalized is whether the text
// always writes it so, as a name. Adverbs ("largely"), past forms and
// Russian adjectives are not.
func keywordAlone(w string, capitalized bool) bool {
	if keywordGeneric[w] || keywordNationality[w] || keywordTitles[w] {
		return false
	}
	if capitalized {
		return true
	}
	if len(w) > 4 && strings.HasSuffix(w, "ly") || !keywordEnd(w) {
		return false
	}
	for _, e := range russianAdjectiveEndings {
		if strings.HasSuffix(w, e) && runeCount(w) >= 5 {
			return false
		}
	}
	return true
}

// russianAdjectiveEndings end Russian adjectives and no nouns
// ("государственным"): alone, an adjective is no key phrase.
var russianAdjectiveEndings = []string{"ый", "ым", "ых", "ыми", "ими", "ого", "его", "ому"}

// keywordEnd reports whether w may end a key phrase: not a past form
// ("travelled", "agreed"; Russian "прибыл", "заявила"), which ends a
// clause rather than a name of something ("speed" and "greed" are nouns).
func keywordEnd(w string) bool {
	if len(w) > 4 && strings.HasSuffix(w, "ed") {
		return len(w) == 5 && strings.HasSuffix(w, "eed")
	}
	if runeCount(w) >= 5 {
		for _, e := range russianPastEndings {
			if strings.HasSuffix(w, e) {
				return false
			}
		}
	}
	return true
}

// russianPastEndings end Russian verbs' past forms ("-ел", "-ели" and
// "-али" left out: "недели", "детали").
var russianPastEndings = []string{"ал", "ял", "ил", "ыл", "ала", "яла", "ила", "ыла", "ела", "ило", "ало", "или", "яли", "ыли"}

// keywordTitles are titles that start no key phrase: "president xi" is
// the name.
var keywordTitles = lowerSet(personTitles)

// keywordNationality holds nationality adjectives in lower case.
var keywordNationality = lowerSet(fieldSet(demonymsTXT))

// keywordGeneric are words found in news on any subject: alone they are
// not what a story is about ("visit", "countries"); inside a phrase they
// are ("state visit").
var keywordGeneric = wordSet(`president presidents minister ministers prime premier leader leaders official officials
	spokesman spokeswoman spokesperson chief head government governments state states country countries nation nations
	world people public party parties side sides group groups part parts number numbers level levels way ways
	percent cent month months today yesterday tomorrow morning evening night weekend hour hours minute minutes
	time times period end start beginning week weeks area areas region regions report reports news statement
	issue issues matter thing things lot case cases point fact place places
	good bad new old big large small high low long short key major main important former current recent next
	last first second third other another several various different certain likely possible whole full
	great strong clear close further early late able own real true top best better worse
	called calls call make makes making take takes taking give gives giving get gets getting come comes coming
	goes going went see sees seen know knows want wants look looks seem seems set sets put puts use uses
	include includes including added adding tell tells telling ask asks asking expect expects say saying speak
	speaks whether although though because meanwhile also already again
	hundred hundreds thousand thousands million millions billion billions trillion dozen dozens
	fell rose grew began became brought thought took came held met gave made paid sent spent won lost
	президент президента президенту президентом министр министра глава главы главой лидер лидера лидеров
	страна страны стран странами странам государство государства правительство правительства сторона стороны
	сторон мир мира мире люди людей время года лет неделе месяц месяца сегодня вчера завтра также`)

// lowerSet returns the lower-case forms of a word set's words.
func lowerSet(set map[string]bool) map[string]bool {
	m := make(map[string]bool, len(set))
	for w := range set {
		m[strings.ToLower(w)] = true
	}
	return m
}

package extract

import (
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// sentence is a span of the text.
type sentence struct {
	text       string
	start, end int // byte offsets in the text
}

// abbreviations end with a period that does not end a sentence
// (lowercased, without the period).
var abbreviations = wordSet(`mr mrs ms dr prof st jr sr gen col lt sgt capt cmdr adm gov sen rep rev hon
	pres inc corp ltd co vs etc e.g i.e u.s u.k u.n e.u a.m p.m no nos jan feb mar apr jun jul aug sep sept
	oct nov dec fig approx dept est mt ft op vol г гг т.е т.д им ул`)

// Sentences splits text into sentences. Line breaks always end one; ".",
// "!", "?" and "…" end one when followed by a space and an upper-case
// letter, a digit or a quote, except after abbreviations ("Mr.", "U.S.")
// and initials ("J."); "3.5" never splits. Chinese "。！？" always end one.
func Sentences(text string) []sentence {
	var out []sentence
	start := 0
	emit := func(end int) {
		s := strings.TrimSpace(text[start:end])
		if s != "" {
			lead := strings.Index(text[start:end], s)
			out = append(out, sentence{text: s, start: start + lead, end: start + lead + len(s)})
		}
		start = end
	}
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		next := i + size
		switch r {
		case '\n':
			emit(next)
		case '。', '！', '？':
			// Take closing quotes with the sentence.
			for next < len(text) {
				q, qs := utf8.DecodeRuneInString(text[next:])
				if !isCloseQuote(q) {
					break
				}
				next += qs
			}
			emit(next)
		case '.', '!', '?', '…':
			end := next
			for end < len(text) {
				q, qs := utf8.DecodeRuneInString(text[end:])
				if !isCloseQuote(q) && q != ')' && q != '.' && q != '!' && q != '?' {
					break
				}
				end += qs
			}
			if end < len(text) && !breaksAfter(text, i, end, r) {
				break
			}
			i = end
			emit(end)
			continue
		}
		i = next
	}
	emit(len(text))
	return out
}

func isCloseQuote(r rune) bool {
	return r == '"' || r == '\'' || r == '”' || r == '’' || r == '»' || r == '」' || r == '』'
}

// breaksAfter decides whether the punctuation r at text[i] (its sentence
// closing through text[end]) ends a sentence.
func breaksAfter(text string, i, end int, r rune) bool {
	sp, ss := utf8.DecodeRuneInString(text[end:])
	if !unicode.IsSpace(sp) {
		return false
	}
	rest := strings.TrimLeftFunc(text[end+ss:], unicode.IsSpace)
	nr, _ := utf8.DecodeRuneInString(rest)
	if !(unicode.IsUpper(nr) || unicode.IsDigit(nr) || nr == '"' || nr == '“' || nr == '«' || nr == '\'' || nr == '(' || unicode.Is(unicode.Han, nr)) {
		return false
	}
	if r != '.' || end != i+1 {
		return true
	}
	// The word before the period: an abbreviation or an initial?
	j := i
	for j > 0 {
		pr, ps := utf8.DecodeLastRuneInString(text[:j])
		if unicode.IsSpace(pr) || pr == '(' || pr == '"' || pr == '“' {
			break
		}
		j -= ps
	}
	word := strings.ToLower(text[j:i])
	if abbreviations[word] {
		return false
	}
	if runeCount(word) == 1 && unicode.IsUpper([]rune(text[j:i])[0]) {
		return false
	}
	return true
}

// summarySentences and summaryChars bound the summary: three sentences,
// or two when three would run longer than summaryChars.
const (
	summarySentences = 3
	summaryChars     = 500
)

// Summary returns 2–3 sentences of text, in their original order, picked
// by position (the lead matters most in news), the keywords they contain
// and the words they share with the title. Fragments (under 6 words, or
// 12 Han characters) and run-ons (over 80 words) are not picked.
func Summary(title, text string, keywords []string) string {
	sents := Sentences(text)
	if len(sents) == 0 {
		return ""
	}
	titleWords := map[string]bool{}
	for _, t := range tokenize(title) {
		if !isStopword(t.lower) && t.script != scriptHan {
			titleWords[stem(t)] = true
		}
	}
	type scored struct {
		i     int
		score float64
	}
	var list []scored
	for i, s := range sents {
		toks := tokenize(s.text)
		n := len(toks) // the sentence's word count
		han := len(toks) > 0 && toks[0].script == scriptHan
		if (han && n < 12) || (!han && n < 6) || n > 80 {
			continue
		}
		if strings.EqualFold(s.text, strings.TrimSpace(title)) {
			continue
		}
		// A line without closing punctuation is a heading or a caption.
		if r, _ := utf8.DecodeLastRuneInString(s.text); n < 20 && !strings.ContainsRune(".!?。！？\"”»…)", r) {
			continue
		}
		kw := 0.0
		for _, k := range keywords {
			if containsKeyword(toks, k) {
				kw++
			}
		}
		if len(keywords) > 0 {
			kw /= float64(len(keywords))
		}
		tw, content := 0.0, 0.0
		for _, t := range toks {
			if isStopword(t.lower) {
				continue
			}
			content++
			if titleWords[stem(t)] {
				tw++
			}
		}
		if len(titleWords) > 0 && content > 0 {
			tw /= float64(len(titleWords))
		}
		pos := 1 / (1 + 0.3*float64(i))
		list = append(list, scored{i, pos + 1.2*kw + 0.8*tw})
	}
	if len(list) == 0 {
		// No sentence fits the bounds: fall back to the first one, cut.
		return cutRunes(sents[0].text, summaryChars)
	}
	sort.SliceStable(list, func(a, b int) bool { return list[a].score > list[b].score })
	if len(list) > summarySentences {
		list = list[:summarySentences]
	}
	total := 0
	for _, s := range list {
		total += len(sents[s.i].text)
	}
	if len(list) == summarySentences && total > summaryChars {
		list = list[:summarySentences-1]
	}
	sort.Slice(list, func(a, b int) bool { return list[a].i < list[b].i })
	parts := make([]string, len(list))
	sep := " "
	for k, s := range list {
		parts[k] = sents[s.i].text
		if r, _ := utf8.DecodeLastRuneInString(parts[k]); unicode.Is(unicode.Han, r) || r == '。' {
			sep = ""
		}
	}
	return strings.Join(parts, sep)
}

// cutRunes shortens s to at most n runes, ending with "…" when cut.
func cutRunes(s string, n int) string {
	if runeCount(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n-1])) + "…"
}

// WordCount counts the words of text; each Han character counts as one.
func WordCount(text string) int {
	return len(tokenize(text))
}

// containsKeyword reports whether toks hold key phrase k or, for a
// phrase of several words, one of its words other than function words:
// a sentence that says "Putin" speaks of "vladimir putin". A phrase of
// Han characters is a pair of them side by side (see hanPair).
func containsKeyword(toks []token, k string) bool {
	words := strings.Fields(k)
	for i, t := range toks {
		if t.script == scriptHan {
			if pair, ok := hanPair(toks, i); ok && pair == k {
				return true
			}
			continue
		}
		for _, w := range words {
			if t.lower == w && (len(words) == 1 || !isStopword(w)) {
				return true
			}
		}
	}
	return false
}

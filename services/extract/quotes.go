package extract

import (
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/newsflow/newsflow/proto"
)

// Quote bounds: shorter quotations are titles or scare quotes
// ("“unlimited friendship”"), longer ones are unbalanced marks.
const (
	minQuoteWords = 4
	maxQuoteBytes = 1500
	maxQuotes     = 100
	// speakerWindow is how far from a quotation its speaker is looked for.
	speakerWindow = 160
	// pronounReach is how many mentions back "he said" looks for a person.
	pronounReach = 50
)

// quoteMarks pairs opening and closing quotation marks.
var quoteMarks = []struct{ open, close string }{
	{"“", "”"}, {"«", "»"}, {"„", "“"}, {"「", "」"}, {`"`, `"`},
}

// Speech words in languages other than English, and "according to".
var speechWordsOther = wordSet(`заявил заявила сказал сказала отметил отметила добавил добавила подчеркнул
	подчеркнула сообщил сообщила пояснил пояснила словам заявив 说 表示 称 指出 强调 说道 透露`)

var pronouns = wordSet(`he she он она`)

// Quotes finds direct quotations in text and attributes each to a speaker
// from the mentions (as returned by entityFinder.find): "…," X said; X
// said: "…"; said X; according to X; "he said" → the last person named
// before the quote. The speaker is the canonical entity name, or "" when
// none is found.
func Quotes(text string, ms []mention) []proto.Quote {
	var out []proto.Quote
	lastEnd := 0
	marks := newOpeners(text)
	for i := 0; i < len(text); {
		open, close, ok := marks.at(i)
		if !ok {
			break
		}
		qs := open + len(close.open)
		window := text[qs:min(len(text), qs+maxQuoteBytes)]
		rel := closingMark(window, close.open, close.close)
		if rel < 0 {
			i = qs // unbalanced: go on after the opening mark
			continue
		}
		qe := qs + rel
		i = qe + len(close.close)
		body := strings.TrimRight(strings.TrimSpace(text[qs:qe]), ",;: ")
		if strings.Contains(body, "\n\n") || WordCount(body) < minQuoteWords {
			continue
		}
		who := speaker(text, ms, open, i)
		// A quotation that goes on right after an attributed one, in the
		// same paragraph ("“…,” Blinken said. “…”"), is the same speaker's.
		if who == "" && len(out) > 0 && !strings.Contains(text[lastEnd:open], "\n") && len(text[lastEnd:open]) < speakerWindow {
			who = out[len(out)-1].Speaker
		}
		if who == "" && (titleCased(body) || afterNamingWord(text[:open])) {
			continue // “One Belt, One Road”; an article entitled “…”: a name or a title, not words spoken
		}
		lastEnd = i
		out = append(out, proto.Quote{Text: body, Speaker: who})
		if len(out) == maxQuotes {
			break
		}
	}
	return out
}

// closingMark returns where in s the quotation opened just before it
// closes, or -1. Marks that differ for opening and closing nest
// (“… “friendship” …”); a straight quote, or a curly one whose nesting
// never closes (a stray opening mark), closes at the next closing mark.
func closingMark(s, open, close string) int {
	first := strings.Index(s, close)
	if open == close || first < 0 {
		return first
	}
	depth := 0
	for i := 0; i < len(s); {
		switch {
		case strings.HasPrefix(s[i:], close):
			if depth == 0 {
				return i
			}
			depth--
			i += len(close)
		case strings.HasPrefix(s[i:], open):
			depth++
			i += len(open)
		default:
			i++
		}
	}
	return first
}

// namingWords introduce a name or a title rather than words spoken: an
// article "entitled “…”", a plan "dubbed “…”". Chinese ones end the run of
// characters before the mark (题为“…”).
var (
	namingWords    = wordSet(`entitled titled headlined headline dubbed named called slogan motto названием озаглавленный озаглавленную озаглавленной`)
	namingWordsHan = []string{"题为", "名为", "称为"}
)

// afterNamingWord reports whether before (the text up to a quotation's
// opening mark) ends with a naming word, a comma or colon allowed after it.
func afterNamingWord(before string) bool {
	before = strings.TrimRight(before, " ,:\u00a0")
	for _, w := range namingWordsHan {
		if strings.HasSuffix(before, w) {
			return true
		}
	}
	w := before
	if i := strings.LastIndexFunc(before, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsPunct(r) }); i >= 0 {
		_, size := utf8.DecodeRuneInString(before[i:])
		w = before[i+size:]
	}
	return namingWords[strings.ToLower(w)]
}

// maxTitleWords bounds a quoted name or title: every word capitalised,
// no more than this many.
const maxTitleWords = 10

// titleCased reports whether every word of s that has a letter starts
// with a capital and there are few of them: a quoted name or title
// ("One Belt – One Way", "Made in China 2025"), not a quotation.
func titleCased(s string) bool {
	n := 0
	for _, w := range strings.Fields(s) {
		r := firstLetter(w)
		if r == 0 {
			continue
		}
		if !unicode.IsUpper(r) && !titleSmallWords[w] {
			return false
		}
		n++
	}
	return n > 0 && n <= maxTitleWords
}

// titleSmallWords stay lower case inside a title.
var titleSmallWords = wordSet(`a an the of in on at to for and or but by with from as vs via de la du der von`)

// firstLetter returns the first letter of w, or 0.
func firstLetter(w string) rune {
	for _, r := range w {
		if unicode.IsLetter(r) {
			return r
		}
	}
	return 0
}

// openers finds opening quotation marks in text, in order. It remembers
// where each mark next occurs, so a scan over the text stays linear.
type openers struct {
	text string
	next []int // per quoteMarks entry: next position, -2 = unknown, -1 = none
}

func newOpeners(text string) *openers {
	o := &openers{text: text, next: make([]int, len(quoteMarks))}
	for k := range o.next {
		o.next[k] = -2
	}
	return o
}

// at returns the first opening mark at or after i.
func (o *openers) at(i int) (int, struct{ open, close string }, bool) {
	best := -1
	var mark struct{ open, close string }
	for k, m := range quoteMarks {
		if o.next[k] == -2 || (o.next[k] >= 0 && o.next[k] < i) {
			o.next[k] = -1
			if j := strings.Index(o.text[i:], m.open); j >= 0 {
				o.next[k] = i + j
			}
		}
		if n := o.next[k]; n >= 0 && (best < 0 || n < best) {
			best, mark = n, m
		}
	}
	return best, mark, best >= 0
}

// speaker attributes the quotation text[start:end] (marks included).
func speaker(text string, ms []mention, start, end int) string {
	// After: "…," Putin said. / "…," said Putin. / "…," he said.
	after := text[end:min(len(text), end+speakerWindow)]
	if k := strings.IndexAny(after, "\n“«\""); k >= 0 {
		after = after[:k]
	}
	if k := strings.Index(after, "。"); k >= 0 {
		after = after[:k]
	}
	// What ends in a colon introduces the next quotation, not this one:
	// only the sentence before it can ("“…,” he said. Blinken said: “…”";
	// "……”习近平说：“……" has none).
	// Without a sentence between them, a clause can ("“…,” Putin said,
	// adding: “…”").
	if t := strings.TrimSpace(after); strings.HasSuffix(t, ":") || strings.HasSuffix(t, "：") {
		k := strings.LastIndex(after, ". ")
		if k < 0 {
			k = strings.LastIndex(after, ", ")
		}
		after = after[:max(k, 0)]
	}
	if s, ok := speakerIn(text, ms, end, end+len(after), start, true); ok {
		return s
	}
	// Before: Putin said: "…" / according to Putin, "…".
	from := max(0, start-speakerWindow)
	before := text[from:start]
	if k := strings.LastIndexAny(before, "\n”»"); k >= 0 {
		from += k + 1
	}
	if k := strings.LastIndex(text[from:start], ". "); k >= 0 {
		from += k + 2
	}
	if k := strings.LastIndex(text[from:start], "。"); k >= 0 {
		from += k + len("。")
	}
	if s, ok := speakerIn(text, ms, from, start, start, false); ok {
		return s
	}
	// Reported speech, then the words themselves: "Putin noted that
	// the talks went well. Our countries are “…”". Only when nothing
	// around the quotation says who speaks, and only the sentence just
	// before it in the same paragraph.
	if hasSpeechVerb(after) || hasSpeechVerb(text[from:start]) {
		return ""
	}
	prevEnd := strings.LastIndex(text[:from], ". ")
	if prevEnd < 0 || from-prevEnd > 4 || strings.TrimSpace(text[prevEnd+1:from]) != "" || strings.Contains(text[prevEnd:from], "\n") {
		return ""
	}
	prevStart := max(0, prevEnd-2*speakerWindow)
	if k := strings.LastIndexAny(text[prevStart:prevEnd], "\n“”«»\""); k >= 0 {
		prevStart += k + 1
	}
	if k := strings.LastIndex(text[prevStart:prevEnd], ". "); k >= 0 {
		prevStart += k + 2
	}
	s, _ := speakerIn(text, ms, prevStart, prevEnd, start, false)
	return s
}

// hasSpeechVerb reports whether s holds a speech verb ("said", "noted",
// "表示"; "according to" is not one here).
func hasSpeechVerb(s string) bool {
	toks := tokenize(s)
	for i := range toks {
		if speechAt(toks, i) {
			return true
		}
	}
	return false
}

// speechAt reports whether a speech verb starts at toks[i]: a word, or
// two Han characters ("表示"), which come a token each.
func speechAt(toks []token, i int) bool {
	t := toks[i]
	if speechVerbs[t.lower] || speechWordsOther[t.lower] {
		return true
	}
	pair, ok := hanPair(toks, i)
	return ok && speechWordsOther[pair]
}

// speakerIn looks at text[a:b] next to a quotation starting at qStart. If
// it holds a speech verb, the speaker is the named person or organisation
// there (the first after a quotation, the last before one), or, for a
// pronoun, the last person named before the quotation.
func speakerIn(text string, ms []mention, a, b, qStart int, after bool) (string, bool) {
	if a >= b {
		return "", false
	}
	toks := tokenize(text[a:b])
	if after && len(toks) > 8 {
		toks = toks[:8] // "…," Putin said — the verb is close
	}
	verb, pronoun := false, false
	for i, t := range toks {
		if speechAt(toks, i) || t.lower == "according" && i+1 < len(toks) && toks[i+1].lower == "to" {
			verb = true
		}
		if pronouns[t.lower] {
			pronoun = true
		}
	}
	if t := strings.TrimSpace(text[a:b]); !verb && !((strings.HasSuffix(t, ":") || strings.HasSuffix(t, "：")) && !after) {
		return "", false
	}
	limit := b
	if after && len(toks) > 0 {
		limit = a + toks[len(toks)-1].end
	}
	// ms is in text order: find the mentions inside [a, limit]. A person
	// is preferred to an organisation ("Arsenal manager Mikel Arteta").
	var person, org *mention
	for i := sort.Search(len(ms), func(i int) bool { return ms[i].start >= a }); i < len(ms) && ms[i].start < limit; i++ {
		m := &ms[i]
		if m.end > limit {
			continue
		}
		switch {
		case m.typ == TypePerson && (person == nil || !after):
			person = m
		case m.typ == TypeOrg && (org == nil || !after):
			org = m
		}
	}
	if person != nil {
		return person.name, true
	}
	if org != nil {
		return org.name, true
	}
	if pronoun {
		// The last person named before the quotation, within reach.
		i := sort.Search(len(ms), func(i int) bool { return ms[i].end > qStart }) - 1
		for n := 0; i >= 0 && n < pronounReach; i, n = i-1, n+1 {
			if ms[i].typ == TypePerson {
				return ms[i].name, true
			}
		}
	}
	return "", false
}

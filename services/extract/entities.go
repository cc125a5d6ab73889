package extract

import (
	"bufio"
	_ "embed"
	"fmt"
	"sort"
	"strings"
	"unicode"

	"github.com/newsflow/newsflow/proto"
)

// Entity types.
const (
	TypePerson = "person"
	TypeOrg    = "org"
	TypePlace  = "place"
)

//go:embed data/aliases.tsv
var aliasesTSV string

// mention is one place an entity is named in a text.
type mention struct {
	name, typ  string
	start, end int // byte offsets
}

// alias is one way of writing an entity, split into words.
type alias struct {
	words []token
	name  string
	typ   string
}

// gazetteer finds the curated entities of data/aliases.tsv in a text.
type gazetteer struct {
	// byKey indexes aliases by the key of their first word, longest
	// alias first.
	byKey map[string][]*alias
}

// parseGazetteer reads the alias table: "canonical<TAB>type<TAB>a|b|c".
func parseGazetteer(tsv string) (*gazetteer, error) {
	g := &gazetteer{byKey: map[string][]*alias{}}
	sc := bufio.NewScanner(strings.NewReader(tsv))
	line := 0
	for sc.Scan() {
		line++
		l := strings.TrimSpace(sc.Text())
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		f := strings.Split(l, "\t")
		if len(f) < 2 {
			return nil, fmt.Errorf("aliases line %d: want name, type, aliases", line)
		}
		name, typ := strings.TrimSpace(f[0]), strings.TrimSpace(f[1])
		if typ != TypePerson && typ != TypeOrg && typ != TypePlace {
			return nil, fmt.Errorf("aliases line %d: unknown type %q", line, typ)
		}
		forms := []string{name}
		if len(f) > 2 {
			forms = append(forms, strings.Split(f[2], "|")...)
		}
		seen := map[string]bool{}
		for _, form := range forms {
			form = strings.TrimSpace(form)
			if form == "" || seen[form] {
				continue
			}
			seen[form] = true
			words := tokenize(form)
			if len(words) == 0 {
				continue
			}
			k := wordKey(words[0].text)
			g.byKey[k] = append(g.byKey[k], &alias{words: words, name: name, typ: typ})
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("aliases: %w", err)
	}
	for _, list := range g.byKey {
		sort.SliceStable(list, func(i, j int) bool { return len(list[i].words) > len(list[j].words) })
	}
	return g, nil
}

// wordKey is the bucket of a word: its first two letters.
func wordKey(w string) string {
	r := []rune(w)
	if len(r) > 2 {
		r = r[:2]
	}
	return string(r)
}

// cyrillicStem cuts a Cyrillic alias word to the part its case forms
// share: "Россия" → "Росси", "Зеленский" → "Зеленск". Words under four
// letters ("Си", "РФ") only match as written.
func cyrillicStem(w string) string {
	r := []rune(w)
	if len(r) < 4 || !unicode.Is(unicode.Cyrillic, r[0]) {
		return w
	}
	lw := strings.ToLower(w)
	for _, end := range []string{"ий", "ый", "ой", "ая", "ое", "ые"} {
		if strings.HasSuffix(lw, end) {
			return string(r[:len(r)-2])
		}
	}
	if strings.ContainsRune("аяоеёуюыийь", unicode.ToLower(r[len(r)-1])) {
		return string(r[:len(r)-1])
	}
	return w
}

// caseEndings are Russian (and Ukrainian) noun and adjective endings.
var caseEndings = wordSet(`а я у ю е ы и і ой ей ом ем ым им ам ям ах ях ами ями ого его ому ему ых их
	ую юю ая яя ое ее ий ый ой ою єю`)

// hasCaseEnding reports whether w is stem followed by nothing or a case
// ending.
func hasCaseEnding(w, stem string) bool {
	if !strings.HasPrefix(w, stem) {
		return false
	}
	rest := w[len(stem):]
	return rest == "" || caseEndings[rest]
}

// aliasWordMatches reports whether text word t is alias word a: the same
// letters and case, or for Cyrillic the same stem and a case ending.
func aliasWordMatches(t, a token) bool {
	if t.text == a.text {
		return true
	}
	if a.script != scriptCyrillic || t.script != scriptCyrillic {
		return false
	}
	s := cyrillicStem(a.text)
	if s == a.text && runeCount(s) < 4 {
		return false
	}
	return hasCaseEnding(t.text, s)
}

// joinable reports whether the text between two words of a multiword name
// keeps them one name: spaces, a period ("U.S."), an apostrophe, a hyphen
// or a middle dot.
func joinable(s string, a, b token) bool {
	gap := s[a.end:b.start]
	if len(gap) > 4 {
		return false
	}
	return !strings.ContainsAny(gap, ",;:!?()\"“”«»\n")
}

// match returns the longest alias starting at toks[i] and its length in
// tokens.
func (g *gazetteer) match(s string, toks []token, i int) (*alias, int) {
	t := toks[i]
	candidates := g.byKey[wordKey(t.text)]
	for _, a := range candidates {
		n := len(a.words)
		if i+n > len(toks) {
			continue
		}
		ok := true
		for j, w := range a.words {
			if !aliasWordMatches(toks[i+j], w) || (j > 0 && !joinable(s, toks[i+j-1], toks[i+j])) {
				ok = false
				break
			}
		}
		if ok {
			return a, n
		}
	}
	return nil, 0
}

// Words that name a role and precede a person's name. Leading words of a
// capitalised span found here are dropped; a span that had one is a
// person.
var roleTitles = wordSet(`President Mr Mrs Ms Miss Dr Prof Professor Sir Lord Lady Dame Minister Prime
	Premier Secretary Chancellor Vice Deputy Chairman Chairwoman Chair General Gen Lt Col Colonel Sgt
	Admiral Adm Captain Capt Commander Senator Sen Rep Representative Congressman Congresswoman Governor
	Gov Mayor Ambassador Envoy Spokesman Spokeswoman Spokesperson Director CEO Chief Judge Justice King
	Queen Prince Princess Pope Patriarch Leader Foreign Defense Defence Finance Economy Trade Interior
	State Affairs Former Acting Presidential Press Senior Special Head Founder Analyst Researcher Doctor
	Russian Chinese American Ukrainian French German British Indian Japanese Korean Turkish Iranian
	Kazakh Belarusian Polish Italian Spanish European Western Israeli Palestinian Syrian Saudi US`)

// Titles that by themselves mark a person (not nationalities or "Foreign").
var personTitles = wordSet(`President Mr Mrs Ms Miss Dr Prof Professor Sir Lord Lady Dame Minister Premier
	Secretary Chancellor Chairman Chairwoman General Gen Colonel Admiral Captain Commander Senator Sen
	Congressman Congresswoman Governor Gov Mayor Ambassador Envoy Spokesman Spokeswoman Spokesperson
	Director CEO Judge King Queen Prince Princess Pope Patriarch Leader Analyst Researcher Doctor Founder`)

// Last words of an organisation's name.
var orgSuffixes = wordSet(`Inc Corp Corporation Co Ltd LLC PLC Group Holdings Company Ministry Agency
	Center Centre University College Institute Council Bank Committee Commission Party Association
	Organization Organisation Office Department Fund Forum Foundation Service Court Parliament Assembly
	Federation Union Alliance Army Navy Police Times Post Journal News Press Television TV Radio
	Network Exchange Industries Airlines Motors Energy Oil Gas`)

// First words of an organisation's name when followed by "of".
var orgPrefixes = wordSet(`Ministry University Bank Institute Department Council Office Academy Board
	Bureau Federation Union Association Organization Organisation Committee Commission Court House`)

// Speech verbs that name a speaker next to them.
var speechVerbs = wordSet(`said says told added stated noted stressed explained warned wrote argued
	asked announced declared insisted recalled claimed replied`)

// entityFinder extracts entities with the gazetteer and the capitalised
// span heuristic.
type entityFinder struct {
	g *gazetteer
}

// newEntityFinder builds the finder from the embedded data files.
func newEntityFinder() (*entityFinder, error) {
	g, err := parseGazetteer(aliasesTSV)
	if err != nil {
		return nil, fmt.Errorf("entity aliases: %w", err)
	}
	return &entityFinder{g: g}, nil
}

// find returns the entity mentions of text, in text order.
func (f *entityFinder) find(text string) []mention {
	toks := tokenize(text)
	used := make([]bool, len(toks))
	var ms []mention
	endsAt := map[int]int{} // last token of a gazetteer mention -> its index in ms
	for i := 0; i < len(toks); i++ {
		a, n := f.g.match(text, toks, i)
		if a == nil {
			continue
		}
		endsAt[i+n-1] = len(ms)
		ms = append(ms, mention{name: a.name, typ: a.typ, start: toks[i].start, end: toks[i+n-1].end})
		for j := i; j < i+n; j++ {
			used[j] = true
		}
		i += n - 1
	}

	// Capitalised spans of the words left.
	type span struct {
		name       string
		last       string
		start, end int
		typ        string
	}
	var spans []span
	for i := 0; i < len(toks); {
		if used[i] || toks[i].script != scriptLatin || !isCapitalized(toks[i].text) {
			i++
			continue
		}
		j := i + 1
		for j < len(toks) && !used[j] && toks[j].script == scriptLatin && spanGap(text, toks[j-1], toks[j]) {
			if isCapitalized(toks[j].text) {
				j++
				continue
			}
			// "of"/"for"/"and" inside an organisation's name.
			if (toks[j].lower == "of" || toks[j].lower == "for" || toks[j].lower == "and") && j+1 < len(toks) &&
				!used[j+1] && isCapitalized(toks[j+1].text) && adjacent(text, toks[j], toks[j+1]) {
				j += 2
				continue
			}
			break
		}
		words := toks[i:j]
		endTok := j
		i = j
		// Drop sentence-initial function words ("The", "In").
		for len(words) > 0 && isStopword(words[0].lower) {
			words = words[1:]
		}
		if len(words) == 0 {
			continue
		}
		spanStartIdx := endTok - len(words)
		// Words before a person's title are sentence openers ("Later Mr.
		// Korkmaz"): start at the title.
		for k := 1; k < len(words)-1; k++ {
			if personTitles[words[k].text] {
				words = words[k:]
				break
			}
		}
		spanStart := words[0].start
		titled := false
		hasPersonTitle := false
		for len(words) > 0 && (roleTitles[words[0].text] || words[0].lower == "of") {
			if words[0].lower == "of" && titled && len(words) > 2 {
				words = words[1:] // "Doctor of Sciences X": "Sciences" is part of the title
			}
			titled = true
			if personTitles[words[0].text] {
				hasPersonTitle = true
			}
			words = words[1:]
		}
		// A title right before a name from the gazetteer ("President
		// Putin") was a role, nothing more.
		if len(words) == 0 {
			continue
		}
		s := span{start: words[0].start, end: words[len(words)-1].end, last: words[len(words)-1].text}
		s.name = text[s.start:s.end]
		first, lastW := words[0].text, words[len(words)-1].text
		switch {
		case orgSuffixes[lastW] || (orgPrefixes[first] && len(words) > 2):
			si := endTok - len(words)
			if titled && !hasPersonTitle {
				// "Russian Defence Ministry": keep the adjective.
				s.start, si = spanStart, spanStartIdx
			}
			// A place named just before is part of the name ("Harbin
			// Institute of Technology"), and so is a capitalised word
			// before that ("Carnegie Russia Eurasia Center").
			if mi, ok := endsAt[si-1]; ok && ms[mi].typ == TypePlace && adjacent(text, toks[si-1], toks[si]) {
				s.start = ms[mi].start
				ms[mi].name = "" // dropped below
				if n := len(spans); n > 0 && spans[n-1].typ == "" && spans[n-1].end < s.start &&
					strings.TrimSpace(text[spans[n-1].end:s.start]) == "" {
					s.start = spans[n-1].start
					spans = spans[:n-1]
				}
			}
			s.typ = TypeOrg
		case hasPersonTitle && len(words) <= 4 && allNameWords(words):
			s.typ = TypePerson
		case len(words) >= 2 && len(words) <= 3 && allNameWords(words) && nearSpeechVerb(toks, endTok, endTok-len(words)):
			s.typ = TypePerson
		case len(words) == 1 && !titled:
			s.typ = "" // maybe a surname seen in full elsewhere
		default:
			continue
		}
		s.name = text[s.start:s.end]
		spans = append(spans, s)
	}

	// Full names of people, by surname, so that a later "Korkmaz" or
	// "Mr. Korkmaz" counts for "Hussein Korkmaz".
	fullBySurname := map[string]string{}
	for _, s := range spans {
		if s.typ == TypePerson && strings.Contains(s.name, " ") {
			fullBySurname[s.last] = s.name
		}
	}
	for _, s := range spans {
		switch s.typ {
		case TypePerson:
			name := s.name
			if full, ok := fullBySurname[s.name]; ok {
				name = full
			}
			ms = append(ms, mention{name: name, typ: TypePerson, start: s.start, end: s.end})
		case TypeOrg:
			ms = append(ms, mention{name: s.name, typ: TypeOrg, start: s.start, end: s.end})
		case "":
			if full, ok := fullBySurname[s.name]; ok {
				ms = append(ms, mention{name: full, typ: TypePerson, start: s.start, end: s.end})
			}
		}
	}
	kept := ms[:0]
	for _, m := range ms {
		if m.name != "" {
			kept = append(kept, m)
		}
	}
	ms = kept
	sort.SliceStable(ms, func(i, j int) bool { return ms[i].start < ms[j].start })
	return ms
}

// spanGap reports whether a capitalised span continues from a to b: only
// spaces between, or the period of an abbreviated title ("Mr. Smith").
func spanGap(s string, a, b token) bool {
	gap := s[a.end:b.start]
	if strings.TrimSpace(gap) == "" {
		return true
	}
	return strings.TrimSpace(gap) == "." && roleTitles[a.text]
}

// allNameWords reports whether words look like a name: capitalised, not
// all capitals beyond two letters, no digits.
func allNameWords(words []token) bool {
	for _, w := range words {
		if !isCapitalized(w.text) || isNumber(w.text) || isStopword(w.lower) {
			return false
		}
		if runeCount(w.text) > 3 && strings.ToUpper(w.text) == w.text {
			return false
		}
	}
	return true
}

// nearSpeechVerb reports whether a speech verb follows the span ending
// before toks[end] or precedes the one starting at toks[start] ("Korkmaz
// said", "said Hussein Korkmaz", "according to Hussein Korkmaz").
func nearSpeechVerb(toks []token, end, start int) bool {
	if end < len(toks) && speechVerbs[toks[end].lower] {
		return true
	}
	if start-1 >= 0 && speechVerbs[toks[start-1].lower] {
		return true
	}
	return start-2 >= 0 && toks[start-2].lower == "according" && toks[start-1].lower == "to"
}

// Entities counts the mentions by entity, most mentioned first.
func Entities(ms []mention) []proto.Entity {
	idx := map[string]int{}
	var out []proto.Entity
	for _, m := range ms {
		k := m.typ + "\x00" + m.name
		if i, ok := idx[k]; ok {
			out[i].Count++
			continue
		}
		idx[k] = len(out)
		out = append(out, proto.Entity{Name: m.name, Type: m.typ, Count: 1})
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Name < out[j].Name
	})
	return out
}

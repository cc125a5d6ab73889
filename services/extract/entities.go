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
	words  []token
	name   string
	typ    string
	dotted bool // the form ends with a period ("U.S.")
	// gaps are the form's own text between its words: a text gap equal to
	// one joins the words even where joinable would not ("One Belt, One
	// Road").
	gaps []string
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
			gaps := make([]string, len(words))
			for j := 1; j < len(words); j++ {
				gaps[j] = form[words[j-1].end:words[j].start]
			}
			k := wordKey(words[0].text)
			g.byKey[k] = append(g.byKey[k], &alias{words: words, name: name, typ: typ, dotted: strings.HasSuffix(form, "."), gaps: gaps})
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

// shortCyrillicNoun reports whether w is a three-letter word ending in a
// lower-case consonant ("Дом" of "Доме народных собраний"), which takes
// case endings; acronyms ("МИД", "США") and two-letter names ("Си") are
// matched only as written.
func shortCyrillicNoun(w string) bool {
	r := []rune(w)
	if len(r) != 3 || !unicode.IsLower(r[2]) {
		return false
	}
	return !strings.ContainsRune("аяоеёуюыийьэ", r[2])
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
	if s == a.text && runeCount(s) < 4 && !shortCyrillicNoun(s) {
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
			if !aliasWordMatches(toks[i+j], w) || (j > 0 && !joinable(s, toks[i+j-1], toks[i+j]) && s[toks[i+j-1].end:toks[i+j].start] != a.gaps[j]) {
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
var roleTitles = wordSet(`President Mr Mrs Ms Miss Dr Drs Prof Professor Sir Lord Lady Dame Minister Prime
	Premier Secretary Chancellor Vice Deputy Chairman Chairwoman Chair General Gen Lt Col Colonel Sgt
	Admiral Adm Captain Capt Commander Senator Sen Rep Representative Congressman Congresswoman Governor
	Gov Mayor Ambassador Envoy Spokesman Spokeswoman Spokesperson Director CEO Chief Judge Justice King
	Queen Prince Princess Pope Patriarch Leader Foreign Defense Defence Finance Economy Trade Interior
	State Affairs Former Acting Presidential Press Senior Special Head Founder Analyst Researcher Doctor
	Russian Chinese American Ukrainian French German British Indian Japanese Korean Turkish Iranian
	Kazakh Belarusian Polish Italian Spanish European Western Israeli Palestinian Syrian Saudi US
	Sheikh Sheik Emir Sultan Crown Archbishop Bishop Cardinal Rabbi Imam Ayatollah Reverend Rev Lieutenant
	Sergeant Marshal Duke Duchess Earl Tsar Czar Emperor Empress Kaiser Mufti Prosecutor Detective Inspector
	Executive Secretary-General Administrator Officer Economist Historian Scientist Journalist Lawyer Attorney
	Activist Author Novelist Writer Poet Artist Photographer Coach Manager Striker Midfielder Defender Goalkeeper
	Candidate Councillor Councilor Commissioner Sheriff Superintendent Constable Pastor Father Brother Sister`)

// Titles that by themselves mark a person (not nationalities or "Foreign").
var personTitles = wordSet(`President Mr Mrs Ms Miss Dr Drs Prof Professor Sir Lord Lady Dame Minister Premier
	Secretary Chancellor Chairman Chairwoman General Gen Colonel Admiral Captain Commander Senator Sen
	Congressman Congresswoman Governor Gov Mayor Ambassador Envoy Spokesman Spokeswoman Spokesperson
	Director CEO Judge King Queen Prince Princess Pope Patriarch Leader Analyst Researcher Doctor Founder
	Sheikh Sheik Emir Sultan Archbishop Bishop Cardinal Rabbi Imam Ayatollah Reverend Rev Lieutenant
	Sergeant Marshal Duke Duchess Earl Tsar Czar Emperor Empress Kaiser Mufti Prosecutor Detective Inspector`)

// Speech verbs that name a speaker next to them.
var speechVerbs = wordSet(`said says told added stated noted stressed explained warned wrote argued
	asked announced declared insisted recalled claimed replied called praised urged vowed pledged promised
	cautioned admitted conceded acknowledged suggested remarked commented tweeted posted writes adds
	continued concluded observed saying quoted`)

// russia is the canonical name Russia's aliases give.
const russia = "Russia"

// hanPartners are one-character Chinese names of countries that stand
// beside 俄 (Russia) in pairs: "中俄" China–Russia, "俄美", "俄乌冲突".
var hanPartners = map[string]string{"中": "China", "美": "United States", "乌": "Ukraine"}

// longerAt returns the alias of more than one token starting at toks[i],
// if any: "美国" is the United States whole, not a partner character.
func (g *gazetteer) longerAt(s string, toks []token, i int) *alias {
	if a, n := g.match(s, toks, i); n > 1 {
		return a
	}
	return nil
}

// entityFinder extracts entities: the curated aliases (any script), then
// the English pass over Latin-script text.
type entityFinder struct {
	g  *gazetteer
	en *english
}

// newEntityFinder builds the finder from the embedded data files.
func newEntityFinder() (*entityFinder, error) {
	g, err := parseGazetteer(aliasesTSV)
	if err != nil {
		return nil, fmt.Errorf("entity aliases: %w", err)
	}
	en, err := newEnglish()
	if err != nil {
		return nil, fmt.Errorf("english tagger: %w", err)
	}
	return &entityFinder{g: g, en: en}, nil
}

// find returns the entity mentions of text, in text order.
func (f *entityFinder) find(text string) []mention {
	toks := tokenize(text)
	var ms []mention
	hasLatinCap := false
	for i := 0; i < len(toks); i++ {
		if toks[i].script == scriptLatin && isCapitalized(toks[i].text) {
			hasLatinCap = true
		}
		a, n := f.g.match(text, toks, i)
		if a == nil {
			continue
		}
		end := toks[i+n-1].end
		// "U.S.": the closing period is part of the name.
		if a.dotted && end < len(text) && text[end] == '.' {
			end++
		}
		// "中俄关系": Chinese pairs Russia's 俄 with another country's
		// one-character name, which alone is an ordinary character.
		if toks[i].text == "俄" && a.name == russia {
			if p := toks[max(i-1, 0)]; i > 0 && p.end == toks[i].start && hanPartners[p.text] != "" &&
				(len(ms) == 0 || ms[len(ms)-1].end <= p.start) {
				ms = append(ms, mention{name: hanPartners[p.text], typ: TypePlace, start: p.start, end: p.end})
			}
		}
		ms = append(ms, mention{name: a.name, typ: a.typ, start: toks[i].start, end: end})
		i += n - 1
		if n == 1 && toks[i].text == "俄" && a.name == russia && i+1 < len(toks) && toks[i+1].start == end &&
			hanPartners[toks[i+1].text] != "" && f.g.longerAt(text, toks, i+1) == nil {
			ms = append(ms, mention{name: hanPartners[toks[i+1].text], typ: TypePlace, start: toks[i+1].start, end: toks[i+1].end})
			i++
		}
	}
	if hasLatinCap {
		ms = f.mergeEnglish(text, ms)
	}
	// Full names of people by surname, so that a later "Ardahan" or "Mr.
	// Ardahan" counts for "Selim Ardahan".
	full := map[string]string{}
	for _, m := range ms {
		if m.typ == TypePerson {
			if k := strings.LastIndexByte(m.name, ' '); k > 0 {
				full[m.name[k+1:]] = m.name
			}
		}
	}
	for k := range ms {
		if m := &ms[k]; m.typ == TypePerson && !strings.Contains(m.name, " ") {
			if n, ok := full[m.name]; ok {
				m.name = n
			}
		}
	}
	return ms
}

// mergeEnglish adds the names of the English pass to the alias mentions
// ms (in text order). An alias covering a name keeps its canonical name;
// a longer name containing aliases replaces them ("Harbin Institute of
// Technology" over "Harbin").
func (f *entityFinder) mergeEnglish(text string, ms []mention) []mention {
	ws, cs := f.en.find(text)
	out := make([]mention, 0, len(ms)+len(cs))
	drop := make([]bool, len(ms))
	k := 0
	for _, c := range cs {
		if c.typ == "" {
			continue
		}
		s, e := ws[c.i].start, ws[c.j-1].end
		if abbrevEnds[ws[c.j-1].text] && e < len(text) && text[e] == '.' {
			e++
		}
		for k < len(ms) && ms[k].end <= s {
			k++
		}
		covered := false
		var inside []int
		for x := k; x < len(ms) && ms[x].start < e; x++ {
			m := ms[x]
			switch {
			case m.start <= s && m.end >= e:
				covered = true
			case m.start >= s && m.end <= e:
				inside = append(inside, x)
			default:
				covered = true // partial overlap: the alias wins
			}
		}
		if covered {
			continue
		}
		// A place named first, then a word the place's name does not
		// explain ("U.S. Treasury"): keep the place, and the rest only if
		// it is a known organisation or place.
		if len(inside) > 0 && !c.strong && ms[inside[0]].start == s && ms[inside[0]].typ == TypePlace {
			rest := strings.TrimSpace(text[ms[inside[0]].end:e])
			t := f.en.known(rest)
			if t == "" && c.typ == TypeOrg && strings.Contains(rest, " ") {
				t = TypeOrg // "U.S. Federal Reserve": a name of several words
			}
			if t != "" && len(inside) == 1 {
				out = append(out, mention{name: rest, typ: t, start: e - len(rest), end: e})
			}
			continue
		}
		// "Premier of the State Council of China Li Qiang": a known
		// person's full name closing a name of another kind is the
		// holder of a title; the rest names the organisation or place.
		if n := len(inside); n > 0 && c.typ != TypePerson {
			if last := ms[inside[n-1]]; last.typ == TypePerson && last.end == e && last.start > s && strings.Contains(text[last.start:last.end], " ") {
				inside = inside[:n-1]
				e = last.start
				for e > s && (text[e-1] == ' ' || text[e-1] == ',') {
					e--
				}
				if e == s {
					continue
				}
				// What is left may be an alias itself: it keeps its
				// canonical name.
				if n := len(inside); n == 1 && ms[inside[0]].start == s && ms[inside[0]].end == e {
					continue
				}
			}
		}
		// "The Mozilla Foundation": the span keeps the article, the
		// name does not.
		name := strings.TrimPrefix(text[s:e], "The ")
		if c.typ == TypePlace && c.j-c.i == 1 && (f.en.lowerPlace(name) || len(name) > 3 && strings.ToUpper(name) == name && f.en.lex.places[titleWord(name)]) {
			name = titleWord(name) // "malaysia", "OSLO" name Malaysia, Oslo
		}
		for _, x := range inside {
			drop[x] = true
			// "Vladimir V. Putin": a person's alias at the end names it.
			if c.typ == TypePerson && ms[x].typ == TypePerson && ms[x].end == e {
				name = ms[x].name
			}
		}
		out = append(out, mention{name: name, typ: c.typ, start: s, end: e})
	}
	for x, m := range ms {
		if !drop[x] {
			out = append(out, m)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].start < out[j].start })
	return out
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

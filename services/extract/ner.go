package extract

import (
	_ "embed"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/jdkato/prose/v3/tag"
	prosetok "github.com/jdkato/prose/v3/tokenize"
)

// The English pass: prose's tokenizer splits the text; capitalised words
// inside a sentence, and the words opening one that prose's
// part-of-speech tagger marks as proper nouns (the tagger runs only where
// a rule needs a tag, see tagAt), are name words. Rules group them into
// names, strip titles and nationality words, and type each name from
// gazetteers (places, organisations, given names, surnames: curated lists
// plus larger ones derived from open data sets, see data/README.md),
// name-internal keywords (“Ministry”, “River”), titles, role nouns, speech
// verbs and words that only organisations take (“the carmaker X”, “X
// shares”, “acquired X”, “companies like X”, “X Pvt. Ltd.”, an acronym
// defined in brackets after a name), then from the other mentions of the
// same document and the names listed beside it. A capitalised ordinary
// English word (data/common_words.txt) is not a name without such
// evidence, and neither is a capitalised phrase nothing types; a lone proper noun nothing types
// is typed by its shape or its verb, or left out. prose's own entity model
// is not used: it is slow (about 40 ms per 1,000 words) and misses most
// organisations.

var (
	//go:embed data/places.txt
	placesTXT string
	//go:embed data/orgs.txt
	orgsTXT string
	//go:embed data/given_names.txt
	givenNamesTXT string
	//go:embed data/demonyms.txt
	demonymsTXT string
	//go:embed data/common_words.txt
	commonWordsTXT string
	//go:embed data/places_open.txt
	placesOpenTXT string
	//go:embed data/orgs_open.txt
	orgsOpenTXT string
	//go:embed data/given_names_open.txt
	givenNamesOpenTXT string
	//go:embed data/surnames_open.txt
	surnamesOpenTXT string
)

// maxSentenceTokens bounds a sentence handed to the tagger; longer runs
// (tables, lists without periods) are cut.
const maxSentenceTokens = 150

// lexicon holds the gazetteers of the English pass.
type lexicon struct {
	places, orgs map[string]bool // full names as written
	given        map[string]bool // given names
	surnames     map[string]bool // family names
	demonyms     map[string]bool // "Russian", "Americans"
	common       map[string]bool // ordinary English words, lower case
}

// lineSet reads one entry per line, skipping blanks and "#" comments.
func lineSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, l := range strings.Split(s, "\n") {
		l = strings.TrimSpace(l)
		if l != "" && !strings.HasPrefix(l, "#") {
			m[l] = true
		}
	}
	return m
}

// fieldSet reads whitespace-separated entries, skipping "#" comment lines.
func fieldSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), "#") {
			continue
		}
		for _, w := range strings.Fields(l) {
			m[w] = true
		}
	}
	return m
}

func newLexicon() *lexicon {
	l := &lexicon{
		places:   lineSet(placesTXT),
		orgs:     lineSet(orgsTXT),
		given:    fieldSet(givenNamesTXT),
		surnames: fieldSet(surnamesOpenTXT),
		demonyms: fieldSet(demonymsTXT),
		common:   lineSet(commonWordsTXT),
	}
	// The larger lists from open data sets add to the curated ones; a
	// curated entry keeps its type.
	for n := range lineSet(placesOpenTXT) {
		if !l.orgs[n] {
			l.places[n] = true
		}
	}
	for n := range lineSet(orgsOpenTXT) {
		if !l.places[n] {
			l.orgs[n] = true
		}
	}
	for n := range fieldSet(givenNamesOpenTXT) {
		l.given[n] = true
	}
	return l
}

// isCommon reports whether the capitalised word w is an ordinary English
// word ("Job", "Guarantee", "GREAT") and no gazetteer knows it as a name.
func (l *lexicon) isCommon(w string) bool {
	r, _ := utf8.DecodeRuneInString(w)
	if !unicode.IsUpper(r) || l.given[w] || l.places[w] || l.orgs[w] || l.demonyms[w] {
		return false
	}
	lw := strings.ToLower(w)
	if l.common[lw] {
		return true
	}
	// Regular inflections of an ordinary word: "Newsgroups", "Bonding".
	if s, ok := strings.CutSuffix(lw, "s"); ok && len(s) > 3 && l.common[s] {
		return true
	}
	if s, ok := strings.CutSuffix(lw, "ing"); ok && len(s) > 2 && (l.common[s] || l.common[s+"e"]) {
		return true
	}
	return false
}

// english is the tagger-based pass. It is safe for concurrent use.
type english struct {
	tok *prosetok.Tokenizer
	tag *tag.Tagger
	lex *lexicon
}

func newEnglish() (*english, error) {
	tg, err := tag.New()
	if err != nil {
		return nil, err
	}
	return &english{tok: prosetok.New(), tag: tg, lex: newLexicon()}, nil
}

// word is a token of the English pass.
type word struct {
	text       string
	tag        string
	start, end int
	first      bool // first word of its sentence
	common     bool // an ordinary English word, capitalised
	known      bool // a name of the gazetteers (given name, surname, place, organisation)
	poss       bool // followed by a possessive "'s"
	tagged     bool // tag is set (the tagger runs on demand, see tagAt)
	// sent and sentEnd bound the words of its sentence (a part of at
	// most maxSentenceTokens words), which the tagger reads.
	sent, sentEnd int32
}

// cand is a candidate name: words[i:j] of the document.
type cand struct {
	i, j     int
	typ      string // "" while unknown
	strong   bool   // typed from a gazetteer, keyword or title
	dropped  bool   // not a name after all
	personTi bool   // a person's title preceded it
}

// stormWords name weather systems, whose given names are not people's.
var stormWords = wordSet(`Hurricane Typhoon Cyclone Storm`)

// Evaluative words that make "Superb Value" or "Best School" a phrase,
// not an organisation.
var praise = wordSet(`Great Good Best Better Poor Excellent Prompt Friendly Favorite Favourite Bad Worst Nice Awesome
	Amazing Fast Quick Cheap Terrible Horrible Wonderful Fantastic Top Customer Outstanding Superb Professional Quality
	Helpful Reliable Affordable Slow Rude Lousy Decent Fine Perfect Courteous Efficient Honest Fair`)

// Words that never start or make a name on their own.
var notNames = wordSet(`I I'm I've I'd I'll Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March
	April June July August September October November December Mon Tue Wed Thu Fri Sat Feb Apr Jul Aug Sep
	Sept Oct Nov Dec P.S. PS Jan. Feb. Mar. Apr. Aug. Sep. Sept. Oct. Nov. Dec. OK Ok Okay God Lord Internet Web TV Christmas Easter Ramadan Thanksgiving Halloween Hi Hello Thanks Thank
	Yes No Please Dear Sir Madam Re Fwd FW RE PM AM P.M. A.M. Ms. Mr. Mrs. Dr. St. Jr. Sr. Inc. Ltd. Co. Corp. The A An This
	That These Those It Its He She We They You Your Our Their His Her My Me Us Them What Who Why How When Where Which If But And
	Or So As At By For From In Into Of On To With Also Then There Here However Meanwhile Although While After Before During Since
	Until Because Though Yet Still Just Only All Any Some Each Every Both Either Neither Many Much More Most Other Such Nor Not
	Today Tomorrow Yesterday Tonight Now Later Earlier Last Next First Second Third Old Great Big Little Good Best Bad
	Chapter Section Part Page Figure Table Note Notes Update Breaking Photo Video Read Click Home Log Sign Subscribe Share
	EST GMT UTC PST CST EDT PDT BST CET Q&A FAQ CEO CFO COO CTO MP MPs PhD Esq Mondays Tuesdays Wednesdays Thursdays
	Fridays Saturdays Sundays Venus Saturn Jupiter Neptune Uranus Pluto Earth`)

// Connectors that join the words of one name when a name word follows.
var nameParticles = wordSet(`de da di do del della der den van von la le du dos das al el bin ibn bint ben y zu af`)

// Heads after which "of"/"for"/"and" continue an organisation's or a
// place's name ("Bank of England", "Gulf of Mexico").
var ofHeads = wordSet(`Ministry University Bank Institute Department Council Office Academy Board Bureau Federation Union
	Association Organization Organisation Committee Commission Court House Republic Kingdom Museum Church College School
	Society League Party Center Centre Agency Administration Authority Foundation Fund Order Chamber Corps Army Navy Force
	Forces Guard Gulf Bay Sea Isle Islands Island Cape Lake Strait Straits Sisters Brothers Friends Friends Federal State
	States Province District City Port Mount Museum Hall Library Institute Conference Congress Secretariat Cathedral Temple
	Embassy Consulate Ministry Coalition Alliance Movement Front Network Service Services Corporation Company Group Trust
	Festival Championship Championships Cup Games Order Sisters Daughters Sons Knights Times Journal Review Gazette Duchy
	Principality Emirate Emirates Sultanate Commonwealth Democratic Peoples People's Islamic Confederation Assembly
	Parliament Senate Committee Tribunal Fed Reserve Bureau Institution Laboratory Laboratories Hospital Clinic Centre Zoo
	Endowment Forum`)

// Last words that make a name a place.
var placeSuffixes = wordSet(`River Rivers Island Islands Isles Mountains Mountain Mts Hills Hill Lake Lakes Sea Ocean Bay Gulf Strait
	Straits Peninsula Desert Valley Canyon Falls Heights County Province Prefecture Oblast Krai Region Street St. Avenue Ave
	Road Rd Rd. Ave. Blvd Blvd. Boulevard Square Plaza Beach Coast Harbor Harbour Creek Pond Springs Park Forest Glacier Basin Delta Plateau Plains
	Village Town Township City Borough Parish Republic Kingdom Territory Territories State Emirate Cape Point Ridge Pass
	Canal Channel Reef Atoll Archipelago Highlands Lowlands Marsh Shire District Airport Station Bridge Tower Palace Castle
	Cathedral Abbey Stadium Arena`)

// First words that make a name a place ("Mount Everest", "Lake Baikal").
var placePrefixes = wordSet(`Mount Mt Mt. Lake Cape Port Fort Isle Gulf Bay Saint St. San Santa Sao São New North South East West
	Upper Lower Greater Central Northern Southern Eastern Western Northeast Northwest Southeast Southwest`)

// Words of a name that make it an organisation wherever they stand.
var orgWords = wordSet(`Inc Inc. Corp Corp. Corporation Ltd Ltd. LLC PLC plc Co. Company Companies Group Holdings Bank Ministry
	Agency University College Institute Council Committee Commission Party Association Organization Organisation Office
	Department Foundation Federation Union Alliance Army Navy Police Airlines Airways Motors Industries Technologies
	Systems Solutions Software Pharmaceuticals Bancorp Capital Partners Ventures Labs Entertainment Studios Records Media
	Communications Telecom Networks Club FC Team Academy School Schools Society Church Court Tribunal Parliament Assembly
	Senate Congress Council Bureau Board Authority Administration Service Services Fund Trust Museum Hospital Clinic
	Laboratory Library Center Centre Magazine Newspaper Times Post Journal News Press Gazette Herald Tribune Daily
	Review Television TV Radio Network Exchange Corps Guard Forces Brigade Battalion Regiment Division Command Commission
	Secretariat Cabinet Government Coalition Movement Front League Conference Council Festival Orchestra Band Choir
	Hotel Restaurant Cafe Café Bar Pub Store Stores Shop Market Mall Airlines Railways Railway Energy Oil Gas Petroleum
	Steel Mining Motors Automotive Electric Electronics Semiconductor Pharma Bio Biotech Insurance Securities Investments
	Holding AG GmbH SA NV AB ASA SpA Ltda KK Brothers Bros Inc. Marines Marine Airline Ministries Institutes Universities
	Pictures Films Productions Publishing Publishers Books Rovers Athletic Wanderers Hotspur Watch Mission Initiative
	Endowment Forum
	Caucus Brigades Squadron Fleet Cooperative Consortium Institution Conservatory Seminary Polytechnic Observatory
	Brotherhood Guards Rada Knesset Majlis Duma Militia Cartel Gendarmerie Constabulary Directorate Inspectorate
	Chronicle Telegraph Courier Inquirer Bulletin Monthly Weekly Broadcasting Broadcasters Authority Power
	Tech Embassy Consulate Legislature Works Federations Associations Councils Committees Parties Unions Banks Agencies Offices Departments Courts Telecommunications`)

// isNameWord reports whether ws[i] can be part of a name: capitalised (or
// a joined Arabic-style name, "al-Sadr"), not a function word; opening a
// sentence, a word must be tagged a proper noun by the tagger or be known
// to the gazetteers.
func (e *english) isNameWord(ws []word, i int) bool {
	w := &ws[i]
	if particleName(w.text) {
		return true
	}
	r, _ := utf8.DecodeRuneInString(w.text)
	if !unicode.IsUpper(r) || notNames[w.text] {
		return false
	}
	if strings.HasSuffix(w.text, "'s") || strings.HasSuffix(w.text, "’s") || strings.ContainsAny(w.text, "@<>\"") {
		return false
	}
	if !w.first {
		// Inside a sentence a capital marks a name, unless the word is
		// a function word written in a title's capitals ("Out", "Into").
		// "US" in capitals is a name.
		return !functionWords[strings.ToLower(w.text)] || len(w.text) > 1 && strings.ToUpper(w.text) == w.text
	}
	switch e.tagAt(ws, i) {
	case "NNP", "NNPS":
		return true
	}
	// A capitalised word opening a sentence, not tagged a proper noun, is
	// an ordinary word ("Officials", "Later"), unless the gazetteers know
	// it or it takes a possessive ("Arafat 's"). A nationality word before
	// a name may open one ("British Airways"; "Russian President …" loses
	// it again as a title).
	if e.lex.demonyms[w.text] && i+1 < len(ws) && !ws[i+1].first && isCapitalized(ws[i+1].text) && !notNames[ws[i+1].text] {
		return true
	}
	return !w.common && (w.known || w.poss)
}

// functionWords are the closed-class words of English (pronouns,
// determiners, prepositions, conjunctions, adverbs of degree and place,
// forms of "be", "have" and "do"), which a capital does not make a name.
// Modal verbs are left out: "Theresa May", "Will Smith".
var functionWords = wordSet(`a an the and or but nor of in on at to for from by with into onto upon about above below
	over under between among through throughout during before after since until till against without within along
	across behind beyond near off out up down i you he she it we they me him her us them my your his its our their
	mine yours hers ours theirs this that these those who whom whose which what when where why how whether if then
	than so as not no yes very too also just only even all any some each every both either neither much many more
	most few less least such own same other another there here do does did is are was were be been being am have has
	had via per versus vs upon unto toward towards whereas while although though because unless however therefore
	thus hence`)

// particleName reports whether w is an Arabic-style name with its article
// or patronymic joined by a hyphen: "al-Sadr", "bin-Laden", "el-Sisi".
func particleName(w string) bool {
	k := strings.IndexByte(w, '-')
	if k < 1 || k > 4 || k+1 >= len(w) || !nameArticles[w[:k]] {
		return false
	}
	r, _ := utf8.DecodeRuneInString(w[k+1:])
	return unicode.IsUpper(r)
}

// nameArticles are the lower-case parts of particleName.
var nameArticles = wordSet(`al el ad ar as az ash at an ul bin ibn abu`)

// words tokenizes and tags text, sentence by sentence.
func (e *english) words(text string) []word {
	toks := e.tok.Tokenize(unglue(blankLongFields(text)))
	out := make([]word, 0, len(toks))
	sentStart := 0
	flush := func(n int) {
		if n <= sentStart {
			return
		}
		seg := toks[sentStart:n]
		for len(seg) > 0 {
			part := seg[:min(len(seg), maxSentenceTokens)]
			seg = seg[len(part):]
			from := len(out)
			for k, t := range part {
				w := word{text: t.Text, start: t.Start, end: t.End(), first: k == 0 || isOpener(out, k)}
				if sentenceFinalPeriod(w.text) || k == len(part)-1 && shortFinalName(w.text) {
					// "Ude." closing a line: the tokenizer left the
					// sentence's period on the word.
					w.text = w.text[:len(w.text)-1]
					w.end--
				}
				if h := strings.IndexByte(w.text, '-'); h > 1 && h+1 < len(w.text) && 'a' <= w.text[h+1] && w.text[h+1] <= 'z' &&
					(e.lex.places[w.text[:h]] || e.lex.orgs[w.text[:h]]) {
					// "Hezbollah-provoked", "Moscow-based": the name
					// before the hyphen is a word of its own.
					out = append(out, word{text: w.text[:h], tag: "NNP", tagged: true, start: w.start, end: w.start + h, first: w.first})
					w = word{text: w.text[h:], tag: "JJ", tagged: true, start: w.start + h, end: w.end}
				} else if h > 1 && h+1 < len(w.text) && e.hyphenPair(w.text, h) {
					// "Google-Mozilla", "Russia-Ukraine": two names
					// joined by a hyphen.
					out = append(out, word{text: w.text[:h], tag: "NNP", tagged: true, start: w.start, end: w.start + h, first: w.first},
						word{text: "-", tag: ":", tagged: true, start: w.start + h, end: w.start + h + 1})
					w = word{text: w.text[h+1:], tag: "NNP", tagged: true, start: w.start + h + 1, end: w.end}
				}
				w.common = e.lex.isCommon(w.text)
				if k+1 < len(part) {
					nt := part[k+1].Text
					w.poss = nt == "'s" || nt == "’s"
				}
				if w.first && !w.common {
					w.known = !e.lex.common[strings.ToLower(w.text)] && (e.lex.given[w.text] || e.lex.surnames[w.text] || e.lex.places[w.text] || e.lex.orgs[w.text])
				}
				out = append(out, w)
			}
			for k := from; k < len(out); k++ {
				out[k].sent, out[k].sentEnd = int32(from), int32(len(out))
			}
		}
		sentStart = n
	}
	for i := range toks {
		if i > sentStart && strings.ContainsRune(text[toks[i-1].End():toks[i].Start], '\n') {
			flush(i)
		}
		t := toks[i].Text
		if t == "." || t == "!" || t == "?" || t == "..." || t == "…" || t == ":" || t == ";" {
			// A sentence ends here unless the next word is lower-case.
			if i+1 < len(toks) {
				r, _ := utf8.DecodeRuneInString(toks[i+1].Text)
				if unicode.IsLower(r) {
					continue
				}
			}
			flush(i + 1)
		}
	}
	flush(len(toks))
	return out
}

// hyphenPair reports whether w is two capitalised names joined by the
// hyphen at h, one of them a place or organisation the gazetteers know,
// and w as a whole is no name of the gazetteers ("Guinea-Bissau").
func (e *english) hyphenPair(w string, h int) bool {
	a, b := w[:h], w[h+1:]
	ra, _ := utf8.DecodeRuneInString(a)
	rb, _ := utf8.DecodeRuneInString(b)
	if !unicode.IsUpper(ra) || !unicode.IsUpper(rb) || strings.ContainsRune(b, '-') || e.known(w) != "" || e.lex.given[w] || e.lex.surnames[w] {
		return false
	}
	return e.known(a) != "" || e.known(b) != ""
}

// tagContext is how many words on each side of a word the tagger reads
// when it tags that word: its features look two words and two tags back
// and two words ahead.
const tagContext = 3

// tagAt returns the part-of-speech tag of ws[i], tagging it and its
// neighbours first if need be. The tagger is the slowest step of the
// English pass, and most words never need a tag: inside a sentence a
// capital alone marks a name word, so only words opening a sentence and
// the names nothing else types are tagged, each with a window of its
// sentence around it.
func (e *english) tagAt(ws []word, i int) string {
	if i < 0 || i >= len(ws) {
		return ""
	}
	if ws[i].tagged {
		return ws[i].tag
	}
	lo, hi := max(int(ws[i].sent), i-tagContext), min(int(ws[i].sentEnd), i+tagContext+1)
	var buf [2*tagContext + 1]tag.Token
	toks := buf[:hi-lo]
	for k := range toks {
		toks[k].Text = ws[lo+k].text
	}
	e.tag.TagTokens(toks)
	// Keep the tags of the word and its next neighbours; those at the
	// window's edges saw too little of the sentence.
	for k := max(lo, i-1); k < min(hi, i+2); k++ {
		if !ws[k].tagged {
			ws[k].tag, ws[k].tagged = toks[k-lo].Tag, true
		}
	}
	return ws[i].tag
}

// sentenceFinalPeriod reports whether w is a word with a sentence's
// period glued to it: a capitalised word of three or more letters ending
// in its only period that is no abbreviation ("Ude.", not "Corp." or
// "U.S.").
func sentenceFinalPeriod(w string) bool {
	if len(w) < 4 || w[len(w)-1] != '.' || strings.Count(w, ".") != 1 {
		return false
	}
	r, _ := utf8.DecodeRuneInString(w)
	return unicode.IsUpper(r) && !abbrevWords[w[:len(w)-1]]
}

// abbrevWords are abbreviations written with a closing period.
var abbrevWords = wordSet(`Corp Inc Ltd Pvt Pte Pty Bros Dept Univ Assn Intl Mfg Gen Gov Sen Rep Ave Blvd Capt Col Sgt Lieut Prof Hon Rev
	Mrs Messrs Mme Mlle Jan Feb Mar Apr Aug Sep Sept Oct Nov Dec Mon Tue Tues Wed Thu Thur Thurs Fri Sat Sun Calif Mass Penn
	Wash Ariz Colo Conn Fla Ill Ind Kan Mich Minn Miss Neb Nev Okla Ore Tenn Tex Wis Wyo Adm Cmdr Supt Esq Govt Dist Est Fig
	Vol Nos Etc Approx`)

// maxFieldBytes is the longest run of non-space bytes the English pass
// looks at; longer runs (URLs, garbage, punctuation walls) cannot be names
// and would cost the tokenizer time quadratic in their length.
const maxFieldBytes = 64

// blankLongFields returns text with every run of more than maxFieldBytes
// non-space bytes replaced by as many spaces, so offsets are unchanged.
func blankLongFields(text string) string {
	var b []byte
	start := -1
	for i := 0; i <= len(text); i++ {
		if i < len(text) && text[i] != ' ' && text[i] != '\n' && text[i] != '\t' && text[i] != '\r' {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 && i-start > maxFieldBytes {
			if b == nil {
				b = []byte(text)
			}
			for k := start; k < i; k++ {
				b[k] = ' '
			}
		}
		start = -1
	}
	if b == nil {
		return text
	}
	return string(b)
}

// unglue returns text with the punctuation that glues two words together
// blanked, so the tokenizer splits them: a comma between letters
// ("Baltimore,MD") and a run of periods before a word ("Hall...all").
// Offsets are unchanged.
func unglue(text string) string {
	var b []byte
	for i := 1; i+1 < len(text); i++ {
		c := text[i]
		if c != ',' && c != '.' && c != '/' && c != '"' && c != '<' {
			continue
		}
		if c != '.' {
			if isASCIILetter(text[i-1]) && (isASCIILetter(text[i+1]) || c == '<' || c == '"' && text[i+1] == '<') {
				if b == nil {
					b = []byte(text)
				}
				b[i] = ' '
			}
			continue
		}
		// A run of two or more periods between a letter and a word.
		j := i
		for j < len(text) && text[j] == '.' {
			j++
		}
		if j-i >= 2 && j < len(text) && isASCIILetter(text[i-1]) && (isASCIILetter(text[j]) || ('0' <= text[j] && text[j] <= '9')) {
			if b == nil {
				b = []byte(text)
			}
			for k := i; k < j; k++ {
				b[k] = ' '
			}
		}
		i = j - 1
	}
	if b == nil {
		return text
	}
	return string(b)
}

func isASCIILetter(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// isOpener reports whether the k-th word of the sentence being appended
// follows an opening quotation mark or dash that begins the sentence.
// shortFinalName reports whether w, the last token of a sentence, is a
// two-letter name with the sentence's period on it ("Wang Yi.").
func shortFinalName(w string) bool {
	return len(w) == 3 && w[2] == '.' && 'A' <= w[0] && w[0] <= 'Z' && 'a' <= w[1] && w[1] <= 'z' && !shortAbbrevs[w[:2]]
}

// shortAbbrevs are two-letter abbreviations written with a period.
var shortAbbrevs = wordSet(`Mr Ms Dr St Jr Sr Co Mt Ft No Vs Lt Gr Pa Va Md Ga La Ky Mo`)

func isOpener(out []word, k int) bool {
	prev := out[len(out)-1].text
	return (prev == "“" || prev == "\"" || prev == "‘" || prev == "'" || prev == "(" || prev == "«" || prev == "-" || prev == "--" || prev == "—") && (k == 1 || out[len(out)-2].first)
}

// find returns the typed candidate names of text.
func (e *english) find(text string) ([]word, []cand) {
	ws := e.words(text)
	var cs []cand
	for i := 0; i < len(ws); {
		// "St. Thomas": the abbreviation opens the name of a place.
		saint := (ws[i].text == "St." || ws[i].text == "St") && i+1 < len(ws) && e.isNameWord(ws, i+1) && !ws[i+1].first && gapOK(text, ws[i], ws[i+1])
		// "look to bin Laden", "paintings by van Gogh": a name that
		// opens with its lower-case particle.
		particle := lowerParticles[ws[i].text] && i+1 < len(ws) && !ws[i].first && e.isNameWord(ws, i+1) && gapOK(text, ws[i], ws[i+1]) &&
			(i == 0 || !e.isNameWord(ws, i-1) || ws[i-1].first)
		if !saint && !particle && !e.isNameWord(ws, i) {
			// "staying in malaysia": a known place written in lower case
			// after a word that introduces places.
			if i > 0 && placeContext(ws, i) && e.lowerPlace(ws[i].text) {
				cs = append(cs, cand{i: i, j: i + 1})
			}
			i++
			continue
		}
		j := i + 1
		for j < len(ws) && gapOK(text, ws[j-1], ws[j]) {
			if e.isNameWord(ws, j) && !ws[j].first {
				j++
				continue
			}
			// A middle initial: "Anna B. Kovacs", "George W. Bush".
			if isInitial(ws[j].text) && j+1 < len(ws) && e.isNameWord(ws, j+1) && gapOK(text, ws[j], ws[j+1]) {
				j += 2
				continue
			}
			// The same with the period split off: "M", ".", "Anderson".
			if p := ws[j-1].text; j-1 > i && len(p) == 1 && 'A' <= p[0] && p[0] <= 'Z' && ws[j].text == "." && ws[j].start == ws[j-1].end &&
				j+1 < len(ws) && e.isNameWord(ws, j+1) && gapOK(text, ws[j], ws[j+1]) {
				j += 2
				continue
			}
			// "People's Party", "Women's Institute": a plural noun's
			// possessive inside a name.
			if (ws[j].text == "'s" || ws[j].text == "’s" || ws[j].text == "'" || ws[j].text == "’") && possNameWords[ws[j-1].text] && ws[j].start == ws[j-1].end &&
				j+1 < len(ws) && e.isNameWord(ws, j+1) && gapOK(text, ws[j], ws[j+1]) {
				j += 2
				continue
			}
			// "Peter I", "Catherine I": a ruler's numeral, not the
			// pronoun; it ends the name.
			if (j == i+1 || j == i+2 && rulerTitles[ws[i].text]) && e.regnalOne(ws, j-1, j) && gapOK(text, ws[j-1], ws[j]) {
				j++
				break
			}
			// "Apple Inc.": a legal form ends a company's name.
			if companyForms[ws[j].text] && strings.HasSuffix(ws[j].text, ".") {
				j++
				// "Co. Ltd.", "Pty. Ltd.": two forms.
				if j < len(ws) && legalForm(ws[j].text) && gapOK(text, ws[j-1], ws[j]) {
					j++
				}
				break
			}
			// "ORLAN TEXTILES PVT. LTD.": a legal form whose period the
			// tokenizer split off, then another legal form.
			if ws[j].text == "." && ws[j].start == ws[j-1].end && legalForm(ws[j-1].text) && j+1 < len(ws) && legalForm(ws[j+1].text) &&
				gapOK(text, ws[j], ws[j+1]) {
				j += 2
				continue
			}
			lw := ws[j].text
			// "Democratic Republic of the Congo", "Institute for the
			// Study of War".
			if (lw == "of" || lw == "for") && j+2 < len(ws) && ws[j+1].text == "the" && e.ofHead(ws[i:j]) && e.isNameWord(ws, j+2) && !ws[j+2].first &&
				gapOK(text, ws[j], ws[j+1]) && gapOK(text, ws[j+1], ws[j+2]) {
				j += 3
				continue
			}
			if j+1 < len(ws) && e.isNameWord(ws, j+1) && gapOK(text, ws[j], ws[j+1]) {
				if nameParticles[lw] {
					j += 2
					continue
				}
				if (lw == "of" || lw == "for" || lw == "&" || lw == "on") && (e.ofHead(ws[i:j]) || lw == "of" && midOrgHead(ws[i:j]) && !hasWord(ws[i:j], "of")) {
					j += 2
					continue
				}
				// "University of Texas at Austin": a campus.
				if lw == "at" && hasWord(ws[i:j], "University") && (e.lex.places[ws[j+1].text] || j+2 < len(ws) && e.lex.places[ws[j+1].text+" "+ws[j+2].text]) && !hasWord(ws[i:j], "at") {
					j += 2
					continue
				}
				// "Department of Housing and Urban Development": a field
				// named after an institution's "of" goes on past "and",
				// unless what follows is a name of its own.
				if lw == "and" && e.institutionOf(ws[i:j]) && !e.lex.given[ws[j+1].text] && e.known(ws[j+1].text) == "" {
					j += 2
					continue
				}
			}
			break
		}
		// "TRVX, Inc.": a company form after a comma is part of the name.
		if j+1 < len(ws) && ws[j].text == "," && companyForms[ws[j+1].text] && gapOK(text, ws[j], ws[j+1]) {
			j += 2
		}
		cs = append(cs, e.shape(ws, i, j)...)
		i = j
	}
	return ws, e.typeAll(text, ws, cs)
}

// rulerTitles stand before a ruler's name ("Tsar Peter I").
var rulerTitles = wordSet(`Tsar Czar Tsarina Tsaritsa Emperor Empress King Queen Pope Kaiser Sultan Shah Pharaoh Prince Princess Grand`)

// notRegnalVerbs are past forms a pronoun "I" takes in reported or
// everyday speech ("told Peter I was late"): after them "I" is not a
// numeral.
var notRegnalVerbs = wordSet(`was had did could would should might must said told thought knew felt saw heard got went came
	made meant wanted asked guess hoped found`)

// regnalOne reports whether ws[j], "I" after the given name ws[i], is a
// ruler's numeral: after a ruler's title, or followed by punctuation,
// "of", a possessive or a verb in the past that a pronoun would not take
// there ("Under Peter I, Russia", "Peter I of Russia", "when Peter I
// died").
func (e *english) regnalOne(ws []word, i, j int) bool {
	if ws[j].text != "I" || !e.lex.given[ws[i].text] {
		return false
	}
	if i > 0 && rulerTitles[ws[i-1].text] {
		return true
	}
	if j+1 >= len(ws) {
		return true
	}
	switch n := ws[j+1].text; n {
	case ",", ".", ";", ":", ")", "of", "'s", "’s":
		return true
	default:
		return e.tagAt(ws, j+1) == "VBD" && !notRegnalVerbs[n]
	}
}

// possNameWords are plural nouns whose possessive opens the name of a
// party or body ("People's Party", "Workers' Party").
var possNameWords = wordSet(`People Peoples Women Men Children Workers Veterans Citizens Farmers Teachers Soldiers Mothers
	Students Writers Nations`)

// lowerParticles are the particles that may open a person's name in
// lower case ("bin Laden", "van Gogh", "de Gaulle").
var lowerParticles = wordSet(`bin ibn van von de da al el`)

// companyForms are the legal forms that may follow a company's name after
// a comma.
var companyForms = wordSet(`Inc Inc. Ltd Ltd. LLC L.L.C. LLP L.P. LP Corp Corp. PLC plc Co. GmbH AG S.A. N.V.`)

// abbrevEnds are name-final abbreviations whose period, when the tokenizer
// splits it off, belongs to the name ("Zentrox Corp.").
var abbrevEnds = wordSet(`Corp Inc Ltd Co Jr Sr Bros Dept Univ Assn Intl Mfg Pvt Pte Pty CORP INC LTD CO PVT`)

// closingWords end a company's name: ordinary words after them are not
// part of it ("Halvorsen Corporation Guaranty").
var closingWords = wordSet(`Corporation Company Holdings Group Inc Inc. Corp Corp. Co. Ltd Ltd. LLC PLC plc`)

// closeCompany cuts the ordinary words after a company's closing word off
// the organisation's name c: "the Halvorsen Corporation Guaranty" names
// "Halvorsen Corporation".
func closeCompany(ws []word, c *cand) {
	for k := c.j - 2; k > c.i; k-- {
		if !ws[k+1].common || orgWords[ws[k+1].text] {
			return
		}
		if closingWords[ws[k].text] || legalForm(ws[k].text) {
			c.j = k + 1
			return
		}
	}
}

// tradeWords end the names of businesses after a name of their own
// ("Hallam Motorsports"), not after an ordinary word ("Public
// Transport").
var tradeWords = wordSet(`Motorsports Transport Logistics Futures Enterprises Associates Consulting Consultants
	Construction Realty Properties Textiles Fabrics Foods Beverages Therapeutics Aerospace Freight Haulage Roadways
	Outfitters Trading Brewery Brewing Distillery Pharmacy Bakery Dairy Apparel`)

// legalForms are the legal forms of companies as they are written after
// a name: "Inc.", "Pvt. Ltd.", "GmbH", "S.A.". Two-letter forms that are
// also state or region codes ("SA", "NV") count only with their periods.
var legalForms = wordSet(`Inc Inc. INC INC. Corp Corp. CORP CORP. Ltd Ltd. LTD LTD. LLC L.L.C. LLP L.L.P. PLC plc Plc
	Pvt Pvt. PVT PVT. Pte Pte. PTE PTE. Pty Pty. PTY PTY. GmbH GMBH AG S.A. N.V. B.V. SpA S.p.A. S.r.l. SRL SARL
	S.A.R.L. K.K.`)

// legalForm reports whether w is a company's legal form.
func legalForm(w string) bool { return legalForms[w] }

// hasWord reports whether one of ws is w.
func hasWord(ws []word, w string) bool {
	for _, x := range ws {
		if x.text == w {
			return true
		}
	}
	return false
}

// isInitial reports whether w is a capital and a period ("W.").
func isInitial(w string) bool { return len(w) == 2 && initials(w) }

// gapOK reports whether only spaces (no line break) separate a and b.
func gapOK(text string, a, b word) bool {
	g := text[a.end:b.start]
	return strings.TrimSpace(g) == "" && !strings.ContainsRune(g, '\n')
}

// institutionOf reports whether ws is an institution's name followed by
// "of" and a field: "Ministry of Foreign Affairs", "School of Mechanical".
func (e *english) institutionOf(ws []word) bool {
	for k := 0; k+1 < len(ws); k++ {
		if ws[k+1].text == "of" && institutions[ws[k].text] {
			return true
		}
	}
	return false
}

// institutions are heads whose "of" names a field, which may be joined by
// "and" ("Department of Housing and Urban Development").
var institutions = wordSet(`Ministry Department Secretary School Faculty College Institute Bureau Office Academy Museum
	Commission Committee Council Board Agency Administration Center Centre Laboratory Division Minister`)

// ofHead reports whether ws (a name so far) ends with a word after which
// "of" continues the name.
func (e *english) ofHead(ws []word) bool {
	last := ws[len(ws)-1].text
	return ofHeads[last] || orgWords[last]
}

// shape strips titles and nationality words from ws[i:j] and returns the
// candidate names left (none, or one).
func (e *english) shape(ws []word, i, j int) []cand {
	// "Moscow Mayor Sergei Sobyanin": a place before a title names
	// itself.
	var pre []cand
	untyped := j-i > 1 && e.keywordType(ws[i:j]) == ""
	if untyped {
		// "FBI Director Ana Ruiz", "Kestrel Executive Director": so
		// does an organisation.
		for k := i + 1; k < j && k-i <= 3; k++ {
			m := k
			for m+1 < j && titleModifiers[ws[m].text] {
				m++
			}
			w := strings.TrimSuffix(ws[m].text, ".")
			if personTitles[w] || roleTitles[w] && !e.lex.demonyms[w] {
				if e.orgBeforeTitle(ws[i:k]) {
					pre = append(pre, cand{i: i, j: k})
					i = m
				}
				break
			}
		}
	}
	if len(pre) == 0 && untyped {
		for k := i + 1; k+1 < j && k-i <= 3; k++ {
			w := strings.TrimSuffix(ws[k].text, ".")
			if personTitles[w] || roleTitles[w] && !e.lex.demonyms[w] {
				if e.lex.places[joinWords(ws[i:k])] {
					pre = append(pre, cand{i: i, j: k})
					i = k
				}
				break
			}
		}
	}
	// "the Hartwell Administration": a government named after its
	// head names the person.
	if j-i == 2 && ws[j-1].text == "Administration" && (e.lex.surnames[ws[i].text] || e.lex.given[ws[i].text]) && e.known(ws[i].text) == "" && !ws[i].common {
		return append(pre, cand{i: i, j: i + 1, personTi: true})
	}
	c := cand{i: i, j: j}
	// Leading titles and nationality words: "Russian President Vladimir
	// Putin", "Mr. Smith", "Secretary of State John Kerry".
	for c.i < c.j {
		w := strings.TrimSuffix(ws[c.i].text, ".")
		// Keep the words if what follows makes an organisation or
		// place of them ("Russian Foreign Ministry", "Premier League").
		if kt := e.keywordType(ws[c.i:c.j]); kt != "" && !(personTitles[w] && c.j-c.i > 1 && e.lex.given[ws[c.i+1].text]) {
			if roleTitles[w] || e.lex.demonyms[w] {
				break
			}
		}
		if (roleTitles[w] || e.lex.demonyms[w]) && c.j-c.i > 1 && e.known(joinWords(ws[c.i:c.j])) != "" {
			break // "Islamic Jihad", "Democratic Party": a known name
		}
		switch {
		case personTitles[w]:
			c.personTi = true
		case e.lex.demonyms[w] && e.demonymGiven(ws, c.i, c.j):
			goto done // "Roman Abramovich", "Han Zheng": a given name
		case roleTitles[w] || e.lex.demonyms[w]:
		case (w == "of" || w == "for") && c.i > i:
			// "Doctor of Sciences Selim Ardahan": the field is part of
			// the title when a name follows it.
			if c.i+3 <= c.j && !e.lex.given[ws[c.i+1].text] && e.lex.given[ws[c.i+2].text] {
				c.i++
			}
		default:
			goto done
		}
		c.i++
	}
done:
	// "Doctor of Sciences Selim Ardahan": a field named after "of",
	// then a given name, belongs to the title.
	if c.i == i && i > 0 && ws[i-1].text == "of" && c.j-c.i >= 3 && !e.lex.given[ws[c.i].text] && e.lex.given[ws[c.i+1].text] {
		c.i++
		c.personTi = true
	}
	if c.i >= c.j {
		return pre
	}
	// Trailing "of"/"for" left by a cut.
	for c.j > c.i && (ws[c.j-1].text == "of" || ws[c.j-1].text == "for" || ws[c.j-1].text == "&" || nameParticles[ws[c.j-1].text]) {
		c.j--
	}
	if c.i >= c.j {
		return pre
	}
	if c.j-c.i == 1 && e.lex.demonyms[ws[c.i].text] {
		return pre
	}
	return append(pre, c)
}

// titleModifiers are words that open a title without being one:
// "Executive Director", "Managing Editor".
var titleModifiers = wordSet(`Managing Assistant Associate Interim`)

// orgBeforeTitle reports whether ws, the words before a title, name an
// organisation: a known one, or an acronym that is no place, title or
// abbreviation of a common noun ("FBI", not "US" or "CEO").
func (e *english) orgBeforeTitle(ws []word) bool {
	name := joinWords(ws)
	if e.lex.orgs[name] {
		return true
	}
	if len(ws) != 1 {
		return false
	}
	w := ws[0].text
	return longAcronym(w) && !ws[0].common && !e.lex.places[w] && !roleTitles[w] && !personTitles[w] && !e.lex.demonyms[w] &&
		!notEntityAcronyms[strings.ReplaceAll(w, ".", "")] && !notNames[w]
}

// demonymGiven reports whether ws[i], a nationality word, is a given
// name here ("Roman Abramovich", "Han Zheng", not "Roman Catholic" or
// "Han Chinese"): it is one, and one more word follows that is a name's
// and nothing else's.
func (e *english) demonymGiven(ws []word, i, j int) bool {
	if j-i != 2 || !e.lex.given[ws[i].text] {
		return false
	}
	n := ws[i+1].text
	return !ws[i+1].common && !e.lex.demonyms[n] && !roleTitles[n] && !personTitles[strings.TrimSuffix(n, ".")] &&
		e.known(n) == "" && !orgWords[n] && !placeSuffixes[n] && !strings.HasSuffix(n, "s")
}

// joinWords is the words' text joined by spaces.
func joinWords(ws []word) string {
	if len(ws) == 1 {
		return ws[0].text
	}
	var b strings.Builder
	for k, w := range ws {
		if k > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(w.text)
	}
	return b.String()
}

// known types a name found in the gazetteers, or "".
func (e *english) known(name string) string {
	switch {
	case e.lex.orgs[name]:
		return TypeOrg
	case e.lex.places[name]:
		return TypePlace
	}
	return ""
}

// surface is the text of words ws[i:j] as written.
func surface(text string, ws []word, i, j int) string {
	return text[ws[i].start:ws[j-1].end]
}

// keywordType types a name from the words in it, or "".
func (e *english) keywordType(ws []word) string {
	if len(ws) == 0 {
		return ""
	}
	first, last := ws[0].text, ws[len(ws)-1].text
	for _, w := range ws {
		if w.text == "&" {
			return TypeOrg
		}
	}
	for k := 0; k+2 < len(ws); k++ {
		if orgWords[ws[k].text] && (ws[k+1].text == "of" || ws[k+1].text == "for") {
			return TypeOrg // "Harbin Institute of Technology"
		}
	}
	switch {
	case len(ws) > 1 && venueHeads[last] && !(len(ws) == 2 && praise[first]):
		return TypePlace // "Bolshoi Theatre", "Bell Lane Grill": a building or venue
	case orgWords[last] && (len(ws) > 1 || strings.HasSuffix(last, ".")) && !(len(ws) == 2 && praise[first]):
		return TypeOrg
	case len(ws) > 1 && legalForm(last):
		return TypeOrg // "DELMAR TRADING PVT. LTD."
	case len(ws) > 1 && tradeWords[last] && !ws[0].common && !praise[first]:
		return TypeOrg // "Hallam Motorsports", "Ashby Horse Transport"
	case len(ws) > 1 && pressHeads[last] && e.lex.places[joinWords(ws[:len(ws)-1])]:
		return TypeOrg // "the Toronto Star", "the Kansas City Star": a newspaper named after its place
	case len(ws) > 1 && placeSuffixes[last]:
		return TypePlace
	case len(ws) > 2 && midOrgHead(ws[1:len(ws)-1]):
		return TypeOrg // "Imperial College London", "Harvard University Press"
	case len(ws) > 2 && ofHeads[first] && (ws[1].text == "of" || ws[1].text == "for"):
		if placeSuffixes[first] || first == "Gulf" || first == "Isle" || first == "Cape" || first == "Republic" || first == "Kingdom" {
			return TypePlace
		}
		return TypeOrg
	case len(ws) > 1 && orgWords[first] && first != "Daily" && first != "News" && !commonRun(ws[1:]):
		return TypeOrg
	case len(ws) == 2 && first == "Air" && e.lex.places[last]:
		return TypeOrg // "Air China", "Air India": an airline
	case len(ws) > 1 && (first == "Mount" || first == "Mt" || first == "Mt." || first == "Lake" || first == "Fort" || first == "Port" || first == "St." || first == "St"):
		return TypePlace
	}
	return ""
}

// strongType types ws[c.i:c.j] from strong evidence: the gazetteers, the
// words of the name, a title, a given name; "" when none applies.
func (e *english) strongType(text string, ws []word, c *cand) string {
	name := surface(text, ws, c.i, c.j)
	n := c.j - c.i
	switch {
	case e.lex.orgs[name]:
		return TypeOrg
	case c.personTi && n <= 3 && !isAcronym(ws[c.i].text):
		return TypePerson // "Queen Victoria", "President Lincoln": a title, then a name
	case e.lex.places[name]:
		return TypePlace
	case n == 1 && len(name) > 3 && shouted(ws[c.i:c.j]) && e.lex.places[titleWord(name)]:
		return TypePlace // "ANKARA (Reuters) -": a dateline
	case n == 1 && ws[c.i].first && c.j < len(ws) && datelineMark[ws[c.j].text] && strings.ToUpper(name) == name && e.lex.places[titleWord(name)]:
		return TypePlace // "OSLO (Reuters) -", "ROME —": a short dateline
	}
	if kt := e.keywordType(ws[c.i:c.j]); kt != "" {
		return kt
	}
	switch {
	case (c.personTi || (c.i > 0 && personTitles[strings.TrimSuffix(ws[c.i-1].text, ".")])) && n <= personLen(ws[c.i:c.j]):
		c.personTi = true
		return TypePerson
	case n >= 2 && n <= personLen(ws[c.i:c.j]) && e.lex.given[ws[c.i].text]:
		return TypePerson
	case n >= 2 && n <= 3 && lowerParticles[ws[c.i].text] && e.known(surface(text, ws, c.i+1, c.j)) == "":
		return TypePerson // "bin Laden"

	case n == 1 && isAcronym(name) && !ws[c.i].common && !notEntityAcronyms[strings.ReplaceAll(name, ".", "")] && strings.Trim(name, "IVX") != "":
		return TypeOrg
	}
	return ""
}

// datelineMark are what follows a dateline's place: the agency in
// brackets or a dash.
var datelineMark = wordSet(`( - – — :`)

// pressHeads are newspapers' last words that are ordinary words too
// ("Star", "Globe"): after a place's name they name a newspaper.
var pressHeads = wordSet(`Star Globe Mail Mirror Examiner Observer Independent Express Standard Register Dispatch
	Record Monitor Recorder Advertiser Ledger Statesman Bee Citizen Sun Courier Inquirer Sentinel Argus`)

// venueHeads are last words of the names of buildings and venues, which
// are places.
var venueHeads = wordSet(`Theatre Theater Museum Gallery Auditorium Hall Hotel Restaurant Grill Cafe Café Pub Opera`)

// midOrgHead reports whether one of ws is a word that heads an
// institution's name.
func midOrgHead(ws []word) bool {
	for _, w := range ws {
		if institutionHeads[w.text] {
			return true
		}
	}
	return false
}

// institutionHeads are words that make a name an organisation's even
// with a place or a field after them.
var institutionHeads = wordSet(`University College Institute Bank Ministry Party Council Committee Commission Corporation
	Company Agency Association Federation Foundation Museum Hospital School Academy Airlines Group Department Bureau`)

// commonRun reports whether every word of ws is an ordinary word (or a
// connector between them).
func commonRun(ws []word) bool {
	for _, w := range ws {
		if !w.common && w.text != "of" && w.text != "and" && w.text != "&" && w.text != "the" {
			return false
		}
	}
	return true
}

// trim cuts ordinary words off the ends of a candidate that no strong
// evidence types as a whole: leading ones ("Named Oscar", "Morning
// Vera"), and trailing ones after a name the gazetteers or a given name
// type ("Dallas Analyst", "Mark Tellen Direct Dial"). It returns the
// type of what is left, or "".
func (e *english) trim(text string, ws []word, c *cand) string {
	i, j := c.i, c.j
	// "Hope Hicks", "Rich Lowry", "Ban Ki-moon": an ordinary word as a
	// given name before a known surname or a hyphenated given name.
	if j-i == 2 && ws[i].common && !ws[i+1].common && (!ws[i].first || e.tagAt(ws, i) == "NNP") &&
		(e.lex.surnames[ws[i+1].text] && !e.lex.places[ws[i+1].text] && !e.lex.orgs[ws[i+1].text] || hyphenGiven(ws[i+1].text)) {
		return TypePerson
	}
	for i < j-1 && (ws[i].common || i > c.i && nameParticles[ws[i].text]) {
		i++
	}
	if i > c.i && !commonRun(ws[i:j]) {
		first := c.i
		c.i = i
		if t := e.strongType(text, ws, c); t != "" {
			// "South Vietnam", "Greater Noida": a direction before a
			// place is part of its name.
			if t == TypePlace && i == first+1 && placePrefixes[ws[first].text] {
				c.i = first
			}
			// "Random House": a generic head names nothing without the
			// words before it.
			if t == TypeOrg && i == j-1 && (orgWords[ws[i].text] || ofHeads[ws[i].text]) {
				c.i = first
			}
			return t
		}
	}
	for j = c.j; j > c.i+1 && ws[j-1].common; j-- {
	}
	// "U.S. Federal Reserve": the ordinary words after a place are a
	// name of their own; the second pass and the merge split them off.
	if j < c.j && e.known(surface(text, ws, j, c.j)) != "" {
		return ""
	}
	if j < c.j && !commonRun(ws[c.i:j]) {
		d := cand{i: c.i, j: j, personTi: c.personTi}
		if t := e.strongType(text, ws, &d); t != "" {
			c.j = j
			c.personTi = d.personTi
			return t
		}
	}
	return ""
}

// typeAll types each candidate and returns them, in text order.
func (e *english) typeAll(text string, ws []word, cs []cand) []cand {
	// First pass: strong evidence.
	byText := map[string]string{}
	surname := map[string]bool{}
	noName := map[string]bool{}
	for k := range cs {
		c := &cs[k]
		// "Hurricane Katrina": a storm, and so is every later "Katrina".
		if stormWords[ws[c.i].text] || (c.i > 0 && stormWords[ws[c.i-1].text]) {
			c.dropped = true
			if c.j-c.i > 1 && stormWords[ws[c.i].text] {
				noName[surface(text, ws, c.i+1, c.j)] = true
			} else {
				noName[surface(text, ws, c.i, c.j)] = true
			}
			continue
		}
		t := e.strongType(text, ws, c)
		if t == "" {
			if shouted(ws[c.i:c.j]) {
				c.dropped = true // "TRULY SUPERB": emphasis, not a name
				continue
			}
			t = e.trim(text, ws, c)
		}
		// "Tarvola California": an unknown name, then a known place; not
		// "Denzel Washington", a place that is a surname too.
		if t == "" && c.j-c.i == 2 && !e.lex.given[ws[c.i].text] && e.lex.places[ws[c.j-1].text] && !ws[c.i].common && !nameParticles[ws[c.i].text] &&
			!(placeSurnames[ws[c.j-1].text] && !placeLike(ws[c.i].text)) {
			cs = append(cs, cand{i: c.j - 1, j: c.j, typ: TypePlace, strong: true})
			c = &cs[k]
			c.j--
			t = TypePlace
		}
		if t == TypeOrg {
			closeCompany(ws, c)
		}
		if t != "" {
			c.typ = t
			c.strong = true
			name := surface(text, ws, c.i, c.j)
			byText[name] = c.typ
			if c.typ == TypePerson && c.j-c.i >= 2 {
				surname[ws[c.j-1].text] = true
			}
		}
	}
	// "Greater Example Housing Center (GEHC)": an acronym in brackets
	// after a name is that name's, here and elsewhere in the document.
	defined := false
	for k := 1; k < len(cs); k++ {
		c, p := &cs[k], &cs[k-1]
		if c.j-c.i == 1 && (isAcronym(ws[c.i].text) || longAcronym(ws[c.i].text)) && c.i >= 2 && ws[c.i-1].text == "(" && p.j == c.i-1 && p.typ != "" && p.typ != TypePerson &&
			c.j < len(ws) && ws[c.j].text == ")" && ws[c.i].text[0] == ws[p.i].text[0] {
			c.typ, c.strong, c.dropped = p.typ, true, false
			byText[ws[c.i].text] = p.typ
			defined = true
		}
	}
	// A long acronym taken for emphasis ("GEHC" in capitals) is a name
	// once the document has defined it.
	for k := range cs {
		if c := &cs[k]; defined && c.dropped && c.typ == "" && c.j-c.i == 1 && byText[ws[c.i].text] != "" && longAcronym(ws[c.i].text) {
			c.dropped = false
		}
	}
	// "Barcelona beat Real Madrid", "played for Liverpool": a place named
	// as a side in a match is its club.
	for k := range cs {
		c := &cs[k]
		if c.typ == TypePlace && c.j-c.i <= 2 && sportsSide(ws, c.i, c.j) {
			c.typ = TypeOrg
		}
	}
	// A lone word that is the surname of a person named in full in the
	// document is that person, whatever a gazetteer says ("Selim
	// Ardahan ... Ardahan said").
	for k := range cs {
		c := &cs[k]
		if c.j-c.i == 1 && (c.typ == TypePlace && !placeContext(ws, c.i) || c.typ == TypeOrg && !isAcronym(ws[c.i].text) && !orgContext(ws, c.i, c.j)) && surname[ws[c.i].text] {
			c.typ = TypePerson
			byText[ws[c.i].text] = TypePerson
		}
	}
	// Context votes per name over the whole document: "in Fallujah" once
	// makes every "Fallujah" a place.
	votes := map[string]*[3]int{} // person, place, org
	inList := false               // in a list of examples of organisations
	cued := map[string]bool{}     // right after a kind of organisation
	for k := range cs {
		c := &cs[k]
		// "companies like X, Y and Z", "acquired X, Y and Z": every
		// name of the list.
		if orgExamples(ws, c.i) || c.i > 0 && takeoverVerbs[ws[c.i-1].text] {
			inList = true
		} else if inList && !coordinated(ws, &cs[k-1], c) {
			inList = false
		}
		if c.typ != "" || c.dropped {
			continue
		}
		name := surface(text, ws, c.i, c.j)
		v := votes[name]
		if v == nil {
			v = &[3]int{}
			votes[name] = v
		}
		// "Tarvola shut its plant", "Tarvola said its profit rose": a
		// name, not a person's, that acts and owns with "its".
		its := c.j+1 < len(ws) && ws[c.j+1].text == "its" && actsVerb(ws[c.j].text) && c.j-c.i == 1 &&
			!e.lex.given[name] && !e.lex.surnames[name]
		switch {
		case inList || its || orgContext(ws, c.i, c.j):
			v[2]++
			// "the mapping company Compass", "acquired Zentrio": so
			// close a cue names even an ordinary word.
			if !ws[c.i].first && (inList || its || c.i > 0 && orgCueNouns[ws[c.i-1].text]) {
				cued[name] = true
			}
		case placeContext(ws, c.i):
			v[1]++
		case speechNear(ws, c.i, c.j):
			v[0]++
		}
	}
	// Second pass: the document's other mentions, then context.
	for k := range cs {
		c := &cs[k]
		if c.typ != "" || c.dropped {
			continue
		}
		name := surface(text, ws, c.i, c.j)
		n := c.j - c.i
		v := votes[name]
		common := commonRun(ws[c.i:c.j])
		switch {
		case noName[name]:
			c.typ = ""
		case byText[name] != "":
			c.typ = byText[name]
		case n == 1 && surname[name]:
			c.typ = TypePerson
		case n == 1 && c.personTi:
			c.typ = TypePerson
		case n == 1 && particleName(name) && !(c.i > 0 && roleNouns[ws[c.i-1].text]) && !e.endsName(ws, cs, name):
			// "al-Shabaab", "el-Nour": a name with its article alone,
			// not a person's surname the document gives in full, names
			// a group.
			c.typ = TypeOrg
		case v[2] > v[0] && v[2] > v[1] && (!common || cued[name]):
			c.typ = TypeOrg // "the carmaker Zotye", "Zotye's shares"
		case n == 1 && !common && c.i > 0 && (ws[c.i-1].text == "in" || ws[c.i-1].text == "near") && v[1] > v[0]:
			c.typ = TypePlace // "in Lawrence": a place, though a given name
		case n == 1 && c.i > 0 && (ws[c.i-1].text == "the" || ws[c.i-1].text == "The") && (c.j == len(ws) || !unicode.IsLetter(rune(ws[c.j].text[0])) || functionWords[ws[c.j].text]):
			c.typ = "" // "the Moon", "the Ritz": a person's name takes no article
		case n == 1 && (e.lex.given[name] || e.lex.surnames[name]):
			c.typ = TypePerson
		case n == 1 && c.j < len(ws) && (ws[c.j].text == "administration" || ws[c.j].text == "'s" && c.j+1 < len(ws) && ws[c.j+1].text == "administration"):
			c.typ = TypePerson // "the Bush administration"
		case common:
			c.typ = "" // ordinary words, capitalised
		case v[0] > v[1] && n <= 3:
			c.typ = TypePerson
		case v[1] > v[0] && n <= 2:
			c.typ = TypePlace
		case n >= 2 && e.lex.places[ws[c.i].text] && e.known(surface(text, ws, c.i+1, c.j)) == TypeOrg:
			c.typ = TypeOrg // "U.S. Federal Reserve": the merge keeps both names
		case n >= 2 && n <= 3 && e.lex.orgs[ws[c.i].text] && !e.lex.given[ws[c.i].text] && !e.lex.surnames[ws[c.i].text] && !isAcronym(ws[c.i].text) && allCapitalised(ws[c.i:c.j]):
			c.typ = TypeOrg // "Gazprom Neft": a known company's name first
		case n == 2 && placePrefixes[ws[c.i].text] && e.lex.places[ws[c.i+1].text]:
			c.typ = TypePlace
		case n >= 2 && n <= 3 && placeGiven[ws[c.i].text] && allCapitalised(ws[c.i:c.j]) && !anyCommon(ws[c.i+1:c.j]) &&
			e.known(surface(text, ws, c.i+1, c.j)) == "" && !isAcronym(ws[c.j-1].text):
			c.typ = TypePerson // "Sydney Sweeney", "Lincoln Chafee": a place's name as a given name
		case n >= 2 && n <= 4 && allCapitalised(ws[c.i:c.j]) && e.lex.places[ws[c.i].text] && !e.lex.given[ws[c.i].text] &&
			!e.lex.surnames[ws[c.i].text] && !e.lex.places[ws[c.j-1].text] && !commonRun(ws[c.i+1:c.j]):
			c.typ = TypeOrg // "Minsk Tractor Works": a place, then a name of its own
			// A known name after the place ("U.S. Treasury") is left
			// to stand beside it.
			c.strong = e.known(surface(text, ws, c.i+1, c.j)) == ""
		case n >= 2 && n <= 3 && allCapitalised(ws[c.i:c.j]) && (e.lex.surnames[ws[c.j-1].text] || e.lex.given[ws[c.j-1].text] || particleName(ws[c.j-1].text)):
			c.typ = TypePerson // "Kwame Okonjo Mensah": ends in a known surname
		case n >= 2 && n <= 3 && allCapitalised(ws[c.i:c.j]) && e.unknownProper(ws, c.i, c.j):
			c.typ = TypePerson // "Takehiro Tomiyasu": proper nouns and no ordinary word
		case n >= 2 && n <= 3 && allCapitalised(ws[c.i:c.j]):
			c.typ = "" // "Family Deal": nothing says what it names
		case n == 1 && ws[c.i].poss:
			c.typ = TypePerson // "Arafat 's death"
		case n == 1 && ws[c.i].first && camelCase(name) && !strings.HasPrefix(name, "Mc") && !strings.HasPrefix(name, "Mac") &&
			!strings.ContainsAny(name, "0123456789@#+/&'’-.") && !ws[c.i].common:
			c.typ = TypeOrg // "NetVox released ...": camel case opening a sentence
		case n == 1 && ws[c.i].first && c.j < len(ws) && firstSubject(e, ws, c.i):
			c.typ = TypePerson // "Dostoevsky was arrested": a proper noun as the subject
		case n == 1 && ws[c.i].first:
			c.typ = "" // an unknown word opening a sentence: likely not a name
		case n == 1 && (e.tagAt(ws, c.i) == "NNP" || e.tagAt(ws, c.i) == "NNPS"):
			c.typ = e.guessSingle(ws, c.i)
		case n == 1:
			c.typ = ""
		default:
			c.typ = TypeOrg
		}
	}
	sort.SliceStable(cs, func(a, b int) bool { return cs[a].i < cs[b].i })
	e.coordinate(ws, cs)
	// "from The Mozilla Foundation": a capitalised article inside a
	// sentence is part of the name after it.
	for k := range cs {
		c := &cs[k]
		if c.typ != "" && c.typ != TypePerson && !c.dropped && c.i > 0 && ws[c.i-1].text == "The" && !ws[c.i-1].first &&
			(k == 0 || cs[k-1].j < c.i-1) && gapOK(text, ws[c.i-1], ws[c.i]) {
			c.i--
		}
	}
	// "A. Noel Kramer", "J. R. R. Tolkien": initials before a person's
	// name are part of it.
	for k := range cs {
		c := &cs[k]
		if c.typ != TypePerson || c.dropped {
			continue
		}
		for c.i > 0 && (k == 0 || cs[k-1].j < c.i) && gapOK(text, ws[c.i-1], ws[c.i]) {
			p := ws[c.i-1].text
			switch {
			case initials(p) && !notNames[p]:
				c.i--
			case p == "." && c.i > 1 && len(ws[c.i-2].text) == 1 && 'A' <= ws[c.i-2].text[0] && ws[c.i-2].text[0] <= 'Z' && ws[c.i-2].end == ws[c.i-1].start &&
				(k == 0 || cs[k-1].j < c.i-1):
				c.i -= 2
			default:
				goto next
			}
		}
	next:
		// "Anna B. Kovacs" split in two: join the names.
		if k > 0 && c.i < len(ws) && initials(ws[c.i].text) && cs[k-1].j == c.i && cs[k-1].typ == TypePerson && !cs[k-1].dropped &&
			gapOK(text, ws[c.i-1], ws[c.i]) {
			c.i = cs[k-1].i
			cs[k-1].dropped, cs[k-1].typ = true, ""
		}
	}
	// "Martin Luther King Jr.": a generational suffix closes a person's
	// name.
	for k := range cs {
		c := &cs[k]
		if c.typ == TypePerson && !c.dropped && c.j < len(ws) && nameSuffixes[ws[c.j].text] && (k+1 == len(cs) || cs[k+1].i > c.j) &&
			gapOK(text, ws[c.j-1], ws[c.j]) {
			c.j++
		}
	}
	return cs
}

// nameSuffixes are the generational suffixes that close a person's name.
var nameSuffixes = wordSet(`Jr Jr. Sr Sr.`)

// placeGiven are places' names that are also given names; the given-name
// lists leave them out.
var placeGiven = wordSet(`Sydney Savannah Madison Dallas Lincoln Paris Houston Nevada Israel Denver Orlando Phoenix Kingston
	Brooklyn Dakota Sierra Regina Adelaide Charlotte Eugene Beverly Chester Clifton Preston Kendal Camden Aurora Troy
	Austin Jordan Florence Georgia Chelsea Virginia Carolina Victoria Memphis Tyler Marion Lorraine Odessa`)

// placeSurnames are places' names that are also common surnames; the
// surname list leaves them out.
var placeSurnames = wordSet(`Washington Lincoln Jackson Houston Austin Jordan Lancaster Chester Kent York Sheffield Nelson
	Cleveland Dallas Denver Douglas Hamilton Wellington Kingston Preston Bristol Clifton Madison Montgomery Warren
	Sherman Chandler Burlington Raleigh Hudson Richmond Stafford Bradford Bedford Milton Ashley Carlisle Cromwell`)

// anyCommon reports whether one of ws is an ordinary word.
func anyCommon(ws []word) bool {
	for _, w := range ws {
		if w.common {
			return true
		}
	}
	return false
}

// sportsSide reports whether the words around ws[i:j] name it a side in
// a match: "Barcelona beat ...", "... lost to Bayern", "played for
// Liverpool".
func sportsSide(ws []word, i, j int) bool {
	if j < len(ws) {
		switch ws[j].text {
		case "beat", "defeated", "thrashed", "edged", "drew", "routed", "trounced":
			return true
		}
	}
	if i > 0 {
		switch ws[i-1].text {
		case "beat", "defeated", "thrashed", "routed", "trounced":
			return i > 1 && ws[i-2].sent == ws[i].sent && ws[i-2].tag != "PRP" && !functionWords[strings.ToLower(ws[i-2].text)]
		}
	}
	if i > 1 {
		p2, p1 := ws[i-2].text, ws[i-1].text
		switch {
		case p1 == "to" && p2 == "lost", p1 == "with" && p2 == "drew",
			p1 == "for" && (p2 == "played" || p2 == "plays" || p2 == "signed" || p2 == "scored"):
			return true
		}
	}
	return false
}

// initials reports whether w is one or more initials, each a capital and
// a period: "A.", "J.K.".
func initials(w string) bool {
	if len(w) < 2 || len(w)%2 != 0 || w == "U.S." {
		return false
	}
	for k := 0; k < len(w); k += 2 {
		if w[k] < 'A' || w[k] > 'Z' || w[k+1] != '.' {
			return false
		}
	}
	return true
}

// coordinate types the untyped names of a list by their typed neighbours:
// "Okafor, Lindqvist and Brandt" after "Okafor" is known a person.
func (e *english) coordinate(ws []word, cs []cand) {
	joined := func(a, b *cand) bool { return coordinated(ws, a, b) }
	for pass := 0; pass < 2; pass++ {
		for k := range cs {
			c := &cs[k]
			if c.typ != "" || c.dropped || commonRun(ws[c.i:c.j]) || c.j-c.i == 1 && (ws[c.i].first && e.tagAt(ws, c.i) != "NNP" || isAcronym(ws[c.i].text)) {
				continue
			}
			if k > 0 && cs[k-1].typ != "" && joined(&cs[k-1], c) {
				c.typ = cs[k-1].typ
			} else if k+1 < len(cs) && cs[k+1].typ != "" && joined(c, &cs[k+1]) {
				c.typ = cs[k+1].typ
			}
		}
	}
}

// endsName reports whether w is the last word of a longer name of cs:
// "Aziz al-Rawi ... al-Rawi".
func (e *english) endsName(ws []word, cs []cand, w string) bool {
	for _, c := range cs {
		if c.j-c.i >= 2 && ws[c.j-1].text == w {
			return true
		}
	}
	return false
}

// coordinated reports whether names a and b are next to each other in a
// list: "a, b", "a and b", "a, and b".
func coordinated(ws []word, a, b *cand) bool {
	switch b.i - a.j {
	case 1:
		sep := ws[a.j].text
		return sep == "," || sep == "and" || sep == "or" || sep == "&" || sep == "/"
	case 2: // "Tarn, and Ude"
		return ws[a.j].text == "," && (ws[a.j+1].text == "and" || ws[a.j+1].text == "or")
	}
	return false
}

// unknownProper reports whether every word of ws[i:j] is tagged a proper noun
// and is neither an ordinary English word nor an acronym.
func (e *english) unknownProper(ws []word, i, j int) bool {
	for k := i; k < j; k++ {
		if isAcronym(ws[k].text) || e.lex.common[strings.ToLower(ws[k].text)] || e.tagAt(ws, k) != "NNP" {
			return false
		}
	}
	return true
}

// guessSingle types a lone proper noun that nothing else types, from its
// shape: camel case ("PayPal") is an organisation, a place-like ending
// ("-stan", "-grad") a place; else nothing (given names and surnames the
// gazetteers know are typed before this, as is a word the document types
// elsewhere).
func (e *english) guessSingle(ws []word, i int) string {
	w := ws[i].text
	switch {
	case strings.ContainsAny(w, "0123456789@#+/&"), isAcronym(w):
		return "" // "SX40", "A/C", "ASAP": codes and abbreviations
	case camelCase(w):
		return TypeOrg
	case placeLike(w) && !(i > 0 && (ws[i-1].text == "the" || ws[i-1].text == "The")):
		return TypePlace
	case i+1 < len(ws) && (e.tagAt(ws, i+1) == "VBD" || e.tagAt(ws, i+1) == "VBZ") && (i == 0 || e.tagAt(ws, i-1) != "IN" && e.tagAt(ws, i-1) != "DT" && e.tagAt(ws, i-1) != "TO"):
		// The subject of a verb in the past or third person:
		// "Okonjo nodded".
		return TypePerson
	}
	return ""
}

// personLen is the most words a person's name ws may have: four, and
// one more for each particle ("Mohammed bin Rashid Al Maktoum").
func personLen(ws []word) int {
	n := 4
	for _, w := range ws[1:] {
		if nameParticles[w.text] || nameArticles[strings.ToLower(w.text)] {
			n++
		}
	}
	return n
}

// hyphenGiven reports whether w has the shape of a hyphenated East Asian
// given name: "Ki-moon", "Jae-in", "Jong-un".
func hyphenGiven(w string) bool {
	h := strings.IndexByte(w, '-')
	if h < 2 || h+2 > len(w) || w[0] < 'A' || w[0] > 'Z' {
		return false
	}
	for k := 1; k < len(w); k++ {
		if k != h && (w[k] < 'a' || w[k] > 'z') {
			return false
		}
	}
	return len(w)-h-1 <= 4 && h <= 5
}

// firstSubject reports whether ws[i], an unknown word opening a
// sentence, is a proper noun and the subject of the verb after it, with a
// person's name for shape ("Dostoevsky was arrested", "Sarkozy
// resigned"): no codes, acronyms, camel case or place-like endings.
func firstSubject(e *english, ws []word, i int) bool {
	w := ws[i].text
	if len(w) < 4 || ws[i].common || strings.ContainsAny(w, "0123456789@#+/&-.") || isAcronym(w) || camelCase(w) || placeLike(w) {
		return false
	}
	if e.tagAt(ws, i) != "NNP" {
		return false
	}
	switch t := e.tagAt(ws, i+1); {
	case t == "VBD":
	case ws[i+1].text == "was" || ws[i+1].text == "has" || ws[i+1].text == "had":
	default:
		return false
	}
	return ws[i+1].sent == ws[i].sent
}

// camelCase reports whether w has a capital after a lower-case letter.
func camelCase(w string) bool {
	lower := false
	for _, r := range w {
		if unicode.IsUpper(r) && lower {
			return true
		}
		lower = unicode.IsLower(r)
	}
	return false
}

// placeEndings are word endings typical of place names.
var placeEndings = []string{"stan", "grad", "abad", "pur", "ville", "burg", "bourg", "polis", "shire", "land", "ia", "yah", "iyah", "town", "ton", "port", "mouth", "field", "chester", "caster", "ham", "wick", "ford", "dorf", "hausen", "heim", "sk", "ovo", "evo", "ino"}

// placeLike reports whether w ends like a place name.
func placeLike(w string) bool {
	for _, end := range placeEndings {
		if len(w) > len(end)+2 && strings.HasSuffix(w, end) {
			return true
		}
	}
	return false
}

// lowerPlace reports whether w, in lower case, is a place the gazetteers
// know and no ordinary word ("malaysia", not "turkey" or "nice").
func (e *english) lowerPlace(w string) bool {
	r, _ := utf8.DecodeRuneInString(w)
	return len(w) > 3 && unicode.IsLower(r) && strings.ToLower(w) == w && !e.lex.common[w] && e.lex.places[titleWord(w)]
}

// titleWord is w with only its first letter a capital: "TEHRAN" →
// "Tehran".
func titleWord(w string) string {
	r, n := utf8.DecodeRuneInString(w)
	return string(unicode.ToUpper(r)) + strings.ToLower(w[n:])
}

// shouted reports whether the name is all capitals and more than a short
// acronym ("GREAT SERVICE").
func shouted(ws []word) bool {
	letters := 0
	for _, w := range ws {
		for _, r := range w.text {
			if unicode.IsLower(r) {
				return false
			}
			if unicode.IsLetter(r) {
				letters++
			}
		}
	}
	return letters > 5 || (len(ws) > 1 && letters > 3)
}

// Acronyms that name no organisation: abbreviations of common nouns.
var notEntityAcronyms = wordSet(`ASAP FAQ FYI DVD CD CDs DVDs TV PC PCs IPO CEO CFO COO CTO CIO SVP EVP VP HR PR RFP RFQ DUI DWI
	ADHD LD VHS SEO ISO LNG GDP GMT UTC EST PST CST CDT EDT PDT BST CET PS PPS NB RE FW FWD LOL LMAO OMG BTW IMO IMHO
	AKA ETA TBA TBD RSVP PDF HTML HTTP URL USB GPS SMS MMS ATM PIN ID IDs IQ DNA RNA HIV AIDS MRI ICU ER BC AD BCE CE
	AM PM MD PhD MBA BA BS MS MA LLB JD RN DIY HVAC AC DC PVC LED LCD TBS CPA CPR EMT PTSD ASCII MMOG MMORPG RPG NPC
	SUV MPG MPH KPH DOB SSN VAT GST APR ROI KPI QA QC IRR NPV EBITDA EPS P&L OK IE EG`)

// longAcronym reports whether s is 2 to 9 capitals, the length of an
// organisation's initials ("GRFHAC", "NWSAHA").
func longAcronym(s string) bool {
	if len(s) < 2 || len(s) > 9 {
		return false
	}
	for k := 0; k < len(s); k++ {
		if s[k] < 'A' || s[k] > 'Z' {
			return false
		}
	}
	return true
}

// isAcronym reports whether s is 2 to 6 capitals (dots allowed).
func isAcronym(s string) bool {
	n := 0
	for _, r := range s {
		switch {
		case r == '.':
		case unicode.IsUpper(r):
			n++
		default:
			return false
		}
	}
	return n >= 2 && n <= 6
}

func allCapitalised(ws []word) bool {
	for _, w := range ws {
		r, _ := utf8.DecodeRuneInString(w.text)
		if !unicode.IsUpper(r) && !particleName(w.text) {
			return false
		}
	}
	return true
}

// speechNear reports whether ws[i:j] is said to be a person by its
// context: a speech verb follows or precedes it, a role noun precedes it
// ("the teacher Ilse"), or "who" follows it.
func speechNear(ws []word, i, j int) bool {
	if j < len(ws) && speechVerbs[ws[j].text] {
		return true
	}
	if i > 0 && speechVerbs[ws[i-1].text] {
		return true
	}
	if i > 1 && strings.EqualFold(ws[i-2].text, "according") && ws[i-1].text == "to" {
		return true
	}
	// "the teacher Ilse", "actor Tom Hanks"; "Hanks, who ...", "Hanks, whose ...".
	if i > 0 && roleNouns[ws[i-1].text] {
		return true
	}
	if j+2 < len(ws) && ws[j].text == "," && !(j-i == 1 && isAcronym(ws[i].text)) {
		// "Okonjo, 45, ...": an age in apposition.
		if a := ws[j+1].text; len(a) == 2 && a[0] >= '1' && a[0] <= '9' && a[1] >= '0' && a[1] <= '9' && ws[j+2].text == "," {
			return true
		}
		// "Okonjo, the country's foreign minister, ...": a role in
		// apposition.
		if d := ws[j+1].text; d == "a" || d == "an" || d == "the" || d == "his" || d == "her" || d == "its" || d == "former" {
			for k := j + 2; k < len(ws) && k < j+7; k++ {
				if roleNouns[ws[k].text] {
					return true
				}
				if ws[k].text == "," || ws[k].text == "of" || ws[k].text == "who" || ws[k].text == "." || orgCueNouns[ws[k].text] {
					break
				}
			}
		}
	}
	return j < len(ws) && ws[j].text == "who" || j+1 < len(ws) && ws[j].text == "," && (ws[j+1].text == "who" || ws[j+1].text == "whose")
}

// roleNouns are lower-case words for people's roles and relations that
// stand before a person's name ("the singer Adele", "his wife Ana").
var roleNouns = wordSet(`president minister spokesman spokeswoman spokesperson actor actress singer songwriter writer
	author director coach player striker midfielder defender goalkeeper leader chairman chairwoman secretary senator
	governor mayor judge officer lawyer attorney professor teacher artist poet novelist composer painter sculptor
	journalist reporter columnist editor founder king queen prince princess emperor general colonel captain rapper
	manager analyst economist scientist researcher historian philosopher physicist chemist biologist son daughter
	wife husband brother sister father mother uncle aunt cousin nephew niece grandson granddaughter friend colleague
	pope bishop archbishop cardinal priest rabbi imam cleric sheikh commander lieutenant sergeant dr. mr. mrs. ms.
	musician guitarist drummer bassist pianist violinist conductor dancer comedian filmmaker producer photographer
	architect engineer designer entrepreneur businessman businesswoman billionaire banker investor diplomat ambassador
	envoy lawmaker legislator congressman congresswoman candidate nominee challenger incumbent defendant suspect
	victim witness prosecutor detective inspector chancellor premier monarch dictator rebel activist`)

// orgContext reports whether the words around ws[i:j] say it names an
// organisation: a kind of organisation before it ("the carmaker Zotye",
// "the band Blur"), a word only organisations take after it ("Zotye
// shares", "Zotye's chief executive"), or an apposition naming a kind of
// organisation ("Zotye, a carmaker based in ...").
func orgContext(ws []word, i, j int) bool {
	if i > 0 && (orgCueNouns[ws[i-1].text] || takeoverVerbs[ws[i-1].text]) {
		return true
	}
	if i > 1 {
		p2, p1 := ws[i-2].text, ws[i-1].text
		// "a stake in X", "the takeover of X", "a unit of X".
		if (p1 == "in" || p1 == "of" || p1 == "with" || p1 == "for") && orgOfNouns[p2] {
			return true
		}
		if orgExamples(ws, i) {
			return true
		}
	}
	k := j
	if k < len(ws) && (ws[k].text == "'s" || ws[k].text == "’s") {
		k++
	}
	if k < len(ws) && orgAfterNouns[ws[k].text] {
		return true
	}
	// "the Kommersant newspaper", "the Interfax news agency": a kind of
	// organisation right after the name.
	if k == j && i > 0 && (ws[i-1].text == "the" || ws[i-1].text == "The") {
		for m := j; m < len(ws) && m < j+3; m++ {
			if orgKindAfter[ws[m].text] {
				return true
			}
			if ws[m].text != "news" && ws[m].text != "business" && ws[m].text != "state" && ws[m].text != "opposition" && ws[m].text != "ruling" {
				break
			}
		}
	}
	if k+1 < len(ws) && ws[k].text == "chief" && (ws[k+1].text == "executive" || ws[k+1].text == "executives") {
		return true
	}
	// "Zotye, one of the carmakers ...".
	if j+4 < len(ws) && ws[j].text == "," && ws[j+1].text == "one" && ws[j+2].text == "of" && ws[j+3].text == "the" {
		for k := j + 4; k < len(ws) && k < j+7; k++ {
			if orgPluralNouns[ws[k].text] {
				return true
			}
		}
	}
	if j+2 < len(ws) && ws[j].text == "," && (ws[j+1].text == "a" || ws[j+1].text == "an" || ws[j+1].text == "the") {
		for k := j + 2; k < len(ws) && k < j+5; k++ {
			if orgCueNouns[ws[k].text] {
				return true
			}
			if ws[k].text == "," || ws[k].text == "of" || ws[k].text == "who" {
				break
			}
		}
	}
	return false
}

// orgCueNouns are kinds of organisation, written before a name ("the
// carmaker Zotye") or after "a" in an apposition ("Zotye, a carmaker").
var orgCueNouns = wordSet(`company companies firm firms corporation conglomerate carmaker automaker airline carrier
	bank lender insurer retailer manufacturer maker producer publisher broadcaster newspaper paper daily tabloid
	magazine website channel network agency organisation organization group party band club team outfit startup
	start-up charity foundation union federation association ministry broker brokerage operator supplier distributor
	developer chain giant subsidiary brand label studio studios university college school institute think-tank
	militia movement faction coalition alliance regulator watchdog exchange fund`)

// actsVerb reports whether w looks like a verb in the past or third
// person: lower-case and ending in "ed" or "s", or one of a few
// irregular past forms.
func actsVerb(w string) bool {
	if len(w) < 3 || w[0] < 'a' || w[0] > 'z' || functionWords[w] {
		return false
	}
	switch w {
	case "said", "shut", "cut", "sold", "bought", "made", "put", "set", "lost", "won", "took", "gave", "kept", "held",
		"told", "began", "spent", "paid", "built", "led", "left", "saw", "got", "raised", "moved":
		return true
	}
	return strings.HasSuffix(w, "ed") || strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss")
}

// orgExamples reports whether ws[i] opens a list of examples of a kind
// of organisation: "companies like X", "carmakers such as X", "banks
// including X".
func orgExamples(ws []word, i int) bool {
	if i < 2 {
		return false
	}
	switch ws[i-1].text {
	case "like", "including":
		return orgPluralNouns[strings.ToLower(ws[i-2].text)]
	case "as":
		return ws[i-2].text == "such" && i > 2 && orgPluralNouns[strings.ToLower(ws[i-3].text)]
	}
	return false
}

// takeoverVerbs take a company as their object: "acquired X".
var takeoverVerbs = wordSet(`acquired acquire acquires acquiring`)

// orgOfNouns take a company after "in", "of", "with" or "for": "a stake
// in X", "the takeover of X", "a merger with X", "a bid for X".
var orgOfNouns = wordSet(`stake stakes takeover buyout acquisition merger subsidiary unit division bid shareholders
	shareholder`)

// orgPluralNouns are kinds of organisation in the plural, before an
// example: "companies like X", "banks such as X".
var orgPluralNouns = wordSet(`companies firms corporations carmakers automakers airlines carriers banks lenders insurers
	retailers manufacturers makers producers publishers broadcasters newspapers magazines websites agencies
	organisations organizations groups parties bands clubs teams startups start-ups charities foundations unions
	chains brands labels studios universities colleges schools regulators networks operators suppliers developers
	giants conglomerates`)

// orgKindAfter are kinds of organisation written after a name and its
// article: "the Kommersant newspaper", "the Likud party".
var orgKindAfter = wordSet(`newspaper daily agency group party company firm broadcaster channel magazine website militia
	movement bank carrier airline network tabloid weekly broadsheet`)

// orgAfterNouns are words after a name (or its "'s") that only an
// organisation takes: "Zotye shares", "Zotye's headquarters".
var orgAfterNouns = wordSet(`shares stock shareholders stockholders headquarters subsidiary subsidiaries spokesman
	spokeswoman spokesperson employees executives board subscribers customers CEO Inc. Inc Ltd. Ltd Corp. Corp plc PLC
	LLC GmbH AG`)

// placeContext reports whether the word before ws[i] suggests a place.
func placeContext(ws []word, i int) bool {
	if i == 0 {
		return false
	}
	switch ws[i-1].text {
	case "in", "from", "near", "across", "throughout", "outside", "inside", "visit", "visited", "visiting", "into":
		return true
	case "to":
		// "flew to Lagos", not "spoke to Obi" or "according to Kant".
		return i >= 2 && motionWords[strings.ToLower(ws[i-2].text)]
	}
	return false
}

// motionWords are the words before "to" that make what follows a
// destination.
var motionWords = wordSet(`flew fly flies flying flown travelled traveled travel travels travelling traveling moved move moves
	moving returned return returns returning trip trips visit visits journey journeys flight flights road route routes
	exported exports export imported shipped deported extradited sailed drove headed heading went go goes going came come
	comes arrived fled escaped relocated emigrated immigrated migrated evacuated transferred sent expelled bound`)

package extract

import (
	"strings"
	"unicode"
)

// Undetermined is the language of a text too short or too ambiguous to tell
// (ISO 639-2 "und").
const Undetermined = "und"

// langProfile is what a language looks like: its frequent function words
// and the word endings typical of it. Both are lowercased.
type langProfile struct {
	code     string
	stop     map[string]bool
	suffixes []string
}

var latinProfiles = []langProfile{
	{"en", wordSet(`the of and to in is that for it with as was on be by at from his has have are this an
		which not but or had were their its been after who will would also they she he than into we over`),
		[]string{"ed", "ing", "tion", "ly", "ity"}},
	{"de", wordSet(`der die und in den von zu das mit sich des auf für ist im dem nicht ein eine als auch es an
		werden aus er hat dass sie nach wird bei einer um am sind noch wie einem über einen so zum war haben nur
		oder aber vor zur bis mehr durch man sein wurde`),
		[]string{"ung", "keit", "heit", "lich", "chen", "isch", "schaft", "en"}},
	{"fr", wordSet(`le la les de des et en un une du est que qui dans pour pas par sur au plus ne se il elle
		sont avec ce cette aux ont été son sa ses ou mais comme nous vous leur être fait`),
		[]string{"ment", "eux", "aux", "ique", "tion", "é", "ée"}},
	{"es", wordSet(`el la los las de del y en un una que es por para con no se su sus al lo como más pero
		fue ha este esta entre sobre también son ya o sin hasta desde donde muy han ser`),
		[]string{"ción", "mente", "idad", "ado", "ada", "os", "as"}},
	{"it", wordSet(`il lo la i gli le di del della dei delle e che è un una per con non in si da al alla
		nel nella sono anche più ma come ha dal questo questa essere stato`),
		[]string{"zione", "mente", "ità", "ato", "ata", "i"}},
	{"pt", wordSet(`o a os as de do da dos das e em no na nos nas um uma que é por para com não se ao pelo
		pela mais mas como foi são também ou seu sua entre`),
		[]string{"ção", "ções", "mente", "dade", "ão"}},
	{"nl", wordSet(`de het een en van in is dat op te zijn voor met die niet aan er ook als bij door om
		maar dan wordt nog naar uit heeft werd worden`),
		[]string{"heid", "lijk", "en"}},
}

var cyrillicProfiles = []langProfile{
	{"ru", wordSet(`и в не на что с как это по к но из за от для о же так его который была был были уже
		она он они мы также при после только или если чтобы более этого года россии`), nil},
	{"uk", wordSet(`і й в у на що не з до та як це від для за про його але він вона був була були вже
		також після тільки або якщо щоб які який яка року україни`), nil},
	{"bg", wordSet(`и в на да се не че от за с е са по като това които които ще ли му си беше бе той тя
		те след още може или ако една един година българия`), nil},
}

// Letters that set one Cyrillic language apart.
var cyrillicLetters = map[rune]string{
	'ы': "ru", 'э': "ru", 'ё': "ru",
	'і': "uk", 'ї': "uk", 'є': "uk", 'ґ': "uk",
}

// DetectLanguage returns the ISO 639-1 code of the language of text
// ("en", "ru", "zh", …) or Undetermined. hint (a page's declared language,
// "en-US" or "ru") only breaks ties and confirms weak evidence; it never
// overrides what the text shows.
func DetectLanguage(text, hint string) string {
	hint = normalizeLangHint(hint)
	var latin, cyr, han, kana, hangul, arabic, greek, hebrew, devanagari, letters int
	for _, r := range text {
		if !unicode.IsLetter(r) {
			continue
		}
		letters++
		switch {
		case unicode.Is(unicode.Han, r):
			han++
		case unicode.In(r, unicode.Hiragana, unicode.Katakana):
			kana++
		case unicode.Is(unicode.Hangul, r):
			hangul++
		case unicode.Is(unicode.Latin, r):
			latin++
		case unicode.Is(unicode.Cyrillic, r):
			cyr++
		case unicode.Is(unicode.Arabic, r):
			arabic++
		case unicode.Is(unicode.Greek, r):
			greek++
		case unicode.Is(unicode.Hebrew, r):
			hebrew++
		case unicode.Is(unicode.Devanagari, r):
			devanagari++
		}
	}
	if letters < 2 {
		return Undetermined
	}
	// CJK first: a Chinese text quoting a Latin name is still Chinese, so
	// Han counts triple against alphabetic letters.
	cjk := han + kana + hangul
	if 3*cjk >= letters-cjk && cjk >= 2 {
		switch {
		case kana > 0 && kana*5 >= han:
			return "ja"
		case hangul > han:
			return "ko"
		default:
			return "zh"
		}
	}
	best, n := "", 0
	for _, c := range []struct {
		code string
		n    int
	}{{"latin", latin}, {"cyrillic", cyr}, {"ar", arabic}, {"el", greek}, {"he", hebrew}, {"hi", devanagari}} {
		if c.n > n {
			best, n = c.code, c.n
		}
	}
	switch best {
	case "latin":
		return detectAmong(text, latinProfiles, hint, "")
	case "cyrillic":
		return detectCyrillic(text, hint)
	case "":
		return Undetermined
	default:
		if n < 4 {
			return Undetermined
		}
		return best
	}
}

func normalizeLangHint(h string) string {
	h = strings.ToLower(strings.TrimSpace(h))
	if i := strings.IndexAny(h, "-_"); i >= 0 {
		h = h[:i]
	}
	return h
}

// detectAmong scores every profile by function words (2 points each) and
// typical endings (1 point each) and returns the best one if it is clearly
// ahead. fallback is returned for a text with no evidence at all but enough
// words to call it (used for Cyrillic, where Russian is the default).
func detectAmong(text string, profiles []langProfile, hint, fallback string) string {
	toks := tokenize(text)
	words := 0
	scores := make([]float64, len(profiles))
	for _, t := range toks {
		if isNumber(t.lower) {
			continue
		}
		words++
		for i, p := range profiles {
			if p.stop[t.lower] {
				scores[i] += 2
				continue
			}
			// Endings of names ("Beijing") say nothing of the language.
			if runeCount(t.lower) < 5 || isCapitalized(t.text) {
				continue
			}
			for _, suf := range p.suffixes {
				if strings.HasSuffix(t.lower, suf) {
					scores[i]++
					break
				}
			}
		}
	}
	if words == 0 {
		return Undetermined
	}
	first, second := -1, -1
	for i := range scores {
		switch {
		case first < 0 || scores[i] > scores[first]:
			first, second = i, first
		case second < 0 || scores[i] > scores[second]:
			second = i
		}
	}
	hinted := -1
	for i, p := range profiles {
		if p.code == hint {
			hinted = i
		}
	}
	top := scores[first]
	if top == 0 {
		if hinted >= 0 {
			return hint
		}
		if fallback != "" && words >= 3 {
			return fallback
		}
		return Undetermined
	}
	runnerUp := 0.0
	if second >= 0 {
		runnerUp = scores[second]
	}
	// A tie, or a near tie in a short text, goes to the hint if it is one
	// of the leaders.
	if hinted >= 0 && scores[hinted] >= top*0.8 {
		return hint
	}
	if top-runnerUp < 1 || (words < 8 && top < 1.5*runnerUp) {
		return Undetermined
	}
	return profiles[first].code
}

// detectCyrillic uses the letters only one of Russian and Ukrainian has,
// then function words; Bulgarian has neither ы nor э and is told apart by
// its words ("да", "че", "ще").
func detectCyrillic(text, hint string) string {
	letters := map[string]int{}
	for _, r := range strings.ToLower(text) {
		if c, ok := cyrillicLetters[r]; ok {
			letters[c]++
		}
	}
	byWords := detectAmong(text, cyrillicProfiles, hint, "")
	switch {
	case letters["uk"] > 0 && letters["uk"] >= letters["ru"]:
		return "uk"
	case letters["ru"] > 0:
		return "ru"
	case byWords != Undetermined:
		return byWords
	case hint == "ru" || hint == "uk" || hint == "bg" || hint == "sr" || hint == "mk" || hint == "be":
		return hint
	}
	if len(tokenize(text)) >= 3 {
		return "ru"
	}
	return Undetermined
}

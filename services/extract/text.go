package extract

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// script classes of a token.
const (
	scriptOther = iota
	scriptLatin
	scriptCyrillic
	scriptHan
)

// token is one word of a text: a run of letters and digits, or a single Han
// character (Chinese has no spaces, so each character is a token).
type token struct {
	text   string // as written
	lower  string // lowercased
	start  int    // byte offset in the text
	end    int    // byte offset just past the token
	script int
}

// tokenize splits s into tokens. Apostrophes, hyphens and punctuation end a
// word ("Putin's" is "Putin", "s"); a token's neighbours are adjacent when
// only spaces separate them (see adjacent).
func tokenize(s string) []token {
	toks := make([]token, 0, len(s)/6)
	start := -1
	script := scriptOther
	flush := func(end int) {
		if start >= 0 {
			w := s[start:end]
			toks = append(toks, token{text: w, lower: strings.ToLower(w), start: start, end: end, script: script})
			start = -1
		}
	}
	for i, r := range s {
		if r < utf8.RuneSelf { // ASCII fast path
			if ('a' <= r && r <= 'z') || ('A' <= r && r <= 'Z') || ('0' <= r && r <= '9') {
				if start < 0 {
					start, script = i, scriptOther
				}
				if script == scriptOther && r > '9' {
					script = scriptLatin
				}
			} else {
				flush(i)
			}
			continue
		}
		switch {
		case unicode.Is(unicode.Han, r):
			flush(i)
			n := i + utf8.RuneLen(r)
			toks = append(toks, token{text: s[i:n], lower: s[i:n], start: i, end: n, script: scriptHan})
		case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r):
			if start < 0 {
				start = i
				script = scriptOther
			}
			if script == scriptOther {
				switch {
				case unicode.Is(unicode.Latin, r):
					script = scriptLatin
				case unicode.Is(unicode.Cyrillic, r):
					script = scriptCyrillic
				}
			}
		default:
			flush(i)
		}
	}
	flush(len(s))
	return toks
}

// adjacent reports whether only spaces separate tokens a and b of s.
func adjacent(s string, a, b token) bool {
	if a.end > b.start {
		return false
	}
	return strings.TrimSpace(s[a.end:b.start]) == ""
}

// hanPair returns the Han characters toks[i] and toks[i+1] as one word
// ("表示", "关系") when the second directly follows the first: Chinese has
// no spaces, so a two-character word comes as two tokens.
func hanPair(toks []token, i int) (string, bool) {
	if i < 0 || i+1 >= len(toks) || toks[i].script != scriptHan || toks[i+1].script != scriptHan || toks[i+1].start != toks[i].end {
		return "", false
	}
	return toks[i].text + toks[i+1].text, true
}

// isNumber reports whether w is made of digits only.
func isNumber(w string) bool {
	if w == "" {
		return false
	}
	for _, r := range w {
		if !unicode.IsDigit(r) {
			return false
		}
	}
	return true
}

// isCapitalized reports whether w starts with an upper-case letter.
func isCapitalized(w string) bool {
	r, _ := utf8.DecodeRuneInString(w)
	return unicode.IsUpper(r)
}

// runeCount is utf8.RuneCountInString, short.
func runeCount(s string) int { return utf8.RuneCountInString(s) }

// stem is a crude, language-blind stemmer for matching and similarity:
// it drops an English plural "s" and cuts Cyrillic words to their first
// six letters, which folds most Russian case endings ("Путина", "Путину").
func stem(t token) string {
	w := t.lower
	switch t.script {
	case scriptLatin:
		if len(w) > 4 && strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") {
			return w[:len(w)-1]
		}
	case scriptCyrillic:
		if runeCount(w) > 6 {
			r := []rune(w)
			return string(r[:6])
		}
	}
	return w
}

// isStopword reports whether w (lowercased) is an English or Russian
// function word.
func isStopword(w string) bool {
	return stopEN[w] || stopRU[w]
}

func wordSet(s string) map[string]bool {
	m := make(map[string]bool)
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

var stopEN = wordSet(`a about above after again against all also am an and any are aren as at be because
been before being below between both but by can cannot could did do does doing don down during each
few for from further had has have having he her here hers herself him himself his how i if in into is
isn it its itself just let me more most my myself no nor not now of off on once only or other ought our
ours ourselves out over own same she should so some such than that the their theirs them themselves
then there these they this those through to too under until up upon very was we were what when where
which while who whom why will with would you your yours yourself yourselves s t ll re ve d m
said says say told according one two three new also us mr mrs ms however since among within without
many much may might must shall per via year years time would could like well even still yet
its into amid across along told week day days monday tuesday wednesday thursday friday saturday sunday`)

var stopRU = wordSet(`и в во не что он на я с со как а то все она так его но да ты к у же вы за бы по только
ее её мне было вот от меня еще ещё нет о из ему теперь когда даже ну вдруг ли если уже или ни быть был него до
вас нибудь опять уж вам ведь там потом себя ничего ей может они тут где есть надо ней для мы тебя их
чем была сам чтоб без будто чего раз тоже себе под будет ж тогда кто этот того потому этого какой
совсем ним здесь этом один почти мой тем чтобы нее сейчас были куда зачем всех никогда можно при
наконец два об другой хоть после над больше тот через эти нас про всего них какая много разве три
эту моя впрочем хорошо свою этой перед иногда лучше чуть том нельзя такой им более всегда конечно
всю между это также который которая которые которого которых также заявил сказал года году год
время свой своей своих является были`)

package store

import (
	"strings"
	"unicode/utf8"
)

// headlineRunes is how much of a summary stands in for a missing title.
const headlineRunes = 90

// Headline is what an article is listed as: its title, or for a page
// that had none (scraped text often starts with the story itself) the
// opening of its summary, cut at a word and marked with an ellipsis;
// "Untitled" when there is neither.
func Headline(title, summary string) string {
	if t := strings.TrimSpace(title); t != "" {
		return t
	}
	s := strings.Join(strings.Fields(summary), " ")
	if s == "" {
		return "Untitled"
	}
	// The first sentence, if it ends soon enough.
	end, stopLen := -1, 0
	for _, stop := range []string{". ", "。", "！", "？"} {
		if i := strings.Index(s, stop); i > 0 && (end < 0 || i < end) {
			end, stopLen = i, len(stop)
		}
	}
	if end > 0 && end+stopLen < len(s) && utf8.RuneCountInString(s[:end]) <= headlineRunes {
		return s[:end] + " …"
	}
	r := []rune(s)
	if len(r) <= headlineRunes {
		return s
	}
	cut := string(r[:headlineRunes])
	if i := strings.LastIndexByte(cut, ' '); i > headlineRunes/2 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ,;:–—-") + " …"
}

package store

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// searchTerm is one element of parsed search text.
type searchTerm struct {
	// Words of the term: one for a word, several for a phrase. Words hold
	// letters and digits only.
	Words []string
	// Prefix matches any word starting with the last word (term*).
	Prefix bool
	// Or joins this term to the previous one with OR instead of AND.
	Or bool
}

// parseSearch turns user search text into terms: words (all required),
// "quoted phrases", prefix terms (term*) and OR between terms. It never
// fails on syntax; text with nothing searchable is ErrInvalidQuery.
// Backends render the terms in their own query language.
func parseSearch(text string) ([]searchTerm, error) {
	var (
		terms     []searchTerm
		or, sawOr bool
	)
	rs := []rune(text)
	for i := 0; i < len(rs); {
		r := rs[i]
		switch {
		case unicode.IsSpace(r):
			i++
		case r == '"':
			j := i + 1
			for j < len(rs) && rs[j] != '"' {
				j++
			}
			inner := string(rs[i+1 : j])
			i = j + 1 // past the closing quote, or the end
			prefix := strings.HasSuffix(strings.TrimSpace(inner), "*")
			if i < len(rs) && rs[i] == '*' {
				prefix = true
				i++
			}
			if w := searchWords(inner); len(w) > 0 {
				terms = append(terms, searchTerm{Words: w, Prefix: prefix, Or: or && len(terms) > 0})
				or = false
			}
		default:
			j := i
			for j < len(rs) && !unicode.IsSpace(rs[j]) && rs[j] != '"' {
				j++
			}
			tok := string(rs[i:j])
			i = j
			if tok == "OR" {
				or, sawOr = true, true
				continue
			}
			w := searchWords(tok)
			if len(w) == 0 {
				continue
			}
			// A token like "U.S." or "Xi's" is a phrase of its parts, as
			// the tokenizer will see it.
			terms = append(terms, searchTerm{Words: w, Prefix: strings.HasSuffix(tok, "*"), Or: or && len(terms) > 0})
			or = false
		}
	}
	if len(terms) == 0 && sawOr {
		// "OR" alone is a word, not an operator.
		terms = append(terms, searchTerm{Words: []string{"OR"}})
	}
	if len(terms) == 0 {
		return nil, &QueryError{"q", fmt.Sprintf("nothing to search for in %q", text)}
	}
	return terms, nil
}

// searchWords splits s into words as the index holds them: runs of
// letters, digits and marks, with each Chinese or Japanese character a
// word of its own (see cjk.go).
func searchWords(s string) []string {
	var out []string
	for _, w := range words(s) {
		out = append(out, splitCJK(w)...)
	}
	return out
}

// words splits s into runs of letters, digits and marks.
func words(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.IsMark(r)
	})
}

// fts5Query renders terms as an FTS5 MATCH expression. Every word is a
// double-quoted string, so no user text is ever read as FTS5 syntax. OR
// binds tighter than the implicit AND: "a b OR c" is a AND (b OR c).
func fts5Query(terms []searchTerm) string {
	return joinTerms(terms, " OR ", " AND ", func(t searchTerm) string {
		// A Russian word matches its other case forms: "Путина" finds
		// "Путин" and "Путину" (FTS5 has no Russian stemmer).
		if len(t.Words) == 1 && !t.Prefix {
			if stem, ok := cyrillicStem(t.Words[0]); ok {
				return `"` + stem + `"*`
			}
		}
		// Words contain no quotes (letters, digits and marks only).
		s := `"` + strings.Join(t.Words, " ") + `"`
		if t.Prefix {
			s += "*"
		}
		return s
	})
}

// russianEndings are Russian case and number endings, longest first.
var russianEndings = []string{"иями", "ями", "ами", "ого", "его", "ому", "ему", "ыми", "ими",
	"ах", "ях", "ой", "ей", "ом", "ем", "ым", "им", "ую", "юю", "ая", "яя", "ое", "ее", "ые", "ие", "ых", "их", "ов", "ев",
	"а", "я", "у", "ю", "е", "ы", "и", "о", "ь", "й"}

// cyrillicStem cuts a Cyrillic word of five letters or more to what its
// case forms share ("Путина" → "Путин", "Китая" → "Кита"), keeping at
// least four letters; ok is false for other words.
func cyrillicStem(w string) (string, bool) {
	r := []rune(w)
	if len(r) < 5 {
		return "", false
	}
	for _, c := range r {
		if !unicode.Is(unicode.Cyrillic, c) {
			return "", false
		}
	}
	lw := strings.ToLower(w)
	for _, e := range russianEndings {
		if n := utf8.RuneCountInString(e); strings.HasSuffix(lw, e) && len(r)-n >= 4 {
			return string(r[:len(r)-n]), true
		}
	}
	return w, true
}

// joinTerms renders each term with render and joins them in a backend's
// syntax: a term marked Or joins the group before it with or, and groups
// join with and, so OR binds tighter than the implicit AND.
func joinTerms(terms []searchTerm, or, and string, render func(searchTerm) string) string {
	var groups [][]string
	for _, t := range terms {
		s := render(t)
		if t.Or && len(groups) > 0 {
			groups[len(groups)-1] = append(groups[len(groups)-1], s)
		} else {
			groups = append(groups, []string{s})
		}
	}
	parts := make([]string, len(groups))
	for i, g := range groups {
		if len(g) == 1 {
			parts[i] = g[0]
		} else {
			parts[i] = "(" + strings.Join(g, or) + ")"
		}
	}
	return strings.Join(parts, and)
}

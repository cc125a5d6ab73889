package store

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Chinese and Japanese are written without spaces, so the full-text
// tokenizers see a whole run of characters as one word and a search for
// 普京 would not find 普京表示. Both backends therefore also index such
// text one character a word ("普 京 表 示"), and a search word in these
// scripts becomes the phrase of its characters.

// isCJK reports whether r is written without spaces between words: Han
// characters and Japanese kana (none of them below U+2E80).
func isCJK(r rune) bool {
	return r >= 0x2E80 && (unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hiragana, r) || unicode.Is(unicode.Katakana, r))
}

// hasCJK reports whether s holds a character isCJK accepts.
func hasCJK(s string) bool {
	for _, r := range s {
		if isCJK(r) {
			return true
		}
	}
	return false
}

// spacedCJK returns the parts joined by newlines with a space around each
// CJK character, or "" when none has one: what the character index holds.
func spacedCJK(parts ...string) string {
	if !slices.ContainsFunc(parts, hasCJK) {
		return ""
	}
	var b strings.Builder
	for i, p := range parts {
		if i > 0 {
			b.WriteByte('\n')
		}
		for _, r := range p {
			if isCJK(r) {
				b.WriteByte(' ')
				b.WriteRune(r)
				b.WriteByte(' ')
				continue
			}
			b.WriteRune(r)
		}
	}
	return b.String()
}

// splitCJK splits a search word into its CJK characters, each a word of
// its own, and the runs of other letters between them: "APEC峰会" →
// "APEC", "峰", "会".
func splitCJK(w string) []string {
	if !hasCJK(w) {
		return []string{w}
	}
	var out []string
	start := 0
	for i, r := range w {
		if isCJK(r) {
			if start < i {
				out = append(out, w[start:i])
			}
			out = append(out, string(r))
			start = i + utf8.RuneLen(r)
		}
	}
	if start < len(w) {
		out = append(out, w[start:])
	}
	return out
}

// cjkJoinable reports whether r is written against CJK text without a
// space: a CJK character, or CJK and full-width punctuation and quotes.
func cjkJoinable(r rune) bool {
	switch {
	case r >= 0x3000 && r <= 0x303F, r >= 0xFF00 && r <= 0xFFEF, r == '“', r == '”', r == '‘', r == '’', r == '…':
		return true
	}
	return isCJK(r)
}

// joinCJK undoes spacedCJK in a snippet: spaces between two CJK
// characters (or CJK punctuation) go, with markup between them ignored,
// and the marks of neighbouring characters merge ("<mark>普</mark>
// <mark>京</mark>" → "<mark>普京</mark>").
func joinCJK(s string) string {
	if !hasCJK(s) {
		return s
	}
	var b strings.Builder
	lastCJK := false // the last character written, tags aside, is CJK
	for i := 0; i < len(s); {
		if s[i] == '<' {
			if j := strings.IndexByte(s[i:], '>'); j > 0 {
				b.WriteString(s[i : i+j+1])
				i += j + 1
				continue
			}
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == ' ' && lastCJK {
			// Skip the spaces if a CJK character follows, past any tags.
			k := i
			for k < len(s) && s[k] == ' ' {
				k++
			}
			next := k
			for next < len(s) && s[next] == '<' {
				j := strings.IndexByte(s[next:], '>')
				if j < 0 {
					break
				}
				next += j + 1
			}
			if nr, _ := utf8.DecodeRuneInString(s[min(next, len(s)):]); next < len(s) && cjkJoinable(nr) {
				i = k
				continue
			}
		}
		b.WriteString(s[i : i+n])
		if r != ' ' {
			lastCJK = cjkJoinable(r)
		}
		i += n
	}
	return strings.TrimSpace(strings.ReplaceAll(b.String(), "</mark><mark>", ""))
}

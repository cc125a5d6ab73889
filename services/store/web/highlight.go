package web

import (
	"html"
	"html/template"
	"regexp"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/newsflow/newsflow/proto"
)

// segment is a run of article text: plain, or a mention of an entity. The
// template escapes Text; no article text is ever marked as safe HTML.
type segment struct {
	Text   string
	Entity *proto.Entity
}

// maxHighlighted bounds the entity names an article's text is searched
// for, most mentioned first.
const maxHighlighted = 300

// highlighter finds mentions of an article's entities in its text.
type highlighter struct {
	re *regexp.Regexp
	// byName maps a lowercased name or alias to its entity.
	byName map[string]*proto.Entity
}

// newHighlighter matches the entities' names and, for people, their
// surnames when no other entity claims the same word. Matching ignores
// case and respects word boundaries in any script.
func newHighlighter(ents []proto.Entity) *highlighter {
	ents = append([]proto.Entity(nil), ents...)
	sort.SliceStable(ents, func(i, j int) bool { return ents[i].Count > ents[j].Count })
	if len(ents) > maxHighlighted {
		ents = ents[:maxHighlighted]
	}
	h := &highlighter{byName: map[string]*proto.Entity{}}
	aliasOwner := map[string]*proto.Entity{}
	ambiguous := map[string]bool{}
	for i := range ents {
		e := &ents[i]
		name := strings.Join(strings.Fields(e.Name), " ")
		if utf8.RuneCountInString(name) < 2 {
			continue
		}
		key := strings.ToLower(name)
		if _, ok := h.byName[key]; !ok {
			h.byName[key] = e
		}
		if e.Type == "person" {
			if f := strings.Fields(name); len(f) > 1 {
				last := f[len(f)-1]
				if utf8.RuneCountInString(last) >= 3 {
					k := strings.ToLower(last)
					if o, ok := aliasOwner[k]; ok && o != e {
						ambiguous[k] = true
					}
					aliasOwner[k] = e
				}
			}
		}
	}
	for k, e := range aliasOwner {
		if _, isName := h.byName[k]; !isName && !ambiguous[k] {
			h.byName[k] = e
		}
	}
	if len(h.byName) == 0 {
		return h
	}
	names := make([]string, 0, len(h.byName))
	for k := range h.byName {
		names = append(names, k)
	}
	// Longest first: the alternation picks the first that matches.
	sort.Slice(names, func(i, j int) bool {
		if len(names[i]) != len(names[j]) {
			return len(names[i]) > len(names[j])
		}
		return names[i] < names[j]
	})
	parts := make([]string, len(names))
	for i, n := range names {
		// Any run of spaces in a name matches any run of spaces in the text.
		parts[i] = strings.Join(splitQuote(n), `\s+`)
	}
	h.re = regexp.MustCompile(`(?i)` + strings.Join(parts, "|"))
	return h
}

func splitQuote(name string) []string {
	f := strings.Fields(name)
	for i := range f {
		f[i] = regexp.QuoteMeta(f[i])
	}
	return f
}

// segments cuts text into plain runs and entity mentions.
func (h *highlighter) segments(text string) []segment {
	if h.re == nil || text == "" {
		return []segment{{Text: text}}
	}
	var out []segment
	pos := 0
	for _, m := range h.re.FindAllStringIndex(text, -1) {
		if !wordBoundary(text, m[0], m[1]) {
			continue
		}
		key := strings.ToLower(strings.Join(strings.Fields(text[m[0]:m[1]]), " "))
		e, ok := h.byName[key]
		if !ok {
			continue // a case fold the lowercasing disagrees with
		}
		if m[0] > pos {
			out = append(out, segment{Text: text[pos:m[0]]})
		}
		out = append(out, segment{Text: text[m[0]:m[1]], Entity: e})
		pos = m[1]
	}
	if pos < len(text) {
		out = append(out, segment{Text: text[pos:]})
	}
	return out
}

// wordBoundary reports whether text[i:j] is not part of a longer word.
func wordBoundary(text string, i, j int) bool {
	if i > 0 {
		r, _ := utf8.DecodeLastRuneInString(text[:i])
		if isWordRune(r) {
			return false
		}
	}
	if j < len(text) {
		r, _ := utf8.DecodeRuneInString(text[j:])
		if isWordRune(r) {
			return false
		}
	}
	return true
}

func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r)
}

// paragraphs splits text at blank lines (or at line breaks if it has none).
func paragraphs(text string) []string {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	parts := strings.Split(text, "\n\n")
	if len(parts) == 1 {
		parts = strings.Split(text, "\n")
	}
	out := parts[:0]
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// markTag matches the only tags a store snippet may contain.
var markTag = regexp.MustCompile(`</?mark>`)

// safeSnippet returns a store snippet as HTML. Stores escape the text and
// add <mark> tags (store.Summary.Snippet); this does not rely on it: every
// run between tags is unescaped and escaped again, and only balanced
// <mark> tags survive.
func safeSnippet(s string) template.HTML {
	var b strings.Builder
	open := false
	pos := 0
	for _, m := range markTag.FindAllStringIndex(s, -1) {
		b.WriteString(html.EscapeString(html.UnescapeString(s[pos:m[0]])))
		closing := s[m[0]+1] == '/'
		switch {
		case !closing && !open:
			b.WriteString("<mark>")
			open = true
		case closing && open:
			b.WriteString("</mark>")
			open = false
		}
		pos = m[1]
	}
	b.WriteString(html.EscapeString(html.UnescapeString(s[pos:])))
	if open {
		b.WriteString("</mark>")
	}
	return template.HTML(b.String()) //nolint:gosec // built from escaped text and <mark> tags only
}

package clean

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/newsflow/newsflow/proto"
)

// listMarker matches a list bullet or number at the start of a line.
var listMarker = regexp.MustCompile(`^(?:[-*•·▪◦]|\d{1,2}[.)])\s+`)

// bylineBy matches "By Jane Doe and John Roe" (also "Written by", "Автор:").
var bylineBy = regexp.MustCompile(`(?i)^(?:written |reported |story |text |words )?(?:by|автор[ы]?:?|текст:)\s+(.{2,120})$`)

// bylineRole matches "Jane Doe, international observer": a capitalised name
// followed by a lowercase role.
var bylineRole = regexp.MustCompile(`^((?:\p{Lu}[\p{L}'’.-]*\s+){1,3}\p{Lu}[\p{L}'’.-]*)\s*[,|–—-]\s*(\p{Ll}[\p{L} ]{2,60})$`)

// textDoc is what the text path reads from a plain-text page.
type textDoc struct {
	title   string
	authors []string
	blocks  []proto.Block
}

// cleanText turns scraped plain text into a title, bylines and blocks.
func cleanText(s string) textDoc {
	s = strings.NewReplacer("\r\n", "\n", "\r", "\n").Replace(s)
	units := textUnits(strings.Split(s, "\n"))

	var doc textDoc
	// Leading furniture, bylines and the headline.
	for len(units) > 0 && isChrome(units[0].Text) {
		units = units[1:]
	}
	if len(units) > 0 && units[0].Kind == "p" && isHeadline(units[0].Text) && !isByline(units[0].Text) {
		doc.title = units[0].Text
		units = units[1:]
	}
	for i := 0; i < len(units) && i < 3; i++ {
		if names, ok := parseByline(units[i].Text); ok {
			doc.authors = append(doc.authors, names...)
			units = append(units[:i:i], units[i+1:]...)
			i--
		}
	}

	blocks := filterBlocks(units, 2)
	// A lone stub before prose is a section heading; stubs at the end are
	// left-overs of furniture (a heading cut off, a teaser).
	for i := range blocks {
		b := &blocks[i]
		if b.Kind == "p" && isStub(b.Text) && !endsEllipsis(b.Text) &&
			i+1 < len(blocks) && !isStub(blocks[i+1].Text) {
			b.Kind = "h"
		}
	}
	for len(blocks) > 0 {
		last := blocks[len(blocks)-1]
		if last.Kind != "h" && !(last.Kind == "p" && isStub(last.Text)) {
			break
		}
		blocks = blocks[:len(blocks)-1]
	}
	doc.blocks = blocks
	return doc
}

// textUnits splits lines into paragraph units. Text with blank lines is
// split on them, and lines inside a paragraph are joined when the text is
// hard-wrapped prose, kept apart otherwise; text without blank lines has
// one paragraph per line.
func textUnits(lines []string) []proto.Block {
	for i, l := range lines {
		lines[i] = normSpace(l)
	}
	blankMode := false
	seen := false
	for i, l := range lines {
		if l != "" {
			seen = true
			continue
		}
		if seen && i+1 < len(lines) && hasTextAfter(lines[i+1:]) {
			blankMode = true
			break
		}
	}
	var units []proto.Block
	add := func(text string) {
		if text == "" {
			return
		}
		kind := "p"
		if m := listMarker.FindString(text); m != "" && len(text) > len(m) {
			kind, text = "li", strings.TrimSpace(text[len(m):])
		}
		units = append(units, proto.Block{Kind: kind, Text: text})
	}
	if !blankMode {
		for _, l := range lines {
			add(l)
		}
		return units
	}
	var para []string
	flush := func() {
		if isWrapped(para) {
			add(strings.Join(para, " "))
		} else {
			for _, l := range para {
				add(l)
			}
		}
		para = para[:0]
	}
	for _, l := range lines {
		if l == "" {
			flush()
			continue
		}
		para = append(para, l)
	}
	flush()
	return units
}

func hasTextAfter(lines []string) bool {
	for _, l := range lines {
		if strings.TrimSpace(l) != "" {
			return true
		}
	}
	return false
}

// isWrapped reports whether the lines of a paragraph are prose broken
// mid-sentence: some line ends without punctuation and the next goes on
// in lowercase.
func isWrapped(lines []string) bool {
	for i := 0; i+1 < len(lines); i++ {
		if endsSentence(lines[i]) || isChrome(lines[i]) {
			continue
		}
		r, _ := utf8.DecodeRuneInString(lines[i+1])
		if unicode.IsLower(r) {
			return true
		}
	}
	return false
}

// isHeadline reports whether a first line reads as a headline: short, one
// clause, not closed by a full stop.
func isHeadline(s string) bool {
	if isChrome(s) || wordCount(s) > 30 || utf8.RuneCountInString(s) > 250 {
		return false
	}
	t := strings.TrimRight(s, "\"'”’» ")
	return !strings.HasSuffix(t, ".") || endsEllipsis(t)
}

func isByline(s string) bool {
	_, ok := parseByline(s)
	return ok
}

// parseByline returns the author names of a byline line.
func parseByline(s string) ([]string, bool) {
	if wordCount(s) > 14 || endsSentence(strings.TrimSuffix(s, ".")) {
		return nil, false
	}
	if strings.HasSuffix(s, ".") && wordCount(s) > 6 {
		return nil, false // "By the quay, the crowd waited for an hour."
	}
	if m := bylineBy.FindStringSubmatch(s); m != nil {
		names := splitAuthors(m[1])
		return names, len(names) > 0
	}
	if m := bylineRole.FindStringSubmatch(s); m != nil && hasRoleWord(m[2]) {
		names := splitAuthors(m[1])
		return names, len(names) > 0
	}
	if textBylineRe.MatchString(s) { // "Von Claudia Lindner", "Par Jean Dupont"
		names := splitAuthors(s)
		return names, len(names) > 0
	}
	return nil, false
}

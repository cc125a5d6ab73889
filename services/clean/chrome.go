package clean

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/newsflow/newsflow/proto"
)

// Chrome is the page furniture that surrounds an article: share widgets,
// read-more links, comment prompts, newsletter and cookie banners, teaser
// lists. The rules below recognise it by shape, never by the exact strings
// of any one site.

// chromeLine matches whole lines that are page furniture.
var chromeLine = regexp.MustCompile(`(?i)^(?:` + strings.Join([]string{
	// share widgets and social links
	`share(?: (?:this|this article|this story|this post|the story|article|on [\p{L}+ ]{1,20}|via [\p{L}+ ]{1,20}))?`,
	`(?:click|tap) to (?:share|print|email).*`,
	`tweet(?: this)?`, `copy(?: the)? link`, `print(?: this)?(?: article| page)?`, `e-?mail(?: this)?(?: article)?`,
	// cross-links with nothing after them
	`read more`, `read also`, `also read`, `read next`, `see also`, `related(?: articles| stories| news)?`,
	`more stories`, `recommended(?: for you)?`, `you (?:may|might) also like`, `most read`, `trending(?: now)?`,
	`читайте также`, `читайте ещё`, `читайте еще`,
	// the same in other languages
	`(?:weitere|neueste|ähnliche|verwandte|mehr) (?:artikel|beiträge|themen|nachrichten|news)`, `auch interessant`,
	`schon gelesen\??`, `lesen sie (?:auch|mehr)`, `das könnte sie auch interessieren`, `mehr zum thema`,
	`(?:lea|lee|leia|lire|leggi|lees|czytaj) (?:también|tambien|más|mais|aussi|anche|ook|także|też|więcej)`,
	`(?:le|te) puede interesar`, `contenido relacionado`, `noticias relacionadas`, `(?:à )?lire aussi`,
	`sur le même sujet`, `veja também`, `zobacz (?:także|też|również)`, `dowiedz się więcej`,
	`neueste kommentare`, `beitragsbild`, `titelbild`, `inhaltsverzeichnis`, `kategorien`, `externer inhalt`,
	`lust auf mehr\??`, `videos zum thema`, `más sobre [\p{L} ]{1,30}`,
	`kommentieren`, `kommentare?`, `teilen`, `drucken`, `anzeige`, `werbung`, `publicidad`, `publicité`,
	// site navigation
	`exit mobile version`, `skip to (?:main )?content`, `(?:back|go|scroll) to top`, `toggle navigation`,
	`(?:main )?menu`, `search`, `close`, `home`, `advertisement`, `advertising`, `ads?`, `sponsored(?: content)?`,
	`loading`, `(?:next|previous|prev)(?: article| story| post)?`, `sign in`, `log ?in`, `register`,
	`subscribe(?: now)?`, `sign up`, `(?:accept|reject|decline)(?: all)?(?: cookies)?`, `(?:ok|got it|i agree)`,
	// comment sections
	`leave a (?:comment|reply)`, `post a comment`, `add (?:a |your )?comment`, `write a comment`,
	`comments?`, `\d+ comments?`, `comments? \(\d+\)`, `(?:view|show|hide|load|read) (?:all )?comments?`,
	`join the (?:conversation|discussion)`, `no comments(?: yet)?`, `be the first to comment.*`,
	`cancel reply`, `reply`, `report`,
	// Russian equivalents
	`поделиться`, `комментари[йи]`, `оставить комментарий`, `реклама`, `подписаться`,
}, "|") + `)[\s.!:…]*$`)

// promptPrefix matches lines that start like a cross-link or prompt and
// then name something else: "READ MORE: …", "See also - …", "Watch: …".
var promptPrefix = regexp.MustCompile(`(?i)^(?:read more|read also|also read|read next|more to read|see also|related(?: articles?| stories| news| coverage| content| posts?)?|recommended(?: for you)?|more from [^:|]{1,40}|more stories|you (?:may|might) also like|don'?t miss|must read|editor'?s picks?|trending(?: now)?|popular|most read|top stories|watch(?: now| video)?|listen|video|photos?|gallery|latest news|breaking|читайте также|читайте ещё|читайте еще|смотрите также|по теме|` +
	`lesen sie (?:auch|mehr)|auch interessant|mehr zum thema|(?:weitere|ähnliche) (?:artikel|beiträge)|` +
	`(?:lea|lee|leia|lire|leggi|lees|czytaj) (?:también|tambien|más|mais|aussi|anche|ook|także|też|więcej)|` +
	`(?:le|te) puede interesar|(?:à )?lire aussi|veja também|zobacz (?:także|też|również)|anzeige|` +
	`vea también|mira|zum weiterlesen|mehr zum thema auf [^:]{1,40})\s*[:\-–—|»›>]`)

// labelLine matches "Label: value" furniture lines: tags, venue, photo credits.
var labelLine = regexp.MustCompile(`(?i)^(?:location|venue|address|tags?|topics?|categor(?:y|ies)|filed under|posted in|sources?|photo(?: credit)?s?|image(?: credit)?s?|pictures?|credits?|keywords|theme|rubric|тэги|теги|фото|источник|` +
	`quellen?|quellenangaben?|bild(?:er|quelle)?|titelbild|beitragsbild|fotos?|abbildung(?: \d+)?|fuente|crédito|` +
	`kategorien?|schlagw(?:ö|o)rter|stichw(?:ö|o)rter|etiquetas|kontakt|release date|letzte änderung|aufrufe)\s*:`)

// commentMarker matches the heading of a comment section; everything after
// it is reader comments or the comment form.
var commentMarker = regexp.MustCompile(`(?i)^(?:leave a (?:comment|reply)|post a comment|add (?:a |your )?comment|write a comment|comments?|\d+ comments?|comments? \(\d+\)|join the (?:conversation|discussion)|комментарии|оставить комментарий)[\s.!:]*$`)

// dateLine matches a line that is only a date and time, perhaps with a
// "Published"/"Updated" label: a dateline, not article text.
var dateLine = regexp.MustCompile(`(?i)^(?:(?:first |last )?(?:published|updated|posted|modified|date|опубликовано|обновлено|veröffentlicht|aktualisiert)(?: on| am)?[:\s]*)?` +
	`(?:\p{L}{3,11}\.?,?\s+)?` + // weekday
	`(?:\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[./]\d{1,2}[./]\d{2,4}|\d{1,2}\.?\s+\p{L}{3,10}\.?,?\s+\d{4}|\p{L}{3,10}\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4})` +
	`(?:\s*(?:,|at|um|в|\||-|–|—)?\s*\d{1,2}[:.]\d{2}(?:[:.]\d{2})?(?:\s*[ap]\.?m\.?)?(?:\s*(?:[A-Z]{2,5}|[+-]\d{2}:?\d{2}))?)?[\s.]*$`)

// strongPhrases mark furniture in any line of up to 60 words.
var strongPhrases = []string{
	"your email address will not be published", "required fields are marked",
	"you must be logged in to post", "sign up for our newsletter", "subscribe to our newsletter",
	"sign up to our newsletter", "sign up for the newsletter", "subscribe to the newsletter",
	"newsletter sign-up", "newsletter signup", "get the latest news delivered",
	"delivered to your inbox", "straight to your inbox", "we use cookies", "this website uses cookies",
	"this site uses cookies", "uses cookies to", "accept all cookies", "cookie settings",
	"by continuing to browse", "by continuing to use", "all rights reserved", "enable javascript",
	"your browser does not support", "already a subscriber", "support our journalism",
	"you have reached your limit", "download our app", "follow us on",
	"click here to subscribe", "to continue reading", "síguenos en", "siguenos en", "folgen sie uns",
	"newsletter abonnieren", "pour lire la suite", "abonnez-vous", "мы используем cookie", "все права защищены",
}

// weakPhrases mark furniture only in short lines (up to 15 words): they
// also occur in real reporting.
var weakPhrases = []string{
	"privacy policy", "cookie policy", "terms of use", "terms of service", "terms and conditions",
	"contact us", "about us", "newsletter", "subscribe", "cookies",
}

// socialWords are names of share targets; a line of only these is a widget.
var socialWords = map[string]bool{
	"facebook": true, "twitter": true, "x": true, "whatsapp": true, "telegram": true, "linkedin": true,
	"email": true, "e": true, "mail": true, "print": true, "reddit": true, "pinterest": true, "vk": true,
	"vkontakte": true, "copy": true, "link": true, "share": true, "tweet": true, "messenger": true,
	"viber": true, "flipboard": true, "tumblr": true, "pocket": true, "threads": true, "bluesky": true,
	"sms": true, "ok": true, "odnoklassniki": true, "weibo": true, "wechat": true, "on": true,
}

// isChrome reports whether a single line or block is page furniture,
// judged on its own.
func isChrome(s string) bool {
	s = strings.TrimSpace(s)
	if s == "" || !hasLetter(s) {
		return true
	}
	if strings.HasPrefix(s, "©") || strings.HasPrefix(strings.ToLower(s), "copyright ©") ||
		strings.HasPrefix(strings.ToLower(s), "(c) ") {
		return true
	}
	if chromeLine.MatchString(s) || promptPrefix.MatchString(s) || dateLine.MatchString(s) {
		return true
	}
	words := wordCount(s)
	if words <= 30 && labelLine.MatchString(s) {
		return true
	}
	lower := strings.ToLower(s)
	if words <= 60 {
		for _, p := range strongPhrases {
			if strings.Contains(lower, p) {
				return true
			}
		}
	}
	if words <= 15 {
		for _, p := range weakPhrases {
			if strings.Contains(lower, p) {
				return true
			}
		}
	}
	if isSocialList(lower) || isCapsLabel(s) {
		return true
	}
	return false
}

// isSocialList reports whether s names only share targets ("Facebook Twitter WhatsApp").
func isSocialList(lower string) bool {
	seen := false
	for i := 0; i < len(lower); {
		r, size := utf8.DecodeRuneInString(lower[i:])
		if !unicode.IsLetter(r) {
			i += size
			continue
		}
		j := i + size
		for j < len(lower) {
			r, size := utf8.DecodeRuneInString(lower[j:])
			if !unicode.IsLetter(r) {
				break
			}
			j += size
		}
		if !socialWords[lower[i:j]] {
			return false
		}
		seen, i = true, j
	}
	return seen
}

// isCapsLabel reports whether s is a short all-capitals label
// ("ADVERTISEMENT", "TOP STORIES") without sentence punctuation.
func isCapsLabel(s string) bool {
	if wordCount(s) > 6 || endsSentence(s) {
		return false
	}
	letters := 0
	for _, r := range s {
		if unicode.IsLetter(r) {
			if unicode.IsLower(r) {
				return false
			}
			letters++
		}
	}
	return letters >= 3
}

// isStub reports whether s is a fragment rather than prose: a line with no
// sentence punctuation at its end, or a teaser cut off with an ellipsis.
// Stubs alone are headings; stubs in a row are teaser lists or navigation.
func isStub(s string) bool {
	w := wordCount(s)
	if endsEllipsis(s) {
		return w <= 40
	}
	return !endsSentence(s) && w <= 20
}

// endsSentence reports whether s ends with sentence punctuation, looking
// past closing quotes and brackets.
func endsSentence(s string) bool {
	s = strings.TrimRightFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || strings.ContainsRune("\"'”’»)]*", r)
	})
	r, _ := utf8.DecodeLastRuneInString(s)
	return strings.ContainsRune(".!?:;。！？", r) && !endsEllipsis(s)
}

// endsEllipsis reports whether s is cut off with "…" or "...".
func endsEllipsis(s string) bool {
	s = strings.TrimSpace(s)
	return strings.HasSuffix(s, "…") || strings.HasSuffix(s, "...")
}

func hasLetter(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) {
			return true
		}
	}
	return false
}

func wordCount(s string) int {
	n, cjk, in := 0, 0, false
	for _, r := range s {
		if unicode.IsSpace(r) {
			if in {
				n += max(1, (cjk+1)/2)
			}
			cjk, in = 0, false
			continue
		}
		in = true
		// Chinese and Japanese write no spaces: count about one word per
		// two ideographs or kana, so that a sentence is not one "word".
		if r >= 0x1100 && isCJK(r) {
			cjk++
		}
	}
	if in {
		n += max(1, (cjk+1)/2)
	}
	return n
}

func isCJK(r rune) bool {
	return unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hiragana, r) || unicode.Is(unicode.Katakana, r) || unicode.Is(unicode.Hangul, r)
}

// filterBlocks drops page furniture from blocks in document order:
// furniture lines, everything after a comment-section heading, runs of
// ellipsis teasers, runs of minRun or more stub paragraphs (none when
// minRun is 0: in an extracted article such runs are more often table
// rows, recipe steps or verse than teasers), a run of stubs after the
// last sentence (a teaser list), and headings left with no text after
// them.
func filterBlocks(blocks []proto.Block, minRun int) []proto.Block {
	kept := make([]proto.Block, 0, len(blocks))
	prose := 0
	for _, b := range blocks {
		if commentMarker.MatchString(strings.TrimSpace(b.Text)) && prose > 0 {
			break
		}
		if isChrome(b.Text) {
			continue
		}
		if b.Kind == "p" && !isStub(b.Text) {
			prose++
		}
		kept = append(kept, b)
	}
	kept = dropRuns(kept, func(b proto.Block) bool { return endsEllipsis(b.Text) && isStub(b.Text) }, 2)
	if minRun > 0 {
		kept = dropRuns(kept, func(b proto.Block) bool { return b.Kind == "p" && isStub(b.Text) }, minRun)
	}
	// Headline stubs after the article's last sentence are a teaser list
	// of other stories.
	tail := len(kept)
	for tail > 0 && kept[tail-1].Kind != "li" && isStub(kept[tail-1].Text) {
		tail--
	}
	if len(kept)-tail >= 2 && tail > 0 {
		kept = kept[:tail]
	}
	for len(kept) > 0 && kept[len(kept)-1].Kind == "h" {
		kept = kept[:len(kept)-1]
	}
	return kept
}

// dropRuns removes every run of at least n consecutive blocks matching f.
func dropRuns(blocks []proto.Block, f func(proto.Block) bool, n int) []proto.Block {
	out := blocks[:0:0]
	for i := 0; i < len(blocks); {
		if !f(blocks[i]) {
			out = append(out, blocks[i])
			i++
			continue
		}
		j := i
		for j < len(blocks) && f(blocks[j]) {
			j++
		}
		if j-i < n {
			out = append(out, blocks[i:j]...)
		}
		i = j
	}
	return out
}

// normSpace collapses runs of white space (including no-break and
// zero-width spaces) to single spaces and trims the ends.
func normSpace(s string) string {
	if isNormSpace(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		switch {
		case r == '\u200b' || r == '\u200c' || r == '\u200d' || r == '\ufeff' || r == '\u00ad':
			continue
		case unicode.IsSpace(r):
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}

// isNormSpace reports whether normSpace would return s unchanged: no white
// space at the ends, no space but single ASCII spaces inside, no
// zero-width characters.
func isNormSpace(s string) bool {
	prevSpace := true // no space at the start
	for _, r := range s {
		switch {
		case r == ' ':
			if prevSpace {
				return false
			}
			prevSpace = true
		case r == '\u200b' || r == '\u200c' || r == '\u200d' || r == '\ufeff' || r == '\u00ad' || r == utf8.RuneError:
			return false
		case unicode.IsSpace(r):
			return false
		default:
			prevSpace = false
		}
	}
	return !prevSpace || s == ""
}

// Package textenc converts page bytes in any charset to UTF-8.
package textenc

import (
	"bytes"
	"mime"
	"regexp"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html/charset"
)

// metaCharset finds a charset declared in a <meta> tag near the top of a page.
var metaCharset = regexp.MustCompile(`(?i)<meta[^>]+charset\s*=\s*["']?\s*([a-z0-9_:.\-]+)`)

// prescanBytes is how much of a page is searched for a <meta> charset.
const prescanBytes = 4096

// ToUTF8 returns b as valid UTF-8 and the name of the charset it was read
// as. contentType is the HTTP Content-Type (may be empty); with isHTML, a
// <meta charset> in the page counts as a declaration too.
//
// A byte-order mark decides first. Then bytes that are already valid UTF-8
// are taken as UTF-8 whatever the page declares: declarations are often
// stale, and non-ASCII text in a legacy charset is almost never valid UTF-8
// by accident. Otherwise the declared charset is used, and when nothing is
// declared: windows-1251 if the bytes look Cyrillic, else windows-1252.
// Invalid sequences become U+FFFD; ToUTF8 never fails.
func ToUTF8(b []byte, contentType string, isHTML bool) ([]byte, string) {
	switch {
	case bytes.HasPrefix(b, []byte("\xef\xbb\xbf")):
		return bytes.ToValidUTF8(b[3:], []byte("\uFFFD")), "utf-8"
	case bytes.HasPrefix(b, []byte("\xfe\xff")), bytes.HasPrefix(b, []byte("\xff\xfe")):
		if s, ok := decodeWith(b, "utf-16"); ok {
			return bytes.TrimPrefix(s, []byte("\uFEFF")), "utf-16"
		}
	}
	if utf8.Valid(b) {
		return b, "utf-8"
	}
	if label := declared(b, contentType, isHTML); label != "" {
		if _, name := charset.Lookup(label); name == "utf-8" {
			return bytes.ToValidUTF8(b, []byte("\uFFFD")), "utf-8"
		}
		if s, ok := decodeWith(b, label); ok {
			_, name := charset.Lookup(label)
			return s, name
		}
	}
	label := "windows-1252"
	if looksCyrillic1251(b) {
		label = "windows-1251"
	}
	if s, ok := decodeWith(b, label); ok {
		return s, label
	}
	return bytes.ToValidUTF8(b, []byte("\uFFFD")), "utf-8"
}

// declared returns the charset label from the Content-Type header, or else
// (for HTML) from a <meta> tag, or "".
func declared(b []byte, contentType string, isHTML bool) string {
	if contentType != "" {
		if _, params, err := mime.ParseMediaType(contentType); err == nil {
			if cs := strings.TrimSpace(params["charset"]); cs != "" {
				if e, _ := charset.Lookup(cs); e != nil {
					return cs
				}
			}
		}
	}
	if !isHTML {
		return ""
	}
	head := b[:min(len(b), prescanBytes)]
	if m := metaCharset.FindSubmatch(head); m != nil {
		if e, _ := charset.Lookup(string(m[1])); e != nil {
			return string(m[1])
		}
	}
	return ""
}

// decodeWith decodes b from the charset named label.
func decodeWith(b []byte, label string) ([]byte, bool) {
	e, _ := charset.Lookup(label)
	if e == nil {
		return nil, false
	}
	out, err := e.NewDecoder().Bytes(b)
	if err != nil {
		return nil, false
	}
	return bytes.ToValidUTF8(out, []byte("\uFFFD")), true
}

// looksCyrillic1251 reports whether b reads as Cyrillic text in
// windows-1251: most high bytes sit in runs of three or more letters
// (0xC0-0xFF, Ё 0xA8, ё 0xB8), as words do in Russian; accented Latin
// letters in windows-1252 text come one or two at a time.
func looksCyrillic1251(b []byte) bool {
	isLetter := func(c byte) bool { return c >= 0xC0 || c == 0xA8 || c == 0xB8 }
	high, inRuns, run := 0, 0, 0
	flush := func() {
		if run >= 3 {
			inRuns += run
		}
		run = 0
	}
	for _, c := range b {
		if c >= 0x80 {
			high++
		}
		if isLetter(c) {
			run++
			continue
		}
		flush()
	}
	flush()
	return high >= 8 && inRuns*2 >= high
}

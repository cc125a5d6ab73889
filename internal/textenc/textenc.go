// Package textenc converts page bytes in any charset to UTF-8.
package textenc

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/transform"
)

// ToUTF8 decodes b to UTF-8 and returns the charset it was read as. The
// charset comes from, in order: a byte-order mark, the Content-Type's
// charset parameter, a <meta> charset declaration in the first 1024 bytes
// (for HTML), and, when nothing is declared, a guess: valid UTF-8 stays as
// it is, text that reads as Cyrillic in windows-1251 is that, anything else
// is windows-1252.
func ToUTF8(b []byte, contentType string, isHTML bool) ([]byte, string, error) {
	enc, name := declared(b, contentType, isHTML)
	if enc == nil {
		enc, name = guess(b)
	}
	if name == "utf-8" {
		b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
		if !utf8.Valid(b) {
			b = bytes.ToValidUTF8(b, []byte("\uFFFD"))
		}
		return b, name, nil
	}
	out, _, err := transform.Bytes(enc.NewDecoder(), b)
	if err != nil {
		return nil, name, fmt.Errorf("decode %s: %w", name, err)
	}
	return out, name, nil
}

func declared(b []byte, contentType string, isHTML bool) (encoding.Encoding, string) {
	if !isHTML {
		// For text, only the header or a BOM count: no <meta> prescan.
		if bytes.HasPrefix(b, []byte("\xef\xbb\xbf")) {
			return encoding.Nop, "utf-8"
		}
		if i := strings.Index(strings.ToLower(contentType), "charset="); i >= 0 {
			label := strings.Trim(strings.TrimSpace(contentType[i+len("charset="):]), `"'; `)
			if enc, name := charset.Lookup(label); enc != nil {
				return enc, normalize(name)
			}
		}
		return nil, ""
	}
	enc, name, certain := charset.DetermineEncoding(b, contentType)
	if !certain && name == "windows-1252" {
		// DetermineEncoding's answer when nothing is declared.
		return nil, ""
	}
	return enc, normalize(name)
}

func normalize(name string) string {
	name = strings.ToLower(name)
	if name == "utf8" {
		return "utf-8"
	}
	return name
}

// guess picks a charset for bytes that declare none.
func guess(b []byte) (encoding.Encoding, string) {
	if utf8.Valid(b) {
		return encoding.Nop, "utf-8"
	}
	// windows-1251 puts Cyrillic letters at 0xC0-0xFF; in windows-1252
	// those are accented Latin letters, which never outnumber the plain
	// ASCII letters of a Latin text.
	var ascii, cyr int
	for _, c := range b {
		switch {
		case c >= 0xC0:
			cyr++
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			ascii++
		}
	}
	if cyr > ascii {
		return charmap.Windows1251, "windows-1251"
	}
	return charmap.Windows1252, "windows-1252"
}

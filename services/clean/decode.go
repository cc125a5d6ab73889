package clean

import "github.com/newsflow/newsflow/internal/textenc"

// decodeBody returns b as UTF-8 text and the charset it was read as; see
// textenc.ToUTF8 for the rules.
func decodeBody(b []byte, contentType string, scanMeta bool) (string, string) {
	s, cs := textenc.ToUTF8(b, contentType, scanMeta)
	return string(s), cs
}

package clean

import "github.com/newsflow/newsflow/internal/textenc"

// decodeBody returns b as UTF-8 text and the charset it was read as; see
// textenc.ToUTF8 for the rules.
func decodeBody(b []byte, contentType string, scanMeta bool) (string, string) {
	s, cs := textenc.ToUTF8(b, contentType, scanMeta)
	return string(s), cs
}

// decodeBytes is decodeBody without the copy into a string: the result
// may be b itself, so the caller must not keep it past b's life.
func decodeBytes(b []byte, contentType string, scanMeta bool) ([]byte, string) {
	return textenc.ToUTF8(b, contentType, scanMeta)
}

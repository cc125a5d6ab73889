package extract

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash/fnv"
	"strings"
)

// MinHash parameters. A fingerprint is numHashes 32-bit minimums, each
// written as 8 hex digits (512 characters in all).
const (
	numHashes   = 64
	shingleSize = 3
	hexPerHash  = 8
)

// hashSeeds are fixed so that fingerprints stay comparable across
// processes and releases. Changing them (or numHashes) makes every stored
// fingerprint incomparable with new ones: it needs a replay.
var hashSeeds = func() [numHashes]uint64 {
	var s [numHashes]uint64
	x := uint64(0x6e657773666c6f77) // "newsflow"
	for i := range s {
		x = splitmix64(x)
		s[i] = x
	}
	return s
}()

func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// Fingerprint returns the MinHash signature of text, hex-encoded: 64 hash
// functions over the word 3-shingles of the lowercased text without
// punctuation (Han characters count as words). Texts with no words give "".
func Fingerprint(text string) string {
	toks := tokenize(text)
	if len(toks) == 0 {
		return ""
	}
	var mins [numHashes]uint32
	for i := range mins {
		mins[i] = ^uint32(0)
	}
	n := len(toks) - shingleSize + 1
	if n < 1 {
		n = 1 // fewer words than a shingle: the whole text is one shingle
	}
	h := fnv.New64a()
	for i := 0; i < n; i++ {
		h.Reset()
		for j := i; j < i+shingleSize && j < len(toks); j++ {
			h.Write([]byte(toks[j].lower))
			h.Write([]byte{0})
		}
		base := h.Sum64()
		for k := range mins {
			if v := uint32(splitmix64(base ^ hashSeeds[k])); v < mins[k] {
				mins[k] = v
			}
		}
	}
	buf := make([]byte, 4*numHashes)
	for k, v := range mins {
		binary.BigEndian.PutUint32(buf[4*k:], v)
	}
	return hex.EncodeToString(buf)
}

// validFingerprint reports whether fp looks like a Fingerprint result.
func validFingerprint(fp string) bool {
	if len(fp) != numHashes*hexPerHash {
		return false
	}
	_, err := hex.DecodeString(fp)
	return err == nil
}

// Similarity estimates the Jaccard similarity of the texts behind two
// fingerprints: the share of hash functions whose minimums agree. Invalid
// or empty fingerprints are similar to nothing (0).
func Similarity(a, b string) float64 {
	if !validFingerprint(a) || !validFingerprint(b) {
		return 0
	}
	same := 0
	for k := 0; k < numHashes; k++ {
		i := k * hexPerHash
		if strings.EqualFold(a[i:i+hexPerHash], b[i:i+hexPerHash]) {
			same++
		}
	}
	return float64(same) / numHashes
}

// Bands splits fp into n locality-sensitive-hashing bands and returns one
// key per band ("b03:00f1…", band number and a hash of its rows); two fingerprints sharing any key are
// candidate near duplicates, to be confirmed with Similarity. With 64
// hashes, n = 16 (4 rows a band) finds pairs of similarity 0.7 with
// probability ~0.98 and pairs of 0.3 with ~0.12. n must be in [1, 64];
// rows left over when n does not divide 64 are ignored. An invalid fp or n
// gives nil.
func Bands(fp string, n int) []string {
	if !validFingerprint(fp) || n < 1 || n > numHashes {
		return nil
	}
	rows := numHashes / n
	fp = strings.ToLower(fp)
	keys := make([]string, 0, n)
	h := fnv.New64a()
	for b := 0; b < n; b++ {
		h.Reset()
		h.Write([]byte(fp[b*rows*hexPerHash : (b+1)*rows*hexPerHash]))
		keys = append(keys, fmt.Sprintf("b%02d:%016x", b, h.Sum64()))
	}
	return keys
}

package store

import (
	"hash/fnv"
	"strings"
)

// Near-duplicate clustering. A fingerprint is a MinHash signature written
// as hex, 8 hex characters per slot; the store treats it as opaque text.
// It is cut into bands of equal slots (locality-sensitive hashing): two
// articles sharing a band are candidates, and a candidate whose estimated
// Jaccard similarity (the fraction of equal slots) reaches
// DuplicateThreshold is a duplicate.
const (
	// DuplicateThreshold is the estimated Jaccard similarity from which two
	// articles are near-duplicates.
	DuplicateThreshold = 0.6
	// slotHex is the number of hex characters per signature slot.
	slotHex = 8
	// lshBands is the number of bands a signature is cut into.
	lshBands = 16
	// candidatesPerKey bounds the stored articles looked at for each band
	// an article shares.
	candidatesPerKey = 64
)

// band is one LSH band of a fingerprint: its index and a hash of its slots.
type band struct {
	Index int
	Key   int64
}

// fingerprintBands cuts fp into up to lshBands bands of equal size. A
// fingerprint shorter than one slot has no bands (its article stays alone).
func fingerprintBands(fp string) []band {
	fp = strings.ToLower(fp)
	slots := len(fp) / slotHex
	if slots == 0 {
		return nil
	}
	n := min(lshBands, slots)
	per := slots / n
	bands := make([]band, 0, n)
	for i := range n {
		h := fnv.New64a()
		h.Write([]byte{byte(i), byte(slots), byte(slots >> 8), ':'})
		h.Write([]byte(fp[i*per*slotHex : (i+1)*per*slotHex]))
		bands = append(bands, band{Index: i, Key: int64(h.Sum64())})
	}
	return bands
}

// similarity estimates the Jaccard similarity of two fingerprints: the
// fraction of equal slots. Fingerprints of different lengths are unrelated.
func similarity(a, b string) float64 {
	if len(a) != len(b) || len(a) < slotHex {
		return 0
	}
	slots := len(a) / slotHex
	equal := 0
	for i := range slots {
		if strings.EqualFold(a[i*slotHex:(i+1)*slotHex], b[i*slotHex:(i+1)*slotHex]) {
			equal++
		}
	}
	return float64(equal) / float64(slots)
}

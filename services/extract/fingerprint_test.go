package extract

import (
	"strings"
	"testing"
)

func TestSimilarity(t *testing.T) {
	article := mustRead(t, "testdata/summit.txt")
	edited := strings.Replace(article,
		"Officials from both sides described the meeting as warm and businesslike.",
		"Officials on both sides called the meeting friendly and productive.", 1) + " (Reuters)"
	if edited == article+" (Reuters)" {
		t.Fatal("edit did not apply")
	}
	tests := []struct {
		name     string
		a, b     string
		min, max float64
	}{
		{name: "identical", a: article, b: article, min: 1, max: 1},
		{name: "near duplicate", a: article, b: edited, min: 0.7, max: 1},
		{name: "case and punctuation ignored", a: "Putin visited China, on Thursday!", b: "putin visited china on thursday", min: 1, max: 1},
		{name: "unrelated", a: article, b: mustRead(t, "testdata/football.txt"), min: 0, max: 0.1},
		{name: "empty", a: "", b: article, min: 0, max: 0},
		{name: "both empty", a: "", b: "", min: 0, max: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Similarity(Fingerprint(tt.a), Fingerprint(tt.b))
			if got < tt.min || got > tt.max {
				t.Errorf("Similarity = %v; want in [%v, %v]", got, tt.min, tt.max)
			}
		})
	}
}

func TestFingerprintFormat(t *testing.T) {
	if got := Fingerprint(""); got != "" {
		t.Errorf("Fingerprint(\"\") = %q; want \"\"", got)
	}
	if got := Fingerprint("?!,."); got != "" {
		t.Errorf("Fingerprint(punctuation) = %q; want \"\"", got)
	}
	for _, s := range []string{"one", "two words", "普京访问中国", mustRead(t, "testdata/summit.txt")} {
		fp := Fingerprint(s)
		if !validFingerprint(fp) {
			t.Errorf("Fingerprint(%.20q) = %q: not %d hex digits", s, fp, numHashes*hexPerHash)
		}
		if fp != Fingerprint(s) {
			t.Errorf("Fingerprint(%.20q) is not deterministic", s)
		}
	}
}

func TestSimilarityInvalid(t *testing.T) {
	fp := Fingerprint("Putin visited China on Thursday")
	for _, bad := range []string{"", "zz", fp[:len(fp)-1], strings.Repeat("g", len(fp))} {
		if got := Similarity(fp, bad); got != 0 {
			t.Errorf("Similarity(fp, %.10q) = %v; want 0", bad, got)
		}
	}
}

func TestBands(t *testing.T) {
	article := mustRead(t, "testdata/summit.txt")
	a := Fingerprint(article)
	b := Fingerprint(article + " (Reuters)")
	c := Fingerprint(mustRead(t, "testdata/football.txt"))
	tests := []struct {
		name string
		fp   string
		n    int
		want int
	}{
		{name: "16 bands", fp: a, n: 16, want: 16},
		{name: "one band", fp: a, n: 1, want: 1},
		{name: "every hash", fp: a, n: 64, want: 64},
		{name: "uneven", fp: a, n: 5, want: 5},
		{name: "zero", fp: a, n: 0, want: 0},
		{name: "too many", fp: a, n: 65, want: 0},
		{name: "invalid", fp: "abc", n: 16, want: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Bands(tt.fp, tt.n); len(got) != tt.want {
				t.Errorf("len(Bands(fp, %d)) = %d; want %d", tt.n, len(got), tt.want)
			}
		})
	}
	shared := func(x, y []string) int {
		set := map[string]bool{}
		for _, k := range x {
			set[k] = true
		}
		n := 0
		for _, k := range y {
			if set[k] {
				n++
			}
		}
		return n
	}
	if n := shared(Bands(a, 16), Bands(b, 16)); n == 0 {
		t.Errorf("near duplicates share %d bands; want > 0", n)
	}
	if n := shared(Bands(a, 16), Bands(c, 16)); n != 0 {
		t.Errorf("unrelated texts share %d bands; want 0", n)
	}
	if got := Bands(strings.ToUpper(a), 16); got[0] != Bands(a, 16)[0] {
		t.Errorf("Bands is case-sensitive in hex: %q vs %q", got[0], Bands(a, 16)[0])
	}
}

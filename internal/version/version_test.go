package version

import (
	"strings"
	"testing"
)

func TestStamp(t *testing.T) {
	tests := []struct{ in, stage, algo, wantSteps string }{
		{"", "ingest", "1", "ingest/1"},
		{"newsflow 0.9+abc fetch/1", "clean", "2", "fetch/1 clean/2"},
		{"newsflow dev fetch/1 clean/1 extract/1", "extract", "2", "fetch/1 clean/1 extract/2"},
		{"fetch/1", "clean", "1", "fetch/1 clean/1"},
	}
	for _, tt := range tests {
		got := Stamp(tt.in, tt.stage, tt.algo)
		want := "newsflow " + Build() + " " + tt.wantSteps
		if got != want {
			t.Errorf("Stamp(%q, %q, %q) = %q; want %q", tt.in, tt.stage, tt.algo, got, want)
		}
		if strings.Count(got, "newsflow") != 1 {
			t.Errorf("Stamp(%q) = %q names the build twice", tt.in, got)
		}
	}
}

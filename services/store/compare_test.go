package store_test

import (
	"testing"

	"github.com/newsflow/newsflow/services/store"
)

func TestComparePipelineVersions(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"newsflow dev ingest/1 clean/1 extract/2", "newsflow dev ingest/1 clean/1 extract/1", 1},
		{"newsflow 1.0+aaa ingest/1 clean/1 extract/1", "newsflow 1.0+fff ingest/1 clean/1 extract/2", -1},
		{"newsflow dev clean/1 extract/10", "newsflow dev clean/1 extract/9", 1},
		{"newsflow 2.0 clean/1 extract/1", "newsflow 1.0 clean/1 extract/1", 0},
		{"newsflow dev clean/2 extract/1", "newsflow dev clean/1 extract/2", 0},
		{"newsflow dev fetch/1 clean/1 extract/1", "newsflow dev ingest/1 clean/1 extract/1", 0},
		{"v2", "v1", 1},
		{"v1", "v1", 0},
	}
	for _, tt := range tests {
		if got := store.ComparePipelineVersions(tt.a, tt.b); got != tt.want {
			t.Errorf("ComparePipelineVersions(%q, %q) = %d; want %d", tt.a, tt.b, got, tt.want)
		}
		if got := store.ComparePipelineVersions(tt.b, tt.a); got != -tt.want {
			t.Errorf("ComparePipelineVersions(%q, %q) = %d; want %d", tt.b, tt.a, got, -tt.want)
		}
	}
}

package extract

import (
	"slices"
	"strings"
	"testing"
)

func TestKeywords(t *testing.T) {
	tests := []struct {
		name     string
		title    string
		text     string
		min, max int
		want     []string // must be among the keywords
		not      []string // must not be
	}{
		{name: "empty", text: "", min: 0, max: 0},
		{name: "garbage", text: "!!! ### 123 456 ...", min: 0, max: 0},
		{
			name:  "english article",
			title: "Putin and Xi pledge deeper partnership at Beijing summit",
			text:  mustRead(t, "testdata/summit.txt"),
			min:   5, max: 8,
			want: []string{"putin", "beijing", "china"},
			not:  []string{"the", "said", "and"},
		},
		{
			name: "football",
			text: mustRead(t, "testdata/football.txt"),
			min:  5, max: 8,
			want: []string{"rovers", "cup final"},
		},
		{
			name: "russian",
			text: mustRead(t, "testdata/summit_ru.txt"),
			min:  5, max: 8,
			not: []string{"и", "в", "не", "после"},
		},
		{
			name: "bigram covers its words",
			text: "Xi Jinping met Putin. Xi Jinping spoke. Later Xi Jinping left. The talks with Xi Jinping ended.",
			min:  1, max: 8,
			want: []string{"xi jinping"},
			not:  []string{"jinping"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Keywords(tt.title, tt.text)
			if len(got) < tt.min || len(got) > tt.max {
				t.Errorf("Keywords() = %q (%d); want %d to %d", got, len(got), tt.min, tt.max)
			}
			for _, w := range tt.want {
				if !slices.Contains(got, w) {
					t.Errorf("Keywords() = %q; want %q among them", got, w)
				}
			}
			for _, w := range tt.not {
				if slices.Contains(got, w) {
					t.Errorf("Keywords() = %q; want no %q", got, w)
				}
			}
			for _, w := range got {
				if w != strings.ToLower(w) {
					t.Errorf("keyword %q is not lowercase", w)
				}
			}
		})
	}
}

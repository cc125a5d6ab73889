package extract

import (
	"strings"
	"testing"
)

func TestSentences(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []string
	}{
		{name: "empty", text: "", want: nil},
		{name: "spaces", text: "  \n\n ", want: nil},
		{name: "two", text: "Putin arrived. Xi met him.", want: []string{"Putin arrived.", "Xi met him."}},
		{
			name: "abbreviations",
			text: "Mr. Putin met the U.S. envoy on Friday. Trade rose 3.5 percent. Dr. J. Smith agreed.",
			want: []string{"Mr. Putin met the U.S. envoy on Friday.", "Trade rose 3.5 percent.", "Dr. J. Smith agreed."},
		},
		{
			name: "quotes and questions",
			text: `"We are friends," he said. Is it true? "Yes." It is.`,
			want: []string{`"We are friends," he said.`, "Is it true?", `"Yes."`, "It is."},
		},
		{name: "lowercase after period", text: "Prices rose ca. five times. Fine.", want: []string{"Prices rose ca. five times.", "Fine."}},
		{name: "lines", text: "Heading\nFirst line. Second line", want: []string{"Heading", "First line.", "Second line"}},
		{name: "chinese", text: "普京抵达北京。两国元首举行会谈！", want: []string{"普京抵达北京。", "两国元首举行会谈！"}},
		{name: "russian", text: "Путин прибыл в Пекин. Си встретил его.", want: []string{"Путин прибыл в Пекин.", "Си встретил его."}},
		{name: "numbers", text: "It cost $2.4 billion. Then 12.5% more.", want: []string{"It cost $2.4 billion.", "Then 12.5% more."}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ss := Sentences(tt.text)
			var got []string
			for _, s := range ss {
				got = append(got, s.text)
				if tt.text[s.start:s.end] != s.text {
					t.Errorf("sentence %q has offsets [%d,%d) = %q", s.text, s.start, s.end, tt.text[s.start:s.end])
				}
			}
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("Sentences(%q) = %q; want %q", tt.text, got, tt.want)
			}
		})
	}
}

func TestSummary(t *testing.T) {
	summit := mustRead(t, "testdata/summit.txt")
	title := "Putin and Xi pledge deeper partnership at Beijing summit"
	tests := []struct {
		name         string
		title, text  string
		minS, maxS   int
		mustContain  string
		mustNotStart string
	}{
		{name: "empty", text: "", minS: 0, maxS: 0},
		{name: "garbage", text: "### !!! ...", minS: 0, maxS: 1},
		{name: "article", title: title, text: summit, minS: 2, maxS: 3, mustContain: "Russian President Vladimir Putin arrived in Beijing", mustNotStart: title},
		{name: "russian", text: mustRead(t, "testdata/summit_ru.txt"), minS: 2, maxS: 3, mustContain: "Путин"},
		{name: "chinese", text: mustRead(t, "testdata/summit_zh.txt"), minS: 2, maxS: 3, mustContain: "普京"},
		{name: "one short sentence", text: "Putin arrived.", minS: 1, maxS: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kw := Keywords(tt.title, tt.text)
			got := Summary(tt.title, tt.text, kw)
			n := len(Sentences(strings.ReplaceAll(got, "。", "。\n")))
			if got == "" {
				n = 0
			}
			if n < tt.minS || n > tt.maxS {
				t.Errorf("Summary() = %q: %d sentences; want %d to %d", got, n, tt.minS, tt.maxS)
			}
			if tt.mustContain != "" && !strings.Contains(got, tt.mustContain) {
				t.Errorf("Summary() = %q; want it to contain %q", got, tt.mustContain)
			}
			if tt.mustNotStart != "" && strings.HasPrefix(got, tt.mustNotStart) {
				t.Errorf("Summary() = %q starts with the title", got)
			}
		})
	}
}

func TestWordCount(t *testing.T) {
	tests := []struct {
		text string
		want int
	}{
		{"", 0},
		{"  !!! ", 0},
		{"Putin visited China", 3},
		{"Putin's visit, in 2024.", 5}, // Putin, s, visit, in, 2024
		{"Путин прибыл в Пекин", 4},
		{"普京访问中国", 6},
		{"普京 visited 中国", 5},
	}
	for _, tt := range tests {
		if got := WordCount(tt.text); got != tt.want {
			t.Errorf("WordCount(%q) = %d; want %d", tt.text, got, tt.want)
		}
	}
}

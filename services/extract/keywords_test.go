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
		names    []string // people the text names
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
		{
			name: "words of any story are not key phrases alone",
			text: "The president travelled to the region. The president said the countries were key partners. " +
				"Russian officials travelled too. The countries largely agreed. Russian gas was discussed. " +
				"The state visit began on Monday, and the state visit ended on Tuesday. Gas prices largely held.",
			min: 1, max: 8,
			want: []string{"state visit", "gas"},
			not:  []string{"president", "countries", "key", "russian", "travelled", "largely", "officials", "state"},
		},
		{
			name: "russian words of any story",
			text: "Президент прибыл в Казань. Президент провёл встречу с губернатором. Губернатор заявил о новом газопроводе. " +
				"Газопровод построят за три года. Новый газопровод прибыл в планы. Казань ждёт газопровод.",
			min: 1, max: 8,
			want: []string{"газопровод"},
			not:  []string{"президент", "прибыл", "заявил", "новом", "новый"},
		},
		{
			name:  "a surname stands for the full name",
			text:  "Analyst Tatiana Mitrova spoke first. Mitrova said gas talks stalled. Mitrova expects a deal. Gas is cheap, Mitrova added.",
			names: []string{"Tatiana Mitrova"},
			min:   1, max: 8,
			want: []string{"tatiana mitrova", "gas"},
			not:  []string{"mitrova", "analyst tatiana"},
		},
		{
			name:  "a name two people share stays a word",
			text:  "Kim Jong Un met Kim Yo Jong. Kim spoke. Kim left. Kim returned.",
			names: []string{"Kim Jong Un", "Kim Yo Jong"},
			min:   1, max: 8,
			want: []string{"kim"},
		},
		{
			name: "x of y",
			text: "The Power of Siberia pipeline carries gas. A second Power of Siberia line is planned. Talks on the Power of Siberia continue.",
			min:  1, max: 8,
			want: []string{"power of siberia"},
			not:  []string{"siberia"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Keywords(tt.title, tt.text, tt.names...)
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

package extract

import (
	"testing"
)

func testTopic() Topic {
	return Topic{
		Name: "putin-china",
		Keywords: map[string]float64{
			"putin": 1, "xi jinping": 1, "china": 0.5, "russia": 0.5, "beijing": 0.5,
			"путин": 1, "普京": 1,
		},
		Exemplars: []string{"testdata/exemplar_visit.txt"},
		Threshold: DefaultThreshold,
	}
}

func TestRelevance(t *testing.T) {
	exemplar := mustRead(t, "testdata/exemplar_visit.txt")
	full := newScorer(testTopic(), []string{exemplar})
	kwOnly := newScorer(testTopic(), nil)
	exOnly := newScorer(Topic{}, []string{exemplar})
	none := newScorer(Topic{}, nil)

	summit := mustRead(t, "testdata/summit.txt")
	football := mustRead(t, "testdata/football.txt")
	passing := "The central bank left interest rates unchanged on Tuesday. Exports to China fell slightly, " +
		"officials said, while domestic demand held up. Economists expect a cut later in the year as inflation eases."
	tests := []struct {
		name     string
		s        *scorer
		title    string
		text     string
		min, max float64
	}{
		{name: "on topic", s: full, title: "Putin and Xi pledge deeper partnership", text: summit, min: DefaultThreshold, max: 1},
		{name: "off topic", s: full, text: football, min: 0, max: DefaultThreshold - 0.1},
		{name: "passing mention", s: full, text: passing, min: 0, max: DefaultThreshold - 0.01},
		{name: "russian by keywords", s: full, text: mustRead(t, "testdata/summit_ru.txt"), min: DefaultThreshold, max: 1},
		{name: "chinese by keywords", s: full, text: mustRead(t, "testdata/summit_zh.txt"), min: DefaultThreshold, max: 1},
		{name: "headline only", s: full, title: "Putin lands in Beijing", text: "", min: DefaultThreshold, max: 1},
		{name: "keywords only on topic", s: kwOnly, text: summit, min: DefaultThreshold, max: 1},
		{name: "keywords only off topic", s: kwOnly, text: football, min: 0, max: 0},
		{name: "exemplars only on topic", s: exOnly, text: summit, min: DefaultThreshold, max: 1},
		{name: "exemplars only off topic", s: exOnly, text: football, min: 0, max: 0.2},
		{name: "no topic", s: none, text: summit, min: 0, max: 0},
		{name: "empty", s: full, text: "", min: 0, max: 0},
		{name: "garbage", s: full, text: "\xff\xfe ### 12 34", min: 0, max: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.s.relevance(tt.title, tt.text)
			if got < tt.min || got > tt.max {
				t.Errorf("relevance() = %.3f; want in [%.2f, %.2f]", got, tt.min, tt.max)
			}
		})
	}
}

func TestCountPhrase(t *testing.T) {
	tests := []struct {
		text, phrase string
		want         int
	}{
		{"Putin met Xi Jinping; XI JINPING smiled.", "xi jinping", 2},
		{"Xi and Jinping", "xi jinping", 0},
		{"Putin's visit", "putin", 1},
		{"Putinism", "putin", 0},
		{"Визит Путина и встреча с Путиным", "путин", 2},
		{"Путинизм", "путин", 0},
		{"普京访问中国，普京表示", "普京", 2},
		{"", "putin", 0},
		{"Putin", "", 0},
	}
	for _, tt := range tests {
		if got := countPhrase(tokenize(tt.text), tokenize(tt.phrase)); got != tt.want {
			t.Errorf("countPhrase(%q, %q) = %d; want %d", tt.text, tt.phrase, got, tt.want)
		}
	}
}

package extract_test

import (
	"context"
	"encoding/json"
	"io/fs"
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.yaml.in/yaml/v3"

	"github.com/newsflow/newsflow"
	"github.com/newsflow/newsflow/proto"
	"github.com/newsflow/newsflow/services/extract"
)

// Floors for the labelled fixtures in testdata/fixtures: the scores the
// stage reached when they were written, less a small margin. A change
// that lowers a score below its floor fails the test.
const (
	floorEntities = 0.95 // gold entities found under their canonical name and type
	floorQuotes   = 0.85 // gold quotes found with the right speaker
	floorFacts    = 0.95 // gold money, percent and quantity facts found (kind, value, unit)
	// storeDuplicateThreshold is the store's near-duplicate threshold.
	storeDuplicateThreshold = 0.6
)

type fixtureGold struct {
	Published time.Time `json:"published"`
	Articles  []struct {
		File        string      `json:"file"`
		Title       string      `json:"title"`
		OnTopic     bool        `json:"on_topic"`
		DuplicateOf string      `json:"duplicate_of"`
		Entities    [][2]string `json:"entities"` // name, type
		Quotes      [][2]string `json:"quotes"`   // text prefix, speaker
		Facts       [][3]any    `json:"facts"`    // kind, value, unit
	} `json:"articles"`
}

// defaultTopicExtractor builds an Extractor with the topic of the default
// configuration and its built-in exemplars.
func defaultTopicExtractor(tb testing.TB) *extract.Extractor {
	tb.Helper()
	var cfg struct {
		Topic extract.Topic `yaml:"topic"`
	}
	if err := yaml.Unmarshal(newsflow.DefaultConfig, &cfg); err != nil {
		tb.Fatal(err)
	}
	var exemplars []string
	for _, p := range cfg.Topic.Exemplars {
		b, err := fs.ReadFile(newsflow.Topics, p)
		if err != nil {
			tb.Fatal(err)
		}
		exemplars = append(exemplars, string(b))
	}
	e, err := extract.NewWithExemplars(extract.Config{Topic: cfg.Topic}, exemplars, zap.NewNop())
	if err != nil {
		tb.Fatal(err)
	}
	return e
}

// TestFixtures scores the stage on the hand-labelled articles and prints
// the scores; it fails below the floors.
func TestFixtures(t *testing.T) {
	var gold fixtureGold
	if err := json.Unmarshal([]byte(mustRead(t, "testdata/fixtures/gold.json")), &gold); err != nil {
		t.Fatal(err)
	}
	e := defaultTopicExtractor(t)
	type rate struct{ ok, n int }
	var ents, quotes, facts, topic rate
	fps := map[string]string{}
	for _, g := range gold.Articles {
		in := cleaned(mustRead(t, filepath.Join("testdata/fixtures", g.File)))
		in.ArticleID = g.File
		in.Meta.Title = g.Title
		in.Meta.PublishedAt = &gold.Published
		out, err := e.Extract(context.Background(), in)
		if err != nil {
			t.Fatal(err)
		}
		a := out.Article
		fps[g.File] = a.Fingerprint

		for _, want := range g.Entities {
			ents.n++
			if hasEntity(a.Entities, want[0], want[1]) {
				ents.ok++
			} else {
				t.Logf("%s: entity %s (%s) missing; got %s", g.File, want[0], want[1], entityList(a.Entities))
			}
		}
		for _, want := range g.Quotes {
			quotes.n++
			got := "(no quote)"
			for _, q := range a.Quotes {
				if strings.HasPrefix(q.Text, want[0]) || strings.Contains(q.Text, want[0]) {
					got = q.Speaker
					break
				}
			}
			if got == want[1] {
				quotes.ok++
			} else {
				t.Logf("%s: quote %q: speaker %q; want %q", g.File, want[0], got, want[1])
			}
		}
		for _, want := range g.Facts {
			facts.n++
			kind, _ := want[0].(string)
			value, _ := want[1].(float64)
			unit, _ := want[2].(string)
			found := false
			for _, f := range a.Facts {
				if f.Kind == kind && f.Unit == unit && math.Abs(f.Value-value) <= 1e-9*math.Max(1, math.Abs(value)) {
					found = true
				}
			}
			if found {
				facts.ok++
			} else {
				t.Logf("%s: fact %v %v %v missing; got %+v", g.File, kind, value, unit, a.Facts)
			}
		}
		topic.n++
		if a.OnTopic == g.OnTopic {
			topic.ok++
		} else {
			t.Errorf("%s: OnTopic = %v (relevance %.3f); want %v", g.File, a.OnTopic, a.Relevance, g.OnTopic)
		}
	}

	// Near duplicates: the syndicated copy merges with its original, no
	// other pair reaches the store's threshold.
	var pairs, falseMerges int
	minDup, maxOther := 1.0, 0.0
	for i, a := range gold.Articles {
		for _, b := range gold.Articles[i+1:] {
			sim := extract.Similarity(fps[a.File], fps[b.File])
			dup := a.DuplicateOf == b.File || b.DuplicateOf == a.File
			if dup {
				pairs++
				minDup = math.Min(minDup, sim)
				if sim < storeDuplicateThreshold {
					t.Errorf("%s and %s: similarity %.3f; want ≥ %.2f (one story)", a.File, b.File, sim, storeDuplicateThreshold)
				}
				continue
			}
			maxOther = math.Max(maxOther, sim)
			if sim >= storeDuplicateThreshold {
				falseMerges++
				t.Errorf("%s and %s: similarity %.3f; want < %.2f (different stories)", a.File, b.File, sim, storeDuplicateThreshold)
			}
		}
	}

	score := func(r rate) float64 {
		if r.n == 0 {
			return 1
		}
		return float64(r.ok) / float64(r.n)
	}
	t.Logf("fixtures: %d articles", len(gold.Articles))
	t.Logf("canonical entities: %d/%d = %.3f (floor %.2f)", ents.ok, ents.n, score(ents), floorEntities)
	t.Logf("quotes with correct speaker: %d/%d = %.3f (floor %.2f)", quotes.ok, quotes.n, score(quotes), floorQuotes)
	t.Logf("money/percent/quantity facts: %d/%d = %.3f (floor %.2f)", facts.ok, facts.n, score(facts), floorFacts)
	t.Logf("on-topic decisions: %d/%d", topic.ok, topic.n)
	t.Logf("syndicated pairs: %d, lowest similarity %.3f; highest other pair %.3f; false merges %d", pairs, minDup, maxOther, falseMerges)
	for _, c := range []struct {
		name         string
		score, floor float64
	}{
		{"canonical entities", score(ents), floorEntities},
		{"quotes", score(quotes), floorQuotes},
		{"facts", score(facts), floorFacts},
	} {
		if c.score < c.floor {
			t.Errorf("%s: score %.3f; want ≥ %.2f", c.name, c.score, c.floor)
		}
	}
}

func hasEntity(es []proto.Entity, name, typ string) bool {
	for _, e := range es {
		if e.Name == name && e.Type == typ {
			return true
		}
	}
	return false
}

func entityList(es []proto.Entity) string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = e.Name + "/" + e.Type
	}
	return strings.Join(parts, ", ")
}

package extract

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
)

// DefaultThreshold is the relevance from which an article is on topic.
const DefaultThreshold = 0.35

// Topic is what the pipeline watches for.
type Topic struct {
	Name string `yaml:"name"`
	// Keywords maps a phrase to its weight. Phrases match case-insensitively
	// on word boundaries and may span words ("xi jinping") or scripts
	// ("путин", "普京"); Cyrillic words also match their case forms.
	Keywords map[string]float64 `yaml:"keywords"`
	// Exemplars are paths of plain-text files typical of the topic.
	Exemplars []string `yaml:"exemplars"`
	// Threshold is the relevance from which an article is on topic; zero
	// means DefaultThreshold.
	Threshold float64 `yaml:"threshold"`
}

// Config configures the extract stage.
type Config struct {
	Topic Topic `yaml:"topic"`
}

// Validate reports every invalid setting, each named by its YAML key.
func (c *Config) Validate() error {
	var errs []error
	t := c.Topic
	if math.IsNaN(t.Threshold) || t.Threshold < 0 || t.Threshold > 1 {
		errs = append(errs, fmt.Errorf("topic.threshold: must be in [0,1], got %v", t.Threshold))
	}
	keys := make([]string, 0, len(t.Keywords))
	for k := range t.Keywords {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		w := t.Keywords[k]
		switch {
		case strings.TrimSpace(k) == "" || len(tokenize(k)) == 0:
			errs = append(errs, fmt.Errorf("topic.keywords: %q has no words", k))
		case math.IsNaN(w) || math.IsInf(w, 0) || w <= 0:
			errs = append(errs, fmt.Errorf("topic.keywords[%q]: weight must be > 0, got %v", k, w))
		}
	}
	for i, p := range t.Exemplars {
		if strings.TrimSpace(p) == "" {
			errs = append(errs, fmt.Errorf("topic.exemplars[%d]: empty path", i))
		}
	}
	return errors.Join(errs...)
}

// threshold is the configured threshold or the default.
func (t Topic) threshold() float64 {
	if t.Threshold == 0 {
		return DefaultThreshold
	}
	return t.Threshold
}

// Package extract is the extract stage: it turns a cleaned article into an
// enriched one (language, entities, quotes, facts, keywords, summary, topic
// relevance, near-duplicate fingerprint). Everything here is rule based and
// in-process: no models, no network.
package extract

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/newsflow/newsflow/internal/telemetry"
	"github.com/newsflow/newsflow/proto"
)

// maxTextBytes bounds the text analysed; the article keeps its whole text,
// but entities, facts and the like are taken from the first maxTextBytes.
// It keeps a pathological page from stalling the stage.
const maxTextBytes = 1 << 20

// Extractor enriches cleaned articles. It is safe for concurrent use.
type Extractor struct {
	cfg      Config
	log      *zap.Logger
	scorer   *scorer
	entities *entityFinder
	now      func() time.Time
}

// AlgoVersion is the extract stage's algorithm version, part of
// pipeline_version: raise it when a change alters what Extract returns
// (the fingerprint parameters, the alias table, a rule).
const AlgoVersion = "8"

// New builds an Extractor, reading the topic's exemplar files from disk.
func New(cfg Config, log *zap.Logger) (*Extractor, error) {
	texts := make([]string, 0, len(cfg.Topic.Exemplars))
	for _, p := range cfg.Topic.Exemplars {
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("topic exemplar %s: %w", p, err)
		}
		texts = append(texts, string(b))
	}
	return NewWithExemplars(cfg, texts, log)
}

// NewWithExemplars builds an Extractor from exemplar texts already read
// (cfg.Topic.Exemplars is then not read, only validated).
func NewWithExemplars(cfg Config, exemplars []string, log *zap.Logger) (*Extractor, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("extract config: %w", err)
	}
	if log == nil {
		log = zap.NewNop()
	}
	ef, err := newEntityFinder()
	if err != nil {
		return nil, err
	}
	// The caller names the stage in log (telemetry.Stage); not again here.
	log.Info("extractor ready",
		zap.String("topic", cfg.Topic.Name),
		zap.Int("keywords", len(cfg.Topic.Keywords)),
		zap.Int("exemplars", len(exemplars)))
	return &Extractor{
		cfg:      cfg,
		log:      log,
		scorer:   newScorer(cfg.Topic, exemplars),
		entities: ef,
		now:      time.Now,
	}, nil
}

// Handle is the stage handler: one cleaned article in, one extracted out.
func (e *Extractor) Handle(ctx context.Context, in *proto.Cleaned) ([]*proto.Extracted, error) {
	out, err := e.Extract(ctx, in)
	if err != nil {
		return nil, err
	}
	return []*proto.Extracted{out}, nil
}

// Extract enriches one cleaned article. It fails only for a nil input or
// a cancelled context; any text, even empty or garbage, gives a result.
func (e *Extractor) Extract(ctx context.Context, in *proto.Cleaned) (*proto.Extracted, error) {
	if in == nil {
		return nil, fmt.Errorf("extract: nil message")
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("extract %s: %w", in.ArticleID, err)
	}
	canonical := in.Meta.CanonicalURL
	if canonical == "" {
		canonical = in.URL
	}
	a := proto.Article{
		ID:              in.ArticleID,
		URL:             in.URL,
		CanonicalURL:    canonical,
		Source:          in.Source,
		Title:           in.Meta.Title,
		Authors:         append([]string(nil), in.Meta.Authors...),
		PublishedAt:     in.Meta.PublishedAt,
		ModifiedAt:      in.Meta.ModifiedAt,
		FetchedAt:       in.FetchedAt,
		SiteName:        in.Meta.SiteName,
		Description:     in.Meta.Description,
		Image:           in.Meta.Image,
		Text:            in.Text,
		ContentHash:     in.ContentHash,
		FetchedSeq:      in.FetchedSeq,
		PipelineVersion: in.PipelineVersion,
	}
	text := in.Text
	if text == "" && len(in.Blocks) > 0 {
		parts := make([]string, 0, len(in.Blocks))
		for _, b := range in.Blocks {
			parts = append(parts, b.Text)
		}
		text = strings.Join(parts, "\n\n")
		a.Text = text
	}
	text = strings.ToValidUTF8(text, "\uFFFD")
	if len(text) > maxTextBytes {
		text = strings.ToValidUTF8(text[:maxTextBytes], "")
	}
	title := strings.ToValidUTF8(in.Meta.Title, "\uFFFD")

	e.analyse(&a, title, text, in.Meta.Language)
	a.Normalize()

	env := in.Envelope
	env.Schema = proto.SchemaExtracted
	env.ProducedAt = e.now().UTC()
	e.log.Debug("article extracted",
		telemetry.ArticleID(in.ArticleID),
		zap.String("language", a.Language),
		zap.Float64("relevance", a.Relevance),
		zap.Int("entities", len(a.Entities)))
	return &proto.Extracted{Envelope: env, Article: a}, nil
}

// analyse fills the derived fields of a.
func (e *Extractor) analyse(a *proto.Article, title, text, langHint string) {
	a.Language = DetectLanguage(title+"\n"+text, langHint)
	a.WordCount = WordCount(text)
	a.Fingerprint = Fingerprint(text)
	a.Relevance = e.scorer.relevance(title, text)
	a.OnTopic = a.Relevance >= e.cfg.Topic.threshold()
	a.Facts = Facts(text, a.PublishedAt)
	ms := e.entities.find(title + "\n\n" + text)
	a.Entities = Entities(ms)
	var people []string
	for _, en := range a.Entities {
		if en.Type == TypePerson {
			people = append(people, en.Name)
		}
	}
	a.Keywords = Keywords(title, text, people...)
	a.Summary = Summary(title, text, a.Keywords)
	// Quotes are looked for in the body only; shift mentions past the title.
	shift := len(title) + 2
	body := make([]mention, 0, len(ms))
	for _, m := range ms {
		if m.start >= shift {
			m.start -= shift
			m.end -= shift
			body = append(body, m)
		}
	}
	a.Quotes = Quotes(text, body)
}

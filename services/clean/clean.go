// Package clean is the clean stage: it reduces a fetched page (HTML or
// plain text) to its article text, split into blocks, and reads the page's
// metadata (title, authors, dates, site, canonical URL, language,
// description, lead image) from JSON-LD, OpenGraph, meta tags and bylines.
package clean

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"go.uber.org/zap"

	"github.com/newsflow/newsflow/internal/pipeline"
	"github.com/newsflow/newsflow/internal/telemetry"
	"github.com/newsflow/newsflow/internal/textenc"
	"github.com/newsflow/newsflow/proto"
)

// AlgoVersion is the clean stage's algorithm version, part of
// pipeline_version: raise it when a change alters what Clean returns.
const AlgoVersion = "7"

// Errors returned by Clean. All of them are wrapped with pipeline.Permanent:
// retrying the same page cannot fix them.
var (
	// ErrEmptyBody means the page body is empty or only white space.
	ErrEmptyBody = errors.New("empty body")
	// ErrNoText means no article text was left after cleaning.
	ErrNoText = errors.New("no article text")
	// ErrUnknownKind means Fetched.Kind names a content kind clean cannot read.
	ErrUnknownKind = errors.New("unknown content kind")
	// ErrMalformed means the page could not be parsed.
	ErrMalformed = errors.New("malformed page")
	// ErrExtractor means the article extractor failed on the page.
	ErrExtractor = errors.New("extractor failed")
	// ErrNilMessage means Clean was given no message.
	ErrNilMessage = errors.New("nil message")
)

// Cleaner is the clean stage's handler. It is safe for concurrent use.
type Cleaner struct {
	cfg Config
	log *zap.Logger
	now func() time.Time
}

// New returns a Cleaner. cfg's zero values take their defaults; a nil log
// discards logs.
func New(cfg Config, log *zap.Logger) *Cleaner {
	if log == nil {
		log = zap.NewNop()
	}
	return &Cleaner{cfg: cfg.withDefaults(), log: log.With(telemetry.Stage("clean")), now: time.Now}
}

// Handle is the stage handler: it cleans in and returns the one article.
func (c *Cleaner) Handle(ctx context.Context, in *proto.Fetched) ([]*proto.Cleaned, error) {
	out, err := c.Clean(ctx, in)
	if err != nil {
		return nil, err
	}
	return []*proto.Cleaned{out}, nil
}

// page is what either path (HTML or text) makes of a body.
type page struct {
	meta      proto.PageMeta
	blocks    []proto.Block
	declared  bool // the page declares its canonical URL
	charset   string
	extractor string
}

// Clean turns a fetched page into its article. Errors that retrying cannot
// fix (a malformed or oversized body, a page with no text) are marked
// pipeline.Permanent.
func (c *Cleaner) Clean(ctx context.Context, in *proto.Fetched) (*proto.Cleaned, error) {
	if in == nil {
		return nil, pipeline.Permanent(fmt.Errorf("clean: %w", ErrNilMessage))
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("clean %s: %w", in.URL, err)
	}
	start := time.Now()
	raw, err := in.RawBody(c.cfg.MaxBodyBytes)
	if err != nil {
		return nil, pipeline.Permanent(fmt.Errorf("clean %s: %w", in.URL, err))
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, pipeline.Permanent(fmt.Errorf("clean %s: %w", in.URL, ErrEmptyBody))
	}
	kind := in.Kind
	switch kind {
	case proto.KindHTML, proto.KindText:
	case "":
		kind = SniffKind(raw)
	default:
		return nil, pipeline.Permanent(fmt.Errorf("clean %s: %w: %q", in.URL, ErrUnknownKind, kind))
	}

	ct := contentType(in)
	base := baseURL(in)
	var p *page
	if kind == proto.KindHTML {
		p, err = c.cleanHTML(raw, ct, base)
		if err != nil {
			return nil, pipeline.Permanent(fmt.Errorf("clean %s: %w", in.URL, err))
		}
	} else {
		p = c.cleanTextBody(raw, ct, base)
	}
	if len(p.blocks) == 0 {
		return nil, pipeline.Permanent(fmt.Errorf("clean %s: %w", in.URL, ErrNoText))
	}

	meta := p.meta
	if meta.Sources == nil {
		meta.Sources = make(map[string]string)
	}
	if meta.Title == "" && in.Hints.Title != "" {
		meta.Title, meta.Sources["title"] = normSpace(in.Hints.Title), srcHints
	}
	// A feed's date beats trafilatura's guess and a date read from the
	// address, which have only the day.
	if (meta.PublishedAt == nil || meta.Sources["published_at"] == srcTrafilatura || meta.Sources["published_at"] == srcURL) &&
		in.Hints.PublishedAt != nil && !in.Hints.PublishedAt.IsZero() {
		t := *in.Hints.PublishedAt
		meta.PublishedAt, meta.Sources["published_at"] = &t, srcHints
	}
	if meta.Language == "" {
		if l := normLang(headerValue(in, "Content-Language")); l != "" {
			meta.Language, meta.Sources["language"] = l, srcHeader
		}
	}
	if meta.CanonicalURL == "" && base != nil {
		if n, err := proto.NormalizeURL(base.String()); err == nil {
			meta.CanonicalURL, meta.Sources["canonical_url"] = n, "url"
		}
	}
	if meta.Authors == nil {
		meta.Authors = []string{}
	}

	texts := make([]string, len(p.blocks))
	for i, b := range p.blocks {
		texts[i] = b.Text
	}
	text := strings.Join(texts, "\n\n")

	out := &proto.Cleaned{
		Envelope:    in.Envelope,
		FetchedAt:   in.FetchedAt,
		Meta:        meta,
		Blocks:      p.blocks,
		Text:        text,
		ContentHash: proto.ContentHash([]byte(text)),
	}
	out.Schema = proto.SchemaCleaned
	out.ProducedAt = c.now().UTC()
	if p.declared && meta.CanonicalURL != "" {
		out.ArticleID = proto.ArticleID(meta.CanonicalURL)
	}
	c.log.Debug("page cleaned",
		telemetry.ArticleID(out.ArticleID),
		telemetry.URL(in.URL),
		zap.String("kind", kind),
		zap.String("charset", p.charset),
		zap.String("extractor", p.extractor),
		zap.Int("blocks", len(p.blocks)),
		zap.Int("chars", len(text)),
		telemetry.Duration(time.Since(start)),
	)
	return out, nil
}

// cleanTextBody is the plain-text path. Plain text says nothing of its
// date: its address may, as a last resort, as for an HTML page.
func (c *Cleaner) cleanTextBody(raw []byte, ct string, base *url.URL) *page {
	s, cs := decodeBody(raw, ct, false)
	doc := cleanText(s)
	p := &page{blocks: doc.blocks, charset: cs, extractor: "text"}
	p.meta.Sources = make(map[string]string)
	if doc.title != "" {
		p.meta.Title, p.meta.Sources["title"] = doc.title, srcText
	}
	if len(doc.authors) > 0 {
		p.meta.Authors, p.meta.Sources["authors"] = doc.authors, srcByline
	}
	if base != nil {
		if t, ok := urlDate(base.String(), c.now()); ok {
			p.meta.PublishedAt, p.meta.Sources["published_at"] = &t, srcURL
		}
	}
	return p
}

// cleanHTML is the HTML path: decode, parse, read metadata, extract the
// article with trafilatura (or a plain walk when it finds nothing), and
// filter the furniture it let through.
func (c *Cleaner) cleanHTML(raw []byte, ct string, base *url.URL) (*page, error) {
	// The page is parsed straight from the decoded bytes (the parser
	// copies what it keeps), without a copy into a string first.
	s, cs := textenc.ToUTF8(raw, ct, true)
	doc, err := parseHTMLFrom(bytes.NewReader(s))
	if err != nil {
		return nil, err
	}
	info := scanPage(doc)
	info.src = s
	p := &page{charset: cs, extractor: "trafilatura"}
	p.meta, p.declared = c.pageMeta(info, base)

	res, err := extract(doc, base, p.meta.PublishedAt != nil)
	if errors.Is(err, ErrExtractor) {
		return nil, err
	}
	var blocks []proto.Block
	if err == nil && res != nil && res.ContentNode != nil {
		blocks = collectBlocks(res.ContentNode, nil)
		mergeTrafilatura(&p.meta, res, c.now())
	}
	blocks = filterBlocks(c.trimLead(blocks, &p.meta), 0)
	// One long block is trafilatura's last resort, the page's whole text
	// run together: readability or a plain walk that keeps the blocks
	// apart does better.
	blob := len(blocks) == 1 && wordCount(blocks[0].Text) > 60
	// A short extraction often means trafilatura settled on one part of
	// the article; readability's pick replaces it when it is more than
	// twice as long (trafilatura's own rule for its fallback, run here
	// only where it can matter, which keeps the cost low). Its pick is
	// part of the text it is shown, so where that text is not twice the
	// extraction (and no blob is to be split) the run is skipped.
	if n := textLen(blocks); n < readabilityBelow && (blob || readabilityTextLen(doc) > 2*n) {
		if node := readabilityNode(doc, base); node != nil {
			cand := filterBlocks(c.trimLead(collectBlocks(node, nil), &p.meta), 0)
			if m := textLen(cand); m > 2*n || (blob && len(cand) > 1 && 2*m > n) {
				blocks, p.extractor, blob = cand, "readability", false
			}
		}
	}
	if blob {
		if cand := filterBlocks(c.trimLead(fallbackBlocks(doc), &p.meta), 2); len(cand) > 1 && 2*textLen(cand) > textLen(blocks) {
			blocks, p.extractor = cand, "fallback"
		}
	}
	if len(blocks) == 0 {
		p.extractor = "fallback"
		blocks = filterBlocks(c.trimLead(fallbackBlocks(doc), &p.meta), 2)
	}
	p.blocks = blocks
	return p, nil
}

// readabilityBelow is the article length, in characters, under which
// readability's pick is tried too.
const readabilityBelow = 1500

// textLen is the number of characters of text in blocks.
func textLen(blocks []proto.Block) int {
	n := 0
	for _, b := range blocks {
		n += utf8.RuneCountInString(b.Text)
	}
	return n
}

// trimLead drops what sits above the article text in the first blocks: the
// headline again, and bylines (kept as authors when the page named none).
func (c *Cleaner) trimLead(blocks []proto.Block, meta *proto.PageMeta) []proto.Block {
	for i := 0; i < len(blocks) && i < 4; i++ {
		b := blocks[i]
		drop := false
		if meta.Title != "" && strings.EqualFold(strings.TrimSpace(b.Text), meta.Title) {
			drop = true
		} else if names, ok := parseByline(b.Text); ok && isStub(b.Text) {
			if len(meta.Authors) == 0 {
				meta.Authors, meta.Sources["authors"] = names, srcByline
			}
			drop = true
		}
		if drop {
			blocks = append(blocks[:i:i], blocks[i+1:]...)
			i--
		}
	}
	return blocks
}

// SniffKind says whether b looks like an HTML page (proto.KindHTML) or
// plain text (proto.KindText), from its first few kilobytes.
func SniffKind(b []byte) string {
	head := b
	if len(head) > 4096 {
		head = head[:4096]
	}
	head = bytes.TrimPrefix(head, []byte("\xef\xbb\xbf"))
	lower := bytes.ToLower(bytes.TrimSpace(head))
	for _, p := range [][]byte{[]byte("<!doctype html"), []byte("<html"), []byte("<?xml"), []byte("<!--"), []byte("<head"), []byte("<body")} {
		if bytes.HasPrefix(lower, p) {
			return proto.KindHTML
		}
	}
	tags := 0
	for _, t := range []string{"<html", "<head", "<body", "<div", "<p>", "<p ", "<meta", "<title", "<article", "<script", "<br", "<span", "<a href"} {
		tags += bytes.Count(lower, []byte(t))
	}
	if tags >= 3 || bytes.Contains(lower, []byte("<html")) || bytes.Contains(lower, []byte("<body")) {
		return proto.KindHTML
	}
	return proto.KindText
}

func contentType(in *proto.Fetched) string {
	if in.ContentType != "" {
		return in.ContentType
	}
	return headerValue(in, "Content-Type")
}

func headerValue(in *proto.Fetched, key string) string {
	for k, vs := range in.Header {
		if strings.EqualFold(k, key) && len(vs) > 0 {
			return vs[0]
		}
	}
	return ""
}

// baseURL is the page's own http(s) address, for resolving relative links.
func baseURL(in *proto.Fetched) *url.URL {
	for _, s := range []string{in.FinalURL, in.URL} {
		u, err := url.Parse(strings.TrimSpace(s))
		if err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" {
			return u
		}
	}
	return nil
}

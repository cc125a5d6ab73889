package main

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// span is an entity: byte offsets in its document's text and a type
// (PER, ORG, LOC, MISC).
type span struct {
	start, end int
	typ        string
}

// doc is one document of a set: its sentences joined by newlines, and the
// gold entities.
type doc struct {
	text      string
	sentences int
	tokens    int
	gold      []span
}

// builder accumulates one document.
type builder struct {
	sb   strings.Builder
	d    doc
	docs []doc
}

// sentence adds a sentence of raw text whose tokens appear in order in it,
// tagged with IOB2 or IO tags.
func (b *builder) sentence(text string, toks, tags []string) error {
	if b.d.sentences > 0 {
		b.sb.WriteByte('\n')
	}
	base := b.sb.Len()
	b.sb.WriteString(text)
	b.d.sentences++
	b.d.tokens += len(toks)
	at := 0
	var cur *span
	flush := func() {
		if cur != nil {
			b.d.gold = append(b.d.gold, *cur)
			cur = nil
		}
	}
	for i, tok := range toks {
		k := strings.Index(text[at:], tok)
		if k < 0 {
			return fmt.Errorf("token %q not found in sentence %q", tok, text)
		}
		s, e := at+k, at+k+len(tok)
		at = e
		tag := tags[i]
		if tag == "O" || tag == "" {
			flush()
			continue
		}
		bio, typ, ok := strings.Cut(tag, "-")
		if !ok || (bio != "B" && bio != "I") {
			return fmt.Errorf("bad tag %q", tag)
		}
		if cur != nil && (bio == "B" || cur.typ != typ) {
			flush()
		}
		if cur == nil {
			cur = &span{start: base + s, typ: typ}
		}
		cur.end = base + e
	}
	flush()
	return nil
}

// endDoc closes the current document, if it has any sentence.
func (b *builder) endDoc() {
	if b.d.sentences > 0 {
		b.d.text = b.sb.String()
		b.docs = append(b.docs, b.d)
	}
	b.sb.Reset()
	b.d = doc{}
}

// readUNER reads a UNER file: tab-separated token lines (index, form, tag,
// -, annotator), "# newdoc", "# text = " comments, blank lines between
// sentences.
func readUNER(r io.Reader) ([]doc, error) {
	var b builder
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	var text string
	var toks, tags []string
	line := 0
	endSent := func() error {
		if len(toks) == 0 {
			return nil
		}
		if text == "" {
			text = strings.Join(toks, " ")
		}
		err := b.sentence(text, toks, tags)
		text, toks, tags = "", toks[:0], tags[:0]
		return err
	}
	for sc.Scan() {
		line++
		l := sc.Text()
		switch {
		case strings.HasPrefix(l, "# newdoc"):
			if err := endSent(); err != nil {
				return nil, fmt.Errorf("line %d: %w", line, err)
			}
			b.endDoc()
		case strings.HasPrefix(l, "# text = "):
			text = strings.TrimPrefix(l, "# text = ")
		case strings.HasPrefix(l, "#"):
		case strings.TrimSpace(l) == "":
			if err := endSent(); err != nil {
				return nil, fmt.Errorf("line %d: %w", line, err)
			}
		default:
			f := strings.Split(l, "\t")
			if len(f) < 3 {
				return nil, fmt.Errorf("line %d: want at least 3 tab-separated columns", line)
			}
			toks = append(toks, f[1])
			tags = append(tags, f[2])
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if err := endSent(); err != nil {
		return nil, err
	}
	b.endDoc()
	return b.docs, nil
}

// readConllIO reads "token tag" lines (IO or IOB tags), blank lines between
// sentences and a "-DOCSTART-" line after each document. Sentences have no
// raw text: tokens are joined with spaces.
func readConllIO(r io.Reader) ([]doc, error) {
	var b builder
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	var toks, tags []string
	line := 0
	endSent := func() error {
		if len(toks) == 0 {
			return nil
		}
		err := b.sentence(strings.Join(toks, " "), toks, tags)
		toks, tags = toks[:0], tags[:0]
		return err
	}
	for sc.Scan() {
		line++
		l := strings.TrimSpace(sc.Text())
		switch {
		case strings.HasPrefix(l, "-DOCSTART-"):
			if err := endSent(); err != nil {
				return nil, fmt.Errorf("line %d: %w", line, err)
			}
			b.endDoc()
		case l == "":
			if err := endSent(); err != nil {
				return nil, fmt.Errorf("line %d: %w", line, err)
			}
		default:
			i := strings.LastIndexByte(l, ' ')
			if i < 0 {
				return nil, fmt.Errorf("line %d: want \"token tag\"", line)
			}
			toks = append(toks, l[:i])
			tags = append(tags, l[i+1:])
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if err := endSent(); err != nil {
		return nil, err
	}
	b.endDoc()
	return b.docs, nil
}

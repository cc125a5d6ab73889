package extract

import "fmt"

// Mention is one place a named entity occurs in a text: its canonical name,
// its type (TypePerson, TypeOrg, TypePlace) and the byte offsets of the
// words that name it, titles and roles excluded (text[Start:End] is
// "Putin" in "President Putin").
type Mention struct {
	Name  string
	Type  string
	Start int
	End   int
}

// EntityFinder finds entity mentions in text with their offsets. It is
// safe for concurrent use.
type EntityFinder struct {
	f *entityFinder
}

// NewEntityFinder builds an EntityFinder from the built-in alias table and
// gazetteers.
func NewEntityFinder() (*EntityFinder, error) {
	f, err := newEntityFinder()
	if err != nil {
		return nil, fmt.Errorf("entity finder: %w", err)
	}
	return &EntityFinder{f: f}, nil
}

// Find returns the mentions of text in text order.
func (f *EntityFinder) Find(text string) []Mention {
	ms := f.f.find(text)
	out := make([]Mention, len(ms))
	for i, m := range ms {
		out[i] = Mention{Name: m.name, Type: m.typ, Start: m.start, End: m.end}
	}
	return out
}

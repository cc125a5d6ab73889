package web

import (
	"errors"
	"net/http"
	"sort"

	"github.com/newsflow/newsflow/proto"
	"github.com/newsflow/newsflow/services/store"
)

// maxDuplicates bounds the cluster members the article page lists.
const maxDuplicates = 50

// articleData is the data of article.html.
type articleData struct {
	A          *proto.Article
	Paragraphs [][]segment
	// Entities grouped by type, most mentioned first.
	People, Orgs, Places, Other []proto.Entity
	Duplicates                  []duplicate
	MoreDuplicates              int
	// SelfFirst is set when this article was published before the rest
	// of its cluster.
	SelfFirst bool
}

// duplicate is another article of the same cluster.
type duplicate struct {
	ID    string
	Title string
	// Source and At are empty if the article could not be read.
	Source string
	At     any
	First  bool
}

func (s *Server) articlePage(r *http.Request) (view, error) {
	ctx := r.Context()
	a, err := s.st.Get(ctx, r.PathValue("id"))
	if err != nil {
		return view{}, err
	}
	a.Normalize()
	d := articleData{A: a}
	h := newHighlighter(a.Entities)
	for _, p := range paragraphs(a.Text) {
		d.Paragraphs = append(d.Paragraphs, h.segments(p))
	}
	ents := append([]proto.Entity(nil), a.Entities...)
	sort.SliceStable(ents, func(i, j int) bool { return ents[i].Count > ents[j].Count })
	for _, e := range ents {
		switch e.Type {
		case "person":
			d.People = append(d.People, e)
		case "org":
			d.Orgs = append(d.Orgs, e)
		case "place":
			d.Places = append(d.Places, e)
		default:
			d.Other = append(d.Other, e)
		}
	}
	ids := a.Duplicates
	if len(ids) > maxDuplicates {
		d.MoreDuplicates = len(ids) - maxDuplicates
		ids = ids[:maxDuplicates]
	}
	self := displayTime(store.Summary{PublishedAt: a.PublishedAt, FetchedAt: a.FetchedAt})
	first := -1
	firstAt := self
	for _, id := range ids {
		dup := duplicate{ID: id, Title: id}
		o, err := s.st.Get(ctx, id)
		switch {
		case errors.Is(err, store.ErrNotFound):
			// Gone since: list the id alone.
		case err != nil:
			return view{}, err
		default:
			dup.Title, dup.Source = store.Headline(o.Title, o.Summary), o.Source
			at := displayTime(store.Summary{PublishedAt: o.PublishedAt, FetchedAt: o.FetchedAt})
			dup.At = at
			if at.Before(firstAt) {
				first, firstAt = len(d.Duplicates), at
			}
		}
		d.Duplicates = append(d.Duplicates, dup)
	}
	if first >= 0 {
		d.Duplicates[first].First = true
	}
	d.SelfFirst = first < 0 && len(d.Duplicates) > 0
	return view{Template: "article.html", Data: layout{Title: store.Headline(a.Title, a.Summary), Nav: "search", Page: d}}, nil
}

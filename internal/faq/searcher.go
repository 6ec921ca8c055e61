package faq

import (
	"context"
	"regexp"
	"strconv"
	"sync"
	"unicode/utf8"

	"github.com/sodam-chat/sodam/internal/chat"
)

// Source is what a Searcher reads: the store's FAQ rows.
type Source interface {
	FAQRevision(ctx context.Context, workspaceID int64) (int64, error)
	Articles(ctx context.Context, workspaceID int64, publishedOnly bool) ([]chat.Article, error)
	FAQSynonyms(ctx context.Context, workspaceID int64) ([][]string, error)
}

// Result is one article a search found.
type Result struct {
	Article chat.Article
	Score   float64
}

// Searcher is one node's search over every workspace's published
// articles: the one search the help center, the widget, the robot and the
// console's ? share. It keeps an Index per workspace, built from the
// store's rows at the workspace's FAQ revision, and rebuilds it when a
// search finds the revision moved (one query per search). Every node
// builds the same index from the same rows, so every node gives the same
// answer; one that has not searched since a change rebuilds before it
// answers.
type Searcher struct {
	src Source
	mu  sync.Mutex
	ws  map[int64]*cached
}

type cached struct {
	mu       sync.Mutex // one build at a time per workspace
	rev      int64
	ix       *Index
	articles map[int64]chat.Article
	// images are the IDs of the uploaded images the published articles
	// show (ImageIDs).
	images map[int64]bool
}

// NewSearcher returns a Searcher over src.
func NewSearcher(src Source) *Searcher {
	return &Searcher{src: src, ws: map[int64]*cached{}}
}

// CheckQuery refuses a search longer than chat.MaxFAQQuery characters.
func CheckQuery(q string) error {
	if utf8.RuneCountInString(q) > chat.MaxFAQQuery {
		return chat.Errorf(chat.ErrInvalid, "q must be at most %d characters", chat.MaxFAQQuery)
	}
	return nil
}

// Search returns up to limit published articles answering query, best
// first; none when nothing answers well enough (MinScore).
func (s *Searcher) Search(ctx context.Context, workspaceID int64, query, lang string, limit int) ([]Result, error) {
	if err := CheckQuery(query); err != nil {
		return nil, err
	}
	c, err := s.current(ctx, workspaceID)
	if err != nil {
		return nil, err
	}
	out := []Result{}
	for _, h := range c.ix.Search(query, lang, limit) {
		out = append(out, Result{Article: c.articles[h.ID], Score: h.Score})
	}
	return out, nil
}

// current returns the workspace's index at its current revision.
func (s *Searcher) current(ctx context.Context, workspaceID int64) (*cached, error) {
	rev, err := s.src.FAQRevision(ctx, workspaceID)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	c := s.ws[workspaceID]
	if c == nil {
		c = &cached{rev: -1}
		s.ws[workspaceID] = c
	}
	s.mu.Unlock()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.rev == rev && c.ix != nil {
		return &cached{rev: c.rev, ix: c.ix, articles: c.articles, images: c.images}, nil
	}
	// The rows read now include everything up to rev (perhaps more: a
	// change committed since is seen, and its new revision rebuilds).
	arts, err := s.src.Articles(ctx, workspaceID, true)
	if err != nil {
		return nil, err
	}
	syn, err := s.src.FAQSynonyms(ctx, workspaceID)
	if err != nil {
		return nil, err
	}
	docs := make([]Doc, len(arts))
	byID := make(map[int64]chat.Article, len(arts))
	images := map[int64]bool{}
	for i, a := range arts {
		docs[i] = DocOf(a)
		byID[a.ID] = a
		for _, id := range ImageIDs(a.BodyHTML) {
			images[id] = true
		}
	}
	c.rev, c.ix, c.articles, c.images = rev, Build(docs, syn), byID, images
	return &cached{rev: c.rev, ix: c.ix, articles: c.articles, images: c.images}, nil
}

// ShowsImage reports whether a published article of the workspace shows
// the uploaded image id: what makes it public.
func (s *Searcher) ShowsImage(ctx context.Context, workspaceID, id int64) (bool, error) {
	c, err := s.current(ctx, workspaceID)
	if err != nil {
		return false, err
	}
	return c.images[id], nil
}

// imageSrc is an uploaded image's address in a sanitized body's <img src>:
// …/help/{site_id}/images/{id}, absolute or from the root.
var imageSrc = regexp.MustCompile(`<img[^>]* src="(?:https?://[^"/]+)?/help/[^"/?#]+/images/([0-9]{1,18})"`)

// ImageIDs are the IDs of the uploaded images a sanitized body shows.
func ImageIDs(body string) []int64 {
	var out []int64
	for _, m := range imageSrc.FindAllStringSubmatch(body, -1) {
		if id, err := strconv.ParseInt(m[1], 10, 64); err == nil {
			out = append(out, id)
		}
	}
	return out
}

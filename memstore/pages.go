package memstore

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/tribune-go/tribune"
)

var _ tribune.Pager = (*Store)(nil)

// topLevelLocked returns the article's approved top-level comments in
// thread order; s.mu is held.
func (s *Store) topLevelLocked(articleID uuid.UUID) []tribune.Comment {
	var out []tribune.Comment
	for _, id := range s.byArticle[articleID] {
		if c := s.comments[id]; c.ParentID == uuid.Nil && c.Status == tribune.StatusApproved {
			out = append(out, c)
		}
	}
	slices.SortFunc(out, threadOrder)
	return out
}

// CountThread implements tribune.Pager.
func (s *Store) CountThread(ctx context.Context, articleID uuid.UUID) (tribune.ThreadCount, error) {
	if err := ctx.Err(); err != nil {
		return tribune.ThreadCount{}, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if _, ok := s.articles[articleID]; !ok {
		return tribune.ThreadCount{}, notFound("article", articleID)
	}
	var n tribune.ThreadCount
	for _, id := range s.byArticle[articleID] {
		if c := s.comments[id]; c.Status == tribune.StatusApproved {
			n.Approved++
			if c.ParentID == uuid.Nil {
				n.TopLevel++
			}
		}
	}
	return n, nil
}

// CommentPage implements tribune.Pager: q's run of approved top-level
// comments, each with every reply below it of any status, in thread
// order.
func (s *Store) CommentPage(ctx context.Context, q tribune.PageQuery) ([]tribune.Comment, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	p := tribune.Span{Limit: q.Limit, Offset: q.Offset}.Norm()
	s.mu.RLock()
	defer s.mu.RUnlock()
	roots := s.topLevelLocked(q.ArticleID)
	if q.NewestFirst {
		slices.Reverse(roots)
	}
	roots = roots[min(p.Offset, len(roots)):]
	roots = roots[:min(p.Limit, len(roots))]
	children := map[uuid.UUID][]uuid.UUID{}
	for _, id := range s.byArticle[q.ArticleID] {
		if c := s.comments[id]; c.ParentID != uuid.Nil {
			children[c.ParentID] = append(children[c.ParentID], id)
		}
	}
	out := make([]tribune.Comment, 0, len(roots))
	var add func(c tribune.Comment)
	add = func(c tribune.Comment) {
		out = append(out, c)
		for _, id := range children[c.ID] {
			add(s.comments[id])
		}
	}
	for _, r := range roots {
		add(r)
	}
	slices.SortFunc(out, threadOrder)
	return out, nil
}

// TopLevelBefore implements tribune.Pager.
func (s *Store) TopLevelBefore(ctx context.Context, articleID uuid.UUID, created time.Time, id uuid.UUID) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	n := 0
	for _, c := range s.topLevelLocked(articleID) {
		if c.Created.Compare(created) < 0 || c.Created.Equal(created) && strings.Compare(c.ID.String(), id.String()) < 0 {
			n++
		}
	}
	return n, nil
}

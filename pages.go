package tribune

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Comment pages, as WordPress cuts them: a page holds a run of an
// article's approved top-level comments and every one of their replies,
// so a conversation is never split across pages.

// ThreadCount is what a thread's pages are counted from.
type ThreadCount struct {
	// Approved is the number of approved comments, replies included: the
	// count a page shows.
	Approved int
	// TopLevel is the number of approved top-level comments: what pages
	// are cut from.
	TopLevel int
}

// PageQuery selects one comment page of an article's thread.
type PageQuery struct {
	ArticleID uuid.UUID
	// NewestFirst takes the top-level comments newest first: Offset 0 is
	// then the newest. The default is oldest first.
	NewestFirst bool
	// Limit and Offset count approved top-level comments. Limit is capped
	// at MaxPageSize; 0 or less means DefaultPageSize.
	Limit, Offset int
}

// Pager is the optional capability of answering counts, revisions and
// comment pages from indexes, in a few rows whatever the size of the
// thread. Without it, the Service reads the thread to answer (see
// [Service.CountThread], [Service.Page], [Service.TopLevelBefore],
// [Service.Counts], [Service.Stamp]); a wrapper whose inner store lacks
// it answers each method with ErrNotSupported.
type Pager interface {
	// CountApproved returns the number of approved comments of each
	// article, in one call; articles without any map to 0.
	CountApproved(ctx context.Context, articleIDs []uuid.UUID) (map[uuid.UUID]int, error)
	// CommentsStamp returns the article's revision, raised in the
	// transaction of every change (see [Stamp]). An unknown article is
	// ErrNotFound.
	CommentsStamp(ctx context.Context, articleID uuid.UUID) (Stamp, error)
	// CountThread returns the article's counts, kept up to date in the
	// transaction of every change (one row). An unknown article is
	// ErrNotFound.
	CountThread(ctx context.Context, articleID uuid.UUID) (ThreadCount, error)
	// CommentPage returns q's slice of the article's approved top-level
	// comments and all their replies at any depth and of any status, in
	// thread order (oldest first, then by ID), in one or two indexed
	// queries whose cost does not grow with the thread (the SQL stores
	// keep each top-level comment's position).
	CommentPage(ctx context.Context, q PageQuery) ([]Comment, error)
	// TopLevelBefore returns how many approved top-level comments of the
	// article come before (created, id) in thread order.
	TopLevelBefore(ctx context.Context, articleID uuid.UUID, created time.Time, id uuid.UUID) (int, error)
}

// countThread returns the article's counts (see [ThreadCount]): one row
// when the store is a [Pager], else it reads the approved comments. An
// unknown article is ErrNotFound.
func countThread(ctx context.Context, s Store, articleID uuid.UUID) (ThreadCount, error) {
	if p, ok := s.(Pager); ok {
		if n, err := p.CountThread(ctx, articleID); !errors.Is(err, ErrNotSupported) {
			return n, err
		}
	}
	if _, err := s.Article(ctx, articleID); err != nil {
		return ThreadCount{}, err
	}
	cs, err := s.FindComments(ctx, Query{ArticleID: articleID, Statuses: []Status{StatusApproved}})
	if err != nil {
		return ThreadCount{}, err
	}
	n := ThreadCount{Approved: len(cs)}
	for _, c := range cs {
		if c.ParentID == uuid.Nil {
			n.TopLevel++
		}
	}
	return n, nil
}

// commentPage returns one comment page (see [Pager.CommentPage]): from
// the store's indexes when it is a [Pager], else from the whole thread.
func commentPage(ctx context.Context, s Store, q PageQuery) ([]Comment, error) {
	q.Limit = Span{Limit: q.Limit}.Norm().Limit
	q.Offset = max(q.Offset, 0)
	if p, ok := s.(Pager); ok {
		if cs, err := p.CommentPage(ctx, q); !errors.Is(err, ErrNotSupported) {
			return cs, err
		}
	}
	all, err := s.FindComments(ctx, Query{ArticleID: q.ArticleID})
	if err != nil {
		return nil, err
	}
	var roots []Comment
	children := map[uuid.UUID][]Comment{}
	for _, c := range all {
		if c.ParentID == uuid.Nil {
			if c.Status == StatusApproved {
				roots = append(roots, c)
			}
			continue
		}
		children[c.ParentID] = append(children[c.ParentID], c)
	}
	if q.NewestFirst {
		slices.Reverse(roots)
	}
	roots = roots[min(q.Offset, len(roots)):]
	roots = roots[:min(q.Limit, len(roots))]
	out := make([]Comment, 0, len(roots))
	var add func(c Comment)
	add = func(c Comment) {
		out = append(out, c)
		for _, r := range children[c.ID] {
			add(r)
		}
	}
	for _, r := range roots {
		add(r)
	}
	slices.SortFunc(out, threadOrder)
	return out, nil
}

// topLevelBefore returns how many approved top-level comments of the
// article come before (created, id) in thread order: from an index when
// the store is a [Pager], else from the approved comments.
func topLevelBefore(ctx context.Context, s Store, articleID uuid.UUID, created time.Time, id uuid.UUID) (int, error) {
	if p, ok := s.(Pager); ok {
		if n, err := p.TopLevelBefore(ctx, articleID, created, id); !errors.Is(err, ErrNotSupported) {
			return n, err
		}
	}
	cs, err := s.FindComments(ctx, Query{ArticleID: articleID, Statuses: []Status{StatusApproved}})
	if err != nil {
		return 0, err
	}
	n := 0
	for _, c := range cs {
		if c.ParentID == uuid.Nil && threadOrder(c, Comment{Created: created, ID: id}) < 0 {
			n++
		}
	}
	return n, nil
}

// threadOrder is the order of a thread: oldest first, then by ID.
func threadOrder(a, b Comment) int {
	return cmp.Or(a.Created.Compare(b.Created), strings.Compare(a.ID.String(), b.ID.String()))
}

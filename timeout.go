package tribune

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
)

// DefaultStoreTimeout is the deadline [StoreWithTimeout] gives each call
// when given 0.
const DefaultStoreTimeout = 3 * time.Second

// StoreWithTimeout returns a Store that runs every call of s under its own
// deadline d (on top of the caller's context), so a database that is down
// or frozen fails each call within d instead of holding requests as long
// as it is stuck. Every failure that is not one of the contract's answers
// (ErrNotFound, ErrConflict, ErrDuplicate, ErrReplayed, ErrFlood,
// ErrInvalid) or the caller's own cancellation comes back wrapping
// [ErrUnavailable] as well as its cause, so a caller answers 503 and tries
// again later. The widget wraps its store this way.
func StoreWithTimeout(s Store, d time.Duration) Store {
	if d <= 0 {
		d = DefaultStoreTimeout
	}
	t := &timeoutStore{s: s, d: d}
	// The wrapper declares the capabilities s has, and only those: a
	// capability is a promise (one row, one transaction) the root's
	// fallbacks do not keep.
	_, counts := s.(Counter)
	_, stamps := s.(Stamper)
	_, bulk := s.(BulkInserter)
	c, st, b := timeoutCounter{t}, timeoutStamper{t}, timeoutBulk{t}
	switch {
	case counts && stamps && bulk:
		return struct {
			*timeoutStore
			timeoutCounter
			timeoutStamper
			timeoutBulk
		}{t, c, st, b}
	case counts && stamps:
		return struct {
			*timeoutStore
			timeoutCounter
			timeoutStamper
		}{t, c, st}
	case counts && bulk:
		return struct {
			*timeoutStore
			timeoutCounter
			timeoutBulk
		}{t, c, b}
	case stamps && bulk:
		return struct {
			*timeoutStore
			timeoutStamper
			timeoutBulk
		}{t, st, b}
	case counts:
		return struct {
			*timeoutStore
			timeoutCounter
		}{t, c}
	case stamps:
		return struct {
			*timeoutStore
			timeoutStamper
		}{t, st}
	case bulk:
		return struct {
			*timeoutStore
			timeoutBulk
		}{t, b}
	}
	return t
}

type timeoutStore struct {
	s Store
	d time.Duration
}

// unavailable marks a failure of the store itself.
func unavailable(ctx context.Context, err error) error {
	if err == nil {
		return nil
	}
	for _, answer := range []error{ErrNotFound, ErrConflict, ErrDuplicate, ErrReplayed, ErrFlood, ErrInvalid, ErrUnavailable, errUnchanged} {
		if errors.Is(err, answer) {
			return err
		}
	}
	if errors.Is(err, context.Canceled) && ctx.Err() != nil {
		return err // the caller went away: not the store's fault
	}
	return fmt.Errorf("%w: %w", ErrUnavailable, err)
}

func call[T any](s *timeoutStore, ctx context.Context, fn func(context.Context) (T, error)) (T, error) {
	dctx, cancel := context.WithTimeout(ctx, s.d)
	defer cancel()
	v, err := fn(dctx)
	return v, unavailable(ctx, err)
}

func call0(s *timeoutStore, ctx context.Context, fn func(context.Context) error) error {
	_, err := call(s, ctx, func(ctx context.Context) (struct{}, error) { return struct{}{}, fn(ctx) })
	return err
}

func (s *timeoutStore) CreateArticle(ctx context.Context, a *Article) error {
	return call0(s, ctx, func(ctx context.Context) error { return s.s.CreateArticle(ctx, a) })
}

func (s *timeoutStore) Article(ctx context.Context, id uuid.UUID) (Article, error) {
	return call(s, ctx, func(ctx context.Context) (Article, error) { return s.s.Article(ctx, id) })
}

func (s *timeoutStore) ArticleBySlug(ctx context.Context, slug string) (Article, error) {
	return call(s, ctx, func(ctx context.Context) (Article, error) { return s.s.ArticleBySlug(ctx, slug) })
}

func (s *timeoutStore) Articles(ctx context.Context, page Page) ([]Article, error) {
	return call(s, ctx, func(ctx context.Context) ([]Article, error) { return s.s.Articles(ctx, page) })
}

func (s *timeoutStore) UpdateArticle(ctx context.Context, a *Article) error {
	return call0(s, ctx, func(ctx context.Context) error { return s.s.UpdateArticle(ctx, a) })
}

func (s *timeoutStore) DeleteArticle(ctx context.Context, id uuid.UUID) error {
	return call0(s, ctx, func(ctx context.Context) error { return s.s.DeleteArticle(ctx, id) })
}

func (s *timeoutStore) CreateComment(ctx context.Context, c *Comment, g Guard) error {
	return call0(s, ctx, func(ctx context.Context) error { return s.s.CreateComment(ctx, c, g) })
}

func (s *timeoutStore) Comment(ctx context.Context, id uuid.UUID) (Comment, error) {
	return call(s, ctx, func(ctx context.Context) (Comment, error) { return s.s.Comment(ctx, id) })
}

func (s *timeoutStore) FindComments(ctx context.Context, q Query) ([]Comment, error) {
	return call(s, ctx, func(ctx context.Context) ([]Comment, error) { return s.s.FindComments(ctx, q) })
}

func (s *timeoutStore) UpdateComment(ctx context.Context, id uuid.UUID, apply func(*Comment) error) (Comment, error) {
	return call(s, ctx, func(ctx context.Context) (Comment, error) { return s.s.UpdateComment(ctx, id, apply) })
}

func (s *timeoutStore) DeleteComment(ctx context.Context, id uuid.UUID) error {
	return call0(s, ctx, func(ctx context.Context) error { return s.s.DeleteComment(ctx, id) })
}

// The capabilities pass through, each declared only when the inner store
// has it (see StoreWithTimeout).

type timeoutCounter struct{ t *timeoutStore }

func (c timeoutCounter) CountApproved(ctx context.Context, articleIDs []uuid.UUID) (map[uuid.UUID]int, error) {
	return call(c.t, ctx, func(ctx context.Context) (map[uuid.UUID]int, error) { return CountApproved(ctx, c.t.s, articleIDs) })
}

type timeoutStamper struct{ t *timeoutStore }

func (st timeoutStamper) CommentsStamp(ctx context.Context, articleID uuid.UUID) (Stamp, error) {
	return call(st.t, ctx, func(ctx context.Context) (Stamp, error) { return CommentsStamp(ctx, st.t.s, articleID) })
}

type timeoutBulk struct{ t *timeoutStore }

func (b timeoutBulk) InsertComments(ctx context.Context, cs []Comment) error {
	return call0(b.t, ctx, func(ctx context.Context) error { return InsertComments(ctx, b.t.s, cs) })
}

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
	return &timeoutStore{s: s, d: d}
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
	for _, answer := range []error{ErrNotFound, ErrConflict, ErrDuplicate, ErrReplayed, ErrFlood, ErrInvalid, ErrUnavailable} {
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

func (s *timeoutStore) CommentByKey(ctx context.Context, key string) (Comment, error) {
	return call(s, ctx, func(ctx context.Context) (Comment, error) { return s.s.CommentByKey(ctx, key) })
}

func (s *timeoutStore) CommentsByIDs(ctx context.Context, articleID uuid.UUID, ids []uuid.UUID) ([]Comment, error) {
	return call(s, ctx, func(ctx context.Context) ([]Comment, error) { return s.s.CommentsByIDs(ctx, articleID, ids) })
}

func (s *timeoutStore) Comment(ctx context.Context, id uuid.UUID) (Comment, error) {
	return call(s, ctx, func(ctx context.Context) (Comment, error) { return s.s.Comment(ctx, id) })
}

func (s *timeoutStore) Comments(ctx context.Context, articleID uuid.UUID, statuses ...Status) ([]Comment, error) {
	return call(s, ctx, func(ctx context.Context) ([]Comment, error) { return s.s.Comments(ctx, articleID, statuses...) })
}

func (s *timeoutStore) SetStatus(ctx context.Context, id uuid.UUID, status Status) (Comment, error) {
	return call(s, ctx, func(ctx context.Context) (Comment, error) { return s.s.SetStatus(ctx, id, status) })
}

func (s *timeoutStore) EditBody(ctx context.Context, id uuid.UUID, body string) (Comment, error) {
	return call(s, ctx, func(ctx context.Context) (Comment, error) { return s.s.EditBody(ctx, id, body) })
}

func (s *timeoutStore) DeleteComment(ctx context.Context, id uuid.UUID) error {
	return call0(s, ctx, func(ctx context.Context) error { return s.s.DeleteComment(ctx, id) })
}

func (s *timeoutStore) CountApproved(ctx context.Context, articleIDs []uuid.UUID) (map[uuid.UUID]int, error) {
	return call(s, ctx, func(ctx context.Context) (map[uuid.UUID]int, error) { return s.s.CountApproved(ctx, articleIDs) })
}

func (s *timeoutStore) LatestApproved(ctx context.Context, articleID uuid.UUID, limit int) ([]Comment, error) {
	return call(s, ctx, func(ctx context.Context) ([]Comment, error) { return s.s.LatestApproved(ctx, articleID, limit) })
}

func (s *timeoutStore) CommentsByStatus(ctx context.Context, status Status, page Page) ([]Comment, error) {
	return call(s, ctx, func(ctx context.Context) ([]Comment, error) { return s.s.CommentsByStatus(ctx, status, page) })
}

func (s *timeoutStore) CommentsStamp(ctx context.Context, articleID uuid.UUID) (Stamp, error) {
	return call(s, ctx, func(ctx context.Context) (Stamp, error) { return s.s.CommentsStamp(ctx, articleID) })
}

func (s *timeoutStore) HasApproved(ctx context.Context, email Email) (bool, error) {
	return call(s, ctx, func(ctx context.Context) (bool, error) { return s.s.HasApproved(ctx, email) })
}

func (s *timeoutStore) CommentsByEmail(ctx context.Context, email Email) ([]Comment, error) {
	return call(s, ctx, func(ctx context.Context) ([]Comment, error) { return s.s.CommentsByEmail(ctx, email) })
}

func (s *timeoutStore) EraseByEmail(ctx context.Context, email Email, mode EraseMode) (int, error) {
	return call(s, ctx, func(ctx context.Context) (int, error) { return s.s.EraseByEmail(ctx, email, mode) })
}

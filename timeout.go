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
	// The wrapper has every capability's method; each answers
	// ErrNotSupported when s lacks the capability, and the package's
	// functions then fall back on the core.
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
	for _, answer := range []error{ErrNotFound, ErrConflict, ErrDuplicate, ErrReplayed, ErrFlood, ErrInvalid, ErrUnavailable, ErrNotSupported, errUnchanged} {
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

func (s *timeoutStore) Articles(ctx context.Context, page Span) ([]Article, error) {
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

// The capabilities pass through when the inner store has them; else they
// answer ErrNotSupported, on which the package's functions fall back.

func notSupported(what string) error {
	return fmt.Errorf("tribune: the store has no %s: %w", what, ErrNotSupported)
}

func (s *timeoutStore) CountApproved(ctx context.Context, articleIDs []uuid.UUID) (map[uuid.UUID]int, error) {
	c, ok := s.s.(Pager)
	if !ok {
		return nil, notSupported("CountApproved")
	}
	return call(s, ctx, func(ctx context.Context) (map[uuid.UUID]int, error) { return c.CountApproved(ctx, articleIDs) })
}

func (s *timeoutStore) CommentsStamp(ctx context.Context, articleID uuid.UUID) (Stamp, error) {
	st, ok := s.s.(Pager)
	if !ok {
		return 0, notSupported("CommentsStamp")
	}
	return call(s, ctx, func(ctx context.Context) (Stamp, error) { return st.CommentsStamp(ctx, articleID) })
}

func (s *timeoutStore) InsertComments(ctx context.Context, cs []Comment) error {
	b, ok := s.s.(BulkInserter)
	if !ok {
		return notSupported("InsertComments")
	}
	return call0(s, ctx, func(ctx context.Context) error { return b.InsertComments(ctx, cs) })
}

func (s *timeoutStore) CountThread(ctx context.Context, articleID uuid.UUID) (ThreadCount, error) {
	p, ok := s.s.(Pager)
	if !ok {
		return ThreadCount{}, notSupported("CountThread")
	}
	return call(s, ctx, func(ctx context.Context) (ThreadCount, error) { return p.CountThread(ctx, articleID) })
}

func (s *timeoutStore) CommentPage(ctx context.Context, q PageQuery) ([]Comment, error) {
	p, ok := s.s.(Pager)
	if !ok {
		return nil, notSupported("CommentPage")
	}
	return call(s, ctx, func(ctx context.Context) ([]Comment, error) { return p.CommentPage(ctx, q) })
}

func (s *timeoutStore) TopLevelBefore(ctx context.Context, articleID uuid.UUID, created time.Time, id uuid.UUID) (int, error) {
	p, ok := s.s.(Pager)
	if !ok {
		return 0, notSupported("TopLevelBefore")
	}
	return call(s, ctx, func(ctx context.Context) (int, error) { return p.TopLevelBefore(ctx, articleID, created, id) })
}

// Unwrap returns the wrapped store: the outbox's queue (package outbox)
// is found on it, and runs under the outbox's own deadlines.
func (s *timeoutStore) Unwrap() Store { return s.s }

// The address book passes through the same way; [Addresses] looks at the
// inner store to tell whether it has one.

func (s *timeoutStore) addressBook() (AddressBook, error) {
	b, ok := s.s.(AddressBook)
	if !ok {
		return nil, notSupported("address book")
	}
	return b, nil
}

func (s *timeoutStore) Address(ctx context.Context, key string) (Address, error) {
	b, err := s.addressBook()
	if err != nil {
		return Address{}, err
	}
	return call(s, ctx, func(ctx context.Context) (Address, error) { return b.Address(ctx, key) })
}

func (s *timeoutStore) AddressByID(ctx context.Context, id uuid.UUID) (Address, error) {
	b, err := s.addressBook()
	if err != nil {
		return Address{}, err
	}
	return call(s, ctx, func(ctx context.Context) (Address, error) { return b.AddressByID(ctx, id) })
}

func (s *timeoutStore) UpdateAddress(ctx context.Context, key string, apply func(*Address) error) (Address, error) {
	b, err := s.addressBook()
	if err != nil {
		return Address{}, err
	}
	return call(s, ctx, func(ctx context.Context) (Address, error) { return b.UpdateAddress(ctx, key, apply) })
}

func (s *timeoutStore) Subscription(ctx context.Context, commentID uuid.UUID) (Subscription, error) {
	b, err := s.addressBook()
	if err != nil {
		return Subscription{}, err
	}
	return call(s, ctx, func(ctx context.Context) (Subscription, error) { return b.Subscription(ctx, commentID) })
}

func (s *timeoutStore) SaveSubscription(ctx context.Context, sub Subscription) error {
	b, err := s.addressBook()
	if err != nil {
		return err
	}
	return call0(s, ctx, func(ctx context.Context) error { return b.SaveSubscription(ctx, sub) })
}

func (s *timeoutStore) ForgetAddress(ctx context.Context, key string) error {
	b, err := s.addressBook()
	if err != nil {
		return err
	}
	return call0(s, ctx, func(ctx context.Context) error { return b.ForgetAddress(ctx, key) })
}

func (s *timeoutStore) limiter() (Limiter, error) {
	l, ok := s.s.(Limiter)
	if !ok {
		return nil, notSupported("limiter")
	}
	return l, nil
}

func (s *timeoutStore) Spend(ctx context.Context, key string, limit int, window time.Duration, now time.Time) (bool, error) {
	l, err := s.limiter()
	if err != nil {
		return false, err
	}
	return call(s, ctx, func(ctx context.Context) (bool, error) { return l.Spend(ctx, key, limit, window, now) })
}

func (s *timeoutStore) Pace(ctx context.Context, key string, interval time.Duration, burst int, spend bool, now time.Time) (bool, error) {
	l, err := s.limiter()
	if err != nil {
		return false, err
	}
	return call(s, ctx, func(ctx context.Context) (bool, error) { return l.Pace(ctx, key, interval, burst, spend, now) })
}

func (s *timeoutStore) PurgeLimits(ctx context.Context, now time.Time) (int, error) {
	l, err := s.limiter()
	if err != nil {
		return 0, err
	}
	return call(s, ctx, func(ctx context.Context) (int, error) { return l.PurgeLimits(ctx, now) })
}

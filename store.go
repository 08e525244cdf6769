package tribune

import (
	"context"
	"time"

	"github.com/google/uuid"
)

// Store keeps articles and comments: the small core every store
// implements. The memstore, sqlitestore, pgstore and mysqlstore packages
// implement it, and storetest holds the contract every one of them
// passes; a third-party store needs these eleven methods and nothing
// else.
//
// The rules of comments live in this package, not in stores: what a
// duplicate is ([Service] computes Meta.DupKey), how an email is compared
// ([Email.Key]), that replies move up when their parent is deleted
// ([Service.Delete]), that every change through the Service bumps the
// version ([Service.Moderate], [Service.Edit]), what erasure blanks
// ([Service.Erase]). A store keeps what it is given and answers queries.
// The store's own methods skip those rules: they are for store authors
// and the Service, and a host changes comments through the Service.
//
// Beyond the core, a store may implement optional capabilities, found by
// type assertion as io/fs does: [Pager] (counts, revisions and pages from
// indexes), [BulkInserter] (imports in one transaction), [Limiter]
// (counts shared by every instance), [AddressBook] (reply mail's
// consent) and the outbox's queue (package outbox). The Service uses a
// capability when the store has it and falls back on the core when it
// has not, so callers never assert themselves.
//
// All methods take a context, honour its cancellation (returning an
// error that wraps ctx.Err()), and are safe for concurrent use. Errors
// wrap the sentinels of this package ([ErrNotFound], [ErrConflict], …)
// so callers test them with errors.Is. Times go in in any zone and at
// any precision and come back in UTC, truncated to the microsecond (what
// every SQL store keeps; storetest checks it); strings, including the
// email, come back byte for byte as stored.
type Store interface {
	// Articles.

	// CreateArticle stores a new article. A taken ID or slug is
	// ErrConflict.
	CreateArticle(ctx context.Context, a *Article) error
	// Article returns the article with the given ID, or ErrNotFound.
	Article(ctx context.Context, id uuid.UUID) (Article, error)
	// ArticleBySlug returns the article with the given slug, or ErrNotFound.
	ArticleBySlug(ctx context.Context, slug string) (Article, error)
	// Articles lists articles newest first (by publication time, then ID).
	Articles(ctx context.Context, span Span) ([]Article, error)
	// UpdateArticle replaces every field of the article with a.ID, or
	// returns ErrNotFound; a slug taken by another article is ErrConflict.
	UpdateArticle(ctx context.Context, a *Article) error
	// DeleteArticle removes the article and all its comments, in one
	// transaction, or returns ErrNotFound.
	DeleteArticle(ctx context.Context, id uuid.UUID) error

	// Comments.

	// CreateComment stores a new comment, checking atomically with the
	// insert (in one transaction, or under one lock), in this order:
	//   - c.Meta.Key, when set, is not taken: else ErrReplayed, and the
	//     comment stored under it is found with FindComments(Query{Key: …});
	//   - c.Meta.DupKey, when set, is not taken: else ErrDuplicate;
	//   - when g.FloodSince is set and c.Meta.ClientHash is not empty, no
	//     comment with that client hash was created after g.FloodSince:
	//     else ErrFlood.
	// An unknown article, or a ParentID that names no stored comment, is
	// ErrNotFound (checked atomically too: a parent deleted at the same
	// moment is never left with an orphan reply); a taken ID is
	// ErrConflict. The store keeps every field as given, the version
	// included. Each check costs one indexed look-up, whatever the
	// author's history.
	CreateComment(ctx context.Context, c *Comment, g Guard) error
	// Comment returns the comment with the given ID, or ErrNotFound.
	Comment(ctx context.Context, id uuid.UUID) (Comment, error)
	// FindComments lists the comments that match every condition of q,
	// in q's order. See [Query].
	FindComments(ctx context.Context, q Query) ([]Comment, error)
	// UpdateComment reads the comment with the given ID, passes it to
	// apply and stores what apply left in it, atomically: no other change
	// to the comment comes between the read and the write (a row lock, a
	// transaction, or the store's mutex). An unknown ID is ErrNotFound;
	// an error from apply aborts the update and is returned as is. apply
	// may run more than once if the store retries. The store writes every
	// field but ID, ArticleID and Created, and does not touch the version
	// itself: the Service bumps it. A ParentID that names no stored
	// comment is ErrNotFound; a Meta.Key another comment holds is
	// ErrReplayed (keys stay unique). It returns the comment as stored,
	// its times in UTC to the microsecond.
	UpdateComment(ctx context.Context, id uuid.UUID, apply func(*Comment) error) (Comment, error)
	// DeleteComment removes a comment that has no replies, or returns
	// ErrNotFound. A comment with replies is ErrConflict, checked
	// atomically with the delete, so a reply being posted at the same
	// moment is never orphaned: [DeleteComment], the function, moves the
	// replies up first.
	DeleteComment(ctx context.Context, id uuid.UUID) error
}

// Query selects comments for [Store.FindComments]. Its zero value
// matches every comment. Each condition maps onto an index of the SQL
// stores.
type Query struct {
	// ArticleID, when not uuid.Nil, keeps one article's comments.
	ArticleID uuid.UUID
	// IDs, when not empty, keeps only these comments (the first
	// MaxQueryIDs of them; unknown IDs are left out).
	IDs []uuid.UUID
	// ParentID, when not uuid.Nil, keeps the direct replies of that
	// comment.
	ParentID uuid.UUID
	// Statuses, when not empty, keeps the comments with one of them.
	Statuses []Status
	// EmailKey, when not empty, keeps the comments whose Email.Key() is
	// this (see [Email.Key]).
	EmailKey string
	// Key, when not empty, keeps the comment stored with Meta.Key == Key.
	Key string
	// Edited keeps the comments their authors edited after posting
	// (Comment.Edited set): what moderators look at again.
	Edited bool
	// Newest orders newest first (by creation time, then ID, both
	// descending); the default is thread order, oldest first, then by ID.
	Newest bool
	// Limit, when above 0, keeps at most that many, after skipping
	// Offset. Zero lists every match; an Offset without a Limit skips
	// that many and lists the rest, and one past the end lists none (an
	// empty, non-nil list).
	Limit, Offset int
}

// MaxQueryIDs is the most IDs one [Query] reads.
const MaxQueryIDs = 100

// Stamp is an article's revision: a value that changes with every change
// to the article or to any of its comments (a new comment of any status,
// an edit, a status change, a deletion, an erasure). A [Pager] store
// raises it in the same transaction as the change and never lowers it, so
// a value read before a list of comments is never newer than the list: a
// cache keyed on it may hold content newer than its key, never older.
// Compare stamps only for equality.
type Stamp int64

// Guard holds the rules [Store.CreateComment] checks atomically
// with the insert. The zero Guard checks only the keys.
type Guard struct {
	// FloodSince, when not zero, refuses the comment with ErrFlood if
	// another comment from the same client hash was created after it.
	FloodSince time.Time
}

// BulkInserter is the optional capability of storing many comments in one
// transaction, for imports; see [InsertComments].
type BulkInserter interface {
	// InsertComments stores every comment as given, or none of them: a
	// failure of one (an unknown article or parent, a taken ID or key)
	// rolls back the others. Parents come before their replies; oldest
	// first is fastest (each comment then takes the next page position).
	// No [Guard] applies.
	InsertComments(ctx context.Context, cs []Comment) error
}

// EraseMode says how [EraseByEmail] erases.
type EraseMode int

// The erase modes.
const (
	EraseAnonymise EraseMode = iota
	EraseDelete
)

// Span selects a slice of a list (of articles, of mails): Limit items
// from Offset. A Limit of 0 or less means DefaultPageSize; it is capped
// at MaxPageSize. (A comment page of a thread is a [PageQuery].)
type Span struct {
	Limit  int
	Offset int
}

// List sizes, of spans and of comment pages.
const (
	DefaultPageSize = 50
	MaxPageSize     = 1000
)

// Norm returns the span with its limit and offset made valid.
func (p Span) Norm() Span {
	if p.Limit <= 0 {
		p.Limit = DefaultPageSize
	}
	p.Limit = min(p.Limit, MaxPageSize)
	p.Offset = max(p.Offset, 0)
	return p
}

package tribune

import (
	"context"
	"time"

	"github.com/google/uuid"
)

// Store keeps articles and comments. The memstore, sqlitestore and pgstore
// packages implement it, and storetest holds the contract every one of
// them passes. All methods take a context, honour its cancellation
// (returning an error that wraps ctx.Err()), and are safe for concurrent
// use. Errors wrap the sentinels of this package ([ErrNotFound],
// [ErrConflict]) so callers test them with errors.Is.
//
// Times go in and come back in UTC at microsecond precision; strings,
// including the email, come back byte for byte as stored.
type Store interface {
	ArticleStore
	CommentStore
	ModerationStore
	PrivacyStore
}

// ArticleStore keeps articles.
type ArticleStore interface {
	// CreateArticle stores a new article. A taken ID or slug is
	// ErrConflict.
	CreateArticle(ctx context.Context, a *Article) error
	// Article returns the article with the given ID, or ErrNotFound.
	Article(ctx context.Context, id uuid.UUID) (Article, error)
	// ArticleBySlug returns the article with the given slug, or ErrNotFound.
	ArticleBySlug(ctx context.Context, slug string) (Article, error)
	// Articles lists articles newest first (by publication time, then ID).
	Articles(ctx context.Context, page Page) ([]Article, error)
	// UpdateArticle replaces every field of the article with a.ID, or
	// returns ErrNotFound; a slug taken by another article is ErrConflict.
	UpdateArticle(ctx context.Context, a *Article) error
	// DeleteArticle removes the article and all its comments, in one
	// transaction, or returns ErrNotFound.
	DeleteArticle(ctx context.Context, id uuid.UUID) error
}

// CommentStore keeps comments.
type CommentStore interface {
	// CreateComment stores a new comment, checking atomically with the
	// insert (in one transaction, or under one lock), in this order:
	//   - c.Meta.Key, when set, is not taken: else ErrReplayed, and the
	//     comment stored under it is found with CommentByKey;
	//   - c.Meta.DupKey, when set, is not taken: else ErrDuplicate;
	//   - when g.FloodSince is set and c.Meta.ClientHash is not empty, no
	//     comment with that client hash was created after g.FloodSince:
	//     else ErrFlood.
	// An unknown article is ErrNotFound; a taken ID is ErrConflict. The
	// store keeps c.Version as given (1 for a new comment). Each check
	// costs one indexed look-up, whatever the author's history.
	CreateComment(ctx context.Context, c *Comment, g Guard) error
	// CommentByKey returns the comment stored with Meta.Key == key, or
	// ErrNotFound.
	CommentByKey(ctx context.Context, key string) (Comment, error)
	// CommentsByIDs returns the comments of one article (of any article
	// when articleID is uuid.Nil) among ids, in thread order; unknown IDs
	// and other articles' comments are left out. At most 100 IDs are read.
	CommentsByIDs(ctx context.Context, articleID uuid.UUID, ids []uuid.UUID) ([]Comment, error)
	// Comment returns the comment with the given ID, or ErrNotFound.
	Comment(ctx context.Context, id uuid.UUID) (Comment, error)
	// Comments lists one article's comments whose status is among
	// statuses (all statuses when none is given), in thread order: oldest
	// first, then by ID.
	Comments(ctx context.Context, articleID uuid.UUID, statuses ...Status) ([]Comment, error)
	// SetStatus changes a comment's status and increments its version, or
	// returns ErrNotFound. It returns the comment as stored afterwards.
	SetStatus(ctx context.Context, id uuid.UUID, status Status) (Comment, error)
	// EditBody replaces a comment's body (already sanitized) and
	// increments its version, or returns ErrNotFound.
	EditBody(ctx context.Context, id uuid.UUID, body string) (Comment, error)
	// DeleteComment removes a comment for good, or returns ErrNotFound.
	// Its replies move up to its own parent, as in WordPress.
	DeleteComment(ctx context.Context, id uuid.UUID) error
	// CountApproved returns the number of approved comments of each
	// article, in one call; articles without any map to 0.
	CountApproved(ctx context.Context, articleIDs []uuid.UUID) (map[uuid.UUID]int, error)
	// LatestApproved lists the newest approved comments of one article,
	// or across articles when articleID is uuid.Nil, newest first, at most
	// limit of them (capped at MaxPageSize).
	LatestApproved(ctx context.Context, articleID uuid.UUID, limit int) ([]Comment, error)
	// CommentsByStatus lists comments of one status across articles,
	// newest first: the moderation queues.
	CommentsByStatus(ctx context.Context, status Status, page Page) ([]Comment, error)
	// CommentsStamp returns the article's revision: one read of one row,
	// whatever the size of the thread. An unknown article is ErrNotFound.
	// Caches of rendered threads key on it, so every instance sharing the
	// store sees a change as soon as it is acknowledged.
	CommentsStamp(ctx context.Context, articleID uuid.UUID) (Stamp, error)
}

// Stamp is an article's revision. The store raises it in the same
// transaction as every change to the article or to any of its comments
// (a new comment of any status, an edit, a status change, a deletion, an
// erasure) and never lowers it, so a value read before a list of
// comments is never newer than the list: a cache keyed on it may hold
// content newer than its key, never older.
type Stamp int64

// Guard holds the rules [CommentStore.CreateComment] checks atomically
// with the insert. The zero Guard checks only the keys.
type Guard struct {
	// FloodSince, when not zero, refuses the comment with ErrFlood if
	// another comment from the same client hash was created after it.
	FloodSince time.Time
}

// ModerationStore answers the look-ups moderation rules need.
type ModerationStore interface {
	// HasApproved reports whether the email (compared without regard to
	// case) has at least one approved comment.
	HasApproved(ctx context.Context, email Email) (bool, error)
}

// PrivacyStore serves personal-data requests.
type PrivacyStore interface {
	// CommentsByEmail lists every comment sent with the email (compared
	// without regard to case), oldest first: the personal-data export.
	CommentsByEmail(ctx context.Context, email Email) ([]Comment, error)
	// EraseByEmail erases the personal data of every comment sent with the
	// email and returns how many comments it touched. With
	// [EraseAnonymise] the comments stay with the name, email, website and
	// metadata blanked (shown as "Anonymous") and their version
	// incremented; with [EraseDelete] they are deleted, replies moving up.
	EraseByEmail(ctx context.Context, email Email, mode EraseMode) (int, error)
}

// EraseMode says how [PrivacyStore.EraseByEmail] erases.
type EraseMode int

// The erase modes.
const (
	EraseAnonymise EraseMode = iota
	EraseDelete
)

// Page selects a slice of a list. A Limit of 0 or less means
// DefaultPageSize; it is capped at MaxPageSize.
type Page struct {
	Limit  int
	Offset int
}

// Page sizes.
const (
	DefaultPageSize = 50
	MaxPageSize     = 1000
)

// Norm returns the page with its limit and offset made valid.
func (p Page) Norm() Page {
	if p.Limit <= 0 {
		p.Limit = DefaultPageSize
	}
	p.Limit = min(p.Limit, MaxPageSize)
	p.Offset = max(p.Offset, 0)
	return p
}

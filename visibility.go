package tribune

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
)

// Viewer is who looks at a public view of a thread: a comment page, a
// permalink, the JSON API, a feed. What they see is [Viewer.Sees], the
// one visibility rule every view keeps; the Service's reads apply it.
// The zero Viewer is an anonymous visitor (what feeds and caches show).
type Viewer struct {
	// Own lists the comments this visitor posted, as the widget's signed
	// own-comments cookie tells it: held ones stay visible to them.
	Own []uuid.UUID
	// Moderator sees every held comment (and may act on it).
	Moderator bool
}

// Sees is the visibility rule: an approved comment is seen by everyone;
// a held one (pending) by its author, through [Viewer.Own], and by a
// moderator; spam and trash by no public view (only the moderation screen
// lists them).
func (v Viewer) Sees(c Comment) bool {
	switch c.Status {
	case StatusApproved:
		return true
	case StatusPending:
		return v.Moderator || slices.Contains(v.Own, c.ID)
	}
	return false
}

// visible drops in place the comments v does not see.
func (v Viewer) visible(cs []Comment) []Comment {
	return slices.DeleteFunc(cs, func(c Comment) bool { return !v.Sees(c) })
}

// Comment returns the comment with that ID if v sees it; ErrNotFound
// otherwise, the same answer as for a comment that never existed.
func (s *Service) Comment(ctx context.Context, id uuid.UUID, v Viewer) (Comment, error) {
	c, err := s.store.Comment(ctx, id)
	if err != nil {
		return Comment{}, err
	}
	if !v.Sees(c) {
		return Comment{}, fmt.Errorf("tribune: comment %s: %w", id, ErrNotFound)
	}
	return c, nil
}

// Thread returns the whole of an article's thread that v sees, in thread
// order: the approved comments and the held ones [Viewer.Sees] allows
// (their own, read by their IDs; every one of them, up to MaxPageSize,
// for a moderator).
func (s *Service) Thread(ctx context.Context, articleID uuid.UUID, v Viewer) ([]Comment, error) {
	held, err := s.Held(ctx, articleID, v)
	if err != nil {
		return nil, err
	}
	out, err := s.store.FindComments(ctx, Query{ArticleID: articleID, Statuses: []Status{StatusApproved}})
	if err != nil || len(held) == 0 {
		return out, err
	}
	out = append(out, held...)
	slices.SortFunc(out, threadOrder)
	return out, nil
}

// Held returns the held comments of the article that v sees, in thread
// order: for a moderator every pending comment (up to MaxPageSize), for
// anyone else those of [Viewer.Own] that still wait, read by their IDs
// whatever the size of the article's queue.
func (s *Service) Held(ctx context.Context, articleID uuid.UUID, v Viewer) ([]Comment, error) {
	if v.Moderator {
		return s.store.FindComments(ctx, Query{ArticleID: articleID, Statuses: []Status{StatusPending}, Limit: MaxPageSize})
	}
	mine, err := s.Own(ctx, articleID, v.Own)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(mine, func(c Comment) bool { return c.Status != StatusPending }), nil
}

// Page returns one comment page of the thread (see [PageQuery]), as v
// sees it: the page's approved top-level comments with the replies v sees.
// It reads the store's indexes when the store is a [Pager].
func (s *Service) Page(ctx context.Context, q PageQuery, v Viewer) ([]Comment, error) {
	cs, err := commentPage(ctx, s.store, q)
	if err != nil {
		return nil, err
	}
	return v.visible(cs), nil
}

// Latest returns up to limit of the newest approved comments, of one
// article or (with uuid.Nil) of the whole site: what feeds show.
func (s *Service) Latest(ctx context.Context, articleID uuid.UUID, limit int) ([]Comment, error) {
	return s.store.FindComments(ctx, Query{ArticleID: articleID, Statuses: []Status{StatusApproved}, Newest: true, Limit: limit})
}

// CountThread returns the article's counts (see [ThreadCount]): one row
// when the store is a [Pager], else it reads the approved comments. An
// unknown article is ErrNotFound.
func (s *Service) CountThread(ctx context.Context, articleID uuid.UUID) (ThreadCount, error) {
	return countThread(ctx, s.store, articleID)
}

// TopLevelBefore returns how many approved top-level comments of the
// article come before (created, id) in thread order: where a comment's
// page is.
func (s *Service) TopLevelBefore(ctx context.Context, articleID uuid.UUID, created time.Time, id uuid.UUID) (int, error) {
	return topLevelBefore(ctx, s.store, articleID, created, id)
}

// Counts returns the number of approved comments of each article (0 for
// an unknown one), in one query when the store is a [Pager].
func (s *Service) Counts(ctx context.Context, articleIDs []uuid.UUID) (map[uuid.UUID]int, error) {
	return countApproved(ctx, s.store, articleIDs)
}

// Stamp returns the article's revision, which every change to its
// comments moves (see [Stamp]): what a cached page is keyed on.
func (s *Service) Stamp(ctx context.Context, articleID uuid.UUID) (Stamp, error) {
	return commentsStamp(ctx, s.store, articleID)
}

// CommentsByEmail lists every comment sent with the email (compared by
// [Email.Key]), oldest first: a person's data export.
func (s *Service) CommentsByEmail(ctx context.Context, email Email) ([]Comment, error) {
	return commentsByEmail(ctx, s.store, email)
}

// Erase erases the personal data of every comment sent with the email,
// as mode says, forgets the address, and returns how many comments it
// touched; each comment is one atomic change, and running it again
// finishes an erasure cut short.
func (s *Service) Erase(ctx context.Context, email Email, mode EraseMode) (int, error) {
	return eraseByEmail(ctx, s.store, email, mode)
}

package storetest

import (
	"context"
	"testing"

	"github.com/google/uuid"

	"github.com/tribune-go/tribune"
)

// ops is the store under test with the queries and rules the suite reads
// it through: the core's methods as they are, and everything else by the
// root package's functions and queries, as Tribune itself calls them (a
// capability the store declares is used, else the root's fallback).
// Changes a host makes (moderation, edits, deletes) go through a
// [tribune.Service] over the store, the one way a host changes a comment.
type ops struct {
	tribune.Store
	svc *tribune.Service
}

func newOps(t testing.TB, s tribune.Store) ops {
	t.Helper()
	svc, err := tribune.NewService(s, tribune.WithFloodInterval(0))
	if err != nil {
		t.Fatal(err)
	}
	return ops{Store: s, svc: svc}
}

func (o ops) Comments(ctx context.Context, articleID uuid.UUID, statuses ...tribune.Status) ([]tribune.Comment, error) {
	return o.FindComments(ctx, tribune.Query{ArticleID: articleID, Statuses: statuses})
}

func (o ops) CommentsByIDs(ctx context.Context, articleID uuid.UUID, ids []uuid.UUID) ([]tribune.Comment, error) {
	if len(ids) == 0 {
		return []tribune.Comment{}, ctx.Err()
	}
	return o.FindComments(ctx, tribune.Query{ArticleID: articleID, IDs: ids})
}

func (o ops) CommentByKey(ctx context.Context, key string) (tribune.Comment, error) {
	if key == "" {
		return tribune.Comment{}, tribune.ErrNotFound
	}
	cs, err := o.FindComments(ctx, tribune.Query{Key: key, Limit: 1})
	if err == nil && len(cs) == 0 {
		err = tribune.ErrNotFound
	}
	if err != nil {
		return tribune.Comment{}, err
	}
	return cs[0], nil
}

func (o ops) LatestApproved(ctx context.Context, articleID uuid.UUID, limit int) ([]tribune.Comment, error) {
	return o.FindComments(ctx, tribune.Query{ArticleID: articleID, Statuses: []tribune.Status{tribune.StatusApproved}, Newest: true, Limit: limit})
}

func (o ops) CommentsByStatus(ctx context.Context, status tribune.Status, page tribune.Span) ([]tribune.Comment, error) {
	p := page.Norm()
	return o.FindComments(ctx, tribune.Query{Statuses: []tribune.Status{status}, Newest: true, Limit: p.Limit, Offset: p.Offset})
}

func (o ops) HasApproved(ctx context.Context, email tribune.Email) (bool, error) {
	cs, err := o.FindComments(ctx, tribune.Query{EmailKey: email.Key(), Statuses: []tribune.Status{tribune.StatusApproved}, Limit: 1})
	return len(cs) > 0 && !email.IsZero(), err
}

func (o ops) CommentsByEmail(ctx context.Context, email tribune.Email) ([]tribune.Comment, error) {
	return o.svc.CommentsByEmail(ctx, email)
}

func (o ops) SetStatus(ctx context.Context, id uuid.UUID, status tribune.Status) (tribune.Comment, error) {
	return o.svc.Moderate(ctx, id, status)
}

// EditBody is a moderator's edit: text goes through the sanitizer.
func (o ops) EditBody(ctx context.Context, id uuid.UUID, text string) (tribune.Comment, error) {
	return o.svc.Edit(ctx, id, text)
}

// DeleteComment is the Service's delete (replies move up), not the core's.
func (o ops) DeleteComment(ctx context.Context, id uuid.UUID) error {
	return o.svc.Delete(ctx, id)
}

func (o ops) EraseByEmail(ctx context.Context, email tribune.Email, mode tribune.EraseMode) (int, error) {
	return o.svc.Erase(ctx, email, mode)
}

func (o ops) CountApproved(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]int, error) {
	return o.svc.Counts(ctx, ids)
}

func (o ops) CommentsStamp(ctx context.Context, id uuid.UUID) (tribune.Stamp, error) {
	return o.svc.Stamp(ctx, id)
}

package mysqlstore

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/tribune-go/tribune"
	"github.com/tribune-go/tribune/internal/sqlquery"
	"github.com/tribune-go/tribune/internal/sqlrow"
)

// CountThread implements tribune.Pager: the counts the store keeps in the
// article's row.
func (s *Store) CountThread(ctx context.Context, articleID uuid.UUID) (tribune.ThreadCount, error) {
	var n tribune.ThreadCount
	err := s.db.QueryRowContext(ctx, `SELECT approved_count, approved_top FROM articles WHERE id = ?`, articleID.String()).Scan(&n.Approved, &n.TopLevel)
	return n, classify("count thread", err)
}

// CommentPage implements tribune.Pager.
func (s *Store) CommentPage(ctx context.Context, q tribune.PageQuery) ([]tribune.Comment, error) {
	b := sqlquery.New(dialect)
	return s.query(ctx, "comment page", b.Page(sqlrow.CommentCols, q), b.Args...)
}

// TopLevelBefore implements tribune.Pager.
func (s *Store) TopLevelBefore(ctx context.Context, articleID uuid.UUID, created time.Time, id uuid.UUID) (int, error) {
	b := sqlquery.New(dialect)
	var n int
	err := s.db.QueryRowContext(ctx, b.TopLevelBefore(articleID, utc(created), id), b.Args...).Scan(&n)
	return n, classify("top-level before", err)
}

// articleOf reads the article a comment belongs to, without a lock: it
// never changes.
func (s *Store) articleOf(ctx context.Context, id uuid.UUID) (uuid.UUID, error) {
	var aid string
	if err := s.db.QueryRowContext(ctx, `SELECT article_id FROM comments WHERE id = ?`, id.String()).Scan(&aid); err != nil {
		return uuid.Nil, classify("comment", err)
	}
	return uuid.Parse(aid)
}

// CountApproved implements tribune.Pager: the counts the store keeps in
// the articles' rows.
func (s *Store) CountApproved(ctx context.Context, articleIDs []uuid.UUID) (map[uuid.UUID]int, error) {
	out := make(map[uuid.UUID]int, len(articleIDs))
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if len(articleIDs) == 0 {
		return out, nil
	}
	b := sqlquery.New(dialect)
	vs := make([]any, len(articleIDs))
	for i, id := range articleIDs {
		out[id] = 0
		vs[i] = id.String()
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id, approved_count FROM articles WHERE id IN `+b.List(vs), b.Args...)
	if err != nil {
		return nil, classify("count approved", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, classify("count approved", err)
		}
		aid, err := uuid.Parse(id)
		if err != nil {
			return nil, classify("count approved", err)
		}
		out[aid] = n
	}
	return out, classify("count approved", rows.Err())
}

// CommentsStamp implements tribune.Pager.
func (s *Store) CommentsStamp(ctx context.Context, articleID uuid.UUID) (tribune.Stamp, error) {
	var st int64
	err := s.db.QueryRowContext(ctx, `SELECT comments_rev FROM articles WHERE id = ?`, articleID.String()).Scan(&st)
	return tribune.Stamp(st), classify("comments stamp", err)
}

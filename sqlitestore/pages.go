package sqlitestore

import (
	"context"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/tribune-go/tribune"
	"github.com/tribune-go/tribune/internal/sqlquery"
	"github.com/tribune-go/tribune/internal/sqlrow"
)

// renumberSQL numbers an article's approved top-level comments 0, 1, 2…
// in thread order in one statement, writing only the rows whose position
// changes (the update trigger does not watch top_pos).
const renumberSQL = `UPDATE comments SET top_pos = r.p FROM (
	SELECT id, ROW_NUMBER() OVER (ORDER BY created, id) - 1 AS p FROM comments
	WHERE article_id = ?1 AND status = 'approved' AND parent_id IS NULL) AS r
	WHERE comments.id = r.id AND comments.top_pos IS NOT r.p`

// CountThread implements tribune.Pager: the counts the triggers keep in
// the article's row.
func (s *Store) CountThread(ctx context.Context, articleID uuid.UUID) (tribune.ThreadCount, error) {
	var n tribune.ThreadCount
	err := s.countThread.QueryRowContext(ctx, articleID.String()).Scan(&n.Approved, &n.TopLevel)
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
	err := s.r.QueryRowContext(ctx, b.TopLevelBefore(articleID, micro(created), id), b.Args...).Scan(&n)
	return n, classify("top-level before", err)
}

// CountApproved implements tribune.Pager: the counts the triggers keep
// in the articles' rows.
func (s *Store) CountApproved(ctx context.Context, articleIDs []uuid.UUID) (map[uuid.UUID]int, error) {
	out := make(map[uuid.UUID]int, len(articleIDs))
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if len(articleIDs) == 0 {
		return out, nil
	}
	args := make([]any, len(articleIDs))
	for i, id := range articleIDs {
		out[id] = 0
		args[i] = id.String()
	}
	rows, err := s.r.QueryContext(ctx, `SELECT id, approved_count FROM articles WHERE id IN (?`+
		strings.Repeat(", ?", len(args)-1)+`)`, args...)
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
// A revision read less than Tuning.OtherWritersLag ago (100 ms), with no
// write by this Store since, is answered from memory.
func (s *Store) CommentsStamp(ctx context.Context, articleID uuid.UUID) (tribune.Stamp, error) {
	if st, ok := s.stamps.get(articleID); ok {
		return st, nil
	}
	mark, read := s.stamps.mark(), time.Now()
	var st tribune.Stamp
	if err := s.stamp.QueryRowContext(ctx, articleID.String()).Scan(&st); err != nil {
		return 0, classify("comments stamp", err)
	}
	s.stamps.keep(articleID, st, mark, read)
	return st, nil
}

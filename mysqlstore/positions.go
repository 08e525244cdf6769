package mysqlstore

import (
	"context"
	"database/sql"

	"github.com/google/uuid"

	"github.com/tribune-go/tribune"
	"github.com/tribune-go/tribune/internal/sqlrow"
)

// bump raises an article's revision, taking its row lock: the first step
// of every transaction that changes its thread. An unknown article is
// ErrNotFound.
func bump(ctx context.Context, tx *sql.Tx, articleID uuid.UUID) error {
	res, err := tx.ExecContext(ctx, `UPDATE articles SET comments_rev = comments_rev + 1 WHERE id = ?`, articleID.String())
	if err != nil {
		return classify("bump revision", err)
	}
	return classify("article", sqlrow.Affected(res))
}

// counts is what a comment adds to its article's counts.
func counts(c *tribune.Comment) (all, top int) {
	if c.Status != tribune.StatusApproved {
		return 0, 0
	}
	if c.ParentID == uuid.Nil {
		return 1, 1
	}
	return 1, 0
}

// joins says whether a comment has a position: approved and top-level.
func joins(c *tribune.Comment) bool {
	return c.Status == tribune.StatusApproved && c.ParentID == uuid.Nil
}

// place gives a comment that joins its article's positions the place of
// the first newer one, or the end (after recount, which counted it),
// moving those after it up by one: one row for the newest comment.
func place(ctx context.Context, tx *sql.Tx, c *tribune.Comment) error {
	var pos sql.NullInt64
	err := tx.QueryRowContext(ctx, `SELECT MIN(top_pos) FROM comments WHERE article_id = ? AND status = 'approved' AND parent_id IS NULL
		AND id <> ? AND created >= ? AND (created > ? OR id > ?)`,
		c.ArticleID.String(), c.ID.String(), utc(c.Created), utc(c.Created), c.ID.String()).Scan(&pos)
	if err != nil {
		return classify("place comment", err)
	}
	if pos.Valid {
		if _, err := tx.ExecContext(ctx, `UPDATE comments SET top_pos = top_pos + 1 WHERE article_id = ? AND top_pos >= ?`,
			c.ArticleID.String(), pos.Int64); err != nil {
			return classify("place comment", err)
		}
	} else if err := tx.QueryRowContext(ctx, `SELECT approved_top - 1 FROM articles WHERE id = ?`, c.ArticleID.String()).Scan(&pos); err != nil {
		return classify("place comment", err)
	}
	_, err = tx.ExecContext(ctx, `UPDATE comments SET top_pos = ? WHERE id = ?`, pos.Int64, c.ID.String())
	return classify("place comment", err)
}

// unplace gives a comment's position up: those after it move down by one.
func unplace(ctx context.Context, tx *sql.Tx, articleID, id uuid.UUID, pos sql.NullInt64) error {
	if !pos.Valid {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `UPDATE comments SET top_pos = NULL WHERE id = ?`, id.String()); err != nil {
		return classify("unplace comment", err)
	}
	_, err := tx.ExecContext(ctx, `UPDATE comments SET top_pos = top_pos - 1 WHERE article_id = ? AND top_pos > ?`, articleID.String(), pos.Int64)
	return classify("unplace comment", err)
}

// topPos reads a comment's position in the transaction.
func topPos(ctx context.Context, tx *sql.Tx, id uuid.UUID) (sql.NullInt64, error) {
	var pos sql.NullInt64
	err := tx.QueryRowContext(ctx, `SELECT top_pos FROM comments WHERE id = ?`, id.String()).Scan(&pos)
	return pos, classify("comment position", err)
}

// renumber numbers an article's positions from its comments: after a bulk
// insert, once.
func renumber(ctx context.Context, tx *sql.Tx, articleID uuid.UUID) error {
	_, err := tx.ExecContext(ctx, `UPDATE comments c JOIN (
		SELECT id, ROW_NUMBER() OVER (ORDER BY created, id) - 1 AS p FROM comments
		WHERE article_id = ? AND status = 'approved' AND parent_id IS NULL) r ON c.id = r.id
		SET c.top_pos = r.p`, articleID.String())
	return classify("number comments", err)
}

// recount moves an article's counts by the given amounts, in the
// transaction that changed its comments.
func recount(ctx context.Context, tx *sql.Tx, articleID uuid.UUID, all, top int) error {
	if all == 0 && top == 0 {
		return nil
	}
	_, err := tx.ExecContext(ctx, `UPDATE articles SET approved_count = approved_count + ?, approved_top = approved_top + ? WHERE id = ?`,
		all, top, articleID.String())
	return classify("count comments", err)
}

package mysqlstore

import (
	"context"
	"database/sql"

	"github.com/google/uuid"

	"github.com/tribune-go/tribune"
	"github.com/tribune-go/tribune/internal/sqlrow"
)

// CreateArticle implements tribune.Store.
func (s *Store) CreateArticle(ctx context.Context, a *tribune.Article) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO articles (`+sqlrow.ArticleCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		a.ID.String(), a.Slug, a.Title, a.Summary, a.Body, a.Author, a.Lang, utc(a.Published), utc(a.Updated), a.CommentsClosed)
	return classify("create article", err)
}

// Article implements tribune.Store.
func (s *Store) Article(ctx context.Context, id uuid.UUID) (tribune.Article, error) {
	a, err := sqlrow.Article(s.db.QueryRowContext(ctx, `SELECT `+sqlrow.ArticleCols+` FROM articles WHERE id = ?`, id.String()))
	return a, classify("article", err)
}

// ArticleBySlug implements tribune.Store.
func (s *Store) ArticleBySlug(ctx context.Context, slug string) (tribune.Article, error) {
	a, err := sqlrow.Article(s.db.QueryRowContext(ctx, `SELECT `+sqlrow.ArticleCols+` FROM articles WHERE slug = ?`, slug))
	return a, classify("article by slug", err)
}

// Articles implements tribune.Store.
func (s *Store) Articles(ctx context.Context, page tribune.Span) ([]tribune.Article, error) {
	page = page.Norm()
	out, err := sqlrow.Collect(ctx, s.db, sqlrow.Article, `SELECT `+sqlrow.ArticleCols+` FROM articles ORDER BY published DESC, id LIMIT ? OFFSET ?`, page.Limit, page.Offset)
	return out, classify("articles", err)
}

// UpdateArticle implements tribune.Store.
func (s *Store) UpdateArticle(ctx context.Context, a *tribune.Article) error {
	res, err := s.db.ExecContext(ctx, `UPDATE articles SET slug = ?, title = ?, summary = ?, body = ?, author = ?, lang = ?,
		published = ?, updated = ?, comments_closed = ?, comments_rev = comments_rev + 1 WHERE id = ?`,
		a.Slug, a.Title, a.Summary, a.Body, a.Author, a.Lang, utc(a.Published), utc(a.Updated), a.CommentsClosed, a.ID.String())
	if err != nil {
		return classify("update article", err)
	}
	return classify("update article", sqlrow.Affected(res))
}

// DeleteArticle implements tribune.Store. InnoDB checks a foreign
// key row by row, so the replies are first detached from their parents
// (all of them going), then the article's delete cascades to them.
func (s *Store) DeleteArticle(ctx context.Context, id uuid.UUID) error {
	return s.inTx(ctx, "delete article", func(tx *sql.Tx) error {
		if err := bump(ctx, tx, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE comments SET parent_id = NULL WHERE article_id = ?`, id.String()); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM articles WHERE id = ?`, id.String())
		return err
	})
}

package sqlitestore

import (
	"context"

	"github.com/google/uuid"

	"github.com/tribune-go/tribune"
	"github.com/tribune-go/tribune/internal/sqlrow"
)

// CreateArticle implements tribune.Store.
func (s *Store) CreateArticle(ctx context.Context, a *tribune.Article) error {
	defer s.stamps.wrote()
	_, err := s.w.ExecContext(ctx, `INSERT INTO articles (`+sqlrow.ArticleCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		a.ID.String(), a.Slug, a.Title, a.Summary, a.Body, a.Author, a.Lang, micro(a.Published), micro(a.Updated), a.CommentsClosed)
	return classify("create article", err)
}

// Article implements tribune.Store.
func (s *Store) Article(ctx context.Context, id uuid.UUID) (tribune.Article, error) {
	a, err := sqlrow.Article(s.article.QueryRowContext(ctx, id.String()))
	return a, classify("article", err)
}

// ArticleBySlug implements tribune.Store.
func (s *Store) ArticleBySlug(ctx context.Context, slug string) (tribune.Article, error) {
	a, err := sqlrow.Article(s.articleBySlug.QueryRowContext(ctx, slug))
	return a, classify("article by slug", err)
}

// Articles implements tribune.Store.
func (s *Store) Articles(ctx context.Context, page tribune.Span) ([]tribune.Article, error) {
	page = page.Norm()
	out, err := sqlrow.Collect(ctx, s.r, sqlrow.Article, `SELECT `+sqlrow.ArticleCols+` FROM articles ORDER BY published DESC, id LIMIT ? OFFSET ?`, page.Limit, page.Offset)
	return out, classify("articles", err)
}

// UpdateArticle implements tribune.Store.
func (s *Store) UpdateArticle(ctx context.Context, a *tribune.Article) error {
	defer s.stamps.wrote()
	res, err := s.w.ExecContext(ctx, `UPDATE articles SET slug = ?, title = ?, summary = ?, body = ?, author = ?, lang = ?,
		published = ?, updated = ?, comments_closed = ?, comments_rev = comments_rev + 1 WHERE id = ?`,
		a.Slug, a.Title, a.Summary, a.Body, a.Author, a.Lang, micro(a.Published), micro(a.Updated), a.CommentsClosed, a.ID.String())
	if err != nil {
		return classify("update article", err)
	}
	return classify("update article", sqlrow.Affected(res))
}

// DeleteArticle implements tribune.Store: its comments go with it
// (ON DELETE CASCADE).
func (s *Store) DeleteArticle(ctx context.Context, id uuid.UUID) error {
	defer s.stamps.wrote()
	res, err := s.w.ExecContext(ctx, `DELETE FROM articles WHERE id = ?`, id.String())
	if err != nil {
		return classify("delete article", err)
	}
	return classify("delete article", sqlrow.Affected(res))
}

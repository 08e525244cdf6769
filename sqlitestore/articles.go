package sqlitestore

import (
	"context"

	"github.com/google/uuid"

	"github.com/tribune-go/tribune"
)

const articleCols = `id, slug, title, summary, body, author, lang, published, updated, comments_closed`

func scanArticle(row scanner) (tribune.Article, error) {
	var a tribune.Article
	var id string
	var pub, upd int64
	if err := row.Scan(&id, &a.Slug, &a.Title, &a.Summary, &a.Body, &a.Author, &a.Lang, &pub, &upd, &a.CommentsClosed); err != nil {
		return a, err
	}
	var err error
	a.ID, err = uuid.Parse(id)
	a.Published, a.Updated = fromMicro(pub), fromMicro(upd)
	return a, err
}

// CreateArticle implements tribune.Store.
func (s *Store) CreateArticle(ctx context.Context, a *tribune.Article) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO articles (`+articleCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		a.ID.String(), a.Slug, a.Title, a.Summary, a.Body, a.Author, a.Lang, micro(a.Published), micro(a.Updated), a.CommentsClosed)
	return classify("create article", err)
}

// Article implements tribune.Store.
func (s *Store) Article(ctx context.Context, id uuid.UUID) (tribune.Article, error) {
	a, err := scanArticle(s.article.QueryRowContext(ctx, id.String()))
	return a, classify("article", err)
}

// ArticleBySlug implements tribune.Store.
func (s *Store) ArticleBySlug(ctx context.Context, slug string) (tribune.Article, error) {
	a, err := scanArticle(s.articleBySlug.QueryRowContext(ctx, slug))
	return a, classify("article by slug", err)
}

// Articles implements tribune.Store.
func (s *Store) Articles(ctx context.Context, page tribune.Span) ([]tribune.Article, error) {
	page = page.Norm()
	rows, err := s.r.QueryContext(ctx, `SELECT `+articleCols+` FROM articles ORDER BY published DESC, id LIMIT ? OFFSET ?`, page.Limit, page.Offset)
	if err != nil {
		return nil, classify("articles", err)
	}
	defer rows.Close()
	out := []tribune.Article{}
	for rows.Next() {
		a, err := scanArticle(rows)
		if err != nil {
			return nil, classify("articles", err)
		}
		out = append(out, a)
	}
	return out, classify("articles", rows.Err())
}

// UpdateArticle implements tribune.Store.
func (s *Store) UpdateArticle(ctx context.Context, a *tribune.Article) error {
	res, err := s.w.ExecContext(ctx, `UPDATE articles SET slug = ?, title = ?, summary = ?, body = ?, author = ?, lang = ?,
		published = ?, updated = ?, comments_closed = ?, comments_rev = comments_rev + 1 WHERE id = ?`,
		a.Slug, a.Title, a.Summary, a.Body, a.Author, a.Lang, micro(a.Published), micro(a.Updated), a.CommentsClosed, a.ID.String())
	if err != nil {
		return classify("update article", err)
	}
	return affected("update article", res)
}

// DeleteArticle implements tribune.Store: its comments go with it
// (ON DELETE CASCADE).
func (s *Store) DeleteArticle(ctx context.Context, id uuid.UUID) error {
	res, err := s.w.ExecContext(ctx, `DELETE FROM articles WHERE id = ?`, id.String())
	if err != nil {
		return classify("delete article", err)
	}
	return affected("delete article", res)
}

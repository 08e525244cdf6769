package mysqlstore

import (
	"context"
	"database/sql"

	"github.com/google/uuid"

	"github.com/tribune-go/tribune"
)

const articleCols = `id, slug, title, summary, body, author, lang, published, updated, comments_closed`

func scanArticle(row scanner) (tribune.Article, error) {
	var a tribune.Article
	var id string
	if err := row.Scan(&id, &a.Slug, &a.Title, &a.Summary, &a.Body, &a.Author, &a.Lang, &a.Published, &a.Updated, &a.CommentsClosed); err != nil {
		return a, err
	}
	var err error
	a.ID, err = uuid.Parse(id)
	a.Published, a.Updated = a.Published.UTC(), a.Updated.UTC()
	return a, err
}

// CreateArticle implements tribune.Store.
func (s *Store) CreateArticle(ctx context.Context, a *tribune.Article) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO articles (`+articleCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		a.ID.String(), a.Slug, a.Title, a.Summary, a.Body, a.Author, a.Lang, utc(a.Published), utc(a.Updated), a.CommentsClosed)
	return classify("create article", err)
}

// Article implements tribune.Store.
func (s *Store) Article(ctx context.Context, id uuid.UUID) (tribune.Article, error) {
	a, err := scanArticle(s.db.QueryRowContext(ctx, `SELECT `+articleCols+` FROM articles WHERE id = ?`, id.String()))
	return a, classify("article", err)
}

// ArticleBySlug implements tribune.Store.
func (s *Store) ArticleBySlug(ctx context.Context, slug string) (tribune.Article, error) {
	a, err := scanArticle(s.db.QueryRowContext(ctx, `SELECT `+articleCols+` FROM articles WHERE slug = ?`, slug))
	return a, classify("article by slug", err)
}

// Articles implements tribune.Store.
func (s *Store) Articles(ctx context.Context, page tribune.Span) ([]tribune.Article, error) {
	page = page.Norm()
	rows, err := s.db.QueryContext(ctx, `SELECT `+articleCols+` FROM articles ORDER BY published DESC, id LIMIT ? OFFSET ?`, page.Limit, page.Offset)
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
	res, err := s.db.ExecContext(ctx, `UPDATE articles SET slug = ?, title = ?, summary = ?, body = ?, author = ?, lang = ?,
		published = ?, updated = ?, comments_closed = ?, comments_rev = comments_rev + 1 WHERE id = ?`,
		a.Slug, a.Title, a.Summary, a.Body, a.Author, a.Lang, utc(a.Published), utc(a.Updated), a.CommentsClosed, a.ID.String())
	if err != nil {
		return classify("update article", err)
	}
	return affected("update article", res)
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

// Package pgstore keeps Tribune's articles and comments in PostgreSQL
// (github.com/jackc/pgx/v5), for sites that run many app instances
// against one database. It keeps no state of its own besides the
// connection pool: every instance sees every write at once.
//
// Schema migrations are embedded and applied by [Open] inside a
// transaction that holds an advisory lock, so instances starting together
// apply each migration once; they are recorded in tribune_schema.
package pgstore

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/tribune-go/tribune"
	"github.com/tribune-go/tribune/internal/sqlquery"
	migrations "github.com/tribune-go/tribune/migrate"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// Store is a tribune.Store on PostgreSQL. It is safe for concurrent use.
type Store struct {
	pool *pgxpool.Pool
}

var (
	_ tribune.Store        = (*Store)(nil)
	_ tribune.BulkInserter = (*Store)(nil)
	_ tribune.Pager        = (*Store)(nil)
)

type config struct {
	schema string
}

// Option configures [Open].
type Option func(*config)

// WithSchema keeps Tribune's tables in the named schema (it must exist),
// by setting the connections' search_path.
func WithSchema(name string) Option { return func(c *config) { c.schema = name } }

// Open connects to the database named by dsn (a postgres:// URL or a
// key=value string) and applies the embedded migrations. The pool is
// pgxpool's, set in the DSN as pgxpool reads it: pool_max_conns (default
// 4 or the CPU count), pool_max_conn_idle_time and the rest.
func Open(ctx context.Context, dsn string, opts ...Option) (*Store, error) {
	var cfg config
	for _, o := range opts {
		o(&cfg)
	}
	pc, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		// pgx's message can quote the DSN, password included: keep it out.
		return nil, errors.New("pgstore: the PostgreSQL DSN cannot be parsed")
	}
	if cfg.schema != "" {
		pc.ConnConfig.RuntimeParams["search_path"] = cfg.schema
	}
	pool, err := pgxpool.NewWithConfig(ctx, pc)
	if err != nil {
		return nil, fmt.Errorf("pgstore: connect: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("pgstore: connect: %w", err)
	}
	if err := migrate(ctx, pool); err != nil {
		pool.Close()
		return nil, err
	}
	return &Store{pool: pool}, nil
}

// Close closes the pool.
func (s *Store) Close() { s.pool.Close() }

func migrate(ctx context.Context, pool *pgxpool.Pool) error {
	all, err := migrations.Load(migrationFS, "migrations")
	if err != nil {
		return fmt.Errorf("pgstore: %w", err)
	}
	return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(7468171)`); err != nil {
			return fmt.Errorf("pgstore: migrate: %w", err)
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS tribune_schema (version integer PRIMARY KEY, applied timestamptz NOT NULL DEFAULT now())`); err != nil {
			return fmt.Errorf("pgstore: migrate: %w", err)
		}
		var current int
		if err := tx.QueryRow(ctx, `SELECT COALESCE(MAX(version), 0) FROM tribune_schema`).Scan(&current); err != nil {
			return fmt.Errorf("pgstore: migrate: %w", err)
		}
		if err := migrations.Run(all, current, func(m migrations.Migration) error {
			if _, err := tx.Exec(ctx, m.SQL); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, `INSERT INTO tribune_schema (version) VALUES ($1)`, m.Version)
			return err
		}); err != nil {
			return fmt.Errorf("pgstore: %w", err)
		}
		return nil
	})
}

// SchemaVersion returns the newest applied migration.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := s.pool.QueryRow(ctx, `SELECT COALESCE(MAX(version), 0) FROM tribune_schema`).Scan(&v)
	return v, err
}

// classify maps PostgreSQL errors onto tribune's sentinels.
func classify(op string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("pgstore: %s: %w", op, tribune.ErrNotFound)
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "23505": // unique_violation
			switch pe.ConstraintName {
			case "comments_idem":
				return fmt.Errorf("pgstore: %s: %w", op, tribune.ErrReplayed)
			case "comments_dup":
				return fmt.Errorf("pgstore: %s: %w", op, tribune.ErrDuplicate)
			}
			return fmt.Errorf("pgstore: %s: %w", op, tribune.ErrConflict)
		case "23503": // foreign_key_violation
			if pe.ConstraintName == "comments_parent_fk" && pe.TableName == "comments" && op == "delete comment" {
				// Deleting a comment that a reply names.
				return fmt.Errorf("pgstore: %s: it has replies: %w", op, tribune.ErrConflict)
			}
			return fmt.Errorf("pgstore: %s: %w", op, tribune.ErrNotFound)
		}
	}
	return fmt.Errorf("pgstore: %s: %w", op, err)
}

const articleCols = `id, slug, title, summary, body, author, lang, published, updated, comments_closed`

func scanArticle(row pgx.Row) (tribune.Article, error) {
	var a tribune.Article
	err := row.Scan(&a.ID, &a.Slug, &a.Title, &a.Summary, &a.Body, &a.Author, &a.Lang, &a.Published, &a.Updated, &a.CommentsClosed)
	a.Published, a.Updated = a.Published.UTC(), a.Updated.UTC()
	return a, err
}

// CreateArticle implements tribune.Store.
func (s *Store) CreateArticle(ctx context.Context, a *tribune.Article) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO articles (`+articleCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		a.ID, a.Slug, a.Title, a.Summary, a.Body, a.Author, a.Lang, a.Published, a.Updated, a.CommentsClosed)
	return classify("create article", err)
}

// Article implements tribune.Store.
func (s *Store) Article(ctx context.Context, id uuid.UUID) (tribune.Article, error) {
	a, err := scanArticle(s.pool.QueryRow(ctx, `SELECT `+articleCols+` FROM articles WHERE id = $1`, id))
	return a, classify("article", err)
}

// ArticleBySlug implements tribune.Store.
func (s *Store) ArticleBySlug(ctx context.Context, slug string) (tribune.Article, error) {
	a, err := scanArticle(s.pool.QueryRow(ctx, `SELECT `+articleCols+` FROM articles WHERE slug = $1`, slug))
	return a, classify("article by slug", err)
}

// Articles implements tribune.Store.
func (s *Store) Articles(ctx context.Context, page tribune.Span) ([]tribune.Article, error) {
	page = page.Norm()
	rows, err := s.pool.Query(ctx, `SELECT `+articleCols+` FROM articles ORDER BY published DESC, id LIMIT $1 OFFSET $2`, page.Limit, page.Offset)
	if err != nil {
		return nil, classify("articles", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (tribune.Article, error) { return scanArticle(r) })
	if out == nil {
		out = []tribune.Article{}
	}
	return out, classify("articles", err)
}

// UpdateArticle implements tribune.Store.
func (s *Store) UpdateArticle(ctx context.Context, a *tribune.Article) error {
	tag, err := s.pool.Exec(ctx, `UPDATE articles SET slug = $1, title = $2, summary = $3, body = $4, author = $5, lang = $6,
		published = $7, updated = $8, comments_closed = $9, comments_rev = comments_rev + 1 WHERE id = $10`,
		a.Slug, a.Title, a.Summary, a.Body, a.Author, a.Lang, a.Published, a.Updated, a.CommentsClosed, a.ID)
	if err != nil {
		return classify("update article", err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("pgstore: update article: %w", tribune.ErrNotFound)
	}
	return nil
}

// DeleteArticle implements tribune.Store: its comments go with it
// (ON DELETE CASCADE).
func (s *Store) DeleteArticle(ctx context.Context, id uuid.UUID) error {
	tag, err := s.pool.Exec(ctx, `DELETE FROM articles WHERE id = $1`, id)
	if err != nil {
		return classify("delete article", err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("pgstore: delete article: %w", tribune.ErrNotFound)
	}
	return nil
}

const commentCols = `id, article_id, parent_id, author_name, email, website, body, status, created, version, client_hash, user_agent, idem_key, dup_key, user_id, edited`

func scanComment(row pgx.Row) (tribune.Comment, error) {
	var c tribune.Comment
	var parent pgtype.UUID
	var email, status string
	var edited pgtype.Timestamptz
	err := row.Scan(&c.ID, &c.ArticleID, &parent, &c.AuthorName, &email, &c.Website, &c.Body, &status, &c.Created, &c.Version, &c.Meta.ClientHash, &c.Meta.UserAgent, &c.Meta.Key, &c.Meta.DupKey, &c.UserID, &edited)
	if edited.Valid {
		c.Edited = edited.Time.UTC()
	}
	if parent.Valid {
		c.ParentID = parent.Bytes
	}
	c.Email = tribune.StoredEmail(email)
	c.Status = tribune.Status(status)
	c.Created = c.Created.UTC()
	return c, err
}

func nullUUID(id uuid.UUID) pgtype.UUID { return pgtype.UUID{Bytes: id, Valid: id != uuid.Nil} }

// nullTime stores a zero time as NULL.
func nullTime(t time.Time) pgtype.Timestamptz {
	return pgtype.Timestamptz{Time: t.UTC(), Valid: !t.IsZero()}
}

// CreateComment implements tribune.Store. The comment goes in by
// one batch, one round trip and one implicit transaction: a
// transaction-scoped advisory lock on the client hash (so two posts from
// one client are checked one after the other), then an insert that skips
// itself when the client posted after the flood threshold; the keys are
// unique indexes, so a race between two inserts ends with the second
// refused.
func (s *Store) CreateComment(ctx context.Context, c *tribune.Comment, g tribune.Guard) error {
	flood := !g.FloodSince.IsZero() && c.Meta.ClientHash != ""
	b := &pgx.Batch{}
	if flood {
		b.Queue(`SELECT pg_advisory_xact_lock(7468172, hashtext($1))`, c.Meta.ClientHash)
	}
	b.Queue(`INSERT INTO comments (`+commentCols+`, email_key)
		SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $18, $19, $15
		WHERE NOT ($16 AND EXISTS (SELECT 1 FROM comments WHERE client_hash = $11 AND client_hash <> '' AND created > $17))`,
		c.ID, c.ArticleID, nullUUID(c.ParentID), c.AuthorName, c.Email.Address(), c.Website, c.Body,
		string(c.Status), c.Created, c.Version, c.Meta.ClientHash, c.Meta.UserAgent, c.Meta.Key, c.Meta.DupKey, c.Email.Key(),
		flood, g.FloodSince, c.UserID, nullTime(c.Edited))
	res := s.pool.SendBatch(ctx, b)
	if flood {
		if _, err := res.Exec(); err != nil {
			res.Close()
			return classify("create comment", err)
		}
	}
	tag, err := res.Exec()
	if cerr := res.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return classify("create comment", err)
	}
	if tag.RowsAffected() == 1 {
		return nil
	}
	// Nothing inserted: the flood rule held, unless the form was sent
	// before (a replay answers as such, whenever it comes). A missing
	// parent was refused by its foreign key.
	var replayed, dup bool
	if err := s.pool.QueryRow(ctx, `SELECT
		EXISTS (SELECT 1 FROM comments WHERE idem_key = $1 AND idem_key <> ''),
		EXISTS (SELECT 1 FROM comments WHERE dup_key = $2 AND dup_key <> '')`, c.Meta.Key, c.Meta.DupKey).Scan(&replayed, &dup); err != nil {
		return classify("create comment", err)
	}
	switch {
	case replayed:
		return fmt.Errorf("pgstore: create comment: %w", tribune.ErrReplayed)
	case dup:
		return fmt.Errorf("pgstore: create comment: %w", tribune.ErrDuplicate)
	}
	return fmt.Errorf("pgstore: create comment: %w", tribune.ErrFlood)
}

// Comment implements tribune.Store.
func (s *Store) Comment(ctx context.Context, id uuid.UUID) (tribune.Comment, error) {
	c, err := scanComment(s.pool.QueryRow(ctx, `SELECT `+commentCols+` FROM comments WHERE id = $1`, id))
	return c, classify("comment", err)
}

var dialect = sqlquery.Dialect{Placeholder: sqlquery.Dollar, UUID: func(id uuid.UUID) any { return id }, Lateral: true}

// FindComments implements tribune.Store.
func (s *Store) FindComments(ctx context.Context, q tribune.Query) ([]tribune.Comment, error) {
	b := sqlquery.New(dialect)
	tail := b.Comments(q)
	return s.query(ctx, "find comments", `SELECT `+commentCols+` FROM comments`+tail, b.Args...)
}

func (s *Store) query(ctx context.Context, op, q string, args ...any) ([]tribune.Comment, error) {
	rows, err := s.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, classify(op, err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (tribune.Comment, error) { return scanComment(r) })
	if out == nil {
		out = []tribune.Comment{}
	}
	return out, classify(op, err)
}

// CountThread implements tribune.Pager: the counts the trigger keeps in
// the article's row.
func (s *Store) CountThread(ctx context.Context, articleID uuid.UUID) (tribune.ThreadCount, error) {
	var n tribune.ThreadCount
	err := s.pool.QueryRow(ctx, `SELECT approved_count, approved_top FROM articles WHERE id = $1`, articleID).Scan(&n.Approved, &n.TopLevel)
	return n, classify("count thread", err)
}

// CommentPage implements tribune.Pager.
func (s *Store) CommentPage(ctx context.Context, q tribune.PageQuery) ([]tribune.Comment, error) {
	b := sqlquery.New(dialect)
	return s.query(ctx, "comment page", b.Page(commentCols, q), b.Args...)
}

// TopLevelBefore implements tribune.Pager.
func (s *Store) TopLevelBefore(ctx context.Context, articleID uuid.UUID, created time.Time, id uuid.UUID) (int, error) {
	b := sqlquery.New(dialect)
	var n int
	err := s.pool.QueryRow(ctx, b.TopLevelBefore(articleID, created.UTC(), id), b.Args...).Scan(&n)
	return n, classify("top-level before", err)
}

// UpdateComment implements tribune.Store: the row is read FOR
// UPDATE, so a concurrent update of the same comment waits for this one.
func (s *Store) UpdateComment(ctx context.Context, id uuid.UUID, apply func(*tribune.Comment) error) (tribune.Comment, error) {
	var c tribune.Comment
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		old, err := scanComment(tx.QueryRow(ctx, `SELECT `+commentCols+` FROM comments WHERE id = $1 FOR UPDATE`, id))
		if err != nil {
			return classify("update comment", err)
		}
		c = old
		if err := apply(&c); err != nil {
			return err
		}
		c.ID, c.ArticleID, c.Created = old.ID, old.ArticleID, old.Created
		_, err = tx.Exec(ctx, `UPDATE comments SET parent_id = $1, author_name = $2, email = $3, email_key = $4, website = $5, body = $6,
			status = $7, version = $8, client_hash = $9, user_agent = $10, idem_key = $11, dup_key = $12, user_id = $13, edited = $15 WHERE id = $14`,
			nullUUID(c.ParentID), c.AuthorName, c.Email.Address(), c.Email.Key(), c.Website, c.Body, string(c.Status), c.Version,
			c.Meta.ClientHash, c.Meta.UserAgent, c.Meta.Key, c.Meta.DupKey, c.UserID, id, nullTime(c.Edited))
		return classify("update comment", err)
	})
	if err != nil {
		return tribune.Comment{}, err
	}
	return c, nil
}

// DeleteComment implements tribune.Store: the foreign key of
// replies on their parent refuses the delete of a comment that has some,
// whatever the race.
func (s *Store) DeleteComment(ctx context.Context, id uuid.UUID) error {
	tag, err := s.pool.Exec(ctx, `DELETE FROM comments WHERE id = $1`, id)
	if err != nil {
		return classify("delete comment", err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("pgstore: delete comment: %w", tribune.ErrNotFound)
	}
	return nil
}

// InsertComments implements tribune.BulkInserter: one transaction, the
// rows sent by COPY, then each article's positions numbered once (the
// trigger leaves them to this, for rows a bulk insert adds).
func (s *Store) InsertComments(ctx context.Context, cs []tribune.Comment) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT set_config('tribune.bulk', 'on', true)`); err != nil {
			return classify("insert comments", err)
		}
		_, err := tx.CopyFrom(ctx, pgx.Identifier{"comments"},
			[]string{"id", "article_id", "parent_id", "author_name", "email", "website", "body", "status", "created", "version",
				"client_hash", "user_agent", "idem_key", "dup_key", "user_id", "email_key", "edited"},
			pgx.CopyFromSlice(len(cs), func(i int) ([]any, error) {
				c := &cs[i]
				return []any{c.ID, c.ArticleID, nullUUID(c.ParentID), c.AuthorName, c.Email.Address(), c.Website, c.Body,
					string(c.Status), c.Created, c.Version, c.Meta.ClientHash, c.Meta.UserAgent, c.Meta.Key, c.Meta.DupKey,
					c.UserID, c.Email.Key(), nullTime(c.Edited)}, nil
			}))
		if err != nil {
			return classify("insert comments", err)
		}
		var articles []uuid.UUID
		for _, c := range cs {
			if !slices.Contains(articles, c.ArticleID) {
				articles = append(articles, c.ArticleID)
			}
		}
		if _, err := tx.Exec(ctx, `UPDATE comments SET top_pos = r.p FROM (
			SELECT id, ROW_NUMBER() OVER (PARTITION BY article_id ORDER BY created, id) - 1 AS p FROM comments
			WHERE article_id = ANY($1) AND status = 'approved' AND parent_id IS NULL) r
			WHERE comments.id = r.id AND comments.top_pos IS DISTINCT FROM r.p`, articles); err != nil {
			return classify("insert comments: positions", err)
		}
		_, err = tx.Exec(ctx, `SELECT set_config('tribune.bulk', 'off', true)`)
		return classify("insert comments", err)
	})
}

// CountApproved implements tribune.Pager: the counts the trigger keeps
// in the articles' rows.
func (s *Store) CountApproved(ctx context.Context, articleIDs []uuid.UUID) (map[uuid.UUID]int, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out := make(map[uuid.UUID]int, len(articleIDs))
	if len(articleIDs) == 0 {
		return out, nil
	}
	for _, id := range articleIDs {
		out[id] = 0
	}
	rows, err := s.pool.Query(ctx, `SELECT id, approved_count FROM articles WHERE id = ANY($1)`, articleIDs)
	if err != nil {
		return nil, classify("count approved", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id uuid.UUID
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, classify("count approved", err)
		}
		out[id] = n
	}
	return out, classify("count approved", rows.Err())
}

// CommentsStamp implements tribune.Pager.
func (s *Store) CommentsStamp(ctx context.Context, articleID uuid.UUID) (tribune.Stamp, error) {
	var st int64
	err := s.pool.QueryRow(ctx, `SELECT comments_rev FROM articles WHERE id = $1`, articleID).Scan(&st)
	return tribune.Stamp(st), classify("comments stamp", err)
}

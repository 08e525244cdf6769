// Package mysqlstore keeps Tribune's articles and comments in MySQL (8.0
// and later) or MariaDB (10.6 and later), through
// github.com/go-sql-driver/mysql: the database a WordPress site already
// runs.
//
// Tables are InnoDB, every text utf8mb4 with a binary collation, so
// accents and case are kept apart where the contract compares strings
// (slugs, email keys, idempotency keys), as on PostgreSQL and SQLite. The
// store needs the privileges to create tables in its database; it uses no
// triggers, stored routines or SUPER privilege, so a managed MySQL serves.
//
// Schema migrations are embedded and applied by [Open] under a named lock
// (GET_LOCK), so instances starting together apply each one once; they
// are recorded in tribune_schema. MySQL commits each DDL statement at
// once, so a migration cut short (a crash, a lost connection) leaves its
// first statements applied and is not recorded: Open then fails naming
// it, and the database needs a look before it is run again.
//
// Every write that changes an article's thread runs in one transaction
// that first raises the article's revision (the [tribune.Stamp]), which
// takes the article's row lock: writers to one thread queue behind it, in
// one lock order, so they never deadlock.
package mysqlstore

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"database/sql/driver"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/google/uuid"

	"github.com/tribune-go/tribune"
	"github.com/tribune-go/tribune/internal/sqlquery"
	"github.com/tribune-go/tribune/internal/sqlrow"
	migrations "github.com/tribune-go/tribune/migrate"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// Store is a tribune.Store on MySQL or MariaDB. It is safe for concurrent
// use.
type Store struct {
	db *sql.DB
}

var (
	_ tribune.Store        = (*Store)(nil)
	_ tribune.BulkInserter = (*Store)(nil)
	_ tribune.Pager        = (*Store)(nil)
)

type config struct {
	maxConns int
}

// Option configures [Open].
type Option func(*config)

// WithMaxConns sets the most connections the pool opens (default 16).
func WithMaxConns(n int) Option { return func(c *config) { c.maxConns = n } }

// ParseDSN reads the database's address: either the driver's own form,
// "user:password@tcp(127.0.0.1:3306)/tribune?param=value", or a URL,
// "mysql://user:password@127.0.0.1:3306/tribune?param=value" (with
// "?socket=/path/to/mysqld.sock" for a Unix socket), the form the
// examples' -db flag takes. Whatever it says, times are read and written
// in UTC and the connection speaks utf8mb4.
func ParseDSN(dsn string) (*mysql.Config, error) {
	var cfg *mysql.Config
	if rest, ok := strings.CutPrefix(dsn, "mysql://"); ok {
		u, err := url.Parse("mysql://" + rest)
		if err != nil {
			return nil, errors.New("mysqlstore: the MySQL URL cannot be parsed")
		}
		q := u.Query()
		sock := q.Get("socket")
		q.Del("socket")
		// The driver parses the parameters: a DSN of the path and query only.
		if cfg, err = mysql.ParseDSN(u.Path + "?" + q.Encode()); err != nil {
			return nil, errors.New("mysqlstore: the MySQL URL's parameters cannot be parsed")
		}
		cfg.User = u.User.Username()
		cfg.Passwd, _ = u.User.Password()
		if sock != "" {
			cfg.Net, cfg.Addr = "unix", sock
		} else {
			cfg.Net, cfg.Addr = "tcp", u.Host
			if u.Port() == "" {
				cfg.Addr = u.Hostname() + ":3306"
			}
		}
	} else {
		var err error
		if cfg, err = mysql.ParseDSN(dsn); err != nil {
			// The driver's message can quote the DSN, password included.
			return nil, errors.New("mysqlstore: the MySQL DSN cannot be parsed")
		}
	}
	if cfg.DBName == "" {
		return nil, errors.New("mysqlstore: the MySQL DSN names no database")
	}
	cfg.ParseTime = true
	cfg.Loc = time.UTC
	cfg.Collation = "utf8mb4_bin"
	cfg.MultiStatements = false
	return cfg, nil
}

// Open connects to the database dsn names (see [ParseDSN]) and applies
// the embedded migrations.
func Open(ctx context.Context, dsn string, opts ...Option) (*Store, error) {
	mc, err := ParseDSN(dsn)
	if err != nil {
		return nil, err
	}
	return OpenConfig(ctx, mc, opts...)
}

// OpenConfig is [Open] for a driver configuration the host built itself
// (TLS, a custom dialer). It sets ParseTime, Loc and Collation as
// [ParseDSN] does.
func OpenConfig(ctx context.Context, mc *mysql.Config, opts ...Option) (*Store, error) {
	cfg := config{maxConns: 16}
	for _, o := range opts {
		o(&cfg)
	}
	mc = mc.Clone()
	mc.ParseTime, mc.Loc, mc.Collation, mc.MultiStatements = true, time.UTC, "utf8mb4_bin", false
	// One round trip a query instead of three (prepare, execute, close):
	// the driver escapes arguments itself, which is safe with utf8mb4.
	mc.InterpolateParams = true
	conn, err := mysql.NewConnector(mc)
	if err != nil {
		return nil, fmt.Errorf("mysqlstore: %w", err)
	}
	db := sql.OpenDB(conn)
	db.SetMaxOpenConns(cfg.maxConns)
	db.SetMaxIdleConns(cfg.maxConns)
	db.SetConnMaxLifetime(time.Hour)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("mysqlstore: connect: %w", err)
	}
	if err := migrate(ctx, db, mc); err != nil {
		db.Close()
		return nil, err
	}
	return &Store{db: db}, nil
}

// Close closes the pool.
func (s *Store) Close() error { return s.db.Close() }

// migrate applies the pending migrations on one connection that speaks
// multi-statement SQL, under a named lock.
func migrate(ctx context.Context, pool *sql.DB, mc *mysql.Config) error {
	all, err := migrations.Load(migrationFS, "migrations")
	if err != nil {
		return fmt.Errorf("mysqlstore: %w", err)
	}
	mc = mc.Clone()
	mc.MultiStatements = true
	conn, err := mysql.NewConnector(mc)
	if err != nil {
		return fmt.Errorf("mysqlstore: migrate: %w", err)
	}
	db := sql.OpenDB(conn)
	defer db.Close()
	db.SetMaxOpenConns(1)
	c, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("mysqlstore: migrate: %w", err)
	}
	defer c.Close()
	var got sql.NullInt64
	if err := c.QueryRowContext(ctx, `SELECT GET_LOCK('tribune-migrate', 60)`).Scan(&got); err != nil || got.Int64 != 1 {
		return fmt.Errorf("mysqlstore: migrate: another instance holds the migration lock (%v)", err)
	}
	defer c.ExecContext(context.WithoutCancel(ctx), `DO RELEASE_LOCK('tribune-migrate')`)
	if _, err := c.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS tribune_schema (version INT NOT NULL PRIMARY KEY, applied DATETIME(6) NOT NULL) ENGINE = InnoDB`); err != nil {
		return fmt.Errorf("mysqlstore: migrate: %w", err)
	}
	var current int
	if err := c.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM tribune_schema`).Scan(&current); err != nil {
		return fmt.Errorf("mysqlstore: migrate: %w", err)
	}
	if err := migrations.Run(all, current, func(m migrations.Migration) error {
		if _, err := c.ExecContext(ctx, m.SQL); err != nil {
			return err
		}
		_, err := c.ExecContext(ctx, `INSERT INTO tribune_schema (version, applied) VALUES (?, ?)`, m.Version, time.Now().UTC())
		return err
	}); err != nil {
		return fmt.Errorf("mysqlstore: %w", err)
	}
	return nil
}

// SchemaVersion returns the newest applied migration.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := s.db.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM tribune_schema`).Scan(&v)
	return v, err
}

// The server's error numbers the store answers.
const (
	errDupEntry        = 1062 // ER_DUP_ENTRY
	errRowIsReferenced = 1451 // ER_ROW_IS_REFERENCED_2
	errNoReferencedRow = 1452 // ER_NO_REFERENCED_ROW_2
)

// classify maps MySQL errors onto tribune's sentinels.
func classify(op string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("mysqlstore: %s: %w", op, tribune.ErrNotFound)
	}
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		switch me.Number {
		case errDupEntry:
			switch {
			case strings.Contains(me.Message, "comments_idem"):
				return fmt.Errorf("mysqlstore: %s: %w", op, tribune.ErrReplayed)
			case strings.Contains(me.Message, "comments_dup"):
				return fmt.Errorf("mysqlstore: %s: %w", op, tribune.ErrDuplicate)
			}
			return fmt.Errorf("mysqlstore: %s: %w", op, tribune.ErrConflict)
		case errRowIsReferenced:
			return fmt.Errorf("mysqlstore: %s: it has replies: %w", op, tribune.ErrConflict)
		case errNoReferencedRow:
			return fmt.Errorf("mysqlstore: %s: %w", op, tribune.ErrNotFound)
		}
	}
	return fmt.Errorf("mysqlstore: %s: %w", op, err)
}

func utc(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// inTx runs fn in a transaction, committed if it returns nil.
func (s *Store) inTx(ctx context.Context, op string, fn func(tx *sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return classify(op, err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		if strings.HasPrefix(err.Error(), "mysqlstore: ") || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return err
		}
		return classify(op, err)
	}
	return classify(op, tx.Commit())
}

func nullUUID(id uuid.UUID) any {
	if id == uuid.Nil {
		return nil
	}
	return id.String()
}

// nullKey stores an absent key as NULL, which the unique index lets
// repeat.
func nullKey(k string) any {
	if k == "" {
		return nil
	}
	return k
}

const insertCommentSQL = `INSERT INTO comments (` + sqlrow.CommentCols + `, email_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

func insertArgs(c *tribune.Comment) []any {
	return []any{c.ID.String(), c.ArticleID.String(), nullUUID(c.ParentID), c.AuthorName, c.Email.Address(), c.Website, c.Body,
		string(c.Status), utc(c.Created), c.Version, c.Meta.ClientHash, c.Meta.UserAgent, nullKey(c.Meta.Key), nullKey(c.Meta.DupKey),
		c.UserID, nullTime(c.Edited), c.Email.Key()}
}

// nullTime stores a zero time as NULL.
func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return utc(t)
}

// CreateComment implements tribune.Store. With a flood rule, the
// client's posts are checked one after the other under a named lock on a
// hash of the client hash, held on one connection and released however
// the call ends; the keys are unique indexes and the parent a foreign
// key, so races on them end with the second refused. The transaction
// raises the article's revision first.
func (s *Store) CreateComment(ctx context.Context, c *tribune.Comment, g tribune.Guard) error {
	flood := !g.FloodSince.IsZero() && c.Meta.ClientHash != ""
	if !flood {
		return s.inTx(ctx, "create comment", func(tx *sql.Tx) error {
			if err := bump(ctx, tx, c.ArticleID); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, insertCommentSQL, insertArgs(c)...); err != nil {
				return classify("create comment", err)
			}
			all, top := counts(c)
			if err := recount(ctx, tx, c.ArticleID, all, top); err != nil || !joins(c) {
				return err
			}
			return place(ctx, tx, c)
		})
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return classify("create comment", err)
	}
	defer conn.Close()
	sum := sha256.Sum256([]byte(c.Meta.ClientHash))
	lock := "tribune-client-" + hex.EncodeToString(sum[:16])
	var got sql.NullInt64
	if err := conn.QueryRowContext(ctx, `SELECT GET_LOCK(?, 10)`, lock).Scan(&got); err != nil {
		return classify("create comment: client lock", err)
	}
	if got.Int64 != 1 {
		return fmt.Errorf("mysqlstore: create comment: the client lock was not granted in 10 s")
	}
	defer func() {
		if _, err := conn.ExecContext(context.WithoutCancel(ctx), `DO RELEASE_LOCK(?)`, lock); err != nil {
			// A connection that could not release its lock is closed,
			// which releases it.
			_ = conn.Raw(func(any) error { return errBadConn })
		}
	}()
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return classify("create comment", err)
	}
	defer tx.Rollback()
	if err := bump(ctx, tx, c.ArticleID); err != nil {
		return err
	}
	// A replay answers as such whatever else holds, then a duplicate,
	// then the flood rule.
	var replayed, dup, flooded bool
	if err := tx.QueryRowContext(ctx, `SELECT
		EXISTS (SELECT 1 FROM comments WHERE idem_key = ?),
		EXISTS (SELECT 1 FROM comments WHERE dup_key = ?),
		EXISTS (SELECT 1 FROM comments WHERE client_hash = ? AND created > ?)`,
		nullKey(c.Meta.Key), nullKey(c.Meta.DupKey), c.Meta.ClientHash, utc(g.FloodSince)).Scan(&replayed, &dup, &flooded); err != nil {
		return classify("create comment", err)
	}
	switch {
	case replayed:
		return fmt.Errorf("mysqlstore: create comment: %w", tribune.ErrReplayed)
	case dup:
		return fmt.Errorf("mysqlstore: create comment: %w", tribune.ErrDuplicate)
	case flooded:
		return fmt.Errorf("mysqlstore: create comment: %w", tribune.ErrFlood)
	}
	if _, err := tx.ExecContext(ctx, insertCommentSQL, insertArgs(c)...); err != nil {
		return classify("create comment", err)
	}
	all, top := counts(c)
	if err := recount(ctx, tx, c.ArticleID, all, top); err != nil {
		return err
	}
	if joins(c) {
		if err := place(ctx, tx, c); err != nil {
			return err
		}
	}
	return classify("create comment", tx.Commit())
}

// Comment implements tribune.Store.
func (s *Store) Comment(ctx context.Context, id uuid.UUID) (tribune.Comment, error) {
	c, err := sqlrow.Comment(s.db.QueryRowContext(ctx, `SELECT `+sqlrow.CommentCols+` FROM comments WHERE id = ?`, id.String()))
	return c, classify("comment", err)
}

var dialect = sqlquery.Dialect{Placeholder: sqlquery.Question, UUID: func(id uuid.UUID) any { return id.String() }}

// FindComments implements tribune.Store.
func (s *Store) FindComments(ctx context.Context, q tribune.Query) ([]tribune.Comment, error) {
	b := sqlquery.New(dialect)
	tail := b.Comments(q)
	return s.query(ctx, "find comments", `SELECT `+sqlrow.CommentCols+` FROM comments`+tail, b.Args...)
}

func (s *Store) query(ctx context.Context, op, q string, args ...any) ([]tribune.Comment, error) {
	out, err := sqlrow.Collect(ctx, s.db, sqlrow.Comment, q, args...)
	return out, classify(op, err)
}

// UpdateComment implements tribune.Store: after the article's lock,
// the row is read FOR UPDATE, so a concurrent update of the same comment
// waits for this one.
func (s *Store) UpdateComment(ctx context.Context, id uuid.UUID, apply func(*tribune.Comment) error) (tribune.Comment, error) {
	aid, err := s.articleOf(ctx, id)
	if err != nil {
		return tribune.Comment{}, err
	}
	var c tribune.Comment
	err = s.inTx(ctx, "update comment", func(tx *sql.Tx) error {
		if err := bump(ctx, tx, aid); err != nil {
			return err
		}
		old, err := sqlrow.Comment(tx.QueryRowContext(ctx, `SELECT `+sqlrow.CommentCols+` FROM comments WHERE id = ? FOR UPDATE`, id.String()))
		if err != nil {
			return classify("update comment", err)
		}
		c = old
		if err := apply(&c); err != nil {
			return applyError{err}
		}
		c.ID, c.ArticleID, c.Created = old.ID, old.ArticleID, old.Created
		_, err = tx.ExecContext(ctx, `UPDATE comments SET parent_id = ?, author_name = ?, email = ?, email_key = ?, website = ?, body = ?,
			status = ?, version = ?, client_hash = ?, user_agent = ?, idem_key = ?, dup_key = ?, user_id = ?, edited = ? WHERE id = ?`,
			nullUUID(c.ParentID), c.AuthorName, c.Email.Address(), c.Email.Key(), c.Website, c.Body, string(c.Status), c.Version,
			c.Meta.ClientHash, c.Meta.UserAgent, nullKey(c.Meta.Key), nullKey(c.Meta.DupKey), c.UserID, nullTime(c.Edited), id.String())
		if err != nil {
			return classify("update comment", err)
		}
		oldAll, oldTop := counts(&old)
		newAll, newTop := counts(&c)
		if err := recount(ctx, tx, aid, newAll-oldAll, newTop-oldTop); err != nil {
			return err
		}
		switch {
		case joins(&old) && !joins(&c):
			pos, err := topPos(ctx, tx, id)
			if err != nil {
				return err
			}
			return unplace(ctx, tx, aid, id, pos)
		case !joins(&old) && joins(&c):
			return place(ctx, tx, &c)
		}
		return nil
	})
	var ae applyError
	if errors.As(err, &ae) {
		return tribune.Comment{}, ae.err
	}
	if err != nil {
		return tribune.Comment{}, err
	}
	return c, nil
}

// applyError carries apply's own error through inTx untouched.
type applyError struct{ err error }

func (e applyError) Error() string { return "mysqlstore: " + e.err.Error() }
func (e applyError) Unwrap() error { return e.err }

// DeleteComment implements tribune.Store: the foreign key of
// replies on their parent refuses the delete of a comment that has some,
// whatever the race.
func (s *Store) DeleteComment(ctx context.Context, id uuid.UUID) error {
	aid, err := s.articleOf(ctx, id)
	if err != nil {
		return err
	}
	return s.inTx(ctx, "delete comment", func(tx *sql.Tx) error {
		if err := bump(ctx, tx, aid); err != nil {
			return err
		}
		old, err := sqlrow.Comment(tx.QueryRowContext(ctx, `SELECT `+sqlrow.CommentCols+` FROM comments WHERE id = ? FOR UPDATE`, id.String()))
		if err != nil {
			return classify("delete comment", err)
		}
		pos, err := topPos(ctx, tx, id)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM comments WHERE id = ?`, id.String()); err != nil {
			return classify("delete comment", err)
		}
		all, top := counts(&old)
		if err := recount(ctx, tx, aid, -all, -top); err != nil || !pos.Valid {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE comments SET top_pos = top_pos - 1 WHERE article_id = ? AND top_pos > ?`, aid.String(), pos.Int64)
		return classify("delete comment", err)
	})
}

// errBadConn makes database/sql close a connection instead of reusing it.
var errBadConn = driver.ErrBadConn

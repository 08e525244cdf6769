// Package sqlitestore keeps Tribune's articles and comments in a SQLite
// file: the embedded default, pure Go (modernc.org/sqlite), no cgo.
//
// The database runs in WAL mode with foreign keys on and a busy timeout.
// All writes go through one connection, so writers in one process queue
// instead of failing with "database is locked"; reads use a pool of
// read-only connections that WAL lets run beside the writer. Schema
// migrations are embedded and applied by [Open], each once, recorded in
// the tribune_schema table.
//
// With synchronous=NORMAL (the WAL default used here) a committed comment
// survives a crash of the process; a power cut may lose the last
// transactions. Use [Tuning].SynchronousFull when that matters more than
// write speed.
package sqlitestore

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/tribune-go/tribune"
	"github.com/tribune-go/tribune/internal/sqlquery"
	"github.com/tribune-go/tribune/internal/sqlrow"
	migrations "github.com/tribune-go/tribune/migrate"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// Store is a tribune.Store on a SQLite file. It is safe for concurrent use.
type Store struct {
	w *sql.DB // the one writer connection
	r *sql.DB // read-only connections

	insertComment *sql.Stmt // the hot write, prepared once on the writer
	// The hot reads of a cached page, prepared once on the readers: the
	// article, its revision and its counts.
	stamp, article, articleBySlug, countThread *sql.Stmt

	stamps stamps // the revisions read lately
}

var (
	_ tribune.Store        = (*Store)(nil)
	_ tribune.BulkInserter = (*Store)(nil)
	_ tribune.Pager        = (*Store)(nil)
)

type config struct {
	readers    int
	syncFull   bool
	busy       time.Duration
	cacheBytes int64
	lag        time.Duration
}

// DefaultCacheBytes is the page cache of all a Store's connections
// together, unless Tuning.CacheBytes says otherwise.
const DefaultCacheBytes = 32 << 20

// readerIdle is how long an idle reader connection (and its share of the
// page cache) is kept before it is closed.
const readerIdle = time.Minute

// Option configures [Open].
type Option func(*config)

// Tuning is how a Store uses SQLite. A zero field keeps its default; the
// zero Tuning is the defaults.
type Tuning struct {
	// Readers is the size of the read-only pool (default: 2 ×
	// GOMAXPROCS, at least 4, at most 16). Readers left idle for a
	// minute are closed.
	Readers int
	// CacheBytes is SQLite's page cache for all the Store's connections
	// together (default DefaultCacheBytes): each of the writer and the
	// readers gets an equal share (at least 256 KiB), so the memory a
	// Store holds is bounded by this setting and not by the number of
	// connections. A host with a memory budget counts it there
	// (examples/blog gives it a quarter of -cache-mib).
	CacheBytes int64
	// SynchronousFull makes every commit wait for the disk, so a power
	// cut loses nothing committed, at a cost in write speed (default
	// false: SQLite's NORMAL, in WAL mode safe against a crash of the
	// process, not of the machine).
	SynchronousFull bool
	// BusyTimeout is how long a connection waits for another process's
	// lock before failing (default 10 s).
	BusyTimeout time.Duration
	// OtherWritersLag is how long a thread's page may go on being served
	// as it was before a write by another process on the same file (a
	// second instance, an import from the command line): the revision a
	// page is checked against is kept that long. This Store's own writes
	// show at once. Default 100 ms; negative reads the revision for every
	// page, so that other processes' writes show at once too, at about
	// two fifths of a cached page's speed in process.
	OtherWritersLag time.Duration
}

// WithTuning sets how the Store uses SQLite (see [Tuning]).
func WithTuning(t Tuning) Option {
	return func(c *config) {
		if t.Readers != 0 {
			c.readers = t.Readers
		}
		if t.CacheBytes != 0 {
			c.cacheBytes = t.CacheBytes
		}
		if t.BusyTimeout != 0 {
			c.busy = t.BusyTimeout
		}
		if t.OtherWritersLag != 0 {
			c.lag = max(t.OtherWritersLag, 0)
		}
		c.syncFull = t.SynchronousFull
	}
}

// Open opens or creates the database file at path and applies the
// embedded migrations. A new file is created with mode 0600: it holds
// commenters' email addresses.
func Open(ctx context.Context, path string, opts ...Option) (*Store, error) {
	cfg := config{readers: min(max(4, 2*runtime.GOMAXPROCS(0)), 16), busy: 10 * time.Second, cacheBytes: DefaultCacheBytes, lag: defaultLag}
	for _, o := range opts {
		o(&cfg)
	}
	if path == "" || strings.ContainsAny(path, "?#") {
		return nil, errors.New("sqlitestore: the database path must be a plain file name (no ? or #)")
	}
	if cfg.readers < 1 {
		return nil, errors.New("sqlitestore: at least one reader is needed")
	}
	if cfg.cacheBytes < 0 {
		return nil, errors.New("sqlitestore: negative cache size")
	}
	if cfg.busy < 0 {
		return nil, errors.New("sqlitestore: negative busy timeout")
	}
	// Each connection's share of the page cache, in KiB (a negative
	// cache_size is KiB to SQLite), at least 256 KiB.
	share := max(cfg.cacheBytes/int64(cfg.readers+1)/1024, 256)
	// The file holds commenters' emails: a new one is readable by its
	// owner only (SQLite gives its -wal and -shm files the same mode).
	if f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600); err == nil {
		f.Close()
	} else if !errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("sqlitestore: create: %w", err)
	}
	sync := "NORMAL"
	if cfg.syncFull {
		sync = "FULL"
	}
	common := "_pragma=busy_timeout(" + strconv.FormatInt(cfg.busy.Milliseconds(), 10) + ")" +
		"&_pragma=foreign_keys(1)&_pragma=synchronous(" + sync + ")&_pragma=cache_size(-" + strconv.FormatInt(share, 10) + ")" +
		"&_pragma=wal_autocheckpoint(4000)&_pragma=temp_store(2)"
	w, err := sql.Open("sqlite", path+"?"+common+"&_pragma=journal_mode(WAL)&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: open: %w", err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	if err := migrate(ctx, w); err != nil {
		w.Close()
		return nil, err
	}
	r, err := sql.Open("sqlite", path+"?"+common+"&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("sqlitestore: open: %w", err)
	}
	r.SetMaxOpenConns(cfg.readers)
	r.SetMaxIdleConns(cfg.readers)
	r.SetConnMaxIdleTime(readerIdle) // a burst's readers, and their caches, do not stay for ever
	if err := r.PingContext(ctx); err != nil {
		w.Close()
		r.Close()
		return nil, fmt.Errorf("sqlitestore: open: %w", err)
	}
	s := &Store{w: w, r: r}
	s.stamps.ttl = cfg.lag
	var errs []error
	prepare := func(db *sql.DB, q string) *sql.Stmt {
		st, err := db.PrepareContext(ctx, q)
		errs = append(errs, err)
		return st
	}
	s.insertComment = prepare(w, insertCommentSQL)
	s.stamp = prepare(r, `SELECT comments_rev FROM articles WHERE id = ?`)
	s.article = prepare(r, `SELECT `+sqlrow.ArticleCols+` FROM articles WHERE id = ?`)
	s.articleBySlug = prepare(r, `SELECT `+sqlrow.ArticleCols+` FROM articles WHERE slug = ?`)
	s.countThread = prepare(r, `SELECT approved_count, approved_top FROM articles WHERE id = ?`)
	if err := errors.Join(errs...); err != nil {
		s.Close()
		return nil, fmt.Errorf("sqlitestore: prepare: %w", err)
	}
	return s, nil
}

// Close closes the database.
func (s *Store) Close() error {
	var errs []error
	for _, st := range []*sql.Stmt{s.insertComment, s.stamp, s.article, s.articleBySlug, s.countThread} {
		if st != nil {
			errs = append(errs, st.Close())
		}
	}
	return errors.Join(append(errs, s.r.Close(), s.w.Close())...)
}

// IntegrityCheck runs PRAGMA integrity_check and returns an error unless
// SQLite answers "ok".
func (s *Store) IntegrityCheck(ctx context.Context) error {
	var res string
	if err := s.w.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&res); err != nil {
		return fmt.Errorf("sqlitestore: integrity check: %w", err)
	}
	if res != "ok" {
		return fmt.Errorf("sqlitestore: integrity check: %s", res)
	}
	return nil
}

// migrate applies the embedded migrations not yet recorded, in one
// immediate transaction, so two processes opening a new file at once
// cannot both apply them.
func migrate(ctx context.Context, db *sql.DB) error {
	all, err := migrations.Load(migrationFS, "migrations")
	if err != nil {
		return fmt.Errorf("sqlitestore: %w", err)
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlitestore: migrate: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS tribune_schema (version INTEGER NOT NULL PRIMARY KEY, applied INTEGER NOT NULL)`); err != nil {
		return fmt.Errorf("sqlitestore: migrate: %w", err)
	}
	var current int
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM tribune_schema`).Scan(&current); err != nil {
		return fmt.Errorf("sqlitestore: migrate: %w", err)
	}
	if err := migrations.Run(all, current, func(m migrations.Migration) error {
		if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO tribune_schema (version, applied) VALUES (?, ?)`, m.Version, time.Now().UnixMicro())
		return err
	}); err != nil {
		return fmt.Errorf("sqlitestore: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlitestore: migrate: %w", err)
	}
	return nil
}

// SchemaVersion returns the newest applied migration.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := s.r.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM tribune_schema`).Scan(&v)
	return v, err
}

// classify maps SQLite errors onto tribune's sentinels.
func classify(op string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("sqlitestore: %s: %w", op, tribune.ErrNotFound)
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE:
			switch msg := se.Error(); {
			case strings.Contains(msg, "comments.idem_key"):
				return fmt.Errorf("sqlitestore: %s: %w", op, tribune.ErrReplayed)
			case strings.Contains(msg, "comments.dup_key"):
				return fmt.Errorf("sqlitestore: %s: %w", op, tribune.ErrDuplicate)
			}
			return fmt.Errorf("sqlitestore: %s: %w", op, tribune.ErrConflict)
		case sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return fmt.Errorf("sqlitestore: %s: %w", op, tribune.ErrConflict)
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return fmt.Errorf("sqlitestore: %s: %w", op, tribune.ErrNotFound)
		}
	}
	return fmt.Errorf("sqlitestore: %s: %w", op, err)
}

func micro(t time.Time) int64     { return t.UTC().UnixMicro() }
func fromMicro(v int64) time.Time { return time.UnixMicro(v).UTC() }

// micro0 and fromMicro0 store a time that may be zero as 0.
func micro0(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return micro(t)
}

func fromMicro0(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return fromMicro(v)
}

// insertCommentSQL inserts a comment unless its parent is missing or the
// flood rule holds (a comment from the same client hash after ?16), in
// one statement: SQLite runs it under its write lock, so nothing comes
// between the checks and the insert (and a delete of the parent, which
// checks for replies in one statement too, comes before or after it); the
// unique indexes refuse a taken key or duplicate key. Each condition
// names its partial index's, so SQLite uses the index.
//
// An approved top-level comment goes in at the end of its article's
// positions (the usual case: it is the newest); the insert trigger moves
// it when it is not.
const insertCommentSQL = `INSERT INTO comments (` + sqlrow.CommentCols + `, email_key, top_pos)
	SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?17, ?18, ?15,
		CASE WHEN ?8 = 'approved' AND ?3 IS NULL THEN (SELECT approved_top FROM articles WHERE id = ?2) END
	WHERE NOT EXISTS (SELECT 1 FROM comments WHERE client_hash = ?11 AND client_hash <> '' AND created > ?16)
	AND (?3 IS NULL OR EXISTS (SELECT 1 FROM comments WHERE id = ?3))`

// checkKeysSQL says why a comment was refused: a taken key, a taken
// duplicate key, a missing parent (else it was the flood rule).
const checkKeysSQL = `SELECT
	EXISTS (SELECT 1 FROM comments WHERE idem_key = ?1 AND idem_key <> ''),
	EXISTS (SELECT 1 FROM comments WHERE dup_key = ?2 AND dup_key <> ''),
	?3 IS NOT NULL AND NOT EXISTS (SELECT 1 FROM comments WHERE id = ?3)`

func nullUUID(id uuid.UUID) any {
	if id == uuid.Nil {
		return nil
	}
	return id.String()
}

// CreateComment implements tribune.Store. The checks and the
// insert are one statement on the one writer, so no other write, from
// this process or another, comes between them.
func (s *Store) CreateComment(ctx context.Context, c *tribune.Comment, g tribune.Guard) error {
	defer s.stamps.wrote()
	since := int64(math.MaxInt64) // no flood rule: no comment is that new
	if !g.FloodSince.IsZero() {
		since = micro(g.FloodSince)
	}
	res, err := s.insertComment.ExecContext(ctx, c.ID.String(), c.ArticleID.String(), nullUUID(c.ParentID), c.AuthorName,
		c.Email.Address(), c.Website, c.Body, string(c.Status), micro(c.Created), c.Version, c.Meta.ClientHash, c.Meta.UserAgent,
		c.Meta.Key, c.Meta.DupKey, c.Email.Key(), since, c.UserID, micro0(c.Edited))
	if err != nil {
		return classify("create comment", err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 1 {
		return classify("create comment", err)
	}
	// Nothing inserted: the flood rule held, unless the form was sent
	// before (a replay answers as such, whenever it comes).
	var replayed, dup, orphan bool
	if err := s.w.QueryRowContext(ctx, checkKeysSQL, c.Meta.Key, c.Meta.DupKey, nullUUID(c.ParentID)).Scan(&replayed, &dup, &orphan); err != nil {
		return classify("create comment", err)
	}
	switch {
	case replayed:
		return fmt.Errorf("sqlitestore: create comment: %w", tribune.ErrReplayed)
	case dup:
		return fmt.Errorf("sqlitestore: create comment: %w", tribune.ErrDuplicate)
	case orphan:
		return fmt.Errorf("sqlitestore: create comment: parent: %w", tribune.ErrNotFound)
	}
	return fmt.Errorf("sqlitestore: create comment: %w", tribune.ErrFlood)
}

// Comment implements tribune.Store.
func (s *Store) Comment(ctx context.Context, id uuid.UUID) (tribune.Comment, error) {
	c, err := sqlrow.Comment(s.r.QueryRowContext(ctx, `SELECT `+sqlrow.CommentCols+` FROM comments WHERE id = ?`, id.String()))
	return c, classify("comment", err)
}

var dialect = sqlquery.Dialect{Placeholder: sqlquery.Question, UUID: func(id uuid.UUID) any { return id.String() }, ZeroEdited: true}

// FindComments implements tribune.Store. A look-up by key reads the
// writer: [tribune.CommentByKey] follows a key just found taken there.
func (s *Store) FindComments(ctx context.Context, q tribune.Query) ([]tribune.Comment, error) {
	b := sqlquery.New(dialect)
	tail := b.Comments(q)
	db := s.r
	if q.Key != "" {
		db = s.w
	}
	return queryComments(ctx, db, "find comments", `SELECT `+sqlrow.CommentCols+` FROM comments`+tail, b.Args...)
}

func (s *Store) query(ctx context.Context, op, q string, args ...any) ([]tribune.Comment, error) {
	return queryComments(ctx, s.r, op, q, args...)
}

func queryComments(ctx context.Context, db *sql.DB, op, q string, args ...any) ([]tribune.Comment, error) {
	out, err := sqlrow.Collect(ctx, db, sqlrow.Comment, q, args...)
	return out, classify(op, err)
}

// UpdateComment implements tribune.Store: the read, apply and
// write run in one immediate transaction on the one writer.
func (s *Store) UpdateComment(ctx context.Context, id uuid.UUID, apply func(*tribune.Comment) error) (tribune.Comment, error) {
	defer s.stamps.wrote()
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return tribune.Comment{}, classify("update comment", err)
	}
	defer tx.Rollback()
	old, err := sqlrow.Comment(tx.QueryRowContext(ctx, `SELECT `+sqlrow.CommentCols+` FROM comments WHERE id = ?`, id.String()))
	if err != nil {
		return tribune.Comment{}, classify("update comment", err)
	}
	c := old
	if err := apply(&c); err != nil {
		return tribune.Comment{}, err
	}
	c.ID, c.ArticleID, c.Created = old.ID, old.ArticleID, old.Created
	if c.ParentID != uuid.Nil {
		var one int
		if err := tx.QueryRowContext(ctx, `SELECT 1 FROM comments WHERE id = ?`, c.ParentID.String()).Scan(&one); err != nil {
			return tribune.Comment{}, classify("update comment: parent", err)
		}
	}
	_, err = tx.ExecContext(ctx, `UPDATE comments SET parent_id = ?, author_name = ?, email = ?, email_key = ?, website = ?, body = ?,
		status = ?, version = ?, client_hash = ?, user_agent = ?, idem_key = ?, dup_key = ?, user_id = ?, edited = ? WHERE id = ?`,
		nullUUID(c.ParentID), c.AuthorName, c.Email.Address(), c.Email.Key(), c.Website, c.Body, string(c.Status), c.Version,
		c.Meta.ClientHash, c.Meta.UserAgent, c.Meta.Key, c.Meta.DupKey, c.UserID, micro0(c.Edited), id.String())
	if err != nil {
		return tribune.Comment{}, classify("update comment", err)
	}
	return c, classify("update comment", tx.Commit())
}

// DeleteComment implements tribune.Store: the check for replies is
// part of the DELETE statement, which SQLite runs under its write lock.
func (s *Store) DeleteComment(ctx context.Context, id uuid.UUID) error {
	defer s.stamps.wrote()
	res, err := s.w.ExecContext(ctx, `DELETE FROM comments WHERE id = ?1 AND NOT EXISTS (SELECT 1 FROM comments WHERE parent_id = ?1)`, id.String())
	if err != nil {
		return classify("delete comment", err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 1 {
		return classify("delete comment", err)
	}
	var one int
	if err := s.w.QueryRowContext(ctx, `SELECT 1 FROM comments WHERE id = ?`, id.String()).Scan(&one); err != nil {
		return classify("delete comment", err)
	}
	return fmt.Errorf("sqlitestore: delete comment: it has replies: %w", tribune.ErrConflict)
}

// InsertComments implements tribune.BulkInserter: one transaction, one
// prepared statement.
func (s *Store) InsertComments(ctx context.Context, cs []tribune.Comment) error {
	defer s.stamps.wrote()
	began := time.Now()
	err := s.insertComments(ctx, cs)
	// SQLite's lock is not fair: a connection that commits and begins
	// again at once keeps it from writers of other connections, which
	// poll for it. An import's batches come one after the other, so each
	// ends with a pause of a third of the time it held the lock (up to
	// the busy handler's longest sleep, 100 ms): a live site's posts land
	// between the batches instead of waiting out the whole import.
	if err == nil {
		pause := min(time.Since(began)/3, 100*time.Millisecond)
		select {
		case <-ctx.Done():
		case <-time.After(pause):
		}
	}
	return err
}

func (s *Store) insertComments(ctx context.Context, cs []tribune.Comment) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return classify("insert comments", err)
	}
	defer tx.Rollback()
	// Positions are numbered once per article at the end, not shifted
	// for each comment (see migration 0007): the batch's articles are
	// listed for the insert trigger, inside this transaction only.
	articles := map[uuid.UUID]bool{}
	for i := range cs {
		if !articles[cs[i].ArticleID] {
			articles[cs[i].ArticleID] = true
			if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO bulk_articles (article_id) VALUES (?)`, cs[i].ArticleID.String()); err != nil {
				return classify("insert comments", err)
			}
		}
	}
	st := tx.StmtContext(ctx, s.insertComment)
	for i := range cs {
		c := &cs[i]
		res, err := st.ExecContext(ctx, c.ID.String(), c.ArticleID.String(), nullUUID(c.ParentID), c.AuthorName,
			c.Email.Address(), c.Website, c.Body, string(c.Status), micro(c.Created), c.Version, c.Meta.ClientHash, c.Meta.UserAgent,
			c.Meta.Key, c.Meta.DupKey, c.Email.Key(), int64(math.MaxInt64), c.UserID, micro0(c.Edited))
		if err == nil {
			var n int64
			if n, err = res.RowsAffected(); err == nil && n == 0 {
				err = fmt.Errorf("parent: %w", tribune.ErrNotFound)
			}
		}
		if err != nil {
			return classify(fmt.Sprintf("insert comment %d of %d", i+1, len(cs)), err)
		}
	}
	for id := range articles {
		if _, err := tx.ExecContext(ctx, renumberSQL, id.String()); err != nil {
			return classify("insert comments: positions", err)
		}
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM bulk_articles`); err != nil {
		return classify("insert comments", err)
	}
	return classify("insert comments", tx.Commit())
}

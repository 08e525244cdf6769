// Package sqlrow reads Tribune's rows through database/sql, once for the
// stores that use it (SQLite and MySQL): the column lists every SQL
// schema shares, the scanning of an article, a comment, a mail and an
// address, and
// the loop that collects a query's rows. What differs is how each
// database keeps a time, which [Time] reads either way; writing stays
// each store's own.
package sqlrow

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/tribune-go/tribune"
	"github.com/tribune-go/tribune/outbox"
)

// The columns of each table, in the order the scanners read them.
const (
	ArticleCols = `id, slug, title, summary, body, author, lang, published, updated, comments_closed`
	CommentCols = `id, article_id, parent_id, author_name, email, website, body, status, created, version, client_hash, user_agent, idem_key, dup_key, user_id, edited`
	MailCols    = `id, mail_key, kind, recipient, sender, subject, text_body, html_body, lang, unsubscribe, state, queued, due, attempts, sent, last_error`
	AddressCols = `id, email_key, verified, confirm_sent, opted_out`
)

// Scanner is a row to scan: *sql.Row or *sql.Rows.
type Scanner interface{ Scan(dest ...any) error }

// Querier runs a query: *sql.DB, *sql.Tx or *sql.Conn.
type Querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// Time scans a time as either database keeps it, into UTC at microsecond
// precision: an INTEGER of microseconds since 1970 (SQLite), a DATETIME
// (MySQL, with parseTime), or NULL. NULL and 0 read as the zero time
// (what SQLite keeps for "never": no comment or mail is dated 1970).
type Time struct{ T time.Time }

// Scan implements sql.Scanner.
func (t *Time) Scan(v any) error {
	switch x := v.(type) {
	case nil:
		t.T = time.Time{}
	case int64:
		t.T = time.Time{}
		if x != 0 {
			t.T = time.UnixMicro(x).UTC()
		}
	case time.Time:
		t.T = x.UTC().Truncate(time.Microsecond)
	default:
		return fmt.Errorf("sqlrow: a time column holds a %T", v)
	}
	return nil
}

// Article scans a row of ArticleCols.
func Article(row Scanner) (tribune.Article, error) {
	var a tribune.Article
	var id string
	var pub, upd Time
	if err := row.Scan(&id, &a.Slug, &a.Title, &a.Summary, &a.Body, &a.Author, &a.Lang, &pub, &upd, &a.CommentsClosed); err != nil {
		return a, err
	}
	var err error
	a.ID, err = uuid.Parse(id)
	a.Published, a.Updated = pub.T, upd.T
	return a, err
}

// Comment scans a row of CommentCols. An absent parent, key or
// duplicate key may be NULL or "".
func Comment(row Scanner) (tribune.Comment, error) {
	var c tribune.Comment
	var id, aid, email, status string
	var parent, key, dup sql.NullString
	var created, edited Time
	if err := row.Scan(&id, &aid, &parent, &c.AuthorName, &email, &c.Website, &c.Body, &status, &created, &c.Version,
		&c.Meta.ClientHash, &c.Meta.UserAgent, &key, &dup, &c.UserID, &edited); err != nil {
		return c, err
	}
	var err1, err2, err3 error
	c.ID, err1 = uuid.Parse(id)
	c.ArticleID, err2 = uuid.Parse(aid)
	if parent.Valid {
		c.ParentID, err3 = uuid.Parse(parent.String)
	}
	c.Email = tribune.StoredEmail(email)
	c.Status = tribune.Status(status)
	c.Created, c.Edited = created.T, edited.T
	c.Meta.Key, c.Meta.DupKey = key.String, dup.String
	return c, errors.Join(err1, err2, err3)
}

// Mail scans a row of MailCols.
func Mail(row Scanner) (outbox.Mail, error) {
	var m outbox.Mail
	var id, to, state string
	var queued, due, sent Time
	if err := row.Scan(&id, &m.Key, &m.Kind, &to, &m.From, &m.Subject, &m.Text, &m.HTML, &m.Lang, &m.Unsubscribe,
		&state, &queued, &due, &m.Attempts, &sent, &m.LastError); err != nil {
		return m, err
	}
	var err error
	m.ID, err = uuid.Parse(id)
	m.To, m.State = tribune.StoredEmail(to), outbox.State(state)
	m.Queued, m.Due, m.Sent = queued.T, due.T, sent.T
	return m, err
}

// Address scans a row of AddressCols.
func Address(row Scanner) (tribune.Address, error) {
	var a tribune.Address
	var id string
	var verified, sent, optedOut Time
	if err := row.Scan(&id, &a.Key, &verified, &sent, &optedOut); err != nil {
		return a, err
	}
	var err error
	a.ID, err = uuid.Parse(id)
	a.Verified, a.ConfirmSent, a.OptedOut = verified.T, sent.T, optedOut.T
	return a, err
}

// Collect runs query on q and scans every row with scan: an empty list,
// never nil, when there is none. Its errors are the driver's, for the
// store to classify.
func Collect[T any](ctx context.Context, q Querier, scan func(Scanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// Affected returns tribune.ErrNotFound when res changed no row.
func Affected(res sql.Result) error {
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return tribune.ErrNotFound
	}
	return nil
}

package importer

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"math"
	"net/url"
	"strings"
	"time"

	_ "modernc.org/sqlite" // Isso's database is SQLite

	"github.com/tribune-go/tribune"
)

// Isso's SQLite database, read only. Field by field:
//
//	threads: id → source ID; uri → URL (its last segment matches a
//	  slug); title
//	comments: id → source ID; tid → article; parent → parent; author,
//	  email, website → name, email, website; text → body (typed text:
//	  Isso keeps Markdown, which stays as written); created (Unix
//	  seconds) → date; modified → edited; mode 1 → approved, 2 →
//	  pending, 4 (deleted, kept for its replies) → skipped, the replies
//	  becoming top-level comments. remote_addr is not kept.
var issoFormat = Format{Name: "isso", Open: openIsso, sniff: func(head []byte) bool {
	return bytes.HasPrefix(head, []byte("SQLite format 3\x00"))
}}

type issoReader struct {
	db      *sql.DB
	ctx     context.Context
	rows    *sql.Rows
	threads map[int64]*Article
	emitted map[int64]bool
	queue   []any
}

func openIsso(path string) (Reader, error) {
	db, err := sql.Open("sqlite", "file:"+url.PathEscape(path)+"?mode=ro&_pragma=query_only(1)")
	if err != nil {
		return nil, err
	}
	// Real tables only: a "comments" that is a view (recursive, say) could
	// run for ever and fill the disk with its temporary results.
	for _, name := range []string{"threads", "comments"} {
		var kind string
		err := db.QueryRow(`SELECT type FROM sqlite_master WHERE name = ?`, name).Scan(&kind)
		if err != nil || kind != "table" {
			db.Close()
			if err == nil {
				err = fmt.Errorf("%q is a %s, not a table", name, kind)
			}
			return nil, fmt.Errorf("not an Isso database: %w", err)
		}
	}
	return &issoReader{db: db, ctx: context.Background(), threads: map[int64]*Article{}, emitted: map[int64]bool{}}, nil
}

// SetContext makes the reader's queries stop with the import.
func (r *issoReader) SetContext(ctx context.Context) { r.ctx = ctx }

// query runs the reader's two queries, on its first Next, under the
// import's context.
func (r *issoReader) query() error {
	rows, err := r.db.QueryContext(r.ctx, `SELECT id, uri, COALESCE(title, '') FROM threads`)
	if err != nil {
		return fmt.Errorf("not an Isso database: %w", err)
	}
	for rows.Next() {
		var id int64
		var uri, title string
		if err := rows.Scan(&id, &uri, &title); err != nil {
			rows.Close()
			return err
		}
		r.threads[id] = &Article{ID: fmt.Sprint(id), URL: uri, Title: strings.TrimSpace(title)}
	}
	if err := rows.Close(); err != nil {
		return err
	}
	r.rows, err = r.db.QueryContext(r.ctx, `SELECT id, tid, COALESCE(parent, 0), created, COALESCE(modified, 0), mode, COALESCE(text, ''),
		COALESCE(author, ''), COALESCE(email, ''), COALESCE(website, '') FROM comments ORDER BY tid, id`)
	if err != nil {
		return fmt.Errorf("not an Isso database: %w", err)
	}
	return nil
}

func (r *issoReader) Site() string { return "isso" }

func (r *issoReader) Close() error {
	if r.rows != nil {
		r.rows.Close()
	}
	return r.db.Close()
}

func unix(f float64) time.Time {
	if f <= 0 || math.IsNaN(f) || math.IsInf(f, 0) || f > 1e12 {
		return time.Time{}
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)).UTC()
}

func (r *issoReader) Next() (any, error) {
	if r.rows == nil {
		if err := r.query(); err != nil {
			return nil, err
		}
	}
	for len(r.queue) == 0 {
		if !r.rows.Next() {
			if err := r.rows.Err(); err != nil {
				return nil, err
			}
			return nil, io.EOF
		}
		var id, tid, parent, mode int64
		var created, modified float64
		var text, author, email, website string
		if err := r.rows.Scan(&id, &tid, &parent, &created, &modified, &mode, &text, &author, &email, &website); err != nil {
			return nil, err
		}
		a, ok := r.threads[tid]
		if !ok {
			return nil, fmt.Errorf("comment %d names thread %d, which is not in the database", id, tid)
		}
		if !r.emitted[tid] {
			r.emitted[tid] = true
			if a.Published.IsZero() {
				a.Published = unix(created)
			}
			r.queue = append(r.queue, a)
		}
		c := &Comment{ID: fmt.Sprint(id), ArticleID: a.ID, Author: strings.TrimSpace(author), Email: strings.TrimSpace(email),
			Website: strings.TrimSpace(website), Body: text, Created: unix(created), Edited: unix(modified)}
		if parent != 0 {
			c.ParentID = fmt.Sprint(parent)
		}
		switch mode {
		case 1:
			c.Status = tribune.StatusApproved
		case 2:
			c.Status = tribune.StatusPending
		case 4:
			c.Skip = "deleted on Isso"
		default:
			return nil, errors.New("comment " + c.ID + ": unknown mode " + fmt.Sprint(mode))
		}
		if c.Created.IsZero() {
			c.DateNote = fmt.Sprintf("no usable date (%v)", created)
		}
		r.queue = append(r.queue, c)
	}
	rec := r.queue[0]
	r.queue = r.queue[1:]
	return rec, nil
}

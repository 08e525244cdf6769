package importer

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/tribune-go/tribune"
)

// Remark42's backup (gzipped or not): JSON lines, the first a header
// ({"version": 1, "users": […], "posts": […]}), then one comment a line.
// Field by field:
//
//	locator.url → the article (its URL, whose last segment matches a
//	  slug); title → the article's title; locator.site → the site
//	id → source ID; pid → parent; user.name → name (Remark42 keeps no
//	  email: users sign in with a provider); text → body (HTML); time →
//	  date; edit.time → edited; delete true → skipped (Remark42 empties
//	  deleted comments), their replies becoming top-level comments.
//	  Users who share a name stay apart: each comment keeps its own row.
var remark42Format = Format{Name: "remark42", Open: openRemark42, sniff: func(head []byte) bool {
	first, _, _ := bytes.Cut(head, []byte("\n"))
	return bytes.HasPrefix(bytes.TrimSpace(first), []byte("{")) && bytes.Contains(first, []byte(`"version"`)) &&
		(bytes.Contains(first, []byte(`"users"`)) || bytes.Contains(first, []byte(`"posts"`)))
}}

type remark42Comment struct {
	ID       string `json:"id"`
	ParentID string `json:"pid"`
	Text     string `json:"text"`
	User     struct {
		Name string `json:"name"`
		ID   string `json:"id"`
	} `json:"user"`
	Locator struct {
		Site string `json:"site"`
		URL  string `json:"url"`
	} `json:"locator"`
	Time  time.Time                 `json:"time"`
	Edit  *struct{ Time time.Time } `json:"edit"`
	Del   bool                      `json:"delete"`
	Title string                    `json:"title"`
}

type remark42Reader struct {
	f     *file
	line  int
	site  string
	seen  map[string]bool
	queue []any
}

func openRemark42(path string) (Reader, error) {
	f, err := openFile(path)
	if err != nil {
		return nil, err
	}
	r := &remark42Reader{f: f, seen: map[string]bool{}}
	head, err := r.readLine()
	if err != nil {
		f.Close()
		return nil, &lineError{1, fmt.Errorf("no header line: %w", err)}
	}
	var h struct {
		Version int `json:"version"`
	}
	if err := json.Unmarshal(head, &h); err != nil || h.Version != 1 {
		f.Close()
		return nil, &lineError{1, fmt.Errorf("the header is not a Remark42 backup's version 1 (%v)", err)}
	}
	return r, nil
}

func (r *remark42Reader) Site() string  { return r.site }
func (r *remark42Reader) Close() error  { return r.f.Close() }
func (r *remark42Reader) Offset() int64 { return r.f.Offset() }

// maxLine bounds a line of a backup: a comment is far smaller.
const maxLine = 16 << 20

// readLine reads one line, up to maxLine bytes.
func (r *remark42Reader) readLine() ([]byte, error) {
	r.line++
	var buf []byte
	for {
		part, err := r.f.ReadSlice('\n')
		buf = append(buf, part...)
		if len(buf) > maxLine {
			return nil, &lineError{r.line, fmt.Errorf("a line longer than %d MiB", maxLine>>20)}
		}
		if errors.Is(err, bufioFull) {
			continue
		}
		if errors.Is(err, io.EOF) && len(bytes.TrimSpace(buf)) > 0 {
			return buf, nil
		}
		return buf, err
	}
}

func (r *remark42Reader) Next() (any, error) {
	for len(r.queue) == 0 {
		b, err := r.readLine()
		if err != nil {
			return nil, err
		}
		if len(bytes.TrimSpace(b)) == 0 {
			continue
		}
		var rc remark42Comment
		if err := json.Unmarshal(b, &rc); err != nil {
			return nil, &lineError{r.line, err}
		}
		if rc.ID == "" || rc.Locator.URL == "" {
			return nil, &lineError{r.line, errors.New("a comment without id or locator.url")}
		}
		if r.site == "" {
			r.site = rc.Locator.Site
		}
		if !r.seen[rc.Locator.URL] {
			r.seen[rc.Locator.URL] = true
			r.queue = append(r.queue, &Article{ID: rc.Locator.URL, URL: rc.Locator.URL, Title: strings.TrimSpace(rc.Title), Published: rc.Time.UTC()})
		}
		c := &Comment{ID: rc.ID, ArticleID: rc.Locator.URL, ParentID: rc.ParentID, Author: strings.TrimSpace(rc.User.Name),
			Body: rc.Text, HTML: true, Created: rc.Time.UTC(), Status: tribune.StatusApproved, Line: r.line}
		if rc.Edit != nil && !rc.Edit.Time.IsZero() {
			c.Edited = rc.Edit.Time
		}
		if rc.Del {
			c.Skip = "deleted on Remark42, no text left"
		}
		if rc.Time.IsZero() {
			c.DateNote = "no date"
		}
		r.queue = append(r.queue, c)
	}
	rec := r.queue[0]
	r.queue = r.queue[1:]
	return rec, nil
}

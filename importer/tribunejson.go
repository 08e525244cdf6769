package importer

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/google/uuid"

	"github.com/tribune-go/tribune"
)

// Tribune's own JSON, version 1: every field of every article and comment,
// IDs kept, so that export → import into an empty store → export gives
// the same file.
//
//	{"version": 1,
//	 "articles": [{"id", "slug", "url", "title", "summary", "body", "author",
//	               "lang", "published", "updated", "comments_closed"}, …],
//	 "comments": [{"id", "article_id", "parent_id", "status", "author",
//	               "email", "website", "body", "created", "edited",
//	               "version", "user_id", "client_hash", "user_agent",
//	               "key", "dup_key"}, …]}
//
// Articles come before comments; within an article, comments come in
// thread order (oldest first). Times are RFC 3339 in UTC with
// microseconds; bodies are the sanitized HTML the store keeps (imported
// through the comment policy again, which leaves them as they are). The
// file holds email addresses: it is personal data.
var tribuneFormat = Format{Name: "tribune", Open: openTribuneJSON, own: true, sniff: func(head []byte) bool {
	return bytes.HasPrefix(bytes.TrimSpace(head), []byte("{")) && bytes.Contains(head, []byte(`"articles"`)) &&
		!bytes.Contains(head, []byte(`"commenters"`))
}}

// JSONVersion is the version of Tribune's JSON this package writes.
const JSONVersion = 1

// JSONArticle is an article in Tribune's JSON.
type JSONArticle struct {
	ID        uuid.UUID `json:"id"`
	Slug      string    `json:"slug"`
	URL       string    `json:"url,omitempty"`
	Title     string    `json:"title"`
	Summary   string    `json:"summary,omitempty"`
	Body      string    `json:"body,omitempty"`
	Author    string    `json:"author,omitempty"`
	Lang      string    `json:"lang"`
	Published time.Time `json:"published"`
	Updated   time.Time `json:"updated"`
	Closed    bool      `json:"comments_closed,omitempty"`
}

// JSONComment is a comment in Tribune's JSON.
type JSONComment struct {
	ID         uuid.UUID      `json:"id"`
	ArticleID  uuid.UUID      `json:"article_id"`
	ParentID   *uuid.UUID     `json:"parent_id,omitempty"`
	Status     tribune.Status `json:"status"`
	Author     string         `json:"author"`
	Email      string         `json:"email,omitempty"`
	Website    string         `json:"website,omitempty"`
	Body       string         `json:"body"`
	Created    time.Time      `json:"created"`
	Edited     *time.Time     `json:"edited,omitempty"`
	Version    int            `json:"version"`
	UserID     string         `json:"user_id,omitempty"`
	ClientHash string         `json:"client_hash,omitempty"`
	UserAgent  string         `json:"user_agent,omitempty"`
	Key        string         `json:"key,omitempty"`
	DupKey     string         `json:"dup_key,omitempty"`
}

type tribuneReader struct {
	f       *file
	d       *json.Decoder
	section string // "articles" or "comments" while inside its array
	seen    map[string]bool
}

func openTribuneJSON(path string) (Reader, error) {
	f, err := openJSON(path)
	if err != nil {
		return nil, err
	}
	r := &tribuneReader{f: f, d: json.NewDecoder(f), seen: map[string]bool{}}
	if err := r.expect(json.Delim('{')); err != nil {
		f.Close()
		return nil, err
	}
	return r, nil
}

func (r *tribuneReader) Site() string  { return "tribune" }
func (r *tribuneReader) Close() error  { return r.f.Close() }
func (r *tribuneReader) Offset() int64 { return r.f.Offset() }

func (r *tribuneReader) fail(err error) error {
	return &offsetError{offset: r.d.InputOffset(), err: err}
}

func (r *tribuneReader) expect(want json.Delim) error {
	tok, err := r.d.Token()
	if err != nil {
		return r.fail(err)
	}
	if tok != want {
		return r.fail(fmt.Errorf("want %v, found %v", want, tok))
	}
	return nil
}

func (r *tribuneReader) Next() (any, error) {
	for {
		if r.section != "" {
			if r.d.More() {
				return r.element()
			}
			if err := r.expect(json.Delim(']')); err != nil {
				return nil, err
			}
			r.section = ""
			continue
		}
		tok, err := r.d.Token()
		if err != nil {
			return nil, r.fail(err)
		}
		if tok == json.Delim('}') {
			if !r.seen["version"] {
				return nil, r.fail(errors.New(`no "version"`))
			}
			return nil, io.EOF
		}
		key, ok := tok.(string)
		if !ok {
			return nil, r.fail(fmt.Errorf("want a key, found %v", tok))
		}
		r.seen[key] = true
		switch key {
		case "version":
			var v int
			if err := r.d.Decode(&v); err != nil {
				return nil, r.fail(err)
			}
			if v != JSONVersion {
				return nil, r.fail(fmt.Errorf("version %d: this importer reads version %d", v, JSONVersion))
			}
		case "articles", "comments":
			if key == "articles" && r.seen["comments"] {
				return nil, r.fail(errors.New(`"articles" must come before "comments"`))
			}
			if err := r.expect(json.Delim('[')); err != nil {
				return nil, err
			}
			r.section = key
		default:
			if err := skipValue(r.d); err != nil {
				return nil, r.fail(err)
			}
		}
	}
}

func (r *tribuneReader) element() (any, error) {
	start := r.d.InputOffset()
	if r.section == "articles" {
		var a JSONArticle
		if err := r.d.Decode(&a); err != nil {
			return nil, r.fail(err)
		}
		if a.ID == uuid.Nil {
			return nil, &offsetError{offset: start, err: errors.New("an article without an id")}
		}
		return &Article{ID: a.ID.String(), URL: a.URL, Slug: a.Slug, Title: a.Title, Summary: a.Summary, Body: a.Body,
			Author: a.Author, Lang: a.Lang, Published: a.Published, Updated: a.Updated, Closed: a.Closed}, nil
	}
	var c JSONComment
	if err := r.d.Decode(&c); err != nil {
		return nil, r.fail(err)
	}
	if c.ID == uuid.Nil || c.ArticleID == uuid.Nil {
		return nil, &offsetError{offset: start, err: errors.New("a comment without an id or article_id")}
	}
	if !c.Status.Valid() {
		return nil, &offsetError{offset: start, err: fmt.Errorf("comment %s: unknown status %q", c.ID, c.Status)}
	}
	out := &Comment{ID: c.ID.String(), ArticleID: c.ArticleID.String(), Author: c.Author, Email: c.Email, Website: c.Website,
		Body: c.Body, HTML: true, Created: c.Created, Status: c.Status, Version: c.Version, UserID: c.UserID,
		Meta: tribune.Meta{ClientHash: c.ClientHash, UserAgent: c.UserAgent, Key: c.Key, DupKey: c.DupKey}}
	if c.ParentID != nil {
		out.ParentID = c.ParentID.String()
	}
	if c.Edited != nil {
		out.Edited = *c.Edited
	}
	if c.Created.IsZero() {
		out.DateNote = "no date"
	}
	return out, nil
}

// offsetError is a JSON reader's error at a byte offset; the importer
// turns it into a line.
type offsetError struct {
	offset int64
	err    error
}

func (e *offsetError) Error() string { return fmt.Sprintf("byte %d: %v", e.offset, e.err) }
func (e *offsetError) Unwrap() error { return e.err }

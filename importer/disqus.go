package importer

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"golang.org/x/net/html/charset"

	"github.com/tribune-go/tribune"
)

// Disqus's XML export: <thread> elements (the pages), then <post>
// elements (the comments), each naming its thread, and its parent, by
// dsq:id. Field by field:
//
//	thread: dsq:id → source ID; link → URL (its last segment matches a
//	  slug); title; createdAt → published; isClosed → comments closed;
//	  <forum> → the site (the ID namespace)
//	post: dsq:id → source ID; thread/@dsq:id → article; parent/@dsq:id →
//	  parent; author/name, author/email → name, email (an anonymous
//	  author has no email); message → body (HTML); createdAt → date;
//	  isSpam → spam; isDeleted → trash (a deleted post Disqus emptied is
//	  skipped, and its replies, not dropped, become top-level comments);
//	  isApproved false → pending; else approved. IP addresses are not
//	  kept.
var disqusFormat = Format{Name: "disqus", Open: openDisqus, sniff: func(head []byte) bool {
	return bytes.Contains(head, []byte("<disqus")) && bytes.Contains(head, []byte("disqus.com"))
}}

type disqusRef struct {
	ID string `xml:"http://disqus.com/disqus-internals id,attr"`
}

type disqusAuthor struct {
	Email     string `xml:"email"`
	Name      string `xml:"name"`
	Anonymous bool   `xml:"isAnonymous"`
	Username  string `xml:"username"`
}

type disqusThread struct {
	DsqID     string `xml:"http://disqus.com/disqus-internals id,attr"`
	Forum     string `xml:"forum"`
	Link      string `xml:"link"`
	Title     string `xml:"title"`
	CreatedAt string `xml:"createdAt"`
	Closed    bool   `xml:"isClosed"`
}

type disqusPost struct {
	DsqID      string       `xml:"http://disqus.com/disqus-internals id,attr"`
	Message    string       `xml:"message"`
	CreatedAt  string       `xml:"createdAt"`
	Deleted    bool         `xml:"isDeleted"`
	Spam       bool         `xml:"isSpam"`
	Approved   *bool        `xml:"isApproved"`
	Author     disqusAuthor `xml:"author"`
	Thread     disqusRef    `xml:"thread"`
	Parent     *disqusRef   `xml:"parent"`
	IPAddress  string       `xml:"ipAddress"`
	Identifier string       `xml:"id"`
}

type disqusReader struct {
	f       *file
	d       *xml.Decoder
	site    string
	threads map[string]*Article
	emitted map[string]bool
	queue   []any
}

func openDisqus(path string) (Reader, error) {
	f, err := openXML(path)
	if err != nil {
		return nil, err
	}
	d := xml.NewDecoder(f)
	d.CharsetReader = charset.NewReaderLabel
	d.Entity = xml.HTMLEntity
	return &disqusReader{f: f, d: d, threads: map[string]*Article{}, emitted: map[string]bool{}}, nil
}

func (r *disqusReader) Site() string  { return r.site }
func (r *disqusReader) Close() error  { return r.f.Close() }
func (r *disqusReader) Offset() int64 { return r.f.Offset() }

func (r *disqusReader) Next() (any, error) {
	for len(r.queue) == 0 {
		line, _ := r.d.InputPos()
		tok, err := r.d.Token()
		if errors.Is(err, io.EOF) {
			return nil, io.EOF
		}
		if err != nil {
			l, _ := r.d.InputPos()
			return nil, &lineError{l, err}
		}
		t, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		switch t.Name.Local {
		case "thread":
			var th disqusThread
			if err := r.d.DecodeElement(&th, &t); err != nil {
				return nil, &lineError{line, err}
			}
			if th.DsqID == "" {
				return nil, &lineError{line, errors.New("a <thread> without dsq:id")}
			}
			if r.site == "" {
				r.site = strings.TrimSpace(th.Forum)
			}
			a := &Article{ID: th.DsqID, URL: strings.TrimSpace(th.Link), Title: strings.TrimSpace(th.Title), Closed: th.Closed}
			if d, err := time.Parse(time.RFC3339, strings.TrimSpace(th.CreatedAt)); err == nil {
				a.Published = d.UTC()
			}
			r.threads[th.DsqID] = a
		case "post":
			var p disqusPost
			if err := r.d.DecodeElement(&p, &t); err != nil {
				return nil, &lineError{line, err}
			}
			c, err := r.post(&p, line)
			if err != nil {
				return nil, err
			}
			if c.Skip != skipNoThread && !r.emitted[c.ArticleID] {
				r.queue, r.emitted[c.ArticleID] = append(r.queue, r.threads[c.ArticleID]), true
			}
			r.queue = append(r.queue, c)
		case "disqus":
		default:
			if err := r.d.Skip(); err != nil {
				return nil, &lineError{line, err}
			}
		}
	}
	rec := r.queue[0]
	r.queue = r.queue[1:]
	return rec, nil
}

func (r *disqusReader) post(p *disqusPost, line int) (*Comment, error) {
	if p.DsqID == "" {
		return nil, &lineError{line, errors.New("a <post> without dsq:id")}
	}
	if _, ok := r.threads[p.Thread.ID]; !ok {
		// A thread deleted since, or declared after its posts: the post
		// has no page to go on. It is left out and counted, never a
		// reason to refuse the file.
		return &Comment{ID: p.DsqID, Skip: skipNoThread, Line: line}, nil
	}
	c := &Comment{ID: p.DsqID, ArticleID: p.Thread.ID, Author: strings.TrimSpace(p.Author.Name), Body: strings.TrimSpace(p.Message),
		HTML: true, Status: tribune.StatusApproved, Line: line}
	if !p.Author.Anonymous {
		c.Email = strings.TrimSpace(p.Author.Email)
	}
	if c.Author == "" {
		c.Author = strings.TrimSpace(p.Author.Username)
	}
	if p.Parent != nil && p.Parent.ID != "" {
		c.ParentID = p.Parent.ID
	}
	switch {
	case p.Spam:
		c.Status = tribune.StatusSpam
	case p.Deleted:
		c.Status = tribune.StatusTrash
	case p.Approved != nil && !*p.Approved:
		c.Status = tribune.StatusPending
	}
	if p.Deleted && c.Body == "" {
		c.Skip = "deleted on Disqus, no text left"
	}
	if d, err := time.Parse(time.RFC3339, strings.TrimSpace(p.CreatedAt)); err == nil {
		c.Created = d.UTC()
	} else {
		c.DateNote = fmt.Sprintf("no usable date (%q)", strings.TrimSpace(p.CreatedAt))
	}
	return c, nil
}

package importer

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/tribune-go/tribune"
)

// ExportOptions configure an export.
type ExportOptions struct {
	// Email, when set, limits the export to the comments sent with that
	// address and their articles: one person's data.
	Email tribune.Email
	// ArticleURL gives an article's public address (default
	// "/articles/<slug>", examples/blog's).
	ArticleURL func(*tribune.Article) string
}

// exportPage is how many comments an export reads at a time.
const exportPage = 2000

// articles lists every article, newest first, or those of the person's
// comments.
func exportArticles(ctx context.Context, store tribune.Store, opts ExportOptions) ([]tribune.Article, map[uuid.UUID][]tribune.Comment, error) {
	if !opts.Email.IsZero() {
		svc, err := tribune.NewService(store)
		if err != nil {
			return nil, nil, err
		}
		cs, err := svc.CommentsByEmail(ctx, opts.Email)
		if err != nil {
			return nil, nil, err
		}
		byArticle := map[uuid.UUID][]tribune.Comment{}
		var arts []tribune.Article
		for _, c := range cs {
			if _, ok := byArticle[c.ArticleID]; !ok {
				a, err := store.Article(ctx, c.ArticleID)
				if err != nil {
					return nil, nil, err
				}
				arts = append(arts, a)
			}
			byArticle[c.ArticleID] = append(byArticle[c.ArticleID], c)
		}
		return arts, byArticle, nil
	}
	var arts []tribune.Article
	for off := 0; ; off += tribune.MaxPageSize {
		page, err := store.Articles(ctx, tribune.Span{Limit: tribune.MaxPageSize, Offset: off})
		if err != nil {
			return nil, nil, err
		}
		arts = append(arts, page...)
		if len(page) < tribune.MaxPageSize {
			return arts, nil, nil
		}
	}
}

// eachComment calls fn with an article's comments in thread order, a page
// at a time.
func eachComment(ctx context.Context, store tribune.Store, a *tribune.Article, mine map[uuid.UUID][]tribune.Comment, fn func(*tribune.Comment) error) error {
	if mine != nil {
		for i := range mine[a.ID] {
			if err := fn(&mine[a.ID][i]); err != nil {
				return err
			}
		}
		return nil
	}
	for off := 0; ; off += exportPage {
		cs, err := store.FindComments(ctx, tribune.Query{ArticleID: a.ID, Limit: exportPage, Offset: off})
		if err != nil {
			return err
		}
		for i := range cs {
			if err := fn(&cs[i]); err != nil {
				return err
			}
		}
		if len(cs) < exportPage {
			return nil
		}
	}
}

func (o ExportOptions) url(a *tribune.Article) string {
	if o.ArticleURL != nil {
		return o.ArticleURL(a)
	}
	return "/articles/" + a.Slug
}

// ExportJSON writes the store (or one person's data) as Tribune's JSON,
// streaming: an article's comments are read a page at a time.
func ExportJSON(ctx context.Context, store tribune.Store, w io.Writer, opts ExportOptions) error {
	arts, mine, err := exportArticles(ctx, store, opts)
	if err != nil {
		return err
	}
	bw := &errWriter{w: w}
	bw.str(`{"version": ` + strconv.Itoa(JSONVersion) + ",\n\"articles\": [")
	for i := range arts {
		a := &arts[i]
		if i > 0 {
			bw.str(",")
		}
		bw.str("\n")
		bw.json(JSONArticle{ID: a.ID, Slug: a.Slug, URL: opts.url(a), Title: a.Title, Summary: a.Summary, Body: a.Body,
			Author: a.Author, Lang: a.Lang, Published: a.Published.UTC(), Updated: a.Updated.UTC(), Closed: a.CommentsClosed})
	}
	bw.str("\n],\n\"comments\": [")
	first := true
	for i := range arts {
		err := eachComment(ctx, store, &arts[i], mine, func(c *tribune.Comment) error {
			if !first {
				bw.str(",")
			}
			first = false
			bw.str("\n")
			jc := JSONComment{ID: c.ID, ArticleID: c.ArticleID, Status: c.Status, Author: c.AuthorName, Email: c.Email.Address(),
				Website: c.Website, Body: c.Body, Created: c.Created.UTC(), Version: c.Version, UserID: c.UserID,
				ClientHash: c.Meta.ClientHash, UserAgent: c.Meta.UserAgent, Key: c.Meta.Key, DupKey: c.Meta.DupKey}
			if c.ParentID != uuid.Nil {
				p := c.ParentID
				jc.ParentID = &p
			}
			if !c.Edited.IsZero() {
				e := c.Edited.UTC()
				jc.Edited = &e
			}
			bw.json(jc)
			return bw.err
		})
		if err != nil {
			return err
		}
	}
	bw.str("\n]}\n")
	return bw.err
}

// errWriter keeps the first write error.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) str(s string) {
	if e.err == nil {
		_, e.err = io.WriteString(e.w, s)
	}
}

func (e *errWriter) json(v any) {
	if e.err != nil {
		return
	}
	b, err := json.Marshal(v)
	if err != nil {
		e.err = err
		return
	}
	_, e.err = e.w.Write(b)
}

// ExportWXR writes the store (or one person's data) as a WordPress WXR
// 1.2 file that WordPress's importer takes: each article an item (a
// post), its comments with their threads and statuses (approved 1,
// pending 0, spam, trash). WordPress wants numbers for IDs: articles and
// comments are numbered from 1 in the file, and the Tribune ID is kept
// in each item's <guid>.
func ExportWXR(ctx context.Context, store tribune.Store, w io.Writer, opts ExportOptions, site string) error {
	arts, mine, err := exportArticles(ctx, store, opts)
	if err != nil {
		return err
	}
	bw := &errWriter{w: w}
	bw.str(xml.Header + `<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:wfw="http://wellformedweb.org/CommentAPI/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
`)
	el := func(name, text string) {
		bw.str("<" + name + ">")
		if bw.err == nil {
			bw.err = xml.EscapeText(bw.w, []byte(text))
		}
		bw.str("</" + name + ">\n")
	}
	el("title", site)
	el("link", site)
	el("description", "")
	el("wp:wxr_version", "1.2")
	el("wp:base_site_url", site)
	el("wp:base_blog_url", site)
	commentNo := 0
	for i := range arts {
		a := &arts[i]
		bw.str("<item>\n")
		el("title", a.Title)
		el("link", strings.TrimSuffix(site, "/")+opts.url(a))
		el("pubDate", a.Published.UTC().Format(time.RFC1123Z))
		el("dc:creator", a.Author)
		bw.str(`<guid isPermaLink="false">urn:uuid:` + a.ID.String() + "</guid>\n")
		el("content:encoded", a.Body)
		el("excerpt:encoded", a.Summary)
		el("wp:post_id", strconv.Itoa(i+1))
		el("wp:post_date", a.Published.UTC().Format(time.DateTime))
		el("wp:post_date_gmt", a.Published.UTC().Format(time.DateTime))
		status := "open"
		if a.CommentsClosed {
			status = "closed"
		}
		el("wp:comment_status", status)
		el("wp:ping_status", "closed")
		el("wp:post_name", a.Slug)
		el("wp:status", "publish")
		el("wp:post_parent", "0")
		el("wp:menu_order", "0")
		el("wp:post_type", "post")
		el("wp:is_sticky", "0")
		numbers := map[uuid.UUID]int{}
		err := eachComment(ctx, store, a, mine, func(c *tribune.Comment) error {
			commentNo++
			numbers[c.ID] = commentNo
			bw.str("<wp:comment>\n")
			el("wp:comment_id", strconv.Itoa(commentNo))
			el("wp:comment_author", c.AuthorName)
			el("wp:comment_author_email", c.Email.Address())
			el("wp:comment_author_url", c.Website)
			el("wp:comment_author_IP", "")
			el("wp:comment_date", c.Created.UTC().Format(time.DateTime))
			el("wp:comment_date_gmt", c.Created.UTC().Format(time.DateTime))
			el("wp:comment_content", c.Body)
			el("wp:comment_approved", wxrStatus(c.Status))
			el("wp:comment_type", "comment")
			el("wp:comment_parent", strconv.Itoa(numbers[c.ParentID]))
			el("wp:comment_user_id", "0")
			bw.str("</wp:comment>\n")
			return bw.err
		})
		if err != nil {
			return err
		}
		bw.str("</item>\n")
	}
	bw.str("</channel>\n</rss>\n")
	return bw.err
}

func wxrStatus(s tribune.Status) string {
	switch s {
	case tribune.StatusApproved:
		return "1"
	case tribune.StatusPending:
		return "0"
	}
	return string(s)
}

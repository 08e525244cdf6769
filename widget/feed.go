package widget

import (
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/tribune-go/tribune"
	"github.com/tribune-go/tribune/i18n"
	"github.com/tribune-go/tribune/render"
)

// Atom feeds: an article's approved comments and the latest ones
// site-wide. Entries carry the author's name and the sanitized text, never
// the email.

type atomFeed struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Lang    string      `xml:"xml:lang,attr,omitempty"`
	ID      string      `xml:"id"`
	Title   string      `xml:"title"`
	Updated string      `xml:"updated"`
	Links   []atomLink  `xml:"link"`
	Entries []atomEntry `xml:"entry"`
}

type atomLink struct {
	Rel  string `xml:"rel,attr,omitempty"`
	Type string `xml:"type,attr,omitempty"`
	Href string `xml:"href,attr"`
}

type atomEntry struct {
	ID        string      `xml:"id"`
	Title     string      `xml:"title"`
	Updated   string      `xml:"updated"`
	Published string      `xml:"published"`
	Author    atomAuthor  `xml:"author"`
	Link      atomLink    `xml:"link"`
	Content   atomContent `xml:"content"`
}

type atomAuthor struct {
	Name string `xml:"name"`
	URI  string `xml:"uri,omitempty"`
}

type atomContent struct {
	Type string `xml:"type,attr"`
	Body string `xml:",chardata"`
}

// How many entries the feeds carry, newest first.
const (
	feedEntries     = 100
	siteFeedEntries = 50
)

// absolute makes a link of the feeds absolute on the site URL set with
// WithSiteURL. Without it the link stays relative (a feed reader resolves
// it against the feed's own address): nothing in a feed comes from the
// request, so no forged Host header can end up in a cached feed.
func (h *Handler) absolute(p string) string {
	if h.cfg.siteURL == nil || strings.Contains(p, "://") {
		return p
	}
	path, frag, _ := strings.Cut(p, "#")
	u := h.cfg.siteURL.JoinPath(path)
	u.Fragment = frag
	return u.String()
}

// feedID is a feed's permanent ID: its address when the site's is known,
// else a UUID derived from what the feed is of.
func (h *Handler) feedID(self, of string) string {
	if h.cfg.siteURL != nil {
		return self
	}
	return "urn:uuid:" + uuid.NewSHA1(uuid.NameSpaceURL, []byte("tribune-feed:"+of)).String()
}

func (h *Handler) writeFeed(w http.ResponseWriter, r *http.Request, f atomFeed, comments []tribune.Comment, articles map[uuid.UUID]*tribune.Article, l *i18n.Locale) {
	updated := time.Unix(0, 0).UTC()
	for _, c := range comments {
		a := articles[c.ArticleID]
		if a == nil {
			continue
		}
		name := c.AuthorName
		if name == "" {
			name = l.T("thread.anonymous")
		}
		link := h.absolute(h.Permalink(&c))
		f.Entries = append(f.Entries, atomEntry{
			ID:        "urn:uuid:" + c.ID.String(),
			Title:     l.T("widget.feed_entry", "name", name, "title", a.Title),
			Updated:   c.Created.Format(time.RFC3339),
			Published: c.Created.Format(time.RFC3339),
			Author:    atomAuthor{Name: name, URI: render.SafeWebsite(c.Website)},
			Link:      atomLink{Rel: "alternate", Type: "text/html", Href: link},
			Content:   atomContent{Type: "html", Body: c.Body},
		})
		if c.Created.After(updated) {
			updated = c.Created
		}
	}
	f.Updated = updated.Format(time.RFC3339)
	w.Header().Set("Content-Type", "application/atom+xml; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=60")
	if h.cfg.lang == "" {
		w.Header().Add("Vary", "Accept-Language") // the feed's words are the visitor's language
	}
	if notModified(w, r, h.feedTag(&f)) {
		return
	}
	// Streamed: the encoder writes through a small buffer, so a feed of
	// long comments is never held whole a second time.
	_, _ = io.WriteString(w, xml.Header)
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(f); err != nil {
		h.cfg.logger.Error("tribune: feed", "err", err, "path", RedactPath(r.URL.Path))
	}
}

// feedTag is a feed's ETag: everything it shows.
func (h *Handler) feedTag(f *atomFeed) string {
	t := h.newTagger("feed")
	for _, s := range []string{f.Lang, f.ID, f.Title, f.Updated} {
		t.string(s)
	}
	for _, l := range f.Links {
		t.string(l.Rel + " " + l.Type + " " + l.Href)
	}
	for _, e := range f.Entries {
		for _, s := range []string{e.ID, e.Title, e.Updated, e.Published, e.Author.Name, e.Author.URI, e.Link.Href, e.Content.Type, e.Content.Body} {
			t.string(s)
		}
	}
	return t.tag()
}

func (h *Handler) serveArticleFeed(w http.ResponseWriter, r *http.Request) {
	slug := strings.TrimSuffix(r.PathValue("slug"), ".atom")
	a, err := h.store.ArticleBySlug(r.Context(), slug)
	if errors.Is(err, tribune.ErrNotFound) {
		h.notFound(w, r)
		return
	}
	if err != nil {
		h.serverError(w, r, "feed", err)
		return
	}
	comments, err := h.svc.Latest(r.Context(), a.ID, feedEntries)
	if err != nil {
		h.serverError(w, r, "feed", err)
		return
	}
	l := h.locale(r, &a)
	self := h.absolute(h.cfg.prefix + "/feed/" + a.Slug)
	f := atomFeed{Lang: a.Lang, ID: h.feedID(self, "article:"+a.ID.String()), Title: l.T("widget.feed_title", "title", a.Title),
		Links: []atomLink{{Rel: "self", Type: "application/atom+xml", Href: self}, {Rel: "alternate", Type: "text/html", Href: h.absolute(h.cfg.articleURL(&a))}}}
	h.writeFeed(w, r, f, comments, map[uuid.UUID]*tribune.Article{a.ID: &a}, l)
}

func (h *Handler) serveSiteFeed(w http.ResponseWriter, r *http.Request) {
	comments, err := h.svc.Latest(r.Context(), uuid.Nil, siteFeedEntries)
	if err != nil {
		h.serverError(w, r, "feed", err)
		return
	}
	articles := map[uuid.UUID]*tribune.Article{}
	for _, c := range comments {
		if _, ok := articles[c.ArticleID]; ok {
			continue
		}
		a, err := h.store.Article(r.Context(), c.ArticleID)
		if err != nil {
			continue
		}
		articles[c.ArticleID] = &a
	}
	l := h.locale(r, nil)
	self := h.absolute(h.cfg.prefix + "/feed.atom")
	f := atomFeed{Lang: l.Tag(), ID: h.feedID(self, "site:"+h.cfg.prefix), Title: l.T("widget.feed_site"),
		Links: []atomLink{{Rel: "self", Type: "application/atom+xml", Href: self}}}
	h.writeFeed(w, r, f, comments, articles, l)
}

package widget

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/google/uuid"

	"github.com/tribune-go/tribune"
	"github.com/tribune-go/tribune/render"
)

// Comment pages, as WordPress cuts them ("Diviser les commentaires en
// pages"): a page holds a run of top-level comments with all their
// replies; ?cpage=N picks one, without JavaScript.

// DefaultPageSize is the number of top-level comments a page holds unless
// [Pages] says otherwise.
const DefaultPageSize = 50

// OnePage is the [Pages.Size] that shows every comment on one page, as
// before comment pages existed.
const OnePage = -1

// Pages is how threads are cut into comment pages, as WordPress cuts
// them: a page holds a run of top-level comments, each with all its
// replies.
type Pages struct {
	// Size is the number of top-level comments a page holds (default
	// DefaultPageSize, at most tribune.MaxPageSize); OnePage shows the
	// whole thread on one page.
	Size int
	// NewestFirst numbers pages from the newest comments: page 1 holds
	// the newest, and top-level comments are shown newest first (default:
	// page 1 holds the oldest, and comments read oldest first).
	NewestFirst bool
	// LastPageFirst shows the last page when no page is asked for
	// (WordPress's "last page displayed by default"; default: page 1).
	LastPageFirst bool
}

// WithPages sets how threads are cut into pages (default: pages of
// DefaultPageSize, oldest first, page 1 first).
func WithPages(p Pages) Option {
	return func(c *config) error {
		switch {
		case p.Size == OnePage:
			c.pageSize = 0
		case p.Size == 0:
			c.pageSize = DefaultPageSize
		case p.Size < 0 || p.Size > tribune.MaxPageSize:
			return fmt.Errorf("widget: page size %d is not between 1 and %d (or OnePage)", p.Size, tribune.MaxPageSize)
		default:
			c.pageSize = p.Size
		}
		c.newestFirst, c.lastPageFirst = p.NewestFirst, p.LastPageFirst
		return nil
	}
}

// ErrNoCommentPage is returned by RenderSection and SectionHTML for a
// ?cpage= that names no page of the thread: a host answers 404, as
// ServeArticle does.
var ErrNoCommentPage = errors.New("widget: no such comment page")

// pages is where a request stands among its article's comment pages.
type pages struct {
	current, total int
	count          tribune.ThreadCount
}

// newest is the page where new comments land.
func (h *Handler) newest(p pages) int {
	if h.cfg.newestFirst {
		return 1
	}
	return p.total
}

// shownFirst is the page shown when none is asked for.
func (h *Handler) shownFirst(p pages) int {
	if h.cfg.lastPageFirst {
		return p.total
	}
	return 1
}

// pagesFor reads the article's counts (one row) and picks the page: the
// one ?cpage= names, else the one holding the comment replied to, else the
// default. A ?cpage= that is not a page of the thread is ErrNoCommentPage.
func (h *Handler) pagesFor(ctx context.Context, r *http.Request, a *tribune.Article, replyTo *tribune.Comment, st stamped) (pages, error) {
	p, err := h.threadPagesAt(ctx, a, st)
	if err != nil {
		return p, err
	}
	if raw, ok := r.URL.Query()["cpage"]; ok && r.Method != http.MethodPost {
		cur, err := strconv.Atoi(raw[0])
		if err != nil || cur < 1 || cur > p.total || len(raw) > 1 {
			return p, ErrNoCommentPage
		}
		p.current = cur
		return p, nil
	}
	if replyTo != nil {
		p.current, err = h.pageOf(ctx, p, replyTo)
		return p, err
	}
	p.current = h.shownFirst(p)
	return p, nil
}

// cachedAt is the cache's entry for key when it was made at st's stamp.
func (h *Handler) cachedAt(key cacheKey, st stamped) (cacheEntry, bool) {
	if !st.ok || h.cache == nil {
		return cacheEntry{}, false
	}
	e, ok := h.cache.Get(key)
	return e, ok && e.stamp == st.stamp
}

// stamped is an article's stamp, when it was read.
type stamped struct {
	stamp tribune.Stamp
	ok    bool
}

// threadPagesAt counts the article's pages: from the cache when its
// counts were read at the same stamp (read before them, so never newer
// than they are), else from the store.
func (h *Handler) threadPagesAt(ctx context.Context, a *tribune.Article, st stamped) (pages, error) {
	key := cacheKey{article: a.ID, counts: true}
	var n tribune.ThreadCount
	if e, ok := h.cachedAt(key, st); ok {
		n = e.counts
	} else {
		var err error
		if n, err = h.svc.CountThread(ctx, a.ID); err != nil {
			return pages{}, err
		}
		if st.ok {
			h.cache.Put(key, cacheEntry{stamp: st.stamp, counts: n})
		}
	}
	return pages{count: n, total: max(1, (n.TopLevel+h.cfg.pageSize-1)/h.cfg.pageSize)}, nil
}

// maxAncestors bounds the walk from a reply to its top-level comment.
const maxAncestors = 64

// pageOf is the page that shows c: its top-level comment's, found by
// walking up its parents; a comment whose top-level comment is not
// approved (held, or the visitor's own pending one) is on the page where
// new comments land.
func (h *Handler) pageOf(ctx context.Context, p pages, c *tribune.Comment) (int, error) {
	root := *c
	for range maxAncestors {
		if root.ParentID == uuid.Nil {
			break
		}
		parent, err := h.store.Comment(ctx, root.ParentID)
		if errors.Is(err, tribune.ErrNotFound) {
			break
		}
		if err != nil {
			return 0, err
		}
		root = parent
	}
	if root.ParentID != uuid.Nil || root.Status != tribune.StatusApproved {
		return h.newest(p), nil
	}
	before, err := h.svc.TopLevelBefore(ctx, root.ArticleID, root.Created, root.ID)
	if err != nil {
		return 0, err
	}
	if h.cfg.newestFirst {
		before = p.count.TopLevel - 1 - before
	}
	return min(max(before, 0)/h.cfg.pageSize+1, p.total), nil
}

// pageURL is the address of page n of the article's comments: the
// article's own address for the default page, ?cpage=n for the others.
func (h *Handler) pageURL(a *tribune.Article, p pages, n int) string {
	if n == h.shownFirst(p) {
		return h.cfg.articleURL(a)
	}
	return h.cfg.articleURL(a) + "?cpage=" + strconv.Itoa(n)
}

// pageQuery is the store's query for the current page.
func (h *Handler) pageQuery(a *tribune.Article, p pages) tribune.PageQuery {
	return tribune.PageQuery{ArticleID: a.ID, NewestFirst: h.cfg.newestFirst, Limit: h.cfg.pageSize, Offset: (p.current - 1) * h.cfg.pageSize}
}

// pagination is the renderer's view of p.
func (h *Handler) pagination(a *tribune.Article, p pages) *render.Pagination {
	return &render.Pagination{Current: p.current, Total: p.total, Count: p.count.Approved, NewestFirst: h.cfg.newestFirst,
		URL: func(n int) string { return h.pageURL(a, p, n) + "#comments" }}
}

// Permalink is the comment's address: <prefix>/comment/<id>, which
// redirects to the page of its article that shows it. Feeds, the API and
// the moderation screen link to it.
func (h *Handler) Permalink(c *tribune.Comment) string {
	return h.cfg.prefix + "/comment/" + c.ID.String()
}

// servePermalink redirects to the comment on its page. A comment that is
// not approved is found by its author (the own-comments cookie) and by a
// signed-in moderator only; anyone else gets the same 404 as for a
// comment that never existed.
func (h *Handler) servePermalink(w http.ResponseWriter, r *http.Request) {
	id, err := uuid.Parse(r.PathValue("id"))
	if err != nil {
		h.errorPage(w, r, http.StatusNotFound, "widget.comment_not_found")
		return
	}
	ctx := r.Context()
	c, err := h.svc.Comment(ctx, id, h.viewer(r))
	if errors.Is(err, tribune.ErrNotFound) {
		h.errorPage(w, r, http.StatusNotFound, "widget.comment_not_found")
		return
	}
	if err != nil {
		h.serverError(w, r, "permalink", err)
		return
	}
	a, err := h.store.Article(ctx, c.ArticleID)
	if err != nil {
		h.serverError(w, r, "permalink: article", err)
		return
	}
	to := h.cfg.articleURL(&a)
	if h.cfg.pageSize > 0 {
		p, err := h.threadPagesAt(ctx, &a, stamped{})
		if err == nil {
			p.current, err = h.pageOf(ctx, p, &c)
		}
		if err != nil {
			h.serverError(w, r, "permalink: page", err)
			return
		}
		to = h.pageURL(&a, p, p.current)
	}
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, to+"#comment-"+c.ID.String(), http.StatusFound)
}

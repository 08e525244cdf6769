package widget_test

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribune-go/tribune"
	"github.com/tribune-go/tribune/memstore"
	"github.com/tribune-go/tribune/sqlitestore"
	"github.com/tribune-go/tribune/widget"
)

// pagedThread is an article with 12 top-level comments, one a minute,
// each of the even ones with a reply an hour later, in pages of 5.
type pagedThread struct {
	*env
	top, replies []tribune.Comment
}

// eachPagedStore runs fn on memory (the root's fallbacks) and on SQLite
// (a tribune.Pager).
func eachPagedStore(t *testing.T, fn func(t *testing.T, newThread func(opts ...widget.Option) *pagedThread)) {
	stores := map[string]func(t *testing.T) tribune.Store{
		"memory": func(*testing.T) tribune.Store { return memstore.New() },
		"SQLite": func(t *testing.T) tribune.Store {
			s, err := sqlitestore.Open(context.Background(), filepath.Join(t.TempDir(), "pages.db"))
			require.NoError(t, err)
			t.Cleanup(func() { s.Close() })
			return s
		},
	}
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			fn(t, func(opts ...widget.Option) *pagedThread {
				e := newEnvOn(t, open(t), append([]widget.Option{widget.WithPages(widget.Pages{Size: 5}), withApproval()}, opts...)...)
				th := &pagedThread{env: e, top: e.seedTopLevel(12)}
				start := time.Date(2026, 2, 12, 10, 0, 0, 0, time.UTC)
				for i, c := range th.top {
					if i%2 == 0 {
						th.replies = append(th.replies, e.storeRaw(tribune.Comment{AuthorName: "Réponse", ParentID: c.ID,
							Body: fmt.Sprintf("<p>reply %02d</p>", i), Status: tribune.StatusApproved, Created: start.Add(time.Hour + time.Duration(i)*time.Minute)}))
					}
				}
				return th
			})
		})
	}
}

// seedTopLevel stores n approved top-level comments, "top 00" to
// "top n-1", one a minute.
func (e *env) seedTopLevel(n int) []tribune.Comment {
	start := time.Date(2026, 2, 12, 10, 0, 0, 0, time.UTC)
	var top []tribune.Comment
	for i := range n {
		top = append(top, e.storeRaw(tribune.Comment{AuthorName: fmt.Sprintf("Auteur %02d", i), Body: fmt.Sprintf("<p>top %02d</p>", i),
			Status: tribune.StatusApproved, Created: start.Add(time.Duration(i) * time.Minute)}))
	}
	return top
}

var topRE = regexp.MustCompile(`top (\d\d)`)

// tops lists the top-level comments a page shows, in its order.
func tops(page string) []string {
	var out []string
	for _, m := range topRE.FindAllStringSubmatch(page, -1) {
		out = append(out, m[1])
	}
	return out
}

func TestCommentPages(t *testing.T) {
	eachPagedStore(t, func(t *testing.T, newThread func(...widget.Option) *pagedThread) {
		th := newThread()
		c := th.browser()
		status, page := th.get(c, th.pageURL())
		require.Equal(t, http.StatusOK, status)
		assert.Equal(t, []string{"00", "01", "02", "03", "04"}, tops(page), "page 1 by default")
		assert.Contains(t, page, "reply 00")
		assert.Contains(t, page, "reply 04")
		assert.NotContains(t, page, "reply 06", "a reply on its parent's page only")
		assert.Contains(t, page, ">18 commentaires</h2>", "the count is the whole thread's")
		assert.Contains(t, page, `<nav class="tribune-pages" aria-label="Pages de commentaires" data-more="Plus de commentaires">`)
		assert.Contains(t, page, `rel="next" href="/comments/articles/otan?cpage=2#comments">Commentaires suivants</a>`)
		assert.NotContains(t, page, `rel="prev"`)

		status, page = th.get(c, th.pageURL()+"?cpage=2")
		require.Equal(t, http.StatusOK, status)
		assert.Equal(t, []string{"05", "06", "07", "08", "09"}, tops(page))
		assert.Contains(t, page, "reply 06")
		assert.Contains(t, page, `rel="prev" href="/comments/articles/otan#comments">Commentaires précédents</a>`, "page 1 is the article's own address")
		assert.Contains(t, page, `rel="next" href="/comments/articles/otan?cpage=3#comments"`)
		assert.Contains(t, page, `aria-current="page" aria-label="Page 2">2</span>`)

		status, page = th.get(c, th.pageURL()+"?cpage=3")
		require.Equal(t, http.StatusOK, status)
		assert.Equal(t, []string{"10", "11"}, tops(page), "the last page holds the rest")
		assert.NotContains(t, page, `rel="next"`)

		for _, bad := range []string{"4", "0", "-1", "deux", "2&cpage=3", "", "99999999999999999999"} {
			status, page := th.get(c, th.pageURL()+"?cpage="+bad)
			assert.Equal(t, http.StatusNotFound, status, "cpage=%s", bad)
			assert.Contains(t, page, "Cette page de commentaires n’existe pas.", bad)
			assert.Contains(t, page, `<a href="/comments/articles/otan#comments">Revenir aux commentaires</a>`, bad)
		}
	})
}

func TestCommentPageOrders(t *testing.T) {
	eachPagedStore(t, func(t *testing.T, newThread func(...widget.Option) *pagedThread) {
		newest := newThread(widget.WithPages(widget.Pages{Size: 5, NewestFirst: true}))
		c := newest.browser()
		_, page := newest.get(c, newest.pageURL())
		assert.Equal(t, []string{"11", "10", "09", "08", "07"}, tops(page), "newest first: page 1 holds the newest, newest on top")
		assert.Contains(t, page, `rel="next" href="/comments/articles/otan?cpage=2#comments">Commentaires précédents</a>`, "the next page holds older comments")
		_, page = newest.get(c, newest.pageURL()+"?cpage=3")
		assert.Equal(t, []string{"01", "00"}, tops(page))
		assert.Contains(t, page, "reply 00", "replies stay under their parent")

		last := newThread(widget.WithPages(widget.Pages{Size: 5, LastPageFirst: true}))
		c = last.browser()
		_, page = last.get(c, last.pageURL())
		assert.Equal(t, []string{"10", "11"}, tops(page), "the last page by default")
		assert.Contains(t, page, `rel="prev" href="/comments/articles/otan?cpage=2#comments"`)
		_, page = last.get(c, last.pageURL()+"?cpage=2")
		assert.Contains(t, page, `rel="next" href="/comments/articles/otan#comments"`, "the default page is the article's own address")
		assert.Contains(t, page, `href="/comments/articles/otan?cpage=1#comments" aria-label="Page 1"`)

		whole := newThread(widget.WithPages(widget.Pages{Size: widget.OnePage}))
		_, page = whole.get(whole.browser(), whole.pageURL())
		assert.Len(t, tops(page), 12, "OnePage: one page")
		assert.NotContains(t, page, "tribune-pages")
	})
}

func TestPermalinks(t *testing.T) {
	eachPagedStore(t, func(t *testing.T, newThread func(...widget.Option) *pagedThread) {
		th := newThread()
		c := th.browser()
		redirect := func(c *http.Client, id uuid.UUID) (int, string) {
			t.Helper()
			resp, err := c.Get(th.srv.URL + "/comments/comment/" + id.String())
			require.NoError(t, err)
			resp.Body.Close()
			return resp.StatusCode, resp.Header.Get("Location")
		}
		status, loc := redirect(c, th.top[7].ID)
		assert.Equal(t, http.StatusFound, status)
		assert.Equal(t, "/comments/articles/otan?cpage=2#comment-"+th.top[7].ID.String(), loc)
		_, loc = redirect(c, th.replies[3].ID) // the reply to top 06
		assert.Equal(t, "/comments/articles/otan?cpage=2#comment-"+th.replies[3].ID.String(), loc, "a reply: its parent's page")
		_, loc = redirect(c, th.top[2].ID)
		assert.Equal(t, "/comments/articles/otan#comment-"+th.top[2].ID.String(), loc, "page 1: the article's address")
		status, _ = redirect(c, uuid.New())
		assert.Equal(t, http.StatusNotFound, status)
		resp, err := c.Get(th.srv.URL + "/comments/comment/not-an-id")
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusNotFound, resp.StatusCode)

		// A held comment: its author finds it, nobody else.
		held := th.storeRaw(tribune.Comment{AuthorName: "Quelqu’un", Body: "<p>en attente</p>", Status: tribune.StatusPending})
		status, _ = redirect(c, held.ID)
		assert.Equal(t, http.StatusNotFound, status, "someone else's held comment is not found")
		spam := th.storeRaw(tribune.Comment{AuthorName: "Spam", Body: "<p>spam</p>", Status: tribune.StatusSpam})
		status, _ = redirect(c, spam.ID)
		assert.Equal(t, http.StatusNotFound, status)

		// ?replytocom= opens the page that holds the comment.
		status, page := th.get(c, th.pageURL()+"?replytocom="+th.top[8].ID.String())
		require.Equal(t, http.StatusOK, status)
		assert.Equal(t, []string{"05", "06", "07", "08", "09"}, tops(page))
		assert.Contains(t, page, `name="comment_parent" id="comment_parent" value="`+th.top[8].ID.String()+`"`)

		// A reply posted there comes back on that page, through its
		// permalink.
		form := th.form(c)
		form.Set("comment_parent", th.top[8].ID.String())
		resp = th.post(c, valid(form, "Une réponse sur la page 2"))
		require.Equal(t, http.StatusSeeOther, resp.StatusCode)
		id := uuid.MustParse(postedID(resp.Header.Get("Location")))
		status, loc = redirect(c, id)
		assert.Equal(t, http.StatusFound, status)
		assert.Equal(t, "/comments/articles/otan?cpage=2#comment-"+id.String(), loc)
		_, page = th.get(c, th.srv.URL+loc)
		assert.Contains(t, page, "Une réponse sur la page 2")
	})
}

func TestHeldCommentsOnTheirPage(t *testing.T) {
	eachPagedStore(t, func(t *testing.T, newThread func(...widget.Option) *pagedThread) {
		th := newThread(widget.WithRules(tribune.WithModeration(tribune.ModerateAll)))
		author, other := th.browser(), th.browser()
		// A held top-level comment: on the page where new comments land
		// (the last), for its author only.
		resp := th.post(author, valid(th.form(author), "Mon commentaire en attente"))
		require.Equal(t, http.StatusSeeOther, resp.StatusCode)
		held := postedID(resp.Header.Get("Location"))
		r, err := author.Get(th.srv.URL + "/comments/comment/" + held)
		require.NoError(t, err)
		r.Body.Close()
		assert.Equal(t, "/comments/articles/otan?cpage=3#comment-"+held, r.Header.Get("Location"))
		_, page := th.get(author, th.pageURL()+"?cpage=3")
		assert.Contains(t, page, "Mon commentaire en attente")
		_, page = th.get(author, th.pageURL())
		assert.NotContains(t, page, "Mon commentaire en attente", "not on page 1")
		_, page = th.get(other, th.pageURL()+"?cpage=3")
		assert.NotContains(t, page, "Mon commentaire en attente", "not for another visitor")

		// A held reply: on its parent's page, for its author only.
		form := th.form(author)
		form.Set("comment_parent", th.top[6].ID.String())
		resp = th.post(author, valid(form, "Ma réponse en attente"))
		require.Equal(t, http.StatusSeeOther, resp.StatusCode)
		_, page = th.get(author, th.pageURL()+"?cpage=2")
		assert.Contains(t, page, "Ma réponse en attente")
		_, page = th.get(author, th.pageURL()+"?cpage=3")
		assert.NotContains(t, page, "Ma réponse en attente")
		_, page = th.get(other, th.pageURL()+"?cpage=2")
		assert.NotContains(t, page, "Ma réponse en attente")
	})
}

// TestPagesCachedApart checks that each page is cached on its own and
// that a change reaches every page at once.
func TestPagesCachedApart(t *testing.T) {
	eachPagedStore(t, func(t *testing.T, newThread func(...widget.Option) *pagedThread) {
		th := newThread()
		c := th.browser()
		_, p1 := th.get(c, th.pageURL())
		_, p2 := th.get(c, th.pageURL()+"?cpage=2")
		require.NotEqual(t, tops(p1), tops(p2))
		_, again := th.get(c, th.pageURL()+"?cpage=2")
		assert.Equal(t, tops(p2), tops(again))
		svc, err := tribune.NewService(th.store)
		require.NoError(t, err)
		_, err = svc.Edit(context.Background(), th.top[6].ID, "top 06 corrigé")
		require.NoError(t, err)
		_, p2 = th.get(c, th.pageURL()+"?cpage=2")
		assert.Contains(t, p2, "top 06 corrigé")
		// A new top-level comment moves the counts on every page.
		th.storeRaw(tribune.Comment{AuthorName: "Nouveau", Body: "<p>top 12</p>", Status: tribune.StatusApproved})
		_, p1 = th.get(c, th.pageURL())
		assert.Contains(t, p1, ">19 commentaires</h2>")
		_, p3 := th.get(c, th.pageURL()+"?cpage=3")
		assert.Equal(t, []string{"10", "11", "12"}, tops(p3))
	})
}

func TestPermalinkInFeedAndAPI(t *testing.T) {
	th := newEnv(t, withApproval())
	c := th.browser()
	resp := th.post(c, valid(th.form(c), "Un commentaire"))
	id := postedID(resp.Header.Get("Location"))
	assert.Contains(t, th.feed(), `href="/comments/comment/`+id+`"`)
	status, body := th.get(c, th.srv.URL+"/comments/api/articles/"+th.article.ID.String()+"/comments")
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, body, `"url":"/comments/comment/`+id+`"`)
}

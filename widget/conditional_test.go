package widget_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribune-go/tribune"
	"github.com/tribune-go/tribune/widget"
)

// getTagged asks for u with If-None-Match (when tag is set) and the given
// headers; it returns the status, the ETag and the body.
func (e *env) getTagged(c *http.Client, u, tag string, header ...string) (int, string, string) {
	e.t.Helper()
	req, err := http.NewRequest("GET", u, nil)
	require.NoError(e.t, err)
	if tag != "" {
		req.Header.Set("If-None-Match", tag)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := c.Do(req)
	require.NoError(e.t, err)
	defer resp.Body.Close()
	b := body(e.t, resp)
	if resp.StatusCode == http.StatusNotModified {
		assert.Empty(e.t, b, "a 304 has no body")
	}
	return resp.StatusCode, resp.Header.Get("ETag"), b
}

// TestNotModifiedOnlyForTheSamePage: a page, asked again with its ETag,
// is 304 while nothing it shows changed, and 200 with another tag as soon
// as anything did: a comment approved or posted, another language, the
// visitor's own held comment or remembered details, a moderator's view,
// the hour its form's token was issued in. Gzipped or not, it is one tag.
func TestNotModifiedOnlyForTheSamePage(t *testing.T) {
	clk := newTestClock()
	e := newEnv(t, widget.WithRules(tribune.WithClock(clk.Now)), widget.WithIdentity(func(r *http.Request) (tribune.Identity, bool) {
		if r.Header.Get("X-Test-User") == "mod" {
			return tribune.Identity{UserID: "mod", Name: "Modératrice", Moderator: true}, true
		}
		return tribune.Identity{}, false
	}, widget.Accounts{}))
	anon := e.browser()
	status, tag, page := e.getTagged(anon, e.pageURL(), "")
	require.Equal(t, http.StatusOK, status)
	require.True(t, strings.HasPrefix(tag, `W/"`), tag)
	first := tokenRE.FindStringSubmatch(page)[1]

	status, again, _ := e.getTagged(anon, e.pageURL(), tag)
	assert.Equal(t, http.StatusNotModified, status, "nothing changed")
	assert.Equal(t, tag, again)
	status, _, _ = e.getTagged(anon, e.pageURL(), `"other", `+tag)
	assert.Equal(t, http.StatusNotModified, status, "a list of tags")
	status, _, _ = e.getTagged(anon, e.pageURL(), tag, "Accept-Encoding", "gzip")
	assert.Equal(t, http.StatusNotModified, status, "the gzipped page is the same page")
	status, _, _ = e.getTagged(anon, e.pageURL(), strings.TrimPrefix(tag, "W/"))
	assert.Equal(t, http.StatusNotModified, status, "weak comparison")

	status, en, _ := e.getTagged(anon, e.pageURL(), tag, "Accept-Language", "en")
	assert.Equal(t, http.StatusOK, status, "another language")
	assert.NotEqual(t, tag, en)
	status, _, _ = e.getTagged(anon, e.pageURL(), tag, "X-Test-User", "mod")
	assert.Equal(t, http.StatusOK, status, "a moderator's page")

	// A visitor posts: a held comment, their details remembered.
	alice := e.browser()
	_, aliceTag, _ := e.getTagged(alice, e.pageURL(), "")
	assert.Equal(t, tag, aliceTag, "two anonymous visitors see the same page")
	v := valid(e.form(alice), "Tenu pour modération")
	v.Set("wp-comment-cookies-consent", "yes")
	resp := e.post(alice, v)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	id := uuid.MustParse(postedID(resp.Header.Get("Location")))
	status, aliceTag, page = e.getTagged(alice, e.pageURL(), tag)
	assert.Equal(t, http.StatusOK, status, "her held comment and her details are on her page")
	assert.Contains(t, page, "Tenu pour modération")
	status, _, _ = e.getTagged(alice, e.pageURL(), aliceTag)
	assert.Equal(t, http.StatusNotModified, status, "her page, unchanged")
	status, _, _ = e.getTagged(anon, e.pageURL(), tag)
	assert.Equal(t, http.StatusNotModified, status, "a held comment is not on anyone else's page: theirs did not change")

	_, err := e.h.Service().Moderate(context.Background(), id, tribune.StatusApproved)
	require.NoError(t, err)
	status, newTag, page := e.getTagged(anon, e.pageURL(), tag)
	assert.Equal(t, http.StatusOK, status, "the thread changed")
	assert.Contains(t, page, "Tenu pour modération")
	status, _, _ = e.getTagged(alice, e.pageURL(), aliceTag)
	assert.Equal(t, http.StatusOK, status, "her comment, approved, is shown as approved")

	status, _, _ = e.getTagged(anon, e.pageURL(), newTag)
	assert.Equal(t, http.StatusNotModified, status)
	clk.Advance(time.Hour)
	status, _, page = e.getTagged(anon, e.pageURL(), newTag)
	assert.Equal(t, http.StatusOK, status, "an hour on, the page gets a fresh token")
	assert.NotEqual(t, first, tokenRE.FindStringSubmatch(page)[1])

	// Pages of another kind carry no tag.
	resp = e.post(anon, valid(e.form(anon), ""))
	assert.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	assert.Empty(t, resp.Header.Get("ETag"), "a page with errors")
	assert.Equal(t, "private, no-store", resp.Header.Get("Cache-Control"))
}

// TestCachedFormSentFromTwoTabs: two tabs showing one page kept by the
// browser (one token) post two comments: the first is stored, the other
// comes back with its text and a fresh form, and the same text sent again
// is the one comment.
func TestCachedFormSentFromTwoTabs(t *testing.T) {
	e := newEnv(t, widget.WithRules(tribune.WithModeration(tribune.ModerateNone)))
	c := e.browser()
	v := e.form(c)
	one := valid(cloneValues(v), "Depuis le premier onglet")
	two := valid(cloneValues(v), "Depuis le second onglet")
	resp := e.post(c, one)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	firstID := postedID(resp.Header.Get("Location"))

	resp = e.post(c, two)
	assert.Equal(t, http.StatusConflict, resp.StatusCode)
	page := body(t, resp)
	assert.Contains(t, page, "Ce formulaire a déjà servi à envoyer un autre commentaire.")
	assert.Contains(t, page, "Depuis le second onglet</textarea>", "the text is kept")
	m := tokenRE.FindStringSubmatch(page)
	require.NotNil(t, m)
	assert.NotEqual(t, v.Get("tribune_token"), m[1], "a fresh form")
	two.Set("tribune_token", m[1])
	resp = e.post(c, two)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode, "sent again with the fresh form")

	resp = e.post(c, one)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	assert.Equal(t, firstID, postedID(resp.Header.Get("Location")), "the first form again: the first comment")
	all, err := e.store.FindComments(context.Background(), tribune.Query{ArticleID: e.article.ID})
	require.NoError(t, err)
	assert.Len(t, all, 2)
}

func cloneValues(v map[string][]string) map[string][]string {
	out := make(map[string][]string, len(v))
	for k, x := range v {
		out[k] = append([]string(nil), x...)
	}
	return out
}

// TestFeedsAndAPINotModified: the feeds and the comment list of the API
// carry a tag that holds until a comment changes, and may be kept by a
// shared cache.
func TestFeedsAndAPINotModified(t *testing.T) {
	e := newEnv(t, widget.WithRules(tribune.WithModeration(tribune.ModerateNone)))
	c := e.browser()
	resp := e.post(c, valid(e.form(c), "Premier"))
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	urls := []string{
		e.srv.URL + "/comments/feed/otan",
		e.srv.URL + "/comments/feed.atom",
		e.srv.URL + "/comments/api/articles/" + e.article.ID.String() + "/comments",
		e.srv.URL + "/comments/api/counts?article=" + e.article.ID.String(),
	}
	tags := map[string]string{}
	for _, u := range urls {
		status, tag, _ := e.getTagged(c, u, "")
		require.Equal(t, http.StatusOK, status, u)
		require.NotEmpty(t, tag, u)
		tags[u] = tag
		status, _, _ = e.getTagged(c, u, tag)
		assert.Equal(t, http.StatusNotModified, status, u)
	}
	resp = e.post(c, valid(e.form(c), "Second"))
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	for _, u := range urls {
		status, tag, b := e.getTagged(c, u, tags[u])
		assert.Equal(t, http.StatusOK, status, u)
		assert.NotEqual(t, tags[u], tag, u)
		assert.NotContains(t, b, canary, u)
	}
	req, _ := http.NewRequest("GET", urls[2], nil)
	resp, err := c.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, "public, no-cache", resp.Header.Get("Cache-Control"))
}

// BenchmarkNotModified asks for the cached page 1 of a 100-comment thread
// with the ETag of the page the browser has (a 304), beside the same
// page sent whole, gzipped, in one run.
func BenchmarkNotModified(b *testing.B) {
	h, _, _ := benchSite(b)
	full := httptest.NewRequest("GET", "/comments/articles/bench", nil)
	full.Header.Set("Accept-Encoding", "gzip")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, full)
	tag := rec.Header().Get("ETag")
	if tag == "" {
		b.Fatal("no ETag")
	}
	cond := full.Clone(context.Background())
	cond.Header.Set("If-None-Match", tag)
	for _, bc := range []struct {
		name string
		req  *http.Request
		want int
	}{{"304", cond, http.StatusNotModified}, {"200-gzip", full, http.StatusOK}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					var w discardWriter
					h.ServeHTTP(&w, bc.req)
					if w.code != bc.want {
						b.Fatal(w.code)
					}
				}
			})
		})
	}
}

package widget_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribune-go/tribune"
	"github.com/tribune-go/tribune/internal/htmlcheck"
	"github.com/tribune-go/tribune/memstore"
	"github.com/tribune-go/tribune/widget"
)

// Tests named after the attacks of the abuse and privacy review: each
// failed on the code before it and passes now.

// adminPage GETs the moderation screen for a status.
func (e *env) adminPage(status string) string {
	e.t.Helper()
	req, _ := http.NewRequest("GET", e.srv.URL+"/comments/admin/?status="+status, nil)
	req.SetBasicAuth("admin", "pw")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(e.t, err)
	defer resp.Body.Close()
	require.Equal(e.t, http.StatusOK, resp.StatusCode)
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// storeRaw puts a comment in the store as an import or old data would,
// past the Service's validation.
func (e *env) storeRaw(c tribune.Comment) tribune.Comment {
	e.t.Helper()
	if c.ID == uuid.Nil {
		c.ID = uuid.New()
	}
	c.ArticleID, c.Version = e.article.ID, 1
	if c.Created.IsZero() {
		c.Created = time.Now().UTC().Truncate(time.Microsecond)
	}
	require.NoError(e.t, e.store.CreateComment(context.Background(), &c, tribune.Guard{}))
	return c
}

func (e *env) feed() string {
	e.t.Helper()
	_, body := e.get(e.browser(), e.srv.URL+"/comments/feed/otan")
	return body
}

// withApproval publishes comments at once and allows links.
func withApproval() widget.Option {
	return widget.WithRules(tribune.WithModeration(tribune.ModerateNone), tribune.WithMaxLinks(0))
}

func TestUnbalancedTagsStayInTheirComment(t *testing.T) {
	e := newEnv(t, withApproval())
	shapes := []string{
		"<s><code><b><i>tout le reste barré",
		`<a href="https://example.org/">un lien jamais fermé`,
		"<blockquote>une citation sans fin",
		"<b><i>croisé</b></i></li></ol></div></section>",
	}
	c := e.browser()
	for _, s := range shapes {
		resp := e.post(c, valid(e.form(c), s))
		require.Equal(t, http.StatusSeeOther, resp.StatusCode, s)
	}
	_, page := e.get(e.browser(), e.pageURL())
	thread := page[strings.Index(page, `<ol class="tribune-thread"`):strings.Index(page, `<div id="respond"`)]
	require.NoError(t, htmlcheck.Contained(thread), "the thread")
	for _, s := range shapes { // every comment alone stays in its box too
		require.NoError(t, htmlcheck.Contained(tribune.SanitizeComment(s)), s)
	}

	// The 422 form shows what was typed as text, never as markup.
	v := valid(e.form(c), "<s><b>non fermé")
	v.Set("email", "pas-une-adresse")
	resp := e.post(c, v)
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	failed := body(t, resp)
	assert.Contains(t, failed, "&lt;s&gt;&lt;b&gt;non fermé</textarea>")

	// The moderation screen: no comment's link wraps the row's buttons.
	admin := e.adminPage("approved")
	rows := admin[strings.Index(admin, "<tbody"):strings.Index(admin, "</tbody>")]
	require.NoError(t, htmlcheck.Contained(rows), "the moderation rows")

	// The feed carries balanced HTML.
	feed := e.feed()
	for _, s := range shapes {
		assert.True(t, strings.Contains(feed, htmlEscapeXML(tribune.SanitizeComment(s))), "balanced in the feed: %s", s)
	}
}

func htmlEscapeXML(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;", "\n", "&#xA;").Replace(s)
}

func TestStoredJavascriptWebsiteIsNeverALink(t *testing.T) {
	e := newEnv(t)
	e.storeRaw(tribune.Comment{AuthorName: "Import", Website: "javascript:alert(document.cookie)",
		Body: "<p>ancien</p>", Status: tribune.StatusApproved})
	_, page := e.get(e.browser(), e.pageURL())
	assert.NotContains(t, page, "javascript:")
	assert.Contains(t, page, "Import")
	assert.NotContains(t, e.adminPage("approved"), "javascript:")
	_, api := e.get(e.browser(), e.srv.URL+"/comments/api/articles/"+e.article.ID.String()+"/comments")
	assert.NotContains(t, api, "javascript:")
	assert.NotContains(t, e.feed(), "javascript:")
}

func TestMailtoParametersFromStoredData(t *testing.T) {
	e := newEnv(t)
	e.storeRaw(tribune.Comment{AuthorName: "Piège", Email: tribune.StoredEmail("x?cc=a%40b.example&subject=Facture#@evil.example"),
		Body: "<p>courriel piégé</p>", Status: tribune.StatusPending})
	admin := e.adminPage("pending")
	assert.Contains(t, admin, `href="mailto:x%3Fcc=a%2540b.example%26subject=Facture%23@evil.example"`)
	assert.NotContains(t, admin, `mailto:x?cc`)
}

func TestFeedsIgnoreTheHostHeader(t *testing.T) {
	e := newEnv(t, withApproval())
	c := e.browser()
	resp := e.post(c, valid(e.form(c), "Un commentaire à suivre"))
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	id := strings.TrimPrefix(resp.Header.Get("Location"), "/comments/articles/otan#comment-")
	for _, path := range []string{"/comments/feed/otan", "/comments/feed.atom"} {
		req, _ := http.NewRequest("GET", e.srv.URL+path, nil)
		req.Host = "evil.example"
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		feed := body(t, resp)
		resp.Body.Close()
		assert.NotContains(t, feed, "evil.example", path)
		assert.Contains(t, feed, `href="/comments/articles/otan#comment-`+id+`"`, "the entry link opens the comment: %s", path)
	}

	// With the site's address, links are absolute on it.
	e2 := newEnv(t, withApproval(), widget.WithSiteURL("https://www.example.org"))
	c2 := e2.browser()
	resp = e2.post(c2, valid(e2.form(c2), "Un autre"))
	id = strings.TrimPrefix(resp.Header.Get("Location"), "/comments/articles/otan#comment-")
	req, _ := http.NewRequest("GET", e2.srv.URL+"/comments/feed/otan", nil)
	req.Host = "evil.example"
	r2, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	feed := body(t, r2)
	r2.Body.Close()
	assert.NotContains(t, feed, "evil.example")
	assert.Contains(t, feed, `href="https://www.example.org/comments/articles/otan#comment-`+id+`"`)
	assert.NotContains(t, feed, "%23comment")
}

func TestHoneypotAnswersLikeAPendingComment(t *testing.T) {
	e := newEnv(t)
	answer := func(fill bool) (string, []string) {
		c := e.browser()
		v := valid(e.form(c), "Texte "+uuid.NewString())
		if fill {
			v.Set("tribune_homepage", "https://spam.example/")
		}
		resp := e.post(c, v)
		require.Equal(t, http.StatusSeeOther, resp.StatusCode)
		var names []string
		for _, ck := range resp.Cookies() {
			names = append(names, ck.Name)
		}
		loc := resp.Header.Get("Location")
		return loc[:strings.Index(loc, "#comment-")+len("#comment-")], names
	}
	heldLoc, heldCookies := answer(false)
	caughtLoc, caughtCookies := answer(true)
	assert.Equal(t, heldLoc, caughtLoc, "the same redirect")
	assert.Equal(t, heldCookies, caughtCookies, "the same cookies")
	spam, err := e.store.CommentsByStatus(context.Background(), tribune.StatusSpam, tribune.Page{})
	require.NoError(t, err)
	assert.Len(t, spam, 1, "the caught one is kept as spam for a moderator")
}

func TestSecureCookiesBehindATLSProxy(t *testing.T) {
	secure := func(e *env, header ...string) bool {
		c := e.browser()
		resp := e.post(c, valid(e.form(c), "Texte "+uuid.NewString()), header...)
		require.Equal(t, http.StatusSeeOther, resp.StatusCode)
		cookies := resp.Cookies()
		require.NotEmpty(t, cookies)
		for _, ck := range cookies {
			if !ck.Secure {
				return false
			}
		}
		return true
	}
	proxied := newEnv(t, widget.WithTrustedProxies("127.0.0.1/32"))
	assert.True(t, secure(proxied, "X-Forwarded-Proto", "https"), "https at a trusted proxy")
	assert.False(t, secure(proxied), "plain http")
	direct := newEnv(t)
	assert.False(t, secure(direct, "X-Forwarded-Proto", "https"), "the header from a peer that is no proxy is ignored")
	forced := newEnv(t, widget.WithSecureCookies(true))
	assert.True(t, secure(forced), "WithSecureCookies")
}

func TestNoSecretWarns(t *testing.T) {
	var logs strings.Builder
	log := slog.New(slog.NewTextHandler(&logs, nil))
	_, err := widget.New(memstore.New(), widget.WithLogger(log))
	require.NoError(t, err)
	assert.Contains(t, logs.String(), "without WithSecret")
	logs.Reset()
	_, err = widget.New(memstore.New(), widget.WithLogger(log), widget.WithSecret([]byte(strings.Repeat("k", 32))))
	require.NoError(t, err)
	assert.NotContains(t, logs.String(), "WithSecret")
}

package widget_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
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

// canary is an email that must appear in no response but the moderation screen.
const canary = "canary.7f3a@example.org"

type env struct {
	t       *testing.T
	h       *widget.Handler
	store   tribune.Store
	srv     *httptest.Server
	article tribune.Article
}

func newEnv(t *testing.T, opts ...widget.Option) *env {
	t.Helper()
	return newEnvOn(t, memstore.New(), opts...)
}

// newEnvOn is newEnv on the given store.
func newEnvOn(t *testing.T, store tribune.Store, opts ...widget.Option) *env {
	t.Helper()
	a, err := tribune.NewArticle(tribune.ArticleInput{Slug: "otan", Title: "Réunion de l’OTAN", Lang: "fr",
		Body: "<p>Texte</p>", Published: time.Date(2026, 2, 12, 9, 0, 0, 0, time.UTC)})
	require.NoError(t, err)
	require.NoError(t, store.CreateArticle(context.Background(), &a))
	base := []widget.Option{widget.WithSecret([]byte("a test secret of at least 32 bytes!")), widget.WithLimits(widget.Limits{MinSubmitDelay: widget.Off, PostsPerMinute: widget.Off}),
		widget.WithRules(tribune.WithFloodInterval(0)), widget.WithAdmin(widget.BasicAuth("admin", "pw"))}
	h, err := widget.New(store, append(base, opts...)...)
	require.NoError(t, err)
	mux := http.NewServeMux()
	mux.Handle("/comments/", h)
	return &env{t: t, h: h, store: store, srv: newServer(t, mux), article: a}
}

// newServer serves mux on loopback for the test, with a favicon so
// browsers log no 404.
func newServer(t *testing.T, mux *http.ServeMux) *httptest.Server {
	t.Helper()
	mux.HandleFunc("/favicon.ico", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// browser is a client with cookies that does not follow redirects.
func (e *env) browser() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func (e *env) pageURL() string { return e.srv.URL + "/comments/articles/otan" }

func (e *env) get(c *http.Client, u string) (int, string) {
	e.t.Helper()
	resp, err := c.Get(u)
	require.NoError(e.t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

var tokenRE = regexp.MustCompile(`name="tribune_token" value="([^"]+)"`)

// form fetches the article page and returns the post fields of its form.
func (e *env) form(c *http.Client) url.Values {
	e.t.Helper()
	status, page := e.get(c, e.pageURL())
	require.Equal(e.t, http.StatusOK, status)
	m := tokenRE.FindStringSubmatch(page)
	require.NotNil(e.t, m, "no token in the page")
	return url.Values{"article": {e.article.ID.String()}, "tribune_token": {m[1]}, "comment_parent": {""}}
}

func (e *env) post(c *http.Client, v url.Values, header ...string) *http.Response {
	e.t.Helper()
	req, err := http.NewRequest("POST", e.srv.URL+"/comments/post", strings.NewReader(v.Encode()))
	require.NoError(e.t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := c.Do(req)
	require.NoError(e.t, err)
	e.t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// apiToken fetches a form token for the JSON API.
func (e *env) apiToken(c *http.Client) string {
	e.t.Helper()
	status, b := e.get(c, e.srv.URL+"/comments/api/articles/"+e.article.ID.String()+"/token")
	require.Equal(e.t, http.StatusOK, status)
	var tok widget.APIToken
	require.NoError(e.t, json.Unmarshal([]byte(b), &tok))
	require.NotEmpty(e.t, tok.Token)
	return tok.Token
}

func body(t *testing.T, resp *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return string(b)
}

// postedID is the comment ID a post's redirect names: its permalink,
// <prefix>/comment/<id>.
func postedID(loc string) string {
	_, id, _ := strings.Cut(loc, "/comment/")
	return id
}

func valid(v url.Values, text string) url.Values {
	v.Set("author", "Claire")
	v.Set("email", canary)
	v.Set("url", "claire.example.fr")
	v.Set("comment", text)
	return v
}

func TestPostPendingVisibleToAuthorOnly(t *testing.T) {
	e := newEnv(t)
	alice, bob := e.browser(), e.browser()
	resp := e.post(alice, valid(e.form(alice), "Premier commentaire <script>alert(1)</script>"))
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	loc := resp.Header.Get("Location")
	require.True(t, strings.HasPrefix(loc, "/comments/comment/"), loc)
	id := postedID(loc)

	_, page := e.get(alice, e.pageURL())
	assert.Contains(t, page, `id="comment-`+id+`"`)
	assert.Contains(t, page, "Votre commentaire est en attente de modération.")
	assert.NotContains(t, page, canary)
	assert.NotContains(t, page, "<script>alert")
	require.NoError(t, htmlcheck.Check(page, htmlcheck.Options{AllowRelative: true, AllowElements: []string{"form", "meta", "link", "script"}}))

	_, other := e.get(bob, e.pageURL())
	assert.NotContains(t, other, id, "another visitor never sees a pending comment")
	assert.Contains(t, other, "Aucun commentaire")

	// The moderator approves it: now everyone sees it.
	c, err := e.store.Comment(context.Background(), uuid.MustParse(id))
	require.NoError(t, err)
	assert.Equal(t, tribune.StatusPending, c.Status)
	_, err = e.h.Service().Moderate(context.Background(), c.ID, tribune.StatusApproved)
	require.NoError(t, err)
	_, other = e.get(bob, e.pageURL())
	assert.Contains(t, other, `id="comment-`+id+`"`)
	assert.Contains(t, other, "1 commentaire")
	assert.NotContains(t, other, canary)
}

func TestValidationErrorsKeepTyping(t *testing.T) {
	e := newEnv(t)
	c := e.browser()
	v := e.form(c)
	v.Set("author", "")
	v.Set("email", "pas une adresse")
	v.Set("url", "javascript:alert(1)")
	v.Set("comment", "Mon texte\nsur deux lignes")
	resp := e.post(c, v)
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	page := body(t, resp)
	assert.Contains(t, page, `role="alert"`)
	assert.Contains(t, page, "Veuillez indiquer votre nom.")
	assert.Contains(t, page, `value="pas une adresse"`)
	assert.Contains(t, page, "Mon texte\nsur deux lignes</textarea>")
	assert.NotContains(t, page, `href="javascript`)
	assert.Equal(t, "private, no-store", resp.Header.Get("Cache-Control"))
}

func TestBodyLimits(t *testing.T) {
	e := newEnv(t)
	c := e.browser()
	// The longest valid comment, URL-encoded at three bytes a byte, with
	// every other field at its limit, reaches validation and is stored.
	v := e.form(c)
	v.Set("author", strings.Repeat("é", 122))
	v.Set("email", strings.Repeat("a", 88)+"@example.org")
	v.Set("url", "https://example.org/"+strings.Repeat("a", 180))
	v.Set("comment", strings.Repeat("\u00e9", (tribune.MaxBodyLen-1)/2)+"a")
	resp := e.post(c, v)
	assert.Equal(t, http.StatusSeeOther, resp.StatusCode)

	// One byte more: 422 with the text kept.
	v = e.form(c)
	long := strings.Repeat("é", (tribune.MaxBodyLen-1)/2) + "ab"
	resp = e.post(c, valid(v, long))
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	page := body(t, resp)
	assert.Contains(t, page, long)
	assert.Contains(t, page, "trop long")

	// 100 KB of text: still the 422 page, with the text kept.
	v = e.form(c)
	hundred := strings.Repeat("é", 50<<10)
	resp = e.post(c, valid(v, hundred))
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	assert.Contains(t, body(t, resp), hundred)

	// Far bigger: 413 with a page that says why.
	v = e.form(c)
	resp = e.post(c, valid(v, strings.Repeat("x", 1200<<10)))
	require.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode)
	assert.Contains(t, body(t, resp), "65")
}

func TestRefusals(t *testing.T) {
	t.Run("duplicate 409", func(t *testing.T) {
		e := newEnv(t, widget.WithRules(tribune.WithModeration(tribune.ModerateNone)))
		c := e.browser()
		require.Equal(t, http.StatusSeeOther, e.post(c, valid(e.form(c), "Deux fois")).StatusCode)
		resp := e.post(c, valid(e.form(c), "Deux fois"))
		require.Equal(t, http.StatusConflict, resp.StatusCode)
		assert.Contains(t, body(t, resp), "Deux fois</textarea>")
	})
	t.Run("flood 429", func(t *testing.T) {
		e := newEnv(t, widget.WithRules(tribune.WithFloodInterval(15*time.Second)))
		c := e.browser()
		require.Equal(t, http.StatusSeeOther, e.post(c, valid(e.form(c), "Un")).StatusCode)
		resp := e.post(c, valid(e.form(c), "Deux"))
		require.Equal(t, http.StatusTooManyRequests, resp.StatusCode)
		assert.NotEmpty(t, resp.Header.Get("Retry-After"))
		assert.Contains(t, body(t, resp), "Deux</textarea>")
	})
	t.Run("rate limit 429", func(t *testing.T) {
		e := newEnv(t, widget.WithLimits(widget.Limits{PostsPerMinute: 1, Burst: 1}))
		c := e.browser()
		require.Equal(t, http.StatusSeeOther, e.post(c, valid(e.form(c), "Un")).StatusCode)
		v := valid(e.form(c), "Deux")
		v.Set("email", "autre@example.org")
		resp := e.post(c, v, "X-Forwarded-For", "203.0.113.9") // untrusted peer: ignored
		require.Equal(t, http.StatusTooManyRequests, resp.StatusCode)
		assert.NotEmpty(t, resp.Header.Get("Retry-After"))
	})
	t.Run("trusted proxy", func(t *testing.T) {
		e := newEnv(t, widget.WithLimits(widget.Limits{PostsPerMinute: 1, Burst: 1}), widget.WithTrustedProxies("127.0.0.1/32", "::1"))
		c := e.browser()
		require.Equal(t, http.StatusSeeOther, e.post(c, valid(e.form(c), "Un"), "X-Forwarded-For", "203.0.113.1").StatusCode)
		v := valid(e.form(c), "Deux")
		v.Set("email", "autre@example.org")
		resp := e.post(c, v, "X-Forwarded-For", "203.0.113.2")
		assert.Equal(t, http.StatusSeeOther, resp.StatusCode, "another client behind the proxy has its own bucket")
	})
	t.Run("too fast 422", func(t *testing.T) {
		e := newEnv(t, widget.WithLimits(widget.Limits{MinSubmitDelay: 2 * time.Second}))
		c := e.browser()
		resp := e.post(c, valid(e.form(c), "Vite"))
		require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
		assert.Contains(t, body(t, resp), "trop vite")
	})
	t.Run("bad token 422", func(t *testing.T) {
		e := newEnv(t)
		c := e.browser()
		v := valid(e.form(c), "Jeton")
		v.Set("tribune_token", "123.forged")
		require.Equal(t, http.StatusUnprocessableEntity, e.post(c, v).StatusCode)
	})
	t.Run("cross-origin 403", func(t *testing.T) {
		e := newEnv(t)
		c := e.browser()
		resp := e.post(c, valid(e.form(c), "CSRF"), "Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example")
		require.Equal(t, http.StatusForbidden, resp.StatusCode)
	})
	t.Run("closed 403", func(t *testing.T) {
		e := newEnv(t)
		c := e.browser()
		v := valid(e.form(c), "Fermé")
		e.article.CommentsClosed = true
		require.NoError(t, e.store.UpdateArticle(context.Background(), &e.article))
		resp := e.post(c, v)
		require.Equal(t, http.StatusForbidden, resp.StatusCode)
		page := body(t, resp)
		assert.Contains(t, page, "Les commentaires sont fermés")
		assert.Contains(t, page, "Fermé</textarea>", "the text typed before closing is given back")
	})
	t.Run("reply to pending 403", func(t *testing.T) {
		e := newEnv(t)
		c := e.browser()
		resp := e.post(c, valid(e.form(c), "Parent"))
		id := postedID(resp.Header.Get("Location"))
		v := valid(e.form(c), "Réponse")
		v.Set("comment_parent", id)
		v.Set("email", "autre@example.org")
		resp = e.post(c, v)
		require.Equal(t, http.StatusForbidden, resp.StatusCode)
		assert.Contains(t, body(t, resp), "Réponse</textarea>")
	})
	t.Run("unknown article 404", func(t *testing.T) {
		e := newEnv(t)
		c := e.browser()
		v := valid(e.form(c), "Perdu")
		v.Set("article", uuid.NewString())
		require.Equal(t, http.StatusNotFound, e.post(c, v).StatusCode)
		status, _ := e.get(c, e.srv.URL+"/comments/articles/nope")
		require.Equal(t, http.StatusNotFound, status)
	})
	t.Run("method 405", func(t *testing.T) {
		e := newEnv(t)
		status, page := e.get(e.browser(), e.srv.URL+"/comments/post")
		require.Equal(t, http.StatusMethodNotAllowed, status)
		assert.Contains(t, page, "Méthode non autorisée")
	})
	t.Run("honeypot stored as spam", func(t *testing.T) {
		e := newEnv(t)
		c := e.browser()
		v := valid(e.form(c), "Bot")
		v.Set("tribune_homepage", "http://spam.example")
		resp := e.post(c, v)
		require.Equal(t, http.StatusSeeOther, resp.StatusCode)
		spam, err := e.store.FindComments(context.Background(), tribune.Query{Statuses: []tribune.Status{tribune.StatusSpam}})
		require.NoError(t, err)
		assert.Len(t, spam, 1)
	})
}

func TestReplyAndRemember(t *testing.T) {
	e := newEnv(t, widget.WithRules(tribune.WithModeration(tribune.ModerateNone)))
	c := e.browser()
	v := valid(e.form(c), "Parent")
	v.Set("wp-comment-cookies-consent", "yes")
	resp := e.post(c, v)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	var remember *http.Cookie
	for _, ck := range resp.Cookies() {
		if ck.Name == "tribune_author" {
			remember = ck
		}
	}
	require.NotNil(t, remember, "consent keeps the details")
	assert.True(t, remember.HttpOnly)
	assert.Equal(t, http.SameSiteLaxMode, remember.SameSite)
	id := postedID(resp.Header.Get("Location"))

	// Without JavaScript: ?replytocom= gives the reply form, prefilled.
	_, page := e.get(c, e.pageURL()+"?replytocom="+id)
	assert.Contains(t, page, "Répondre à Claire")
	assert.Contains(t, page, `value="`+id+`"`)
	assert.Contains(t, page, "Annuler la réponse")
	assert.Contains(t, page, `value="Claire"`, "remembered name")
	assert.Contains(t, page, "checked")

	// A second visitor's page never carries the remembered email.
	_, other := e.get(e.browser(), e.pageURL())
	assert.NotContains(t, other, canary)

	r := valid(e.form(c), "Réponse")
	r.Set("comment_parent", id)
	r.Set("wp-comment-cookies-consent", "yes")
	resp = e.post(c, r)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	_, page = e.get(c, e.pageURL())
	assert.Contains(t, page, `<ol class="tribune-children">`)

	// Posting without consent forgets the details.
	n := valid(e.form(c), "Sans cookie")
	resp = e.post(c, n)
	var forgot bool
	for _, ck := range resp.Cookies() {
		forgot = forgot || (ck.Name == "tribune_author" && ck.MaxAge < 0)
	}
	assert.True(t, forgot)
}

func TestAdmin(t *testing.T) {
	e := newEnv(t)
	c := e.browser()
	resp := e.post(c, valid(e.form(c), "À modérer"))
	id := postedID(resp.Header.Get("Location"))

	status, _ := e.get(e.browser(), e.srv.URL+"/comments/admin/")
	require.Equal(t, http.StatusUnauthorized, status)

	req, _ := http.NewRequest("GET", e.srv.URL+"/comments/admin/?status=pending", nil)
	req.SetBasicAuth("admin", "pw")
	resp, err := c.Do(req)
	require.NoError(t, err)
	page := body(t, resp)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, page, canary, "the moderation screen shows the email")
	assert.Contains(t, page, "À modérer")
	tok := regexp.MustCompile(`name="tribune_admin" value="([^"]+)"`).FindStringSubmatch(page)
	require.NotNil(t, tok)

	form := url.Values{"tribune_admin": {tok[1]}, "status": {"pending"}, "one": {"approve:" + id}}
	req, _ = http.NewRequest("POST", e.srv.URL+"/comments/admin/", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth("admin", "pw")
	resp, err = c.Do(req)
	require.NoError(t, err)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	got, err := e.store.Comment(context.Background(), uuid.MustParse(id))
	require.NoError(t, err)
	assert.Equal(t, tribune.StatusApproved, got.Status)

	// Bulk: trash it, then delete it; a forged token is refused.
	form = url.Values{"tribune_admin": {"1.forged"}, "action": {"trash"}, "id": {id}}
	req, _ = http.NewRequest("POST", e.srv.URL+"/comments/admin/", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth("admin", "pw")
	resp, err = c.Do(req)
	require.NoError(t, err)
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)
}

func TestJSONAPI(t *testing.T) {
	e := newEnv(t, widget.WithRules(tribune.WithModeration(tribune.ModerateNone)))
	c := e.browser()
	api := e.srv.URL + "/comments/api/articles/" + e.article.ID.String() + "/comments"
	post := func(v map[string]string) *http.Response {
		v["token"] = e.apiToken(c)
		b, _ := json.Marshal(v)
		req, _ := http.NewRequest("POST", api, strings.NewReader(string(b)))
		req.Header.Set("Content-Type", "application/json")
		resp, err := c.Do(req)
		require.NoError(t, err)
		return resp
	}
	resp := post(map[string]string{"author": "", "email": "x", "comment": ""})
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	var apiErr widget.APIError
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&apiErr))
	assert.Equal(t, "required", apiErr.Error.Fields["author"].Code)
	assert.Equal(t, "invalid_email", apiErr.Error.Fields["email"].Code)
	assert.Equal(t, "required", apiErr.Error.Fields["comment"].Code)
	assert.NotEmpty(t, apiErr.Error.Fields["comment"].Message)

	resp = post(map[string]string{"author": "Ana", "email": canary, "comment": "Par l’API"})
	require.Equal(t, http.StatusCreated, resp.StatusCode)
	created := body(t, resp)
	assert.NotContains(t, created, canary)

	status, list := e.get(c, api)
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, list, "Par l’API")
	assert.NotContains(t, list, canary)
	assert.NotContains(t, list, "client")

	status, counts := e.get(c, e.srv.URL+"/comments/api/counts?article="+e.article.ID.String()+"&article="+uuid.NewString())
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, counts, `"`+e.article.ID.String()+`":1`)

	status, _ = e.get(c, e.srv.URL+"/comments/api/counts?article=nope")
	assert.Equal(t, http.StatusBadRequest, status)
	resp = post(map[string]string{"author": "Ana", "email": canary, "comment": "Par l’API"})
	assert.Equal(t, http.StatusConflict, resp.StatusCode)
}

func TestFeedsAndAssets(t *testing.T) {
	e := newEnv(t, widget.WithRules(tribune.WithModeration(tribune.ModerateNone)))
	c := e.browser()
	require.Equal(t, http.StatusSeeOther, e.post(c, valid(e.form(c), "Dans le flux")).StatusCode)
	for _, u := range []string{"/comments/feed/otan", "/comments/feed.atom"} {
		resp, err := c.Get(e.srv.URL + u)
		require.NoError(t, err)
		feed := body(t, resp)
		require.Equal(t, http.StatusOK, resp.StatusCode, u)
		assert.Equal(t, "application/atom+xml; charset=utf-8", resp.Header.Get("Content-Type"))
		assert.Contains(t, feed, "Dans le flux")
		assert.NotContains(t, feed, canary)
	}
	e2 := newEnv(t, widget.WithSiteURL("https://www.example.org/"), widget.WithRules(tribune.WithModeration(tribune.ModerateNone)))
	req, _ := http.NewRequest("GET", e2.srv.URL+"/comments/feed.atom", nil)
	req.Host = "evil.example"
	resp, err := c.Do(req)
	require.NoError(t, err)
	feed := body(t, resp)
	assert.Contains(t, feed, "https://www.example.org/comments/feed.atom")
	assert.NotContains(t, feed, "evil.example")
	_, err = widget.New(e.store, widget.WithSiteURL("javascript:alert(1)"))
	assert.Error(t, err)

	_, page := e.get(c, e.pageURL())
	assert.Contains(t, page, `<link rel="alternate" type="application/atom+xml"`)
	css := regexp.MustCompile(`href="(/comments/static/widget\.[0-9a-f]+\.css)"`).FindStringSubmatch(page)
	require.NotNil(t, css)
	resp, err = c.Get(e.srv.URL + css[1])
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, resp.Header.Get("Cache-Control"), "immutable")
	assert.Contains(t, resp.Header.Get("Content-Type"), "text/css")
	assert.Contains(t, e.h.HeadHTML(&e.article), "widget.")
}

// testClock is a clock a test moves (tribune.WithClock through widget.WithRules) instead of
// sleeping.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func newTestClock() *testClock { return &testClock{now: time.Now()} }

func (c *testClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

func (c *testClock) Advance(d time.Duration) { c.mu.Lock(); c.now = c.now.Add(d); c.mu.Unlock() }

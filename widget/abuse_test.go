package widget_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"regexp"
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
	return widget.WithRules(tribune.WithModeration(tribune.ModerateNone), tribune.WithFilters(tribune.Filters{MaxLinks: -1}))
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
	id := postedID(resp.Header.Get("Location"))
	for _, path := range []string{"/comments/feed/otan", "/comments/feed.atom"} {
		req, _ := http.NewRequest("GET", e.srv.URL+path, nil)
		req.Host = "evil.example"
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		feed := body(t, resp)
		resp.Body.Close()
		assert.NotContains(t, feed, "evil.example", path)
		assert.Contains(t, feed, `href="/comments/comment/`+id+`"`, "the entry link is the comment's permalink: %s", path)
	}

	// With the site's address, links are absolute on it.
	e2 := newEnv(t, withApproval(), widget.WithSiteURL("https://www.example.org"))
	c2 := e2.browser()
	resp = e2.post(c2, valid(e2.form(c2), "Un autre"))
	id = postedID(resp.Header.Get("Location"))
	req, _ := http.NewRequest("GET", e2.srv.URL+"/comments/feed/otan", nil)
	req.Host = "evil.example"
	r2, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	feed := body(t, r2)
	r2.Body.Close()
	assert.NotContains(t, feed, "evil.example")
	assert.Contains(t, feed, `href="https://www.example.org/comments/comment/`+id+`"`)
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
		return loc[:strings.Index(loc, "/comment/")+len("/comment/")], names
	}
	heldLoc, heldCookies := answer(false)
	caughtLoc, caughtCookies := answer(true)
	assert.Equal(t, heldLoc, caughtLoc, "the same redirect")
	assert.Equal(t, heldCookies, caughtCookies, "the same cookies")
	spam, err := e.store.FindComments(context.Background(), tribune.Query{Statuses: []tribune.Status{tribune.StatusSpam}})
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
	forced := newEnv(t, widget.WithSiteURL("https://www.example.org"))
	assert.True(t, secure(forced), "an https site URL")
	plain := newEnv(t, widget.WithSiteURL("http://intranet.example"))
	assert.False(t, secure(plain), "an http site URL")

	// The site URL is also where error pages lead back to.
	under := newEnv(t, widget.WithSiteURL("https://www.example.org/journal/"))
	status, page := under.get(under.browser(), under.srv.URL+"/comments/articles/nulle-part")
	assert.Equal(t, http.StatusNotFound, status)
	assert.Contains(t, page, `href="https://www.example.org/journal/"`)
	status, page = direct.get(direct.browser(), direct.srv.URL+"/comments/articles/nulle-part")
	assert.Equal(t, http.StatusNotFound, status)
	assert.Contains(t, page, `href="/"`)
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

// apiPost sends a JSON comment with the given content type and token.
func (e *env) apiPost(c *http.Client, contentType, token string, v map[string]string, header ...string) (int, string) {
	e.t.Helper()
	if token != "" {
		v["token"] = token
	}
	b, _ := json.Marshal(v)
	req, _ := http.NewRequest("POST", e.srv.URL+"/comments/api/articles/"+e.article.ID.String()+"/comments", strings.NewReader(string(b)))
	req.Header.Set("Content-Type", contentType)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := c.Do(req)
	require.NoError(e.t, err)
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(out)
}

func apiComment(text string) map[string]string {
	return map[string]string{"author": "Ana", "email": canary, "comment": text}
}

func TestAPIWithoutTokenOrWithTextPlain(t *testing.T) {
	e := newEnv(t, widget.WithLimits(widget.Limits{MinSubmitDelay: time.Hour}))
	c := e.browser()
	status, out := e.apiPost(c, "application/json", "", apiComment("sans jeton"))
	assert.Equal(t, http.StatusUnprocessableEntity, status)
	assert.Contains(t, out, `"code":"token"`)
	status, _ = e.apiPost(c, "text/plain", e.apiToken(c), apiComment("en text/plain"))
	assert.Equal(t, http.StatusUnsupportedMediaType, status, "a simple cross-site request cannot post")
	status, out = e.apiPost(c, "application/json", e.apiToken(c), apiComment("trop vite"))
	assert.Equal(t, http.StatusUnprocessableEntity, status)
	assert.Contains(t, out, `"code":"too_fast"`, "the API keeps the form's minimum delay")
	all, _ := e.store.FindComments(context.Background(), tribune.Query{ArticleID: e.article.ID})
	assert.Empty(t, all)

	off := newEnv(t, widget.WithPublicAPI(false))
	status, _ = off.get(off.browser(), off.srv.URL+"/comments/api/articles/"+off.article.ID.String()+"/token")
	assert.Equal(t, http.StatusNotFound, status, "WithPublicAPI(false)")
}

func TestAPITokenReplayLandsOnTheSameComment(t *testing.T) {
	e := newEnv(t)
	c := e.browser()
	tok := e.apiToken(c)
	status, first := e.apiPost(c, "application/json", "", apiComment("une fois"), "X-Tribune-Token", tok)
	require.Equal(t, http.StatusCreated, status, first)
	status, again := e.apiPost(c, "application/json", tok, apiComment("une fois"))
	require.Equal(t, http.StatusCreated, status)
	var a, b widget.APIComment
	require.NoError(t, json.Unmarshal([]byte(first), &a))
	require.NoError(t, json.Unmarshal([]byte(again), &b))
	assert.Equal(t, a.ID, b.ID, "the same comment sent again is the one comment")
	status, other := e.apiPost(c, "application/json", tok, apiComment("une autre fois, même jeton"))
	assert.Equal(t, http.StatusConflict, status, "a token is good for one comment")
	assert.Contains(t, other, `"code":"replayed"`)
	all, _ := e.store.FindComments(context.Background(), tribune.Query{ArticleID: e.article.ID})
	assert.Len(t, all, 1)

	// The API's honeypot answers like a held comment.
	v := apiComment("robot")
	v["homepage"] = "https://spam.example/"
	status, out := e.apiPost(e.browser(), "application/json", e.apiToken(c), v)
	require.Equal(t, http.StatusCreated, status)
	assert.Contains(t, out, `"status":"pending"`)
}

func TestIPv6SlashSixtyFourRotationIsOneClient(t *testing.T) {
	e := newEnv(t, widget.WithTrustedProxies("127.0.0.1/32"), widget.WithLimits(widget.Limits{PostsPerMinute: 6, Burst: 3}))
	codes := map[int]int{}
	for i := range 12 {
		c := e.browser()
		ip := fmt.Sprintf("2001:db8:1:2:%x::1", i+1) // twelve addresses of one /64
		v := valid(e.form(c), fmt.Sprint("depuis la même /64, ", i))
		resp := e.post(c, v, "X-Forwarded-For", ip)
		codes[resp.StatusCode]++
	}
	assert.Equal(t, 3, codes[http.StatusSeeOther], "the burst of one client")
	assert.Equal(t, 9, codes[http.StatusTooManyRequests])

	// Another /64 is another client; an IPv4 address is its own.
	for _, ip := range []string{"2001:db8:1:3::1", "198.51.100.7"} {
		c := e.browser()
		resp := e.post(c, valid(e.form(c), "ailleurs "+ip), "X-Forwarded-For", ip)
		assert.Equal(t, http.StatusSeeOther, resp.StatusCode, ip)
	}
}

// With Limits.IPv6Prefix 48, two /64s of one /48 are one client.
func TestIPv6PrefixWidensTheClient(t *testing.T) {
	e := newEnv(t, widget.WithTrustedProxies("127.0.0.1/32"), widget.WithLimits(widget.Limits{PostsPerMinute: 6, Burst: 1, IPv6Prefix: 48}))
	c := e.browser()
	require.Equal(t, http.StatusSeeOther, e.post(c, valid(e.form(c), "une"), "X-Forwarded-For", "2001:db8:1:2::1").StatusCode)
	c = e.browser()
	assert.Equal(t, http.StatusTooManyRequests, e.post(c, valid(e.form(c), "deux"), "X-Forwarded-For", "2001:db8:1:3::1").StatusCode)
}

func TestLimitsRefuseWhatCannotBe(t *testing.T) {
	for _, l := range []widget.Limits{{Burst: widget.Off}, {IPv6Prefix: 47}, {IPv6Prefix: 65}, {IPv6Prefix: widget.Off}} {
		_, err := widget.New(memstore.New(), widget.WithLimits(l))
		assert.Error(t, err, "%+v", l)
	}
}

func TestTypoDoesNotLockOut(t *testing.T) {
	e := newEnv(t, widget.WithLimits(widget.Limits{PostsPerMinute: 6, Burst: 3}))
	c := e.browser()
	for range 5 {
		v := valid(e.form(c), "mon commentaire")
		v.Set("email", "pas une adresse")
		assert.Equal(t, http.StatusUnprocessableEntity, e.post(c, v).StatusCode)
	}
	resp := e.post(c, valid(e.form(c), "mon commentaire, corrigé"))
	assert.Equal(t, http.StatusSeeOther, resp.StatusCode, "the corrected post goes through")

	// Invalid posts have a budget of their own, which a flood exhausts.
	codes := map[int]int{}
	for range 40 {
		v := valid(e.form(c), "encore")
		v.Set("email", "x")
		codes[e.post(c, v).StatusCode]++
	}
	assert.NotZero(t, codes[http.StatusTooManyRequests], "a flood of invalid posts is throttled")
}

func TestAdminPasswordGuessing(t *testing.T) {
	var logs strings.Builder
	e := newEnv(t, widget.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	try := func(pw string) *http.Response {
		req, _ := http.NewRequest("GET", e.srv.URL+"/comments/admin/", nil)
		req.SetBasicAuth("admin", pw)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		return resp
	}
	for i := range 10 {
		assert.Equal(t, http.StatusUnauthorized, try(fmt.Sprint("guess-", i)).StatusCode)
	}
	resp := try("guess-11")
	assert.Equal(t, http.StatusTooManyRequests, resp.StatusCode, "the 11th guess in a minute")
	assert.NotEmpty(t, resp.Header.Get("Retry-After"))
	assert.Equal(t, http.StatusTooManyRequests, try("pw").StatusCode, "even the right password waits")
	assert.Contains(t, logs.String(), "moderation login refused")
	assert.NotContains(t, logs.String(), "guess-")
}

var idRE = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)

// TestNoAnswerDependsOnOthersData runs one attacker's session against two
// sites, one where a victim has posted (and been approved) and one where
// nobody has: the attacker copies the victim's text and tries the
// victim's email, through the form and the API. Every answer (status,
// redirect, Retry-After, cookies set, error message) is the same on both,
// so nothing tells whether the email was used: the email cannot be
// confirmed by inference.
func TestNoAnswerDependsOnOthersData(t *testing.T) {
	const text = "Le texte public de la victime, copié mot pour mot."
	const victimEmail = "victime.7f3a@example.org"
	session := func(withVictim bool, flood time.Duration) []string {
		e := newEnv(t, widget.WithTrustedProxies("127.0.0.1/32"), widget.WithRules(tribune.WithFloodInterval(flood)))
		if withVictim {
			v := e.browser()
			form := valid(e.form(v), text)
			form.Set("author", "Victime")
			form.Set("email", victimEmail)
			resp := e.post(v, form, "X-Forwarded-For", "198.51.100.1")
			require.Equal(t, http.StatusSeeOther, resp.StatusCode)
			id := idRE.FindString(resp.Header.Get("Location"))
			svc, err := tribune.NewService(e.store)
			require.NoError(t, err)
			_, err = svc.Moderate(context.Background(), uuid.MustParse(id), tribune.StatusApproved)
			require.NoError(t, err)
		}
		attacker := e.browser()
		var answers []string
		record := func(resp *http.Response, page string) {
			var cookies []string
			for _, c := range resp.Cookies() {
				cookies = append(cookies, c.Name)
			}
			msg := ""
			if i := strings.Index(page, `class="tribune-errors"`); i >= 0 {
				msg = page[i : i+strings.Index(page[i:], "</div>")]
			}
			answers = append(answers, fmt.Sprint(resp.StatusCode, " ", idRE.ReplaceAllString(resp.Header.Get("Location"), "<id>"),
				" retry=", resp.Header.Get("Retry-After"), " cookies=", cookies, " ", idRE.ReplaceAllString(msg, "<id>")))
		}
		for _, email := range []string{victimEmail, strings.ToUpper(victimEmail), "autre@example.org"} {
			form := valid(e.form(attacker), text)
			form.Set("author", "Victime")
			form.Set("email", email)
			resp := e.post(attacker, form, "X-Forwarded-For", "203.0.113.9")
			record(resp, body(t, resp))
		}
		status, out := e.apiPost(attacker, "application/json", e.apiToken(attacker),
			map[string]string{"author": "Victime", "email": victimEmail, "comment": text}, "X-Forwarded-For", "203.0.113.9")
		answers = append(answers, fmt.Sprint("api ", status, " ", idRE.ReplaceAllString(regexp.MustCompile(`"created":"[^"]*"`).ReplaceAllString(out, ""), "<id>")))
		return answers
	}
	for _, flood := range []time.Duration{0, 15 * time.Second} {
		without, with := session(false, flood), session(true, flood)
		assert.Equal(t, without, with, "flood interval %s", flood)
		t.Logf("flood %s: %q", flood, with)
	}
}

// TestMountWithStripPrefix: the widget answers the same whether the host
// strips its prefix or not.
func TestMountWithStripPrefix(t *testing.T) {
	e := newEnv(t)
	mux := http.NewServeMux()
	mux.Handle("/comments/", http.StripPrefix("/comments", e.h))
	srv := newServer(t, mux)
	for _, path := range []string{"/comments/articles/otan", "/comments/feed/otan", "/comments/api/articles/" + e.article.ID.String() + "/comments"} {
		resp, err := http.Get(srv.URL + path)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusOK, resp.StatusCode, path)
	}
	c := e.browser()
	e.srv = srv
	resp := e.post(c, valid(e.form(c), "posté à travers StripPrefix"))
	assert.Equal(t, http.StatusSeeOther, resp.StatusCode)
}

// TestFormMatchesTheServerRules: the form's required marks are the
// Service's rule, and a reply form is offered only where a reply would be
// taken.
func TestFormMatchesTheServerRules(t *testing.T) {
	none := newEnv(t, widget.WithRules(tribune.WithRequired()))
	_, page := none.get(none.browser(), none.pageURL())
	form := page[strings.Index(page, `<form`):]
	assert.NotContains(t, form, " required", "WithRequired() marks no field")

	e := newEnv(t, widget.WithRules(tribune.WithModeration(tribune.ModerateNone), tribune.WithReplyDepth(2)))
	c := e.browser()
	top := e.post(c, valid(e.form(c), "premier niveau"))
	topID := idRE.FindString(top.Header.Get("Location"))
	v := valid(e.form(c), "deuxième niveau")
	v.Set("comment_parent", topID)
	reply := e.post(c, v)
	require.Equal(t, http.StatusSeeOther, reply.StatusCode)
	replyID := idRE.FindString(reply.Header.Get("Location"))

	_, page = e.get(c, e.pageURL()+"?replytocom="+topID)
	assert.Contains(t, page, `name="comment_parent" id="comment_parent" value="`+topID+`"`, "a reply to the first level is offered")
	_, page = e.get(c, e.pageURL()+"?replytocom="+replyID)
	assert.Contains(t, page, `name="comment_parent" id="comment_parent" value=""`, "no reply form at the depth limit")
	assert.NotContains(t, page, "?replytocom="+replyID, "and no reply link")
}

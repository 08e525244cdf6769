package widget_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribune-go/tribune"
	"github.com/tribune-go/tribune/internal/smtptest"
	"github.com/tribune-go/tribune/outbox"
	"github.com/tribune-go/tribune/smtpmail"
	"github.com/tribune-go/tribune/sqlitestore"
	"github.com/tribune-go/tribune/widget"
)

// mailEnv is a site with mail on: a SQLite store, a real SMTP server on
// loopback and the outbox running.
type mailEnv struct {
	*env
	smtp *smtptest.Server
	ob   *outbox.Outbox
}

func newMailEnv(t *testing.T, opts ...widget.Option) *mailEnv {
	t.Helper()
	store, err := sqlitestore.Open(t.Context(), filepath.Join(t.TempDir(), "mail.db"))
	require.NoError(t, err)
	t.Cleanup(func() { store.Close() })
	srv := smtptest.Start(t, smtptest.Options{})
	m, err := smtpmail.New(smtpmail.Config{Addr: srv.Addr, Security: smtpmail.Plain, From: "commentaires@example.org", Timeout: 5 * time.Second})
	require.NoError(t, err)
	// No worker runs in the background: a test drains the outbox when it
	// looks at the mailbox, so what it sees does not hang on timing.
	ob, err := outbox.New(store, m, outbox.Config{Logger: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)

	a, err := tribune.NewArticle(tribune.ArticleInput{Slug: "otan", Title: "Réunion de l’OTAN", Lang: "fr",
		Body: "<p>Texte</p>", Published: time.Date(2026, 2, 12, 9, 0, 0, 0, time.UTC)})
	require.NoError(t, err)
	require.NoError(t, store.CreateArticle(t.Context(), &a))
	mux := http.NewServeMux()
	hs := httptest.NewUnstartedServer(mux)
	site := "http://" + hs.Listener.Addr().String()
	base := []widget.Option{widget.WithSecret([]byte("a test secret of at least 32 bytes!")), widget.WithLimits(widget.Limits{MinSubmitDelay: widget.Off, PostsPerMinute: widget.Off}), widget.WithRules(tribune.WithFloodInterval(0)), widget.WithAdmin(widget.BasicAuth("admin", "pw")),
		widget.WithSiteURL(site), widget.WithMail(ob, widget.Mail{SiteName: "Le Quotidien", Moderators: []string{"moderation@example.org"}}),
		widget.WithLogger(slog.New(slog.DiscardHandler))}
	h, err := widget.New(store, append(base, opts...)...)
	require.NoError(t, err)
	mux.Handle("/comments/", h)
	hs.Start()
	t.Cleanup(hs.Close)
	return &mailEnv{env: &env{t: t, h: h, store: store, srv: hs, article: a}, smtp: srv, ob: ob}
}

// postAs posts a comment from the browser and returns its ID.
func (e *mailEnv) postAs(c *http.Client, name, email, text, parent string, notify bool) string {
	e.t.Helper()
	v := e.form(c)
	v.Set("author", name)
	v.Set("email", email)
	v.Set("comment", text)
	v.Set("comment_parent", parent)
	if notify {
		v.Set("notify_replies", "yes")
	}
	resp := e.post(c, v)
	require.Equal(e.t, http.StatusSeeOther, resp.StatusCode, body(e.t, resp))
	return postedID(resp.Header.Get("Location"))
}

func (e *mailEnv) approve(id string) {
	e.t.Helper()
	_, err := e.h.Service().Moderate(e.t.Context(), mustUUID(e.t, id), tribune.StatusApproved)
	require.NoError(e.t, err)
}

// mailsTo returns the received mails to one address.
func (e *mailEnv) mailsTo(addr string) []smtptest.Received {
	var out []smtptest.Received
	for _, m := range e.smtp.Messages() {
		if len(m.To) == 1 && strings.EqualFold(m.To[0], addr) {
			out = append(out, m)
		}
	}
	return out
}

// waitFor sends what the outbox holds and checks that addr has at least
// n mails.
func (e *mailEnv) waitFor(addr string, n int) []smtptest.Received {
	e.t.Helper()
	e.settle()
	ms := e.mailsTo(addr)
	if len(ms) < n {
		e.t.Fatalf("%d mails to %s, want %d", len(ms), addr, n)
	}
	return ms
}

// settle sends every mail due now, as the outbox's worker would.
func (e *mailEnv) settle() {
	e.t.Helper()
	_, err := e.ob.Drain(e.t.Context())
	require.NoError(e.t, err)
}

var linkRE = regexp.MustCompile(`https?://[^\s<>"]+`)

// link finds the mail's link to one of the widget's mail pages.
func link(t *testing.T, m smtptest.Received, kind string) string {
	t.Helper()
	for _, u := range linkRE.FindAllString(m.Text, -1) {
		if strings.Contains(u, "/mail/"+kind+"/") {
			return u
		}
	}
	t.Fatalf("no %s link in the mail:\n%s", kind, m.Text)
	return ""
}

func (e *mailEnv) postForm(c *http.Client, u string, v url.Values) (int, string) {
	e.t.Helper()
	req, err := http.NewRequest("POST", u, strings.NewReader(v.Encode()))
	require.NoError(e.t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := c.Do(req)
	require.NoError(e.t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestMailSubscribeConfirmNotifyUnsubscribe(t *testing.T) {
	e := newMailEnv(t, widget.WithRules(tribune.WithModeration(tribune.ModerateNone)))
	lea, marc := e.browser(), e.browser()
	const leaMail = "Lea.Martin@example.org"

	// The box is in the form, unticked, labelled.
	_, page := e.get(lea, e.pageURL())
	assert.Contains(t, page, `<input id="tribune-notify-replies" name="notify_replies" type="checkbox" value="yes">`)
	assert.Contains(t, page, `<label for="tribune-notify-replies">M’avertir par e-mail des réponses à mon commentaire.</label>`)
	assert.Contains(t, page, `<a href="/comments/mail/manage" rel="nofollow">Gérer mes commentaires</a>`)

	parent := e.postAs(lea, "Léa", leaMail, "Un premier avis sur l’OTAN.", "", true)
	confirm := e.waitFor(leaMail, 1)[0]
	assert.Contains(t, confirm.Header.Get("Subject"), "=?", "a French subject is encoded")
	assert.Empty(t, confirm.Header.Get("List-Unsubscribe"), "a confirmation is not a list mail")
	confirmURL := link(t, confirm, "confirm")

	// Until the address is confirmed, a reply sends it nothing.
	e.postAs(marc, "Marc", "marc@example.org", "Réponse avant confirmation.", parent, false)
	e.settle()
	assert.Len(t, e.mailsTo(leaMail), 1, "nothing goes to an unconfirmed address")

	// A GET (a mail scanner) confirms nothing; the button does.
	status, body := e.get(e.browser(), confirmURL)
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, body, `<button type="submit" name="confirm" value="yes"`)
	status, body = e.postForm(lea, confirmURL, url.Values{"confirm": {"yes"}})
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, body, "Votre adresse est confirmée")

	// An approved reply: one notification, with the RFC 8058 headers.
	reply := e.postAs(marc, "Marc", "marc@example.org", "Je ne suis pas d’accord, et voici pourquoi.", parent, false)
	notes := e.waitFor(leaMail, 2)
	n := notes[1]
	n.Text = strings.ReplaceAll(n.Text, "\u00a0", " ")
	assert.Contains(t, n.Text, "Marc a répondu à votre commentaire sur « Réunion de l’OTAN »")
	assert.Contains(t, n.Text, "> Je ne suis pas d’accord, et voici pourquoi.")
	assert.Contains(t, n.Text, e.srv.URL+"/comments/comment/"+reply, "the reply's permalink")
	assert.Contains(t, n.HTML, "Je ne suis pas d’accord")
	unsub := n.Header.Get("List-Unsubscribe")
	require.True(t, strings.HasPrefix(unsub, "<"+e.srv.URL+"/comments/mail/unsubscribe/"), unsub)
	assert.Equal(t, "List-Unsubscribe=One-Click", n.Header.Get("List-Unsubscribe-Post"))
	assert.NotContains(t, n.Text+n.HTML, "marc@example.org", "a mail never holds another commenter's email")

	// The replier's own reply to themselves sends nothing; the same reply
	// approved again sends nothing more.
	e.postAs(lea, "Léa", leaMail, "Je me réponds à moi-même.", parent, false)
	_, err := e.h.Service().Moderate(t.Context(), mustUUID(t, reply), tribune.StatusPending)
	require.NoError(t, err)
	e.approve(reply)
	e.settle()
	assert.Len(t, e.mailsTo(leaMail), 2)

	// One-click: a POST from the mail provider, no cookie, no origin.
	unsubURL := strings.Trim(unsub, "<>")
	status, body = e.get(e.browser(), unsubURL)
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, body, `name="unsubscribe"`, "a GET shows a button and changes nothing")
	e.postAs(marc, "Marc", "marc@example.org", "Encore une réponse, encore un mail.", parent, false)
	e.waitFor(leaMail, 3)
	req, err := http.NewRequest("POST", unsubURL, strings.NewReader("List-Unsubscribe=One-Click"))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://mail.example.net")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)

	e.postAs(marc, "Marc", "marc@example.org", "Réponse après désabonnement.", parent, false)
	e.settle()
	assert.Len(t, e.mailsTo(leaMail), 3, "after the one-click POST the next reply sends nothing")
	checkMailURLs(t, e.smtp.Messages(), leaMail, "Léa", "Marc", "marc@example.org", "Un premier avis", "Je ne suis pas")
}

// checkMailURLs: no link in any mail carries an address, a name or a
// comment's text.
func checkMailURLs(t *testing.T, ms []smtptest.Received, secrets ...string) {
	t.Helper()
	require.NotEmpty(t, ms)
	for _, m := range ms {
		urls := linkRE.FindAllString(m.Text+" "+m.HTML+" "+m.Header.Get("List-Unsubscribe"), -1)
		require.NotEmpty(t, urls)
		for _, u := range urls {
			dec, _ := url.QueryUnescape(u)
			for _, s := range secrets {
				for _, form := range []string{s, strings.ToLower(s), url.QueryEscape(s), url.PathEscape(s)} {
					assert.NotContains(t, strings.ToLower(u), strings.ToLower(form), "link %s", u)
					assert.NotContains(t, strings.ToLower(dec), strings.ToLower(form), "link %s", u)
				}
			}
		}
	}
}

func TestMailModerators(t *testing.T) {
	e := newMailEnv(t, widget.WithRules(tribune.WithModeration(tribune.ModerateAll)))
	visitor := e.browser()
	id := e.postAs(visitor, "Chloé", "chloe@example.org", "Un avis à modérer.", "", false)
	m := e.waitFor("moderation@example.org", 1)[0]
	m.Text = strings.ReplaceAll(m.Text, "\u00a0", " ")
	assert.Contains(t, m.Text, "Chloé a laissé un commentaire en attente de modération")
	assert.Contains(t, m.Text, "> Un avis à modérer.")
	assert.NotContains(t, m.Text+m.HTML, "chloe@example.org", "not even moderators get a commenter's email by mail")
	u := link(t, m, "moderate")
	approve := u
	require.True(t, strings.HasSuffix(approve, "?action=approve"), approve)

	status, page := e.get(e.browser(), approve)
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, page, `value="approve" class="tribune-primary"`)
	c, err := e.store.Comment(t.Context(), mustUUID(t, id))
	require.NoError(t, err)
	assert.Equal(t, tribune.StatusPending, c.Status, "opening the link changes nothing")

	// The button's POST approves (a same-origin form post).
	status, page = e.postForm(e.browser(), strings.Split(approve, "?")[0], url.Values{"action": {"approve"}})
	require.Equal(t, http.StatusOK, status, page)
	c, err = e.store.Comment(t.Context(), mustUUID(t, id))
	require.NoError(t, err)
	assert.Equal(t, tribune.StatusApproved, c.Status)

	// A forged or altered token opens nothing.
	status, _ = e.get(e.browser(), strings.Split(approve, "?")[0]+"x")
	assert.Equal(t, http.StatusNotFound, status)
	checkMailURLs(t, e.smtp.Messages(), "chloe@example.org", "Chloé", "Un avis à modérer")
}

func TestEditOwnComment(t *testing.T) {
	e := newMailEnv(t, widget.WithRules(tribune.WithModeration(tribune.ModerateNone)))
	author, other := e.browser(), e.browser()
	id := e.postAs(author, "Inès", "ines@example.org", "Une fote de frappe.\n\nDeuxième paragraphe.", "", false)

	_, page := e.get(author, e.pageURL())
	editURL := "/comments/comment/" + id + "/edit"
	assert.Contains(t, page, `<a rel="nofollow" href="`+editURL+`">Modifier</a>`)
	assert.Contains(t, page, `href="`+editURL+`#delete">Supprimer</a>`)
	_, page = e.get(other, e.pageURL())
	assert.NotContains(t, page, editURL, "another browser sees no edit link")

	status, page := e.get(author, e.srv.URL+editURL)
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, page, ">Une fote de frappe.\n\nDeuxième paragraphe.</textarea>", "the text as typed, without the sanitizer's markup")
	status, _ = e.get(other, e.srv.URL+editURL)
	assert.Equal(t, http.StatusNotFound, status, "somebody else's comment is not found")

	status, _ = e.postForm(author, e.srv.URL+editURL, url.Values{"comment": {""}})
	assert.Equal(t, http.StatusUnprocessableEntity, status)
	status, _ = e.postForm(author, e.srv.URL+editURL, url.Values{"comment": {"Une faute de frappe.\n\nDeuxième paragraphe."}})
	require.Equal(t, http.StatusSeeOther, status)
	c, err := e.store.Comment(t.Context(), mustUUID(t, id))
	require.NoError(t, err)
	assert.Equal(t, "<p>Une faute de frappe.</p>\n<p>Deuxième paragraphe.</p>\n", c.Body)
	assert.False(t, c.Edited.IsZero())
	assert.Equal(t, tribune.StatusApproved, c.Status)
	_, page = e.get(other, e.pageURL())
	assert.Contains(t, page, `<span class="tribune-edited">(modifié)</span>`)

	// An edit that adds links goes back to moderation.
	status, _ = e.postForm(author, e.srv.URL+editURL, url.Values{"comment": {"Voir https://a.example.org et https://b.example.org"}})
	require.Equal(t, http.StatusSeeOther, status)
	c, err = e.store.Comment(t.Context(), mustUUID(t, id))
	require.NoError(t, err)
	assert.Equal(t, tribune.StatusPending, c.Status, "an approved comment edited to hold links is held")

	// Another browser cannot edit or delete it.
	status, _ = e.postForm(other, e.srv.URL+"/comments/comment/"+id+"/delete", nil)
	assert.Equal(t, http.StatusNotFound, status)
	status, _ = e.postForm(author, e.srv.URL+"/comments/comment/"+id+"/delete", nil)
	require.Equal(t, http.StatusSeeOther, status)
	_, err = e.store.Comment(t.Context(), mustUUID(t, id))
	assert.ErrorIs(t, err, tribune.ErrNotFound)
}

func TestEditWindowCloses(t *testing.T) {
	clock := newTestClock()
	e := newMailEnv(t, widget.WithEditWindow(time.Minute), widget.WithRules(tribune.WithClock(clock.Now)),
		widget.WithRules(tribune.WithModeration(tribune.ModerateNone)))
	author := e.browser()
	id := e.postAs(author, "Inès", "ines@example.org", "Vite écrit.", "", false)
	editURL := e.srv.URL + "/comments/comment/" + id + "/edit"
	status, _ := e.get(author, editURL)
	require.Equal(t, http.StatusOK, status)
	clock.Advance(time.Minute + time.Second)
	status, page := e.get(author, editURL)
	assert.Equal(t, http.StatusForbidden, status)
	assert.Contains(t, page, `href="/comments/mail/manage"`, "after the window, the manage link is offered")
	_, page = e.get(author, e.pageURL())
	assert.NotContains(t, page, "/comment/"+id+"/edit")
}

func TestManageByMailAndVerifiedTrust(t *testing.T) {
	e := newMailEnv(t) // ModerateFirst
	home, work, impostor := e.browser(), e.browser(), e.browser()
	const addr = "Zoe@example.org"
	first := e.postAs(home, "Zoé", addr, "Premier commentaire de Zoé.", "", true)
	e.approve(first)
	confirmURL := link(t, e.waitFor(addr, 1)[0], "confirm")
	status, _ := e.postForm(home, confirmURL, url.Values{"confirm": {"yes"}})
	require.Equal(t, http.StatusOK, status)

	// From another browser, Zoé asks for a manage link; the answer says
	// the same for an unknown address.
	status, known := e.postForm(work, e.srv.URL+"/comments/mail/manage", url.Values{"email": {addr}})
	require.Equal(t, http.StatusOK, status)
	status, unknown := e.postForm(work, e.srv.URL+"/comments/mail/manage", url.Values{"email": {"nobody@example.org"}})
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, known, unknown, "the answer tells nobody who comments here")
	status, _ = e.postForm(work, e.srv.URL+"/comments/mail/manage", url.Values{"email": {"not an address"}})
	assert.Equal(t, http.StatusUnprocessableEntity, status)
	manageMail := e.waitFor(addr, 2)[1]
	manageURL := link(t, manageMail, "manage")

	// Before following it, the work browser is not trusted.
	held := e.postAs(work, "Zoé", addr, "Depuis le bureau, avant le lien.", "", false)
	c, err := e.store.Comment(t.Context(), mustUUID(t, held))
	require.NoError(t, err)
	assert.Equal(t, tribune.StatusPending, c.Status)

	status, page := e.get(work, manageURL)
	require.Equal(t, http.StatusOK, status)
	assert.NotContains(t, page, "Premier commentaire de Zoé.", "a GET (a mail scanner) opens nothing")
	assert.Contains(t, page, `name="open"`)
	status, page = e.postForm(work, manageURL, url.Values{"open": {"yes"}})
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, page, "Premier commentaire de Zoé.")
	assert.Contains(t, page, "Depuis le bureau")
	status, _ = e.postForm(impostor, manageURL, url.Values{"open": {"yes"}})
	assert.Equal(t, http.StatusGone, status, "the link is single-use: replayed elsewhere it opens nothing")
	status, _ = e.postForm(impostor, manageURL, url.Values{"export": {"json"}})
	assert.Equal(t, http.StatusGone, status, "nor does an action without the session")

	// The mailed link proves the address: this browser is now a regular's.
	ok := e.postAs(work, "Zoé", addr, "Depuis le bureau, après le lien.", "", false)
	c, err = e.store.Comment(t.Context(), mustUUID(t, ok))
	require.NoError(t, err)
	assert.Equal(t, tribune.StatusApproved, c.Status, "a verified regular is published at once")
	imp := e.postAs(impostor, "Zoé", addr, "Je me fais passer pour Zoé.", "", false)
	c, err = e.store.Comment(t.Context(), mustUUID(t, imp))
	require.NoError(t, err)
	assert.Equal(t, tribune.StatusPending, c.Status, "typing a verified address is not enough")

	// Delete one, download the data, erase everything.
	status, _ = e.postForm(work, manageURL, url.Values{"delete": {held}})
	require.Equal(t, http.StatusOK, status)
	_, err = e.store.Comment(t.Context(), mustUUID(t, held))
	assert.ErrorIs(t, err, tribune.ErrNotFound)
	status, data := e.postForm(work, manageURL, url.Values{"export": {"json"}})
	require.Equal(t, http.StatusOK, status)
	var export struct {
		Email    string `json:"email"`
		Comments []struct {
			ID    string `json:"id"`
			Email string `json:"email"`
		} `json:"comments"`
	}
	require.NoError(t, json.Unmarshal([]byte(data), &export))
	assert.Equal(t, "zoe@example.org", export.Email)
	assert.Len(t, export.Comments, 3, "the first, the approved one from work, and the impostor's (same address)")
	status, _ = e.postForm(work, manageURL, url.Values{"erase": {"all"}})
	require.Equal(t, http.StatusOK, status)
	left, err := e.h.Service().CommentsByEmail(t.Context(), tribune.StoredEmail(addr))
	require.NoError(t, err)
	assert.Empty(t, left)
	status, _ = e.get(work, manageURL)
	assert.Equal(t, http.StatusNotFound, status, "the address is forgotten: its link opens nothing")
	checkMailURLs(t, e.smtp.Messages(), addr, "Zoé", "Premier commentaire")
}

func mustUUID(t *testing.T, s string) uuid.UUID {
	t.Helper()
	id, err := uuid.Parse(s)
	require.NoError(t, err)
	return id
}

func TestMailFailuresOnModerationScreen(t *testing.T) {
	e := newMailEnv(t, widget.WithRules(tribune.WithModeration(tribune.ModerateNone)))
	e.smtp.Refuse(550)
	e.postAs(e.browser(), "Paul", "paul.bounce@example.org", "Mon adresse n’existe pas.", "", true)
	q, err := outbox.QueueOf(e.store)
	require.NoError(t, err)
	e.settle()
	failed, err := q.Mails(t.Context(), outbox.Failed, tribune.Span{})
	require.NoError(t, err)
	require.NotEmpty(t, failed, "a mail refused for good is failed at once")
	req, _ := http.NewRequest("GET", e.srv.URL+"/comments/admin/", nil)
	req.SetBasicAuth("admin", "pw")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	page := body(t, resp)
	assert.Contains(t, page, "E-mails non distribués")
	assert.Contains(t, page, "paul.bounce@example.org", "the moderator sees whom it was for")
	assert.Contains(t, page, "550")
	_, public := e.get(e.browser(), e.pageURL())
	assert.NotContains(t, public, "paul.bounce@example.org")
}

// TestWriteMailSample writes a reply notification, as it arrives, into
// $TRIBUNE_MAIL_SAMPLE (scripts/mail-screenshot.sh photographs it).
func TestWriteMailSample(t *testing.T) {
	dir := os.Getenv("TRIBUNE_MAIL_SAMPLE")
	if dir == "" {
		t.Skip("set TRIBUNE_MAIL_SAMPLE to a directory to write a sample notification there (scripts/mail-screenshot.sh does)")
	}
	e := newMailEnv(t, widget.WithRules(tribune.WithModeration(tribune.ModerateNone)))
	lea := e.browser()
	const addr = "claire@example.org"
	parent := e.postAs(lea, "Claire Dubois", addr, "Synthèse claire, merci. L’article 5 reste la clé de voûte.", "", true)
	status, _ := e.postForm(lea, link(t, e.waitFor(addr, 1)[0], "confirm"), url.Values{"confirm": {"yes"}})
	require.Equal(t, http.StatusOK, status)
	e.postAs(e.browser(), "Marc Lefèvre", "marc@example.org",
		"D’accord sur le constat, mais l’initiative arctique montre que les Européens savent aussi prendre la main.\n\nReste à financer tout cela.", parent, false)
	n := e.waitFor(addr, 2)[1]
	require.NoError(t, os.WriteFile(filepath.Join(dir, "notification.html"), []byte(n.HTML), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "notification.eml"), n.Raw, 0o644))
}

func TestMailNotForBots(t *testing.T) {
	e := newMailEnv(t)
	bot := e.browser()
	v := e.form(bot)
	v.Set("author", "Bot")
	v.Set("email", "victim@example.org")
	v.Set("comment", "Achetez maintenant.")
	v.Set("notify_replies", "yes")
	v.Set("tribune_homepage", "https://spam.example")
	resp := e.post(bot, v)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode, "the bot is answered as anyone")
	e.settle()
	assert.Empty(t, e.mailsTo("victim@example.org"), "a comment caught as spam subscribes nobody")
	assert.Empty(t, e.mailsTo("moderation@example.org"), "nor bothers the moderators")
}

// TestMailEscapesWhatVisitorsTyped: a hostile name and text reach the
// moderators' mail escaped and sanitized, in both parts.
func TestMailEscapesWhatVisitorsTyped(t *testing.T) {
	e := newMailEnv(t, widget.WithRules(tribune.WithModeration(tribune.ModerateAll)))
	e.postAs(e.browser(), `Ève "><img src=x onerror=alert(1)>`, "eve@example.org",
		`Bonjour <script>alert(1)</script><a href="javascript:alert(2)">lien</a> <b onclick="x()">gras</b>`, "", false)
	m := e.waitFor("moderation@example.org", 1)[0]
	for _, bad := range []string{"<img", "<script", "javascript:", "onclick"} {
		assert.NotContains(t, strings.ToLower(m.HTML), bad, "the HTML part")
	}
	assert.Contains(t, m.HTML, "&lt;img src=x onerror=alert(1)&gt;", "the name is escaped, not dropped")
	assert.Contains(t, m.HTML, "<b>gras</b>", "the allowed markup stays")
	subject := m.Header.Get("Subject")
	assert.NotContains(t, subject, "\n")
}

package widget_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribune-go/tribune"
	"github.com/tribune-go/tribune/outbox"
	"github.com/tribune-go/tribune/smtpmail"
	"github.com/tribune-go/tribune/widget"
)

// The attacks on the site's mail, each a test: nobody can make the site
// mail someone who did not ask, and a mailed link is its owner's once.

// verifiedVictim makes an address whose owner confirmed it, from their
// own browser, and returns that browser and their first comment.
func (e *mailEnv) verifiedVictim(addr string) (*http.Client, string) {
	e.t.Helper()
	owner := e.browser()
	id := e.postAs(owner, "Victime", addr, "Mon premier commentaire.", "", true)
	status, _ := e.postForm(owner, link(e.t, e.waitFor(addr, 1)[0], "confirm"), url.Values{"confirm": {"yes"}})
	require.Equal(e.t, http.StatusOK, status)
	return owner, id
}

func TestSubscriptionBombing(t *testing.T) {
	e := newMailEnv(t, widget.WithRules(tribune.WithModeration(tribune.ModerateNone)))
	const victim = "victim@example.org"
	e.verifiedVictim(victim)
	attacker := e.browser()

	// The attacker types the victim's confirmed address with the box
	// ticked, five times, and answers each comment.
	for i := range 5 {
		bait := e.postAs(attacker, "Victime", victim, "Abonnement piégé "+string(rune('A'+i)), "", true)
		e.postAs(attacker, "Troll", "troll@example.org", "Voici mon lien https://spam.example", bait, false)
	}
	e.settle()
	ms := e.mailsTo(victim)
	require.Len(t, ms, 1, "only the owner's own confirmation: the typed subscriptions send no reply mail, "+
		"and their confirmation waits a day after the last one")
	for _, m := range ms {
		assert.NotContains(t, m.Text, "spam.example", "no mail quotes the attacker")
	}

	// The victim answers "stop all mail" from a confirmation.
	stop := link(t, ms[0], "stop")
	status, page := e.get(e.browser(), stop)
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, page, `name="stop" value="all"`)
	status, _ = e.postForm(e.browser(), stop, url.Values{"stop": {"all"}})
	require.Equal(t, http.StatusOK, status)
	book, err := tribune.Addresses(e.store)
	require.NoError(t, err)
	_, err = book.UpdateAddress(t.Context(), victim, func(a *tribune.Address) error {
		a.ConfirmSent = a.ConfirmSent.Add(-48 * time.Hour) // two days later
		return nil
	})
	require.NoError(t, err)

	// A day later the attacker tries again: nothing goes out, not even a
	// confirmation.
	bait := e.postAs(attacker, "Victime", victim, "Encore un abonnement piégé.", "", true)
	e.postAs(attacker, "Troll", "troll@example.org", "Réponse.", bait, false)
	e.settle()
	assert.Len(t, e.mailsTo(victim), 1, "an address that stopped all mail hears nothing, not even a confirmation")
}

func TestSubscriptionFromProvedBrowserIsLive(t *testing.T) {
	e := newMailEnv(t, widget.WithRules(tribune.WithModeration(tribune.ModerateNone)))
	const addr = "lea@example.org"
	owner, _ := e.verifiedVictim(addr)
	mine := e.postAs(owner, "Léa", addr, "Un second avis, depuis mon navigateur.", "", true)
	e.postAs(e.browser(), "Marc", "marc@example.org", "Une réponse.", mine, false)
	ms := e.waitFor(addr, 2)
	assert.Contains(t, ms[1].Text, "Une réponse.", "a browser that proved the address subscribes at once")

	// After "stop all mail", the owner subscribing again from the proved
	// browser lifts it; typed elsewhere it does not.
	status, _ := e.postForm(e.browser(), strings.Trim(ms[1].Header.Get("List-Unsubscribe"), "<>"), url.Values{"stop": {"all"}})
	require.Equal(t, http.StatusOK, status)
	again := e.postAs(owner, "Léa", addr, "Je veux bien les réponses, finalement.", "", true)
	e.postAs(e.browser(), "Marc", "marc@example.org", "Une autre réponse.", again, false)
	assert.Contains(t, e.waitFor(addr, 3)[2].Text, "Une autre réponse.")
}

func TestReplyMailBudgetHoldsAcrossInstances(t *testing.T) {
	e := newMailEnv(t, widget.WithRules(tribune.WithModeration(tribune.ModerateNone)))
	const addr = "busy@example.org"
	owner, _ := e.verifiedVictim(addr)
	parent := e.postAs(owner, "Busy", addr, "Un avis très discuté.", "", true)

	// Two instances of the site on the same store, each with its own
	// process memory, a budget of 3 a day: the budget is the store's.
	instance := func() *widget.Handler {
		m, err := smtpmail.New(smtpmail.Config{Addr: e.smtp.Addr, Security: smtpmail.Plain, From: "commentaires@example.org", Timeout: 5 * time.Second})
		require.NoError(t, err)
		ob, err := outbox.New(e.store, m, outbox.Config{}) // not run: e's outbox sends what they queue
		require.NoError(t, err)
		h, err := widget.New(e.store, widget.WithSecret([]byte("a test secret of at least 32 bytes!")),
			widget.WithRules(tribune.WithFloodInterval(0), tribune.WithModeration(tribune.ModerateNone)),
			widget.WithSiteURL(e.srv.URL), widget.WithMail(ob, widget.Mail{SiteName: "Le Quotidien", DailyReplies: 3}),
			widget.WithLogger(slog.New(slog.DiscardHandler)))
		require.NoError(t, err)
		return h
	}
	instances := []*widget.Handler{instance(), instance()}
	for i := range 8 {
		sub := tribune.Submission{Input: tribune.CommentInput{ArticleID: e.article.ID, ParentID: mustUUID(t, parent),
			Name: "Voisin", Email: "voisin@example.org", Body: "Réponse numéro " + string(rune('1'+i))}}
		c, err := instances[i%2].Service().Submit(t.Context(), sub)
		require.NoError(t, err)
		require.Equal(t, tribune.StatusApproved, c.Status)
	}
	e.waitFor(addr, 1+3)
	e.settle()
	assert.Len(t, e.mailsTo(addr), 1+3, "the confirmation and 3 replies: the day's budget, counted across both instances")
	assert.Equal(t, 10, widget.DefaultDailyReplies)
}

func TestHEADOnMailedLinksDoesNotAct(t *testing.T) {
	e := newMailEnv(t, widget.WithRules(tribune.WithModeration(tribune.ModerateNone)))
	const addr = "head@example.org"
	browser := e.browser()
	parent := e.postAs(browser, "Tête", addr, "Un avis.", "", true)
	confirm := e.waitFor(addr, 1)[0]
	head := func(u string) int {
		req, err := http.NewRequest(http.MethodHead, u, nil)
		require.NoError(t, err)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		return resp.StatusCode
	}
	assert.Equal(t, http.StatusOK, head(link(t, confirm, "confirm")))
	assert.Equal(t, http.StatusOK, head(link(t, confirm, "stop")))
	book, err := tribune.Addresses(e.store)
	require.NoError(t, err)
	sub, err := book.Subscription(t.Context(), mustUUID(t, parent))
	require.NoError(t, err)
	assert.True(t, sub.Confirmed.IsZero(), "HEAD on the confirm link confirms nothing")
	a, err := book.Address(t.Context(), addr)
	require.NoError(t, err)
	assert.True(t, a.OptedOut.IsZero(), "HEAD on the stop link stops nothing")

	status, _ := e.postForm(browser, link(t, confirm, "confirm"), url.Values{"confirm": {"yes"}})
	require.Equal(t, http.StatusOK, status)
	e.postAs(e.browser(), "Marc", "marc@example.org", "Réponse.", parent, false)
	unsub := strings.Trim(e.waitFor(addr, 2)[1].Header.Get("List-Unsubscribe"), "<>")
	assert.Equal(t, http.StatusOK, head(unsub))
	sub, err = book.Subscription(t.Context(), mustUUID(t, parent))
	require.NoError(t, err)
	assert.True(t, sub.Active, "HEAD on the unsubscribe link unsubscribes nothing")
	assert.Equal(t, http.StatusOK, head(e.srv.URL+"/comments/mail/manage"))
}

func TestMailedLinksAreSingleUse(t *testing.T) {
	e := newMailEnv(t) // ModerateFirst
	const addr = "zoe@example.org"
	owner := e.browser()
	first := e.postAs(owner, "Zoé", addr, "Premier commentaire.", "", true)
	e.approve(first)
	confirmURL := link(t, e.waitFor(addr, 1)[0], "confirm")
	status, _ := e.postForm(owner, confirmURL, url.Values{"confirm": {"yes"}})
	require.Equal(t, http.StatusOK, status)

	// Replayed from another browser (a stolen mail, a forwarded one), the
	// link proves nothing: no verified cookie, the next post is held.
	thief := e.browser()
	status, page := e.postForm(thief, confirmURL, url.Values{"confirm": {"yes"}})
	assert.Equal(t, http.StatusGone, status)
	assert.Contains(t, page, "Ce lien a déjà servi")
	held := e.postAs(thief, "Zoé", addr, "Je suis Zoé, croyez-moi.", "", false)
	c, err := e.store.Comment(t.Context(), mustUUID(t, held))
	require.NoError(t, err)
	assert.Equal(t, tribune.StatusPending, c.Status, "a replayed confirm link earns no trust")

	// Nor does a browser that posted an approved comment under an address
	// it never proved earn trust for it.
	e.approve(held)
	again := e.postAs(thief, "Zoé", addr, "Encore moi.", "", false)
	c, err = e.store.Comment(t.Context(), mustUUID(t, again))
	require.NoError(t, err)
	assert.Equal(t, tribune.StatusPending, c.Status, "trust is never earned for an address the browser never proved")
	mine := e.postAs(owner, "Zoé", addr, "Et moi, la vraie.", "", false)
	c, err = e.store.Comment(t.Context(), mustUUID(t, mine))
	require.NoError(t, err)
	assert.Equal(t, tribune.StatusApproved, c.Status, "the browser that proved it is trusted")
}

func TestModeratorLinkActsOnItsVersion(t *testing.T) {
	e := newMailEnv(t, widget.WithRules(tribune.WithModeration(tribune.ModerateAll)))
	author := e.browser()
	id := e.postAs(author, "Chloé", "chloe@example.org", "Un avis anodin.", "", false)
	approve := strings.Split(link(t, e.waitFor("moderation@example.org", 1)[0], "moderate"), "?")[0]

	// The author rewrites the comment after the mail went out.
	status, _ := e.postForm(author, e.srv.URL+"/comments/comment/"+id+"/edit", url.Values{"comment": {"Un tout autre texte."}})
	require.Equal(t, http.StatusSeeOther, status)
	status, page := e.postForm(e.browser(), approve, url.Values{"action": {"approve"}})
	assert.Equal(t, http.StatusConflict, status)
	assert.Contains(t, page, "Ce commentaire a changé depuis l’envoi")
	c, err := e.store.Comment(t.Context(), mustUUID(t, id))
	require.NoError(t, err)
	assert.Equal(t, tribune.StatusPending, c.Status, "the link approved nothing it was not sent for")
}

func TestMailTokensNotLogged(t *testing.T) {
	var logs bytes.Buffer
	e := newMailEnv(t, widget.WithRules(tribune.WithModeration(tribune.ModerateNone)),
		widget.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	const addr = "log@example.org"
	e.postAs(e.browser(), "Journal", addr, "Un avis.", "", true)
	confirm := link(t, e.waitFor(addr, 1)[0], "confirm")
	u, err := url.Parse(confirm)
	require.NoError(t, err)
	tok := u.Path[strings.LastIndex(u.Path, "/")+1:]
	// A request that fails logs its path: the database is gone.
	require.NoError(t, e.store.(interface{ Close() error }).Close())
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, u.Path, nil))
	require.Equal(t, http.StatusServiceUnavailable, rec.Code)
	require.Contains(t, logs.String(), "/comments/mail/confirm/REDACTED", "the failure is logged, its token redacted")
	assert.NotContains(t, logs.String(), tok)
	assert.Equal(t, "/comments/mail/confirm/REDACTED", widget.RedactPath(u.Path))
}

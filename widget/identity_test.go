package widget_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribune-go/tribune"
	"github.com/tribune-go/tribune/widget"
)

// testUsers stand for a host's accounts; the test's "session" is a plain
// cookie naming the user, which is all WithIdentity needs to see.
var testUsers = map[string]tribune.Identity{
	"claire": {UserID: "u-claire", Name: "Claire Dubois", Email: "claire.user@example.org", Trusted: true},
	"newbie": {UserID: "u-newbie", Name: "Nouveau Venu", Email: "newbie.user@example.org"},
	"mod":    {UserID: "u-mod", Name: "Modératrice", Email: "mod.user@example.org", Moderator: true},
}

func identityFromCookie(r *http.Request) (tribune.Identity, bool) {
	c, err := r.Cookie("test_user")
	if err != nil {
		return tribune.Identity{}, false
	}
	id, ok := testUsers[c.Value]
	return id, ok
}

func signIn(t *testing.T, e *env, c *http.Client, user string) {
	u, _ := url.Parse(e.srv.URL)
	c.Jar.SetCookies(u, []*http.Cookie{{Name: "test_user", Value: user, Path: "/"}})
}

func TestSignedInUsers(t *testing.T) {
	e := newEnv(t, widget.WithIdentity(identityFromCookie, widget.Accounts{Profile: "/compte", LogOut: "/deconnexion", LogIn: "/connexion"}),
		widget.WithRules(tribune.WithModeration(tribune.ModerateFirst)))
	claire := e.browser()
	signIn(t, e, claire, "claire")
	_, page := e.get(claire, e.pageURL())
	assert.Contains(t, page, "Connecté en tant que Claire Dubois.")
	assert.Contains(t, page, `<a href="/compte">Modifier votre profil</a>`)
	assert.Contains(t, page, `<a href="/deconnexion">Se déconnecter`)
	form := page[strings.Index(page, "<form"):]
	assert.NotContains(t, form, `name="author"`, "no name field for a signed-in user")
	assert.NotContains(t, form, `name="email"`)

	// She types no name or email, and a trusted user is published at once.
	v := e.form(claire)
	v.Set("comment", "Commentaire d’une abonnée")
	resp := e.post(claire, v)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	id := idRE.FindString(resp.Header.Get("Location"))
	all, err := e.store.FindComments(context.Background(), tribune.Query{ArticleID: e.article.ID})
	require.NoError(t, err)
	require.Len(t, all, 1)
	assert.Equal(t, id, all[0].ID.String())
	assert.Equal(t, "u-claire", all[0].UserID)
	assert.Equal(t, "Claire Dubois", all[0].AuthorName)
	assert.Equal(t, tribune.StatusApproved, all[0].Status, "trusted: no ModerateFirst hold")
	_, public := e.get(e.browser(), e.pageURL())
	assert.Contains(t, public, "Commentaire d’une abonnée")
	assert.NotContains(t, public, "claire.user@example.org")

	// A signed-in user who is not trusted is held like anyone new.
	newbie := e.browser()
	signIn(t, e, newbie, "newbie")
	v = e.form(newbie)
	v.Set("comment", "Premier message d’un nouveau compte")
	require.Equal(t, http.StatusSeeOther, e.post(newbie, v).StatusCode)
	pending, _ := e.store.FindComments(context.Background(), tribune.Query{Statuses: []tribune.Status{tribune.StatusPending}})
	require.Len(t, pending, 1)
	assert.Equal(t, "u-newbie", pending[0].UserID)

	// A moderator sees the held comment on the page with its buttons, and
	// approves it there.
	mod := e.browser()
	signIn(t, e, mod, "mod")
	_, modPage := e.get(mod, e.pageURL())
	assert.Contains(t, modPage, "Premier message d’un nouveau compte", "the moderator sees held comments")
	assert.Contains(t, modPage, `value="approve:`+pending[0].ID.String()+`"`)
	assert.Contains(t, modPage, `value="unapprove:`+id+`"`)
	m := regexp1(`name="tribune_admin" value="([^"]+)"`, modPage)
	form2 := url.Values{"tribune_admin": {m}, "one": {"approve:" + pending[0].ID.String()},
		"return": {"/comments/articles/otan#comment-" + pending[0].ID.String()}}
	req, _ := http.NewRequest("POST", e.srv.URL+"/comments/admin/", strings.NewReader(form2.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err = mod.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	assert.Equal(t, "/comments/articles/otan#comment-"+pending[0].ID.String(), resp.Header.Get("Location"), "back to the page")
	got, _ := e.store.Comment(context.Background(), pending[0].ID)
	assert.Equal(t, tribune.StatusApproved, got.Status)

	// A visitor who is not signed in sees no buttons and cannot moderate.
	_, anon := e.get(e.browser(), e.pageURL())
	assert.NotContains(t, anon, "tribune-moderate")
	assert.Contains(t, anon, `name="author"`, "the anonymous form")
	req, _ = http.NewRequest("POST", e.srv.URL+"/comments/admin/", strings.NewReader(form2.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err = e.browser().Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)

	// An off-site return address is not followed.
	form2.Set("return", "//evil.example/")
	form2.Set("one", "spam:"+pending[0].ID.String())
	req, _ = http.NewRequest("POST", e.srv.URL+"/comments/admin/", strings.NewReader(form2.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err = mod.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.True(t, strings.HasPrefix(resp.Header.Get("Location"), "/comments/admin/"), resp.Header.Get("Location"))
}

func TestSignedInOnly(t *testing.T) {
	e := newEnv(t, widget.WithIdentity(identityFromCookie, widget.Accounts{LogIn: "/connexion", SignedInOnly: true}))
	anon := e.browser()
	_, page := e.get(anon, e.pageURL())
	assert.Contains(t, page, `<a href="/connexion">Vous devez être connecté pour publier un commentaire.</a>`)
	assert.NotContains(t, page, `<form action="/comments/post"`)
	m := tokenRE.FindStringSubmatch(page)
	assert.Nil(t, m, "no form, no token")
	claire := e.browser()
	signIn(t, e, claire, "claire")
	v := e.form(claire)
	v.Set("comment", "réservé aux abonnés")
	require.Equal(t, http.StatusSeeOther, e.post(claire, v).StatusCode)
	// A post from a visitor who is not signed in is refused.
	v = e.form(claire)
	v.Set("comment", "anonyme")
	resp := e.post(anon, valid(v, "anonyme"))
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)
	assert.Contains(t, body(t, resp), "Vous devez être connecté pour publier un commentaire.")

	_, err := widget.New(e.store, widget.WithIdentity(nil, widget.Accounts{SignedInOnly: true}))
	assert.Error(t, err, "WithIdentity without a function")
}

func regexp1(pattern, s string) string {
	m := regexp.MustCompile(pattern).FindStringSubmatch(s)
	if m == nil {
		return ""
	}
	return m[1]
}

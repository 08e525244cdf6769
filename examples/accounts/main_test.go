package main_test

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribune-go/tribune/internal/exampletest"
)

type client struct {
	t    *testing.T
	base string
	c    *http.Client
}

func newClient(t *testing.T, base string) *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: t, base: base, c: &http.Client{Jar: jar, Timeout: 10 * time.Second}}
}

func (c *client) get(path string) string {
	c.t.Helper()
	resp, err := c.c.Get(c.base + path)
	require.NoError(c.t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	require.Equal(c.t, http.StatusOK, resp.StatusCode)
	return string(b)
}

// post sends a form as the browser would (same origin) and follows the
// redirect.
func (c *client) post(path string, form url.Values) string {
	c.t.Helper()
	req, _ := http.NewRequest("POST", c.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", c.base)
	resp, err := c.c.Do(req)
	require.NoError(c.t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	require.Equal(c.t, http.StatusOK, resp.StatusCode, "%s", b)
	return string(b)
}

var hiddenRE = regexp.MustCompile(`<input type="hidden" name="([^"]+)"(?: id="[^"]*")? value="([^"]*)">`)

// commentForm returns the hidden fields of the page's comment form.
func commentForm(page string) url.Values {
	form := url.Values{}
	start := strings.Index(page, `id="commentform"`)
	for _, m := range hiddenRE.FindAllStringSubmatch(page[start:], -1) {
		form.Set(m[1], m[2])
	}
	return form
}

func TestAccounts(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the example")
	}
	base := exampletest.Start(t, exampletest.Build(t), "-addr", "127.0.0.1:0", "-demo-password", "pw", "-flood", "0")

	// Signed out: the ordinary form.
	anon := newClient(t, base)
	page := anon.get("/")
	assert.Contains(t, page, `name="author"`)
	assert.Contains(t, page, `id="login"`)

	// Claire signs in and comments without typing her name or email: she
	// is published at once.
	claire := newClient(t, base)
	page = claire.post("/login", url.Values{"login": {"claire"}, "password": {"pw"}})
	assert.Contains(t, page, "Connecté en tant que Claire Dubois.")
	assert.NotContains(t, page[strings.Index(page, `id="commentform"`):], `name="author"`)
	form := commentForm(page)
	form.Set("comment", "Je commente sans retaper mon nom.")
	claire.post("/comments/post", form)
	assert.Contains(t, anon.get("/"), "Je commente sans retaper mon nom.", "published at once")
	assert.NotContains(t, anon.get("/"), "claire@example.org")

	// A visitor's comment is held; the moderator approves it from the page.
	form = commentForm(anon.get("/"))
	form.Set("author", "Lecteur")
	form.Set("email", "lecteur@example.org")
	form.Set("comment", "Un commentaire à modérer.")
	anon.post("/comments/post", form)
	visitor := newClient(t, base)
	assert.NotContains(t, visitor.get("/"), "Un commentaire à modérer.")

	mod := newClient(t, base)
	page = mod.post("/login", url.Values{"login": {"moderatrice"}, "password": {"pw"}})
	assert.Contains(t, page, "Un commentaire à modérer.", "the moderator sees it")
	m := regexp.MustCompile(`<form class="tribune-moderate" method="post" action="([^"]+)"><input type="hidden" name="tribune_admin" value="([^"]+)"><input type="hidden" name="return" value="([^"]+)"> <button type="submit" name="one" value="(approve:[^"]+)"`).FindStringSubmatch(page)
	require.NotNil(t, m, "approve buttons on the page")
	mod.post(m[1], url.Values{"tribune_admin": {m[2]}, "return": {m[3]}, "one": {m[4]}})
	assert.Contains(t, visitor.get("/"), "Un commentaire à modérer.", "approved from the article page")

	// A wrong password is refused.
	page = newClient(t, base).post("/login", url.Values{"login": {"claire"}, "password": {"nope"}})
	assert.Contains(t, page, "Identifiant ou mot de passe incorrect.")
}

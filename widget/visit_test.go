package widget_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribune-go/tribune"
	"github.com/tribune-go/tribune/widget"
)

// TestOneVisitPerRequest checks that the widget works out who a request
// is once: the host's identity hook is asked once per request, whatever
// the path (a page, a post that fails validation and shows the page
// again, a post that succeeds, a permalink, the API, the moderation
// screen, a section a host renders itself), and its language, client
// network and own-comment cookies with it (see widget/visit.go).
func TestOneVisitPerRequest(t *testing.T) {
	var calls atomic.Int64
	counted := func(r *http.Request) (tribune.Identity, bool) {
		calls.Add(1)
		return identityFromCookie(r)
	}
	e := newEnv(t, widget.WithIdentity(counted, widget.Accounts{LogIn: "/connexion"}),
		widget.WithRules(tribune.WithModeration(tribune.ModerateFirst)))
	once := func(what string, do func()) {
		t.Helper()
		calls.Store(0)
		do()
		assert.Equal(t, int64(1), calls.Load(), "%s: the identity hook is asked once", what)
	}
	atMostOnce := func(what string, do func()) {
		t.Helper()
		calls.Store(0)
		do()
		assert.LessOrEqual(t, calls.Load(), int64(1), "%s: the identity hook is asked at most once", what)
	}
	claire, mod := e.browser(), e.browser()
	signIn(t, e, claire, "claire")
	signIn(t, e, mod, "mod")

	once("article page", func() { e.get(claire, e.pageURL()) })
	v := e.form(claire)
	once("post refused by validation", func() {
		bad := url.Values{}
		for k, x := range v {
			bad[k] = x
		}
		bad.Set("comment", "")
		assert.Equal(t, http.StatusUnprocessableEntity, e.post(claire, bad).StatusCode)
	})
	var loc string
	once("post", func() {
		v.Set("comment", "Un commentaire compté")
		resp := e.post(claire, v)
		require.Equal(t, http.StatusSeeOther, resp.StatusCode)
		loc = resp.Header.Get("Location")
	})
	once("permalink", func() { e.get(claire, e.srv.URL+loc) })
	once("moderator's article page", func() { e.get(mod, e.pageURL()) })
	// The API lists what anyone sees: it need not ask.
	atMostOnce("API list", func() { e.get(mod, e.srv.URL+"/comments/api/articles/"+e.article.ID.String()+"/comments") })
	once("moderation screen", func() { e.get(mod, e.srv.URL+"/comments/admin/") })
	once("section rendered by the host", func() {
		r := httptest.NewRequest("GET", "/otan", nil)
		r.AddCookie(&http.Cookie{Name: "test_user", Value: "claire"})
		_, err := e.h.SectionHTML(r, &e.article)
		require.NoError(t, err)
	})
}

package widget_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribune-go/tribune"
	"github.com/tribune-go/tribune/widget"
)

// TestBudgetsHoldAcrossInstances: two widget instances on one PostgreSQL
// or MariaDB database (behind a load balancer) give a client the posting
// budget of one — three posts at once, then one each ten seconds — and
// the failed-login budget of one, whichever instance each request
// reaches.
func TestBudgetsHoldAcrossInstances(t *testing.T) {
	for _, be := range []struct {
		name string
		open sharedStores
	}{{"PostgreSQL", pgShared}, {"MariaDB", mysqlShared}} {
		t.Run(be.name, func(t *testing.T) {
			a, b := be.open(t)
			article := newArticle(t, a)
			clk := newTestClock()
			instance := func(s tribune.Store) *httptest.Server {
				h, err := widget.New(s, widget.WithSecret([]byte("a test secret of at least 32 bytes!")),
					widget.WithLimits(widget.Limits{MinSubmitDelay: widget.Off, PostsPerMinute: 6, Burst: 3}),
					widget.WithAdmin(widget.BasicAuth("admin", "pw")), widget.WithLogger(quietLogger()),
					widget.WithRules(tribune.WithModeration(tribune.ModerateNone), tribune.WithFloodInterval(0), tribune.WithClock(clk.Now)))
				require.NoError(t, err)
				mux := http.NewServeMux()
				mux.Handle("/comments/", h)
				return newServer(t, mux)
			}
			servers := []*httptest.Server{instance(a), instance(b)}
			client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			n := 0
			post := func(srv *httptest.Server) *http.Response {
				t.Helper()
				resp, err := client.Get(srv.URL + "/comments/articles/" + article.Slug)
				require.NoError(t, err)
				page, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				m := tokenRE.FindStringSubmatch(string(page))
				require.NotNil(t, m)
				n++
				v := valid(url.Values{"article": {article.ID.String()}, "tribune_token": {m[1]}}, "Commentaire "+strings.Repeat("n", n))
				resp, err = client.PostForm(srv.URL+"/comments/post", v)
				require.NoError(t, err)
				resp.Body.Close()
				return resp
			}
			for i := range 3 {
				resp := post(servers[i%2])
				require.Equal(t, http.StatusSeeOther, resp.StatusCode, "post %d of a burst of 3, on instance %d", i+1, i%2+1)
			}
			for i := range 2 {
				resp := post(servers[i%2])
				assert.Equal(t, http.StatusTooManyRequests, resp.StatusCode, "the burst is spent on both instances (instance %d)", i%2+1)
				assert.Equal(t, "11", resp.Header.Get("Retry-After"))
			}
			clk.Advance(10 * time.Second)
			assert.Equal(t, http.StatusSeeOther, post(servers[1]).StatusCode, "one post back after ten seconds")
			assert.Equal(t, http.StatusTooManyRequests, post(servers[0]).StatusCode, "and only one")

			login := func(srv *httptest.Server, password string) int {
				t.Helper()
				req, _ := http.NewRequest("GET", srv.URL+"/comments/admin/", nil)
				req.SetBasicAuth("admin", password)
				resp, err := client.Do(req)
				require.NoError(t, err)
				resp.Body.Close()
				return resp.StatusCode
			}
			for i := range 10 {
				require.Equal(t, http.StatusUnauthorized, login(servers[i%2], "guess"), "guess %d", i+1)
			}
			assert.Equal(t, http.StatusTooManyRequests, login(servers[0], "pw"), "ten guesses spread over two instances spend the budget of one")
			assert.Equal(t, http.StatusTooManyRequests, login(servers[1], "pw"))
			clk.Advance(6 * time.Second)
			assert.Equal(t, http.StatusOK, login(servers[1], "pw"), "one guess back after six seconds")
		})
	}
}

package widget_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribune-go/tribune"
	"github.com/tribune-go/tribune/mysqlstore"
	"github.com/tribune-go/tribune/widget"
)

// mysqlShared opens a fresh MariaDB/MySQL database twice (two instances
// on one database), or skips when none is configured.
func mysqlShared(t *testing.T) (tribune.Store, tribune.Store) {
	dsn := os.Getenv("TRIBUNE_TEST_MYSQL")
	if dsn == "" {
		t.Skip("MySQL tests skipped: set TRIBUNE_TEST_MYSQL to a mysql:// URL (.ci/run starts a MariaDB)")
	}
	cfg, err := mysqlstore.ParseDSN(dsn)
	require.NoError(t, err)
	name := "w_" + strings.ReplaceAll(uuid.NewString(), "-", "")[:16]
	conn, err := mysql.NewConnector(cfg)
	require.NoError(t, err)
	admin := sql.OpenDB(conn)
	_, err = admin.Exec("CREATE DATABASE " + name + " CHARACTER SET utf8mb4 COLLATE utf8mb4_bin")
	require.NoError(t, err)
	cfg.DBName = name
	open := func() tribune.Store {
		s, err := mysqlstore.OpenConfig(context.Background(), cfg)
		require.NoError(t, err)
		t.Cleanup(func() { s.Close() })
		return s
	}
	a, b := open(), open()
	t.Cleanup(func() {
		_, _ = admin.Exec("DROP DATABASE " + name)
		admin.Close()
	})
	return a, b
}

// TestDoubleClickAnswersTheStoredComment: a form sent twice at once (a
// double click on "Publier") and sent again after the flood interval (a
// resend) gets the same 303 to the one stored comment every time, never
// the duplicate page, on every SQL store: the form's idempotency key wins
// over the duplicate and flood rules.
func TestDoubleClickAnswersTheStoredComment(t *testing.T) {
	for _, be := range []struct {
		name string
		open sharedStores
	}{{"SQLite", sqliteShared}, {"PostgreSQL", pgShared}, {"MariaDB", mysqlShared}} {
		t.Run(be.name, func(t *testing.T) {
			store, _ := be.open(t)
			a := newArticle(t, store)
			const flood = 15 * time.Second
			clk := newTestClock()
			h, err := widget.New(store, widget.WithLimits(widget.Limits{MinSubmitDelay: widget.Off, PostsPerMinute: widget.Off}), widget.WithLogger(quietLogger()),
				widget.WithRules(tribune.WithModeration(tribune.ModerateNone), tribune.WithFloodInterval(flood), tribune.WithClock(clk.Now)))
			require.NoError(t, err)
			mux := http.NewServeMux()
			mux.Handle("/comments/", h)
			srv := httptest.NewServer(mux)
			defer srv.Close()
			client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			send := func(form url.Values) string {
				req, _ := http.NewRequest("POST", srv.URL+"/comments/post", strings.NewReader(form.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				resp, err := client.Do(req)
				if err != nil {
					return err.Error()
				}
				resp.Body.Close()
				if resp.StatusCode != http.StatusSeeOther {
					return resp.Status
				}
				return resp.Header.Get("Location")
			}
			const forms = 10
			for i := range forms {
				resp, err := client.Get(srv.URL + "/comments/articles/" + a.Slug)
				require.NoError(t, err)
				m := tokenRE.FindStringSubmatch(body(t, resp))
				require.NotNil(t, m)
				form := url.Values{"article": {a.ID.String()}, "tribune_token": {m[1]}, "author": {"Double"},
					"email": {"double@example.org"}, "comment": {fmt.Sprint("Publié d’un double clic, numéro ", i)}}
				locs := make([]string, 2)
				var pair sync.WaitGroup
				for k := range 2 {
					pair.Go(func() { locs[k] = send(form) })
				}
				pair.Wait()
				require.True(t, strings.Contains(locs[0], "/comment/"), "form %d: %s", i, locs[0])
				assert.Equal(t, locs[0], locs[1], "form %d: both clicks land on the stored comment", i)
				clk.Advance(flood + time.Second)
				assert.Equal(t, locs[0], send(form), "form %d: a resend after the flood interval too", i)
			}
			all, err := store.FindComments(context.Background(), tribune.Query{ArticleID: a.ID})
			require.NoError(t, err)
			assert.Len(t, all, forms, "one comment per form")
		})
	}
}

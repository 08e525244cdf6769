package widget_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribune-go/tribune"
	"github.com/tribune-go/tribune/pgstore"
	"github.com/tribune-go/tribune/sqlitestore"
	"github.com/tribune-go/tribune/widget"
)

// Tests that the widget stays bounded and consistent under load: memory
// held by caches, exactly-once posts, never-stale caches across instances.

// sharedStores opens two stores on one database, as two instances of a
// site would: two SQLite connections to one file, or two PostgreSQL pools
// on one schema made for the test. The SQLite pair reads revisions for
// every page (OtherWritersLag −1), so that each sees the other's writes
// at once as PostgreSQL's and MySQL's do.
type sharedStores func(t *testing.T) (a, b tribune.Store)

func sqliteShared(t *testing.T) (tribune.Store, tribune.Store) {
	path := filepath.Join(t.TempDir(), "shared.db")
	exact := sqlitestore.WithTuning(sqlitestore.Tuning{OtherWritersLag: -1})
	a, err := sqlitestore.Open(context.Background(), path, exact)
	require.NoError(t, err)
	t.Cleanup(func() { a.Close() })
	b, err := sqlitestore.Open(context.Background(), path, exact)
	require.NoError(t, err)
	t.Cleanup(func() { b.Close() })
	return a, b
}

// pgSchema returns the test DSN and a schema made for the test (dropped
// after it), or skips when no PostgreSQL is configured.
func pgSchema(t testing.TB) (dsn, schema string) {
	dsn = os.Getenv("TRIBUNE_TEST_POSTGRES")
	if dsn == "" {
		t.Skip("PostgreSQL tests skipped: set TRIBUNE_TEST_POSTGRES to a DSN (.ci/run starts one)")
	}
	ctx := context.Background()
	schema = "w_" + strings.ReplaceAll(uuid.NewString(), "-", "")[:16]
	conn, err := pgx.Connect(ctx, dsn)
	require.NoError(t, err)
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, "CREATE SCHEMA "+schema)
	require.NoError(t, err)
	t.Cleanup(func() {
		conn, err := pgx.Connect(context.Background(), dsn)
		if err == nil {
			_, _ = conn.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
			conn.Close(context.Background())
		}
	})
	return dsn, schema
}

func openPG(t testing.TB, dsn, schema string, opts ...pgstore.Option) *pgstore.Store {
	s, err := pgstore.Open(context.Background(), dsn, append([]pgstore.Option{pgstore.WithSchema(schema)}, opts...)...)
	require.NoError(t, err)
	t.Cleanup(s.Close)
	return s
}

func pgShared(t *testing.T) (tribune.Store, tribune.Store) {
	dsn, schema := pgSchema(t)
	return openPG(t, dsn, schema), openPG(t, dsn, schema)
}

var backends = []struct {
	name string
	open sharedStores
}{{"SQLite", sqliteShared}, {"PostgreSQL", pgShared}}

func newArticle(t *testing.T, s tribune.Store) tribune.Article {
	a, err := tribune.NewArticle(tribune.ArticleInput{Slug: "load-" + uuid.NewString()[:8], Title: "Charge", Lang: "fr", Body: "<p>Texte</p>"})
	require.NoError(t, err)
	require.NoError(t, s.CreateArticle(context.Background(), &a))
	return a
}

// view GETs the article page through h and returns its body.
func view(t *testing.T, h *widget.Handler, a tribune.Article) string {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/comments/articles/"+a.Slug, nil))
	require.Equal(t, http.StatusOK, rec.Code)
	return rec.Body.String()
}

// heapAfterGC is the live heap once the collector has run.
func heapAfterGC() int64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}

// TestMemoryStaysInBudget posts 1,000 comments into a 1,000-comment thread
// with a page view after each, then pending and spam posts, then feeds
// from many clients at once: the heap left after each stays within the
// cache budget plus a small constant, where it used to keep a whole copy
// of the thread per comment posted.
func TestMemoryStaysInBudget(t *testing.T) {
	if testing.Short() {
		t.Skip("posts and views 1,600 comments")
	}
	if raceDetector {
		t.Skip("a memory figure under -race means nothing: .ci/run runs this test again without it")
	}
	const budget = 8 << 20
	const slack = 24 << 20 // the store's own caches, the runtime, the test
	ctx := context.Background()
	store, err := sqlitestore.Open(ctx, filepath.Join(t.TempDir(), "memory.db"))
	require.NoError(t, err)
	defer store.Close()
	a := newArticle(t, store)
	text := strings.Repeat("Un commentaire d’une longueur ordinaire, avec une phrase ou deux. ", 12)
	body := tribune.SanitizeComment(text)
	for i := range 1000 {
		c := tribune.Comment{ID: uuid.New(), ArticleID: a.ID, AuthorName: fmt.Sprint("Lecteur ", i), Body: body,
			Status: tribune.StatusApproved, Version: 1, Created: time.Now().Add(time.Duration(i-5000) * time.Second).UTC().Truncate(time.Microsecond)}
		require.NoError(t, store.CreateComment(ctx, &c, tribune.Guard{}))
	}
	h, err := widget.New(store, widget.WithCacheBudget(budget), widget.WithLogger(quietLogger()),
		widget.WithRules(tribune.WithModeration(tribune.ModerateNone), tribune.WithFloodInterval(0), tribune.WithFilters(tribune.Filters{HoldWords: []string{"[attente]"}})))
	require.NoError(t, err)
	view(t, h, a)
	base := heapAfterGC()
	post := func(i int, extra string, spam bool) {
		_, err := h.Service().Submit(ctx, tribune.Submission{ClientAddr: fmt.Sprintf("198.51.100.%d", i%250), SuspectedSpam: spam,
			Input: tribune.CommentInput{ArticleID: a.ID, Name: "Nouveau", Email: "n@example.org", Body: fmt.Sprint(text, i, extra)}})
		require.NoError(t, err)
	}
	check := func(step string) {
		t.Helper()
		grown := heapAfterGC() - base
		t.Logf("%s: heap grew by %.1f MiB (budget %d MiB)", step, float64(grown)/(1<<20), budget>>20)
		assert.Less(t, grown, int64(budget+slack), step)
	}
	for i := range 1000 {
		post(i, "", false)
		view(t, h, a)
	}
	check("1,000 approved posts, each followed by a view")
	for i := range 300 {
		post(i, " [attente]", false)
		view(t, h, a)
		post(i, " spam", true)
		view(t, h, a)
	}
	check("300 pending and 300 spam posts, each followed by a view")

	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 10 {
				var w discardWriter
				h.ServeHTTP(&w, httptest.NewRequest("GET", "/comments/feed/"+a.Slug, nil))
				if w.code != http.StatusOK {
					t.Errorf("feed: %d", w.code)
				}
			}
		})
	}
	wg.Wait()
	check("8 clients reading the feed 10 times each")
}

// TestDoubleSubmitStoresOnce sends 200 forms, each twice at once from its
// own client (a double click, a resend), with the default flood rule and
// rate limit on: 200 comments are stored, and both answers of each pair
// redirect to the same comment.
func TestDoubleSubmitStoresOnce(t *testing.T) {
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			store, _ := be.open(t)
			a := newArticle(t, store)
			h, err := widget.New(store, widget.WithLimits(widget.Limits{MinSubmitDelay: widget.Off}), widget.WithTrustedProxies("127.0.0.1/32"),
				widget.WithLogger(quietLogger()), widget.WithRules(tribune.WithModeration(tribune.ModerateNone)))
			require.NoError(t, err)
			mux := http.NewServeMux()
			mux.Handle("/comments/", h)
			srv := httptest.NewServer(mux)
			defer srv.Close()
			client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

			const forms = 200
			var wg sync.WaitGroup
			sem := make(chan struct{}, 16)
			var mismatched, failed atomic.Int32
			for i := range forms {
				sem <- struct{}{}
				wg.Go(func() {
					defer func() { <-sem }()
					ip := fmt.Sprintf("203.0.113.%d", i)
					req, _ := http.NewRequest("GET", srv.URL+"/comments/articles/"+a.Slug, nil)
					req.Header.Set("X-Forwarded-For", ip)
					resp, err := client.Do(req)
					if err != nil {
						failed.Add(1)
						return
					}
					page := body(t, resp)
					resp.Body.Close()
					m := tokenRE.FindStringSubmatch(page)
					if m == nil {
						failed.Add(1)
						return
					}
					form := url.Values{"article": {a.ID.String()}, "tribune_token": {m[1]}, "author": {"Double"},
						"email": {fmt.Sprintf("d%d@example.org", i)}, "comment": {fmt.Sprint("Envoyé deux fois, numéro ", i)}}
					locs := make([]string, 2)
					var pair sync.WaitGroup
					for k := range 2 {
						pair.Go(func() {
							req, _ := http.NewRequest("POST", srv.URL+"/comments/post", strings.NewReader(form.Encode()))
							req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
							req.Header.Set("X-Forwarded-For", ip)
							resp, err := client.Do(req)
							if err != nil {
								return
							}
							resp.Body.Close()
							if resp.StatusCode == http.StatusSeeOther {
								locs[k] = resp.Header.Get("Location")
							} else {
								locs[k] = resp.Status
							}
						})
					}
					pair.Wait()
					if locs[0] == "" || locs[0] != locs[1] {
						mismatched.Add(1)
						t.Logf("form %d: answers %q and %q", i, locs[0], locs[1])
					}
				})
			}
			wg.Wait()
			assert.Zero(t, failed.Load(), "pages that did not load")
			assert.Zero(t, mismatched.Load(), "pairs not answered alike")
			all, err := store.FindComments(context.Background(), tribune.Query{ArticleID: a.ID})
			require.NoError(t, err)
			assert.Equal(t, forms, len(all), "one comment per form")
		})
	}
}

// TestDeleteInsertRacesNeverStale has one instance insert a comment and
// delete the previous one while another instance serves the page from its
// cache: once both changes are acknowledged, the other instance shows the
// new comment and never the deleted one, 1,000 times over.
func TestDeleteInsertRacesNeverStale(t *testing.T) {
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			if testing.Short() {
				t.Skip("1,000 rounds")
			}
			storeA, storeB := be.open(t)
			a := newArticle(t, storeA)
			rules := widget.WithRules(tribune.WithModeration(tribune.ModerateNone), tribune.WithFloodInterval(0))
			hA, err := widget.New(storeA, rules)
			require.NoError(t, err)
			hB, err := widget.New(storeB, rules)
			require.NoError(t, err)
			ctx := context.Background()
			var prev tribune.Comment
			stale := 0
			for i := range 1000 {
				var wg sync.WaitGroup
				var next tribune.Comment
				wg.Go(func() {
					var err error
					next, err = hB.Service().Submit(ctx, tribune.Submission{Input: tribune.CommentInput{ArticleID: a.ID,
						Name: "B", Email: "b@example.org", Body: fmt.Sprintf("marqueur-%d-fin", i)}})
					if err != nil {
						t.Error(err)
						return
					}
					if prev.ID != uuid.Nil {
						if err := hB.Service().Delete(ctx, prev.ID); err != nil {
							t.Error(err)
						}
					}
				})
				wg.Go(func() { // the other instance, serving while B writes
					for range 2 {
						view(t, hA, a)
					}
				})
				wg.Wait()
				page := view(t, hA, a)
				if prev.ID != uuid.Nil && strings.Contains(page, fmt.Sprintf("marqueur-%d-fin", i-1)) ||
					!strings.Contains(page, fmt.Sprintf("marqueur-%d-fin", i)) {
					stale++
				}
				prev = next
			}
			assert.Zero(t, stale, "stale pages after acknowledged changes")
		})
	}
}

// quietLogger drops the handler's log lines: tests that provoke errors on
// purpose check what they answer, not what they log.
func quietLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

// TestFormsHaveTheirOwnTokens: two visitors served the page in the same
// millisecond still get tokens of their own, so neither post lands on the
// other's comment.
func TestFormsHaveTheirOwnTokens(t *testing.T) {
	e := newEnv(t, widget.WithRules(tribune.WithModeration(tribune.ModerateNone)))
	seen := map[string]bool{}
	for range 50 {
		tok := e.form(e.browser()).Get("tribune_token")
		assert.False(t, seen[tok], "token served twice")
		seen[tok] = true
	}
	alice, bob := e.browser(), e.browser()
	va, vb := valid(e.form(alice), "De la part d’Alice"), valid(e.form(bob), "De la part de Bob")
	la := e.post(alice, va).Header.Get("Location")
	lb := e.post(bob, vb).Header.Get("Location")
	assert.NotEqual(t, la, lb)
}

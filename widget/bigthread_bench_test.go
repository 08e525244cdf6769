package widget_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/tribune-go/tribune"
	"github.com/tribune-go/tribune/sqlitestore"
	"github.com/tribune-go/tribune/widget"
)

// seedThread stores n approved comments on a new article through the
// store's bulk path: seven in ten top-level, the others replies to one of
// the 20 comments before them (a conversation goes on near its start),
// one a second.
func seedThread(tb testing.TB, store tribune.Store, n int) tribune.Article {
	tb.Helper()
	ctx := context.Background()
	a, err := tribune.NewArticle(tribune.ArticleInput{Slug: "big-" + strconv.Itoa(n), Title: "Un long fil", Lang: "fr", Body: "<p>Texte</p>"})
	if err != nil {
		tb.Fatal(err)
	}
	if err := store.CreateArticle(ctx, &a); err != nil {
		tb.Fatal(err)
	}
	body := tribune.SanitizeComment("Très bonne synthèse. Voir https://example.org/dossier pour le contexte.\n\nMais la vraie question reste celle du financement.")
	rng := rand.New(rand.NewPCG(uint64(n), 7))
	start := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	ids := make([]uuid.UUID, 0, n)
	batch := make([]tribune.Comment, 0, 5000)
	for i := range n {
		c := tribune.Comment{ID: uuid.New(), ArticleID: a.ID, AuthorName: fmt.Sprint("Lecteur ", i), Email: tribune.StoredEmail("l@example.org"),
			Body: body, Status: tribune.StatusApproved, Version: 1, Created: start.Add(time.Duration(i) * time.Second)}
		if i > 0 && rng.IntN(10) >= 7 {
			c.ParentID = ids[len(ids)-1-rng.IntN(min(len(ids), 20))]
		}
		ids = append(ids, c.ID)
		batch = append(batch, c)
		if len(batch) == cap(batch) || i == n-1 {
			if err := tribune.InsertComments(ctx, store, batch); err != nil {
				tb.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	return a
}

// BenchmarkBigThread is a GET of the first and of a middle comment page
// (50 top-level comments each, with their replies) of threads of 100 to
// 100,000 approved comments, on SQLite and PostgreSQL, without the
// widget's cache (cold: the store is read and the page rendered) and with
// it (cached: one row read to validate the page). TRIBUNE_BENCH_MAX caps
// the thread size (default 100000).
func BenchmarkBigThread(b *testing.B) {
	maxN := 100000
	if v, err := strconv.Atoi(os.Getenv("TRIBUNE_BENCH_MAX")); err == nil {
		maxN = v
	}
	// Each store comes with what a database does on its own after a bulk
	// load (PostgreSQL's autovacuum analyses the tables).
	stores := []struct {
		name string
		open func(b *testing.B) (tribune.Store, func())
	}{
		{"SQLite", func(b *testing.B) (tribune.Store, func()) {
			s, err := sqlitestore.Open(context.Background(), filepath.Join(b.TempDir(), "big.db"))
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { s.Close() })
			return s, func() {}
		}},
		{"PostgreSQL", func(b *testing.B) (tribune.Store, func()) {
			dsn, schema := pgSchema(b)
			analyse := func() {
				conn, err := pgx.Connect(context.Background(), dsn)
				if err != nil {
					b.Fatal(err)
				}
				defer conn.Close(context.Background())
				if _, err := conn.Exec(context.Background(), "VACUUM ANALYZE "+schema+".comments"); err != nil {
					b.Fatal(err)
				}
			}
			return openPG(b, dsn, schema), analyse
		}},
	}
	for _, st := range stores {
		b.Run(st.name, func(b *testing.B) {
			store, analyse := st.open(b)
			for _, n := range []int{100, 1000, 10000, 100000} {
				if n > maxN {
					continue
				}
				a := seedThread(b, store, n)
				analyse()
				svc, err := tribune.NewService(store)
				if err != nil {
					b.Fatal(err)
				}
				counts, err := svc.CountThread(context.Background(), a.ID)
				if err != nil {
					b.Fatal(err)
				}
				pages := max(1, (counts.TopLevel+widget.DefaultPageSize-1)/widget.DefaultPageSize)
				for _, cached := range []bool{false, true} {
					opts := []widget.Option{widget.WithLanguage("fr"), widget.WithSecret([]byte("a benchmark secret of 32 bytes!!")), widget.WithCompression(false)}
					state := "cached"
					if !cached {
						opts, state = append(opts, widget.WithCacheBudget(0)), "cold"
					}
					h, err := widget.New(store, opts...)
					if err != nil {
						b.Fatal(err)
					}
					for _, page := range []struct {
						name string
						n    int
					}{{"first", 1}, {"middle", max(1, pages/2)}} {
						u := "/comments/articles/" + a.Slug
						if page.n > 1 {
							u += "?cpage=" + strconv.Itoa(page.n)
						}
						b.Run(fmt.Sprintf("%d/%s/%s", n, page.name, state), func(b *testing.B) {
							b.ReportAllocs()
							bytes := 0
							for b.Loop() {
								w := &discardWriter{}
								h.ServeHTTP(w, httptest.NewRequest("GET", u, nil))
								if w.code != 200 {
									b.Fatalf("GET %s: %d", u, w.code)
								}
								bytes = w.n
							}
							b.ReportMetric(float64(bytes), "B/page")
						})
					}
				}
			}
		})
	}
}

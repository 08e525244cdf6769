package widget_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/tribune-go/tribune"
	"github.com/tribune-go/tribune/sqlitestore"
	"github.com/tribune-go/tribune/widget"
)

// benchSite is the widget on SQLite with an article of 100 approved comments.
func benchSite(b *testing.B, opts ...widget.Option) (*widget.Handler, tribune.Article, *sqlitestore.Store) {
	b.Helper()
	ctx := context.Background()
	store, err := sqlitestore.Open(ctx, filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { store.Close() })
	a, err := tribune.NewArticle(tribune.ArticleInput{Slug: "bench", Title: "Bench", Lang: "fr", Body: "<p>Texte</p>"})
	if err != nil {
		b.Fatal(err)
	}
	if err := store.CreateArticle(ctx, &a); err != nil {
		b.Fatal(err)
	}
	body := tribune.SanitizeComment("Très bonne synthèse. Voir https://example.org/dossier pour le contexte.\n\nMais la vraie question reste celle du financement.")
	var parent uuid.UUID
	for i := range 100 {
		c := tribune.Comment{ID: uuid.New(), ArticleID: a.ID, AuthorName: fmt.Sprint("Lecteur ", i), Email: tribune.StoredEmail("l@example.org"),
			Body: body, Status: tribune.StatusApproved, Version: 1, Created: time.Now().Add(time.Duration(i-200) * time.Minute).UTC().Truncate(time.Microsecond)}
		if i%3 == 1 {
			c.ParentID = parent
		}
		parent = c.ID
		if err := store.CreateComment(ctx, &c, tribune.Guard{}); err != nil {
			b.Fatal(err)
		}
	}
	h, err := widget.New(store, append([]widget.Option{widget.WithLanguage("fr"), widget.WithSecret([]byte("a benchmark secret of 32 bytes!!"))}, opts...)...)
	if err != nil {
		b.Fatal(err)
	}
	return h, a, store
}

// discardWriter is a ResponseWriter that counts the body, as a network
// connection's buffered writer would take it, without the recorder's
// ever-growing buffer.
type discardWriter struct {
	h    http.Header
	code int
	n    int
}

func (w *discardWriter) Header() http.Header {
	if w.h == nil {
		w.h = http.Header{}
	}
	return w.h
}

func (w *discardWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
}

// WriteString is there as on net/http's own writer.
func (w *discardWriter) WriteString(s string) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	w.n += len(s)
	return len(s), nil
}

func (w *discardWriter) Write(p []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	w.n += len(p)
	return len(p), nil
}

// BenchmarkArticlePage is a GET of an article page with 100 approved
// comments through the handler, with the thread cache and without it.
func BenchmarkArticlePage(b *testing.B) {
	for _, bc := range []struct {
		name string
		opts []widget.Option
	}{
		{"cold", []widget.Option{widget.WithCacheBudget(0)}},
		{"cached", nil},
	} {
		b.Run(bc.name, func(b *testing.B) {
			h, _, _ := benchSite(b, bc.opts...)
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				req := httptest.NewRequest("GET", "/comments/articles/bench", nil)
				for pb.Next() {
					var w discardWriter
					h.ServeHTTP(&w, req)
					if w.code != http.StatusOK || w.n < 10000 {
						b.Fatal(w.code, w.n)
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pages/s")
		})
	}
}

// BenchmarkPost is a full no-JavaScript post through the handler: parse,
// token, validate, sanitize, moderation look-ups, store, redirect.
func BenchmarkPost(b *testing.B) {
	h, a, _ := benchSite(b, widget.WithLimits(widget.Limits{MinSubmitDelay: widget.Off, PostsPerMinute: widget.Off}),
		widget.WithRules(tribune.WithFloodInterval(15*time.Second)))
	// A token from a real page.
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/comments/articles/bench", nil))
	m := tokenRE.FindStringSubmatch(rec.Body.String())
	if m == nil {
		b.Fatal("no token")
	}
	var n atomic.Int64
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			v := url.Values{
				"article": {a.ID.String()}, "tribune_token": {m[1]}, "comment_parent": {""},
				"author": {fmt.Sprint("Lecteur ", i)}, "email": {fmt.Sprintf("l%d@example.org", i)}, "url": {""},
				"comment": {fmt.Sprintf("Commentaire numéro %d : l’article 5 reste la clé, voir https://example.org/%d", i, i)},
			}
			req := httptest.NewRequest("POST", "/comments/post", strings.NewReader(v.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.RemoteAddr = fmt.Sprintf("10.%d.%d.%d:1234", i>>16&255, i>>8&255, i&255)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != http.StatusSeeOther {
				b.Fatal(rec.Code, rec.Body.String()[:200])
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "posts/s")
}

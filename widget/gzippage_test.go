package widget_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribune-go/tribune"
	"github.com/tribune-go/tribune/widget"
)

// rawBrowser is a browser that asks for gzip itself and sees the bytes
// as sent (Go's client would ask and decode them for it).
func rawBrowser() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Transport: &http.Transport{DisableCompression: true},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// getPage fetches u with or without gzip and returns the page as
// decoded, with the answer's headers.
func getPage(t *testing.T, c *http.Client, u string, gz bool) (string, http.Header) {
	t.Helper()
	req, err := http.NewRequest("GET", u, nil)
	require.NoError(t, err)
	if gz {
		req.Header.Set("Accept-Encoding", "gzip")
	}
	resp, err := c.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	sent, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	assert.Equal(t, strconv.Itoa(len(sent)), resp.Header.Get("Content-Length"), "the length of what is sent")
	assert.Contains(t, resp.Header.Values("Vary"), "Accept-Encoding")
	if !gz {
		assert.Empty(t, resp.Header.Get("Content-Encoding"))
		return string(sent), resp.Header
	}
	require.Equal(t, "gzip", resp.Header.Get("Content-Encoding"))
	zr, err := gzip.NewReader(bytes.NewReader(sent))
	require.NoError(t, err)
	zr.Multistream(false)
	page, err := io.ReadAll(zr) // checks the CRC and the size
	require.NoError(t, err)
	return string(page), resp.Header
}

var anyToken = regexp.MustCompile(`name="tribune_token" value="[^"]+"`)

// TestGzippedPageIsThePage: the page gzipped from its cached pieces
// decodes, CRC and size checked, to the page sent plain, on a whole
// thread and on comment pages, in the widget's layout and in a host's.
func TestGzippedPageIsThePage(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts []widget.Option
	}{
		{"comment pages", nil},
		{"one page", []widget.Option{widget.WithPages(widget.Pages{Size: widget.OnePage})}},
		{"host layout", []widget.Option{widget.WithLayout(func(w io.Writer, r *http.Request, p widget.Layout) error {
			_, err := io.WriteString(w, "<!doctype html><title>"+p.Title+"</title>"+string(p.ArticleHTML)+string(p.Section)+"<footer>pied</footer>")
			return err
		})}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, append([]widget.Option{widget.WithRules(tribune.WithModeration(tribune.ModerateNone))}, tc.opts...)...)
			c := e.browser()
			for i := range 30 {
				e.post(c, valid(e.form(c), "Commentaire numéro "+strconv.Itoa(i)+" avec assez de texte pour peser."))
			}
			b := rawBrowser()
			for range 3 { // rendered, then from the cache (a host's layout pieces: seen, kept, used)
				plain, _ := getPage(t, b, e.pageURL(), false)
				zipped, _ := getPage(t, b, e.pageURL(), true)
				require.Greater(t, len(plain), 4096)
				assert.Equal(t, anyToken.ReplaceAllString(plain, "TOKEN"), anyToken.ReplaceAllString(zipped, "TOKEN"))
				assert.Len(t, anyToken.FindAllString(zipped, -1), 1, "one form, one token")
			}
		})
	}
}

// TestGzippedPiecesAreNobodyElses: what the cache keeps compressed is
// what every visitor sees; a visitor's token and held comment are theirs
// alone, plain or gzipped, first render or cached.
func TestGzippedPiecesAreNobodyElses(t *testing.T) {
	e := newEnv(t, widget.WithRules(tribune.WithModeration(tribune.ModerateAll)))
	ana, ben := rawBrowser(), rawBrowser()
	page, _ := getPage(t, ana, e.pageURL(), true)
	anaToken := tokenRE.FindStringSubmatch(page)[1]
	v := valid(e.form(ana), "Le commentaire retenu d’Ana, à elle seule")
	req, _ := http.NewRequest("POST", e.srv.URL+"/comments/post", bytes.NewBufferString(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := ana.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	for range 2 {
		for _, gz := range []bool{true, false} {
			mine, _ := getPage(t, ana, e.pageURL(), gz)
			assert.Contains(t, mine, "Le commentaire retenu d’Ana")
			theirs, _ := getPage(t, ben, e.pageURL(), gz)
			assert.NotContains(t, theirs, "Le commentaire retenu d’Ana", "gzip %v", gz)
			assert.NotContains(t, theirs, anaToken)
			assert.NotContains(t, theirs, tokenRE.FindStringSubmatch(mine)[1], "gzip %v", gz)
		}
	}
}

// TestGzippedLayoutPiecesAreTheirVisitors: a host's layout that writes
// something of the visitor's around the section (their name, here) gets
// each visitor their own bytes, however often the pieces are seen.
func TestGzippedLayoutPiecesAreTheirVisitors(t *testing.T) {
	e := newEnv(t, widget.WithLayout(func(w io.Writer, r *http.Request, p widget.Layout) error {
		who := r.Header.Get("X-Visitor")
		_, err := io.WriteString(w, "<!doctype html><header>"+strings.Repeat("Bonjour "+who+". ", 200)+"</header>"+string(p.Section)+"<footer>"+who+"</footer>")
		return err
	}))
	c := rawBrowser()
	get := func(who string) string {
		req, _ := http.NewRequest("GET", e.pageURL(), nil)
		req.Header.Set("Accept-Encoding", "gzip")
		req.Header.Set("X-Visitor", who)
		resp, err := c.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		require.Equal(t, "gzip", resp.Header.Get("Content-Encoding"))
		zr, err := gzip.NewReader(resp.Body)
		require.NoError(t, err)
		page, err := io.ReadAll(zr)
		require.NoError(t, err)
		return string(page)
	}
	for range 4 {
		for _, who := range []string{"Ana", "Ben"} {
			page := get(who)
			other := map[string]string{"Ana": "Ben", "Ben": "Ana"}[who]
			assert.Contains(t, page, "Bonjour "+who+".")
			assert.NotContains(t, page, other)
		}
	}
}

// BenchmarkGzippedPage serves page 1 of a 100-comment thread from the
// cache, asked for with Accept-Encoding: gzip as a browser asks, beside a
// plain handler that sends the same page gzipped in advance (the
// ceiling) and beside the widget's plain page, in one run.
func BenchmarkGzippedPage(b *testing.B) {
	h, _, _ := benchSite(b)
	req := httptest.NewRequest("GET", "/comments/articles/bench", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Header().Get("Content-Encoding") != "gzip" {
		b.Fatal("not gzipped")
	}
	zipped := rec.Body.Bytes()
	ceiling := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		hdr := w.Header()
		hdr.Set("Content-Type", "text/html; charset=utf-8")
		hdr.Set("Content-Encoding", "gzip")
		hdr.Set("Content-Length", strconv.Itoa(len(zipped)))
		_, _ = w.Write(zipped)
	})
	plainReq := httptest.NewRequest("GET", "/comments/articles/bench", nil)
	for _, bc := range []struct {
		name string
		h    http.Handler
		req  *http.Request
	}{{"ceiling", ceiling, req}, {"widget-gzip", h, req}, {"widget-plain", h, plainReq}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					var w discardWriter
					bc.h.ServeHTTP(&w, bc.req)
					if w.code != http.StatusOK {
						b.Fatal(w.code)
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pages/s")
		})
	}
}

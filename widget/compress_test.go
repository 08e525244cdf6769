package widget_test

import (
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribune-go/tribune/widget"
)

// rawGet fetches u with the given Accept-Encoding and does not decode.
func rawGet(t *testing.T, method, u, acceptEncoding string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, u, nil)
	require.NoError(t, err)
	if acceptEncoding != "" {
		req.Header.Set("Accept-Encoding", acceptEncoding)
	}
	tr := &http.Transport{DisableCompression: true}
	defer tr.CloseIdleConnections()
	resp, err := tr.RoundTrip(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, b
}

func gunzip(t *testing.T, b []byte) string {
	t.Helper()
	zr, err := gzip.NewReader(strings.NewReader(string(b)))
	require.NoError(t, err)
	out, err := io.ReadAll(zr)
	require.NoError(t, err)
	return string(out)
}

func TestCompression(t *testing.T) {
	e := newEnv(t, withApproval())
	c := e.browser()
	for range 3 {
		e.post(c, valid(e.form(c), strings.Repeat("Un commentaire assez long pour compter. ", 20)))
	}
	for _, path := range []string{"/comments/articles/otan", "/comments/articles/otan?cpage=1", "/comments/feed/otan", "/comments/feed.atom",
		"/comments/api/articles/" + e.article.ID.String() + "/comments", "/comments/static/widget.css"} {
		plainResp, plain := rawGet(t, "GET", e.srv.URL+path, "")
		require.Equal(t, http.StatusOK, plainResp.StatusCode, path)
		assert.Empty(t, plainResp.Header.Get("Content-Encoding"), path)
		assert.Contains(t, plainResp.Header.Values("Vary"), "Accept-Encoding", "%s: Vary even when not compressed", path)

		zResp, z := rawGet(t, "GET", e.srv.URL+path, "br, gzip;q=0.9")
		require.Equal(t, http.StatusOK, zResp.StatusCode, path)
		assert.Equal(t, "gzip", zResp.Header.Get("Content-Encoding"), path)
		assert.Contains(t, zResp.Header.Values("Vary"), "Accept-Encoding", path)
		assert.Equal(t, plainResp.Header.Get("Content-Type"), zResp.Header.Get("Content-Type"), path)
		assert.Less(t, len(z), len(plain), path)
		got := gunzip(t, z)
		if strings.Contains(path, "/feed") || strings.Contains(path, "/api/") || strings.Contains(path, "/articles/") {
			// Pages and feeds carry a token or a time that may differ
			// between two requests: compare their shape.
			assert.Equal(t, len(plain), len(got), path)
		} else {
			assert.Equal(t, string(plain), got, path)
		}
	}

	// Refused, or a small answer, or HEAD: not compressed.
	resp, _ := rawGet(t, "GET", e.srv.URL+"/comments/articles/otan", "gzip;q=0, identity")
	assert.Empty(t, resp.Header.Get("Content-Encoding"))
	resp, _ = rawGet(t, "GET", e.srv.URL+"/comments/api/articles/"+e.article.ID.String()+"/token", "gzip")
	assert.Empty(t, resp.Header.Get("Content-Encoding"), "a body under 1 KiB")
	resp, b := rawGet(t, "HEAD", e.srv.URL+"/comments/articles/otan", "gzip")
	assert.Empty(t, resp.Header.Get("Content-Encoding"))
	assert.Empty(t, b)
	resp, _ = rawGet(t, "GET", e.srv.URL+"/comments/articles/nope", "gzip")
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)

	// WithoutCompression: as the handler writes it.
	off := newEnv(t, widget.WithCompression(false))
	resp, _ = rawGet(t, "GET", off.srv.URL+"/comments/articles/otan", "gzip")
	assert.Empty(t, resp.Header.Get("Content-Encoding"))
	assert.NotEmpty(t, resp.Header.Get("Content-Length"))
	assert.NotContains(t, resp.Header.Values("Vary"), "Accept-Encoding")
}

func TestCompressMiddleware(t *testing.T) {
	big := strings.Repeat("<p>bonjour</p>", 500)
	h := widget.Compress(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if r.URL.Path == "/partial" {
			w.Header().Set("Content-Range", "bytes 0-9/7000")
			w.WriteHeader(http.StatusPartialContent)
		}
		_, _ = io.WriteString(w, big)
	}))
	mux := http.NewServeMux()
	mux.Handle("/", h)
	srv := newServer(t, mux)
	resp, b := rawGet(t, "GET", srv.URL+"/", "gzip")
	assert.Equal(t, "gzip", resp.Header.Get("Content-Encoding"))
	assert.Equal(t, big, gunzip(t, b))
	resp, b = rawGet(t, "GET", srv.URL+"/partial", "gzip")
	assert.Empty(t, resp.Header.Get("Content-Encoding"), "partial content is never compressed")
	assert.Equal(t, big, string(b))
}

// BenchmarkCompress gzips a feed-sized Atom body (the thread's feed of a
// 1,000-comment article is about this) through Compress, which uses
// klauspost/compress, beside the standard library's gzip at the same
// level over the same bytes, in one run.
func BenchmarkCompress(b *testing.B) {
	var sb strings.Builder
	for i := range 200 {
		fmt.Fprintf(&sb, "<entry><title>Commentaire %d de Léa</title><id>urn:uuid:%08d-0000-4000-8000-000000000000</id>"+
			"<content type=\"html\">&lt;p&gt;Bonjour, je réponds à la question %d : l’OTAN se réunit à Bruxelles.&lt;/p&gt;</content></entry>\n", i, i, i)
	}
	body := sb.String()
	h := widget.Compress(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/atom+xml")
		_, _ = io.WriteString(w, body)
	}))
	req, _ := http.NewRequest("GET", "/feed", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	b.Run("widget.Compress", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		var out int
		for b.Loop() {
			w := countingWriter{h: http.Header{}}
			h.ServeHTTP(&w, req)
			out = w.n
		}
		b.ReportMetric(float64(out), "gzip-bytes")
	})
	b.Run("compress/gzip", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		zw, _ := gzip.NewWriterLevel(io.Discard, gzip.BestSpeed)
		var out int
		for b.Loop() {
			w := countingWriter{h: http.Header{}}
			zw.Reset(&w)
			_, _ = io.WriteString(zw, body)
			_ = zw.Close()
			out = w.n
		}
		b.ReportMetric(float64(out), "gzip-bytes")
	})
}

// countingWriter is a ResponseWriter that only counts.
type countingWriter struct {
	h http.Header
	n int
}

func (w *countingWriter) Header() http.Header         { return w.h }
func (w *countingWriter) WriteHeader(int)             {}
func (w *countingWriter) Write(p []byte) (int, error) { w.n += len(p); return len(p), nil }

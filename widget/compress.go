package widget

import (
	"bufio"
	"compress/gzip"
	"io"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Compress gzips what next writes when the client accepts it: HTML,
// JSON, Atom, CSS, JavaScript and SVG bodies of at least 1 KiB, at gzip's
// fastest level (nginx's default: a 78 KB comment page becomes 7.5 KB,
// 10 % more than at the default level, for half the CPU), with
// Vary: Accept-Encoding on every answer of those types. Partial content,
// bodies already encoded and answers without a body pass through. The
// widget's handler uses it unless WithCompression(false); a host may wrap
// its own pages with it.
func Compress(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cw := newCompressWriter(w, r)
		defer cw.close()
		next.ServeHTTP(cw, r)
	})
}

func newCompressWriter(w http.ResponseWriter, r *http.Request) *compressWriter {
	return &compressWriter{ResponseWriter: w, accepts: acceptsGzip(r.Header.Get("Accept-Encoding")), head: r.Method == http.MethodHead}
}

// WithCompression(false) leaves compression to the host (a reverse
// proxy, or its own middleware): the widget's answers go out as they
// are. By default (true) the widget gzips what a client accepts gzipped.
func WithCompression(on bool) Option {
	return func(c *config) error { c.noCompression = !on; return nil }
}

// minCompress is the smallest body worth compressing.
const minCompress = 1024

var gzipPool = sync.Pool{New: func() any {
	w, _ := gzip.NewWriterLevel(io.Discard, gzip.BestSpeed)
	return w
}}

// acceptsGzip reads an Accept-Encoding header: gzip (or x-gzip, or *)
// with a q above 0.
func acceptsGzip(h string) bool {
	for _, part := range strings.Split(h, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		name = strings.ToLower(strings.TrimSpace(name))
		if name != "gzip" && name != "x-gzip" && name != "*" {
			continue
		}
		q := 1.0
		for _, p := range strings.Split(params, ";") {
			if k, v, ok := strings.Cut(strings.TrimSpace(p), "="); ok && strings.EqualFold(strings.TrimSpace(k), "q") {
				if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
					q = f
				}
			}
		}
		if q > 0 {
			return true
		}
	}
	return false
}

func compressible(contentType string) bool {
	mt, _, _ := strings.Cut(contentType, ";")
	switch strings.ToLower(strings.TrimSpace(mt)) {
	case "text/html", "text/css", "text/plain", "application/json", "application/atom+xml", "application/xml",
		"text/javascript", "application/javascript", "image/svg+xml":
		return true
	}
	return false
}

type compressWriter struct {
	http.ResponseWriter
	accepts, head bool
	wroteHeader   bool
	gz            *gzip.Writer
}

func (c *compressWriter) WriteHeader(code int) {
	if c.wroteHeader {
		c.ResponseWriter.WriteHeader(code)
		return
	}
	if code < 200 {
		c.ResponseWriter.WriteHeader(code) // 1xx: informational, more to come
		return
	}
	c.wroteHeader = true
	h := c.Header()
	if compressible(h.Get("Content-Type")) {
		if !slices.Contains(h.Values("Vary"), "Accept-Encoding") {
			h.Add("Vary", "Accept-Encoding")
		}
		n, err := strconv.Atoi(h.Get("Content-Length"))
		small := err == nil && n < minCompress
		if c.accepts && !c.head && !small && code != http.StatusNoContent && code != http.StatusNotModified &&
			code != http.StatusPartialContent && h.Get("Content-Encoding") == "" && h.Get("Content-Range") == "" {
			h.Del("Content-Length")
			h.Set("Content-Encoding", "gzip")
			if et := h.Get("ETag"); et != "" && !strings.HasPrefix(et, "W/") {
				h.Set("ETag", "W/"+et) // another representation of the same content
			}
			c.gz = gzipPool.Get().(*gzip.Writer)
			c.gz.Reset(c.ResponseWriter)
		}
	}
	c.ResponseWriter.WriteHeader(code)
}

func (c *compressWriter) Write(b []byte) (int, error) {
	if !c.wroteHeader {
		if c.Header().Get("Content-Type") == "" {
			c.Header().Set("Content-Type", http.DetectContentType(b))
		}
		c.WriteHeader(http.StatusOK)
	}
	if c.gz != nil {
		return c.gz.Write(b)
	}
	return c.ResponseWriter.Write(b)
}

// WriteString passes strings on without a copy when nothing is
// compressed.
func (c *compressWriter) WriteString(s string) (int, error) {
	if c.wroteHeader && c.gz == nil {
		return io.WriteString(c.ResponseWriter, s)
	}
	return c.Write([]byte(s))
}

// Flush sends what is compressed so far.
func (c *compressWriter) Flush() {
	if c.gz != nil {
		_ = c.gz.Flush()
	}
	http.NewResponseController(c.ResponseWriter).Flush()
}

// Hijack lets a handler take the connection, as the plain writer would.
func (c *compressWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return http.NewResponseController(c.ResponseWriter).Hijack()
}

// Unwrap gives http.ResponseController the writer underneath.
func (c *compressWriter) Unwrap() http.ResponseWriter { return c.ResponseWriter }

func (c *compressWriter) close() {
	if c.gz == nil {
		return
	}
	_ = c.gz.Close()
	c.gz.Reset(io.Discard)
	gzipPool.Put(c.gz)
	c.gz = nil
}

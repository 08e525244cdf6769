package widget_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribune-go/tribune"
	"github.com/tribune-go/tribune/widget"
)

// A real PostgreSQL that stops, or freezes, under a running widget: the
// visitor gets a 503 with Retry-After within the store deadline, the post
// comes back with everything typed, and service resumes by itself.

const faultTimeout = time.Second

// faultSite is a widget on PostgreSQL through dsn, served over loopback.
type faultSite struct {
	t       *testing.T
	srv     *httptest.Server
	article tribune.Article
	client  *http.Client
}

func newFaultSite(t *testing.T, dsn, schema string) *faultSite {
	store := openPG(t, withPoolSize(dsn, 2), schema)
	a := newArticle(t, store)
	h, err := widget.New(store, widget.WithStoreTimeout(faultTimeout), widget.WithLimits(widget.Limits{MinSubmitDelay: widget.Off}), widget.WithLogger(quietLogger()),
		widget.WithRules(tribune.WithModeration(tribune.ModerateNone), tribune.WithFloodInterval(0)))
	require.NoError(t, err)
	mux := http.NewServeMux()
	mux.Handle("/comments/", h)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return &faultSite{t: t, srv: srv, article: a,
		client: &http.Client{Timeout: 20 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (s *faultSite) do(method, path string, form url.Values) (int, http.Header, string, time.Duration) {
	s.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, s.srv.URL+path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	start := time.Now()
	resp, err := s.client.Do(req)
	require.NoError(s.t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b), time.Since(start)
}

func (s *faultSite) page() string { return "/comments/articles/" + s.article.Slug }

func (s *faultSite) form(text string) url.Values {
	status, _, page, _ := s.do("GET", s.page(), nil)
	require.Equal(s.t, http.StatusOK, status)
	m := tokenRE.FindStringSubmatch(page)
	require.NotNil(s.t, m)
	return url.Values{"article": {s.article.ID.String()}, "tribune_token": {m[1]}, "author": {"Claire"},
		"email": {canary}, "comment": {text}}
}

// whileDown checks what a visitor gets while the database is unreachable.
func (s *faultSite) whileDown(form url.Values) {
	s.t.Helper()
	limit := faultTimeout + 2*time.Second // the deadline, and a margin for a loaded machine
	status, hdr, page, took := s.do("GET", s.page(), nil)
	assert.Equal(s.t, http.StatusServiceUnavailable, status, "page")
	assert.Equal(s.t, "5", hdr.Get("Retry-After"))
	assert.Contains(s.t, page, "momentanément indisponible")
	assert.Less(s.t, took, limit, "page answered within the deadline")

	status, hdr, page, took = s.do("POST", "/comments/post", form)
	assert.Equal(s.t, http.StatusServiceUnavailable, status, "post")
	assert.Equal(s.t, "5", hdr.Get("Retry-After"))
	assert.Contains(s.t, page, form.Get("comment")+"</textarea>", "the text is kept")
	assert.Contains(s.t, page, `value="`+canary+`"`, "the email is kept, in the visitor's own form")
	assert.Less(s.t, took, limit, "post answered within the deadline")

	status, hdr, page, took = s.do("GET", "/comments/api/articles/"+s.article.ID.String()+"/comments", nil)
	assert.Equal(s.t, http.StatusServiceUnavailable, status, "API")
	assert.Equal(s.t, "5", hdr.Get("Retry-After"))
	assert.Contains(s.t, page, `"code":"unavailable"`)
	assert.Less(s.t, took, limit, "API answered within the deadline")
}

// recovers checks that service comes back by itself and the kept form
// goes through once.
func (s *faultSite) recovers(form url.Values) {
	s.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		status, _, _, _ := s.do("GET", s.page(), nil)
		if status == http.StatusOK {
			break
		}
		require.True(s.t, time.Now().Before(deadline), "no recovery: last status %d", status)
		time.Sleep(200 * time.Millisecond)
	}
	status, hdr, _, _ := s.do("POST", "/comments/post", form)
	require.Equal(s.t, http.StatusSeeOther, status)
	first := hdr.Get("Location")
	status, hdr, _, _ = s.do("POST", "/comments/post", form)
	require.Equal(s.t, http.StatusSeeOther, status)
	assert.Equal(s.t, first, hdr.Get("Location"), "sent again: the same comment")
	_, _, page, _ := s.do("GET", s.page(), nil)
	assert.Equal(s.t, 1, strings.Count(page, form.Get("comment")), "stored once")
}

// TestPostgreSQLStopped runs the widget through a TCP relay to the real
// server and stops it, so connections are refused as when the database
// is stopped, then starts it again.
func TestPostgreSQLStopped(t *testing.T) {
	dsn, schema := pgSchema(t)
	u, err := url.Parse(dsn)
	if err != nil || u.Host == "" {
		t.Skip("needs a postgres:// URL in TRIBUNE_TEST_POSTGRES")
	}
	relay := newRelay(t, u.Host)
	u.Host = relay.addr
	s := newFaultSite(t, u.String(), schema)
	form := s.form("Écrit pendant la panne " + uuid.NewString()[:8])

	relay.stop()
	s.whileDown(form)
	relay.start()
	s.recovers(form)
}

// TestPostgreSQLFrozen stops (SIGSTOP) the server's postmaster and the
// backends serving the widget, as a database frozen by a stalled disk or
// a paused VM, then lets them run again (SIGCONT).
func TestPostgreSQLFrozen(t *testing.T) {
	dsn, schema := pgSchema(t)
	u, err := url.Parse(dsn)
	if err != nil || u.Host == "" {
		t.Skip("needs a postgres:// URL in TRIBUNE_TEST_POSTGRES")
	}
	app := "tribune_freeze_" + strings.ReplaceAll(uuid.NewString(), "-", "")[:12]
	q := u.Query()
	q.Set("application_name", app)
	u.RawQuery = q.Encode()
	s := newFaultSite(t, u.String(), schema)
	form := s.form("Écrit pendant le gel " + uuid.NewString()[:8])

	pids := serverPIDs(t, dsn, app)
	var stopped []int
	thaw := func() {
		for _, pid := range stopped {
			_ = syscall.Kill(pid, syscall.SIGCONT)
		}
		stopped = nil
	}
	defer thaw()
	for _, pid := range pids {
		if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
			thaw()
			t.Skipf("cannot freeze the PostgreSQL server (process %d: %v): run the test as the server's user or root, as .ci/run does", pid, err)
		}
		stopped = append(stopped, pid)
	}
	s.whileDown(form)
	thaw()
	s.recovers(form)
}

// serverPIDs returns the postmaster's process and the backends whose
// application_name is app. The postmaster is found as the parent of a
// backend, so the test must run on the server's machine.
func serverPIDs(t *testing.T, dsn, app string) []int {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	require.NoError(t, err)
	defer conn.Close(ctx)
	var self int
	require.NoError(t, conn.QueryRow(ctx, "SELECT pg_backend_pid()").Scan(&self))
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", self))
	if err != nil {
		t.Skipf("the PostgreSQL server is not on this machine (%v): the freeze test signals its processes", err)
	}
	var pids []int
	for _, line := range strings.Split(string(status), "\n") {
		if v, ok := strings.CutPrefix(line, "PPid:"); ok {
			pp, err := strconv.Atoi(strings.TrimSpace(v))
			require.NoError(t, err)
			pids = append(pids, pp)
		}
	}
	rows, err := conn.Query(ctx, "SELECT pid FROM pg_stat_activity WHERE application_name = $1", app)
	require.NoError(t, err)
	backends, err := pgx.CollectRows(rows, pgx.RowTo[int32])
	require.NoError(t, err)
	require.NotEmpty(t, backends, "the widget's connections")
	for _, b := range backends {
		pids = append(pids, int(b))
	}
	return pids
}

// relay forwards TCP connections from a loopback port to target; stop
// closes the port and every connection (connection refused), start opens
// the same port again.
type relay struct {
	t      *testing.T
	target string
	addr   string
	mu     sync.Mutex
	ln     net.Listener
	conns  map[net.Conn]bool
}

func newRelay(t *testing.T, target string) *relay {
	r := &relay{t: t, target: target, conns: map[net.Conn]bool{}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	r.addr = ln.Addr().String()
	r.serve(ln)
	t.Cleanup(r.stop)
	return r
}

func (r *relay) serve(ln net.Listener) {
	r.mu.Lock()
	r.ln = ln
	r.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("tcp", r.target)
			if err != nil {
				c.Close()
				continue
			}
			r.mu.Lock()
			r.conns[c], r.conns[up] = true, true
			r.mu.Unlock()
			go func() { _, _ = io.Copy(up, c); up.Close() }()
			go func() { _, _ = io.Copy(c, up); c.Close() }()
		}
	}()
}

func (r *relay) stop() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ln != nil {
		r.ln.Close()
		r.ln = nil
	}
	for c := range r.conns {
		c.Close()
		delete(r.conns, c)
	}
}

func (r *relay) start() {
	var ln net.Listener
	var err error
	for range 50 { // the port was just closed: it may take a moment
		if ln, err = net.Listen("tcp", r.addr); err == nil || !errors.Is(err, syscall.EADDRINUSE) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	require.NoError(r.t, err)
	r.serve(ln)
}

// withPoolSize sets pgxpool's pool_max_conns in a DSN of either form.
func withPoolSize(dsn string, n int) string {
	switch {
	case !strings.Contains(dsn, "://"):
		return dsn + " pool_max_conns=" + strconv.Itoa(n)
	case strings.Contains(dsn, "?"):
		return dsn + "&pool_max_conns=" + strconv.Itoa(n)
	default:
		return dsn + "?pool_max_conns=" + strconv.Itoa(n)
	}
}

package main_test

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribune-go/tribune/internal/exampletest"
)

func build(t *testing.T) string { return exampletest.Build(t) }

func start(t *testing.T, bin string, args ...string) string {
	return exampletest.Start(t, bin, append([]string{"-addr", "127.0.0.1:0", "-admin-password", "pw"}, args...)...)
}

const slug = "reunion-des-ministres-de-la-defense-de-l-otan-a-bruxelles-vers-une-otan-plus"

func read(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return string(b)
}

// postThroughForm reads the seed page, fills its form as a browser would
// (hidden token and article included, cookies kept), follows the redirect
// and finds the comment.
func postThroughForm(t *testing.T, base string) {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 10 * time.Second}

	resp, err := c.Get(base + "/")
	require.NoError(t, err)
	home := read(t, resp)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, home, "/articles/"+slug)
	assert.Contains(t, home, "commentaire")

	resp, err = c.Get(base + "/articles/" + slug)
	require.NoError(t, err)
	page := read(t, resp)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, page, "Réunion des ministres de la Défense de l’OTAN à Bruxelles\u00a0: vers une OTAN plus autonome\u202f?")
	assert.Contains(t, page, "<h2>L’OTAN peut-elle se passer des États-Unis\u202f?</h2>")
	assert.Equal(t, 2, strings.Count(page, "<ul>"))
	assert.Contains(t, page, "12 février 2026")
	assert.Contains(t, page, "Laisser un commentaire")
	assert.Contains(t, page, "Votre adresse e-mail ne sera pas publiée.")

	form := url.Values{}
	for _, m := range regexp.MustCompile(`<input type="hidden" name="([^"]+)"(?: id="[^"]*")? value="([^"]*)">`).FindAllStringSubmatch(page, -1) {
		form.Set(m[1], m[2])
	}
	require.NotEmpty(t, form.Get("tribune_token"))
	form.Set("comment", "Excellente synthèse, merci. "+time.Now().Format(time.RFC3339Nano))
	form.Set("author", "Claire Dubois")
	form.Set("email", "claire.canary@example.org")
	form.Set("url", "")
	req, _ := http.NewRequest("POST", base+"/comments/post", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", base)
	resp, err = c.Do(req) // follows the 303
	require.NoError(t, err)
	after := read(t, resp)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "/articles/"+slug, resp.Request.URL.Path)
	assert.Contains(t, after, "Excellente synthèse, merci.")
	assert.Contains(t, after, "Votre commentaire est en attente de modération.")
	assert.NotContains(t, after, "claire.canary@example.org")

	// The moderation screen lists it, with the email, behind Basic auth.
	req, _ = http.NewRequest("GET", base+"/comments/admin/", nil)
	resp, err = c.Do(req)
	require.NoError(t, err)
	read(t, resp)
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	req.SetBasicAuth("admin", "pw")
	resp, err = c.Do(req)
	require.NoError(t, err)
	assert.Contains(t, read(t, resp), "claire.canary@example.org")
}

func TestBlogSQLite(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the example")
	}
	bin := build(t)
	db := filepath.Join(t.TempDir(), "blog.db")
	base := start(t, bin, "-db", db, "-min-submit-delay", "0")
	postThroughForm(t, base)
}

func TestBlogRestartKeepsOneSeed(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the example")
	}
	bin := build(t)
	db := filepath.Join(t.TempDir(), "blog.db")
	for range 2 {
		base := start(t, bin, "-db", db)
		resp, err := http.Get(base + "/")
		require.NoError(t, err)
		assert.Equal(t, 1, strings.Count(read(t, resp), `class="home-item"`))
	}
}

func TestBlogPostgreSQL(t *testing.T) {
	dsn := os.Getenv("TRIBUNE_TEST_POSTGRES")
	if dsn == "" {
		t.Skip("PostgreSQL run skipped: set TRIBUNE_TEST_POSTGRES to a DSN (.ci/run starts one)")
	}
	bin := build(t)
	// A fresh database state: the blog's tables may exist from an earlier
	// run, so only check the flow, which tolerates earlier comments.
	base := start(t, bin, "-db", dsn, "-min-submit-delay", "0", "-flood", "0")
	postThroughForm(t, base)
}

func TestBlogMySQL(t *testing.T) {
	dsn := os.Getenv("TRIBUNE_TEST_MYSQL")
	if dsn == "" {
		t.Skip("MySQL/MariaDB run skipped: set TRIBUNE_TEST_MYSQL to a mysql:// URL (.ci/run starts a MariaDB)")
	}
	bin := build(t)
	base := start(t, bin, "-db", dsn, "-min-submit-delay", "0", "-flood", "0")
	postThroughForm(t, base)
}

func TestBlogBadFlagsAndDatabase(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the example")
	}
	bin := build(t)
	for _, args := range [][]string{
		{"-moderation", "sometimes"},
		{"-lang", "de"},
		{"-nope"},
		{"-db", filepath.Join(t.TempDir(), "missing", "dir", "x.db")},
		{"-rate", "-1"},
		{"-db", "mysql://tribune:secret-pw@127.0.0.1:1/nothing-listens-here"},
		{"-smtp", "127.0.0.1:2525"},
		{"-smtp", "127.0.0.1:2525", "-mail-from", "x@example.org", "-smtp-tls", "ssl3"},
		{"-moderator-email", "not-an-address"},
		{"-mail-from", "x@example.org"},
	} {
		cmd := exec.Command(bin, args...)
		out, err := cmd.CombinedOutput()
		var exit *exec.ExitError
		require.ErrorAs(t, err, &exit, "%v: %s", args, out)
		assert.Equal(t, 1, exit.ExitCode(), "%v: %s", args, out)
		assert.NotEmpty(t, strings.TrimSpace(string(out)))
		assert.NotContains(t, string(out), "secret-pw", "a password on the command line is not echoed")
	}
	out, err := exec.Command(bin, "-h").CombinedOutput()
	require.NoError(t, err)
	for _, f := range []string{"-addr", "-db", "-moderation", "-lang", "-admin-password", "-trusted-proxy", "-min-submit-delay", "-rate", "-flood", "-max-links",
		"-smtp", "-smtp-user", "TRIBUNE_SMTP_PASSWORD", "-mail-from", "-moderator-email", "-site-url"} {
		assert.Contains(t, string(out), f)
	}
}

// TestBlogSIGTERMDuringSlowUpload sends SIGTERM while a client is still
// uploading a post byte by byte: the server stops within its grace time
// and exits 0.
func TestBlogSIGTERMDuringSlowUpload(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the example")
	}
	bin := build(t)
	p := exampletest.Run(t, bin, "-addr", "127.0.0.1:0", "-db", filepath.Join(t.TempDir(), "blog.db"))
	u, _ := url.Parse(p.URL)
	conn, err := net.Dial("tcp", u.Host)
	require.NoError(t, err)
	defer conn.Close()
	_, err = fmt.Fprintf(conn, "POST /comments/post HTTP/1.1\r\nHost: %s\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\ncomment=", u.Host)
	require.NoError(t, err)
	stop := make(chan struct{})
	go func() { // a slow client: one byte every 100 ms
		for {
			select {
			case <-stop:
				return
			case <-time.After(100 * time.Millisecond):
				if _, err := conn.Write([]byte("x")); err != nil {
					return
				}
			}
		}
	}()
	defer close(stop)
	time.Sleep(300 * time.Millisecond)
	start := time.Now()
	require.NoError(t, p.Signal(syscall.SIGTERM))
	code, err := p.Wait(15 * time.Second)
	require.NoError(t, err)
	assert.Equal(t, 0, code, "exit status after SIGTERM")
	assert.Less(t, time.Since(start), 10*time.Second)
}

func TestBlogAdminPasswordFileAndHeaderLimit(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the example")
	}
	bin := build(t)
	pw := filepath.Join(t.TempDir(), "admin-password")
	require.NoError(t, os.WriteFile(pw, []byte("from-the-file\n"), 0o600))
	db := filepath.Join(t.TempDir(), "blog.db")
	base := exampletest.Start(t, bin, "-addr", "127.0.0.1:0", "-db", db, "-admin-password-file", pw)

	req, _ := http.NewRequest("GET", base+"/comments/admin/", nil)
	req.SetBasicAuth("admin", "from-the-file")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	read(t, resp)
	assert.Equal(t, http.StatusOK, resp.StatusCode, "the password from the file")

	fi, err := os.Stat(db)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm(), "the database is readable by its owner only")
	fi, err = os.Stat(db + ".secret")
	require.NoError(t, err, "a site secret kept beside the database, so restarts keep forms valid")
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())

	req, _ = http.NewRequest("GET", base+"/", nil)
	req.Header.Set("X-Big", strings.Repeat("a", 100<<10))
	resp, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	read(t, resp)
	assert.Equal(t, http.StatusRequestHeaderFieldsTooLarge, resp.StatusCode, "headers over 64 KiB")

	out, err := exec.Command(bin, "-admin-password-file", filepath.Join(t.TempDir(), "missing")).CombinedOutput()
	require.Error(t, err, "%s", out)
	assert.Contains(t, string(out), "-admin-password-file")
}

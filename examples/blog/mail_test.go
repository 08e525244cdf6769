package main_test

import (
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribune-go/tribune"
	"github.com/tribune-go/tribune/internal/exampletest"
	"github.com/tribune-go/tribune/internal/smtptest"
	"github.com/tribune-go/tribune/outbox"
	"github.com/tribune-go/tribune/sqlitestore"
)

// postHeld posts n comments, each held for moderation (so each mails the
// moderator).
func postHeld(t *testing.T, base string, n int) {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	hidden := regexp.MustCompile(`<input type="hidden" name="([^"]+)"(?: id="[^"]*")? value="([^"]*)">`)
	for i := range n {
		resp, err := c.Get(base + "/articles/" + slug)
		require.NoError(t, err)
		page := read(t, resp)
		form := url.Values{}
		for _, m := range hidden.FindAllStringSubmatch(page, -1) {
			form.Set(m[1], m[2])
		}
		form.Set("comment", "Commentaire à modérer numéro "+time.Now().Format(time.RFC3339Nano))
		form.Set("author", "Lecteur")
		form.Set("email", "lecteur"+string(rune('a'+i))+"@example.org")
		req, _ := http.NewRequest("POST", base+"/comments/post", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", base)
		resp, err = c.Do(req)
		require.NoError(t, err)
		read(t, resp)
		require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	}
}

// TestBlogMailSurvivesSIGKILL queues moderator mails, kills the blog with
// SIGKILL while one is being sent and the rest wait, and starts it again
// on the same database: every mail arrives, none twice.
func TestBlogMailSurvivesSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the example")
	}
	bin := build(t)
	db := filepath.Join(t.TempDir(), "blog.db")
	srv := smtptest.Start(t, smtptest.Options{})
	args := []string{"-addr", "127.0.0.1:0", "-admin-password", "pw", "-db", db, "-min-submit-delay", "0", "-rate", "0", "-flood", "0",
		"-moderation", "all", "-smtp", srv.Addr, "-smtp-tls", "plain", "-mail-from", "commentaires@example.org",
		"-moderator-email", "moderation@example.org", "-site-url", "https://www.example.org", "-mail-lease", "4s"}

	// The server holds the first mail in flight; the others wait in the
	// outbox behind it.
	srv.Block(true)
	p := exampletest.Run(t, bin, args...)
	const n = 8
	postHeld(t, p.URL, n)
	select {
	case <-srv.RcptSeen():
	case <-time.After(10 * time.Second):
		t.Fatal("the outbox sent nothing")
	}
	require.NoError(t, p.Signal(syscall.SIGKILL))
	code, err := p.Wait(10 * time.Second)
	require.NoError(t, err)
	require.Equal(t, -1, code, "killed by the signal")
	assert.Empty(t, srv.Messages(), "nothing was accepted before the kill")

	// The mails are in the database, not in the dead process.
	store, err := sqlitestore.Open(t.Context(), db)
	require.NoError(t, err)
	queued, err := store.Mails(t.Context(), outbox.Queued, tribune.Span{})
	require.NoError(t, err)
	assert.Len(t, queued, n)
	store.Close()

	srv.Block(false)
	exampletest.Run(t, bin, args...)
	srv.Wait(t, n, 30*time.Second)
	time.Sleep(6 * time.Second) // past the dead process's lease: a mail sent twice would show now
	got := srv.Messages()
	ids := map[string]int{}
	for _, m := range got {
		ids[m.Header.Get("Message-Id")]++
		assert.Equal(t, []string{"moderation@example.org"}, m.To)
		assert.Contains(t, m.Text, "https://www.example.org/comments/mail/moderate/")
	}
	assert.Len(t, ids, n, "every queued mail arrived")
	for id, k := range ids {
		assert.Equal(t, 1, k, "mail %s arrived %d times", id, k)
	}
}

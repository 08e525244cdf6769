package widget_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribune-go/tribune"
	"github.com/tribune-go/tribune/internal/htmlcheck"
	"github.com/tribune-go/tribune/widget"
)

// chromium returns the browser to drive, or skips with how to enable it.
func chromium(t *testing.T) string {
	t.Helper()
	bin := os.Getenv("TRIBUNE_TEST_CHROMIUM")
	if bin == "" {
		t.Skip("browser tests skipped: set TRIBUNE_TEST_CHROMIUM to a Chromium binary, e.g. /usr/bin/chromium (apt-get install chromium; .ci/run does)")
	}
	return bin
}

// watcher records what must never happen in a page: a JavaScript dialog
// (every XSS payload calls alert) and a console error such as a
// Content-Security-Policy report.
type watcher struct {
	mu       sync.Mutex
	dialogs  []string
	problems []string
}

func (w *watcher) add(list *[]string, s string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	*list = append(*list, s)
}

func (w *watcher) report() (dialogs, problems []string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.dialogs...), append([]string(nil), w.problems...)
}

// tab is one browser with its own profile: a separate visitor.
type tab struct {
	t   *testing.T
	ctx context.Context
	w   *watcher
}

func newBrowser(t *testing.T, js bool) *tab {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium(t)),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	t.Cleanup(func() { cancelCtx(); cancelAlloc() })
	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate("about:blank")), "starting Chromium")
	w := &watcher{}
	_, err := chromedp.Call(ctx, runtime.Enable, cdp.Empty{})
	require.NoError(t, err)
	_, err = chromedp.Call(ctx, cdplog.Enable, cdp.Empty{})
	require.NoError(t, err)
	dialogs := chromedp.Events(ctx, page.JavascriptDialogOpening)
	go func() {
		for ev, err := range dialogs {
			if err != nil {
				return
			}
			w.add(&w.dialogs, ev.Message)
			_, _ = chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
		}
	}()
	console := chromedp.Console(ctx)
	go func() {
		for m, err := range console {
			if err != nil {
				return
			}
			// A 422 answer is logged by the network as a failed load: that is
			// the flow, not a fault. Script errors and CSP reports are.
			if m.Type == chromedp.ConsoleException || strings.Contains(m.Text, "Content Security Policy") ||
				(m.Type == "error" && m.Source != "network") {
				w.add(&w.problems, m.Text)
			}
		}
	}()
	if !js {
		_, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
		require.NoError(t, err)
	}
	return &tab{t: t, ctx: ctx, w: w}
}

// do runs the steps with a time limit, so a missing element fails the
// test instead of hanging it.
func (b *tab) do(steps ...chromedp.Action[chromedp.Void]) error {
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	return chromedp.Do(ctx, steps...)
}

func (b *tab) html() string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.OuterHTML(chromedp.CSS("html")))
	require.NoError(b.t, err)
	return s
}

func (b *tab) value(sel string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Value(chromedp.CSS(sel)))
	require.NoError(b.t, err)
	return s
}

func (b *tab) setAuth(user, password string) {
	b.t.Helper()
	_, err := chromedp.Call(b.ctx, network.Enable, network.EnableParams{})
	require.NoError(b.t, err)
	auth := "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+password))
	_, err = chromedp.Call(b.ctx, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{Headers: network.Headers{"Authorization": auth}})
	require.NoError(b.t, err)
}

func css(s string) chromedp.CSS { return chromedp.CSS(s) }

func fillAndSubmit(name, email, text string) []chromedp.Action[chromedp.Void] {
	return []chromedp.Action[chromedp.Void]{
		chromedp.WaitVisible(css("#commentform")),
		chromedp.SetValue(css("#comment"), text),
		chromedp.SetValue(css("#author"), name),
		chromedp.SetValue(css("#email"), email),
		chromedp.Click(css("#submit")),
	}
}

func TestBrowserNoJavaScript(t *testing.T) {
	e := newEnv(t, widget.WithLanguage("fr"))
	alice := newBrowser(t, false)
	require.NoError(t, alice.do(chromedp.Navigate(e.pageURL())))

	// Errors keep what was typed.
	steps := append(fillAndSubmit("Alice", "pas-une-adresse", "Mon texte tapé sans JavaScript"), chromedp.WaitVisible(css("#tribune-errors")))
	require.NoError(t, alice.do(steps...))
	page := alice.html()
	assert.Contains(t, page, "Mon texte tapé sans JavaScript</textarea>")
	assert.Contains(t, page, "Veuillez indiquer une adresse e-mail valide")

	// Fix the email and post: redirected to the pending comment.
	require.NoError(t, alice.do(
		chromedp.SetValue(css("#email"), canary),
		chromedp.Click(css("#submit")),
		chromedp.WaitVisible(css(".tribune-pending"))))
	loc, err := chromedp.Run(alice.ctx, chromedp.Location())
	require.NoError(t, err)
	assert.Contains(t, loc, "#comment-")
	page = alice.html()
	assert.Contains(t, page, "Votre commentaire est en attente de modération.")
	assert.NotContains(t, page, canary)

	// A second browser does not see it.
	bob := newBrowser(t, false)
	require.NoError(t, bob.do(chromedp.Navigate(e.pageURL()), chromedp.WaitVisible(css("#commentform"))))
	assert.NotContains(t, bob.html(), "Mon texte tapé sans JavaScript")

	// The moderator approves it on the moderation screen.
	mod := newBrowser(t, false)
	mod.setAuth("admin", "pw")
	require.NoError(t, mod.do(
		chromedp.Navigate(e.srv.URL+"/comments/admin/?status=pending"),
		chromedp.WaitVisible(css(`button[name="one"][value^="approve:"]`))))
	assert.Contains(t, mod.html(), canary, "the email shows on the moderation screen only")
	require.NoError(t, mod.do(
		chromedp.Click(css(`button[name="one"][value^="approve:"]`)),
		chromedp.WaitVisible(css(`p[role="status"]`))))

	require.NoError(t, bob.do(chromedp.Navigate(e.pageURL()), chromedp.WaitVisible(css(".tribune-comment"))))
	other := bob.html()
	assert.Contains(t, other, "Mon texte tapé sans JavaScript")
	assert.Contains(t, other, "1 commentaire")

	for _, b := range []*tab{alice, bob, mod} {
		dialogs, problems := b.w.report()
		assert.Empty(t, dialogs)
		assert.Empty(t, problems, "no CSP violation or error in the console")
	}
}

func TestBrowserWithJavaScript(t *testing.T) {
	e := newEnv(t, widget.WithLanguage("fr"), widget.WithRules(tribune.WithModeration(tribune.ModerateNone)))
	b := newBrowser(t, true)
	steps := append([]chromedp.Action[chromedp.Void]{chromedp.Navigate(e.pageURL())}, fillAndSubmit("Alice", canary, "Premier, avec JavaScript")...)
	require.NoError(t, b.do(append(steps, chromedp.WaitVisible(css(".tribune-comment")))...))

	// The counter is there; reply moves the form under the comment.
	counter, err := chromedp.Run(b.ctx, chromedp.Text(css("#comment-counter")))
	require.NoError(t, err)
	assert.Contains(t, counter, "octets restants")
	require.NoError(t, b.do(
		chromedp.Click(css(".tribune-reply-link")),
		chromedp.WaitVisible(css(".tribune-comment #respond"))))
	assert.NotEmpty(t, b.value("#comment_parent"))

	// Cancel puts it back.
	require.NoError(t, b.do(
		chromedp.Click(css("#cancel-comment-reply-link")),
		chromedp.WaitNotPresent(css(".tribune-comment #respond"))))
	assert.Empty(t, b.value("#comment_parent"))

	// The draft survives a reload until it is posted.
	require.NoError(t, b.do(
		chromedp.Click(css(".tribune-reply-link")),
		chromedp.WaitVisible(css(".tribune-comment #respond")),
		chromedp.SendKeys(css("#comment"), "Brouillon gardé"),
		chromedp.Reload(),
		chromedp.WaitVisible(css("#comment"))))
	assert.Equal(t, "Brouillon gardé", b.value("#comment"))

	require.NoError(t, b.do(
		chromedp.Click(css(".tribune-reply-link")),
		chromedp.WaitVisible(css(".tribune-comment #respond")),
		chromedp.SetValue(css("#author"), "Bob"),
		chromedp.SetValue(css("#email"), "bob@example.org"),
		chromedp.Click(css("#submit")),
		chromedp.WaitVisible(css(".tribune-children .tribune-comment"))))
	page := b.html()
	assert.Contains(t, page, "Brouillon gardé")
	assert.NotContains(t, page, canary)
	assert.Empty(t, b.value("#comment"), "the draft is gone once posted")
	dialogs, problems := b.w.report()
	assert.Empty(t, dialogs)
	assert.Empty(t, problems, "no CSP violation or error in the console")
}

// TestBrowserXSSCorpus stores every payload of the shared corpus in every
// field that accepts it and shows them in a real browser with JavaScript
// on: the thread, the form shown again with errors, and the moderation
// screen. No payload may open a dialog.
func TestBrowserXSSCorpus(t *testing.T) {
	chromium(t)
	corpus, err := htmlcheck.LoadCorpus()
	require.NoError(t, err, "the corpus lives in %s", htmlcheck.CorpusPath)
	e := newEnv(t, widget.WithRules(tribune.WithModeration(tribune.ModerateNone), tribune.WithFilters(tribune.Filters{MaxLinks: -1})))
	ctx := context.Background()
	stored := 0
	for i, p := range corpus {
		sub := tribune.Submission{
			Input:      tribune.CommentInput{ArticleID: e.article.ID, Name: p, Email: fmt.Sprintf("x%d@example.org", i), Website: p, Body: p},
			ClientAddr: fmt.Sprint("198.51.100.", i%250),
		}
		if _, err := e.h.Service().Submit(ctx, sub); err == nil {
			stored++
			continue
		}
		sub.Input.Website = "" // most payloads are no website
		if _, err := e.h.Service().Submit(ctx, sub); err == nil {
			stored++
			continue
		}
		sub.Input.Name = fmt.Sprint("n", i)
		if _, err := e.h.Service().Submit(ctx, sub); err == nil {
			stored++
		}
	}
	t.Logf("%d of %d payloads stored as comments", stored, len(corpus))

	b := newBrowser(t, true)
	require.NoError(t, b.do(chromedp.Navigate(e.pageURL()), chromedp.WaitVisible(css("#commentform")), chromedp.Sleep(300*time.Millisecond)))

	// The form shown again with errors, its fields holding payloads.
	for i := 0; i < len(corpus); i += 3 {
		p := corpus[i]
		require.NoError(t, b.do(
			chromedp.Navigate(e.pageURL()),
			chromedp.WaitVisible(css("#commentform")),
			chromedp.SetValue(css("#email"), "not an email")), "payload %d", i)
		// The browser refuses some values (NUL, line breaks in one-line
		// inputs): those fields keep what they had.
		_ = b.do(chromedp.SetValue(css("#comment"), p))
		_ = b.do(chromedp.SetValue(css("#author"), p))
		_ = b.do(chromedp.SetValue(css("#url"), p))
		require.NoError(t, b.do(chromedp.Click(css("#submit")), chromedp.WaitVisible(css("#tribune-errors"))), "payload %d", i)
	}

	mod := newBrowser(t, true)
	mod.setAuth("admin", "pw")
	for off := 0; off < stored; off += 50 {
		require.NoError(t, mod.do(chromedp.Navigate(fmt.Sprintf("%s/comments/admin/?status=approved&offset=%d", e.srv.URL, off)),
			chromedp.WaitVisible(css("table"))))
	}
	require.NoError(t, mod.do(chromedp.Sleep(300*time.Millisecond)))
	for _, tb := range []*tab{b, mod} {
		dialogs, _ := tb.w.report()
		assert.Empty(t, dialogs, "a payload ran")
	}
}

// TestBrowserUnclosedTagsLeaveTheRestAlone posts a comment that opens
// inline tags and never closes them, then a plain one: in a real browser
// the next comment, the form and what follows the section keep the
// computed style they have on a page without the first comment.
func TestBrowserUnclosedTagsLeaveTheRestAlone(t *testing.T) {
	styles := func(first string) string {
		e := newEnv(t, widget.WithLanguage("fr"), widget.WithRules(tribune.WithModeration(tribune.ModerateNone), tribune.WithFilters(tribune.Filters{MaxLinks: -1})))
		c := e.browser()
		for _, text := range []string{first, "Le commentaire suivant, tout simple."} {
			resp := e.post(c, valid(e.form(c), text))
			require.Equal(t, http.StatusSeeOther, resp.StatusCode)
		}
		b := newBrowser(t, true)
		require.NoError(t, b.do(chromedp.Navigate(e.pageURL()), chromedp.WaitVisible(css("#commentform"))))
		out, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`(() => {
			const pick = el => { const s = getComputedStyle(el);
				return [s.textDecorationLine, s.fontWeight, s.fontStyle, s.fontFamily, s.color].join("|"); };
			const items = document.querySelectorAll(".tribune-comment");
			const next = items[items.length - 1].querySelector(".tribune-text p");
			return JSON.stringify({
				next: pick(next), nextParent: next.closest("a, s, b, i, code") === null,
				label: pick(document.querySelector("#commentform label")),
				submit: pick(document.querySelector("#submit")),
				after: pick(document.querySelector("main")),
				inLink: document.querySelector("#commentform").closest("a") !== null,
			});
		})()`))
		require.NoError(t, err)
		dialogs, problems := b.w.report()
		assert.Empty(t, dialogs)
		assert.Empty(t, problems)
		return out
	}
	baseline := styles("Un premier commentaire, sans balise.")
	for _, attack := range []string{
		"<s><code><b><i>tout ce qui suit serait barré",
		`<a href="https://example.org/">un lien ouvert qui avalerait le formulaire`,
	} {
		assert.Equal(t, baseline, styles(attack), attack)
	}
}

// TestBrowserCommentPages pages through a thread, follows a permalink to
// a comment on page 3, replies there and lands back on page 3 with the
// reply shown: with JavaScript off and on.
func TestBrowserCommentPages(t *testing.T) {
	for _, js := range []bool{false, true} {
		t.Run(fmt.Sprintf("javascript=%v", js), func(t *testing.T) {
			e := newEnv(t, widget.WithPages(widget.Pages{Size: 5}), withApproval(), widget.WithLanguage("fr"))
			top := e.seedTopLevel(12)
			b := newBrowser(t, js)
			require.NoError(t, b.do(chromedp.Navigate(e.pageURL()), chromedp.WaitVisible(css(".tribune-pages"))))
			assert.Contains(t, b.html(), "top 04")
			require.NoError(t, b.do(chromedp.Click(css(`a.tribune-pages-next`)), chromedp.WaitVisible(css(`#comment-`+top[5].ID.String()))))
			assert.NotContains(t, b.html(), "top 04")
			require.NoError(t, b.do(chromedp.Click(css(`a.tribune-pages-next`)), chromedp.WaitVisible(css(`#comment-`+top[10].ID.String()))))
			loc, err := chromedp.Run(b.ctx, chromedp.Location())
			require.NoError(t, err)
			assert.Contains(t, loc, "cpage=3")

			// The permalink of a comment on page 3, from page 1.
			require.NoError(t, b.do(chromedp.Navigate(e.pageURL())))
			require.NoError(t, b.do(chromedp.Navigate(e.srv.URL+"/comments/comment/"+top[11].ID.String()),
				chromedp.WaitVisible(css(`#comment-`+top[11].ID.String()))))
			loc, err = chromedp.Run(b.ctx, chromedp.Location())
			require.NoError(t, err)
			assert.Equal(t, e.pageURL()+"?cpage=3#comment-"+top[11].ID.String(), loc)

			// Reply there.
			reply := "Ma réponse sur la page trois"
			steps := []chromedp.Action[chromedp.Void]{chromedp.Click(css(`a[data-reply-to="` + top[11].ID.String() + `"]`))}
			steps = append(steps, fillAndSubmit("Bruno", "bruno@example.org", reply)...)
			steps = append(steps, chromedp.WaitVisible(css(`.tribune-children .tribune-text`)))
			require.NoError(t, b.do(steps...))
			loc, err = chromedp.Run(b.ctx, chromedp.Location())
			require.NoError(t, err)
			assert.Contains(t, loc, "/comments/articles/otan?cpage=3#comment-")
			page := b.html()
			assert.Contains(t, page, reply)
			assert.Contains(t, page, "top 11")
			assert.NotContains(t, page, "top 04")
			dialogs, problems := b.w.report()
			assert.Empty(t, dialogs)
			assert.Empty(t, problems)
		})
	}
}

// TestBrowserMoreComments: with JavaScript, "Plus de commentaires"
// appends the next page in place, and again, until there is no next page.
func TestBrowserMoreComments(t *testing.T) {
	e := newEnv(t, widget.WithPages(widget.Pages{Size: 5}), withApproval(), widget.WithLanguage("fr"))
	top := e.seedTopLevel(12)
	b := newBrowser(t, true)
	require.NoError(t, b.do(chromedp.Navigate(e.pageURL()), chromedp.WaitVisible(css("button.tribune-more"))))
	require.NoError(t, b.do(chromedp.Click(css("button.tribune-more")), chromedp.WaitVisible(css(`#comment-`+top[9].ID.String()))))
	page := b.html()
	assert.Contains(t, page, "top 00", "page 1 stays")
	assert.Contains(t, page, "top 05")
	assert.Equal(t, 1, strings.Count(page, `class="tribune-pages"`), "one navigation, the fetched page's")
	loc, err := chromedp.Run(b.ctx, chromedp.Location())
	require.NoError(t, err)
	assert.Equal(t, e.pageURL(), loc, "the address does not change")
	require.NoError(t, b.do(chromedp.Click(css("button.tribune-more")), chromedp.WaitVisible(css(`#comment-`+top[11].ID.String()))))
	page = b.html()
	assert.NotContains(t, page, `class="tribune-more"`, "no button once the last page is in")
	assert.Equal(t, 12, strings.Count(page, `<p>top `))
	dialogs, problems := b.w.report()
	assert.Empty(t, dialogs)
	assert.Empty(t, problems)
}

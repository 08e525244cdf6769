package widget_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribune-go/tribune"
	"github.com/tribune-go/tribune/widget"
)

// TestBrowserMail drives the mail features in Chromium, with JavaScript
// off and on: the subscribe box, the confirmation and unsubscribe pages
// and editing one's own comment.
func TestBrowserMail(t *testing.T) {
	for _, js := range []bool{false, true} {
		name := "no JavaScript"
		if js {
			name = "JavaScript"
		}
		t.Run(name, func(t *testing.T) {
			chromium(t)
			e := newMailEnv(t, widget.WithLanguage("fr"), widget.WithRules(tribune.WithModeration(tribune.ModerateNone)))
			const leaMail = "lea.browser@example.org"
			lea := newBrowser(t, js)
			steps := []chromedp.Action[chromedp.Void]{chromedp.Navigate(e.pageURL()), chromedp.WaitVisible(css("#tribune-notify-replies"))}
			require.NoError(t, lea.do(steps...))
			checked, err := chromedp.Run(lea.ctx, chromedp.JavascriptAttribute[bool](css("#tribune-notify-replies"), "checked"))
			require.NoError(t, err)
			assert.False(t, checked, "the box starts unticked")
			require.NoError(t, lea.do(append([]chromedp.Action[chromedp.Void]{chromedp.Click(css("#tribune-notify-replies"))},
				append(fillAndSubmit("Léa", leaMail, "Mon avis, suivi par e-mail."), chromedp.WaitVisible(css(".tribune-own")))...)...))

			// The confirmation link, in her browser: a page with a button.
			confirmURL := link(t, e.waitFor(leaMail, 1)[0], "confirm")
			require.NoError(t, lea.do(chromedp.Navigate(confirmURL), chromedp.WaitVisible(css(`button[name="confirm"]`))))
			require.NoError(t, lea.do(chromedp.Click(css(`button[name="confirm"]`)), chromedp.WaitNotPresent(css(`button[name="confirm"]`))))
			assert.Contains(t, lea.html(), "Votre adresse est confirmée")

			// A reply: the notification's unsubscribe page, then its button.
			parent := strings.TrimPrefix(firstCommentID(t, e), "comment-")
			e.postAs(e.browser(), "Marc", "marc@example.org", "Une réponse pour Léa.", parent, false)
			note := e.waitFor(leaMail, 2)[1]
			unsub := strings.Trim(note.Header.Get("List-Unsubscribe"), "<>")
			require.NoError(t, lea.do(chromedp.Navigate(unsub), chromedp.WaitVisible(css(`button[name="unsubscribe"]`))))
			assert.Contains(t, lea.html(), "Arrêter les e-mails")
			require.NoError(t, lea.do(chromedp.Click(css(`button[name="unsubscribe"]`)), chromedp.WaitNotPresent(css(`button[name="unsubscribe"]`))))
			assert.Contains(t, lea.html(), "C’est fait")

			// Editing her comment: the link, the form with her text, the mark.
			require.NoError(t, lea.do(chromedp.Navigate(e.pageURL()), chromedp.WaitVisible(css(".tribune-own a"))))
			require.NoError(t, lea.do(chromedp.Click(css(".tribune-own a")), chromedp.WaitVisible(css("#edit-comment"))))
			assert.Equal(t, "Mon avis, suivi par e-mail.", lea.value("#edit-comment"))
			require.NoError(t, lea.do(
				chromedp.SetValue(css("#edit-comment"), "Mon avis, corrigé."),
				chromedp.Click(css(".tribune-edit .tribune-submit")),
				chromedp.WaitVisible(css(".tribune-edited"))))
			page := lea.html()
			assert.Contains(t, page, "Mon avis, corrigé.")
			assert.Contains(t, page, "(modifié)")
			assert.NotContains(t, page, leaMail)
			dialogs, problems := lea.w.report()
			assert.Empty(t, dialogs)
			assert.Empty(t, problems, "no CSP violation or error in the console")
		})
	}
}

// firstCommentID is the anchor of the first comment on the page.
func firstCommentID(t *testing.T, e *mailEnv) string {
	t.Helper()
	cs, err := e.store.FindComments(t.Context(), tribune.Query{ArticleID: e.article.ID, Limit: 1})
	require.NoError(t, err)
	require.NotEmpty(t, cs)
	return "comment-" + cs[0].ID.String()
}

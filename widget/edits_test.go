package widget_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribune-go/tribune"
	"github.com/tribune-go/tribune/widget"
)

// spamWord is a spam filter that knows one word.
type spamWord string

func (w spamWord) Check(_ context.Context, c *tribune.Comment, _ *tribune.Submission) (bool, error) {
	return strings.Contains(c.Body, string(w)), nil
}

// TestRewriteWithinTheEditWindowIsSeenAgain: a rewrite of an approved
// comment is marked for moderators, listed by the "edited" filter, and
// goes through the rules again, the spam filter included.
func TestRewriteWithinTheEditWindowIsSeenAgain(t *testing.T) {
	e := newMailEnv(t, widget.WithRules(tribune.WithModeration(tribune.ModerateNone), tribune.WithSpamChecker(spamWord("casino"))))
	author := e.browser()
	quiet := e.postAs(author, "Inès", "ines@example.org", "Un avis mesuré.", "", false)
	other := e.postAs(e.browser(), "Paul", "paul@example.org", "Jamais modifié.", "", false)
	status, _ := e.postForm(author, e.srv.URL+"/comments/comment/"+quiet+"/edit", url.Values{"comment": {"Un avis mesuré, corrigé."}})
	require.Equal(t, http.StatusSeeOther, status)

	page := e.adminPage("approved")
	row := page[strings.Index(page, `id="row-`+quiet+`"`):]
	row = row[:strings.Index(row, "</tr>")]
	assert.Contains(t, row, "modifié par l’auteur le", "moderators see the rewrite")
	edited := e.adminPage("approved&edited=1")
	assert.Contains(t, edited, `id="row-`+quiet+`"`)
	assert.NotContains(t, edited, `id="row-`+other+`"`, "the filter keeps the edited comments only")
	assert.Contains(t, edited, `aria-current="true"`)

	status, _ = e.postForm(author, e.srv.URL+"/comments/comment/"+quiet+"/edit", url.Values{"comment": {"Gagnez au casino !"}})
	require.Equal(t, http.StatusSeeOther, status)
	c, err := e.store.Comment(t.Context(), mustUUID(t, quiet))
	require.NoError(t, err)
	assert.Equal(t, tribune.StatusSpam, c.Status, "the spam filter reads the rewrite")
}

// TestMembersMarkAndNames: a signed-in member's comment carries a mark no
// form can produce; their name is theirs (Names.Member); their edit
// rights follow their user ID into another browser.
func TestMembersMarkAndNames(t *testing.T) {
	members := func(_ context.Context, name string) (string, bool, error) {
		for _, u := range testUsers {
			if strings.EqualFold(u.Name, name) {
				return u.UserID, true, nil
			}
		}
		return "", false, nil
	}
	e := newEnv(t, widget.WithIdentity(identityFromCookie, widget.Accounts{}), widget.WithEditWindow(time.Hour),
		widget.WithRules(tribune.WithModeration(tribune.ModerateNone), tribune.WithNames(tribune.Names{Member: members})))
	laptop, phone := e.browser(), e.browser()
	signIn(t, e, laptop, "claire")
	v := e.form(laptop)
	v.Set("comment", "Commentaire de membre.")
	resp := e.post(laptop, v)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	id := idRE.FindString(resp.Header.Get("Location"))

	// An anonymous visitor cannot take her name, nor copy her mark.
	anon := e.browser()
	v = e.form(anon)
	v.Set("author", "claire dubois")
	v.Set("email", "fake@example.org")
	v.Set("comment", "Je suis Claire.")
	resp = e.post(anon, v)
	assert.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode, "a member's name is reserved")
	v.Set("author", "Claire Dubois membre")
	v.Set("comment", "Avec la marque tapée.")
	resp = e.post(anon, v)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	_, page := e.get(e.browser(), e.pageURL())
	assert.Equal(t, 1, strings.Count(page, `<span class="tribune-member">membre</span>`), "only the member's comment has the mark")
	item := page[strings.Index(page, `id="comment-`+id+`"`):]
	assert.Contains(t, item[:strings.Index(item, "tribune-text")], `<span class="tribune-member">membre</span>`)

	// Signed in on her phone, she may edit the comment she wrote on her
	// laptop; signed out, the same phone may not.
	editURL := e.srv.URL + "/comments/comment/" + id + "/edit"
	status, _ := e.get(phone, editURL)
	assert.Equal(t, http.StatusNotFound, status)
	signIn(t, e, phone, "claire")
	status, _ = e.get(phone, editURL)
	assert.Equal(t, http.StatusOK, status, "edit rights follow the user ID")
	signIn(t, e, phone, "newbie")
	status, _ = e.get(phone, editURL)
	assert.Equal(t, http.StatusNotFound, status, "another member's comment")
}

// TestEditPageTellsNothingOfOthersComments: for anybody but the author,
// a held, spam, trashed or approved comment's edit page answers as an
// unknown ID does: the same 404.
func TestEditPageTellsNothingOfOthersComments(t *testing.T) {
	e := newMailEnv(t, widget.WithRules(tribune.WithModeration(tribune.ModerateAll)))
	author, stranger := e.browser(), e.browser()
	ids := map[tribune.Status]string{}
	for _, st := range []tribune.Status{tribune.StatusPending, tribune.StatusSpam, tribune.StatusTrash, tribune.StatusApproved} {
		id := e.postAs(author, "Inès", "ines@example.org", "Un avis "+string(st)+".", "", false)
		if st != tribune.StatusPending {
			_, err := e.h.Service().Moderate(t.Context(), mustUUID(t, id), st)
			require.NoError(t, err)
		}
		ids[st] = id
	}
	status, unknown := e.get(stranger, e.srv.URL+"/comments/comment/"+"00000000-0000-4000-8000-000000000000"+"/edit")
	require.Equal(t, http.StatusNotFound, status)
	for st, id := range ids {
		status, page := e.get(stranger, e.srv.URL+"/comments/comment/"+id+"/edit")
		assert.Equal(t, http.StatusNotFound, status, string(st))
		assert.Equal(t, unknown, page, "%s: the same page as an unknown ID", st)
		status, _ = e.postForm(stranger, e.srv.URL+"/comments/comment/"+id+"/delete", nil)
		assert.Equal(t, http.StatusNotFound, status, string(st))
	}
	status, _ = e.get(author, e.srv.URL+"/comments/comment/"+ids[tribune.StatusSpam]+"/edit")
	assert.Equal(t, http.StatusForbidden, status, "the author is told it can no longer be edited")
}

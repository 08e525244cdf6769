package widget_test

import (
	"context"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribune-go/tribune"
	"github.com/tribune-go/tribune/memstore"
	"github.com/tribune-go/tribune/sqlitestore"
	"github.com/tribune-go/tribune/widget"
)

// TestEveryViewKeepsTheOneVisibilityRule: a comment of each status and
// four viewers (an anonymous visitor, the comments' author by their
// own-comments cookie, a moderator and another user signed in with the
// host). The page and the permalink show a comment exactly when
// tribune.Viewer.Sees says so; the JSON API and the feeds, which may be
// cached and shared, show what an anonymous visitor sees, whoever asks.
// The table beside the rule says what it must be: approved to everyone,
// held to its author and moderators, spam and trash to nobody.
func TestEveryViewKeepsTheOneVisibilityRule(t *testing.T) {
	for name, store := range map[string]func(t *testing.T) tribune.Store{
		"memstore": func(*testing.T) tribune.Store { return memstore.New() },
		"sqlite": func(t *testing.T) tribune.Store {
			s, err := sqlitestore.Open(t.Context(), filepath.Join(t.TempDir(), "v.db"))
			require.NoError(t, err)
			t.Cleanup(func() { s.Close() })
			return s
		},
	} {
		t.Run(name, func(t *testing.T) {
			e := newEnvOn(t, store(t), widget.WithIdentity(identityFromCookie, widget.Accounts{}), widget.WithPublicAPI(true),
				widget.WithRules(tribune.WithModeration(tribune.ModerateNone)))
			author := e.browser()
			statuses := []tribune.Status{tribune.StatusApproved, tribune.StatusPending, tribune.StatusSpam, tribune.StatusTrash}
			comments := map[tribune.Status]tribune.Comment{}
			for _, st := range statuses {
				resp := e.post(author, valid(e.form(author), "texte-"+string(st)))
				require.Equal(t, http.StatusSeeOther, resp.StatusCode)
				id := uuid.MustParse(postedID(resp.Header.Get("Location")))
				c, err := e.h.Service().Moderate(context.Background(), id, st)
				require.NoError(t, err)
				comments[st] = c
			}
			ownIDs := make([]uuid.UUID, 0, len(comments))
			for _, c := range comments {
				ownIDs = append(ownIDs, c.ID)
			}
			moderator, user := e.browser(), e.browser()
			signIn(t, e, moderator, "mod")
			signIn(t, e, user, "newbie")
			viewers := []struct {
				name   string
				client *http.Client
				rule   tribune.Viewer
				sees   map[tribune.Status]bool
			}{
				{"anonymous", e.browser(), tribune.Viewer{}, map[tribune.Status]bool{tribune.StatusApproved: true}},
				{"author", author, tribune.Viewer{Own: ownIDs}, map[tribune.Status]bool{tribune.StatusApproved: true, tribune.StatusPending: true}},
				{"moderator", moderator, tribune.Viewer{Moderator: true}, map[tribune.Status]bool{tribune.StatusApproved: true, tribune.StatusPending: true}},
				{"signed-in user", user, tribune.Viewer{}, map[tribune.Status]bool{tribune.StatusApproved: true}},
			}
			for _, v := range viewers {
				_, page := e.get(v.client, e.pageURL())
				_, api := e.get(v.client, e.srv.URL+"/comments/api/articles/"+e.article.ID.String()+"/comments")
				_, feed := e.get(v.client, e.srv.URL+"/comments/feed/otan")
				_, siteFeed := e.get(v.client, e.srv.URL+"/comments/feed.atom")
				for _, st := range statuses {
					c := comments[st]
					want := v.rule.Sees(c)
					require.Equal(t, v.sees[st], want, "the rule: %s, %s", v.name, st)
					text := "texte-" + string(st)
					assert.Equal(t, want, strings.Contains(page, text), "page: %s, %s", v.name, st)
					code, _ := e.get(v.client, e.srv.URL+"/comments/comment/"+c.ID.String())
					assert.Equal(t, want, code == http.StatusFound, "permalink: %s, %s (%d)", v.name, st, code)
					public := tribune.Viewer{}.Sees(c)
					assert.Equal(t, public, strings.Contains(api, text), "API: %s, %s", v.name, st)
					assert.Equal(t, public, strings.Contains(feed, text), "article feed: %s, %s", v.name, st)
					assert.Equal(t, public, strings.Contains(siteFeed, text), "site feed: %s, %s", v.name, st)
				}
			}
		})
	}
}

// TestNoExportedPathShowsStaleText: a host holds the store itself, and
// may change a comment through its raw UpdateComment without a new
// version; the page, cached as it is, shows the new text at once, as it
// does after the Service's edit, on the page, the permalink's page, the
// API and the feed.
func TestNoExportedPathShowsStaleText(t *testing.T) {
	e := newEnvOn(t, memstore.New(), widget.WithPublicAPI(true), widget.WithRules(tribune.WithModeration(tribune.ModerateNone)))
	alice := e.browser()
	resp := e.post(alice, valid(e.form(alice), "le texte d’origine"))
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	id := uuid.MustParse(postedID(resp.Header.Get("Location")))
	anon := e.browser()
	views := func() []string {
		_, page := e.get(anon, e.pageURL())
		_, again := e.get(anon, e.pageURL()) // served from the cache
		_, api := e.get(anon, e.srv.URL+"/comments/api/articles/"+e.article.ID.String()+"/comments")
		_, feed := e.get(anon, e.srv.URL+"/comments/feed/otan")
		return []string{page, again, api, feed}
	}
	for _, v := range views() {
		require.Contains(t, v, "le texte d’origine")
	}
	_, err := e.store.UpdateComment(context.Background(), id, func(c *tribune.Comment) error {
		c.Body, c.AuthorName = "<p>changé sans nouvelle version</p>\n", "Alice Changée"
		return nil
	})
	require.NoError(t, err)
	for i, v := range views() {
		assert.NotContains(t, v, "le texte d’origine", "view %d after a raw update", i)
		assert.Contains(t, v, "changé sans nouvelle version", "view %d after a raw update", i)
		assert.Contains(t, v, "Alice Changée", "view %d after a raw update", i)
	}
	_, err = e.h.Service().Edit(context.Background(), id, "corrigé par la modération")
	require.NoError(t, err)
	for i, v := range views() {
		assert.NotContains(t, v, "changé sans nouvelle version", "view %d after the Service's edit", i)
		assert.Contains(t, v, "corrigé par la modération", "view %d after the Service's edit", i)
	}
}

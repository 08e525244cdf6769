package widget_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribune-go/tribune"
	"github.com/tribune-go/tribune/widget"
)

// testNeverStale has two handler instances, each with its own thread
// cache, share one database: whatever one does, the other's next page
// shows it.
func testNeverStale(t *testing.T, open sharedStores) {
	storeA, storeB := open(t)
	ctx := context.Background()
	a, err := tribune.NewArticle(tribune.ArticleInput{Slug: "cache-" + uuid.NewString()[:8], Title: "Cache", Lang: "fr"})
	require.NoError(t, err)
	require.NoError(t, storeA.CreateArticle(ctx, &a))
	newHandler := func(s tribune.Store) (*widget.Handler, *httptest.Server) {
		h, err := widget.New(s, widget.WithRules(tribune.WithModeration(tribune.ModerateNone), tribune.WithFloodInterval(0)))
		require.NoError(t, err)
		mux := http.NewServeMux()
		mux.Handle("/comments/", h)
		srv := httptest.NewServer(mux)
		t.Cleanup(srv.Close)
		return h, srv
	}
	_, srvA := newHandler(storeA)
	hB, _ := newHandler(storeB)
	page := func() string {
		resp, err := http.Get(srvA.URL + "/comments/articles/" + a.Slug)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	assert.Contains(t, page(), "Aucun commentaire")
	assert.Contains(t, page(), "Aucun commentaire") // now from A's cache

	c, err := hB.Service().Submit(ctx, tribune.Submission{Input: tribune.CommentInput{ArticleID: a.ID, Name: "B", Email: "b@example.org", Body: "posté ailleurs"}})
	require.NoError(t, err)
	got := page()
	assert.Contains(t, got, "posté ailleurs", "a new approved comment")
	assert.Contains(t, got, "1 commentaire")

	_, err = hB.Service().Edit(ctx, c.ID, "corrigé ailleurs")
	require.NoError(t, err)
	assert.Contains(t, page(), "corrigé ailleurs", "an edit")

	_, err = hB.Service().Moderate(ctx, c.ID, tribune.StatusTrash)
	require.NoError(t, err)
	got = page()
	assert.NotContains(t, got, "corrigé ailleurs", "a moderation action")
	assert.Contains(t, got, "Aucun commentaire")

	_, err = hB.Service().Moderate(ctx, c.ID, tribune.StatusApproved)
	require.NoError(t, err)
	assert.Contains(t, page(), "corrigé ailleurs")
	require.NoError(t, hB.Service().Delete(ctx, c.ID))
	assert.NotContains(t, page(), "corrigé ailleurs", "a deletion")
}

func TestCacheNeverStale(t *testing.T) {
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) { testNeverStale(t, be.open) })
	}
}

package widget_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribune-go/tribune"
	"github.com/tribune-go/tribune/pgstore"
	"github.com/tribune-go/tribune/sqlitestore"
	"github.com/tribune-go/tribune/widget"
)

// testNeverStale has two handler instances, each with its own thread
// cache, share one database: whatever one does, the other's next page
// shows it.
func testNeverStale(t *testing.T, storeA, storeB tribune.Store) {
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

func TestCacheNeverStaleSQLite(t *testing.T) {
	path := filepath.Join(t.TempDir(), "shared.db")
	a, err := sqlitestore.Open(context.Background(), path)
	require.NoError(t, err)
	defer a.Close()
	b, err := sqlitestore.Open(context.Background(), path)
	require.NoError(t, err)
	defer b.Close()
	testNeverStale(t, a, b)
}

func TestCacheNeverStalePostgreSQL(t *testing.T) {
	dsn := os.Getenv("TRIBUNE_TEST_POSTGRES")
	if dsn == "" {
		t.Skip("PostgreSQL tests skipped: set TRIBUNE_TEST_POSTGRES to a DSN (.ci/run starts one)")
	}
	ctx := context.Background()
	schema := "w_" + strings.ReplaceAll(uuid.NewString(), "-", "")[:16]
	conn, err := pgx.Connect(ctx, dsn)
	require.NoError(t, err)
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, "CREATE SCHEMA "+schema)
	require.NoError(t, err)
	defer conn.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
	a, err := pgstore.Open(ctx, dsn, pgstore.WithSchema(schema))
	require.NoError(t, err)
	defer a.Close()
	b, err := pgstore.Open(ctx, dsn, pgstore.WithSchema(schema))
	require.NoError(t, err)
	defer b.Close()
	testNeverStale(t, a, b)
}

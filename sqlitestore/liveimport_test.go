package sqlitestore_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribune-go/tribune"
	"github.com/tribune-go/tribune/sqlitestore"
	"github.com/tribune-go/tribune/storetest"
)

// TestImportIntoALiveThreadKeepsTheSiteUp: 6,000 comments older than a
// live 3,000-comment thread go in by batches of 2,000 (as the importer
// writes), from another connection, while a visitor posts every 20 ms
// with the widget's store deadline (3 s): every post lands, the batches
// are short, and the page positions come out exactly in thread order.
func TestImportIntoALiveThreadKeepsTheSiteUp(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 9,000 comments")
	}
	if raceDetector {
		t.Skip("times SQLite's write lock, which -race slows tenfold; .ci/run runs it without -race")
	}
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "live.db")
	site, err := sqlitestore.Open(ctx, path)
	require.NoError(t, err)
	defer site.Close()
	importer, err := sqlitestore.Open(ctx, path)
	require.NoError(t, err)
	defer importer.Close()
	a := storetest.NewArticle(t, "Fil vivant", time.Now().Add(-48*time.Hour))
	require.NoError(t, site.CreateArticle(ctx, &a))
	start := time.Now().Add(-24 * time.Hour)
	comment := func(at time.Time, i int) tribune.Comment {
		return tribune.Comment{ID: uuid.New(), ArticleID: a.ID, AuthorName: fmt.Sprint("Lecteur ", i), Body: "<p>Texte</p>\n",
			Status: tribune.StatusApproved, Version: 1, Created: at.UTC().Truncate(time.Microsecond)}
	}
	live := make([]tribune.Comment, 0, 3000)
	for i := range 3000 {
		live = append(live, comment(start.Add(time.Duration(i)*time.Second), i))
	}
	require.NoError(t, site.InsertComments(ctx, live))

	stop := make(chan struct{})
	var wg sync.WaitGroup
	var failed, posted int
	wg.Go(func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
			pctx, cancel := context.WithTimeout(ctx, tribune.DefaultStoreTimeout)
			c := comment(time.Now(), 100000+i)
			if err := site.CreateComment(pctx, &c, tribune.Guard{}); err != nil {
				failed++
				t.Logf("post %d: %v", i, err)
			} else {
				posted++
			}
			cancel()
		}
	})
	var slowest time.Duration
	for b := range 3 {
		batch := make([]tribune.Comment, 0, 2000)
		for i := range 2000 {
			batch = append(batch, comment(start.Add(-time.Duration(b*2000+i+1)*time.Minute), 10000+b*2000+i))
		}
		began := time.Now()
		require.NoError(t, importer.InsertComments(ctx, batch))
		slowest = max(slowest, time.Since(began))
	}
	close(stop)
	wg.Wait()
	t.Logf("slowest batch of 2,000 into the live thread: %v; %d posts landed meanwhile", slowest, posted)
	assert.Zero(t, failed, "no post failed while the import ran")
	assert.Positive(t, posted, "posts landed between the batches")
	assert.Less(t, slowest, 2*time.Second, "a batch holds the write lock briefly")

	n, err := site.CountThread(ctx, a.ID)
	require.NoError(t, err)
	require.Equal(t, 9000+posted, n.TopLevel)
	all, err := site.FindComments(ctx, tribune.Query{ArticleID: a.ID})
	require.NoError(t, err)
	for _, p := range []int{0, 1, 2500, 5999, 6000, 8999, n.TopLevel - 1} {
		page, err := site.CommentPage(ctx, tribune.PageQuery{ArticleID: a.ID, Offset: p, Limit: 1})
		require.NoError(t, err)
		require.NotEmpty(t, page, "position %d", p)
		assert.Equal(t, all[p].ID, page[0].ID, "position %d is the %dth comment in thread order", p, p)
	}
}
